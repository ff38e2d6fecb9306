// The embeddable search box: a search form and its first results, for a
// portal's own pages. Plain JavaScript, no dependencies; the strings, the
// shared helpers and the completion list come before it in this file. On
// the portal:
//
//   <div data-kbsearch data-theme="oer" data-size="5"></div>
//   <script src="https://SEARCH-SERVER/static/embed.js" defer></script>
//
// and start the server with --cors-origin set to the portal's origin, so
// the browser lets the portal's pages read the API's answers. Each element
// with data-kbsearch gets its own box, drawn in a shadow root so that the
// portal's styles and ours do not mix. Options, all optional:
//   data-theme, data-type, data-place, data-lang  filters (comma lists)
//   data-size         results shown (1-20, default 5)
//   data-placeholder  the empty input's hint
//   data-label        the input's label (default "Search the knowledge base")
//   data-hl           the box's language (en, fr, de); default the
//                     language of the portal's page around the box
// The box searches as one types (after a pause; a search overtaken by the
// next is aborted). Everything from the API is written as text, except
// snippets, of which only the text and the <mark> elements are kept.

const script = document.currentScript;
if (!script || !script.src) return;
const base = new URL('../', script.src); // the server: .../static/embed.js
const FILTERS = ['theme', 'type', 'place', 'lang'];
const TYPE_DELAY = 300; // ms after the last keystroke before searching

const STYLE = COMBOBOX_CSS + `
  :host { display: block; font: inherit; color: inherit; max-width: 40rem; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
  label { flex-basis: 100%; font-weight: 600; }
  input { font: inherit; padding: .4rem .5rem; border: 1px solid #767676; border-radius: 3px; }
  button { font: inherit; padding: .4rem .9rem; border: 1px solid #1a4f8b; background: #1a4f8b; color: #fff; border-radius: 3px; cursor: pointer; }
  /* A two-tone ring (dark outline, white band inside it): 3:1 or more on
     a light or a dark portal alike. */
  input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #1b1f24; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }
  .status { margin: .5rem 0; min-height: 1.2em; font-size: .9em; color: #555; }
  ol { list-style: none; margin: 0; padding: 0; }
  ol > li { margin: 0 0 .9rem; }
  .title { font-weight: 600; }
  .meta { font-size: .85em; color: #555; }
  .snippet { margin: .2rem 0 0; font-size: .92em; }
  .snippet mark { background: #fff1a8; color: inherit; padding: 0 .1em; }
  .all { font-weight: 600; }
  .all[hidden], .status:empty { display: none; }
`;

// langName is a language's own name ("français") where the browser knows
// it, else its code.
function langName(code) {
  try {
    const n = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    if (n && n !== code) return n;
  } catch (e) { /* an unknown code */ }
  return code.toUpperCase();
}

