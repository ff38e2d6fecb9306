package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// TestSearchPageInBrowser drives the research search page in headless
// Chromium against the API over the indexed demo portal: a query shows
// ranked results with marked snippets and facet counts, a facet checkbox
// narrows the results and lands in the page URL, and a bad query shows the
// API's message.
func TestSearchPageInBrowser(t *testing.T) {
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
	_, _, api, _ := demoPipeline(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	type CSS = chromedp.CSS
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(api.URL+"/"),
		chromedp.WaitVisible(CSS(`#q`)),
		chromedp.SendKeys(CSS(`#q`), "bring your own device"),
		chromedp.Submit(CSS(`#q`)),
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

	// Typing offers completions in the query box's datalist.
	eval(`document.querySelector('#q').value = ''`)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(CSS(`#q`), "computational thi"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#q-suggest option").length > 0`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if err != nil {
		t.Fatalf("no suggestions for a typed prefix: %v", err)
	}
	if opts, _ := eval(`Array.from(document.querySelectorAll('#q-suggest option')).map(o => o.value)`).([]any); len(opts) == 0 ||
		!strings.Contains(strings.ToLower(opts[0].(string)), "computational thinking") {
		t.Errorf("suggestions %v, want computational thinking first", opts)
	}

	// A misspelt query offers its correction, which searches when clicked.
	err = chromedp.Do(ctx,
		chromedp.SetValue(CSS(`#q`), "learning analitycs"),
		chromedp.Submit(CSS(`#q`)),
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

	// A query that cannot be parsed shows the API's message, not a crash.
	err = chromedp.Do(ctx,
		chromedp.SetValue(CSS(`#q`), "(teachers"),
		chromedp.Submit(CSS(`#q`)),
		chromedp.WaitVisible(CSS(`#error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(`#error`); !strings.Contains(msg, "unbalanced") {
		t.Errorf("error box %q, want the parser's message", msg)
	}
}
