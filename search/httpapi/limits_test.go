package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
)

// boundedServer serves a real searcher over 300 synthetic documents
// through a real HTTP listener, with opts and a metrics registry.
func boundedServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	r := indexertest.Reader(t, indexertest.SyntheticDocs(300), true)
	opts.Metrics = prometheus.NewRegistry()
	s, _ := newTestServer(t, search.New(r, search.Options{}), opts)
	ts := httptest.NewServer(contractHandler(t, s.Handler()))
	t.Cleanup(ts.Close)
	return s, ts
}

// response is what a test reads of an answer.
type response struct {
	status     int
	retryAfter string
	err        errorDetail // of an error body
	body       string
}

// fetch gets url over a connection of its own (no keep-alive, so that no
// idle connection outlives the call) and reads the whole answer.
func fetch(t *testing.T, ctx context.Context, url string) response {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(b)}
	if resp.StatusCode >= 400 {
		var eb errorBody
		if err := json.Unmarshal(b, &eb); err != nil {
			t.Errorf("GET %s: error body %q: %v", url, b, err)
		}
		out.err = eb.Error
	}
	return out
}

// wantBusy fails the test unless r is a 503 "busy" with Retry-After: 1 and
// a message containing msg.
func wantBusy(t *testing.T, what string, r response, msg string) {
	t.Helper()
	if r.status != http.StatusServiceUnavailable || r.retryAfter != "1" || r.err.Code != "busy" || !strings.Contains(r.err.Message, msg) {
		t.Errorf("%s: %d Retry-After %q %+v; want 503, Retry-After 1, code busy, a message with %q",
			what, r.status, r.retryAfter, r.err, msg)
	}
}

// waitFor polls cond every millisecond for up to 5 s and reports whether
// it became true.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// metricsText returns what GET /metrics serves.
func metricsText(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	r := fetch(t, context.Background(), ts.URL+"/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("/metrics: status %d", r.status)
	}
	return r.body
}

// TestSearchDeadline: with a deadline of 1 ns every bounded route of a
// real index answers 503 busy with Retry-After and a JSON error, the
// rejections are counted, and no goroutine is left behind.
func TestSearchDeadline(t *testing.T) {
	_, ts := boundedServer(t, Options{SearchTimeout: time.Nanosecond})
	ctx := context.Background()
	// One request first, so that what the first request starts for good
	// (the HTTP server's and gin's lazily made helpers) is in the count.
	fetch(t, ctx, ts.URL+"/healthz")
	before := runtime.NumGoroutine()

	targets := []string{
		"/api/v1/search?q=digital+assessment+tablet",
		"/api/v1/search?q=%22digital+assessment%22&sort=newest",
		"/api/v1/suggest?q=digital+as",
		"/api/v1/export?q=tablet",
		"/api/v1/documents/doc-1",
	}
	const rounds = 4
	for range rounds {
		for _, target := range targets {
			wantBusy(t, target, fetch(t, ctx, ts.URL+target), "took too long")
		}
	}
	// Themes and the health check are not bounded.
	if r := fetch(t, ctx, ts.URL+"/api/v1/themes"); r.status != http.StatusOK {
		t.Errorf("/api/v1/themes: status %d, want 200", r.status)
	}

	const tolerance = 1
	var now int
	if !waitFor(func() bool { now = runtime.NumGoroutine(); return now <= before+tolerance }) {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before the requests, %d after, want at most %d more:\n%s",
			before, now, tolerance, buf[:runtime.Stack(buf, true)])
	}
	m := metricsText(t, ts)
	for _, want := range []string{
		`kbsearch_http_rejected_total{reason="deadline"} 20`,
		`kbsearch_http_rejected_total{reason="busy"} 0`,
		`kbsearch_http_inflight 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestSearchWithinDeadline: the default deadline leaves an ordinary
// search of the same index alone.
func TestSearchWithinDeadline(t *testing.T) {
	_, ts := boundedServer(t, Options{})
	r := fetch(t, context.Background(), ts.URL+"/api/v1/search?q=digital+assessment+tablet")
	var res search.Result
	if err := json.Unmarshal([]byte(r.body), &res); err != nil || r.status != http.StatusOK || res.Total == 0 {
		t.Errorf("search: status %d, %d hits, %v; want 200 with hits", r.status, res.Total, err)
	}
}

// TestInFlightLimit: with one slot held, a search waits QueueWait and is
// turned away with 503 busy; once the slot is free it is served.
func TestInFlightLimit(t *testing.T) {
	s, ts := boundedServer(t, Options{MaxInFlight: 1, QueueWait: 20 * time.Millisecond})
	ctx := context.Background()
	release, err := s.limit.acquire(ctx, false) // a search in flight
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/api/v1/search?q=tablet", "/api/v1/suggest?q=tab", "/api/v1/documents/doc-1"} {
		wantBusy(t, target, fetch(t, ctx, ts.URL+target), "too many searches at once")
	}
	// Exports have slots of their own.
	if r := fetch(t, ctx, ts.URL+"/api/v1/export?q=tablet"); r.status != http.StatusOK {
		t.Errorf("export beside a search holding the one slot: status %d %+v, want 200", r.status, r.err)
	}
	m := metricsText(t, ts)
	for _, want := range []string{
		`kbsearch_http_rejected_total{reason="busy"} 3`,
		`kbsearch_http_rejected_total{reason="deadline"} 0`,
		`kbsearch_http_inflight 1`,
		`kbsearch_http_inflight_limit 1`,
		`kbsearch_http_queued 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	release()
	if r := fetch(t, ctx, ts.URL+"/api/v1/search?q=tablet"); r.status != http.StatusOK {
		t.Errorf("search with the slot free: status %d %+v, want 200", r.status, r.err)
	}
}

