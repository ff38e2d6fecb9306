package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/web"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// cannedResult is a search result with one complete hit, one with nil
// lists, and facets with one name missing.
func cannedResult() *search.Result {
	return &search.Result{
		Query:  "digital competence",
		Total:  42,
		Page:   2,
		Size:   2,
		TookMS: 3.5,
		Hits: []search.Hit{
			{
				ID:       "d41d8cd98f00b204",
				URL:      "https://portal.example/meetings/2017-03-tallinn/minutes.pdf",
				Title:    "Minutes of the peer-learning activity in Tallinn",
				Type:     "minutes",
				Date:     "2017-03-14",
				Themes:   []string{"digital-competence-frameworks", "teacher-training"},
				Score:    7.25,
				Snippets: []string{"the <mark>digital</mark> <mark>competence</mark> of teachers &amp; trainers"},
			},
			{
				ID:    "9e107d9d372bb682",
				URL:   "https://portal.example/about",
				Title: "About the working group",
				Type:  "page",
				Score: 1.5,
			},
		},
		Facets: map[string][]search.Facet{
			"theme": {{Value: "teacher-training", Label: "Teacher training", Count: 12}},
			"type":  {{Value: "minutes", Label: "Minutes", Count: 20}, {Value: "page", Label: "Page", Count: 22}},
			"year":  {{Value: "2017", Label: "2017", Count: 30}},
			"place": nil,
		},
	}
}

func TestSearchResponseGolden(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, &fakeBackend{result: cannedResult()}, Options{})
	rec := do(t, s.Handler(), http.MethodGet, "/api/v1/search?q=digital+competence&page=2&size=2")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q, want application/json; charset=utf-8", ct)
	}
	// Indent keeps the bytes of the wire form: field order and escaping.
	var buf bytes.Buffer
	if err := json.Indent(&buf, rec.Body.Bytes(), "", "  "); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	buf.WriteByte('\n')
	got := buf.Bytes()

	golden := filepath.Join("testdata", "search_response.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("search response changed (-want +got); if intended, run go test -update and bump the API version\n-%s\n+%s", want, got)
	}
}

