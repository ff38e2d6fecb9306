package indexertest

import (
	"context"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
)

// Reader indexes docs with an indexer.Writer in a temporary directory, as
// a build does (token counts, text store, and the collection statistics
// unless stats is false: an index made by hand), and returns a Reader over
// them, closed when the test ends.
func Reader(tb testing.TB, docs []indexer.Document, stats bool) *indexer.Reader {
	tb.Helper()
	dir := tb.TempDir()
	w, err := indexer.NewWriter(dir, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for i := range docs {
		d := docs[i]
		if !d.Date.IsZero() && d.Year == "" {
			d.Year = d.Date.Format("2006")
		}
		if _, err := w.Add(ctx, &d); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		tb.Fatal(err)
	}
	r, err := indexer.OpenDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if !stats {
		r.DropStats()
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// WriterDir indexes docs with an indexer.Writer in a temporary directory
// and returns the directory, not opened.
func WriterDir(tb testing.TB, docs []indexer.Document) string {
	tb.Helper()
	dir := tb.TempDir()
	w, err := indexer.NewWriter(dir, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for i := range docs {
		if _, err := w.Add(ctx, &docs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		tb.Fatal(err)
	}
	return dir
}