// TestQueueWait: a request that finds no slot waits for one; freed in
// time, it is served. A client that gives up while waiting is counted as
// gone.
func TestQueueWait(t *testing.T) {
	s, ts := boundedServer(t, Options{MaxInFlight: 1, QueueWait: time.Minute})
	ctx := context.Background()
	release, err := s.limit.acquire(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan response, 1)
	go func() { done <- fetch(t, ctx, ts.URL+"/api/v1/search?q=tablet") }()
	if !waitFor(func() bool { return s.limit.queued.Load() == 1 }) {
		t.Fatal("the search never queued")
	}
	release()
	if r := <-done; r.status != http.StatusOK {
		t.Errorf("queued search: status %d %+v, want 200", r.status, r.err)
	}

	release, err = s.limit.acquire(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(cctx, http.MethodGet, ts.URL+"/api/v1/search?q=tablet", nil)
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	if !waitFor(func() bool { return s.limit.queued.Load() == 1 }) {
		t.Fatal("the second search never queued")
	}
	cancel()
	if err := <-errc; err == nil {
		t.Error("the cancelled request got an answer")
	}
	if !waitFor(func() bool {
		return s.limit.queued.Load() == 0 && strings.Contains(metricsText(t, ts), `kbsearch_http_rejected_total{reason="canceled"} 1`)
	}) {
		t.Errorf("a client gone while queued is not counted:\n%s", metricsText(t, ts))
	}
}

// TestExportLimit: exports have slots of their own; with them all taken,
// an export is turned away while searches are served.
func TestExportLimit(t *testing.T) {
	s, ts := boundedServer(t, Options{MaxInFlight: 4, MaxExports: 2, QueueWait: time.Millisecond})
	ctx := context.Background()
	for range 2 { // two exports in flight
		release, err := s.limit.acquire(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
	}
	wantBusy(t, "export", fetch(t, ctx, ts.URL+"/api/v1/export?q=tablet"), "too many exports at once")
	if r := fetch(t, ctx, ts.URL+"/api/v1/search?q=tablet"); r.status != http.StatusOK {
		t.Errorf("search beside the exports: status %d %+v, want 200", r.status, r.err)
	}
	if got := len(s.limit.all); got != 0 {
		t.Errorf("%d search slots held after the requests, want 0", got)
	}
	m := metricsText(t, ts)
	for _, want := range []string{`kbsearch_http_exports_inflight 2`, `kbsearch_http_exports_limit 2`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
