package search

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
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
	// NoFeedback turns off pseudo-relevance feedback (RM3), on by default:
	// a query of free words is expanded with FeedbackTerms terms drawn
	// from its FeedbackDocs best matches, and its FeedbackDepth best
	// matches are scored again and re-ordered (a document holding only
	// expansion terms is not a match; those after keep their order). Not
	// for phrases, fields, required or excluded words, a theme's synonyms,
	// or a query whose best match holds all its words in its title.
	NoFeedback bool
	// Recency is the default half-life of the recency boost
	// (Request.Recency); 0 is none.
	Recency      time.Duration
	FeedbackDocs int // default 10 (at most 20)
	// FeedbackDepth is how many of the first pass's best documents the
	// expanded query re-scores and re-orders; those after keep the first
	// pass's order. Default 300: three times the depth MAP is measured at
	// (docs/relevance.md), so that documents from below the first 100 can
	// rise into them; 200 measured the same, 100 cannot change recall@100.
	FeedbackDepth int
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
	if r.FeedbackDepth <= 0 {
		r.FeedbackDepth = 300
	}
	r.FeedbackDepth = max(r.FeedbackDepth, r.FeedbackDocs)
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
	n := c.docs(rt.lang)
	df := c.df(rt)
	if df == 0 || math.IsInf(df, 1) {
		return 0
	}
	return math.Log(1 + (max(n, df)-df+0.5)/(df+0.5))
}

// docs is the number of documents of a text-field language (all of them
// when the index has no statistics).
func (c *corpus) docs(lang string) float64 {
	if n, ok := c.nLang[lang]; ok {
		return n
	}
	return c.n
}

// df is the document frequency idf takes for rt.
func (c *corpus) df(rt rankTerm) float64 {
	df := math.Inf(1)
	for _, tok := range rt.toks {
		k := dfKey(rt.lang, tok)
		df = min(df, max(c.dfTitle[k], c.dfBody[k]))
	}
	return df
}

// expansion is what feedback adds to a query: the language whose model it
// is (only documents of that language are re-scored), the added terms with
// the weight each adds (a word of the query may be one: its weight grows),
// the statistics that score them, and the share of the original score a
// document keeps (FeedbackMix).
type expansion struct {
	lang   string
	terms  []rankTerm
	corpus *corpus
	keep   float64
}

