package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kbsearch/kbsearch/search"
)

// The tests of this file drive the research page and the search box
// through the defects of issue 12, each as a reader meets it.

// pageSession is the research page open in headless Chromium over the
// indexed demo portal.
type pageSession struct {
	t    *testing.T
	ctx  context.Context
	api  *httptest.Server
	eval func(js string) any
}

// openPage starts a browser and the demo pipeline. A width > 0 emulates a
// phone of that width.
func openPage(t *testing.T, width int64) *pageSession {
	t.Helper()
	ctx := browserContext(t)
	_, _, api, _ := demoPipeline(t)
	if width > 0 {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 740, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
	}
	return &pageSession{t: t, ctx: ctx, api: api, eval: evaluator(ctx, t)}
}

// wait polls the JavaScript condition js until it holds.
func (p *pageSession) wait(what, js string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		p.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// settled is true when the page has shown the answer to its last search:
// no search running, and a status line or an error.
const settled = `(!document.querySelector('#results').hasAttribute('aria-busy') &&
	(document.querySelector('#status').textContent !== '' || !document.querySelector('#error').hidden))`

// open navigates to the page at path and waits for its first answer.
func (p *pageSession) open(path string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(p.api.URL+path)); err != nil {
		p.t.Fatal(err)
	}
	p.wait("the page's first answer", settled)
}

