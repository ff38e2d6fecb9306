// Strings of the interface. STRINGS (made by the server from
// src/strings/LANG.json) holds one table per language; a text that depends
// on a number is a list of its plural forms [one, other].

// translator returns t(key, vars) for lang (English when STRINGS lacks it):
// the string with {name} replaced by vars.name, its plural form chosen by
// vars.n.
function translator(lang) {
  const table = STRINGS[lang] || STRINGS.en || {};
  const rules = new Intl.PluralRules(lang);
  const fmt = new Intl.NumberFormat(lang);
  return function t(key, vars) {
    let s = table[key];
    if (s === undefined) s = (STRINGS.en || {})[key];
    if (s === undefined) return key;
    vars = vars || {};
    if (Array.isArray(s)) s = s[rules.select(vars.n === undefined ? 1 : vars.n) === 'one' ? 0 : 1];
    return s.replace(/\{(\w+)\}/g, (m, name) => {
      const v = vars[name];
      if (v === undefined) return m;
      return typeof v === 'number' && name === 'n' ? fmt.format(v) : String(v);
    });
  };
}

// pickLang is the first of wanted (codes such as "fr-BE") whose language
// STRINGS speaks, else "en".
function pickLang(wanted) {
  for (const w of wanted) {
    const l = String(w || '').toLowerCase().split('-')[0];
    if (l && STRINGS[l]) return l;
  }
  return 'en';
}