// feedback returns the expansion of the query's terms by RM3, or nil for
// none: a relevance model P(w|R) estimated from the best documents top
// that are in the language of the first (each document's term
// distribution, read from the first feedbackBytes of its title and text,
// smoothed by FeedbackPrior, weighted by the document's share of their
// scores), its FeedbackTerms strongest terms that occur in at least
// feedbackMinDocs of the documents (strongest by P(w|R) times idf, or
// P(w|R) alone with FeedbackRaw), weighted so that the query's own terms
// in that language and the expansion share the query's weight in the
// proportion FeedbackMix : 1-FeedbackMix.
func (e *run) feedback(top []uint32, sc *scores, terms []rankTerm) (*expansion, error) {
	r := e.s.rank
	// The model is estimated from the best documents in the language of
	// the best one: a query read by another language's analyzer matches
	// pages that share a word or two with it (French "programme" in English
	// agendas) and say nothing of what was asked.
	if len(top) == 0 {
		return nil, nil
	}
	lang := e.langOf(top[0])
	named, err := e.titleHoldsQuery(top[0], lang, terms)
	if err != nil || named {
		return nil, err
	}
	var total float64
	same := make([]uint32, 0, len(top))
	for _, d := range top {
		if sc.v[d] > 0 && e.langOf(d) == lang {
			same = append(same, d)
			total += sc.v[d]
		}
	}
	if len(same) < feedbackMinDocs || total == 0 {
		return nil, nil
	}
	// The candidates: every word of the documents, its weight in the
	// model and in how many of them it occurs.
	type cand struct {
		word string
		w    float64
		docs int
	}
	dts := make([]*docTerms, len(same))
	words := 0
	for i, d := range same {
		if dts[i], err = e.docTerms(d, lang); err != nil {
			return nil, err
		}
		words += dts[i].len()
	}
	// Sized for the distinct words: 63% of the words of a query's best
	// documents were, over the 100,000-document portal's mix.
	cands := make([]cand, 0, words*2/3)
	at := make(map[string]int, words*2/3)
	for i, d := range same {
		dt := dts[i]
		if dt.n == 0 {
			continue
		}
		share, n := sc.v[d]/total, dt.n+r.FeedbackPrior
		for i := range dt.len() {
			w := dt.word(i)
			k, ok := at[w]
			if !ok {
				k = len(cands)
				at[w] = k
				cands = append(cands, cand{word: w})
			}
			cands[k].w += share * float64(dt.counts[i]) / n
			cands[k].docs++
		}
	}
	kept := slices.DeleteFunc(cands, func(c cand) bool { return c.docs < feedbackMinDocs })
	byWeight := func(a, b cand) int {
		if c := cmp.Compare(b.w, a.w); c != 0 {
			return c
		}
		return strings.Compare(a.word, b.word)
	}
	term := func(w string) rankTerm {
		return rankTerm{toks: []string{w}, gaps: []uint32{0}, fields: inTitle | inBody, group: -1, fb: true, lang: lang}
	}
	slices.SortFunc(kept, byWeight)
	if !r.FeedbackRaw && len(kept) > 0 {
		// The strongest by P(w|R), feedbackPool times as many as are
		// wanted, re-weighted by idf: a portal's ten best pages share a
		// thousand words, each of whose document frequencies is a
		// dictionary lookup, and the words chosen come from the first few
		// dozen (on the collections the choice is the same from 50 words
		// as from all).
		kept = kept[:min(len(kept), feedbackPool*r.FeedbackTerms)]
		rts := make([]rankTerm, len(kept))
		for i, c := range kept {
			rts[i] = term(c.word)
		}
		corp, err := e.corpusFor(rts)
		if err != nil {
			return nil, err
		}
		// A new word in more than a tenth of the documents (and than
		// feedback reads) is too common to say what they are about; the
		// query's own words may gain weight whatever their frequency.
		maxDF := max(feedbackMaxDF*corp.docs(lang), float64(r.FeedbackDocs))
		typed := map[string]bool{}
		for _, t := range terms {
			if t.lang == lang && len(t.toks) == 1 {
				typed[t.toks[0]] = true
			}
		}
		for i := range kept {
			kept[i].w *= corp.idf(rts[i])
			if corp.df(rts[i]) > maxDF && !typed[kept[i].word] {
				kept[i].w = 0
			}
		}
		slices.SortFunc(kept, byWeight)
		kept = slices.DeleteFunc(kept, func(c cand) bool { return c.w == 0 })
	}
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
		return nil, nil
	}
	x := &expansion{lang: lang, keep: r.FeedbackMix}
	// Weights keep the query's scale (they sum to its qSum, as before), so
	// the proximity bonus keeps its proportion.
	for _, c := range kept {
		w := (1 - r.FeedbackMix) * qSum * c.w / rmSum
		if w <= 0 {
			continue
		}
		rt := term(c.word)
		rt.weight = w
		x.terms = append(x.terms, rt)
	}
	if len(x.terms) == 0 {
		return nil, nil
	}
	if x.corpus, err = e.corpusFor(x.terms); err != nil {
		return nil, err
	}
	return x, nil
}

// langOf returns the text-field language of doc.
func (e *run) langOf(doc uint32) string {
	col := e.r.Column(indexer.FacetLang)
	if o := col.Of(doc); len(o) > 0 {
		return indexer.TextLang(col.Values[o[0]-1])
	}
	return ""
}