func TestSearchResponseNeverNull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		res  *search.Result
	}{
		{"nil lists", &search.Result{Query: "x", Page: 1, Size: 10}},
		{"canned", cannedResult()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, &fakeBackend{result: tt.res}, Options{})
			rec := do(t, s.Handler(), http.MethodGet, "/api/v1/search?q=x")
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			if strings.Contains(rec.Body.String(), "null") {
				t.Errorf("response has a null: %s", rec.Body)
			}
			var got struct {
				Hits   []json.RawMessage          `json:"hits"`
				Facets map[string]json.RawMessage `json:"facets"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			for _, name := range search.FacetNames {
				if _, ok := got.Facets[name]; !ok {
					t.Errorf("facet %q missing from %s", name, rec.Body)
				}
			}
		})
	}
	// The backend's result must not be changed by the normalisation.
	res := &search.Result{}
	normalizeResult(res)
	if res.Hits != nil || res.Facets != nil {
		t.Errorf("normalizeResult modified its argument: %+v", res)
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	injectsErrors(t) // every kind from every route
	cause := errors.New("open /var/lib/kbsearch/gen-7/root.bolt: secret detail")
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"invalid", &search.Error{Kind: search.KindInvalid, Message: "unbalanced quote in query", Err: cause},
			400, "invalid_argument", "unbalanced quote in query"},
		{"not found", &search.Error{Kind: search.KindNotFound, Message: "no such thing", Err: cause},
			404, "not_found", "no such thing"},
		{"unavailable", &search.Error{Kind: search.KindUnavailable, Message: "no index yet", Err: cause},
			503, "unavailable", "no index yet"},
		{"internal kind", &search.Error{Kind: search.KindInternal, Message: "index read failed /var/secret", Err: cause},
			500, "internal", "internal error"},
		{"plain error", cause, 500, "internal", "internal error"},
		{"wrapped kind", errors.Join(errors.New("search"), search.Errorf(search.KindInvalid, "bad field")),
			400, "invalid_argument", "bad field"},
		{"deadline", context.DeadlineExceeded, 503, "busy", "the search took too long; try again"},
		{"busy", search.Errorf(search.KindBusy, "too many at once"), 503, "busy", "too many at once"},
	}
	for _, tt := range tests {
		for _, target := range []string{"/api/v1/search?q=x", "/api/v1/documents/abc", "/api/v1/themes"} {
			t.Run(tt.name+" "+target, func(t *testing.T) {
				s, logs := newTestServer(t, &fakeBackend{err: tt.err}, Options{})
				rec := do(t, s.Handler(), http.MethodGet, target, "X-Request-ID", "req-42")
				if rec.Code != tt.wantStatus {
					t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
				}
				wantRetry := ""
				if tt.wantCode == "busy" {
					wantRetry = "1"
				}
				if got := rec.Header().Get("Retry-After"); got != wantRetry {
					t.Errorf("Retry-After = %q, want %q", got, wantRetry)
				}
				if got := decodeError(t, rec); got != (errorDetail{Code: tt.wantCode, Message: tt.wantMsg}) {
					t.Errorf("error (-want +got)\n-%+v\n+%+v", errorDetail{Code: tt.wantCode, Message: tt.wantMsg}, got)
				}
				if strings.Contains(rec.Body.String(), "secret") {
					t.Errorf("body leaks the cause: %s", rec.Body)
				}
				var errorLines int
				for _, l := range logLines(t, logs) {
					if l["level"] == "WARN" && l["request_id"] == "req-42" && tt.wantCode == "busy" {
						errorLines++ // a busy answer is logged at warn
					}
					if l["level"] != "ERROR" {
						continue
					}
					errorLines++
					if l["request_id"] != "req-42" {
						t.Errorf("error log without the request id: %v", l)
					}
					if !strings.Contains(l["error"].(string), "secret detail") && tt.wantStatus == 500 {
						t.Errorf("error log without the cause: %v", l)
					}
				}
				switch {
				case tt.wantStatus >= 500 && errorLines != 1:
					t.Errorf("%d error-level log lines for a %d, want 1", errorLines, tt.wantStatus)
				case tt.wantStatus < 500 && errorLines != 0:
					t.Errorf("%d error-level log lines for a %d, want 0", errorLines, tt.wantStatus)
				}
			})
		}
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      search.Kind
		want      int
		wantRetry string
	}{
		{search.KindInvalid, 400, ""},
		{search.KindNotFound, 404, ""},
		{search.KindUnavailable, 503, ""},
		{search.KindBusy, 503, "1"},
		{search.KindInternal, 500, ""},
		{search.Kind(99), 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			if got, retry := statusOf(tt.kind); got != tt.want || retry != tt.wantRetry {
				t.Errorf("statusOf(%v) = %d, %q; want %d, %q", tt.kind, got, retry, tt.want, tt.wantRetry)
			}
		})
	}
}

func TestNotFoundAndMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
		wantCode   string
	}{
		{"unknown route", "GET", "/nope", 404, "not_found"},
		{"unknown api route", "GET", "/api/v2/search", 404, "not_found"},
		{"trailing slash not redirected", "GET", "/api/v1/search/", 404, "not_found"},
		{"unknown document", "GET", "/api/v1/documents/unknown", 404, "not_found"},
		{"no document id", "GET", "/api/v1/documents/", 404, "not_found"},
		{"unknown asset", "GET", "/static/nope.js", 404, "not_found"},
		{"asset directory", "GET", "/static/", 404, "not_found"},
		{"asset escape", "GET", "/static/../index.html", 404, "not_found"},
		{"post search", "POST", "/api/v1/search", 405, "method_not_allowed"},
		{"delete document", "DELETE", "/api/v1/documents/abc", 405, "method_not_allowed"},
		{"put healthz", "PUT", "/healthz", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := &fakeBackend{doc: &search.Document{ID: "abc"}}
			s, _ := newTestServer(t, fb, Options{})
			rec := do(t, s.Handler(), tt.method, tt.target)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if got := decodeError(t, rec); got.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", got.Code, tt.wantCode)
			}
			if tt.wantStatus == 405 && !strings.Contains(rec.Header().Get("Allow"), "GET") {
				t.Errorf("Allow = %q, want it to list GET", rec.Header().Get("Allow"))
			}
			if rec.Header().Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID on an error response")
			}
		})
	}
}

func TestDocument(t *testing.T) {
	t.Parallel()
	doc := &search.Document{
		ID: "abc123", URL: "https://portal.example/a", Title: "Key policy messages",
		Type: "key-messages", Date: time.Date(2018, 5, 3, 0, 0, 0, 0, time.UTC), Year: "2018",
	}
	fb := &fakeBackend{doc: doc}
	s, _ := newTestServer(t, fb, Options{})
	rec := do(t, s.Handler(), http.MethodGet, "/api/v1/documents/abc123")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	var got search.Document
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := *doc
	want.Themes = []string{}
	if d := diff(want, got); d != "" {
		t.Errorf("document %s", d)
	}
	if d := diff([]string{"abc123"}, fb.ids); d != "" {
		t.Errorf("ids asked of the backend %s", d)
	}
	if doc.Themes != nil {
		t.Error("the handler modified the backend's document")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil || string(raw["similar"]) != "[]" {
		t.Errorf("similar = %s, %v; want [] when there is none", raw["similar"], err)
	}

	fb.similar = []search.Related{{ID: "d2", Title: "Like it", URL: "https://portal.example/b", Type: "report", Date: "2018-06-01"}}
	rec = do(t, s.Handler(), http.MethodGet, "/api/v1/documents/abc123")
	var body struct {
		ID      string           `json:"id"`
		Similar []search.Related `json:"similar"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if d := diff(fb.similar, body.Similar); d != "" || body.ID != "abc123" {
		t.Errorf("similar %s (id %q)", d, body.ID)
	}
}

func TestThemes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		themes []search.ThemeCount
		want   string
	}{
		{"none", nil, `{"themes":[]}`},
		{"some", []search.ThemeCount{{ID: "coding", Label: "Coding", Description: "Programming in school", Count: 7}},
			`{"themes":[{"id":"coding","label":"Coding","description":"Programming in school","count":7}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, &fakeBackend{themes: tt.themes}, Options{})
			rec := do(t, s.Handler(), http.MethodGet, "/api/v1/themes")
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("body (-want +got)\n-%s\n+%s", tt.want, got)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	b := &fakeBackend{suggestions: []search.Suggestion{
		{Text: "Learning analytics", Kind: search.SuggestTheme, Theme: "learning-analytics", Count: 14},
		{Text: "learning", Kind: search.SuggestWord, Count: 40},
	}}
	s, _ := newTestServer(t, b, Options{})
	rec := do(t, s.Handler(), http.MethodGet, "/api/v1/suggest?q=Lea&size=5")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200: %s", rec.Code, rec.Body)
	}
	want := `{"query":"Lea","suggestions":[{"text":"Learning analytics","kind":"theme","theme":"learning-analytics","count":14},{"text":"learning","kind":"word","count":40}]}`
	if got := rec.Body.String(); got != want {
		t.Errorf("body (-want +got)\n-%s\n+%s", want, got)
	}
	// The text goes to the backend as typed (a final space matters); the
	// size defaults to search.DefaultSuggest.
	do(t, s.Handler(), http.MethodGet, "/api/v1/suggest?q=digital+")
	b.suggestions = nil
	rec = do(t, s.Handler(), http.MethodGet, "/api/v1/suggest?q=zz")
	if got := rec.Body.String(); got != `{"query":"zz","suggestions":[]}` {
		t.Errorf("no suggestions: body %s, want an empty list", got)
	}
	wantCalls := []string{`"Lea"/5`, fmt.Sprintf(`"digital "/%d`, search.DefaultSuggest), fmt.Sprintf(`"zz"/%d`, search.DefaultSuggest)}
	if !reflect.DeepEqual(b.suggested, wantCalls) {
		t.Errorf("backend calls %q, want %q", b.suggested, wantCalls)
	}
	for _, target := range []string{"/api/v1/suggest?q=a&size=0", "/api/v1/suggest?q=a&size=21", "/api/v1/suggest?q=a&q=b", "/api/v1/suggest?q=%ff"} {
		rec := do(t, s.Handler(), http.MethodGet, target)
		if rec.Code != http.StatusBadRequest || decodeError(t, rec).Code != "invalid_argument" {
			t.Errorf("%s: status %d %s, want 400 invalid_argument", target, rec.Code, rec.Body)
		}
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		backend    Backend
		version    string
		wantStatus int
		wantBody   string // exact, for 200
		wantCode   string // for errors
	}{
		{"ok", &fakeBackend{}, "", 200, `{"status":"ok"}`, ""},
		{"ok with version", &fakeBackend{}, "v1.2.3", 200, `{"status":"ok","version":"v1.2.3"}`, ""},
		// The process is alive whatever the index: that is /readyz.
		{"no index yet", &fakeBackend{err: search.Errorf(search.KindUnavailable, "no index")}, "", 200, `{"status":"ok"}`, ""},
		{"no backend", nil, "", 200, `{"status":"ok"}`, ""},
		{"broken", &fakeBackend{err: errors.New("disk")}, "", 200, `{"status":"ok"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, tt.backend, Options{Version: tt.version})
			rec := do(t, s.Handler(), http.MethodGet, "/healthz")
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if tt.wantStatus == 200 {
				if got := rec.Body.String(); got != tt.wantBody {
					t.Errorf("body (-want +got)\n-%s\n+%s", tt.wantBody, got)
				}
				return
			}
			if got := decodeError(t, rec); got.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", got.Code, tt.wantCode)
			}
		})
	}
}

