package search

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

func benchSearcher(b *testing.B, n int) *Searcher {
	b.Helper()
	return New(indexertest.Reader(b, indexertest.SyntheticDocs(n), true), Options{})
}

// BenchmarkSearchFacets measures a full search (query, highlight, six
// facets) over 5,000 documents, with and without a filter (a filter adds the
// disjunctive facet search).
func BenchmarkSearchFacets(b *testing.B) {
	s := benchSearcher(b, 5000)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		req  Request
	}{
		{"words", Request{Query: "teacher training digital"}},
		{"phrase", Request{Query: `"learning analytics"`}},
		{"words+theme-filter", Request{Query: "teacher training digital", Themes: []string{"teacher-training"}}},
		{"match-all", Request{}},
		{"words+year-theme", Request{Query: "teacher training digital", YearTheme: true}},
		{"match-all+year-theme", Request{YearTheme: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(ctx, bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSuggest measures completions as a search box asks for them over
// 5,000 documents: one word, a word after another (each completion counted
// with it), and a misspelt search whose correction is looked up.
func BenchmarkSuggest(b *testing.B) {
	s := benchSearcher(b, 5000)
	ctx := context.Background()
	for _, bc := range []struct{ name, text string }{
		{"one-word", "te"},
		{"two-words", "digital as"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Suggest(ctx, bc.text, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("did-you-mean", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := s.Search(ctx, Request{Query: "teacher trainnig"})
			if err != nil {
				b.Fatal(err)
			}
			if res.DidYouMean == "" {
				b.Fatal("no correction")
			}
		}
	})
}

// BenchmarkExport measures a CSV export's search part: 1,000 hits of a
// broad query over 5,000 documents, read 100 at a time through Search.
func BenchmarkExport(b *testing.B) {
	s := benchSearcher(b, 5000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		hits, _, err := s.ExportAll(ctx, Request{Query: "teacher training digital"}, 0)
		if err != nil || len(hits) != MaxExport {
			b.Fatal(len(hits), err)
		}
	}
}

// BenchmarkFeedback measures what pseudo-relevance feedback adds to a
// search of words over 5,000 documents (about 500 words each): reading and
// analysing the best documents, then scoring the expansion terms. "cold"
// searches with an empty cache each time (nothing of the documents'
// analysis or the terms' contributions kept from the last search).
func BenchmarkFeedback(b *testing.B) {
	r := indexertest.Reader(b, indexertest.SyntheticDocs(5000), true)
	ctx := context.Background()
	for _, fb := range []bool{false, true} {
		for _, cold := range []bool{false, true} {
			name := map[bool]string{false: "off", true: "on"}[fb] + map[bool]string{false: "", true: "-cold"}[cold]
			for _, q := range []string{"teacher training digital", "assessment"} {
				b.Run(name+"/"+strings.ReplaceAll(q, " ", "-"), func(b *testing.B) {
					b.ReportAllocs()
					s := New(r, Options{Ranking: Ranking{NoFeedback: !fb}})
					for b.Loop() {
						if cold {
							s = New(r, Options{Ranking: Ranking{NoFeedback: !fb}})
						}
						if _, err := s.Search(ctx, Request{Query: q}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkDeepPage measures a page deep in the hits of a broad query over
// 20,000 documents asked by number (a heap of page x size documents) and
// by cursor (a heap of size + Ranking.Depth, whatever the depth), in the
// relevance and the date order, and with the recency boost.
func BenchmarkDeepPage(b *testing.B) {
	s := benchSearcher(b, 20000)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		req  Request
	}{
		{"relevance", Request{Query: "digital school"}},
		{"newest", Request{Query: "digital school", Sort: SortNewest}},
		{"recency", Request{Query: "digital school", Recency: 5 * year}},
	} {
		for _, page := range []int{1, 100, 1000} {
			req := bc.req
			req.Size, req.Page = 10, page
			b.Run(bc.name+"/page-"+strconv.Itoa(page), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Search(ctx, req); err != nil {
						b.Fatal(err)
					}
				}
			})
			if page == 1 {
				continue
			}
			// The cursor of the page before.
			req.Page--
			res, err := s.Search(ctx, req)
			if err != nil || res.NextCursor == "" {
				b.Fatalf("page %d: %v, no cursor", req.Page, err)
			}
			req.Page, req.Cursor = 0, res.NextCursor
			b.Run(bc.name+"/cursor-"+strconv.Itoa(page), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Search(ctx, req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