function mount(host) {
  if (host.shadowRoot) return; // already a box
  const around = host.closest('[lang]');
  const hl = pickLang([host.dataset.hl, around && around.lang, document.documentElement.lang]);
  const t = translator(hl);
  const formatDate = dateFormatter(hl);
  const size = Math.min(Math.max(parseInt(host.dataset.size, 10) || 5, 1), 20);
  const filters = new URLSearchParams();
  for (const f of FILTERS) {
    for (const v of (host.dataset[f] || '').split(',')) {
      if (v.trim()) filters.append(f, v.trim());
    }
  }
  const root = host.attachShadow({ mode: 'open' });
  const uid = 'kbs' + Math.random().toString(36).slice(2, 8);
  const input = el('input', {
    id: uid + '-q', type: 'search', name: 'q', autocomplete: 'off', lang: hl,
    maxlength: '4096', placeholder: host.dataset.placeholder || null,
  });
  // The search landmark is named by the label, so that two boxes of a
  // page with their own labels are told apart.
  const form = el('form', { role: 'search', lang: hl, 'aria-labelledby': uid + '-label' },
    el('label', { for: uid + '-q', id: uid + '-label', text: host.dataset.label || t('boxLabel') }),
    el('div', { class: 'cb' }, input), el('button', { type: 'submit', text: t('searchButton') }));
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', lang: hl });
  const hits = el('ol', { class: 'hits' });
  const all = el('a', { class: 'all', hidden: true, lang: hl });
  // A constructed style sheet is not an inline style: a portal whose
  // Content-Security-Policy forbids those still gets the box's look.
  if (typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype && 'adoptedStyleSheets' in root) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(el('style', { text: STYLE }));
  }
  root.append(form, status, hits, all);

  let searchCtl = null;
  // search asks for q, or with theme set for that theme's documents,
  // newest first; a search still running is aborted.
  async function search(q, theme) {
    if (searchCtl) searchCtl.abort();
    const ctl = new AbortController();
    searchCtl = ctl;
    const params = new URLSearchParams(filters);
    params.set('q', q);
    if (theme) {
      if (!params.getAll('theme').includes(theme.id)) params.append('theme', theme.id);
      params.set('sort', 'newest');
    }
    status.textContent = t('searching');
    try {
      const resp = await fetch(new URL('api/v1/search?' + params + '&size=' + size, base), {
        signal: ctl.signal, headers: { Accept: 'application/json' },
      });
      const body = await resp.json().catch(() => null);
      if (ctl.signal.aborted) return;
      if (!resp.ok) {
        const msg = body && body.error && body.error.message;
        show([], resp.status === 400 && msg ? t('checkSearch', { msg }) : t('notAvailable'));
        return;
      }
      render(body, params, theme);
    } catch (e) {
      if (e.name !== 'AbortError') show([], t('unreachable'));
    } finally {
      if (searchCtl === ctl) searchCtl = null;
    }
  }

  function show(items, text) {
    hits.replaceChildren(...items);
    status.textContent = text;
    all.hidden = true;
  }

  function render(res, params, theme) {
    // A type is shown by the API's label of it, as the search page does.
    const types = new Map(((res.facets && res.facets.type) || []).map((f) => [f.value, f.label]));
    const items = (res.hits || []).map((h) => {
      let href = safeURL(h.url, base);
      if (href && h.page > 1) href += '#page=' + h.page;
      const meta = [types.get(h.type) || h.type, h.date && formatDate(h.date)].filter(Boolean).join(' · ');
      let versions = null;
      for (const v of h.translations || []) {
        if (!safeURL(v.url, base)) continue;
        if (!versions) versions = el('div', { class: 'meta' }, t('alsoIn') + ' ');
        else versions.append(', ');
        versions.append(el('a', { href: safeURL(v.url, base), hreflang: v.lang, lang: v.lang, text: langName(v.lang) }));
      }
      return el('li', {},
        el('a', { class: 'title', href: href, text: h.title || h.url }),
        meta ? el('div', { class: 'meta', text: meta }) : null,
        h.snippets && h.snippets.length ? el('p', { class: 'snippet' }, snippet(h.snippets[0])) : null,
        versions);
    });
    let text = res.total === 0 ? t('noResults') : t('resultsCount', { n: res.total });
    if (theme) text += ' ' + t('inTheme', { t: theme.label });
    if (res.notice) text += ' ' + res.notice;
    if (res.did_you_mean) text += ' ' + t('didYouMeanQ', { q: res.did_you_mean });
    show(items, text);
    if (res.total > items.length) {
      const p = new URLSearchParams(params);
      if (hl !== 'en') p.set('hl', hl);
      all.href = new URL('?' + p, base).href;
      all.textContent = t('allResults', { n: res.total });
      all.hidden = false;
    }
  }

  // A box whose preset themes lack a completion's theme does not offer
  // it as a filter (several themes widen a search): it searches its text.
  const presetThemes = filters.getAll('theme');
  // The theme picked last among the completions, while its name is in
  // the input: submitting it searches the theme again.
  let picked = null;
  let typeTimer = 0;
  combobox(input, {
    t,
    source: async (text, signal) => {
      const resp = await fetch(new URL('api/v1/suggest?' + new URLSearchParams({ q: text, size: '8' }), base), {
        signal, headers: { Accept: 'application/json' },
      });
      if (!resp.ok) return [];
      return ((await resp.json()).suggestions || []).map((x) =>
        x.kind === 'theme' && presetThemes.length && !presetThemes.includes(x.theme) ? { text: x.text, kind: 'word' } : x);
    },
    onPick: (s) => {
      clearTimeout(typeTimer);
      if (s.kind === 'theme' && s.theme) {
        picked = { id: s.theme, label: s.text };
        search('', picked);
      } else {
        picked = null;
        search(s.text.trim());
      }
    },
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(typeTimer);
    const q = input.value.trim();
    if (picked && input.value === picked.label) search('', picked);
    else if (q) search(q);
    else show([], '');
  });
  // Search as one types, once the typing pauses.
  input.addEventListener('input', () => {
    picked = null;
    clearTimeout(typeTimer);
    const q = input.value.trim();
    typeTimer = setTimeout(() => {
      if (q.length >= 2) search(q);
      else if (!q) { if (searchCtl) searchCtl.abort(); show([], ''); }
    }, TYPE_DELAY);
  });
}

function mountAll() {
  for (const host of document.querySelectorAll('[data-kbsearch]')) mount(host);
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
else mountAll();
