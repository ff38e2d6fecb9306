package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kbsearch/kbsearch/search"
)

// fakeBackend records what it is asked and returns canned answers.
type fakeBackend struct {
	mu        sync.Mutex
	requests  []search.Request
	ids       []string
	suggested []string // "text"/size of each Suggest call

	result      *search.Result
	doc         *search.Document
	themes      []search.ThemeCount
	suggestions []search.Suggestion
	similar     []search.Related
	err         error // returned by every method when set
	panic       any   // every method panics with it when set

	// Export hands on the hits chunk at a time (0: search.ExportChunk),
	// calling beforeChunk with each chunk's number first; with exportStart
	// set, it says it started there and waits for exportGo before the
	// first chunk; exportErr is returned after the last chunk.
	chunk       int
	beforeChunk func(n int)
	exportStart chan struct{}
	exportGo    chan struct{}
	exportErr   error
}

var _ Backend = (*fakeBackend)(nil)

func (f *fakeBackend) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	if f.panic != nil {
		panic(f.panic)
	}
	if f.err != nil {
		return nil, f.err
	}
	if f.result == nil {
		return &search.Result{Query: req.Query, Page: req.Page, Size: req.Size}, nil
	}
	return f.result, nil
}

func (f *fakeBackend) Document(ctx context.Context, id string) (*search.Document, error) {
	f.mu.Lock()
	f.ids = append(f.ids, id)
	f.mu.Unlock()
	if f.panic != nil {
		panic(f.panic)
	}
	if f.err != nil {
		return nil, f.err
	}
	if f.doc == nil || f.doc.ID != id {
		return nil, search.Errorf(search.KindNotFound, "no document %q", id)
	}
	return f.doc, nil
}

func (f *fakeBackend) Themes(ctx context.Context) ([]search.ThemeCount, error) {
	if f.panic != nil {
		panic(f.panic)
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.themes, nil
}

func (f *fakeBackend) Suggest(ctx context.Context, text string, size int) ([]search.Suggestion, error) {
	f.mu.Lock()
	f.suggested = append(f.suggested, fmt.Sprintf("%q/%d", text, size))
	f.mu.Unlock()
	if f.panic != nil {
		panic(f.panic)
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.suggestions, nil
}

func (f *fakeBackend) Export(ctx context.Context, req search.Request, limit int, emit func(uint64, []search.Hit) error) error {
	res, err := f.Search(ctx, req)
	if err != nil {
		return err
	}
	if f.exportStart != nil {
		f.exportStart <- struct{}{}
		<-f.exportGo
	}
	hits := res.Hits[:min(limit, len(res.Hits))]
	chunk := f.chunk
	if chunk == 0 {
		chunk = search.ExportChunk
	}
	for i := 0; i == 0 || i < len(hits); i += chunk {
		if f.beforeChunk != nil {
			f.beforeChunk(i / chunk)
		}
		if err := emit(res.Total, hits[i:min(i+chunk, len(hits))]); err != nil {
			return err
		}
	}
	if f.exportErr != nil {
		return f.exportErr
	}
	return nil
}

func (f *fakeBackend) Label(facet, value string) string { return facet + ":" + value }

func (f *fakeBackend) Similar(ctx context.Context, id string) ([]search.Related, error) {
	return f.similar, nil
}

func (f *fakeBackend) Abstracts(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		out[id] = "Abstract of " + id + "."
	}
	return out, nil
}

// lastRequest returns the last search request and how many there were.
func (f *fakeBackend) lastRequest() (search.Request, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return search.Request{}, 0
	}
	return f.requests[len(f.requests)-1], len(f.requests)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logLines decodes the JSON log lines written to buf.
func logLines(t *testing.T, buf *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// newTestServer returns a server over b logging JSON at debug level into
// the returned buffer; with -v the lines are also shown.
func newTestServer(t *testing.T, b Backend, opts Options) (*Server, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	var w io.Writer = buf
	if testing.Verbose() {
		w = io.MultiWriter(buf, t.Output())
	}
	opts.Backend = b
	opts.Logger = slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if b == nil {
		opts.Backend = nil // a typed nil would not be a nil interface
	}
	return New(opts), buf
}

// do performs one request against h and validates the exchange against
// the contract (openapi.json); header holds alternating names and values.
func do(t *testing.T, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	checkContract(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
	return rec
}

// decodeError decodes an error body, failing the test if it is not one.
func decodeError(t *testing.T, rec *httptest.ResponseRecorder) errorDetail {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q, want application/json; charset=utf-8", ct)
	}
	var body errorBody
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	if body.Error.Code == "" || body.Error.Message == "" {
		t.Errorf("error body has an empty code or message: %+v", body.Error)
	}
	return body.Error
}

// diff returns "" when want and got are deeply equal, otherwise both in
// JSON, worded (-want +got).
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	return fmt.Sprintf("(-want +got)\n-%s\n+%s", w, g)
}

// The real searcher must keep satisfying Backend.
var _ Backend = (*search.Searcher)(nil)
