package httpapi

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/kbsearch/kbsearch/search"
)

// readyBackend is a fakeBackend that says whether it is ready.
type readyBackend struct {
	fakeBackend
	ready error
}

func (b *readyBackend) Ready(context.Context) error { return b.ready }

func TestReadyz(t *testing.T) {
	t.Parallel()
	damaged := &search.Error{Kind: search.KindUnavailable, Message: "the index being served is damaged"}
	tests := []struct {
		name       string
		backend    Backend
		wantStatus int
		wantMsg    string // the error's message, for 503
	}{
		{"ready", &readyBackend{}, 200, ""},
		{"damaged index", &readyBackend{ready: damaged}, 503, damaged.Message},
		{"internal error", &readyBackend{ready: errors.New("/secret/path: disk")}, 503, "not ready"},
		{"backend without Ready, themes answer", &fakeBackend{}, 200, ""},
		{"backend without Ready, no index", &fakeBackend{err: search.Errorf(search.KindUnavailable, "no index")}, 503, "no index"},
		{"no backend", nil, 503, errNoBackend.Message},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, logs := newTestServer(t, tt.backend, Options{})
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				rec := do(t, s.Handler(), method, "/readyz")
				if rec.Code != tt.wantStatus {
					t.Fatalf("%s: status = %d, want %d; body %s", method, rec.Code, tt.wantStatus, rec.Body)
				}
				if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", cc)
				}
			}
			rec := do(t, s.Handler(), http.MethodGet, "/readyz")
			if tt.wantStatus == 200 {
				if got, want := rec.Body.String(), `{"status":"ready"}`; got != want {
					t.Errorf("body (-want +got)\n-%s\n+%s", want, got)
				}
				return
			}
			got := decodeError(t, rec)
			if got.Code != "unavailable" || got.Message != tt.wantMsg {
				t.Errorf("error = %+v, want unavailable %q", got, tt.wantMsg)
			}
			for _, l := range logLines(t, logs) {
				if l["level"] == "ERROR" {
					t.Errorf("a not-ready probe was logged as an error: %v", l)
				}
			}
		})
	}
}
