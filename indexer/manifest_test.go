package indexer_test

import (
	"context"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// TestManifestBuildInfo: each generation's manifest says which one it
// replaced, why it was built and which crawl run it indexed, and a Reader
// of the generation gives it.
func TestManifestBuildInfo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := indexertest.SyntheticStore(t, t.TempDir(), 30)
	defer st.Close()
	dir := t.TempDir()

	first, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, m, err := indexer.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Reason != "first build" || m.Previous != "" || m.Crawl != nil {
		t.Errorf("first generation: reason %q, previous %q, crawl %+v; want first build, none, none", m.Reason, m.Previous, m.Crawl)
	}

	// A crawl run that adds a page, then a new build.
	seed := "http://portal.test/"
	if _, err := st.BeginRun(ctx, store.RunInfo{Started: time.Now().UTC(), Seeds: []string{seed}}); err != nil {
		t.Fatal(err)
	}
	rec := &store.Record{URL: "http://portal.test/new-report", FinalURL: "http://portal.test/new-report", Status: 200,
		FetchedAt: time.Now().UTC(), ContentType: "text/html", Page: &extract.Page{Title: "A new report on teacher training",
			Text: "The report on teacher training and digital assessment.", PageCount: 1}}
	if err := st.Put(ctx, rec, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.EndRun(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := indexer.OpenReader(dir, second.Generation)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m = r.Manifest()
	if m == nil {
		t.Fatal("Reader.Manifest() is nil for a generation")
	}
	if m.Generation != second.Generation || m.Documents != second.Documents || m.BuiltAt.IsZero() {
		t.Errorf("manifest %+v does not describe %+v", m, second)
	}
	if m.Previous != first.Generation || m.PreviousDocuments != first.Documents || m.Reason != "the crawl store changed since" {
		t.Errorf("previous %q (%d documents), reason %q; want %q (%d), the crawl store changed since",
			m.Previous, m.PreviousDocuments, m.Reason, first.Generation, first.Documents)
	}
	if m.Crawl == nil || m.Crawl.Finished.IsZero() || len(m.Crawl.Seeds) != 1 || m.Crawl.Seeds[0] != seed {
		t.Errorf("crawl %+v; want the finished run from %s", m.Crawl, seed)
	}

	forced, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, m, _ := indexer.Current(dir); m.Reason != "forced" || m.Previous != second.Generation || forced.Generation == second.Generation {
		t.Errorf("forced build: reason %q, previous %q; want forced, %s", m.Reason, m.Previous, second.Generation)
	}
}