func TestNoBackend(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil, Options{})
	for _, target := range []string{"/api/v1/search?q=x", "/api/v1/documents/x", "/api/v1/themes", "/api/v1/suggest?q=x"} {
		t.Run(target, func(t *testing.T) {
			rec := do(t, s.Handler(), http.MethodGet, target)
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("status = %d, want 503", rec.Code)
			}
			if got := decodeError(t, rec); got.Code != "unavailable" {
				t.Errorf("code = %q, want unavailable", got.Code)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	const allowed = "https://schools.example"
	origins := []string{allowed, "not a url", "https://path.example/x"}
	tests := []struct {
		name       string
		origins    []string
		method     string
		header     []string
		wantStatus int
		wantACAO   string
		wantVary   bool
	}{
		{"allowed origin", origins, "GET", []string{"Origin", allowed}, 200, allowed, true},
		{"other origin", origins, "GET", []string{"Origin", "https://evil.example"}, 200, "", true},
		{"no origin header", origins, "GET", nil, 200, "", true},
		{"malformed entry ignored", origins, "GET", []string{"Origin", "not a url"}, 200, "", true},
		{"entry with a path ignored", origins, "GET", []string{"Origin", "https://path.example"}, 200, "", true},
		{"none configured", nil, "GET", []string{"Origin", allowed}, 200, "", false},
		{"preflight allowed", origins, "OPTIONS",
			[]string{"Origin", allowed, "Access-Control-Request-Method", "GET"}, 204, allowed, true},
		{"preflight other origin", origins, "OPTIONS",
			[]string{"Origin", "https://evil.example", "Access-Control-Request-Method", "GET"}, 405, "", true},
		{"preflight none configured", nil, "OPTIONS",
			[]string{"Origin", allowed, "Access-Control-Request-Method", "GET"}, 405, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, &fakeBackend{}, Options{AllowedOrigins: tt.origins})
			rec := do(t, s.Handler(), tt.method, "/api/v1/search?q=x", tt.header...)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			h := rec.Header()
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.wantACAO {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantACAO)
			}
			if got := strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin"); got != tt.wantVary {
				t.Errorf("Vary has Origin = %v, want %v (Vary %q)", got, tt.wantVary, h.Values("Vary"))
			}
			if tt.wantStatus == 204 {
				if got := h.Get("Access-Control-Allow-Methods"); got != "GET, OPTIONS" {
					t.Errorf("Access-Control-Allow-Methods = %q, want GET, OPTIONS", got)
				}
				if rec.Body.Len() != 0 {
					t.Errorf("preflight has a body: %q", rec.Body)
				}
			}
			if tt.wantACAO != "" && h.Get("Access-Control-Expose-Headers") != "X-Request-ID" {
				t.Errorf("Access-Control-Expose-Headers = %q, want X-Request-ID", h.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

func TestPageAndAssets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target    string
		wantType  string
		wantCache string
		wantText  string
	}{
		{"/", "text/html; charset=utf-8", "no-cache", `role="search"`},
		// Under their plain names (the page links to hashed ones, assets_test.go).
		{"/static/app.en.js", "text/javascript; charset=utf-8", "public, max-age=300", "api/v1/search"},
		{"/static/style.css", "text/css; charset=utf-8", "public, max-age=300", "mark"},
		{"/static/favicon.svg", "image/svg+xml", "public, max-age=300", "<svg"},
		{"/static/embed.js", "text/javascript; charset=utf-8", "public, max-age=300", "data-kbsearch"},
	}
	s, _ := newTestServer(t, &fakeBackend{}, Options{AllowedOrigins: []string{"https://schools.example"}})
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := do(t, s.Handler(), http.MethodGet, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			h := rec.Header()
			if got := h.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := h.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if !strings.Contains(rec.Body.String(), tt.wantText) {
				t.Errorf("body does not contain %q", tt.wantText)
			}
			etag := h.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			again := do(t, s.Handler(), http.MethodGet, tt.target, "If-None-Match", etag)
			if again.Code != http.StatusNotModified {
				t.Errorf("conditional GET status = %d, want 304", again.Code)
			}
		})
	}
	t.Run("page policy", func(t *testing.T) {
		rec := do(t, s.Handler(), http.MethodGet, "/")
		csp := rec.Header().Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'self' https://schools.example"} {
			if !strings.Contains(csp, want) {
				t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
			}
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		rec := do(t, s.Handler(), http.MethodHead, "/")
		if rec.Code != http.StatusOK {
			t.Errorf("HEAD / status = %d, want 200", rec.Code)
		}
	})
}

