package search

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// TestPushManyKeepsThePushOrder checks that the heap's inline pass
// (pushMany: a score or an id's rank compared with the last kept) keeps
// the same documents as pushing them one by one through the order, with
// many tied scores, and without scores (the order of the ids).
func TestPushManyKeepsThePushOrder(t *testing.T) {
	t.Parallel()
	r := indexertest.Reader(t, indexertest.SyntheticDocs(600), true)
	e := New(r, Options{}).newRun(t.Context(), r)
	rng := rand.New(rand.NewPCG(3, 4))
	v := make([]float64, r.Docs())
	for d := range v {
		v[d] = float64(rng.IntN(20)) // ties everywhere
	}
	docs := make([]uint32, r.Docs())
	for d := range docs {
		docs[d] = uint32(d)
	}
	for _, scored := range []bool{true, false} {
		for _, k := range []int{0, 1, 7, 30, 599, 700} {
			var sv []float64
			if scored {
				sv = v
			}
			one := &topK{k: k, less: e.order(SortRelevance, &scores{v: sv}), score: sv}
			many := &topK{k: k, less: one.less, score: sv, ids: e.relevance(SortRelevance)}
			for _, d := range docs {
				one.push(d)
			}
			for c := range slices.Chunk(docs, 64) {
				many.pushMany(c)
			}
			want, got := one.sorted(), many.sorted()
			if !slices.Equal(want, got) {
				t.Errorf("scored %v, k %d (-want +got):\n-%v\n+%v", scored, k, want, got)
			}
			if len(want) != min(k, len(docs)) {
				t.Errorf("scored %v, k %d: kept %d", scored, k, len(want))
			}
			// The order itself: the first kept has the best score.
			if scored && len(want) > 1 && cmp.Compare(v[want[0]], v[want[len(want)-1]]) < 0 {
				t.Errorf("scored, k %d: first %v scores below last %v", k, v[want[0]], v[want[len(want)-1]])
			}
		}
	}
}

// TestCollectMatchesCollectEach checks that collect (filters as bitmaps)
// gives the totals, the disjunctive facet counts and the heap's documents
// that the document-by-document pass gives, for combinations of filters.
func TestCollectMatchesCollectEach(t *testing.T) {
	t.Parallel()
	r := indexertest.Reader(t, indexertest.SyntheticDocs(1500), true)
	s := New(r, Options{})
	for _, req := range []Request{
		{Query: "digital"},
		{Query: "digital", Themes: []string{"oer"}},
		{Query: "digital", Themes: []string{"oer", "byod"}, Types: []string{"report"}},
		{Query: "digital school", Years: []string{"2016"}, Places: []string{"vienna", "paris", "nowhere"}, Types: []string{"minutes", "agenda"}},
		{Query: "teacher", Places: []string{"nowhere"}},
		{Themes: []string{"coding"}, Years: []string{"2018"}},
	} {
		e := s.newRun(t.Context(), r)
		p, err := s.prepare(r, &req)
		if err != nil {
			t.Fatal(err)
		}
		matches, err := e.match(p.pq, p.synonyms)
		if err != nil {
			t.Fatal(err)
		}
		sc := getScores(r.Docs())
		if p.scored() {
			c, err := e.corpusFor(p.terms)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.score(p.terms, c, sc); err != nil {
				t.Fatal(err)
			}
		}
		heap := func() *topK {
			return &topK{k: 25, less: e.order(SortRelevance, sc), score: sc.v, ids: e.relevance(SortRelevance)}
		}
		h1, h2 := heap(), heap()
		got, err := e.collect(matches, p.filters, true, h1)
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.collectEach(matches, p.filters, true, h2)
		if err != nil {
			t.Fatal(err)
		}
		if got.total != want.total || !slices.Equal(h1.sorted(), h2.sorted()) {
			t.Errorf("%+v: total %d, heap %v; one by one %d, %v", req, got.total, h1.sorted(), want.total, h2.sorted())
		}
		if want.total == 0 && req.Places == nil {
			t.Errorf("%+v: nothing passes: the case tests little", req)
		}
		for _, name := range FacetNames {
			if !slices.Equal(got.facets[name], want.facets[name]) {
				t.Errorf("%+v: facet %s (-want +got):\n-%v\n+%v", req, name, want.facets[name], got.facets[name])
			}
		}
		sc.release()
	}
}
