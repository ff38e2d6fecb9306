// The completion list of a search input: the WAI-ARIA 1.2 combobox
// pattern with a listbox popup in two groups (themes, words), used by the
// page and the box alike.
//
// The focus stays in the input; the active option is its
// aria-activedescendant. Down and Up move through the options (opening the
// list), Enter picks the active one (or, with none, submits the form as
// usual), Escape closes the list and, closed, empties the input; Tab and a
// click elsewhere close it. A polite live region says how many
// suggestions came. Suggestions are asked for opts.delay ms after the last
// keystroke, and a request still running when the text changes is aborted.
//
// combobox(input, opts) wraps input (already in its wrapper element, whose
// position is relative) with:
//   opts.t         the translator (i18n.js)
//   opts.source    async (text, signal) => [{text, kind, theme, count}]
//   opts.onPick    (suggestion) => void, after the input shows its text
//   opts.delay     ms (default 120)
// and returns {close}.
function combobox(input, opts) {
  const t = opts.t;
  const delay = opts.delay === undefined ? 120 : opts.delay;
  const id = input.id;
  const list = el('div', { id: id + '-list', class: 'cb-list', role: 'listbox', 'aria-label': t('suggestions'), hidden: true });
  const live = el('div', { class: 'visually-hidden', 'aria-live': 'polite' });
  input.after(list, live);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  let items = [];     // the suggestions shown, in the order of their options
  let options = [];   // their option elements
  let active = -1;
  let timer = 0;
  let ctl = null;

  function open() {
    if (!items.length) return;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    setActive(-1);
  }

  function setActive(i) {
    if (active >= 0 && options[active]) options[active].setAttribute('aria-selected', 'false');
    active = i;
    if (i < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    const o = options[i];
    o.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', o.id);
    o.scrollIntoView({ block: 'nearest' });
  }

  function pick(i) {
    const s = items[i];
    input.value = s.text;
    close();
    items = [];
    options = [];
    list.replaceChildren();
    opts.onPick(s);
  }

  // show draws the suggestions of typed, themes first.
  function show(suggestions, typed) {
    const re = wordsRegExp(typed, true);
    const groups = [
      { key: 'themes', title: t('themesGroup'), list: suggestions.filter((s) => s.kind === 'theme' && s.theme) },
      { key: 'words', title: t('wordsGroup'), list: suggestions.filter((s) => s.kind !== 'theme') },
    ];
    items = [];
    options = [];
    active = -1;
    input.removeAttribute('aria-activedescendant');
    const nodes = [];
    for (const g of groups) {
      if (!g.list.length) continue;
      const head = id + '-' + g.key;
      const group = el('div', { role: 'group', 'aria-labelledby': head },
        el('div', { role: 'presentation', id: head, class: 'cb-head', text: g.title }));
      for (const s of g.list) {
        const i = items.length;
        const o = el('div', { role: 'option', id: id + '-opt-' + i, class: 'cb-opt', 'aria-selected': 'false' },
          marked(s.text, re));
        if (s.kind === 'theme') o.append(el('span', { class: 'cb-meta', text: t('themeOption', { n: s.count || 0 }) }));
        o.addEventListener('click', () => pick(i));
        items.push(s);
        options.push(o);
        group.append(o);
      }
      nodes.push(group);
    }
    list.replaceChildren(...nodes);
    if (items.length && input.getRootNode().activeElement === input) {
      open();
    } else {
      close();
    }
    live.textContent = items.length ? t('suggestionCount', { n: items.length }) : '';
  }

  async function fetchFor(typed) {
    if (ctl) ctl.abort();
    if (typed.trim().length < 2) {
      show([], typed);
      return;
    }
    const mine = new AbortController();
    ctl = mine;
    try {
      const got = await opts.source(typed, mine.signal);
      if (mine.signal.aborted || input.value !== typed) return;
      show(got || [], typed);
    } catch (e) {
      // Suggestions are a convenience: a failure leaves the list as it was.
    } finally {
      if (ctl === mine) ctl = null;
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const typed = input.value;
    timer = setTimeout(() => fetchFor(typed), delay);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.isComposing) return;
    const n = items.length;
    switch (ev.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        if (!n) return;
        ev.preventDefault();
        if (list.hidden) { open(); setActive(ev.key === 'ArrowDown' ? 0 : n - 1); return; }
        setActive(ev.key === 'ArrowDown' ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
        return;
      case 'Enter':
        if (!list.hidden && active >= 0) {
          ev.preventDefault();
          pick(active);
        } else {
          close();
        }
        return;
      case 'Escape':
        if (!list.hidden) {
          ev.preventDefault();
          close();
        } else if (input.value) {
          ev.preventDefault();
          input.value = '';
          show([], '');
        }
        return;
      case 'Tab':
        close();
        return;
      default:
    }
  });
  // A click on an option must not take the focus from the input.
  list.addEventListener('mousedown', (ev) => ev.preventDefault());
  input.addEventListener('blur', close);
  input.addEventListener('focus', () => { if (items.length && input.value.trim().length >= 2) open(); });
  return { close };
}
