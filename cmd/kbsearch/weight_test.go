package main

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Issue 12's page weight targets, compressed: the search page's first load
// (HTML, script, style sheet, icon and the API answers it asks for) and
// the box's (its script; it asks the API nothing until one types).
const (
	maxFirstLoadBytes = 20 << 10
	maxBoxLoadBytes   = 10 << 10
)

// TestPageWeightInBrowser loads the search page over the demo index in
// headless Chromium, which asks for gzip as browsers do, and adds up the
// bytes of every response body as they came over the wire (the Resource
// Timing API's encodedBodySize) once the first results are shown.
func TestPageWeightInBrowser(t *testing.T) {
	ctx := browserContext(t)
	_, _, api, _ := demoPipeline(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(api.URL+"/"),
		chromedp.Poll[chromedp.Void](`document.querySelector('#status').textContent !== ''`,
			chromedp.WithPollingTimeout(10*time.Second)),
	)
	if err != nil {
		t.Fatal(err)
	}
	js := evaluator(ctx, t)(`JSON.stringify(performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
		.map(e => ({url: e.name, wire: e.encodedBodySize, body: e.decodedBodySize})))`).(string)
	var entries []struct {
		URL        string
		Wire, Body int
	}
	if err := json.Unmarshal([]byte(js), &entries); err != nil {
		t.Fatal(err)
	}
	var wire, body int
	for _, e := range entries {
		t.Logf("%6d bytes, %6d on the wire  %s", e.Body, e.Wire, e.URL)
		wire, body = wire+e.Wire, body+e.Body
	}
	t.Logf("first load: %d responses, %d bytes, %d on the wire (target %d)", len(entries), body, wire, maxFirstLoadBytes)
	if len(entries) < 5 {
		t.Errorf("%d responses, want the page, its script, style sheet and icon and the API's", len(entries))
	}
	if wire > maxFirstLoadBytes {
		t.Errorf("first load is %d bytes compressed, over %d", wire, maxFirstLoadBytes)
	}
	if wire*2 > body {
		t.Errorf("first load: %d bytes on the wire for %d: not compressed", wire, body)
	}

	// The box: its script, as a portal page's browser gets it.
	req, _ := http.NewRequest(http.MethodGet, api.URL+"/static/embed.js", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("box script: %v, Content-Encoding %q", err, resp.Header.Get("Content-Encoding"))
	}
	t.Logf("box first load: %d bytes on the wire (target %d)", n, maxBoxLoadBytes)
	if n > maxBoxLoadBytes {
		t.Errorf("box script is %d bytes compressed, over %d", n, maxBoxLoadBytes)
	}
}
