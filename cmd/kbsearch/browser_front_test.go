package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kbsearch/kbsearch/search"
)

// The tests of this file drive what issue 12 added to the front ends: the
// chart, the chips, the combobox, the document page, the translations,
// a keyboard-only session and axe-core's audit; and make the README's
// screenshots when asked.

// portalPage serves a portal page holding body (with the box's script of
// the API at *apiURL appended), under a strict policy: no inline script
// or style.
func portalPage(lang string, apiURL *string, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", fmt.Sprintf("default-src 'self'; script-src %[1]s; connect-src %[1]s; style-src 'self'", *apiURL))
		fmt.Fprintf(w, `<!doctype html><html lang="%s"><head><title>A portal page</title></head><body>
<main><h1>Our portal</h1>
%s
</main>
<script src="%s/static/embed.js" defer></script>
</body></html>`, lang, body, *apiURL)
	})
}

// boxSession is a portal page with boxes, open in a browser, over the
// indexed demo portal.
type boxSession struct {
	t    *testing.T
	ctx  context.Context
	api  string
	eval func(string) any
}

// openPortal serves a portal page in lang holding body and opens it.
func openPortal(t *testing.T, lang, body string) *boxSession {
	t.Helper()
	ctx := browserContext(t)
	data, _, _, _ := demoPipeline(t)
	var apiURL string
	portal := httptest.NewServer(portalPage(lang, &apiURL, body))
	t.Cleanup(portal.Close)
	apiURL = corsAPI(t, data, portal.URL)
	b := &boxSession{t: t, ctx: ctx, api: apiURL, eval: evaluator(ctx, t)}
	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/")); err != nil {
		t.Fatal(err)
	}
	b.wait("the boxes", `document.querySelectorAll('[data-kbsearch]').length > 0 &&
		Array.from(document.querySelectorAll('[data-kbsearch]')).every(h => h.shadowRoot && h.shadowRoot.querySelector('input'))`)
	return b
}

func (b *boxSession) wait(what, js string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// root is the shadow root of the box of id.
func root(id string) string { return fmt.Sprintf(`document.getElementById(%q).shadowRoot`, id) }

// TestScreenshots makes the README's pictures, into the directory
// KBSEARCH_SCREENSHOTS names (docs/img): the research page with its chart,
// and a box on a portal page with its completions and results.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("KBSEARCH_SCREENSHOTS")
	if dir == "" {
		t.Skip("KBSEARCH_SCREENSHOTS is not set (the directory of the README's pictures, docs/img)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	save := func(ctx context.Context, name string, shot chromedp.Action[[]byte]) {
		t.Helper()
		png, err := chromedp.Run(ctx, shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", filepath.Join(dir, name), len(png))
	}

	p := openPage(t, 0)
	p.do(chromedp.EmulateViewport(1200, 900))
	p.open("/?q=teachers&type=minutes")
	p.wait("the chart", `!document.querySelector('#chart').hidden`)
	save(p.ctx, "page.png", chromedp.CaptureScreenshot())

	b := openPortal(t, "en", `<p>Find the group's documents on bring your own device:</p>
<div id="box" data-kbsearch data-size="3"></div>`)
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(760, 560)); err != nil {
		t.Fatal(err)
	}
	b.eval(root("box") + `.querySelector('input').focus()`)
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent("learning an")); err != nil {
		t.Fatal(err)
	}
	b.wait("results and completions", root("box")+`.querySelectorAll('ol li').length > 0 && !`+root("box")+`.querySelector('[role=listbox]').hidden`)
	save(b.ctx, "box.png", chromedp.CaptureScreenshot())
}

// key presses keys, one KeyEvent each (a string of several is typed).
func (p *pageSession) key(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		p.do(chromedp.KeyEvent(k))
	}
}

// tabTo presses Tab until the focused element matches the CSS selector
// sel, as a keyboard user would, at most limit times.
func (p *pageSession) tabTo(sel string, limit int) {
	p.t.Helper()
	for range limit {
		if p.eval(fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, sel)) == true {
			return
		}
		p.key("\t")
	}
	p.t.Fatalf("%d Tabs did not reach %s (the focus is on %v)", limit, sel, p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
}

