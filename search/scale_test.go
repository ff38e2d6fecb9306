package search

import (
	"bufio"
	"context"
	"flag"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
)

var (
	scaleIndex   = flag.String("scale.index", "", "index directory (DATA/index) for BenchmarkQueryMix")
	scaleQueries = flag.String("scale.queries", "", "query strings, one per line (make_site.py's queries.txt), for BenchmarkQueryMix")
)

// BenchmarkQueryMix runs a portal's query mix (URL query strings of
// /api/v1/search: q, theme, type, year) in process over a built index, so
// a profile shows the search path alone:
//
//	go test -run '^$' -bench QueryMix ./search/ -scale.index DATA/index -scale.queries site/queries.txt
//
// It is skipped without both flags.
func BenchmarkQueryMix(b *testing.B) {
	if *scaleIndex == "" || *scaleQueries == "" {
		b.Skip("needs -scale.index and -scale.queries")
	}
	r, _, err := indexer.OpenCurrentReader(*scaleIndex)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	f, err := os.Open(*scaleQueries)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var reqs []Request
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, err := url.ParseQuery(strings.TrimSpace(sc.Text()))
		if err != nil {
			b.Fatal(err)
		}
		list := func(k string) []string {
			if v.Get(k) == "" {
				return nil
			}
			return strings.Split(v.Get(k), ",")
		}
		reqs = append(reqs, Request{Query: v.Get("q"), Themes: list("theme"), Types: list("type"), Years: list("year")})
	}
	s := New(r, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := s.Search(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatalf("%+v: %v", reqs[i%len(reqs)], err)
		}
		i++
	}
}
