package indexertest

import (
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/kbsearch/kbsearch/indexer"
)

// Reader indexes docs in memory with the kbsearch mapping, as a build does
// (token counts, and the collection statistics when stats is set), and
// returns a Reader over them, closed when the test ends.
func Reader(tb testing.TB, docs []indexer.Document, stats bool) *indexer.Reader {
	tb.Helper()
	im, err := indexer.NewMapping()
	if err != nil {
		tb.Fatal(err)
	}
	idx, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { idx.Close() })
	var st indexer.Stats
	b := idx.NewBatch()
	for i := range docs {
		d := docs[i]
		if !d.Date.IsZero() && d.Year == "" {
			d.Year = d.Date.Format("2006")
		}
		if err := b.Index(d.ID, indexer.IndexFields(im, &d)); err != nil {
			tb.Fatal(err)
		}
		st.Add(&d)
		if b.Size() == 500 {
			if err := idx.Batch(b); err != nil {
				tb.Fatal(err)
			}
			b.Reset()
		}
	}
	if err := idx.Batch(b); err != nil {
		tb.Fatal(err)
	}
	if stats {
		if err := indexer.WriteStats(idx, st); err != nil {
			tb.Fatal(err)
		}
	}
	r, err := indexer.NewReader(idx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}
