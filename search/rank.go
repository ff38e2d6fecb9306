package search

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search/query"
)

// Ranking configures ranking: BM25F over title and body for every
// matching document, from exact statistics (term frequencies and field
// lengths from the postings, document frequencies from the field
// dictionaries, the collection's average lengths from indexer.Stats), then
// a proximity bonus for the best Depth, and pseudo-relevance feedback
// before it. The zero value is the default configuration, the one
// docs/relevance.md measured.
type Ranking struct {
	// K1 is BM25's term-frequency saturation; default 1.2.
	K1 float64
	// B is the length normalisation of both fields; default 0.75.
	B float64
	// TitleWeight is how many body occurrences one title occurrence is
	// worth; default 2.
	TitleWeight float64
	// Depth is how many of the best documents by BM25F get the proximity
	// bonus (which needs term positions); default 30: on the standard
	// collections 20, 30, 50 and 100 give the same nDCG@10 and MAP
	// (±0.001), and reading positions costs by the document: at 100,000
	// documents the bonus over 100 was a third of a search's CPU.
	Depth int
	// Proximity is the weight of the bonus for pairs of query terms that
	// occur within five positions of each other in the body; default 0.5,
	// negative turns it off.
	Proximity float64
	// SynonymWeight is the weight of a taxonomy synonym against the query's
	// own words; default 0.5.
	SynonymWeight float64
	// Feedback turns on pseudo-relevance feedback (RM3), off by default:
	// it gains on the standard collections (docs/relevance.md) but made a
	// query of the 100,000-document portal cost 3.7 times the CPU (1.68 ->
	// 6.27 ms mean, BenchmarkQueryMix), each expansion term being scored
	// over every match. With it, a query of free words is expanded with FeedbackTerms terms
	// drawn from its FeedbackDocs best matches, and the matches are scored
	// again (a document holding only expansion terms is not a match). Not
	// for phrases, fields, required or excluded words, a theme's synonyms,
	// or a query whose best match holds all its words in its title.
	Feedback bool
	// Recency is the default half-life of the recency boost
	// (Request.Recency); 0 is none.
	Recency       time.Duration
	FeedbackDocs  int // default 10 (at most 20)
	FeedbackTerms int // default 10
	// FeedbackMix is the weight of the query's own words, 0..1; default
	// 0.9: the expansion breaks near-ties and lifts related documents from
	// deeper in the list, the words typed keep the ranking. (0.7 gains more
	// MAP on CISI and Medline, but moves 4 of the demo's known pages from
	// the top and costs CACM a little nDCG@10; docs/relevance.md.)
	FeedbackMix float64
	// FeedbackPrior is the Dirichlet prior, in tokens, added to each
	// feedback document's length when its term distribution is estimated
	// (tf / (length + prior)), so that a short document (a title alone)
	// does not lend its few words the weight of a whole abstract; default
	// 200, negative: none.
	FeedbackPrior float64
	// FeedbackRaw ranks the candidate expansion terms by their weight in
	// the relevance model alone, as plain RM3 does; by default the weight
	// is multiplied by the term's idf, so that the collection's common
	// words do not take the places.
	FeedbackRaw bool
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
		r.Depth = 30
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
	r.FeedbackDocs = min(r.FeedbackDocs, maxFeedbackDocs)
	if r.FeedbackTerms <= 0 {
		r.FeedbackTerms = 10
	}
	if !(r.FeedbackMix > 0 && r.FeedbackMix <= 1) {
		r.FeedbackMix = 0.9
	}
	switch {
	case r.FeedbackPrior < 0:
		r.FeedbackPrior = 0
	case !(r.FeedbackPrior > 0):
		r.FeedbackPrior = 200
	}
	return r
}

// analyzeFunc analyses text as the fields of a text-field language do
// (indexer.Reader.Analyze).
type analyzeFunc func(lang, text string) analysis.TokenStream

// field masks of a rank term.
const (
	inTitle uint8 = 1 << iota
	inBody
)

// rankTerm is one analysed query term (or, with more than one token, a
// phrase scored as a unit) with its weight in the query.
type rankTerm struct {
	toks   []string // analysed terms; len > 1 for a phrase
	gaps   []uint32 // position of toks[i] relative to toks[0]
	fields uint8
	weight float64 // occurrences in the query, times SynonymWeight for a synonym
	group  int     // terms of one group share one saturation (synonyms); -1 alone
	fb     bool    // added by feedback: no part in the proximity bonus
	lang   string  // text-field language whose fields the term is scored on
}

// rankTerms returns the terms that score a query: every analysed word of its
// free-text words and phrases that are not negated, each once with its
// count, and the synonyms (as phrases, weighted, in one shared group), for
// each text-field language of langs, analysed by that language's analyzer
// (a document has the fields of one language only, so it is scored by its
// language's reading of the query). Each language's synonyms form their
// own group.
func rankTerms(an analyzeFunc, pq *query.Group, synonyms []string, r Ranking, langs ...string) []rankTerm {
	if len(langs) == 0 {
		langs = englishOnly
	}
	var out []rankTerm
	for gi, l := range langs {
		out = rankTermsIn(an, out, l, gi, pq, synonyms, r)
	}
	return out
}

