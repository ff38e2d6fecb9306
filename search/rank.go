package search

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/kbsearch/kbsearch/indexer"
)

// Ranking configures the ranking layer. bleve finds and filters the
// candidates; kbsearch then scores the best Depth of them itself with BM25F
// over title and body, from exact statistics: term frequencies from term
// locations, document frequencies from the field dictionaries, per-document
// token counts (indexer's title_len and body_len) and the collection's
// average lengths (indexer.Stats). The zero value is the default
// configuration, the one docs/relevance.md measured.
type Ranking struct {
	// K1 is BM25's term-frequency saturation; default 1.2.
	K1 float64
	// B is the length normalisation of both fields; default 0.75.
	B float64
	// TitleWeight is how many body occurrences one title occurrence is
	// worth; default 2.
	TitleWeight float64
	// Depth is how many of bleve's best candidates are re-scored; default
	// 500, where the measured rankings stopped changing. Results beyond it
	// keep bleve's order.
	Depth int
	// Proximity is the weight of the bonus for pairs of query terms that
	// occur within five positions of each other in the body; default 0.5,
	// negative turns it off.
	Proximity float64
	// SynonymWeight is the weight of a taxonomy synonym against the query's
	// own words; default 0.5.
	SynonymWeight float64
	// Feedback turns on pseudo-relevance feedback (RM3): the query is
	// expanded with FeedbackTerms terms drawn from the FeedbackDocs best
	// documents and the candidates are scored again. Default off.
	Feedback      bool
	FeedbackDocs  int     // default 10
	FeedbackTerms int     // default 20
	FeedbackMix   float64 // weight of the original query, 0..1; default 0.5
	// Off ranks with bleve's own scores (for comparison in evaluations).
	Off bool
}

func (r Ranking) withDefaults() Ranking {
	if !(r.K1 > 0) {
		r.K1 = 1.2
	}
	if !(r.B >= 0 && r.B <= 1) || r.B == 0 {
		r.B = 0.75
	}
	if !(r.TitleWeight > 0) {
		r.TitleWeight = 2
	}
	if r.Depth <= 0 {
		r.Depth = 500
	}
	switch {
	case r.Proximity < 0:
		r.Proximity = 0
	case !(r.Proximity > 0):
		r.Proximity = 0.5
	}
	if !(r.SynonymWeight > 0) {
		r.SynonymWeight = 0.5
	}
	if r.FeedbackDocs <= 0 {
		r.FeedbackDocs = 10
	}
	if r.FeedbackTerms <= 0 {
		r.FeedbackTerms = 20
	}
	if !(r.FeedbackMix > 0 && r.FeedbackMix <= 1) {
		r.FeedbackMix = 0.5
	}
	return r
}

// field masks of a rank term.
const (
	inTitle uint8 = 1 << iota
	inBody
)

// rankTerm is one analysed query term (or, with more than one token, a
// phrase scored as a unit) with its weight in the query.
type rankTerm struct {
	toks   []string // analysed terms; len > 1 for a phrase
	gaps   []uint64 // position of toks[i] relative to toks[0]
	fields uint8
	weight float64 // occurrences in the query, times SynonymWeight for a synonym
	group  int     // terms of one group share one saturation (synonyms); -1 alone
	fb     bool    // added by feedback: no part in the proximity bonus
	lang   string  // text-field language whose fields the term is scored on
}

// analyze returns the tokens of text, with their positions, as the English
// fields' analyzer makes them.
func (s *Searcher) analyze(text string) analysis.TokenStream {
	return s.analyzeIn("", text)
}

// analyzeIn returns the tokens of text as the analyzer of a text-field
// language's fields makes them.
func (s *Searcher) analyzeIn(lang, text string) analysis.TokenStream {
	a := s.analyzers[lang]
	if a == nil || text == "" {
		return nil
	}
	return a.Analyze([]byte(text))
}

