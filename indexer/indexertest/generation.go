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
