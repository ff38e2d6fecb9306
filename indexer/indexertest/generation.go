package indexertest

import (
	"context"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
)

// GenerationSeed is the seed of the crawl run Generation records.
const GenerationSeed = "http://portal.test/"

// Generation builds, in a temporary index directory, a generation of the
// SyntheticStore of n records after recording a finished crawl run from
// GenerationSeed in the store, as a crawl does; it returns the directory
// and the build's result.
func Generation(tb testing.TB, n int) (dir string, res *indexer.BuildResult) {
	tb.Helper()
	ctx := context.Background()
	st := SyntheticStore(tb, tb.TempDir(), n)
	defer st.Close()
	if _, err := st.BeginRun(ctx, store.RunInfo{Started: time.Now().UTC(), Seeds: []string{GenerationSeed}}); err != nil {
		tb.Fatal(err)
	}
	if err := st.EndRun(ctx); err != nil {
		tb.Fatal(err)
	}
	dir = tb.TempDir()
	res, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return dir, res
}

// Live builds a generation of st in a temporary index directory and
// serves it as serve does (indexer.Live), closed when the test ends; a
// test builds again into dir and calls Refresh to swap generations.
func Live(tb testing.TB, st *store.Store) (dir string, live *indexer.Live) {
	tb.Helper()
	dir = tb.TempDir()
	if _, err := indexer.Build(context.Background(), st, dir, indexer.BuildOptions{}); err != nil {
		tb.Fatal(err)
	}
	live, err := indexer.NewLive(dir, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { live.Close() })
	return dir, live
}