// focused reports whether the focused element matches sel.
func (p *pageSession) focused(sel string) bool {
	return p.eval(fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, sel)) == true
}

// TestPageChart: the chart shows the documents per year by theme as the
// API counts them, with a text alternative; a theme's bar, a legend
// entry and a year filter; the years of the date filter set from and to
// by click, Shift+click and drag.
func TestPageChart(t *testing.T) {
	p := openPage(t, 0)
	p.open("/")
	p.wait("the chart", `!document.querySelector('#chart').hidden && document.querySelectorAll('#chart rect.seg').length > 0`)

	var res search.Result
	getJSON(t, p.api.URL+"/api/v1/search?sort=newest&facets=year_theme", 200, &res)
	if len(res.YearTheme) < 2 {
		t.Fatalf("the demo has %d years", len(res.YearTheme))
	}
	bars, _ := p.eval(`Array.from(document.querySelectorAll('#chart g.bar')).map(g => g.dataset.year + '=' + g.querySelector('text.total').textContent)`).([]any)
	var want []any
	for _, y := range res.YearTheme {
		want = append(want, fmt.Sprintf("%s=%d", y.Year, y.Count))
	}
	if fmt.Sprint(bars) != fmt.Sprint(want) {
		t.Errorf("bars %v, want %v", bars, want)
	}
	label, _ := p.eval(`document.querySelector('#chart svg').getAttribute('aria-label')`).(string)
	if !strings.Contains(label, "Documents per year") || !strings.Contains(label, res.YearTheme[0].Year) {
		t.Errorf("the chart's text alternative %q", label)
	}
	if rows := p.eval(`document.querySelectorAll('#chart table tbody tr').length`); rows != float64(len(res.YearTheme)) {
		t.Errorf("the chart's table has %v rows, want %d", rows, len(res.YearTheme))
	}

	// A theme's segment filters by the theme.
	theme, _ := p.eval(`document.querySelector('#chart rect.seg.pick').dataset.theme`).(string)
	p.eval(`document.querySelector('#chart rect.seg.pick').dispatchEvent(new MouseEvent('click', { bubbles: true })); true`)
	p.wait("the theme filter", `location.search.includes('theme=`+theme+`') && `+settled)
	if got, want := p.shownTotal(), fmt.Sprint(p.total("theme="+theme)); got != want {
		t.Errorf("after the bar of %s: %s results, want %s", theme, got, want)
	}
	if on := p.eval(`document.querySelector('#chart .legend button[aria-pressed="true"]').dataset.key`); on != "legend="+theme {
		t.Errorf("the legend marks %v, want %s", on, theme)
	}
	// Its legend button takes the filter off again.
	p.eval(`document.querySelector('#chart .legend button[aria-pressed="true"]').click()`)
	p.wait("no theme filter", `!location.search.includes('theme=') && `+settled)

	// A year of the chart filters by the year.
	year := res.YearTheme[1].Year
	p.eval(`document.querySelector('#chart text.year[data-year="` + year + `"]').dispatchEvent(new MouseEvent('click', { bubbles: true })); true`)
	p.wait("the year filter", `location.search.includes('year=`+year+`') && `+settled)
	if got, want := p.shownTotal(), fmt.Sprint(p.total("year="+year)); got != want {
		t.Errorf("after the year %s: %s results, want %s", year, got, want)
	}
	p.eval(`document.querySelector('#chart text.year[data-year="` + year + `"]').dispatchEvent(new MouseEvent('click', { bubbles: true })); true`)
	p.wait("no year filter", `!location.search.includes('year=') && `+settled)

	// The date filter's years: a click, Shift+click, a drag.
	first, last := res.YearTheme[0].Year, res.YearTheme[len(res.YearTheme)-1].Year
	btn := func(y string) string { return `document.querySelector('#years button[data-key="years=` + y + `"]')` }
	p.eval(btn(first) + `.click()`)
	p.wait("one year", `location.search.includes('from=`+first+`&to=`+first+`') && `+settled)
	if got := p.eval(`document.querySelector('#from').value + '/' + document.querySelector('#to').value`); got != first+"/"+first {
		t.Errorf("the date boxes hold %v after a click on %s", got, first)
	}
	p.eval(btn(last) + `.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true })); true`)
	p.wait("a range", `location.search.includes('from=`+first+`&to=`+last+`') && `+settled)
	if pressed := p.eval(`Array.from(document.querySelectorAll('#years button')).every(b => b.getAttribute('aria-pressed') === 'true')`); pressed != true {
		t.Errorf("a range over every year leaves some unpressed")
	}
	if got, want := p.shownTotal(), fmt.Sprint(p.total("from="+first+"&to="+last)); got != want {
		t.Errorf("the range %s-%s: %s results, want %s", first, last, got, want)
	}
	second := res.YearTheme[1].Year
	p.eval(btn(second) + `.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true })); ` +
		btn(last) + `.dispatchEvent(new PointerEvent('pointerup', { bubbles: true })); true`)
	p.wait("a dragged range", `location.search.includes('from=`+second+`&to=`+last+`') && `+settled)
}

