package search

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// TestTotalsAndFacetsBruteForce checks the totals and the disjunctive facet
// counts of the query path against a count made document by document, with
// and without filters, over a few thousand documents (with -short, 1,200:
// still two segments).
func TestTotalsAndFacetsBruteForce(t *testing.T) {
	t.Parallel()
	n := 3000
	if testing.Short() {
		n = 1200
	}
	docs := indexertest.SyntheticDocs(n)
	r := indexertest.Reader(t, docs, true)
	s := New(r, Options{})

	// What each document's title and body hold, analysed as the index does.
	type analysed struct{ pos map[string][]int }
	an := make([]analysed, len(docs))
	for i, d := range docs {
		an[i].pos = map[string][]int{}
		for _, part := range []string{d.Title, d.Body} {
			for _, tok := range r.Analyze("", part) {
				an[i].pos[string(tok.Term)] = append(an[i].pos[string(tok.Term)], tok.Position)
			}
		}
	}
	phrase := func(i int, text string) bool {
		toks := r.Analyze("", text)
		for _, p := range an[i].pos[string(toks[0].Term)] {
			ok := true
			for _, tk := range toks[1:] {
				ok = ok && slices.Contains(an[i].pos[string(tk.Term)], p+tk.Position-toks[0].Position)
			}
			if ok {
				return true
			}
		}
		return false
	}
	// Titles and bodies are separate fields: a phrase does not run from one
	// into the other, which the brute force's positions (restarting at 1 in
	// the body) would not see; the phrases below are never cut so.
	tests := []struct {
		name  string
		req   Request
		match func(i int) bool
	}{
		{"phrase", Request{Query: `"school leadership"`}, func(i int) bool { return phrase(i, "school leadership") }},
		{"phrase and not", Request{Query: `"digital assessment" -"learning analytics"`},
			func(i int) bool { return phrase(i, "digital assessment") && !phrase(i, "learning analytics") }},
		{"keyword", Request{Query: "theme:byod"}, func(i int) bool { return slices.Contains(docs[i].Themes, "byod") }},
		{"all", Request{}, func(int) bool { return true }},
	}
	filters := []struct {
		name string
		set  func(*Request)
		pass map[string]func(d indexer.Document) bool // by facet; "" for the date
	}{
		{"none", func(*Request) {}, nil},
		{"theme+type", func(q *Request) { q.Themes, q.Types = []string{"oer", "byod"}, []string{"report"} }, map[string]func(indexer.Document) bool{
			"theme": func(d indexer.Document) bool {
				return slices.Contains(d.Themes, "oer") || slices.Contains(d.Themes, "byod")
			},
			"type": func(d indexer.Document) bool { return d.Type == "report" },
		}},
		{"year+place+type", func(q *Request) {
			q.Years, q.Places, q.Types = []string{"2016", "2017"}, []string{"vienna", "paris"}, []string{"minutes"}
		}, map[string]func(indexer.Document) bool{
			"year":  func(d indexer.Document) bool { return d.Year == "2016" || d.Year == "2017" },
			"place": func(d indexer.Document) bool { return d.Place == "Vienna" || d.Place == "Paris" },
			"type":  func(d indexer.Document) bool { return d.Type == "minutes" },
		}},
		{"year+place+dates", func(q *Request) {
			q.Years, q.Places = []string{"2017"}, []string{"vienna", "paris"}
			q.From, q.To = time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2017, 9, 30, 0, 0, 0, 0, time.UTC)
		}, map[string]func(indexer.Document) bool{
			"year":  func(d indexer.Document) bool { return d.Year == "2017" },
			"place": func(d indexer.Document) bool { return d.Place == "Vienna" || d.Place == "Paris" },
			"": func(d indexer.Document) bool {
				return !d.Date.Before(time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC)) && !d.Date.After(time.Date(2017, 9, 30, 0, 0, 0, 0, time.UTC))
			},
		}},
	}
	values := func(facet string, d indexer.Document) []string {
		switch facet {
		case "theme": // a document may list a theme twice: it has it once
			th := slices.Clone(d.Themes)
			slices.Sort(th)
			return slices.Compact(th)
		case "type":
			return []string{d.Type}
		case "year":
			return []string{d.Year}
		case "place":
			return []string{strings.ToLower(d.Place)}
		case "kind":
			return []string{d.Kind}
		case "lang":
			return []string{d.Lang}
		}
		return nil
	}
	for _, tt := range tests {
		for _, f := range filters {
			t.Run(tt.name+"/"+f.name, func(t *testing.T) {
				req := tt.req
				f.set(&req)
				res, err := s.Search(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				var total uint64
				want := map[string]map[string]int{}
				for _, name := range FacetNames {
					want[name] = map[string]int{}
				}
				for i, d := range docs {
					if !tt.match(i) {
						continue
					}
					failed := map[string]bool{}
					for facet, pass := range f.pass {
						if !pass(d) {
							failed[facet] = true
						}
					}
					if len(failed) == 0 {
						total++
					}
					for _, name := range FacetNames {
						others := maps.Clone(failed)
						delete(others, name)
						if len(others) == 0 {
							for _, v := range values(name, d) {
								want[name][v]++
							}
						}
					}
				}
				if f.name == "none" && (total == 0 || total == uint64(len(docs)) && tt.name != "all") {
					t.Fatalf("the brute force found %d of %d documents: the case tests nothing", total, len(docs))
				}
				if res.Total != total {
					t.Errorf("total %d, brute force %d", res.Total, total)
				}
				for _, name := range FacetNames {
					got := facetCounts(res.Facets[name])
					if !maps.Equal(got, want[name]) {
						t.Errorf("facet %s (-want +got):\n-%v\n+%v", name, want[name], got)
					}
				}
			})
		}
	}
}
