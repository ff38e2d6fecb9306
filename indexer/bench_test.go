package indexer_test

import (
	"context"
	"flag"
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

var buildDocs = flag.Int("build.docs", 3000, "documents in BenchmarkBuild's generated store")

// BenchmarkBuild measures Build over a generated crawl store of 3,000
// documents of about 500 words (indexertest.SyntheticStore): reading the
// store, making and analysing documents, writing the bleve index, the
// text store and the statistics. docs/s is the figure to compare;
// cpu-ms/doc (user and system time of the process) is the one that does
// not depend on what else the machine runs; B/op is what one build
// allocates. Sub-benchmarks vary the batch size and the workers.
func BenchmarkBuild(b *testing.B) {
	n := *buildDocs
	st := indexertest.SyntheticStore(b, b.TempDir(), n)
	defer st.Close()
	for _, c := range []struct {
		batch, workers int
	}{
		{indexer.DefaultBatchSize, 0}, {indexer.DefaultBatchSize, 1},
		{100, 0}, {250, 0}, {500, 0}, {2000, 0},
	} {
		b.Run(fmt.Sprintf("batch=%d/workers=%d", c.batch, c.workers), func(b *testing.B) {
			dir := b.TempDir()
			ctx := context.Background()
			docs := 0
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				res, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{
					Force: true, Keep: 1, BatchSize: c.batch, Workers: c.workers,
				})
				if err != nil {
					b.Fatal(err)
				}
				docs += res.Documents
			}
			b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(cpu.Seconds()*1000/float64(docs), "cpu-ms/doc")
			}
		})
	}
}
