// The picture of a search: its documents per year stacked by theme, an
// inline SVG drawn from the API's year_theme counts (facets=year_theme),
// with a legend whose themes filter, and the same counts as a table; and
// the small year histogram of the date filter, whose years set from and to.

const SVG = 'http://www.w3.org/2000/svg';
// Colours of the most frequent themes, then "other themes" and "no theme".
const PALETTE = ['#1d4f91', '#b35806', '#2d7d46', '#8e3b8e', '#b3261e', '#00707a', '#7a6300'];
const OTHER_COLOUR = '#6e7781';
const NONE_COLOUR = '#c4ccd4';

function svg(tag, attrs, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') n.textContent = v;
    else if (v !== null && v !== undefined) n.setAttribute(k, String(v));
  }
  for (const c of children) if (c) n.append(c);
  return n;
}

// chartSeries orders the themes of data by their documents in all, keeps
// the first PALETTE.length and returns, per year, the stack of segments:
// [{key, label, colour, theme (id or ''), n}] bottom up.
function chartSeries(data, opts) {
  const totals = new Map();
  for (const y of data) for (const th of y.themes) totals.set(th.value, (totals.get(th.value) || 0) + th.count);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map((e) => e[0]);
  const top = ranked.slice(0, PALETTE.length);
  const keys = top.map((id, i) => ({ key: id, theme: id, label: opts.themeLabel(id), colour: PALETTE[i] }));
  if (ranked.length > top.length) keys.push({ key: ':other', theme: '', label: opts.t('otherThemes'), colour: OTHER_COLOUR });
  if (data.some((y) => y.no_theme)) keys.push({ key: ':none', theme: '', label: opts.t('noTheme'), colour: NONE_COLOUR });
  const years = data.map((y) => {
    const by = new Map(y.themes.map((th) => [th.value, th.count]));
    let other = 0;
    for (const [id, n] of by) if (!top.includes(id)) other += n;
    const segs = keys.map((k) => Object.assign({}, k, {
      n: k.key === ':other' ? other : k.key === ':none' ? y.no_theme : by.get(k.key) || 0,
    }));
    return { year: y.year, count: y.count, segs };
  });
  return { keys, years };
}