// TestPageChips: each active filter is a chip above the results whose
// button removes it, and the focus moves to the chip now in its place, or
// to the results when none is left.
func TestPageChips(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?q=school&theme=coding&year=2017&from=2016")
	chips := func() []any {
		v, _ := p.eval(`Array.from(document.querySelectorAll('#chips .chip')).map(b => b.textContent)`).([]any)
		return v
	}
	want := []any{"Theme: Coding and computational thinking\u00d7", "Year: 2017\u00d7", "Date: from 2016\u00d7"}
	if got := chips(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("chips %q, want %q", got, want)
	}
	if name := p.eval(`document.querySelector('#chips .chip').getAttribute('aria-label')`); name != "Remove the filter Theme: Coding and computational thinking" {
		t.Errorf("the first chip's name %q", name)
	}
	p.eval(`document.querySelectorAll('#chips .chip')[1].focus()`)
	p.key("\r")
	p.wait("the search without the year", `!location.search.includes('year=') && `+settled)
	if !p.focused(`#chips li:nth-child(2) .chip`) || !strings.HasPrefix(p.eval(`document.activeElement.textContent`).(string), "Date") {
		t.Errorf("after removing the year the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}
	if got, want := p.shownTotal(), fmt.Sprint(p.total("q=school&theme=coding&from=2016")); got != want {
		t.Errorf("%s results, want %s", got, want)
	}
	p.key("\r")
	p.wait("the search without the date", `!location.search.includes('from=') && `+settled)
	if p.eval(`document.querySelector('#from').value`) != "" {
		t.Errorf("the date box keeps the removed date")
	}
	p.key("\r")
	p.wait("the search without filters", `!location.search.includes('theme=') && `+settled)
	if !p.focused(`#results`) {
		t.Errorf("with no chip left the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}
	if hidden := p.eval(`document.querySelector('#chips').hidden`); hidden != true {
		t.Errorf("an empty chip list shows")
	}
	if got := p.query().Get("q"); got != "school" {
		t.Errorf("removing chips changed the query to %q", got)
	}
}

// TestPageCombobox: the query box is a WAI-ARIA combobox: its listbox in
// two groups, matches marked, arrows moving the active option, Escape
// closing the list and then emptying the box, the focus always in the
// box, and the count announced.
func TestPageCombobox(t *testing.T) {
	p := openPage(t, 0)
	p.open("/")
	p.eval(`document.querySelector('#q').focus()`)
	p.key("learning an")
	p.wait("the list", `document.querySelector('#q').getAttribute('aria-expanded') === 'true'`)

	attr := func(name string) any { return p.eval(`document.querySelector('#q').getAttribute('` + name + `')`) }
	if attr("role") != "combobox" || attr("aria-controls") != "q-list" || attr("aria-autocomplete") != "list" {
		t.Errorf("the input's role %v, controls %v, autocomplete %v", attr("role"), attr("aria-controls"), attr("aria-autocomplete"))
	}
	groups, _ := p.eval(`Array.from(document.querySelectorAll('#q-list [role=group]')).map(g => document.getElementById(g.getAttribute('aria-labelledby')).textContent)`).([]any)
	if fmt.Sprint(groups) != "[Themes Words]" {
		t.Errorf("groups %v, want [Themes Words]", groups)
	}
	if marks, _ := p.eval(`document.querySelectorAll('#q-list [role=option] mark').length`).(float64); marks == 0 {
		t.Errorf("no match marked in the options")
	}
	if live, _ := p.eval(`document.querySelector('#q-list').nextElementSibling.textContent`).(string); !strings.Contains(live, "suggestions") {
		t.Errorf("the live region says %q", live)
	}
	n, _ := p.eval(`document.querySelectorAll('#q-list [role=option]').length`).(float64)
	p.key(kb.ArrowDown)
	if active := attr("aria-activedescendant"); active != "q-opt-0" || p.eval(`document.getElementById('q-opt-0').getAttribute('aria-selected')`) != "true" {
		t.Errorf("after Down the active option is %v", active)
	}
	p.key(kb.ArrowUp)
	if active := attr("aria-activedescendant"); active != fmt.Sprintf("q-opt-%d", int(n)-1) {
		t.Errorf("Up from the first option goes to %v, want the last of %v", active, n)
	}
	p.key(kb.Escape)
	if attr("aria-expanded") != "false" || !p.focused("#q") || p.eval(`document.querySelector('#q').value`) != "learning an" {
		t.Errorf("after Escape: expanded %v, focus on #q %v, value %v", attr("aria-expanded"), p.focused("#q"), p.eval(`document.querySelector('#q').value`))
	}
	if attr("aria-activedescendant") != nil {
		t.Errorf("a closed list keeps an active option")
	}
	p.key(kb.Escape)
	if v := p.eval(`document.querySelector('#q').value`); v != "" || !p.focused("#q") {
		t.Errorf("a second Escape leaves %q, focus on #q %v", v, p.focused("#q"))
	}

	// Enter on a word searches it.
	p.key("learning analyt")
	p.wait("the list", `document.querySelector('#q').getAttribute('aria-expanded') === 'true' && document.querySelector('#q-words')`)
	word, _ := p.eval(`document.querySelector('#q-words').parentElement.querySelector('[role=option]').textContent`).(string)
	idx, _ := p.eval(`Array.from(document.querySelectorAll('#q-list [role=option]')).findIndex(o => o.textContent === ` + fmt.Sprintf("%q", word) + `)`).(float64)
	for range int(idx) + 1 {
		p.key(kb.ArrowDown)
	}
	p.key("\r")
	p.wait("the word's search", `new URLSearchParams(location.search).get('q') === `+fmt.Sprintf("%q", word)+` && `+settled)
}

// TestKeyboardOnly: a reader on the keyboard alone runs a search, picks a
// theme among the completions, ticks and unticks a facet (the focus
// staying on it), removes a chip, and opens a result's page.
func TestKeyboardOnly(t *testing.T) {
	p := openPage(t, 0)
	p.open("/")
	p.tabTo("#q", 10)
	p.key("school", "\r")
	p.wait("the search", `location.search === '?q=school' && `+settled)

	// Escape empties the box (no list open); a theme completion applies
	// its filter.
	p.key(kb.Escape, "learning an")
	p.wait("the theme completion", `document.querySelector('#q').getAttribute('aria-expanded') === 'true' && document.querySelector('#q-themes')`)
	p.key(kb.ArrowDown)
	if opt, _ := p.eval(`document.getElementById(document.querySelector('#q').getAttribute('aria-activedescendant')).textContent`).(string); !strings.HasPrefix(opt, "Learning analytics and data in education") {
		t.Fatalf("the first option is %q", opt)
	}
	p.key("\r")
	p.wait("the theme filter", `location.search.includes('theme=learning-analytics') && `+settled)
	if !p.focused("#q") {
		t.Errorf("after picking a completion the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}

	const box = `#facets input[name="year"][value="2017"]`
	p.tabTo(box, 80)
	p.key(" ")
	p.wait("the year ticked", `location.search.includes('year=2017') && `+settled)
	if !p.focused(box + ":checked") {
		t.Errorf("after ticking the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}
	p.key(" ")
	p.wait("the year unticked", `!location.search.includes('year=2017') && `+settled)
	if !p.focused(box + ":not(:checked)") {
		t.Errorf("after unticking the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}

	p.tabTo(".chip", 80)
	p.key("\r")
	p.wait("the chip removed", `!location.search.includes('theme=') && `+settled)
	if !p.focused("#results") {
		t.Errorf("after removing the last chip the focus is on %v", p.eval(`document.activeElement.outerHTML.slice(0, 120)`))
	}

	p.tabTo(".hit-details", 80)
	title, _ := p.eval(`document.activeElement.closest('li.hit').querySelector('h2').textContent`).(string)
	p.key("\r")
	p.waitPage("the document's page", `location.pathname.startsWith('/documents/') && !document.querySelector('#doc').hasAttribute('aria-busy')`)
	if got := p.eval(`document.querySelector('#doc-title').textContent`); got != title {
		t.Errorf("the document page is titled %q, want %q", got, title)
	}
}

// TestDocumentPageInBrowser: a result's page shows its metadata, the
// phrases that earned its themes, its other language versions, its text
// with the query marked, the pages of a PDF; an unknown id says so.
func TestDocumentPageInBrowser(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?q=helsinki+key+messages")
	p.eval(`document.querySelector('#hits li.hit .hit-details').click()`)
	p.waitPage("the document's page", `location.pathname.startsWith('/documents/') && !document.querySelector('#doc').hasAttribute('aria-busy')`)
	id := strings.TrimPrefix(p.eval(`location.pathname`).(string), "/documents/")
	var doc search.Document
	getJSON(t, p.api.URL+"/api/v1/documents/"+id, 200, &doc)

	if got := p.eval(`document.querySelector('#doc-title').textContent`); got != doc.Title {
		t.Errorf("title %q, want %q", got, doc.Title)
	}
	terms, _ := p.eval(`Array.from(document.querySelectorAll('#doc-meta dt')).map(d => d.textContent)`).([]any)
	if len(terms) < 2 || terms[0] != "Type" {
		t.Errorf("metadata terms %v", terms)
	}
	if n := p.eval(`document.querySelectorAll('#doc-themes li').length`); n != float64(len(doc.Themes)) {
		t.Errorf("%v themes shown, the document has %d", n, len(doc.Themes))
	}
	reasons := 0
	for _, r := range doc.ThemeReasons {
		reasons += len(r)
	}
	if n := p.eval(`document.querySelectorAll('#doc-themes .reason').length`); n != float64(reasons) {
		t.Errorf("%v reasons shown, the document has %d", n, reasons)
	}
	if marks, _ := p.eval(`document.querySelectorAll('.doc-body mark').length`).(float64); marks == 0 {
		t.Errorf("the query is not marked in the text")
	}
	if hint, _ := p.eval(`document.querySelector('#doc-marks').textContent`).(string); !strings.Contains(hint, "marked") {
		t.Errorf("the marks' hint %q", hint)
	}
	if len(doc.Translations) > 0 {
		links, _ := p.eval(`Array.from(document.querySelectorAll('#doc-versions a')).map(a => a.hreflang + ' ' + a.getAttribute('href'))`).([]any)
		if len(links) != len(doc.Translations) {
			t.Errorf("versions %v, want %d", links, len(doc.Translations))
		}
	}
	// "More like this" shows when the API names similar documents.
	var raw map[string]any
	getJSON(t, p.api.URL+"/api/v1/documents/"+id, 200, &raw)
	similar, _ := raw["similar"].([]any)
	if shown := p.eval(`document.querySelectorAll('#doc-similar:not([hidden]) li').length`); shown != float64(len(similar)) {
		t.Errorf("%v similar documents shown, the API names %d", shown, len(similar))
	}
	if back, _ := p.eval(`document.querySelector('#back').getAttribute('href')`).(string); back != "../?q=helsinki+key+messages" {
		t.Errorf("the way back %q keeps not the search", back)
	}

	// A PDF of several pages links to each page, and its text is cut
	// into its pages.
	var res search.Result
	getJSON(t, p.api.URL+"/api/v1/search?q=key+messages&size=50", 200, &res)
	found := false
	for _, h := range res.Hits {
		var pdf search.Document
		getJSON(t, p.api.URL+"/api/v1/documents/"+h.ID, 200, &pdf)
		if !strings.HasSuffix(h.URL, ".pdf") || len(pdf.PageStarts) < 2 {
			continue
		}
		found = true
		p.open2("/documents/" + h.ID)
		links, _ := p.eval(`Array.from(document.querySelectorAll('#doc-pages a')).map(a => a.getAttribute('href'))`).([]any)
		if len(links) != len(pdf.PageStarts) || links[1] != h.URL+"#page=2" {
			t.Errorf("a PDF of %d pages links to %v", len(pdf.PageStarts), links)
		}
		if n := p.eval(`document.querySelectorAll('.doc-body .page-no').length`); n != float64(len(pdf.PageStarts)) {
			t.Errorf("a PDF of %d pages shows %v page headings in its text", len(pdf.PageStarts), n)
		}
		break
	}
	if !found {
		t.Errorf("no PDF of several pages with its page offsets among the demo's key messages")
	}

	p.open2("/documents/0000000000000000")
	if got := p.eval(`document.querySelector('#doc-title').textContent`); got != "There is no such document." {
		t.Errorf("an unknown id: title %q", got)
	}
}

// waitPage waits for the condition js on the page a navigation (a link
// followed) leads to: a poll that meets the old page going away is tried
// again.
func (p *pageSession) waitPage(what, js string) {
	p.t.Helper()
	var err error
	for range 20 {
		err = chromedp.Do(p.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second)))
		if err == nil {
			return
		}
		if msg := err.Error(); !strings.Contains(msg, "context with specified id") && !strings.Contains(msg, "navigated or closed") {
			break
		}
	}
	p.t.Fatalf("waiting for %s: %v", what, err)
}

// open2 navigates to the document page at path and waits for it.
func (p *pageSession) open2(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.api.URL + path))
	p.wait("the document's page", `document.querySelector('#doc') && !document.querySelector('#doc').hasAttribute('aria-busy')`)
}

// TestTranslations: the page and the document page speak the language of
// hl (French, German), the box that of its portal page or its data-hl.
func TestTranslations(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?hl=fr&q=school")
	for sel, want := range map[string]string{
		"h1":                  "Recherche dans la base de connaissances",
		"#status":             "résultats en",
		"#chart figcaption":   "Documents par année et par thème",
		"#facets legend":      "Thème",
		"label[for=q]":        "Rechercher dans les documents",
		".hit-details":        "Détails",
		"#years [role=group]": "",
	} {
		got, _ := p.eval(fmt.Sprintf(`(document.querySelector(%q) || {}).textContent`, sel)).(string)
		if !strings.Contains(got, want) {
			t.Errorf("%s says %q, want %q", sel, got, want)
		}
	}
	if l := p.eval(`document.querySelector('#years [role=group]').getAttribute('aria-label')`); !strings.HasPrefix(l.(string), "Documents par année") {
		t.Errorf("the years' label %q", l)
	}
	// The language links keep the search; the document page keeps hl.
	if href := p.eval(`document.querySelector('nav.langs a[hreflang=de]').getAttribute('href')`); href != "?q=school&hl=de" {
		t.Errorf("the German link %v", href)
	}
	p.eval(`document.querySelector('#hits li.hit .hit-details').click()`)
	p.waitPage("the document's page", `location.pathname.startsWith('/documents/') && !document.querySelector('#doc').hasAttribute('aria-busy')`)
	if back := p.eval(`document.querySelector('#back').textContent`); back != "Retour à la recherche" {
		t.Errorf("the document page says %q", back)
	}
	p.open("/?hl=de")
	if h := p.eval(`document.querySelector('#show-results').textContent`); !strings.HasSuffix(h.(string), "Treffer zeigen") {
		t.Errorf("the German sheet button says %q", h)
	}

	b := openPortal(t, "fr", `<div id="fr" data-kbsearch></div><div id="de" data-kbsearch data-hl="de"></div>`)
	if l := b.eval(root("fr") + `.querySelector('label').textContent`); l != "Rechercher dans la base de connaissances" {
		t.Errorf("the French portal's box says %q", l)
	}
	if l := b.eval(root("de") + `.querySelector('label').textContent`); l != "Die Wissensdatenbank durchsuchen" {
		t.Errorf("the box with data-hl=de says %q", l)
	}
	b.eval(`(() => { const r = ` + root("fr") + `; r.querySelector('input').value = 'school'; r.querySelector('form').requestSubmit(); return true; })()`)
	b.wait("the French results", root("fr")+`.querySelector('.status').textContent.includes('résultats')`)
}

// TestBoxSearchAsYouType: the box searches what is typed once the typing
// pauses, without Enter, and shows the answer to the last text only.
func TestBoxSearchAsYouType(t *testing.T) {
	b := openPortal(t, "en", `<div id="box" data-kbsearch data-size="3"></div>`)
	b.eval(root("box") + `.querySelector('input').focus()`)
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent("bring your own")); err != nil {
		t.Fatal(err)
	}
	var want search.Result
	getJSON(t, b.api+"/api/v1/search?q=bring+your+own&size=3", 200, &want)
	b.wait("the results", root("box")+fmt.Sprintf(`.querySelector('.status').textContent.startsWith('%d result')`, want.Total))
	if first := b.eval(root("box") + `.querySelector('ol li .title').textContent`); first != want.Hits[0].Title {
		t.Errorf("first result %q, want %q", first, want.Hits[0].Title)
	}
	// The completion list of the box is the page's: Down, Enter picks.
	b.wait("the list", root("box")+`.querySelector('input').getAttribute('aria-expanded') === 'true'`)
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if exp := b.eval(root("box") + `.querySelector('input').getAttribute('aria-expanded')`); exp != "false" {
		t.Errorf("Escape left the box's list open")
	}
	if focused := b.eval(root("box") + `.activeElement === ` + root("box") + `.querySelector('input')`); focused != true {
		t.Errorf("Escape took the focus from the box's input")
	}
}

// axeViolations runs axe-core (the file KBSEARCH_AXE names) in the page
// of ctx and returns its violations above minor, one line each.
func axeViolations(ctx context.Context, t *testing.T, axe string) []string {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe+";true")); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, { resultTypes: ['violations'] }).then(r =>
		r.violations.filter(v => v.impact !== 'minor').map(v => v.impact + ' ' + v.id + ': ' + v.help + ' (' +
			v.nodes.map(n => JSON.stringify(n.target)).slice(0, 5).join(', ') + ')'))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	return v
}

// TestAxe: axe-core finds no violation above minor on the research page
// (with its chart, chips and completion list open), a document page, and
// a portal page with two boxes, one showing results. axe-core is not part
// of the repository: .ci/run installs it and names it in KBSEARCH_AXE.
func TestAxe(t *testing.T) {
	path := os.Getenv("KBSEARCH_AXE")
	if path == "" {
		t.Skip("KBSEARCH_AXE is not set: the path of axe-core's axe.min.js (.ci/run installs it with npm)")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	axe := string(src)
	check := func(what string, ctx context.Context) {
		t.Helper()
		for _, v := range axeViolations(ctx, t, axe) {
			t.Errorf("%s: %s", what, v)
		}
	}

	p := openPage(t, 0)
	p.open("/?q=school&theme=coding&from=2016")
	p.wait("the chart", `!document.querySelector('#chart').hidden`)
	p.eval(`document.querySelector('#chart details').open = true; document.querySelector('#q').focus()`)
	p.key(kb.End, " learn")
	p.wait("the list", `document.querySelector('#q').getAttribute('aria-expanded') === 'true'`)
	p.key(kb.ArrowDown)
	check("research page", p.ctx)

	p.eval(`document.querySelector('#hits li.hit .hit-details').click()`)
	p.waitPage("the document's page", `location.pathname.startsWith('/documents/') && !document.querySelector('#doc').hasAttribute('aria-busy')`)
	check("document page", p.ctx)

	p.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	p.open("/?q=school")
	p.do(chromedp.Click(chromedp.CSS(`#filters > summary`)))
	p.wait("the filter sheet", `document.querySelector('#filters').open`)
	check("research page, phone, filter sheet", p.ctx)

	b := openPortal(t, "en", `<div id="one" data-kbsearch></div><div id="two" data-kbsearch data-theme="byod" data-label="Search the BYOD documents"></div>`)
	b.eval(`(() => { const r = ` + root("one") + `; r.querySelector('input').value = 'learning analytics'; r.querySelector('form').requestSubmit(); return true; })()`)
	b.wait("results", root("one")+`.querySelectorAll('ol li').length > 0`)
	b.eval(root("two") + `.querySelector('input').focus()`)
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent("learn")); err != nil {
		t.Fatal(err)
	}
	b.wait("the list", root("two")+`.querySelector('input').getAttribute('aria-expanded') === 'true'`)
	check("portal page with two boxes", b.ctx)
}

// TestPageTakeAway: each hit has a permalink (its document page) and a
// citation to copy; the search has its CSV, RIS and Atom links, with its
// parameters.
func TestPageTakeAway(t *testing.T) {
	p := openPage(t, 0)
	p.open("/?q=school&type=minutes")
	var res search.Result
	getJSON(t, p.api.URL+"/api/v1/search?q=school&type=minutes", 200, &res)
	h := res.Hits[0]
	if got := p.eval(`document.querySelector('#hits li.hit .hit-permalink').href`); got != p.api.URL+"/documents/"+h.ID {
		t.Errorf("permalink %v, want the document's page", got)
	}
	if got := p.eval(`document.querySelector('#hits li.hit .hit-details').getAttribute('href')`); got != "documents/"+h.ID+"?q=school" {
		t.Errorf("details link %v", got)
	}
	// The clipboard of a headless browser may refuse: the test takes what
	// is written to it.
	p.eval(`Object.defineProperty(navigator.clipboard, 'writeText', { value: (s) => { window.copied = s; return Promise.resolve(); } }); true`)
	p.eval(`Array.from(document.querySelectorAll('#hits li.hit')[0].querySelectorAll('button')).find(b => b.textContent === 'Copy citation').click()`)
	p.wait("the citation", `window.copied !== undefined`)
	cite, _ := p.eval(`window.copied`).(string)
	for _, want := range []string{h.Title + ". Minutes, ", h.URL + " (accessed "} {
		if !strings.Contains(cite, want) {
			t.Errorf("citation %q lacks %q", cite, want)
		}
	}
	if said := p.eval(`Array.from(document.querySelectorAll('[aria-live]')).map(n => n.textContent).join('|')`); !strings.Contains(said.(string), "Citation copied.") {
		t.Errorf("nothing says the citation was copied: %v", said)
	}
	for sel, want := range map[string]string{
		"#export":     "api/v1/export?q=school&type=minutes",
		"#export-ris": "api/v1/export?q=school&type=minutes&format=ris",
		"#feed":       "api/v1/feed?q=school&type=minutes",
	} {
		if got := p.eval(`document.querySelector('` + sel + `').getAttribute('href')`); got != want {
			t.Errorf("%s links to %v, want %s", sel, got, want)
		}
	}
}