// rankTerms returns the terms that score a query: every analysed word of its
// free-text words and phrases that are not negated, each once with its
// count, and the synonyms (as phrases, weighted, in one shared group), for
// each text-field language of langs, analysed by that language's analyzer
// (a document has the fields of one language only, so it is scored by its
// language's reading of the query). Each language's synonyms form their
// own group.
func (s *Searcher) rankTerms(pq *qnode, synonyms []string, r Ranking, langs ...string) []rankTerm {
	if len(langs) == 0 {
		langs = englishOnly
	}
	var out []rankTerm
	for gi, l := range langs {
		out = s.rankTermsIn(out, l, gi, pq, synonyms, r)
	}
	return out
}

func (s *Searcher) rankTermsIn(out []rankTerm, lang string, group int, pq *qnode, synonyms []string, r Ranking) []rankTerm {
	index := make(map[string]int)
	add := func(tok string, fields uint8) {
		if i, ok := index[tok]; ok {
			out[i].weight++
			out[i].fields |= fields
			return
		}
		index[tok] = len(out)
		out = append(out, rankTerm{toks: []string{tok}, gaps: []uint64{0}, fields: fields, weight: 1, group: -1, lang: lang})
	}
	var walk func(n *qnode)
	walk = func(n *qnode) {
		if n == nil || n.occ == occurMustNot {
			return
		}
		switch n.kind {
		case nodeGroup:
			for _, c := range n.children {
				walk(c)
			}
		case nodeWord, nodePhrase:
			fields := inTitle | inBody
			switch n.field {
			case indexer.FieldTitle:
				fields = inTitle
			case indexer.FieldBody:
				fields = inBody
			}
			for _, t := range s.analyzeIn(lang, n.text) {
				add(string(t.Term), fields)
			}
		}
	}
	walk(pq)
	for _, syn := range synonyms {
		ts := s.analyzeIn(lang, syn)
		if len(ts) == 0 {
			continue
		}
		rt := rankTerm{fields: inTitle | inBody, weight: r.SynonymWeight, group: group, lang: lang}
		for _, t := range ts {
			rt.toks = append(rt.toks, string(t.Term))
			rt.gaps = append(rt.gaps, uint64(t.Position-ts[0].Position))
		}
		out = append(out, rt)
	}
	return out
}

// scored is a candidate with its ranking score.
type scored struct {
	id    string
	score float64
}

// corpus holds the collection statistics of one search. Average lengths
// are per text-field language; document frequencies per language and term
// (key lang + "\x00" + term).
type corpus struct {
	n                 float64
	nLang             map[string]float64 // documents per text-field language, from Stats
	avgTitle, avgBody map[string]float64
	dfTitle, dfBody   map[string]float64
}

func dfKey(lang, tok string) string { return lang + "\x00" + tok }

