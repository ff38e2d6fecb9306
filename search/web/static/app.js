// The research search page. Plain JavaScript, no dependencies.
//
// The page state lives in the page URL (the same parameters as the API),
// so a search can be bookmarked and back/forward replay it. Everything
// that comes from the API is written with textContent, except snippets,
// which the API sends as escaped HTML with <mark> around matches: they
// are parsed in an inert <template> and only their text and <mark>
// elements are kept.
'use strict';

(function () {
  const FACETS = [
    { name: 'theme', title: 'Theme' },
    { name: 'type', title: 'Document type' },
    { name: 'year', title: 'Year' },
    { name: 'place', title: 'Place' },
    { name: 'kind', title: 'Meeting kind' },
    { name: 'lang', title: 'Language' },
  ];
  const SORTS = ['relevance', 'newest', 'oldest'];
  const MAX_PAGE = 1000;      // search.MaxPage
  const SHORT_FACET = 8;      // values shown before "show all"
  const NARROW = '(max-width: 47.99rem)';

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
  const suggestList = $('q-suggest');
  const noticeBox = $('notice');
  const dymBox = $('didyoumean');
  const dymLink = $('didyoumean-link');
  const clearButton = $('clear');
  const filtersBox = $('filters');
  const filtersCount = $('filters-count');
  const showButton = $('show-results');
  const SUGGEST_DELAY = 120;  // ms after the last keystroke

  let state = readURL();
  let inFlight = null;          // AbortController of the running search
  const expanded = new Set();   // facets showing all their values
  let themes = new Map();       // theme id -> {label, description}
  const themesReady = loadThemes();

  // ---- state <-> URL ------------------------------------------------

  // sort is '' for the default order: relevance for a query, newest first
  // for browsing with no query (the order of relevance is then meaningless).
  function emptyState() {
    const s = { q: '', from: '', to: '', sort: '', page: 1, size: '' };
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
          const t = v.trim();
          if (t && !seen.has(t)) { seen.add(t); s[f.name].push(t); }
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

  // ---- fetching -----------------------------------------------------

  async function loadThemes() {
    try {
      const resp = await fetch('api/v1/themes', { headers: { Accept: 'application/json' } });
      if (!resp.ok) return;
      const body = await resp.json();
      themes = new Map((body.themes || []).map((t) => [t.id, t]));
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
  function dropFilter(name, values, why) {
    const f = FACETS.find((x) => x.name === name);
    if (!values) values = f ? state[name] : [state[name]];
    if (f) state[name] = state[name].filter((v) => !values.includes(v));
    else state[name] = '';
    const title = f ? f.title.toLowerCase() : name === 'from' ? 'start date' : 'end date';
    ignored += (ignored ? ' ' : '') + 'The ' + title + ' \u201c' + values.join(', ') +
      '\u201d in this link ' + why + ', so that filter was ignored.';
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
        const unknown = state.theme.filter((t) => !themes.has(t));
        if (themes.size && unknown.length) {
          dropFilter('theme', unknown, unknown.length > 1
            ? 'are not themes of the knowledge base' : 'is not a theme of the knowledge base');
          fillForm();
        }
      }
      let resp, body;
      // One more try when a filter is what the API refused.
      for (let attempt = 0; ; attempt++) {
        resp = await fetch('api/v1/search?' + toParams(state, true).toString(), {
          signal: ctl.signal,
          headers: { Accept: 'application/json' },
        });
        body = null;
        try { body = await resp.json(); } catch (e) { body = null; }
        const msg = body && body.error && body.error.message;
        const bad = resp.status === 400 && attempt < 2 ? filterOfError(msg) : '';
        if (!bad || !state[bad].length) break;
        dropFilter(bad, null, 'is not one the search knows');
        fillForm();
      }
      await themesReady;
      if (ctl.signal.aborted) return;
      if (!resp.ok) {
        const msg = body && body.error && body.error.message
          ? body.error.message
          : 'The search failed (HTTP ' + resp.status + ').';
        showError(resp.status === 400 ? 'Please check the search: ' + msg : msg);
        return;
      }
      hideError();
      render(body);
    } catch (e) {
      if (e.name === 'AbortError') return;
      showError('The search service could not be reached. Please try again.');
    } finally {
      if (inFlight === ctl) {
        inFlight = null;
        results.removeAttribute('aria-busy');
      }
    }
  }

  // ---- rendering ----------------------------------------------------

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

  function fillForm() {
    qInput.value = state.q;
    fromInput.value = state.from;
    toInput.value = state.to;
    sortSelect.value = sortOf(state);
    clearButton.hidden = !hasFilter(state);
    document.title = state.q ? state.q + ' - knowledge base search' : 'Search the knowledge base';
  }

  function showError(msg) {
    errorBox.textContent = msg;
    errorBox.hidden = false;
    noticeBox.hidden = true;
    dymBox.hidden = true;
    $('export').hidden = true;
    statusBox.textContent = '';
    showButton.textContent = 'Show results';
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
  // them its English name, else the value itself.
  function labelOf(name, value) {
    if (name === 'theme' && themes.has(value)) return themes.get(value).label || value;
    const m = facetLabels.get(name);
    if (m && m.get(value)) return m.get(value);
    if (name === 'lang') return languageName(value);
    return value;
  }

  function languageName(code) {
    try {
      const n = new Intl.DisplayNames(['en'], { type: 'language' }).of(code);
      if (n && n !== code) return n;
    } catch (e) { /* not a language code */ }
    return code;
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
    renderHits(res);
    renderFacets(res);
    renderPager(res);
  }

  // The notice says how the query was read when it was not syntax (plain
  // words, for parentheses that do not pair up).
  // It also says which filters of the page's link were ignored.
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

  // The CSV link downloads every hit of the current search (up to 1,000):
  // the same parameters, without the page.
  function renderExport(res) {
    const exp = $('export');
    const p = toParams(state, true);
    p.delete('page');
    p.delete('size');
    exp.setAttribute('href', 'api/v1/export?' + p.toString());
    exp.hidden = res.total === 0;
  }

  // The filter sheet of a phone closes with a button counting the results.
  function renderShowButton(res) {
    const n = Number(res.total).toLocaleString('en');
    showButton.textContent = res.total === 1 ? 'Show 1 result' : 'Show ' + n + ' results';
    const inUse = FACETS.reduce((k, f) => k + state[f.name].length, 0) + (state.from ? 1 : 0) + (state.to ? 1 : 0);
    filtersCount.textContent = inUse ? ' (' + inUse + ' in use)' : '';
  }

  function renderStatus(res) {
    const n = Number(res.total).toLocaleString('en');
    const took = res.took_ms < 10 ? res.took_ms.toFixed(1) : Math.round(res.took_ms);
    const what = res.total === 1 ? ' result' : ' results';
    statusBox.textContent = n + what + ' in ' + took + ' ms';
  }

  function safeURL(u) {
    try {
      const url = new URL(u, location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  const dateFormat = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
  });

  function formatDate(d) {
    const t = Date.parse(d + 'T00:00:00Z');
    return Number.isNaN(t) ? d : dateFormat.format(t);
  }

  // snippet keeps the text and <mark> elements of the API's HTML snippet.
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
      if (link !== href) meta.append(el('span', { class: 'hit-page', text: 'page ' + h.page }));

      const li = el('li', { class: 'hit' }, heading, meta);
      if (h.themes && h.themes.length) {
        const ul = el('ul', { class: 'hit-themes', 'aria-label': 'Themes' });
        for (const t of h.themes) ul.append(el('li', { text: labelOf('theme', t) }));
        li.append(ul);
      }
      for (const s of h.snippets || []) {
        const p = el('p', { class: 'snippet' });
        p.append(snippet(s));
        li.append(p);
      }
      const versions = (h.translations || []).filter((t) => safeURL(t.url));
      if (versions.length) {
        const p = el('p', { class: 'hit-translations' }, 'Also in ');
        versions.forEach((t, i) => {
          if (i) p.append(', ');
          p.append(el('a', { href: safeURL(t.url), hreflang: t.lang, text: labelOf('lang', t.lang) }));
        });
        li.append(p);
      }
      return li;
    });
    hitsList.replaceChildren(...items);
    hitsList.start = (res.page - 1) * res.size + 1;
    if (!items.length) {
      hitsList.replaceChildren(el('li', { class: 'none', text: 'No documents match. Try fewer words or filters.' }));
    }
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
          el('span', { class: 'count', text: String(x.count) }));
        ul.append(el('li', null, box, label));
      });
      fs.append(ul);
      if (values.length > SHORT_FACET) {
        const more = el('button', {
          type: 'button', class: 'link', 'aria-expanded': String(all), 'data-key': f.name + ':more',
          text: all ? 'Show fewer' : 'Show all ' + values.length,
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
        'aria-label': opts.aria || 'Page ' + page,
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
    add('\u2039 Previous', cur - 1, { aria: 'Previous page' });
    const pages = new Set([1, last]);
    for (let p = cur - 2; p <= cur + 2; p++) if (p >= 1 && p <= last) pages.add(p);
    let prev = 0;
    for (const p of [...pages].sort((a, b) => a - b)) {
      if (p > prev + 1) add('', null);
      add(String(p), p);
      prev = p;
    }
    add('Next \u203a', cur + 1, { aria: 'Next page' });
    pager.replaceChildren(ul);
  }

  // ---- suggestions ----------------------------------------------------

  // As the user types, the datalist of the query box offers completions
  // from api/v1/suggest (themes, then words of the documents). The browser
  // shows and navigates the list; choosing one fills the box.
  let suggestTimer = 0;
  let suggestCtl = null;
  let suggestedThemes = new Map(); // completion text -> theme id
  async function suggest() {
    const typed = qInput.value;
    if (suggestCtl) suggestCtl.abort();
    if (typed.trim().length < 2) {
      suggestList.replaceChildren();
      suggestedThemes = new Map();
      return;
    }
    const ctl = new AbortController();
    suggestCtl = ctl;
    try {
      const resp = await fetch('api/v1/suggest?' + new URLSearchParams({ q: typed, size: '8' }).toString(), {
        signal: ctl.signal,
        headers: { Accept: 'application/json' },
      });
      if (!resp.ok) return;
      const body = await resp.json();
      if (ctl.signal.aborted || qInput.value !== typed) return;
      suggestedThemes = new Map((body.suggestions || [])
        .filter((x) => x.kind === 'theme' && x.theme).map((x) => [x.text, x.theme]));
      suggestList.replaceChildren(...(body.suggestions || []).map((x) =>
        el('option', { value: x.text, label: x.kind === 'theme' ? 'theme' : null })));
    } catch (e) {
      // Suggestions are a convenience: a failure leaves the list as it was.
    } finally {
      if (suggestCtl === ctl) suggestCtl = null;
    }
  }

  // ---- events -------------------------------------------------------

  // Picking a theme among the completions applies the theme as a filter:
  // a theme is offered only when all the typed text starts its name, so the
  // text was there to find the theme and is cleared. A pick is an input
  // event that replaces the text (or, in some browsers, a plain Event).
  qInput.addEventListener('input', (ev) => {
    clearTimeout(suggestTimer);
    const theme = suggestedThemes.get(qInput.value);
    const picked = !(ev instanceof InputEvent) || ev.inputType === 'insertReplacementText';
    if (theme && picked) {
      suggestList.replaceChildren();
      suggestedThemes = new Map();
      qInput.value = '';
      changed((s) => {
        if (!s.theme.includes(theme)) s.theme.push(theme);
      });
      return;
    }
    suggestTimer = setTimeout(suggest, SUGGEST_DELAY);
  });
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
      Object.assign(s, emptyState(), { q: s.q, sort: s.sort });
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
})();