func rankTermsIn(an analyzeFunc, out []rankTerm, lang string, group int, pq *query.Group, synonyms []string, r Ranking) []rankTerm {
	index := make(map[string]int)
	add := func(tok string, fields uint8, times float64) {
		if i, ok := index[tok]; ok {
			out[i].weight += times
			out[i].fields |= fields
			return
		}
		index[tok] = len(out)
		out = append(out, rankTerm{toks: []string{tok}, gaps: []uint32{0}, fields: fields, weight: times, group: -1, lang: lang})
	}
	addText := func(field, text string, times float64) {
		fields := inTitle | inBody
		switch field {
		case indexer.FieldTitle:
			fields = inTitle
		case indexer.FieldBody:
			fields = inBody
		}
		for _, t := range an(lang, text) {
			add(string(t.Term), fields, times)
		}
	}
	// A clause weighs as often as it was typed, and its group was.
	var walk func(occ query.Occur, times float64, q query.Q)
	walk = func(occ query.Occur, times float64, q query.Q) {
		if occ == query.MustNot {
			return
		}
		switch n := q.(type) {
		case *query.Group:
			for _, c := range n.Clauses {
				walk(c.Occur, times*float64(1+c.Repeat), c.Q)
			}
		case *query.Word:
			addText(n.Field, n.Text, times)
		case *query.Phrase:
			addText(n.Field, n.Text, times)
		}
	}
	if pq != nil {
		walk(query.Should, 1, pq)
	}
	for _, syn := range synonyms {
		ts := an(lang, syn)
		if len(ts) == 0 {
			continue
		}
		rt := rankTerm{fields: inTitle | inBody, weight: r.SynonymWeight, group: group, lang: lang}
		for _, t := range ts {
			rt.toks = append(rt.toks, string(t.Term))
			rt.gaps = append(rt.gaps, uint32(t.Position-ts[0].Position))
		}
		out = append(out, rt)
	}
	return out
}

// corpus holds the collection statistics of one search. Average lengths
// are per text-field language; document frequencies per language and term
// (key lang + "\x00" + term).
type corpus struct {
	n                 float64
	nLang             map[string]float64 // documents per text-field language, from Stats
	avgTitle, avgBody map[string]float64
	dfTitle, dfBody   map[string]float64
	// fixed says the mean lengths are the Reader's statistics, the same
	// for every search: contributions computed with them may be cached.
	// (An index without statistics takes the means of the documents
	// holding each query's terms.)
	fixed bool
}

func dfKey(lang, tok string) string { return lang + "\x00" + tok }

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

// feedback returns the query's terms expanded by RM3: a relevance model
// P(w|R) estimated from the best documents top that are in the language of
// the first (each document's term distribution, read from the first
// feedbackBytes of its title and text, smoothed by FeedbackPrior, weighted
// by the document's share of their scores), its FeedbackTerms strongest
// terms that occur in at least feedbackMinDocs of the documents (strongest
// by P(w|R) times idf, or P(w|R) alone with FeedbackRaw), mixed with the
// query's own term weights in that language in the proportion FeedbackMix
// : 1-FeedbackMix.
func (e *run) feedback(top []uint32, sc *scores, terms []rankTerm) ([]rankTerm, error) {
	r := e.s.rank
	langCol := e.r.Column(indexer.FacetLang)
	langOf := func(d uint32) string {
		if o := langCol.Of(d); len(o) > 0 {
			return indexer.TextLang(langCol.Values[o[0]-1])
		}
		return ""
	}
	// The model is estimated from the best documents in the language of
	// the best one: a query read by another language's analyzer matches
	// pages that share a word or two with it (French "programme" in English
	// agendas) and say nothing of what was asked.
	if len(top) == 0 {
		return terms, nil
	}
	lang := langOf(top[0])
	named, err := e.titleHoldsQuery(top[0], lang, terms)
	if err != nil || named {
		return terms, err
	}
	var total float64
	same := make([]uint32, 0, len(top))
	for _, d := range top {
		if sc.v[d] > 0 && langOf(d) == lang {
			same = append(same, d)
			total += sc.v[d]
		}
	}
	if len(same) < feedbackMinDocs || total == 0 {
		return terms, nil
	}
	type cand struct {
		rt   rankTerm
		w    float64
		docs int
	}
	cands := map[string]*cand{} // by word
	for _, d := range same {
		dt, err := e.docTerms(d, lang)
		if err != nil {
			return nil, err
		}
		if dt.n == 0 {
			continue
		}
		share, n := sc.v[d]/total, dt.n+r.FeedbackPrior
		for i, w := range dt.terms {
			c := cands[w]
			if c == nil {
				c = &cand{rt: rankTerm{toks: []string{w}, gaps: []uint32{0}, fields: inTitle | inBody, group: -1, fb: true, lang: lang}}
				cands[w] = c
			}
			c.w += share * dt.counts[i] / n
			c.docs++
		}
	}
	var kept []*cand
	for _, c := range cands {
		if c.docs >= feedbackMinDocs {
			kept = append(kept, c)
		}
	}
	if !r.FeedbackRaw && len(kept) > 0 {
		rts := make([]rankTerm, len(kept))
		for i, c := range kept {
			rts[i] = c.rt
		}
		corp, err := e.corpusFor(rts)
		if err != nil {
			return nil, err
		}
		for _, c := range kept {
			c.w *= corp.idf(c.rt)
		}
	}
	slices.SortFunc(kept, func(a, b *cand) int {
		if c := cmp.Compare(b.w, a.w); c != 0 {
			return c
		}
		return strings.Compare(a.rt.toks[0], b.rt.toks[0])
	})
	kept = kept[:min(len(kept), r.FeedbackTerms)]
	var rmSum float64
	for _, c := range kept {
		rmSum += c.w
	}
	var qSum float64 // the query's own weight in lang
	for _, t := range terms {
		if t.group < 0 && t.lang == lang {
			qSum += t.weight
		}
	}
	if rmSum == 0 {
		return terms, nil
	}
	out := make([]rankTerm, 0, len(terms)+len(kept))
	index := map[string]int{}
	// Weights keep the query's scale (they sum to its qSum, as before), so
	// the proximity bonus keeps its proportion; the terms of the other
	// languages keep theirs, so that their documents keep their scores.
	for _, t := range terms {
		if t.lang == lang {
			t.weight *= r.FeedbackMix
		}
		if t.group < 0 && len(t.toks) == 1 && t.lang == lang {
			index[t.toks[0]] = len(out)
		}
		out = append(out, t)
	}
	for _, c := range kept {
		w := (1 - r.FeedbackMix) * qSum * c.w / rmSum
		if w <= 0 {
			continue
		}
		if i, ok := index[c.rt.toks[0]]; ok {
			out[i].weight += w
			continue
		}
		c.rt.weight = w
		out = append(out, c.rt)
	}
	return out, nil
}

