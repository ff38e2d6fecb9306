package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
)

// TestStats serves a built generation as serve does (indexer.Live) and
// reads /api/v1/stats: the counts are those of a search of everything, the
// generation and its crawl as the build recorded them.
func TestStats(t *testing.T) {
	t.Parallel()
	dir, built := indexertest.Generation(t, 40)
	live, err := indexer.NewLive(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	s, _ := newTestServer(t, search.New(live, search.Options{}), Options{})
	h := s.Handler()

	rec := do(t, h, http.MethodGet, "/api/v1/stats")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var st search.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	var all search.Result
	if err := json.Unmarshal(do(t, h, http.MethodGet, "/api/v1/search").Body.Bytes(), &all); err != nil {
		t.Fatal(err)
	}
	if st.Documents != all.Total || st.Documents != uint64(built.Documents) {
		t.Errorf("documents %d; a search of everything finds %d, the build made %d", st.Documents, all.Total, built.Documents)
	}
	if d := diff(all.Facets, st.Facets); d != "" {
		t.Errorf("facets differ from a search of everything %s", d)
	}
	g := st.Generation
	if g == nil {
		t.Fatal("no generation")
	}
	if g.Name != built.Generation || g.Documents != built.Documents || g.Reason != "first build" {
		t.Errorf("generation %+v; want %s with %d documents, first build", g, built.Generation, built.Documents)
	}
	if g.Crawl == nil || len(g.Crawl.Seeds) != 1 || g.Crawl.Seeds[0] != indexertest.GenerationSeed || g.Crawl.Finished.IsZero() {
		t.Errorf("crawl %+v; want the finished run from %s", g.Crawl, indexertest.GenerationSeed)
	}
	if head := do(t, h, http.MethodHead, "/api/v1/stats"); head.Code != http.StatusOK {
		t.Errorf("HEAD: status %d, want 200", head.Code)
	}
}

// Without an index, or over a backend that keeps no statistics, the
// answer is 503 unavailable.
func TestStatsUnavailable(t *testing.T) {
	t.Parallel()
	for name, b := range map[string]Backend{"no backend": nil, "backend without stats": &fakeBackend{}} {
		t.Run(name, func(t *testing.T) {
			s, _ := newTestServer(t, b, Options{})
			rec := do(t, s.Handler(), http.MethodGet, "/api/v1/stats")
			if e := decodeError(t, rec); rec.Code != http.StatusServiceUnavailable || e.Code != "unavailable" {
				t.Errorf("status %d %+v, want 503 unavailable", rec.Code, e)
			}
		})
	}
}
