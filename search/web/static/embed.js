// The embeddable search box: a search form and its first results, for a
// portal's own pages. Plain JavaScript, no dependencies. On the portal:
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
// Everything from the API is written as text, except snippets, of which
// only the text and the <mark> elements are kept.
'use strict';

(function () {
  const script = document.currentScript;
  if (!script || !script.src) return;
  const base = new URL('../', script.src); // the server: .../static/embed.js
  const FILTERS = ['theme', 'type', 'place', 'lang'];
  const SUGGEST_DELAY = 120;

  const STYLE = `
    :host { display: block; font: inherit; color: inherit; max-width: 40rem; }
    form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
    label { flex-basis: 100%; font-weight: 600; }
    input { flex: 1 1 12rem; font: inherit; padding: .4rem .5rem; border: 1px solid #767676; border-radius: 3px; }
    button { font: inherit; padding: .4rem .9rem; border: 1px solid #1a4f8b; background: #1a4f8b; color: #fff; border-radius: 3px; cursor: pointer; }
    /* A two-tone ring (dark outline, white band inside it): 3:1 or more on
       a light or a dark portal alike. */
    input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #1b1f24; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }
    .status { margin: .5rem 0; min-height: 1.2em; font-size: .9em; color: #555; }
    ol { list-style: none; margin: 0; padding: 0; }
    li { margin: 0 0 .9rem; }
    .title { font-weight: 600; }
    .meta { font-size: .85em; color: #555; }
    .snippet { margin: .2rem 0 0; font-size: .92em; }
    mark { background: #fff1a8; color: inherit; padding: 0 .1em; }
    .all { font-weight: 600; }
    .all[hidden], .status:empty { display: none; }
  `;

  // el makes an element; attrs.text sets its text.
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k === 'text') n.textContent = v;
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c) n.append(c);
    return n;
  }

  // snippet keeps the text and <mark> elements of an API snippet.
  function snippet(html) {
    const tpl = document.createElement('template');
    tpl.innerHTML = html;
    const out = document.createDocumentFragment();
    for (const node of tpl.content.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === 'MARK') {
        out.append(el('mark', { text: node.textContent }));
      } else {
        out.append(document.createTextNode(node.textContent));
      }
    }
    return out;
  }

  // langName is a language's own name ("français") where the browser knows
  // it, else its code.
  function langName(code) {
    try {
      const n = new Intl.DisplayNames([code], { type: 'language' }).of(code);
      if (n && n !== code) return n;
    } catch (e) { /* an unknown code */ }
    return code.toUpperCase();
  }

  const dateFormat = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
  });

  // formatDate writes YYYY-MM-DD as a reader does: 27 September 2016.
  function formatDate(d) {
    const t = Date.parse(d + 'T00:00:00Z');
    return Number.isNaN(t) ? d : dateFormat.format(t);
  }

  // safeURL returns u if it is an http(s) URL, else null.
  function safeURL(u) {
    try {
      const p = new URL(u, base);
      return p.protocol === 'http:' || p.protocol === 'https:' ? p.href : null;
    } catch (e) {
      return null;
    }
  }

  function mount(host) {
    if (host.shadowRoot) return; // already a box
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
      id: uid + '-q', type: 'search', name: 'q', list: uid + '-s', autocomplete: 'off',
      maxlength: '4096', placeholder: host.dataset.placeholder || null,
    });
    const list = el('datalist', { id: uid + '-s' });
    const form = el('form', { role: 'search' },
      el('label', { for: uid + '-q', text: host.dataset.label || 'Search the knowledge base' }),
      input, list, el('button', { type: 'submit', text: 'Search' }));
    const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const hits = el('ol', { class: 'hits' });
    const all = el('a', { class: 'all', hidden: true });
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
    // newest first.
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
      status.textContent = 'Searching…';
      try {
        const resp = await fetch(new URL('api/v1/search?' + params + '&size=' + size, base), {
          signal: ctl.signal, headers: { Accept: 'application/json' },
        });
        const body = await resp.json().catch(() => null);
        if (ctl.signal.aborted) return;
        if (!resp.ok) {
          const msg = body && body.error && body.error.message;
          show([], resp.status === 400 && msg ? 'Please check the search: ' + msg : 'The search is not available now.');
          return;
        }
        render(body, params, theme);
      } catch (e) {
        if (e.name !== 'AbortError') show([], 'The search service could not be reached.');
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
        let href = safeURL(h.url);
        if (href && h.page > 1) href += '#page=' + h.page;
        const meta = [types.get(h.type) || h.type, h.date && formatDate(h.date)].filter(Boolean).join(' · ');
        let versions = null;
        for (const t of h.translations || []) {
          if (!safeURL(t.url)) continue;
          if (!versions) versions = el('div', { class: 'meta' }, 'Also in ');
          else versions.append(', ');
          versions.append(el('a', { href: safeURL(t.url), hreflang: t.lang, lang: t.lang, text: langName(t.lang) }));
        }
        return el('li', {},
          el('a', { class: 'title', href: href, text: h.title || h.url }),
          meta ? el('div', { class: 'meta', text: meta }) : null,
          h.snippets && h.snippets.length ? el('p', { class: 'snippet' }, snippet(h.snippets[0])) : null,
          versions);
      });
      let text = res.total === 0 ? 'No results.' : res.total === 1 ? '1 result.' : res.total.toLocaleString('en') + ' results.';
      if (theme) text += ' In the theme \u201c' + theme.label + '\u201d.';
      if (res.notice) text += ' ' + res.notice;
      if (res.did_you_mean) text += ' Did you mean “' + res.did_you_mean + '”?';
      show(items, text);
      if (res.total > items.length) {
        all.href = new URL('?' + params, base).href;
        all.textContent = 'All ' + res.total.toLocaleString('en') + ' results';
        all.hidden = false;
      }
    }

    let suggestTimer = 0;
    let suggestCtl = null;
    // Theme completions, by their text. A box whose preset themes lack one
    // does not offer it as a filter: several themes widen a search.
    let themesOffered = new Map();
    const presetThemes = filters.getAll('theme');
    async function suggest() {
      const typed = input.value;
      if (suggestCtl) suggestCtl.abort();
      if (typed.trim().length < 2) {
        list.replaceChildren();
        themesOffered = new Map();
        return;
      }
      const ctl = new AbortController();
      suggestCtl = ctl;
      try {
        const resp = await fetch(new URL('api/v1/suggest?' + new URLSearchParams({ q: typed, size: '8' }), base), {
          signal: ctl.signal, headers: { Accept: 'application/json' },
        });
        if (!resp.ok) return;
        const body = await resp.json();
        if (ctl.signal.aborted || input.value !== typed) return;
        themesOffered = new Map((body.suggestions || [])
          .filter((x) => x.kind === 'theme' && x.theme && (!presetThemes.length || presetThemes.includes(x.theme)))
          .map((x) => [x.text, { id: x.theme, label: x.text }]));
        list.replaceChildren(...(body.suggestions || []).map((x) => el('option', { value: x.text })));
      } catch (e) {
        // Suggestions are a convenience: a failure leaves the list as it was.
      } finally {
        if (suggestCtl === ctl) suggestCtl = null;
      }
    }

    // The theme picked last among the completions, while its name is in
    // the input: submitting it searches the theme again.
    let picked = null;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = input.value.trim();
      if (picked && input.value === picked.label) search('', picked);
      else if (q) search(q);
      else show([], '');
    });
    // Picking a theme completion (an input event replacing the text, or a
    // plain Event in some browsers) searches that theme's documents rather
    // than its name as words.
    input.addEventListener('input', (ev) => {
      clearTimeout(suggestTimer);
      const theme = themesOffered.get(input.value);
      if (theme && (!(ev instanceof InputEvent) || ev.inputType === 'insertReplacementText')) {
        picked = theme;
        list.replaceChildren();
        themesOffered = new Map();
        search('', theme);
        return;
      }
      picked = null;
      suggestTimer = setTimeout(suggest, SUGGEST_DELAY);
    });
  }

  function mountAll() {
    for (const host of document.querySelectorAll('[data-kbsearch]')) mount(host);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
  else mountAll();
})();
