// The research search page. Plain JavaScript, no dependencies; the shared
// helpers, the completion list and the chart come before it in the bundle.
//
// The page state lives in the page URL (the same parameters as the API,
// and hl, the interface's language), so a search can be bookmarked and
// back/forward replay it. Everything that comes from the API is written
// as text, except snippets, of which only the text and the <mark>
// elements are kept (util.js).

const lang = pickLang([document.documentElement.lang]);
const t = translator(lang);
const FACETS = [
  { name: 'theme', title: t('facetTheme') },
  { name: 'type', title: t('facetType') },
  { name: 'year', title: t('facetYear') },
  { name: 'place', title: t('facetPlace') },
  { name: 'kind', title: t('facetKind') },
  { name: 'lang', title: t('facetLang') },
];
const SORTS = ['relevance', 'newest', 'oldest'];
const MAX_PAGE = 1000;      // search.MaxPage
const SHORT_FACET = 8;      // values shown before "show all"
const NARROW = '(max-width: 47.99rem)';
const YEAR = /^\d{4}$/;

const $ = (id) => document.getElementById(id);
const form = $('search');
const qInput = $('q');
const fromInput = $('from');
const toInput = $('to');
const sortSelect = $('sort');
const facetsBox = $('facets');
const statusBox = $('status');
const errorBox = $('error');
const hitsList = $('hits');
const pager = $('pager');
const results = $('results');
const noticeBox = $('notice');
const dymBox = $('didyoumean');
const dymLink = $('didyoumean-link');
const clearButton = $('clear');
const filtersBox = $('filters');
const filtersCount = $('filters-count');
const showButton = $('show-results');
const chipsList = $('chips');
const chartBox = $('chart');
const yearsBox = $('years');
const announcer = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
document.body.append(announcer);
const formatDate = dateFormatter(lang);
const languageName = languageNamer(lang);
const number = new Intl.NumberFormat(lang);

let state = readURL();
let inFlight = null;          // AbortController of the running search
const expanded = new Set();   // facets showing all their values
let themes = new Map();       // theme id -> {label, description}
const themesReady = loadThemes();

// ---- state <-> URL ------------------------------------------------

// sort is '' for the default order: relevance for a query, newest first
// for browsing with no query (the order of relevance is then meaningless).
function emptyState() {
  const s = { q: '', from: '', to: '', sort: '', page: 1, size: '', hl: '' };
  for (const f of FACETS) s[f.name] = [];
  return s;
}

function readURL() {
  const p = new URLSearchParams(location.search);
  const s = emptyState();
  s.q = (p.get('q') || '').trim();
  for (const f of FACETS) {
    const seen = new Set();
    for (const raw of p.getAll(f.name)) {
      for (const v of raw.split(',')) {
        const x = v.trim();
        if (x && !seen.has(x)) { seen.add(x); s[f.name].push(x); }
      }
    }
  }
  s.from = (p.get('from') || '').trim();
  s.to = (p.get('to') || '').trim();
  const sort = p.get('sort');
  if (SORTS.includes(sort) && sort !== defaultSort(s.q)) s.sort = sort;
  const page = parseInt(p.get('page') || '1', 10);
  s.page = page >= 1 ? Math.min(page, MAX_PAGE) : 1;
  s.size = (p.get('size') || '').trim();
  s.hl = p.get('hl') || '';
  return s;
}

function defaultSort(q) {
  return q ? 'relevance' : 'newest';
}

function sortOf(s) {
  return s.sort || defaultSort(s.q);
}

function hasFilter(s) {
  return Boolean(s.from || s.to || FACETS.some((f) => s[f.name].length));
}

// toParams gives the parameters of the page URL, which leaves the
// default order out, or with api set those of an API request, which
// names the order unless it is the API's default (relevance).
function toParams(s, api) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const f of FACETS) for (const v of s[f.name]) p.append(f.name, v);
  if (s.from) p.set('from', s.from);
  if (s.to) p.set('to', s.to);
  if (api && sortOf(s) !== 'relevance') p.set('sort', sortOf(s));
  else if (!api && s.sort) p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  if (s.size) p.set('size', s.size);
  if (!api && s.hl) p.set('hl', s.hl);
  return p;
}