// corpusStats reads N, the average field lengths and the document frequency
// of each term in each field. An index without stored Stats (one built by
// hand, or before they were kept) falls back to the candidates' mean
// lengths, exact when every document is a candidate.
func (s *Searcher) corpusStats(terms []rankTerm, lens map[string][2]float64) (*corpus, error) {
	c := &corpus{dfTitle: map[string]float64{}, dfBody: map[string]float64{}, avgTitle: map[string]float64{}, avgBody: map[string]float64{}}
	n, err := s.idx.DocCount()
	if err != nil {
		return nil, err
	}
	c.n = float64(n)
	st, ok, err := indexer.ReadStats(s.idx)
	if err != nil {
		return nil, err
	}
	if ok && st.Total() > 0 {
		c.nLang = map[string]float64{"": float64(st.Docs)}
		for l, ls := range st.Langs {
			c.nLang[l] = float64(ls.Docs)
		}
		for _, rt := range terms {
			if _, done := c.avgBody[rt.lang]; !done {
				c.avgTitle[rt.lang], c.avgBody[rt.lang] = st.AvgLens(rt.lang)
			}
		}
	} else if len(lens) > 0 {
		var t, b float64
		for _, l := range lens {
			t += l[0]
			b += l[1]
		}
		for _, rt := range terms {
			c.avgTitle[rt.lang], c.avgBody[rt.lang] = t/float64(len(lens)), b/float64(len(lens))
		}
	}
	for _, rt := range terms {
		for _, tok := range rt.toks {
			k := dfKey(rt.lang, tok)
			if _, done := c.dfBody[k]; done {
				continue
			}
			if c.dfTitle[k], err = s.docFreq(indexer.TitleField(rt.lang), tok); err != nil {
				return nil, err
			}
			if c.dfBody[k], err = s.docFreq(indexer.BodyField(rt.lang), tok); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// docFreq returns the number of documents whose field holds term, from the
// field dictionary.
func (s *Searcher) docFreq(field, term string) (float64, error) {
	d, err := s.idx.FieldDictRange(field, []byte(term), []byte(term))
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n uint64
	for {
		e, err := d.Next()
		if err != nil {
			return 0, err
		}
		if e == nil {
			break
		}
		if e.Term == term {
			n += e.Count
		}
	}
	return float64(n), nil
}

// idf is BM25's inverse document frequency, always positive. A term's df
// over title and body together is taken as the larger of its two field
// frequencies (a document holding a title word nearly always repeats it in
// its body); a phrase's as that of its rarest word. N is the number of
// documents of the term's language (each language's fields are a
// collection of their own): over all documents, a word common in a small
// language's documents (the site's English boilerplate in French pages)
// would look rare and outweigh real matches.
func (c *corpus) idf(rt rankTerm) float64 {
	n := c.n
	if nl, ok := c.nLang[rt.lang]; ok {
		n = nl
	}
	df := math.Inf(1)
	for _, tok := range rt.toks {
		k := dfKey(rt.lang, tok)
		df = min(df, max(c.dfTitle[k], c.dfBody[k]))
	}
	if df == 0 || math.IsInf(df, 1) {
		return 0
	}
	return math.Log(1 + (max(n, df)-df+0.5)/(df+0.5))
}

// rerank scores the candidates ids with BM25F and returns them best first,
// ties broken by id.
func (s *Searcher) rerank(ctx context.Context, ids []string, terms []rankTerm, r Ranking) ([]scored, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var leaves []query.Query
	seen := map[string]bool{}
	for _, rt := range terms {
		for _, tok := range rt.toks {
			for _, f := range []struct {
				mask uint8
				name string
			}{{inTitle, indexer.TitleField(rt.lang)}, {inBody, indexer.BodyField(rt.lang)}} {
				if rt.fields&f.mask == 0 || seen[f.name+"\x00"+tok] {
					continue
				}
				seen[f.name+"\x00"+tok] = true
				tq := query.NewTermQuery(tok)
				tq.SetField(f.name)
				leaves = append(leaves, tq)
			}
		}
	}
	out := make([]scored, 0, len(ids))
	if len(leaves) == 0 {
		for _, id := range ids {
			out = append(out, scored{id: id})
		}
		return out, nil
	}
	q := query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), query.NewDisjunctionQuery(leaves)})
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.IncludeLocations = true
	req.Score = bleve.ScoreNone // our own scores only
	// The token counts come back as sort values, read from doc values:
	// much cheaper than loading each candidate's stored fields.
	req.SortByCustom(bsearch.SortOrder{
		&bsearch.SortField{Field: indexer.FieldTitleLen, Type: bsearch.SortFieldAsNumber},
		&bsearch.SortField{Field: indexer.FieldBodyLen, Type: bsearch.SortFieldAsNumber},
		&bsearch.SortDocID{},
	})
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	lens := make(map[string][2]float64, len(res.Hits))
	for _, h := range res.Hits {
		lens[h.ID] = [2]float64{sortNumber(h.Sort, 0), sortNumber(h.Sort, 1)}
	}
	c, err := s.corpusStats(terms, lens)
	if err != nil {
		return nil, err
	}
	idfs := make([]float64, len(terms))
	for i, rt := range terms {
		idfs[i] = c.idf(rt)
	}
	byID := make(map[string]*bsearch.DocumentMatch, len(res.Hits))
	for _, h := range res.Hits {
		byID[h.ID] = h
	}
	// After feedback the query's own terms weigh FeedbackMix of the whole,
	// and so does their proximity bonus.
	proxWeight := r.Proximity
	if slices.ContainsFunc(terms, func(t rankTerm) bool { return t.fb }) {
		proxWeight *= r.FeedbackMix
	}
	var tfs []float64
	for _, id := range ids {
		h := byID[id]
		if h == nil { // matched only through a phrase bleve found elsewhere
			out = append(out, scored{id: id})
			continue
		}
		l := lens[id]
		tfs = s.scoreDoc(h.Locations, l, c, terms, idfs, r, tfs[:0])
		out = append(out, scored{id: id, score: sumScore(tfs, terms, idfs, r)})
		if r.Proximity > 0 {
			out[len(out)-1].score += proxWeight * proximity(h.Locations, terms, idfs)
		}
	}
	slices.SortFunc(out, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out, nil
}

// scoreDoc appends to tfs, for each term, its length-normalised weighted
// frequency over title and body (BM25F's pseudo-frequency).
func (s *Searcher) scoreDoc(locs bsearch.FieldTermLocationMap, l [2]float64, c *corpus, terms []rankTerm, idfs []float64, r Ranking, tfs []float64) []float64 {
	norm := func(length, avg float64) float64 {
		if avg <= 0 {
			return 1
		}
		return 1 - r.B + r.B*length/avg
	}
	for _, rt := range terms {
		var tf float64
		tl, bl := locs[indexer.TitleField(rt.lang)], locs[indexer.BodyField(rt.lang)]
		if tl == nil && bl == nil {
			tfs = append(tfs, 0)
			continue
		}
		if rt.fields&inTitle != 0 {
			tf += r.TitleWeight * freq(tl, rt) / norm(l[0], c.avgTitle[rt.lang])
		}
		if rt.fields&inBody != 0 {
			tf += freq(bl, rt) / norm(l[1], c.avgBody[rt.lang])
		}
		tfs = append(tfs, tf)
	}
	return tfs
}

// sumScore saturates each term's pseudo-frequency once and adds them up.
// The terms of the synonym group count as one term, as Lucene's synonym
// query does: their frequencies add up before one saturation, and the group
// takes the idf of its most common member, so a document gains nothing by
// naming many synonyms. Each language's synonyms are a group of their own.
func sumScore(tfs []float64, terms []rankTerm, idfs []float64, r Ranking) float64 {
	sat := func(tf float64) float64 { return tf * (r.K1 + 1) / (r.K1 + tf) }
	type group struct{ tf, w, idf float64 }
	var groups []group // by group number; almost always one
	var score float64
	for i, rt := range terms {
		if idfs[i] == 0 {
			continue
		}
		if rt.group >= 0 {
			for len(groups) <= rt.group {
				groups = append(groups, group{idf: math.Inf(1)})
			}
			g := &groups[rt.group]
			g.tf += tfs[i]
			g.w = rt.weight
			g.idf = min(g.idf, idfs[i])
			continue
		}
		if tfs[i] > 0 {
			score += rt.weight * idfs[i] * sat(tfs[i])
		}
	}
	for _, g := range groups {
		if g.tf > 0 {
			score += g.w * g.idf * sat(g.tf)
		}
	}
	return score
}

// freq counts the occurrences of rt in one field: of its term, or of its
// phrase (every token at its relative position).
func freq(tl bsearch.TermLocationMap, rt rankTerm) float64 {
	if tl == nil {
		return 0
	}
	first := tl[rt.toks[0]]
	if len(rt.toks) == 1 {
		return float64(len(first))
	}
	var n float64
	for _, loc := range first {
		ok := true
		for i := 1; i < len(rt.toks) && ok; i++ {
			ok = hasPos(tl[rt.toks[i]], loc.Pos+rt.gaps[i])
		}
		if ok {
			n++
		}
	}
	return n
}

func hasPos(ls bsearch.Locations, pos uint64) bool {
	for _, l := range ls {
		if l.Pos == pos {
			return true
		}
	}
	return false
}

// proximity rewards pairs of distinct query terms that occur close together
// in the body: for each pair, the idf-weighted inverse of the smallest
// distance between them.
func proximity(locs bsearch.FieldTermLocationMap, terms []rankTerm, idfs []float64) float64 {
	var bonus float64
	for i := range terms {
		if terms[i].group >= 0 || terms[i].fb || len(terms[i].toks) != 1 {
			continue
		}
		tl := locs[indexer.BodyField(terms[i].lang)]
		if len(tl) < 2 {
			continue
		}
		a := tl[terms[i].toks[0]]
		if len(a) == 0 {
			continue
		}
		for j := i + 1; j < len(terms); j++ {
			if terms[j].group >= 0 || terms[j].fb || len(terms[j].toks) != 1 || terms[j].lang != terms[i].lang {
				continue
			}
			b := tl[terms[j].toks[0]]
			if len(b) == 0 {
				continue
			}
			d := minDistance(a, b)
			if d > 0 && d <= 5 {
				bonus += min(idfs[i], idfs[j]) / float64(d*d)
			}
		}
	}
	return bonus
}

// minDistance is the smallest distance between a position in a and one in
// b, both sorted by position (as bleve returns them).
func minDistance(a, b bsearch.Locations) uint64 {
	best := uint64(math.MaxUint64)
	for i, j := 0, 0; i < len(a) && j < len(b); {
		x, y := a[i].Pos, b[j].Pos
		if x < y {
			best = min(best, y-x)
			i++
		} else {
			best = min(best, x-y)
			j++
		}
	}
	return best
}

// sortNumber decodes the numeric sort value at i (a prefix-coded term).
func sortNumber(sort []string, i int) float64 {
	if i >= len(sort) {
		return 0
	}
	v, err := numeric.PrefixCoded(sort[i]).Int64()
	if err != nil {
		return 0
	}
	return numeric.Int64ToFloat64(v)
}

// feedback returns the query's terms expanded by RM3: a relevance model
// P(w|R) estimated from the best documents (each document's term
// distribution weighted by its share of their scores), its FeedbackTerms
// strongest terms, mixed with the query's own term weights in the
// proportion FeedbackMix : 1-FeedbackMix.
func (s *Searcher) feedback(ctx context.Context, top []scored, terms []rankTerm, r Ranking) ([]rankTerm, error) {
	var total float64
	ids := make([]string, 0, len(top))
	for _, d := range top {
		if d.score > 0 {
			ids = append(ids, d.id)
			total += d.score
		}
	}
	if len(ids) == 0 || total == 0 {
		return terms, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = []string{indexer.FieldTitle, indexer.FieldBody}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	weight := make(map[string]float64, len(top))
	for _, d := range top {
		weight[d.id] = d.score / total
	}
	rm := map[string]float64{}
	for _, h := range res.Hits {
		toks := s.analyze(fieldString(h.Fields[indexer.FieldTitle]) + "\n" + fieldString(h.Fields[indexer.FieldBody]))
		if len(toks) == 0 {
			continue
		}
		counts := map[string]float64{}
		for _, t := range toks {
			if len(t.Term) > 1 && !isNumber(t.Term) {
				counts[string(t.Term)]++
			}
		}
		n := float64(len(toks))
		for w, c := range counts {
			rm[w] += weight[h.ID] * c / n
		}
	}
	type tw struct {
		term string
		w    float64
	}
	var cands []tw
	for w, v := range rm {
		cands = append(cands, tw{w, v})
	}
	slices.SortFunc(cands, func(a, b tw) int {
		if c := cmp.Compare(b.w, a.w); c != 0 {
			return c
		}
		return strings.Compare(a.term, b.term)
	})
	cands = cands[:min(len(cands), r.FeedbackTerms)]
	var rmSum, qSum float64
	for _, c := range cands {
		rmSum += c.w
	}
	for _, t := range terms {
		if t.group < 0 {
			qSum += t.weight
		}
	}
	if rmSum == 0 || qSum == 0 {
		return terms, nil
	}
	out := make([]rankTerm, 0, len(terms)+len(cands))
	index := map[string]int{}
	// Weights keep the query's scale (they sum to qSum, as before), so the
	// proximity bonus keeps its proportion.
	for _, t := range terms {
		t.weight *= r.FeedbackMix
		if t.group < 0 && len(t.toks) == 1 {
			index[t.toks[0]] = len(out)
		}
		out = append(out, t)
	}
	for _, c := range cands {
		w := (1 - r.FeedbackMix) * qSum * c.w / rmSum
		if i, ok := index[c.term]; ok {
			out[i].weight += w
			continue
		}
		out = append(out, rankTerm{toks: []string{c.term}, gaps: []uint64{0}, fields: inTitle | inBody, weight: w, group: -1, fb: true})
	}
	return out, nil
}

func isNumber(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