// rescore re-scores the candidates (the first pass's best, in its order)
// with the expanded query: a document of the expansion's language keeps
// x.keep of its score and gains each expansion term's BM25F contribution,
// read for the candidates alone (the term's documents intersected with
// theirs, then their postings); documents of other languages keep their
// scores, as the query's terms in their languages keep their weights.
func (e *run) rescore(cands []uint32, x *expansion, sc *scores) error {
	r := e.s.rank
	sorted := slices.Clone(cands)
	slices.Sort(sorted)
	in := roaring.BitmapOf(sorted...)
	var mine []uint32 // the candidates of x.lang, ascending
	for _, d := range sorted {
		if e.langOf(d) == x.lang {
			mine = append(mine, d)
			if sc.v[d] == 0 {
				sc.dirty = append(sc.dirty, d)
			}
			sc.v[d] *= x.keep
		}
	}
	if len(mine) < len(sorted) {
		in = roaring.BitmapOf(mine...)
	}
	avg := map[indexer.Part]float64{indexer.Title: x.corpus.avgTitle[x.lang], indexer.Body: x.corpus.avgBody[x.lang]}
	weight := map[indexer.Part]float64{indexer.Title: r.TitleWeight, indexer.Body: 1}
	tf := make([]float64, len(mine))
	for _, rt := range x.terms {
		idf := x.corpus.idf(rt)
		if idf == 0 {
			continue
		}
		if x.corpus.fixed && x.corpus.df(rt) >= minCachedPostings {
			// A common word: its saturated contributions over all its
			// documents, from the cache where a search left them (reading
			// its postings for the candidates alone decodes most of them,
			// a chunk per candidate, and keeps nothing).
			ts, err := e.termSat(rt, avg[indexer.Title], avg[indexer.Body])
			if err != nil {
				return err
			}
			j := 0
			for _, d := range mine {
				k, found := slices.BinarySearch(ts.docs[j:], d)
				j += k
				if found {
					sc.v[d] += rt.weight * idf * ts.v[j]
				}
			}
			continue
		}
		clear(tf)
		for _, part := range []indexer.Part{indexer.Title, indexer.Body} {
			bm, err := e.termBitmap(part, x.lang, rt.toks[0])
			if err != nil {
				return err
			}
			docs := roaring.And(bm, in).ToArray()
			if len(docs) == 0 {
				continue
			}
			w, a := weight[part], avg[part]
			err = e.r.PostingsOf(part, x.lang, rt.toks[0], docs, false, 0, func(i int, p *indexer.Posting) {
				k, _ := slices.BinarySearch(mine, docs[i])
				n := 1.0
				if a > 0 {
					n = 1 - r.B + r.B*float64(p.Length)/a
				}
				tf[k] += w * float64(p.Freq) / n
			})
			if err != nil {
				return err
			}
		}
		for k, v := range tf {
			if v > 0 {
				sc.v[mine[k]] += rt.weight * idf * v * (r.K1 + 1) / (r.K1 + v)
			}
		}
		if err := e.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
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
// number of tokens. Compact, so that the cache holds many: the words in
// one string.
type docTerms struct {
	words  string
	ends   []uint16 // word i is words[ends[i-1]:ends[i]]
	counts []uint16
	n      float64
}

func (dt *docTerms) len() int { return len(dt.ends) }

func (dt *docTerms) word(i int) string {
	start := uint16(0)
	if i > 0 {
		start = dt.ends[i-1]
	}
	return dt.words[start:dt.ends[i]]
}

func (dt *docTerms) size() int { return 96 + len(dt.words) + 4*len(dt.ends) }

// docTerms returns doc's words, analysed in lang (the document's own), from
// the Searcher's cache of them or from its text: analysis is most of
// feedback's work, and a portal's best documents come back query after
// query. (They have a cache of their own: in the main one, the long
// postings lists of common words pushed them out.)
func (e *run) docTerms(doc uint32, lang string) (*docTerms, error) {
	key := lang + "\x00" + strconv.FormatUint(uint64(doc), 10)
	if v := e.s.docs.get(e.r, key); v != nil {
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
	counts := map[string]uint16{}
	for _, t := range toks {
		if len(t.Term) > 1 && !isNumber(t.Term) {
			if c := counts[string(t.Term)]; c < math.MaxUint16 {
				counts[string(t.Term)] = c + 1
			}
		}
	}
	// In the map's order: feedback sums each word's weight over the
	// documents in their order, whatever the order of the words.
	dt := &docTerms{ends: make([]uint16, 0, len(counts)), counts: make([]uint16, 0, len(counts)), n: float64(len(toks))}
	var b strings.Builder
	for w, n := range counts {
		if b.Len()+len(w) > math.MaxUint16 {
			break // not with feedbackBytes of text
		}
		b.WriteString(w)
		dt.ends = append(dt.ends, uint16(b.Len()))
		dt.counts = append(dt.counts, n)
	}
	dt.words = b.String()
	e.s.docs.put(e.r, key, dt)
	return dt, nil
}

const (
	// feedbackBytes is how much of each best document's text feedback
	// reads and analyses: the work per query stays bounded whatever the
	// documents' sizes.
	feedbackBytes = 2 << 10
	// feedbackPool is how many candidate words per expansion term, the
	// strongest in the relevance model, are weighed by their idf.
	feedbackPool = 5
	// feedbackMaxDF is the largest share of the documents an expansion
	// word may occur in: a commoner word says little of what the best
	// documents are about, and its postings are the longest to read.
	feedbackMaxDF = 0.1
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

// keepRest scales by x.keep the score of every match of x's language but
// cands (which rescore has scored with the expansion): the expanded
// query's score of a document without the expansion terms, read for no
// one. For a cursor's page, which may lie anywhere in the order.
func (e *run) keepRest(matches *roaring.Bitmap, cands []uint32, x *expansion, sc *scores) error {
	skip := roaring.BitmapOf(cands...)
	return e.eachMatch(matches, func(docs []uint32) {
		for _, d := range docs {
			if sc.v[d] != 0 && !skip.Contains(d) && e.langOf(d) == x.lang {
				sc.v[d] *= x.keep
			}
		}
	})
}
