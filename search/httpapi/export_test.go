package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/search"
)

// manyHits returns a result of n hits.
func manyHits(n int) *search.Result {
	res := &search.Result{Total: uint64(n)}
	for i := range n {
		res.Hits = append(res.Hits, search.Hit{ID: fmt.Sprint(i), Title: fmt.Sprint("Document ", i), Type: "report", URL: fmt.Sprint("http://p/", i)})
	}
	return res
}

// An export is written as the backend hands it on: when the backend loads
// a chunk, the rows of the chunks before it are already written and
// flushed, so the server holds one chunk of rows, never the whole file.
func TestExportStreams(t *testing.T) {
	t.Parallel()
	const n, chunk = 95, 10
	rec := httptest.NewRecorder()
	var seen []int // CSV lines written when each chunk was loaded
	b := &fakeBackend{result: manyHits(n), chunk: chunk}
	b.beforeChunk = func(int) {
		if rec.Body.Len() > 0 && !rec.Flushed {
			t.Error("rows written but not flushed")
		}
		seen = append(seen, strings.Count(rec.Body.String(), "\n"))
	}
	s, _ := newTestServer(t, b, Options{})
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/export?q=x", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := strings.Count(rec.Body.String(), "\n"); got != n+1 {
		t.Errorf("%d lines, want %d", got, n+1)
	}
	if len(seen) != (n+chunk-1)/chunk {
		t.Fatalf("%d chunks, want %d", len(seen), (n+chunk-1)/chunk)
	}
	for i, lines := range seen {
		want := 0
		if i > 0 {
			want = 1 + i*chunk // the header and the rows before
		}
		if lines != want {
			t.Errorf("chunk %d loaded with %d lines written, want %d", i, lines, want)
		}
	}
}

// With every export slot taken, the next export waits QueueWait and gets
// 503 busy with Retry-After; the exports in flight finish whole.
func TestExportsInFlight(t *testing.T) {
	const limit = 2
	b := &fakeBackend{result: manyHits(120), exportStart: make(chan struct{}), exportGo: make(chan struct{})}
	s, _ := newTestServer(t, b, Options{MaxExports: limit, QueueWait: 10 * time.Millisecond})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	done := make(chan response, limit)
	for range limit {
		go func() { done <- fetch(t, ctx, ts.URL+"/api/v1/export?q=x") }()
	}
	for range limit {
		<-b.exportStart // both hold a slot, waiting in the backend
	}
	wantBusy(t, "export over the limit", fetch(t, ctx, ts.URL+"/api/v1/export?q=x"), "too many exports at once")
	if r := fetch(t, ctx, ts.URL+"/api/v1/search?q=x"); r.status != http.StatusOK {
		t.Errorf("search beside the exports: status %d, want 200", r.status)
	}
	close(b.exportGo)
	for range limit {
		r := <-done
		if r.status != http.StatusOK || strings.Count(r.body, "\n") != 121 {
			t.Errorf("export in flight: status %d, %d lines; want 200 and 121", r.status, strings.Count(r.body, "\n"))
		}
	}
	b.exportStart = nil
	if r := fetch(t, ctx, ts.URL+"/api/v1/export?q=x"); r.status != http.StatusOK {
		t.Errorf("export with the slots free: status %d, want 200", r.status)
	}
}

// An export that fails after its first rows cannot change its status: the
// connection is cut, so the client sees a broken download, not a short
// file that looks whole. One that fails before is the JSON error.
func TestExportFailsMidway(t *testing.T) {
	t.Parallel()
	b := &fakeBackend{result: manyHits(120), exportErr: search.Errorf(search.KindBusy, "the search took too long; try again")}
	s, logs := newTestServer(t, b, Options{})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	resp, err := http.Get(ts.URL + "/api/v1/export?q=x")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("status %d, read error %v after %d bytes; want 200 and an unexpected EOF", resp.StatusCode, err, len(body))
	}
	if !strings.Contains(logs.String(), "export cut short") {
		t.Errorf("the cut is not logged:\n%s", logs)
	}

	b.exportErr, b.err = nil, search.Errorf(search.KindUnavailable, "no index")
	rec := do(t, s.Handler(), http.MethodGet, "/api/v1/export?q=x")
	if rec.Code != http.StatusServiceUnavailable || decodeError(t, rec).Code != "unavailable" {
		t.Errorf("failing before the first row: status %d %s, want 503 unavailable", rec.Code, rec.Body)
	}
}
