package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// findBrowser returns the path of a Chromium-family browser, or "".
func findBrowser() string {
	if p := os.Getenv("KBSEARCH_TEST_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserContext starts headless Chromium for t, or skips t when there is
// none (fails under CI, which installs one).
func browserContext(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := findBrowser()
	if browser == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium on PATH: .ci/run installs Debian's chromium")
		}
		t.Skip("no Chromium on PATH (apt-get install chromium); set KBSEARCH_TEST_BROWSER to a browser binary")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Containers often give /dev/shm 64 MB, too little for Chromium;
		// Debian's launcher adds this flag only when it can read the size.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	)
	// A browser's first start on a fresh machine sometimes exits before it
	// prints its DevTools address (seen once in CI, with no reason given);
	// a second start has always come up, so the start is tried three times.
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(actx)
		if err = chromedp.Do(ctx); err == nil {
			t.Cleanup(cancelAlloc)
			t.Cleanup(cancelCtx)
			ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
			t.Cleanup(cancel)
			return ctx
		}
		cancelCtx()
		cancelAlloc()
		t.Logf("browser start %d of 3: %v", attempt, err)
	}
	t.Fatalf("chromium did not start: %v", err)
	return nil
}

// evaluator returns a function running a JavaScript expression in the
// browser of ctx and returning its value, failing t on an error.
func evaluator(ctx context.Context, t *testing.T) func(js string) any {
	return func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
}