// exportParams are the parameters of the current search for the export
// and the feed: every hit, so no page or size.
function exportParams() {
  const p = toParams(state, true);
  p.delete('page');
  p.delete('size');
  return p;
}

// go makes s the state, records it in the history and searches.
function go(s) {
  state = s;
  const qs = toParams(s, false).toString();
  const url = qs ? '?' + qs : location.pathname;
  // The same state twice (a change event, then the submit) is one entry.
  if (location.search === (qs ? '?' + qs : '')) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  search();
}

// changed applies mutate to the state and searches from page 1. What is
// in the query and date boxes is taken first, typed or not sent with
// Enter: ticking a filter or choosing an order searches what the reader
// sees in the box, not the query before it.
function changed(mutate) {
  const s = structuredClone(state);
  s.q = qInput.value.trim();
  s.from = fromInput.value.trim();
  s.to = toInput.value.trim();
  mutate(s);
  if (s.sort === defaultSort(s.q)) s.sort = '';
  s.page = 1;
  ignored = '';
  go(s);
}

// toggle adds value to the filter name, or removes it when there.
function toggle(name, value) {
  changed((s) => {
    s[name] = s[name].includes(value) ? s[name].filter((v) => v !== value) : s[name].concat(value);
  });
}

// ---- fetching -----------------------------------------------------

async function loadThemes() {
  try {
    const resp = await fetch('api/v1/themes', { headers: { Accept: 'application/json' } });
    if (!resp.ok) return;
    const body = await resp.json();
    themes = new Map((body.themes || []).map((x) => [x.id, x]));
  } catch (e) {
    // Labels fall back to the facet labels or the ids.
  }
}

// ignored is the sentence saying which filters of the URL were left out
// because the search does not know them (a link made by hand, or a
// theme since renamed); it shows until the reader searches again.
let ignored = '';

// dropFilter removes values (all when null) of the filter name from the
// state, says so, and puts the state without them in the page URL.
function dropFilter(name, values) {
  const f = FACETS.find((x) => x.name === name);
  if (!values) values = f ? state[name] : [state[name]];
  if (f) state[name] = state[name].filter((v) => !values.includes(v));
  else state[name] = '';
  const title = f ? f.title : name === 'from' ? t('from') : t('to');
  ignored += (ignored ? ' ' : '') + t('ignored', { name: title.toLowerCase(), values: values.join(', ') });
  const qs = toParams(state, false).toString();
  history.replaceState(null, '', qs ? '?' + qs : location.pathname);
}

