package indexer_test

import (
	"flag"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
)

var scaleIndex = flag.String("scale.index", "", "index directory (DATA/index) for BenchmarkOpenReader")

// BenchmarkOpenReader opens a built index's current generation as a
// Reader (ids, columns, dates): what a server pays at start and at each new
// generation. Skipped without -scale.index.
func BenchmarkOpenReader(b *testing.B) {
	if *scaleIndex == "" {
		b.Skip("needs -scale.index DATA/index")
	}
	b.ReportAllocs()
	for b.Loop() {
		r, _, err := indexer.OpenCurrentReader(*scaleIndex)
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkWordsAll walks the whole completion dictionary with counts.
func BenchmarkWordsAll(b *testing.B) {
	if *scaleIndex == "" {
		b.Skip("needs -scale.index DATA/index")
	}
	r, _, err := indexer.OpenCurrentReader(*scaleIndex)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for b.Loop() {
		n := 0
		r.Words("", func(string, int) bool { n++; return true })
		b.ReportMetric(float64(n), "words")
	}
}