// TestSearchPageInBrowser drives the research search page in headless
// Chromium against the API over the indexed demo portal: a query shows
// ranked results with marked snippets and facet counts, a facet checkbox
// narrows the results and lands in the page URL, and a bad query shows the
// API's message.
func TestSearchPageInBrowser(t *testing.T) {
	ctx := browserContext(t)
	_, _, api, _ := demoPipeline(t)

	type CSS = chromedp.CSS
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	eval := evaluator(ctx, t)
	// submit sends the search form through the page's own handler, as
	// Enter does (chromedp.Submit calls form.submit(), which skips the
	// handler and navigates), after setting the box to q.
	submit := func(q string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#q').value = %q;
			document.querySelector('#search').requestSubmit()`, q))
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(api.URL+"/"),
		chromedp.WaitVisible(CSS(`#q`)),
		// The page's script is deferred: until it has shown the landing
		// page's results, a submit would be the browser's own navigation.
		chromedp.Poll[chromedp.Void](`document.querySelector('#status').textContent !== ''`,
			chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.SendKeys(CSS(`#q`), "bring your own device"),
		submit("bring your own device"),
		// Wait for this search's rendering, which sets the CSV link in the
		// same pass as the hits.
		chromedp.Poll[chromedp.Void](`(document.querySelector('#export').getAttribute('href') || '').includes('q=bring')`,
			chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.WaitVisible(CSS(`#hits li.hit h2 a`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if first := text(`#hits li.hit h2 a`); !strings.Contains(first, "Hamburg") {
		t.Errorf("first result %q, want a Hamburg document", first)
	}
	if status := text(`#status`); !strings.Contains(status, "results") {
		t.Errorf("status line %q", status)
	}
	if marks, _ := eval(`document.querySelectorAll('#hits .snippet mark').length`).(float64); marks == 0 {
		t.Errorf("no <mark> elements in the snippets")
	}
	if raw := eval(`document.querySelector('#hits').textContent.includes('<mark>')`); raw != false {
		t.Errorf("snippets show raw markup")
	}
	// The CSV link downloads every hit of this search.
	exportURL, _ := eval(`document.querySelector('#export:not([hidden])').href`).(string)
	if !strings.Contains(exportURL, "/api/v1/export?q=bring+your+own+device") {
		t.Errorf("CSV link %q", exportURL)
	} else {
		var res struct{ Total int }
		getJSON(t, api.URL+"/api/v1/search?q=bring+your+own+device", 200, &res)
		csvBody := get(t, exportURL, "")
		if rows := strings.Count(csvBody, "\n") - 1; rows != min(res.Total, 1000) || !strings.HasPrefix(csvBody, search.BOM+"rank,title,") {
			t.Errorf("CSV of %d rows, want %d:\n%.300s", rows, res.Total, csvBody)
		}
	}

	// Narrow by the learning-analytics theme through its checkbox.
	err = chromedp.Do(ctx,
		chromedp.Click(CSS(`#facets input[name="theme"][value="learning-analytics"]`)),
		chromedp.WaitVisible(CSS(`#facets input[name="theme"][value="learning-analytics"]:checked`)),
		chromedp.Sleep(500*time.Millisecond), // let the new results render
	)
	if err != nil {
		t.Fatal(err)
	}
	pageURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Query()["theme"]; len(got) != 1 || got[0] != "learning-analytics" {
		t.Errorf("page URL %s: theme = %v", pageURL, got)
	}
	themesOfHits, _ := eval(`Array.from(document.querySelectorAll('#hits li.hit')).map(li => (li.querySelector('.hit-themes') || {}).textContent || '')`).([]any)
	if len(themesOfHits) == 0 {
		t.Fatal("no results after choosing a theme")
	}
	for i, th := range themesOfHits {
		if s, _ := th.(string); !strings.Contains(strings.ToLower(s), "learning analytics") {
			t.Errorf("result %d themes %q lack learning analytics", i+1, s)
		}
	}

	// Typing offers completions in the query box's list.
	eval(`document.querySelector('#q').value = ''`)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(CSS(`#q`), "computational thi"),
		// The list may still hold the completions of the first query.
		chromedp.Poll[chromedp.Void](`Array.from(document.querySelectorAll("#q-list [role=option]")).some(o => o.textContent.toLowerCase().includes("computational"))`,
			chromedp.WithPollingTimeout(10*time.Second)),
	)
	if err != nil {
		t.Fatalf("no suggestions for a typed prefix: %v", err)
	}
	if opts, _ := eval(`Array.from(document.querySelectorAll('#q-list [role=option]')).map(o => o.textContent)`).([]any); len(opts) == 0 ||
		!strings.Contains(strings.ToLower(opts[0].(string)), "computational thinking") {
		t.Errorf("suggestions %v, want computational thinking first", opts)
	}
	eval(`document.querySelector('#q').blur()`)

	// A misspelt query offers its correction, which searches when clicked.
	err = chromedp.Do(ctx,
		submit("learning analitycs"),
		chromedp.WaitVisible(CSS(`#didyoumean`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if alt := text(`#didyoumean-link`); alt != "learning analytics" {
		t.Errorf("did you mean %q, want learning analytics", alt)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(CSS(`#didyoumean-link`)),
		chromedp.WaitNotVisible(CSS(`#didyoumean`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q := eval(`document.querySelector('#q').value`); q != "learning analytics" {
		t.Errorf("after the correction the box holds %q", q)
	}

	// A document with a version in another language links to it.
	err = chromedp.Do(ctx,
		chromedp.Navigate(api.URL+"/?q=helsinki+key+messages"),
		chromedp.WaitVisible(CSS(`#hits .hit-translations a[hreflang="fr"]`)),
	)
	if err != nil {
		t.Fatalf("no link to a French version: %v", err)
	}
	if href := eval(`document.querySelector('#hits .hit-translations a[hreflang="fr"]').href`); !strings.HasSuffix(href.(string), "_fr.html") {
		t.Errorf("French version link %v", href)
	}

	// A query whose parenthesis is never closed is searched as plain
	// words: results, and a notice saying so.
	err = chromedp.Do(ctx,
		submit("digital skills (teachers"),
		chromedp.WaitVisible(CSS(`#notice`)),
		chromedp.WaitVisible(CSS(`#hits li.hit h2 a`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(`#notice`); !strings.Contains(msg, `"(" at position 16 is never closed`) || !strings.Contains(msg, "plain words") {
		t.Errorf("notice %q, want the unclosed parenthesis and plain words", msg)
	}
	if shown := eval(`document.querySelector('#error').hidden`); shown != true {
		t.Errorf("the error box shows for a query searched as plain words")
	}
	// A query that parses hides the notice again.
	err = chromedp.Do(ctx,
		submit("digital skills (teachers)"),
		chromedp.WaitNotVisible(CSS(`#notice`)),
	)
	if err != nil {
		t.Fatal(err)
	}

	// A query over one of the bounds shows the API's message, not a crash.
	var phrases strings.Builder
	for i := range search.MaxQueryPhrases + 1 {
		fmt.Fprintf(&phrases, `"digital p%d" `, i)
	}
	err = chromedp.Do(ctx,
		submit(phrases.String()),
		chromedp.WaitVisible(CSS(`#error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(`#error`); !strings.Contains(msg, "too many phrases") {
		t.Errorf("error box %q, want the parser's message", msg)
	}
	if shown := eval(`document.querySelector('#notice').hidden`); shown != true {
		t.Errorf("the notice shows beside an error")
	}
}

// TestEmbedInBrowser puts the embeddable search box on a page served from
// another origin, as a portal would, with the API allowing that origin: the
// box searches (with its preset filter), suggests as one types, links to
// all results on the search page; on an origin the API does not allow, the
// browser withholds the answers and the box says so.
func TestEmbedInBrowser(t *testing.T) {
	ctx := browserContext(t)
	data, _, _, _ := demoPipeline(t)

	var apiURL string
	portalPage := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// A strict policy, as a portal may have: no inline script or style.
		w.Header().Set("Content-Security-Policy", fmt.Sprintf("default-src 'self'; script-src %[1]s; connect-src %[1]s; style-src 'self'", apiURL))
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>A portal page</title></head><body>
<h1>Our portal</h1>
<div id="plain" data-kbsearch></div>
<div id="byod" data-kbsearch data-theme="byod" data-size="2" data-label="Search the BYOD documents"></div>
<script src="%s/static/embed.js" defer></script>
</body></html>`, apiURL)
	})
	portal := httptest.NewServer(portalPage)
	t.Cleanup(portal.Close)
	stranger := httptest.NewServer(portalPage) // an origin the API does not allow
	t.Cleanup(stranger.Close)

	apiURL = corsAPI(t, data, portal.URL)

	eval := evaluator(ctx, t)
	wait := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	// submit types q into the box of id and submits it.
	submit := func(id, q string) {
		t.Helper()
		eval(fmt.Sprintf(`(() => { const r = document.getElementById(%q).shadowRoot;
			r.querySelector('input').value = %q; r.querySelector('form').requestSubmit(); return true; })()`, id, q))
	}
	root := func(id string) string { return fmt.Sprintf(`document.getElementById(%q).shadowRoot`, id) }

	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/")); err != nil {
		t.Fatal(err)
	}
	wait("the boxes", root("plain")+` && `+root("byod")+` && `+root("byod")+`.querySelector('label').textContent === 'Search the BYOD documents'`)

	// The box's own look holds under the portal's policy.
	if bg := eval(`getComputedStyle(` + root("plain") + `.querySelector('button')).backgroundColor`); bg != "rgb(26, 79, 139)" {
		t.Errorf("button background %v: the box's style sheet did not apply", bg)
	}

	submit("plain", "bring your own device")
	wait("results", root("plain")+`.querySelectorAll('li').length > 0`)
	if first, _ := eval(root("plain") + `.querySelector('li .title').textContent`).(string); !strings.Contains(first, "Hamburg") {
		t.Errorf("first result %q, want a Hamburg document", first)
	}
	if n, _ := eval(root("plain") + `.querySelectorAll('li').length`).(float64); n != 5 {
		t.Errorf("%v results shown, want the default 5", n)
	}
	if marks, _ := eval(root("plain") + `.querySelectorAll('.snippet mark').length`).(float64); marks == 0 {
		t.Errorf("no <mark> in the snippets")
	}
	allLink, _ := eval(root("plain") + `.querySelector('a.all').href`).(string)
	if !strings.HasPrefix(allLink, apiURL+"/?") || !strings.Contains(allLink, "q=bring+your+own+device") {
		t.Errorf("all-results link %q, want the search page with the query", allLink)
	}

	// The preset filter holds: the BYOD box shows 2 hits and counts only
	// BYOD documents.
	var want search.Result
	getJSON(t, apiURL+"/api/v1/search?q=school&theme=byod", 200, &want)
	submit("byod", "school")
	wait("filtered results", root("byod")+`.querySelectorAll('li').length > 0`)
	status, _ := eval(root("byod") + `.querySelector('.status').textContent`).(string)
	if !strings.HasPrefix(status, fmt.Sprintf("%d result", want.Total)) {
		t.Errorf("BYOD box status %q, want %d results (the API's count with theme=byod)", status, want.Total)
	}
	if n, _ := eval(root("byod") + `.querySelectorAll('li').length`).(float64); n != float64(min(2, want.Total)) {
		t.Errorf("BYOD box shows %v results, want %d", n, min(2, want.Total))
	}

	// A text whose parentheses do not pair up finds results, and the
	// status line says it was searched as plain words.
	submit("plain", "1) bring your own device 2) schools")
	wait("the notice", root("plain")+`.querySelector('.status').textContent.includes('plain words')`)
	if n, _ := eval(root("plain") + `.querySelectorAll('li').length`).(float64); n == 0 {
		t.Errorf("no results shown for a query searched as plain words")
	}

	// Suggestions while typing.
	eval(fmt.Sprintf(`(() => { const i = %s.querySelector('input'); i.focus(); i.value = 'computational thi';
		i.dispatchEvent(new Event('input')); return true; })()`, root("plain")))
	wait("suggestions", root("plain")+`.querySelectorAll('[role=option]').length > 0`)

	// From an origin the API does not allow, the browser withholds the
	// answer: the box says the service could not be reached.
	if err := chromedp.Do(ctx, chromedp.Navigate(stranger.URL+"/")); err != nil {
		t.Fatal(err)
	}
	wait("the boxes", root("plain"))
	submit("plain", "bring your own device")
	wait("the error", root("plain")+`.querySelector('.status').textContent.includes('could not be reached')`)
	if n, _ := eval(root("plain") + `.querySelectorAll('li').length`).(float64); n != 0 {
		t.Errorf("%v results shown on an origin that is not allowed", n)
	}
}

// corsAPI serves the API over the demo index under data for the test's
// life, allowing cross-origin requests from origin, and returns its URL.
func corsAPI(t *testing.T, data, origin string) string {
	t.Helper()
	live, err := indexer.NewLive(data+"/index", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	srv := httpapi.New(httpapi.Options{Backend: search.New(live, search.Options{}), AllowedOrigins: []string{origin}})
	api := httptest.NewServer(srv.Handler())
	t.Cleanup(api.Close)
	return api.URL
}
