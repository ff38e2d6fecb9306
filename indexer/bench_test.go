package indexer_test

import (
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// BenchmarkIndexBatch measures indexing a batch of 500 documents of about
// 300 words into an on-disk index (analysis, token counts, one fsynced
// batch). docs/s is the figure to compare.
func BenchmarkIndexBatch(b *testing.B) {
	const n = 500
	docs := indexertest.SyntheticDocs(n)
	im, err := indexer.NewMapping()
	if err != nil {
		b.Fatal(err)
	}
	idx, err := bleve.New(b.TempDir()+"/idx", im)
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	b.ReportAllocs()
	b.ResetTimer()
	round := 0
	for b.Loop() {
		round++
		batch := idx.NewBatch()
		for i := range docs {
			d := docs[i]
			d.ID = fmt.Sprintf("%d-%s", round, d.ID) // new documents, not updates
			if err := batch.Index(d.ID, indexer.IndexFields(im, &d)); err != nil {
				b.Fatal(err)
			}
		}
		if err := idx.Batch(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
}