// TestPageReferencesExist checks that every asset index.html links to is
// embedded and served, under its plain name (in each language) and, from
// the served page, under its hashed name.
func TestPageReferencesExist(t *testing.T) {
	t.Parallel()
	page, err := fs.ReadFile(web.FS, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`(?:href|src)="(static/[^"]+)"`)
	var refs [][]string
	for _, lang := range []string{"en", "fr", "de"} {
		refs = append(refs, ref.FindAllStringSubmatch(strings.ReplaceAll(string(page), "{lang}", lang), -1)...)
	}
	if len(refs) < 3 {
		t.Fatalf("index.html links to %d assets, want at least the script, style sheet and icon", len(refs))
	}
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	served := ref.FindAllStringSubmatch(do(t, s.Handler(), http.MethodGet, "/").Body.String(), -1)
	if len(served) != len(refs)/3 {
		t.Errorf("the served page links to %d assets, index.html to %d", len(served), len(refs)/3)
	}
	for _, r := range append(refs, served...) {
		t.Run(r[1], func(t *testing.T) {
			if rec := do(t, s.Handler(), http.MethodGet, "/"+r[1]); rec.Code != http.StatusOK {
				t.Errorf("GET /%s status = %d, want 200", r[1], rec.Code)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name     string
		sent     string
		wantEcho bool
	}{
		{"absent", "", false},
		{"echoed", "abc-123_x.y:z", true},
		{"unsafe replaced", "abc\"<script>", false},
		{"too long replaced", strings.Repeat("a", maxRequestIDLen+1), false},
		{"longest echoed", strings.Repeat("a", maxRequestIDLen), true},
	}
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h []string
			if tt.sent != "" {
				h = []string{"X-Request-ID", tt.sent}
			}
			rec := do(t, s.Handler(), http.MethodGet, "/healthz", h...)
			got := rec.Header().Get("X-Request-ID")
			if tt.wantEcho {
				if got != tt.sent {
					t.Errorf("X-Request-ID = %q, want %q echoed", got, tt.sent)
				}
				return
			}
			if !hexID.MatchString(got) {
				t.Errorf("X-Request-ID = %q, want a generated 32-digit hex id", got)
			}
		})
	}
}