// drawChart fills figure with the chart of data, or hides it when there is
// nothing to draw. opts: t, themeLabel(id), themes and years (the chosen
// values, drawn strong), onTheme(id), onYear(year).
function drawChart(figure, data, opts) {
  const t = opts.t;
  if (!data || !data.length) {
    figure.hidden = true;
    figure.replaceChildren();
    return;
  }
  const { keys, years } = chartSeries(data, opts);
  // As wide as the space it has (its text keeps its size on a phone).
  figure.hidden = false;
  const W = Math.min(Math.max(figure.clientWidth || 640, 280), 960);
  const H = W < 480 ? 170 : 190, left = 34, right = 6, top = 18, bottom = 22;
  const max = Math.max(1, ...years.map((y) => y.segs.reduce((s, g) => s + g.n, 0)));
  const step = max <= 5 ? 1 : Math.ceil(max / 4 / 5) * 5;
  const scale = (H - top - bottom) / (Math.ceil(max / step) * step);
  const band = (W - left - right) / years.length;
  const barW = Math.min(56, band * 0.7);
  const chosenTheme = (id) => !opts.themes.length || opts.themes.includes(id);
  const chosenYear = (y) => !opts.years.length || opts.years.includes(y);

  const total = data.reduce((s, y) => s + y.count, 0);
  const busiest = data.reduce((a, b) => (b.count > a.count ? b : a));
  const summary = t('chartCaption') + '. ' + t('chartSummary', {
    n: total, first: data[0].year, last: data[data.length - 1].year, top: busiest.year, k: busiest.count,
  });
  const chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': summary, class: 'chart-svg' });
  for (let v = 0; v <= max; v += step) {
    const y = H - bottom - v * scale;
    chart.append(svg('line', { x1: left, x2: W - right, y1: y, y2: y, class: 'grid' }),
      svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick', text: String(v) }));
  }
  years.forEach((yr, i) => {
    const x = left + i * band + (band - barW) / 2;
    let y = H - bottom;
    const g = svg('g', { class: 'bar' + (chosenYear(yr.year) ? '' : ' faded'), 'data-year': yr.year });
    for (const s of yr.segs) {
      if (!s.n) continue;
      const h = s.n * scale;
      y -= h;
      const rect = svg('rect', {
        x: x.toFixed(1), y: y.toFixed(1), width: barW.toFixed(1), height: h.toFixed(1), fill: s.colour,
        class: 'seg' + (s.theme ? ' pick' : '') + (s.theme && !chosenTheme(s.theme) ? ' faded' : ''),
        'data-theme': s.theme || null,
      }, svg('title', { text: t('segment', { year: yr.year, theme: s.label, n: s.n }) }));
      if (s.theme) rect.addEventListener('click', () => opts.onTheme(s.theme));
      g.append(rect);
    }
    g.append(svg('text', { x: (x + barW / 2).toFixed(1), y: (y - 4).toFixed(1), 'text-anchor': 'middle', class: 'total', text: String(yr.count) }));
    const label = svg('text', {
      x: (x + barW / 2).toFixed(1), y: H - 6, 'text-anchor': 'middle', class: 'year pick' + (opts.years.includes(yr.year) ? ' on' : ''),
      'data-year': yr.year, text: yr.year,
    });
    label.addEventListener('click', () => opts.onYear(yr.year));
    g.append(label);
    chart.append(g);
  });

  // The legend: each theme a toggle button, as its facet checkbox.
  const legend = el('ul', { class: 'legend' });
  for (const k of keys) {
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = k.colour;
    if (k.theme) {
      const b = el('button', { type: 'button', 'aria-pressed': String(opts.themes.includes(k.theme)), 'data-key': 'legend=' + k.theme }, sw, k.label);
      b.addEventListener('click', () => opts.onTheme(k.theme));
      legend.append(el('li', null, b));
    } else {
      legend.append(el('li', { class: 'plain' }, sw, k.label));
    }
  }

  // The same counts as a table, for a screen reader or a closer look.
  const head = el('tr', null, el('th', { scope: 'col', text: t('facetYear') }), el('th', { scope: 'col', text: t('docsShort') }),
    ...keys.map((k) => el('th', { scope: 'col', text: k.label })));
  const rows = years.map((yr) => el('tr', null, el('th', { scope: 'row', text: yr.year }), el('td', { text: String(yr.count) }),
    ...yr.segs.map((s) => el('td', { text: String(s.n) }))));
  const table = el('details', { class: 'chart-table' }, el('summary', { text: t('chartTable') }),
    el('div', { class: 'scroll' }, el('table', null, el('thead', null, head), el('tbody', null, ...rows))));
  const wasOpen = figure.querySelector('details.chart-table[open]') !== null;
  table.open = wasOpen;

  figure.replaceChildren(
    el('figcaption', null, el('strong', { text: t('chartCaption') }), ' ', el('span', { class: 'hint', text: t('chartNote') })),
    chart, legend, table);
  figure.hidden = false;
}

// drawYears fills box with one button per year of data, its bar as high as
// its documents: a click chooses that year, Shift+click (or Shift+Enter)
// or a drag from one year to another a range, a click on the only chosen
// year clears it. opts: t, from and to (the chosen years, or ''),
// onRange(first, last) (both '' to clear).
function drawYears(box, data, opts) {
  const t = opts.t;
  if (!data || data.length < 2) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  const max = Math.max(...data.map((y) => y.count));
  const lo = opts.from || '0000', hi = opts.to || '9999';
  const some = Boolean(opts.from || opts.to);
  const anchor = opts.from || opts.to || '';
  let dragFrom = '';
  const range = (a, b) => (a <= b ? opts.onRange(a, b) : opts.onRange(b, a));
  const choose = (year, extend) => {
    if (extend && anchor) range(anchor, year);
    else if (opts.from === year && opts.to === year) opts.onRange('', '');
    else opts.onRange(year, year);
  };
  const buttons = data.map((y) => {
    const on = some && y.year >= lo && y.year <= hi;
    const bar = el('span', { class: 'ybar' });
    bar.style.height = Math.max(4, Math.round((y.count / max) * 100)) + '%';
    // Its name is the year and its count, its visible label the year
    // cut short ('17).
    const b = el('button', {
      type: 'button', class: 'year-btn', 'aria-pressed': String(on), 'data-key': 'years=' + y.year,
      title: t('yearBar', { year: y.year, n: y.count }),
    }, bar, el('span', { class: 'ylabel', 'aria-hidden': 'true', text: "'" + y.year.slice(2) }),
    el('span', { class: 'visually-hidden', text: t('yearBar', { year: y.year, n: y.count }) }));
    b.addEventListener('click', (ev) => choose(y.year, ev.shiftKey));
    b.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && ev.shiftKey) { ev.preventDefault(); choose(y.year, true); }
    });
    b.addEventListener('pointerdown', () => { dragFrom = y.year; });
    b.addEventListener('pointerup', (ev) => {
      if (dragFrom && dragFrom !== y.year) { ev.preventDefault(); range(dragFrom, y.year); }
      dragFrom = '';
    });
    return b;
  });
  box.replaceChildren(el('div', { role: 'group', 'aria-label': t('yearsLabel'), class: 'year-bars' }, ...buttons));
  box.hidden = false;
  box.onpointerleave = () => { dragFrom = ''; };
}
