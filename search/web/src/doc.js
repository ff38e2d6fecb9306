// The page of one document, /documents/ID: its metadata, the phrases that
// earned each theme, its versions in other languages, links to the pages
// of a PDF, similar documents (when the API names them) and its text with
// the words of ?q= marked. Everything from the API is written as text.

const lang = pickLang([document.documentElement.lang]);
const t = translator(lang);
const formatDate = dateFormatter(lang);
const languageName = languageNamer(lang);
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const query = (params.get('q') || '').trim();
const hl = params.get('hl') || '';
const id = decodeURIComponent(location.pathname.split('/').pop() || '');
const main = $('doc');
// Longest text shown, in characters: past it the rest is left to the original.
const MAX_TEXT = 200000;

// pageURL is the search page's URL with params (and the chosen language).
function pageURL(p) {
  const u = new URLSearchParams(p);
  if (hl) u.set('hl', hl);
  const s = u.toString();
  return '../' + (s ? '?' + s : '');
}

function section(name, show) {
  const s = $(name);
  s.hidden = !show;
  return s;
}

async function load() {
  $('back').setAttribute('href', pageURL(query ? { q: query } : {}));
  let resp, doc, themes = new Map(), labels = new Map();
  try {
    const [d, th, st] = await Promise.all([
      fetch('../api/v1/documents/' + encodeURIComponent(id), { headers: { Accept: 'application/json' } }),
      fetch('../api/v1/themes', { headers: { Accept: 'application/json' } }).catch(() => null),
      fetch('../api/v1/stats', { headers: { Accept: 'application/json' } }).catch(() => null),
    ]);
    resp = d;
    doc = await resp.json().catch(() => null);
    if (th && th.ok) themes = new Map(((await th.json()).themes || []).map((x) => [x.id, x]));
    if (st && st.ok) {
      const facets = (await st.json()).facets || {};
      for (const [name, list] of Object.entries(facets)) labels.set(name, new Map((list || []).map((f) => [f.value, f.label])));
    }
  } catch (e) {
    return fail(t('unreachableRetry'));
  }
  if (!resp.ok || !doc) {
    return fail(resp.status === 404 ? t('notFound') : (doc && doc.error && doc.error.message) || t('failed', { status: resp.status }));
  }
  const label = (name, v) => (labels.get(name) && labels.get(name).get(v)) || v;
  render(doc, (th) => (themes.get(th) || {}).label || th, label);
}

function fail(msg) {
  $('doc-title').textContent = t('notFound') === msg ? msg : t('docTitle');
  const e = $('doc-error');
  e.textContent = msg;
  e.hidden = t('notFound') === msg;
  main.removeAttribute('aria-busy');
}

function render(doc, themeLabel, label) {
  const title = doc.title || doc.url || doc.id;
  document.title = title;
  $('doc-title').textContent = title;
  if (doc.lang) $('doc-title').setAttribute('lang', doc.lang);

  // Metadata, as a description list.
  const meta = $('doc-meta');
  const row = (term, ...value) => meta.append(el('dt', { text: term }), el('dd', null, ...value));
  const src = safeURL(doc.url);
  if (doc.type) row(t('metaType'), label('type', doc.type));
  if (doc.date) {
    const day = String(doc.date).slice(0, 10);
    row(t('metaDate'), el('time', { datetime: day, text: formatDate(day) }));
  }
  if (doc.place) row(t('metaPlace'), doc.place + (doc.country ? ', ' + doc.country : ''));
  if (doc.kind) row(t('metaKind'), label('kind', doc.kind));
  if (doc.lang) row(t('metaLang'), languageName(doc.lang));
  if (doc.pages) row(t('metaPages'), String(doc.pages));
  if (src) row(t('metaSource'), el('a', { href: src, text: t('openOriginal') }), ' ', el('span', { class: 'hint', text: new URL(src).host }));
  meta.hidden = false;

  // The themes, each with the phrases that earned it; a theme links to
  // the search of its documents.
  const reasons = doc.theme_reasons || {};
  const list = section('doc-themes', (doc.themes || []).length > 0).querySelector('ul');
  for (const th of doc.themes || []) {
    const li = el('li', null, el('a', { href: pageURL({ theme: th }), text: themeLabel(th) }));
    const why = reasons[th] || [];
    if (why.length) {
      li.append(' ', el('span', { class: 'hint', text: t('earnedBy') + ' ' }));
      why.forEach((p, i) => { if (i) li.append(', '); li.append(el('span', { class: 'reason', text: p })); });
    }
    list.append(li);
  }

  const versions = (doc.translations || []).filter((v) => v.id || safeURL(v.url));
  const vl = section('doc-versions', versions.length > 0).querySelector('ul');
  for (const v of versions) {
    const href = v.id ? encodeURIComponent(v.id) + (query ? '?q=' + encodeURIComponent(query) : '') : safeURL(v.url);
    vl.append(el('li', null, el('a', { href, hreflang: v.lang, text: languageName(v.lang) })));
  }

  // A link to each page of a PDF (#page=N opens browsers' PDF viewers there).
  const starts = doc.page_starts || [];
  const pages = Math.min(Math.max(starts.length, doc.pages || 0), 1000);
  const pl = section('doc-pages', src && pages > 1).querySelector('ul');
  for (let i = 1; src && pages > 1 && i <= pages; i++) {
    pl.append(el('li', null, el('a', { href: src.split('#')[0] + '#page=' + i, text: String(i) })));
  }

  // "More like this", from the API's similar documents when it sends them.
  const similar = (doc.similar || []).filter((s) => s && s.id);
  const sl = section('doc-similar', similar.length > 0).querySelector('ul');
  for (const s of similar) {
    const meta = [s.type && label('type', s.type), s.date && formatDate(String(s.date).slice(0, 10))].filter(Boolean).join(' · ');
    sl.append(el('li', null, el('a', { href: encodeURIComponent(s.id), text: s.title || s.url || s.id }),
      meta ? el('span', { class: 'hint', text: ' ' + meta }) : null));
  }

  // The text, a paragraph per blank-line block, with the query's words
  // marked; each page of a PDF starts with its number.
  const body = String(doc.body || '').slice(0, MAX_TEXT);
  const re = wordsRegExp(query);
  const box = section('doc-text', body.length > 0).querySelector('.doc-body');
  let marks = 0;
  // page_starts are byte offsets of the UTF-8 text: cut on them as bytes.
  const bytes = new TextEncoder().encode(body);
  const dec = new TextDecoder();
  const texts = starts.length > 1 ? starts.map((s, i) => dec.decode(bytes.slice(s, starts[i + 1]))) : [body];
  texts.forEach((text, i) => {
    if (texts.length > 1) box.append(el('h3', { class: 'page-no', id: 'page-' + (i + 1), text: t('pageN', { n: i + 1 }) }));
    for (const para of text.split(/\n\s*\n/)) {
      if (!para.trim()) continue;
      const p = el('p', null, marked(para.trim(), re));
      marks += p.querySelectorAll('mark').length;
      box.append(p);
    }
  });
  if (doc.lang) box.setAttribute('lang', doc.lang);
  $('doc-marks').textContent = re ? t('marks', { n: marks, q: query }) : '';
  main.removeAttribute('aria-busy');
}

load();
