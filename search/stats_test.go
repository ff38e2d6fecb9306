package search

import (
	"context"
	"reflect"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// TestStats: the counts of a built generation are those a search of
// everything gives, and the generation is described as its build recorded
// it.
func TestStats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir, built := indexertest.Generation(t, 40)
	r, err := indexer.OpenReader(dir, built.Generation)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := New(r, Options{})

	// Before any search (counted) and after (from the landing cache).
	for _, when := range []string{"first", "cached"} {
		t.Run(when, func(t *testing.T) {
			st, err := s.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all, err := s.Search(ctx, Request{})
			if err != nil {
				t.Fatal(err)
			}
			if st.Documents != all.Total || st.Documents != uint64(built.Documents) {
				t.Errorf("documents %d; a search of everything finds %d, the build made %d", st.Documents, all.Total, built.Documents)
			}
			if !reflect.DeepEqual(all.Facets, st.Facets) {
				t.Errorf("facets (-want +got):\n-%v\n+%v", all.Facets, st.Facets)
			}
			n := 0
			for _, f := range st.Facets["type"] {
				n += f.Count
			}
			if uint64(n) != st.Documents {
				t.Errorf("documents by type add up to %d, want %d", n, st.Documents)
			}
			for _, name := range []string{"type", "theme", "year", "lang"} {
				if len(st.Facets[name]) == 0 {
					t.Errorf("no counts by %s", name)
				}
			}
			g := st.Generation
			if g == nil {
				t.Fatal("no generation")
			}
			if g.Name != built.Generation || g.Documents != built.Documents || g.BuiltAt.IsZero() || g.Reason != "first build" || g.Previous != nil {
				t.Errorf("generation %+v; want %s, %d documents, first build", g, built.Generation, built.Documents)
			}
			if g.Crawl == nil || g.Crawl.Finished.IsZero() || len(g.Crawl.Seeds) != 1 || g.Crawl.Seeds[0] != indexertest.GenerationSeed {
				t.Errorf("crawl %+v; want the finished run from %s", g.Crawl, indexertest.GenerationSeed)
			}
		})
	}
}

// An index that is not a generation has counts and no generation.
func TestStatsWithoutGeneration(t *testing.T) {
	t.Parallel()
	s := New(indexertest.Reader(t, testDocs, true), Options{})
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents != uint64(len(testDocs)) || st.Generation != nil {
		t.Errorf("documents %d, generation %+v; want %d and none", st.Documents, st.Generation, len(testDocs))
	}
}