func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"/api/v1/search?q=x", "/api/v1/documents/x", "/api/v1/themes"} {
		t.Run(target, func(t *testing.T) {
			s, logs := newTestServer(t, &fakeBackend{panic: "index exploded at /secret/path"}, Options{})
			rec := do(t, s.Handler(), http.MethodGet, target, "X-Request-ID", "boom-1")
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("status = %d, want 500", rec.Code)
			}
			if got := decodeError(t, rec); got != (errorDetail{Code: "internal", Message: "internal error"}) {
				t.Errorf("error = %+v, want internal / internal error", got)
			}
			if rec.Header().Get("X-Request-ID") != "boom-1" {
				t.Errorf("X-Request-ID = %q, want boom-1", rec.Header().Get("X-Request-ID"))
			}
			var logged bool
			for _, l := range logLines(t, logs) {
				if l["level"] == "ERROR" && l["request_id"] == "boom-1" &&
					strings.Contains(l["panic"].(string), "index exploded") {
					logged = true
				}
			}
			if !logged {
				t.Errorf("panic not logged at error level with the request id:\n%s", logs)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	s, logs := newTestServer(t, &fakeBackend{}, Options{})
	do(t, s.Handler(), http.MethodGet, "/api/v1/search?q=private+words", "X-Request-ID", "acc-1")
	var found bool
	for _, l := range logLines(t, logs) {
		if l["msg"] != "httpapi: request" {
			continue
		}
		found = true
		want := map[string]any{"level": "INFO", "method": "GET", "path": "/api/v1/search",
			"status": float64(200), "request_id": "acc-1"}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("access log %s = %v, want %v", k, l[k], v)
			}
		}
		if _, ok := l["duration"]; !ok {
			t.Errorf("access log has no duration: %v", l)
		}
	}
	if !found {
		t.Fatalf("no access log line:\n%s", logs)
	}
	if strings.Contains(logs.String(), "private") {
		t.Errorf("the query was logged:\n%s", logs)
	}
}

