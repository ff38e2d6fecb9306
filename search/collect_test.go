package search

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
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

// TestTextPositionsAsPostings checks that the positions and offsets of
// query words found by analysing a document's text again (textPositions,
// for queries of many frequent words) are those the postings hold, in
// English and French documents with punctuation, stop words, elisions,
// possessives, numbers and accents, and for words of both languages.
func TestTextPositionsAsPostings(t *testing.T) {
	t.Parallel()
	docs := indexertest.SyntheticDocs(200)
	docs = append(docs,
		indexer.Document{ID: "en-1", Title: "Teachers' network", Lang: "en",
			Body: "The teacher's network: teachers, schools and the school's pupils (2019-2020) discussed digital skills; DIGITAL skills again. Teachers' data, e-learning and co-operation — naïve café résumé."},
		indexer.Document{ID: "fr-1", Title: "Réseau des enseignants", Lang: "fr",
			Body: "L'école numérique : les enseignants de l'école et l'enseignant discutent des compétences numériques. Données, données ouvertes ; l'évaluation des élèves, 2018."},
		indexer.Document{ID: "empty", Title: "Nothing", Lang: "en"},
	)
	r := indexertest.Reader(t, docs, true)
	s := New(r, Options{})
	e := s.newRun(t.Context(), r)
	e.occs = map[occKey]occSpans{}
	var terms []rankTerm
	for _, l := range r.TextLangs() {
		for _, q := range []string{"teacher teachers school digital skills data learning network pupils café 2019",
			"école enseignants numériques données élèves évaluation compétences 2018"} {
			for _, tok := range r.Analyze(l, q) {
				terms = append(terms, rankTerm{toks: []string{string(tok.Term)}, lang: l, group: -1, fields: inBody})
			}
		}
	}
	if len(r.TextLangs()) < 2 {
		t.Fatalf("languages %v: the French document has no fields of its own", r.TextLangs())
	}
	single := make([]int, len(terms))
	for k := range single {
		single[k] = k
	}
	var ids []uint32
	for d := range uint32(r.Docs()) {
		ids = append(ids, d)
	}
	pos := make([][][]uint32, len(single))
	for k := range pos {
		pos[k] = make([][]uint32, len(ids))
	}
	words := map[string][]int{}
	for k, rt := range terms {
		words[rt.toks[0]] = append(words[rt.toks[0]], k)
	}
	found := 0
	for i, d := range ids {
		done, err := e.textPositions(d, i, terms, single, words, pos)
		if err != nil || !done {
			t.Fatalf("doc %d: done %v, %v", d, done, err)
		}
	}
	for k, rt := range terms {
		want := make([][]uint32, len(ids))
		wantSpans := map[uint32]occSpans{}
		err := r.PostingsOf(indexer.Body, rt.lang, rt.toks[0], ids, true, maxPositions, func(i int, p *indexer.Posting) {
			want[i] = slices.Clone(p.Pos)
			wantSpans[ids[i]] = occSpans{start: slices.Clone(p.Start), end: slices.Clone(p.End)}
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range ids {
			got := e.occs[occKey{rt.lang, rt.toks[0], d}]
			if !slices.Equal(pos[k][i], want[i]) || !slices.Equal(got.start, wantSpans[d].start) || !slices.Equal(got.end, wantSpans[d].end) {
				t.Errorf("%s %q in %s: positions %v %v-%v, postings %v %v-%v", rt.lang, rt.toks[0], r.ID(d),
					pos[k][i], got.start, got.end, want[i], wantSpans[d].start, wantSpans[d].end)
			}
			if len(want[i]) > 0 {
				found++
			}
		}
	}
	if found < 100 {
		t.Errorf("only %d (word, document) pairs hold the word: the test checks little", found)
	}

	// The snippets' occurrences of words the proximity pass did not read:
	// from the postings, and from the texts (statistics that make the
	// postings look dear).
	langOf := func(d uint32) string { return e.langOf(d) }
	bodyWords := map[string][]string{}
	dear := &corpus{fixed: true, dfBody: map[string]float64{}, avgBody: map[string]float64{}}
	for _, rt := range terms {
		if !slices.Contains(bodyWords[rt.lang], rt.toks[0]) { // distinct, as bodyWords makes them
			bodyWords[rt.lang] = append(bodyWords[rt.lang], rt.toks[0])
		}
		dear.dfBody[dfKey(rt.lang, rt.toks[0])] = 1e9
		dear.avgBody[rt.lang] = 1
	}
	occurrences := func(c *corpus) map[uint32][]occurrence {
		e := s.newRun(t.Context(), r)
		e.corpus = c
		occ, err := e.bodyOccurrences(ids, langOf, bodyWords)
		if err != nil {
			t.Fatal(err)
		}
		return occ
	}
	fromPostings, fromTexts := occurrences(nil), occurrences(dear)
	n := 0
	for _, d := range ids {
		if !slices.Equal(fromPostings[d], fromTexts[d]) {
			t.Errorf("occurrences in %s (-postings +texts):\n-%v\n+%v", r.ID(d), fromPostings[d], fromTexts[d])
		}
		n += len(fromPostings[d])
	}
	if n < 1000 {
		t.Errorf("%d occurrences: the comparison checks little", n)
	}
}