// titleHoldsQuery reports whether doc's title, analysed in lang, holds
// every word of the query (its terms in lang): the user named that page
// ("members of the working group"), and feedback would only pull the
// pages around it up to it.
func (e *run) titleHoldsQuery(doc uint32, lang string, terms []rankTerm) (bool, error) {
	h, err := e.r.Hit(doc)
	if err != nil {
		return false, err
	}
	title := map[string]bool{}
	for _, t := range e.r.Analyze(lang, h.Title) {
		title[string(t.Term)] = true
	}
	n := 0
	for _, t := range terms {
		if t.lang != lang || t.group >= 0 {
			continue
		}
		for _, w := range t.toks {
			if !title[w] {
				return false, nil
			}
			n++
		}
	}
	return n > 0, nil
}

// docTerms are the words of a document as feedback reads them: the
// analysed words of its title and the first feedbackBytes of its text
// (those of one letter and numbers left out), with their counts, and the
// number of tokens.
type docTerms struct {
	terms  []string
	counts []float64
	n      float64
}

func (dt *docTerms) size() int {
	n := 64 + 32*len(dt.terms)
	for _, t := range dt.terms {
		n += len(t)
	}
	return n
}

// docTerms returns doc's words, analysed in lang (the document's own), from
// the cache or from its text: analysis is most of feedback's work, and a
// portal's best documents come back query after query.
func (e *run) docTerms(doc uint32, lang string) (*docTerms, error) {
	key := "f" + lang + "\x00" + strconv.FormatUint(uint64(doc), 10)
	if v := e.s.cache.get(e.r, key); v != nil {
		return v.(*docTerms), nil
	}
	h, err := e.r.Hit(doc)
	if err != nil {
		return nil, err
	}
	body, _, err := e.r.Text(doc, 0, feedbackBytes)
	if err != nil {
		return nil, err
	}
	toks := e.r.Analyze(lang, h.Title+"\n"+body)
	counts := map[string]float64{}
	for _, t := range toks {
		if len(t.Term) > 1 && !isNumber(t.Term) {
			counts[string(t.Term)]++
		}
	}
	dt := &docTerms{terms: slices.Sorted(maps.Keys(counts)), n: float64(len(toks))}
	dt.counts = make([]float64, len(dt.terms))
	for i, w := range dt.terms {
		dt.counts[i] = counts[w]
	}
	e.s.cache.put(e.r, key, dt)
	return dt, nil
}

const (
	// feedbackBytes is how much of each best document's text feedback
	// reads and analyses: the work per query stays bounded whatever the
	// documents' sizes.
	feedbackBytes = 8 << 10
	// feedbackMinDocs is in how many of the best documents an expansion
	// term must occur: a word of one document is that document's topic,
	// not the query's.
	feedbackMinDocs = 2
	// maxFeedbackDocs bounds FeedbackDocs, and so the text read.
	maxFeedbackDocs = 20
)

func isNumber(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