// filterOfError is the filter parameter an API error of a bad request
// names, or ''.
function filterOfError(msg) {
  const m = /^(?:parameter "([a-z]+)"|unknown ([a-z]+) ")/.exec(msg || '');
  const name = m ? m[1] || m[2] : '';
  return FACETS.some((f) => f.name === name) || name === 'from' || name === 'to' ? name : '';
}

async function search() {
  fillForm();
  if (inFlight) inFlight.abort();
  const ctl = new AbortController();
  inFlight = ctl;
  results.setAttribute('aria-busy', 'true');
  try {
    // A theme of the URL that the taxonomy lacks is dropped before
    // asking, rather than failing the whole search.
    if (state.theme.length) {
      await themesReady;
      if (ctl.signal.aborted) return;
      const unknown = state.theme.filter((x) => !themes.has(x));
      if (themes.size && unknown.length) {
        dropFilter('theme', unknown);
        fillForm();
      }
    }
    let resp, body;
    // One more try when a filter is what the API refused.
    for (let attempt = 0; ; attempt++) {
      const p = toParams(state, true);
      p.set('facets', 'year_theme');
      resp = await fetch('api/v1/search?' + p.toString(), {
        signal: ctl.signal,
        headers: { Accept: 'application/json' },
      });
      body = null;
      try { body = await resp.json(); } catch (e) { body = null; }
      const msg = body && body.error && body.error.message;
      const bad = resp.status === 400 && attempt < 2 ? filterOfError(msg) : '';
      if (!bad || !state[bad].length) break;
      dropFilter(bad, null);
      fillForm();
    }
    await themesReady;
    if (ctl.signal.aborted) return;
    if (!resp.ok) {
      const msg = body && body.error && body.error.message
        ? body.error.message
        : t('failed', { status: resp.status });
      showError(resp.status === 400 ? t('checkSearch', { msg }) : msg);
      return;
    }
    hideError();
    render(body);
  } catch (e) {
    if (e.name === 'AbortError') return;
    showError(t('unreachableRetry'));
  } finally {
    if (inFlight === ctl) {
      inFlight = null;
      results.removeAttribute('aria-busy');
    }
  }
}

// ---- rendering ----------------------------------------------------

function fillForm() {
  qInput.value = state.q;
  fromInput.value = state.from;
  toInput.value = state.to;
  sortSelect.value = sortOf(state);
  clearButton.hidden = !hasFilter(state);
  document.title = state.q ? t('pageTitleQuery', { q: state.q }) : t('pageTitle');
  // The language links keep the search.
  for (const a of document.querySelectorAll('nav.langs a[hreflang]')) {
    const p = toParams(Object.assign({}, state, { hl: a.hreflang }), false);
    a.setAttribute('href', '?' + p.toString());
    if (a.hreflang === lang) a.setAttribute('aria-current', 'true');
  }
}

function showError(msg) {
  errorBox.textContent = msg;
  errorBox.hidden = false;
  noticeBox.hidden = true;
  dymBox.hidden = true;
  for (const id of ['export', 'export-ris', 'feed']) $(id).hidden = true;
  statusBox.textContent = '';
  showButton.textContent = t('showResultsPlain');
  hitsList.replaceChildren();
  pager.replaceChildren();
}

function hideError() {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

// facetLabels maps name -> value -> label from a search result.
let facetLabels = new Map();

// labelOf is the label of a facet value: the theme's label, the API's
// label of the value in this result's facets, for a language absent from
// them its name, else the value itself.
function labelOf(name, value) {
  if (name === 'theme' && themes.has(value)) return themes.get(value).label || value;
  const m = facetLabels.get(name);
  if (m && m.get(value)) return m.get(value);
  if (name === 'lang') return languageName(value);
  return value;
}

function render(res) {
  facetLabels = new Map();
  for (const f of FACETS) {
    facetLabels.set(f.name, new Map((res.facets[f.name] || []).map((x) => [x.value, x.label])));
  }
  renderStatus(res);
  renderShowButton(res);
  renderExport(res);
  renderNotice(res);
  renderDidYouMean(res);
  renderChips();
  renderChart(res);
  renderHits(res);
  renderFacets(res);
  renderPager(res);
}

// The notice says how the query was read when it was not syntax (plain
// words, for parentheses that do not pair up), and which filters of the
// page's link were ignored.
function renderNotice(res) {
  const text = [ignored, res.notice || ''].filter(Boolean).join(' ');
  noticeBox.textContent = text;
  noticeBox.hidden = !text;
}

function renderDidYouMean(res) {
  const alt = res.did_you_mean || '';
  dymBox.hidden = !alt;
  dymLink.textContent = alt;
  const p = toParams(Object.assign({}, state, { q: alt, page: 1 }), false);
  dymLink.setAttribute('href', '?' + p.toString());
}

// The take-away links of the current search: every hit (up to 1,000) as
// CSV or RIS, and the Atom feed of its newest documents.
function renderExport(res) {
  const p = exportParams();
  const ris = new URLSearchParams(p);
  ris.set('format', 'ris');
  $('export').setAttribute('href', 'api/v1/export?' + p.toString());
  $('export-ris').setAttribute('href', 'api/v1/export?' + ris.toString());
  const feed = new URLSearchParams(p);
  feed.delete('sort');
  $('feed').setAttribute('href', 'api/v1/feed?' + feed.toString());
  $('export').hidden = res.total === 0;
  $('export-ris').hidden = res.total === 0;
  $('feed').hidden = false;
}

// The filter sheet of a phone closes with a button counting the results.
function renderShowButton(res) {
  showButton.textContent = t('showResults', { n: res.total });
  const inUse = FACETS.reduce((k, f) => k + state[f.name].length, 0) + (state.from ? 1 : 0) + (state.to ? 1 : 0);
  filtersCount.textContent = inUse ? t('inUse', { n: inUse }) : '';
}

function renderStatus(res) {
  const took = res.took_ms < 10 ? res.took_ms.toFixed(1) : String(Math.round(res.took_ms));
  statusBox.textContent = t('status', { n: res.total, ms: took });
}

// The active filters as chips above the results; a chip's button removes
// its filter. The focus, on a chip when the chips are drawn again, goes to
// the chip now at its place, or to the results when none is left.
function renderChips() {
  const active = document.activeElement;
  const had = active && chipsList.contains(active) ? Number(active.dataset.index) : -1;
  const chips = [];
  for (const f of FACETS) {
    for (const v of state[f.name]) chips.push({ name: f.title, value: labelOf(f.name, v), remove: (s) => { s[f.name] = s[f.name].filter((x) => x !== v); } });
  }
  if (state.from) chips.push({ name: t('date'), value: t('chipFrom', { d: state.from }), remove: (s) => { s.from = ''; } });
  if (state.to) chips.push({ name: t('date'), value: t('chipTo', { d: state.to }), remove: (s) => { s.to = ''; } });
  chipsList.replaceChildren(...chips.map((c, i) => {
    const b = el('button', { type: 'button', class: 'chip', 'data-index': String(i), 'aria-label': t('removeFilter', { name: c.name, value: c.value }) },
      el('span', { class: 'chip-name', text: c.name + ': ' }), c.value, el('span', { class: 'chip-x', 'aria-hidden': 'true', text: '\u00d7' }));
    b.addEventListener('click', () => {
      changed(c.remove);
    });
    return el('li', null, b);
  }));
  chipsList.hidden = chips.length === 0;
  if (had >= 0) {
    const buttons = chipsList.querySelectorAll('button');
    const back = buttons[Math.min(had, buttons.length - 1)];
    if (back) back.focus({ preventScroll: true });
    else results.focus({ preventScroll: true });
  }
}

// The chart of the documents over time and the date filter's years.
function renderChart(res) {
  const data = res.year_theme || [];
  const keep = document.activeElement;
  const key = keep && (chartBox.contains(keep) || yearsBox.contains(keep)) ? keep.dataset.key : '';
  drawChart(chartBox, data, {
    t, themeLabel: (id) => labelOf('theme', id), themes: state.theme, years: state.year,
    onTheme: (id) => toggle('theme', id),
    onYear: (y) => toggle('year', y),
  });
  const fy = state.from.slice(0, 4), ty = state.to.slice(0, 4);
  drawYears(yearsBox, data, {
    t, from: YEAR.test(fy) ? fy : '', to: YEAR.test(ty) ? ty : '',
    onRange: (a, b) => changed((s) => { s.from = a; s.to = b; }),
  });
  if (key) {
    const back = Array.from(document.querySelectorAll('#chart [data-key], #years [data-key]')).find((n) => n.dataset.key === key);
    if (back) back.focus({ preventScroll: true });
  }
}

// citation is a reference to hit as a reader would paste it.
function citation(h, url) {
  const parts = [h.title || url];
  const kind = [h.type && labelOf('type', h.type), h.date && formatDate(h.date)].filter(Boolean).join(', ');
  if (kind) parts.push(kind);
  parts.push(url + ' (' + t('accessed', { d: formatDate(new Date().toISOString().slice(0, 10)) }) + ')');
  return parts.join('. ');
}

async function copyCitation(text, li) {
  try {
    await navigator.clipboard.writeText(text);
    announcer.textContent = t('copied');
  } catch (e) {
    // No clipboard (an insecure origin, a refusal): the citation is shown
    // to copy by hand.
    let p = li.querySelector('.citation');
    if (!p) { p = el('p', { class: 'citation' }); li.append(p); }
    p.textContent = t('copyFailed', { c: text });
    announcer.textContent = p.textContent;
  }
}

function renderHits(res) {
  const items = res.hits.map((h) => {
    const title = h.title || h.url || h.id;
    const href = safeURL(h.url);
    // A PDF opens on the page of the first match (#page=N is honoured by
    // browsers' PDF viewers).
    const link = href && h.page > 0 ? href.split('#')[0] + '#page=' + h.page : href;
    const heading = el('h2', { class: 'hit-title' },
      link ? el('a', { href: link, text: title }) : el('span', { text: title }));

    const meta = el('p', { class: 'hit-meta' });
    if (h.type) meta.append(el('span', { class: 'hit-type', text: labelOf('type', h.type) }));
    if (h.date) meta.append(el('time', { datetime: h.date, text: formatDate(h.date) }));
    if (href) meta.append(el('span', { class: 'hit-url', text: new URL(href).host }));
    if (link !== href) meta.append(el('span', { class: 'hit-page', text: t('pageN', { n: h.page }) }));

    const li = el('li', { class: 'hit' }, heading, meta);
    if (h.themes && h.themes.length) {
      const ul = el('ul', { class: 'hit-themes', 'aria-label': t('themesLabel') });
      for (const x of h.themes) ul.append(el('li', { text: labelOf('theme', x) }));
      li.append(ul);
    }
    for (const s of h.snippets || []) li.append(el('p', { class: 'snippet' }, snippet(s)));
    const versions = (h.translations || []).filter((x) => safeURL(x.url));
    if (versions.length) {
      const p = el('p', { class: 'hit-translations' }, t('alsoIn') + ' ');
      versions.forEach((x, i) => {
        if (i) p.append(', ');
        p.append(el('a', { href: safeURL(x.url), hreflang: x.lang, text: labelOf('lang', x.lang) }));
      });
      li.append(p);
    }
    // Take it with you: the document's page here (with the query marked),
    // its permanent address, a citation to paste.
    const docPath = 'documents/' + encodeURIComponent(h.id);
    const dp = new URLSearchParams();
    if (state.q) dp.set('q', state.q);
    if (state.hl) dp.set('hl', state.hl);
    const permalink = new URL(docPath, location.href).href;
    const copy = el('button', { type: 'button', class: 'link', text: t('copyCitation') });
    copy.addEventListener('click', () => copyCitation(citation(h, href || permalink), li));
    li.append(el('p', { class: 'hit-actions' },
      el('a', { class: 'hit-details', href: docPath + (dp.toString() ? '?' + dp : ''), text: t('details') }),
      el('a', { class: 'hit-permalink', href: permalink, text: t('permalink') }),
      copy));
    return li;
  });
  hitsList.replaceChildren(...items);
  hitsList.start = (res.page - 1) * res.size + 1;
  if (!items.length) hitsList.replaceChildren(el('li', { class: 'none', text: t('none') }));
}

// renderFacets draws the facet lists again. Each control has a stable
// key (data-key): the one that had the focus gets it back, so a reader
// on the keyboard stays where they were (WCAG 2.4.3).
function renderFacets(res) {
  const active = document.activeElement;
  const key = active && facetsBox.contains(active) ? active.dataset.key : '';
  const boxes = [];
  for (const f of FACETS) {
    const selected = state[f.name];
    let values = (res.facets[f.name] || []).slice();
    for (const v of selected) {
      if (!values.some((x) => x.value === v)) values.push({ value: v, label: labelOf(f.name, v), count: 0 });
    }
    if (!values.length) continue;
    if (f.name === 'year') values.sort((a, b) => a.value.localeCompare(b.value));

    const fs = el('fieldset', { class: 'facet' }, el('legend', { text: f.title }));
    const ul = el('ul');
    const all = expanded.has(f.name);
    values.forEach((x, i) => {
      const id = 'f-' + f.name + '-' + i;
      const checked = selected.includes(x.value);
      if (!all && i >= SHORT_FACET && !checked) return;
      const box = el('input', {
        type: 'checkbox', id, name: f.name, value: x.value, checked, 'data-key': f.name + '=' + x.value,
      });
      box.addEventListener('change', () => changed((s) => {
        s[f.name] = box.checked
          ? s[f.name].concat(x.value)
          : s[f.name].filter((v) => v !== x.value);
      }));
      const theme = f.name === 'theme' ? themes.get(x.value) : null;
      const label = el('label', { for: id, title: theme && theme.description ? theme.description : null },
        el('span', { class: 'facet-label', text: f.name === 'theme' ? labelOf('theme', x.value) : (x.label || x.value) }),
        el('span', { class: 'count', text: number.format(x.count) }));
      ul.append(el('li', null, box, label));
    });
    fs.append(ul);
    if (values.length > SHORT_FACET) {
      const more = el('button', {
        type: 'button', class: 'link', 'aria-expanded': String(all), 'data-key': f.name + ':more',
        text: all ? t('showFewer') : t('showAll', { n: values.length }),
      });
      more.addEventListener('click', () => {
        if (all) expanded.delete(f.name); else expanded.add(f.name);
        renderFacets(res);
      });
      fs.append(more);
    }
    boxes.push(fs);
  }
  facetsBox.replaceChildren(...boxes);
  if (key) {
    const byKey = (k) => Array.from(facetsBox.querySelectorAll('[data-key]')).find((n) => n.dataset.key === k);
    // A value gone from the list leaves the focus on its facet's first.
    const name = key.split(/[=:]/)[0];
    const back = byKey(key) || facetsBox.querySelector('input[name="' + CSS.escape(name) + '"]');
    if (back) back.focus({ preventScroll: true });
  }
}

function renderPager(res) {
  const last = Math.min(Math.max(1, Math.ceil(res.total / res.size)), MAX_PAGE);
  if (last <= 1) { pager.replaceChildren(); return; }
  const cur = res.page;
  const ul = el('ul');
  const add = (label, page, opts) => {
    opts = opts || {};
    if (page === null) { ul.append(el('li', { class: 'gap', text: '\u2026' })); return; }
    const b = el('button', {
      type: 'button',
      text: label,
      'aria-label': opts.aria || t('pageLabel', { n: page }),
      'aria-current': page === cur && !opts.aria ? 'page' : null,
      disabled: page < 1 || page > last || (page === cur && !opts.aria) ? true : null,
    });
    b.addEventListener('click', () => {
      const s = structuredClone(state);
      s.page = page;
      go(s);
      results.focus({ preventScroll: true });
      results.scrollIntoView();
    });
    ul.append(el('li', null, b));
  };
  add(t('previous'), cur - 1, { aria: t('previousPage') });
  const pages = new Set([1, last]);
  for (let p = cur - 2; p <= cur + 2; p++) if (p >= 1 && p <= last) pages.add(p);
  let prev = 0;
  for (const p of [...pages].sort((a, b) => a - b)) {
    if (p > prev + 1) add('', null);
    add(String(p), p);
    prev = p;
  }
  add(t('next'), cur + 1, { aria: t('nextPage') });
  pager.replaceChildren(ul);
}

// ---- completions --------------------------------------------------

// Picking a theme among the completions applies the theme as a filter (a
// theme is offered only when the typed text starts its name, so the text
// was there to find it and is cleared); picking a word searches it.
combobox(qInput, {
  t,
  source: async (text, signal) => {
    const resp = await fetch('api/v1/suggest?' + new URLSearchParams({ q: text, size: '8' }).toString(), {
      signal, headers: { Accept: 'application/json' },
    });
    if (!resp.ok) return [];
    return (await resp.json()).suggestions || [];
  },
  onPick: (s) => {
    if (s.kind === 'theme' && s.theme) {
      qInput.value = '';
      changed((st) => { if (!st.theme.includes(s.theme)) st.theme.push(s.theme); });
    } else {
      changed(() => {});
    }
  },
});

// ---- events -------------------------------------------------------

dymLink.addEventListener('click', (ev) => {
  ev.preventDefault();
  const alt = dymLink.textContent;
  changed((s) => { s.q = alt; });
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  changed(() => {});
});
for (const input of [fromInput, toInput]) {
  input.addEventListener('change', () => changed(() => {}));
}
sortSelect.addEventListener('change', () => changed((s) => { s.sort = sortSelect.value; }));
clearButton.addEventListener('click', () => {
  changed((s) => {
    Object.assign(s, emptyState(), { q: s.q, sort: s.sort, hl: s.hl });
  });
  // The button hides: the focus goes to the top of the filters.
  filtersBox.querySelector('summary').focus();
});
window.addEventListener('popstate', () => {
  state = readURL();
  ignored = '';
  search();
});

// On a phone the filters are a sheet over the page, folded at first; its
// "Show N results" button folds it and takes the reader to the results.
const narrow = window.matchMedia(NARROW);
const sheetOpen = () => {
  document.documentElement.classList.toggle('sheet-open', narrow.matches && filtersBox.open);
};
if (narrow.matches) filtersBox.open = false;
filtersBox.addEventListener('toggle', sheetOpen);
narrow.addEventListener('change', sheetOpen);
showButton.addEventListener('click', () => {
  filtersBox.open = false;
  results.focus({ preventScroll: true });
  results.scrollIntoView();
});
filtersBox.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Escape' || !narrow.matches || !filtersBox.open) return;
  filtersBox.open = false;
  filtersBox.querySelector('summary').focus();
});

search();