func TestExport(t *testing.T) {
	t.Parallel()
	b := &fakeBackend{result: &search.Result{Total: 42, Hits: []search.Hit{
		{ID: "a", Title: "First, with a comma", Type: "report", URL: "http://p/a.pdf", Themes: []string{"oer"}},
		{ID: "b", Title: "Second", Type: "minutes", URL: "http://p/b.html"},
	}}}
	s, _ := newTestServer(t, b, Options{})
	rec := do(t, s.Handler(), http.MethodGet, "/api/v1/export?q=open+educational%2Fresources&theme=oer&limit=2&page=3")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := h.Get("Content-Disposition"); cd != `attachment; filename="kbsearch-open-educational-resources.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if n := h.Get("X-Total-Count"); n != "42" {
		t.Errorf("X-Total-Count %q", n)
	}
	want := "\uFEFF" + "rank,title,type,date,themes,url,page,translations\n" +
		"1,\"First, with a comma\",type:report,,theme:oer,http://p/a.pdf,,\n" +
		"2,Second,type:minutes,,,http://p/b.html,,\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body:\n%s\nwant:\n%s", got, want)
	}
	req, _ := b.lastRequest()
	if req.Query != "open educational/resources" || len(req.Themes) != 1 || req.Themes[0] != "oer" {
		t.Errorf("backend asked %+v", req)
	}
	for _, target := range []string{"/api/v1/export?limit=0", "/api/v1/export?limit=1001", "/api/v1/export?sort=up"} {
		if rec := do(t, s.Handler(), http.MethodGet, target); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, rec.Code)
		}
	}
	if got := exportName(""); got != "kbsearch-all" {
		t.Errorf("exportName of no query = %q", got)
	}
	// Only ASCII letters and digits make the name (a header value).
	if got := exportName(`"Learning analytics" -coding ÉTÉ`); got != "kbsearch-learning-analytics-coding-t" {
		t.Errorf("exportName = %q", got)
	}
}

func TestExportRIS(t *testing.T) {
	b := &fakeBackend{result: &search.Result{Total: 2, Hits: []search.Hit{
		{ID: "a", Title: "Report on open\nresources", Type: "report", URL: "http://p/a.pdf", Date: "2017-04-25", Themes: []string{"oer", "policy"}, Lang: "en"},
		{ID: "b", Title: "A page", Type: "page", URL: "http://p/b.html"},
	}}}
	s, _ := newTestServer(t, b, Options{})
	rec := do(t, s.Handler(), http.MethodGet, "/api/v1/export?q=oer&format=ris")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/x-research-info-systems; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="kbsearch-oer.ris"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	want := "TY  - RPRT\r\nTI  - Report on open resources\r\nPY  - 2017\r\nDA  - 2017/04/25\r\nUR  - http://p/a.pdf\r\n" +
		"KW  - theme:oer\r\nKW  - theme:policy\r\nLA  - en\r\nAB  - Abstract of a.\r\nID  - a\r\nER  - \r\n\r\n" +
		"TY  - ELEC\r\nTI  - A page\r\nUR  - http://p/b.html\r\nAB  - Abstract of b.\r\nID  - b\r\nER  - \r\n\r\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body:\n%q\nwant:\n%q", got, want)
	}
	for _, target := range []string{"/api/v1/export?format=bibtex", "/api/v1/export?format=ris&format=csv"} {
		if rec := do(t, s.Handler(), http.MethodGet, target); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, rec.Code)
		}
	}
	if rec := do(t, s.Handler(), http.MethodHead, "/api/v1/export?format=ris"); rec.Code != http.StatusOK {
		t.Errorf("HEAD: status %d", rec.Code)
	}
}

// atomFeed is what TestFeed reads of a feed.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary    string `xml:"summary"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

func TestFeed(t *testing.T) {
	b := &fakeBackend{result: &search.Result{Total: 3, Hits: []search.Hit{
		{ID: "new", Title: "Minutes <of> May", Type: "minutes", URL: "http://p/new.html", Date: "2018-05-02", Themes: []string{"oer"}},
		{ID: "old", Title: "Agenda", Type: "agenda", URL: "http://p/old.html", Date: "2016-02-01"},
		{ID: "undated", Title: "About", Type: "page", URL: "http://p/about.html"},
	}}}
	s, _ := newTestServer(t, b, Options{})
	rec := do(t, s.Handler(), http.MethodGet, "/api/v1/feed?theme=oer&q=open&sort=relevance&size=3")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var f atomFeed
	if err := xml.Unmarshal(rec.Body.Bytes(), &f); err != nil {
		t.Fatalf("not XML: %v\n%s", err, rec.Body)
	}
	if req, _ := b.lastRequest(); req.Sort != search.SortNewest {
		t.Errorf("sort asked %q, want newest whatever the link says", req.Sort)
	}
	if f.Updated != "2018-05-02T00:00:00Z" || !strings.HasPrefix(f.ID, "urn:kbsearch:feed:") || f.Title != "kbsearch: “open”, theme:oer" {
		t.Errorf("feed id %q, title %q, updated %q", f.ID, f.Title, f.Updated)
	}
	if len(f.Links) != 2 || f.Links[0].Rel != "self" || f.Links[0].Href != "/api/v1/feed?q=open&theme=oer" {
		t.Errorf("links %+v", f.Links)
	}
	if len(f.Entries) != 2 {
		t.Fatalf("%d entries, want the 2 dated ones: %s", len(f.Entries), rec.Body)
	}
	e := f.Entries[0]
	if e.ID != "urn:kbsearch:document:new" || e.Title != "Minutes <of> May" || e.Updated != "2018-05-02T00:00:00Z" ||
		e.Link.Href != "http://p/new.html" || e.Summary != "Abstract of new." || len(e.Categories) != 1 || e.Categories[0].Term != "oer" {
		t.Errorf("first entry %+v", e)
	}
	if f.Entries[1].ID != "urn:kbsearch:document:old" {
		t.Errorf("second entry %+v", f.Entries[1])
	}
	// The same search in another order is the same feed.
	rec2 := do(t, s.Handler(), http.MethodGet, "/api/v1/feed?q=open&theme=oer")
	var f2 atomFeed
	if err := xml.Unmarshal(rec2.Body.Bytes(), &f2); err != nil || f2.ID != f.ID {
		t.Errorf("feed id %q, want %q (%v)", f2.ID, f.ID, err)
	}
	if rec := do(t, s.Handler(), http.MethodGet, "/api/v1/feed?type=nosuch"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad type: status %d", rec.Code)
	}
	if rec := do(t, s.Handler(), http.MethodHead, "/api/v1/feed"); rec.Code != http.StatusOK {
		t.Errorf("HEAD: status %d", rec.Code)
	}
}