// do runs chromedp actions, failing the test on an error.
func (p *pageSession) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// query is the query string of the page's URL.
func (p *pageSession) query() url.Values {
	p.t.Helper()
	loc, _ := p.eval(`location.search`).(string)
	v, err := url.ParseQuery(strings.TrimPrefix(loc, "?"))
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

// total asks the API for the number of documents of the search params.
func (p *pageSession) total(params string) uint64 {
	p.t.Helper()
	var res search.Result
	getJSON(p.t, p.api.URL+"/api/v1/search?"+params, 200, &res)
	return res.Total
}

// shownTotal is the count of the page's status line.
func (p *pageSession) shownTotal() string {
	s, _ := p.eval(`document.querySelector('#status').textContent`).(string)
	n, _, _ := strings.Cut(s, " ")
	return strings.ReplaceAll(n, ",", "")
}

// TestPageKeepsTypedQuery: text typed in the box, without Enter, is what is
// searched when a facet is ticked or the sort changed (issue 12, defect 1).
func TestPageKeepsTypedQuery(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?q=coding")

	p.eval(`document.querySelector('#q').value = ''`)
	p.do(chromedp.SendKeys(chromedp.CSS(`#q`), "learning analytics"),
		chromedp.Click(chromedp.CSS(`#facets input[name="year"][value="2017"]`)))
	p.wait("the search with the year", `location.search.includes('year=2017') && `+settled)
	if got := p.query().Get("q"); got != "learning analytics" {
		t.Errorf("after ticking a year the URL has q=%q, want the typed learning analytics", got)
	}
	if got := p.eval(`document.querySelector('#q').value`); got != "learning analytics" {
		t.Errorf("after ticking a year the box holds %q", got)
	}
	if got, want := p.shownTotal(), fmt.Sprint(p.total("q=learning+analytics&year=2017")); got != want {
		t.Errorf("status counts %s, want %s (the typed query with the year)", got, want)
	}

	// The same with the sort order.
	p.eval(`document.querySelector('#q').value = ''`)
	p.do(chromedp.SendKeys(chromedp.CSS(`#q`), "teacher training"))
	p.eval(`(() => { const s = document.querySelector('#sort'); s.value = 'newest';
		s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()`)
	p.wait("the sorted search", `location.search.includes('sort=newest') && `+settled)
	if got := p.query().Get("q"); got != "teacher training" {
		t.Errorf("after changing the sort the URL has q=%q, want the typed teacher training", got)
	}
}

// TestPageKeepsFocus: ticking a facet with the keyboard, and "Show all",
// leave the focus on the same control after the list is drawn again
// (issue 12, defect 2; WCAG 2.4.3).
func TestPageKeepsFocus(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?q=school")

	const box = `#facets input[name="theme"][value="coding"]`
	p.eval(`document.querySelector('` + box + `').focus()`)
	p.do(chromedp.KeyEvent(" "))
	p.wait("the search with the theme", `location.search.includes('theme=coding') && `+settled)
	if ok := p.eval(`document.activeElement.matches('` + box + `:checked')`); ok != true {
		t.Errorf("after ticking a theme with the keyboard the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}
	p.do(chromedp.KeyEvent(" "))
	p.wait("the search without the theme", `!location.search.includes('theme=coding') && `+settled)
	if ok := p.eval(`document.activeElement.matches('` + box + `:not(:checked)')`); ok != true {
		t.Errorf("after unticking the theme the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}

	// "Show all" draws the list again, and its button becomes "Show fewer".
	more := `Array.from(document.querySelectorAll('#facets fieldset')).find(f => f.querySelector('input[name="theme"]')).querySelector('button')`
	if more := p.eval(more + `.textContent`); !strings.HasPrefix(more.(string), "Show all") {
		t.Fatalf("the theme facet's button says %q", more)
	}
	p.eval(more + `.focus()`)
	p.do(chromedp.KeyEvent("\r"))
	p.wait("the long list", more+`.textContent === 'Show fewer'`)
	if ok := p.eval(`document.activeElement === ` + more); ok != true {
		t.Errorf("after Show all the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}
}

// TestPageThemeCompletion: choosing a theme among the completions applies
// the theme filter rather than searching its name as words (issue 12,
// defect 3).
func TestPageThemeCompletion(t *testing.T) {
	p := openPage(t, 0)
	p.open("/")

	const label = "Learning analytics and data in education"
	p.do(chromedp.SendKeys(chromedp.CSS(`#q`), "learning an"))
	option := fmt.Sprintf(`Array.from(document.querySelectorAll('#q-list [role=option]')).find(o => o.textContent.startsWith(%q))`, label)
	p.wait("the theme completion", option)
	p.eval(option + `.click()`)
	p.wait("the theme filter", `location.search.includes('theme=learning-analytics') && `+settled)

	if got := p.query().Get("q"); got != "" {
		t.Errorf("after picking the theme the URL has q=%q, want none", got)
	}
	if got, want := p.shownTotal(), fmt.Sprint(p.total("theme=learning-analytics")); got != want {
		t.Errorf("status counts %s, want %s (the theme's documents)", got, want)
	}
	if ok := p.eval(`document.querySelector('#facets input[name="theme"][value="learning-analytics"]').checked`); ok != true {
		t.Errorf("the theme's checkbox is not ticked")
	}
}

// TestPagePhoneFilters: on a phone, the filter panel is a sheet whose
// "Show N results" button counts the ticked filters' results, closes it and
// brings the reader to them (issue 12, defect 4).
func TestPagePhoneFilters(t *testing.T) {
	p := openPage(t, 375)
	p.open("/?q=coding")

	if open := p.eval(`document.querySelector('#filters').open`); open != false {
		t.Errorf("on a phone the filters start open")
	}
	p.do(chromedp.Click(chromedp.CSS(`#filters > summary`)))
	p.wait("the open filters", `document.querySelector('#filters').open`)
	p.do(chromedp.Click(chromedp.CSS(`#facets input[name="year"][value="2017"]`)))
	p.wait("the search with the year", `location.search.includes('year=2017') && `+settled)

	want := p.total("q=coding&year=2017")
	show := `Array.from(document.querySelectorAll('#filters button')).find(b => /^Show \d+ results?$/.test(b.textContent.trim()))`
	text, _ := p.eval(`(` + show + ` || {}).textContent || ''`).(string)
	wantText := fmt.Sprintf("Show %d results", want)
	if want == 1 {
		wantText = "Show 1 result"
	}
	if strings.TrimSpace(text) != wantText {
		t.Fatalf("the filter panel's button says %q, want %q", text, wantText)
	}
	// inView: the element's top is on the screen, and with whole its bottom.
	inView := func(sel string, whole bool) bool {
		r := p.eval(fmt.Sprintf(`(() => { const r = %s.getBoundingClientRect();
			return r.height > 0 && r.top >= 0 && r.top < innerHeight && (!%t || r.bottom <= innerHeight + 1); })()`, sel, whole))
		return r == true
	}
	if !inView(show, true) {
		t.Errorf("the Show results button is not on the screen: %v", p.eval(`JSON.stringify(`+show+`.getBoundingClientRect())`))
	}

	p.eval(show + `.click()`)
	p.wait("the closed filters", `!document.querySelector('#filters').open`)
	if ok := p.eval(`document.activeElement === document.querySelector('#results')`); ok != true {
		t.Errorf("after Show results the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}
	if !inView(`document.querySelector('#hits li.hit')`, false) {
		t.Errorf("after Show results the first result is not on the screen")
	}
}

// TestPageLabels: the page shows the API's labels, not codes: a type in the
// spelling of the type facet, and a language version by its name (issue
// 12, defect 6).
func TestPageLabels(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?q=key+messages")

	var res search.Result
	getJSON(t, p.api.URL+"/api/v1/search?q=key+messages", 200, &res)
	labels := map[string]string{}
	for _, f := range res.Facets["type"] {
		labels[f.Value] = f.Label
	}
	shown, _ := p.eval(`Array.from(document.querySelectorAll('#hits li.hit')).map(li => (li.querySelector('.hit-type') || {}).innerText || '')`).([]any)
	if len(shown) != len(res.Hits) {
		t.Fatalf("%d results shown, the API has %d", len(shown), len(res.Hits))
	}
	for i, h := range res.Hits {
		if want := labels[h.Type]; shown[i] != want {
			t.Errorf("result %d: type shown as %q, want the facet's %q", i+1, shown[i], want)
		}
	}
	names, _ := p.eval(`Array.from(document.querySelectorAll('#hits .hit-translations a')).map(a => a.hreflang + '=' + a.textContent)`).([]any)
	if len(names) == 0 {
		t.Fatal("no language versions shown")
	}
	want := map[string]string{"de": "German", "fr": "French", "en": "English"}
	for _, n := range names {
		code, name, _ := strings.Cut(n.(string), "=")
		if name != want[code] {
			t.Errorf("version in %s shown as %q, want %q", code, name, want[code])
		}
	}
}

// portalWithBoxes serves a portal page with two search boxes, allowed by
// the API's CORS, and opens it.
func portalWithBoxes(t *testing.T) (ctx context.Context, apiURL string) {
	t.Helper()
	ctx = browserContext(t)
	data, _, _, _ := demoPipeline(t)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Portal</title></head><body>
<div id="plain" data-kbsearch></div>
<div id="byod" data-kbsearch data-theme="byod"></div>
<script src="%s/static/embed.js" defer></script>
</body></html>`, apiURL)
	}))
	t.Cleanup(portal.Close)
	apiURL = corsAPI(t, data, portal.URL)
	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/"),
		chromedp.Poll[chromedp.Void](`document.getElementById('byod').shadowRoot`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	return ctx, apiURL
}

// TestBoxLabels: the box shows a hit's type by its label and its date as a
// reader writes it (issue 12, defect 6).
func TestBoxLabels(t *testing.T) {
	ctx, apiURL := portalWithBoxes(t)
	eval := evaluator(ctx, t)

	var res search.Result
	getJSON(t, apiURL+"/api/v1/search?q=key+messages&size=5", 200, &res)
	labels := map[string]string{}
	for _, f := range res.Facets["type"] {
		labels[f.Value] = f.Label
	}
	eval(`(() => { const r = document.getElementById('plain').shadowRoot;
		r.querySelector('input').value = 'key messages'; r.querySelector('form').requestSubmit(); return true; })()`)
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById('plain').shadowRoot.querySelectorAll('li .meta').length > 0`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	metas, _ := eval(`Array.from(document.getElementById('plain').shadowRoot.querySelectorAll('li')).map(li => (li.querySelector('.meta') || {}).textContent || '')`).([]any)
	if len(metas) != len(res.Hits) {
		t.Fatalf("%d results shown, the API has %d", len(metas), len(res.Hits))
	}
	for i, h := range res.Hits {
		day, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			t.Fatalf("hit %d date %q: %v", i+1, h.Date, err)
		}
		if want := labels[h.Type] + " · " + day.Format("2 January 2006"); metas[i] != want {
			t.Errorf("result %d: meta %q, want %q", i+1, metas[i], want)
		}
	}
}

// TestBoxThemeCompletion: picking a theme among the box's completions
// searches the theme's documents, and the link to all results carries the
// theme filter (issue 12, defect 3).
func TestBoxThemeCompletion(t *testing.T) {
	ctx, apiURL := portalWithBoxes(t)
	eval := evaluator(ctx, t)
	wait := func(what, js string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	const root = `document.getElementById('plain').shadowRoot`
	const label = "Learning analytics and data in education"
	eval(root + `.querySelector('input').focus(); ` + root + `.querySelector('input').value = 'learning an'; ` + root + `.querySelector('input').dispatchEvent(new Event('input')); true`)
	option := fmt.Sprintf(`Array.from(%s.querySelectorAll('[role=option]')).find(o => o.textContent.startsWith(%q))`, root, label)
	wait("the theme completion", option)
	eval(option + `.click()`)
	wait("the theme's results", root+`.querySelector('.status').textContent.includes('Learning analytics')`)
	wait("results", root+`.querySelectorAll('li').length > 0`)

	var res search.Result
	getJSON(t, apiURL+"/api/v1/search?theme=learning-analytics", 200, &res)
	status, _ := eval(root + `.querySelector('.status').textContent`).(string)
	if !strings.HasPrefix(status, fmt.Sprintf("%d results", res.Total)) {
		t.Errorf("status %q, want the %d documents of the theme", status, res.Total)
	}
	all, _ := eval(root + `.querySelector('a.all').href`).(string)
	if u, err := url.Parse(all); err != nil || u.Query().Get("theme") != "learning-analytics" || u.Query().Get("q") != "" {
		t.Errorf("all-results link %q, want the theme filter and no words", all)
	}
}

// contrastJS computes, in the page, the contrast ratio between the focus
// outline of the element el and the background colour behind it (the
// first opaque background of it or its ancestors, across shadow roots,
// white at the top). It returns {ratio, outline, background, width}.
const contrastJS = `((el) => {
	const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => {
		const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
	};
	const cs = getComputedStyle(el);
	let bg = 'rgb(255, 255, 255)';
	for (let n = el.parentElement || el.getRootNode().host; n; n = n.parentElement || (n.getRootNode() !== document ? n.getRootNode().host : null)) {
		const c = getComputedStyle(n).backgroundColor;
		const v = rgb(c);
		if (v.length === 3 || (v.length === 4 && v[3] === 1)) { bg = c; break; }
	}
	const a = lum(rgb(cs.outlineColor)), b = lum(rgb(bg));
	const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
	return { ratio, outline: cs.outlineColor, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), background: bg };
})`

type focusRing struct {
	Ratio      float64
	Outline    string
	Style      string
	Width      float64
	Background string
}

// checkRing fails t when the focus outline of the element js is drawn with
// less than 3:1 against the colour behind it, or is thinner than 2px.
func checkRing(ctx context.Context, t *testing.T, what, js string) {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[focusRing](contrastJS+`(`+js+`)`))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if r.Style == "none" || r.Width < 2 || r.Ratio < 3 {
		t.Errorf("%s: focus outline %s %.0fpx %s on %s: contrast %.2f:1, want at least 3:1",
			what, r.Style, r.Width, r.Outline, r.Background, r.Ratio)
	}
}

// TestFocusRingContrast: the focus indicator of the page and of the box
// stands out at 3:1 or more against the colours around it (issue 12,
// defect 7; WCAG 1.4.11).
func TestFocusRingContrast(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?q=school")
	// Keyboard focus, so that :focus-visible matches every kind of control.
	p.eval(`document.querySelector('#q').focus()`)
	p.do(chromedp.KeyEvent("\t"))
	checkRing(p.ctx, t, "page: the Search button", `document.activeElement`)
	checkRing(p.ctx, t, "page: the query box", `(document.querySelector('#q').focus(), document.activeElement)`)
	p.eval(`document.querySelector('#facets input[type=checkbox]').focus()`)
	checkRing(p.ctx, t, "page: a facet checkbox", `document.activeElement`)
	p.eval(`document.querySelector('#hits li.hit h2 a').focus()`)
	checkRing(p.ctx, t, "page: a result link", `document.activeElement`)

	// The first Tab on the portal page enters the first box's input, the
	// second reaches its button.
	ctx, _ := portalWithBoxes(t)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	checkRing(ctx, t, "box: the input", `document.getElementById('plain').shadowRoot.activeElement`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	checkRing(ctx, t, "box: the button", `document.getElementById('plain').shadowRoot.activeElement`)
}

// TestPageUnknownFilter: a shared URL with a theme or type that does not
// exist still shows results and facets, and says the filter was ignored
// (issue 12, defect 11).
func TestPageUnknownFilter(t *testing.T) {
	p := openPage(t, 0)
	for _, tc := range []struct{ name, path, value string }{
		{"theme", "/?q=school&theme=nosuch", "nosuch"},
		{"type", "/?q=school&type=leaflet", "leaflet"},
	} {
		p.open(tc.path)
		if shown := p.eval(`!document.querySelector('#error').hidden`); shown != false {
			t.Errorf("%s: error box shows %q", tc.name, p.eval(`document.querySelector('#error').textContent`))
		}
		notice, _ := p.eval(`document.querySelector('#notice').hidden ? '' : document.querySelector('#notice').textContent`).(string)
		if !strings.Contains(notice, tc.value) || !strings.Contains(notice, "ignored") || strings.Contains(notice, "api/") {
			t.Errorf("notice %q, want it to say the %s %s was ignored", notice, tc.name, tc.value)
		}
		if n, _ := p.eval(`document.querySelectorAll('#facets fieldset').length`).(float64); n == 0 {
			t.Errorf("%s: no facets shown", tc.name)
		}
		if got, want := p.shownTotal(), fmt.Sprint(p.total("q=school")); got != want {
			t.Errorf("%s: status counts %s, want %s (the search without the filter)", tc.name, got, want)
		}
		if got := p.query()[tc.name]; len(got) != 0 {
			t.Errorf("the page URL keeps %s=%v", tc.name, got)
		}
	}
}

// TestPageBrowseNewest: with no query the page lists the newest documents
// first, and "Clear all filters" shows only when a filter is set (issue
// 12, defect 12).
func TestPageBrowseNewest(t *testing.T) {
	p := openPage(t, 0)
	p.open("/")

	var res search.Result
	getJSON(t, p.api.URL+"/api/v1/search?sort=newest", 200, &res)
	dates, _ := p.eval(`Array.from(document.querySelectorAll('#hits li.hit time')).map(t => t.getAttribute('datetime'))`).([]any)
	if len(dates) == 0 {
		t.Fatal("no dated results on the landing page")
	}
	if dates[0] != res.Hits[0].Date {
		t.Errorf("the landing page starts with a document of %v, want the newest, of %s", dates[0], res.Hits[0].Date)
	}
	if got := p.eval(`document.querySelector('#sort').value`); got != "newest" {
		t.Errorf("sort shows %q with no query, want newest", got)
	}
	visible := func() any {
		return p.eval(`(() => { const b = document.querySelector('#clear'); return !b.hidden && b.getClientRects().length > 0; })()`)
	}
	if visible() != false {
		t.Errorf("Clear all filters shows with no filter set")
	}

	p.do(chromedp.Click(chromedp.CSS(`#facets input[name="year"][value="2017"]`)))
	p.wait("the search with the year", `location.search.includes('year=2017') && `+settled)
	if visible() != true {
		t.Errorf("Clear all filters hidden with a year ticked")
	}

	// A query ranks by relevance again.
	p.eval(`document.querySelector('#q').value = 'school'; document.querySelector('#search').requestSubmit()`)
	p.wait("the query", `location.search.includes('q=school') && `+settled)
	if got := p.eval(`document.querySelector('#sort').value`); got != "relevance" {
		t.Errorf("sort shows %q with a query, want relevance", got)
	}
}
