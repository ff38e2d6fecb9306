package eval

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search"
)

var (
	irDir   = flag.String("ir", "", "run the standard collections under this directory (e.g. ../../../shared/data/ir) and print the table")
	irK1    = flag.Float64("ir.k1", 0, "ranking k1 for -ir")
	irB     = flag.Float64("ir.b", 0, "ranking b for -ir")
	irTW    = flag.Float64("ir.tw", 0, "ranking title weight for -ir")
	irDepth = flag.Int("ir.depth", 0, "rerank depth for -ir")
	irProx  = flag.Float64("ir.prox", 0, "proximity weight for -ir (negative: off)")
	irOnly  = flag.String("ir.only", "", "run only this collection")
	irNoFB  = flag.Bool("ir.nofb", false, "no pseudo-relevance feedback for -ir")
)

// TestStandardCollections prints the relevance table of the standard
// collections when -ir names their directory; without it, it is skipped
// (the data is not part of the repository).
func TestStandardCollections(t *testing.T) {
	if *irDir == "" {
		t.Skip("no -ir directory")
	}
	cols, err := LoadStandard(*irDir)
	if err != nil {
		t.Fatal(err)
	}
	r := search.Ranking{K1: *irK1, B: *irB, TitleWeight: *irTW, Depth: *irDepth, Proximity: *irProx, NoFeedback: *irNoFB}
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %7s %7s %7s %7s %7s %7s %8s %7s %7s %7s\n", "coll", "nDCG10", "MAP@100", "P10", "R100", "MRR", "queries", "index s", "p50", "p95", "p50/100")
	for _, c := range cols {
		if *irOnly != "" && !strings.EqualFold(*irOnly, c.Name) {
			continue
		}
		rep, err := Run(context.Background(), c, Options{Ranking: r})
		if err != nil {
			t.Fatal(err)
		}
		m := rep.Mean
		fmt.Fprintf(&b, "%-8s %7.3f %7.3f %7.3f %7.3f %7.3f %7d %8.2f %7.2f %7.2f %7.2f\n", c.Name, m.NDCG10, m.AP, m.P10, m.R100, m.RR, rep.Queries,
			rep.IndexTime.Seconds(), rep.P50.Seconds()*1000, rep.P95.Seconds()*1000, rep.P50Deep.Seconds()*1000)
		if rep.Queries == 0 {
			t.Errorf("%s: no judged query ran", c.Name)
		}
	}
	t.Logf("ranking %+v\n%s", r, b.String())
}

// BenchmarkQueries runs the judged queries of one standard collection
// (-ir.only, default CISI) through Search, a first page of 10 each, for
// profiling; it is skipped without -ir.
func BenchmarkQueries(b *testing.B) {
	if *irDir == "" {
		b.Skip("no -ir directory")
	}
	cols, err := LoadStandard(*irDir)
	if err != nil {
		b.Fatal(err)
	}
	c := cols[0]
	for _, x := range cols {
		if strings.EqualFold(x.Name, *irOnly) {
			c = x
		}
	}
	dir := b.TempDir()
	if err := build(context.Background(), dir+"/index", c.Docs); err != nil {
		b.Fatal(err)
	}
	r, err := indexer.OpenDir(dir + "/index")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	s := search.New(r, search.Options{Ranking: search.Ranking{Depth: *irDepth}})
	var texts []string
	for _, q := range c.Queries {
		if hasRelevant(c.Qrels[q.ID]) {
			texts = append(texts, FreeText(q.Text))
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := s.Search(context.Background(), search.Request{Query: texts[i%len(texts)]}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
