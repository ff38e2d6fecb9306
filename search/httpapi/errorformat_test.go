package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/search"
)

// The GET routes of the API answer HEAD as GET does, without a body.
func TestHeadOnAPI(t *testing.T) {
	t.Parallel()
	fb := &fakeBackend{doc: &search.Document{ID: "abc", Type: "page"}, themes: []search.ThemeCount{}}
	s, _ := newTestServer(t, fb, Options{})
	for _, target := range []string{
		"/api/v1/search?q=x", "/api/v1/documents/abc", "/api/v1/themes", "/api/v1/suggest?q=x", "/api/v1/export?q=x",
	} {
		t.Run(target, func(t *testing.T) {
			get := do(t, s.Handler(), http.MethodGet, target)
			head := do(t, s.Handler(), http.MethodHead, target)
			if head.Code != get.Code || head.Code != http.StatusOK {
				t.Errorf("HEAD %d, GET %d; want 200 both", head.Code, get.Code)
			}
			if hc, gc := head.Header().Get("Content-Type"), get.Header().Get("Content-Type"); hc != gc {
				t.Errorf("HEAD Content-Type %q, GET %q", hc, gc)
			}
		})
	}
	t.Run("unknown document", func(t *testing.T) {
		if rec := do(t, s.Handler(), http.MethodHead, "/api/v1/documents/nope"); rec.Code != http.StatusNotFound {
			t.Errorf("HEAD of an unknown document: %d, want 404", rec.Code)
		}
	})
}

// Headers over the limit are answered 431 with the JSON error body, by the
// handler and by a served listener (where net/http would answer
// text/plain before the handler saw the request).
func TestHeadersTooLarge(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	big := strings.Repeat("x", 2*maxHeaderBytes) // over net/http's limit before the fix

	t.Run("handler", func(t *testing.T) {
		rec := do(t, s.Handler(), http.MethodGet, "/api/v1/search?q=x", "X-Big", big)
		if rec.Code != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("status %d, want 431", rec.Code)
		}
		if got := decodeError(t, rec); got.Code != "headers_too_large" {
			t.Errorf("code %q, want headers_too_large", got.Code)
		}
	})
	t.Run("just over", func(t *testing.T) {
		rec := do(t, s.Handler(), http.MethodGet, "/api/v1/search?q=x", "X-Big", big[:maxHeaderBytes])
		if rec.Code != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d, want 431", rec.Code)
		}
	})
	t.Run("within the limit", func(t *testing.T) {
		rec := do(t, s.Handler(), http.MethodGet, "/api/v1/search?q=x", "X-Big", big[:maxHeaderBytes/2])
		if rec.Code != http.StatusOK {
			t.Errorf("status %d, want 200", rec.Code)
		}
	})
	t.Run("served", func(t *testing.T) {
		base, _ := startServe(t, t.Context(), s)
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/search?q=x", nil)
		req.Header.Set("X-Big", big)
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var body errorBody
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || json.Unmarshal(b, &body) != nil || body.Error.Code == "" {
			t.Errorf("%d %q: %s; want 431 with the JSON error body", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	})
}
