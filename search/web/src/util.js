// Helpers of the page, the document page and the box.

// el makes an element; attrs.text sets its text, attrs.class its class, a
// null, undefined or false attribute is left out.
function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') n.className = v;
    else if (k === 'text') n.textContent = v;
    else n.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) n.append(c);
  return n;
}

// safeURL returns u resolved against base if it is an http(s) URL, else null.
function safeURL(u, base) {
  try {
    const url = new URL(u, base || location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (e) {
    return null;
  }
}

// snippet keeps the text and <mark> elements of an API snippet (escaped
// HTML with <mark> around matches), parsed in an inert <template>.
function snippet(html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  const out = document.createDocumentFragment();
  const walk = (from, into) => {
    for (const n of from.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) {
        into.append(n.data);
      } else if (n.nodeType === Node.ELEMENT_NODE) {
        if (n.nodeName === 'MARK') {
          const m = document.createElement('mark');
          walk(n, m);
          into.append(m);
        } else {
          walk(n, into);
        }
      }
    }
  };
  walk(tpl.content, out);
  return out;
}

// marked returns text as a fragment with the parts matching re in <mark>.
function marked(text, re) {
  const out = document.createDocumentFragment();
  if (!re) { out.append(text); return out; }
  let last = 0;
  text.replace(re, (m, ...rest) => {
    const at = rest[rest.length - 2];
    if (at > last) out.append(text.slice(last, at));
    out.append(el('mark', { text: m }));
    last = at + m.length;
    return m;
  });
  if (last < text.length) out.append(text.slice(last));
  return out;
}

// wordsRegExp matches the words of q (two letters or more, not the query
// language's operators) at word starts, case-insensitively, and the rest
// of the word they start unless prefix is set; null for none.
function wordsRegExp(q, prefix) {
  const words = (q || '').split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !['AND', 'OR', 'NOT'].includes(w))
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return null;
  return new RegExp('(?<![\\p{L}\\p{N}])(?:' + words.join('|') + ')' + (prefix ? '' : '[\\p{L}\\p{N}]*'), 'giu');
}

// dateFormatter formats YYYY-MM-DD as a reader of lang writes it.
function dateFormatter(lang) {
  const f = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, {
    day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
  });
  return (d) => {
    const t = Date.parse(d + 'T00:00:00Z');
    return Number.isNaN(t) ? d : f.format(t);
  };
}

// languageNamer names a language code in lang ("fr" -> "French").
function languageNamer(lang) {
  let names = null;
  try { names = new Intl.DisplayNames([lang], { type: 'language' }); } catch (e) { /* old browser */ }
  return (code) => {
    try {
      const n = names && names.of(code);
      if (n && n !== code) return n;
    } catch (e) { /* not a language code */ }
    return code;
  };
}
