package search

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search/query"
)

// The query path. A search runs in three steps over an indexer.Reader,
// each costing what it must and no more:
//
//  1. match: the parsed query becomes a set of document numbers (roaring
//     bitmaps of the terms' postings, combined as the query says; phrases
//     checked position by position), with no scoring and no filters;
//  2. score: each scoring term's postings are read once (term frequency and
//     field length, no positions) and BM25F accumulates into an array by
//     document number;
//  3. collect applies the filters as bitmaps of the in-memory columns (the
//     matches passing all is one intersection), counts each facet over the
//     matches passing the other filters (its disjunctive count) by
//     intersections or document by document, and passes the documents that
//     pass every filter to the heaps of the best offset+size, which turn
//     away a document scoring below the last kept inline. (With a date
//     range, one pass document by document does it all: collectEach.)
//
// Positions are read only for the best Ranking.Depth documents (the
// proximity bonus) and the page's hits (snippets), from the postings or,
// for many frequent words, from the documents' texts analysed again.

// run is one search's working state over a Reader.
type run struct {
	s     *Searcher
	r     *indexer.Reader
	ctx   context.Context
	langs []string // the text-field languages a text clause matches in
	// phrases caches the documents of each phrase read, for matching and
	// scoring alike.
	phrases map[string]*phraseDocs
	// occs keeps the body occurrences the proximity pass read, for the
	// page's snippets: the page's hits are among the documents it read.
	occs map[occKey]occSpans
	// buf is eachMatch's buffer of document numbers, kept for the next.
	buf []uint32
	// corpus holds the statistics of the search's terms, once scored.
	corpus *corpus
}

// occKey names one word's occurrences in one document's body.
type occKey struct {
	lang, word string
	doc        uint32
}

// occSpans are a word's occurrences in a body, as byte offsets; capped
// when there were more than the proximity pass reads.
type occSpans struct {
	start, end []uint32
	capped     bool
}

func (s *Searcher) newRun(ctx context.Context, r *indexer.Reader) *run {
	return &run{s: s, r: r, ctx: ctx, langs: r.TextLangs(), phrases: map[string]*phraseDocs{}}
}

// stop reports whether the search's context is done: the work stops, not
// only the answer.
func (e *run) stop() bool { return e.ctx.Err() != nil }

// match returns the documents matching the query's text (nil pq: all).
func (e *run) match(pq *query.Group, synonyms []string) (*roaring.Bitmap, error) {
	if pq == nil || len(pq.Clauses) == 0 {
		return e.r.Live().Clone(), nil
	}
	bm, err := e.node(pq)
	if err != nil {
		return nil, err
	}
	for _, syn := range synonyms {
		sb, err := e.text("", syn, true)
		if err != nil {
			return nil, err
		}
		bm.Or(sb)
	}
	return bm, nil
}

func (e *run) node(q query.Q) (*roaring.Bitmap, error) {
	if err := e.ctx.Err(); err != nil {
		return nil, err
	}
	switch q := q.(type) {
	case *query.Word:
		return e.text(q.Field, q.Text, false)
	case *query.Phrase:
		return e.text(q.Field, q.Text, true)
	case *query.Term:
		return e.r.KeywordBitmap(q.Field, q.Value)
	}
	var must, should, not []*roaring.Bitmap
	for _, c := range q.(*query.Group).Clauses {
		b, err := e.node(c.Q)
		if err != nil {
			return nil, err
		}
		switch c.Occur {
		case query.Must:
			must = append(must, b)
		case query.MustNot:
			not = append(not, b)
		default:
			should = append(should, b)
		}
	}
	var out *roaring.Bitmap
	switch {
	case len(must) > 0: // should clauses only score
		out = must[0]
		for _, b := range must[1:] {
			out.And(b)
		}
	case len(should) > 0:
		out = roaring.FastOr(should...)
	default:
		out = e.r.Live().Clone()
	}
	for _, b := range not {
		out.AndNot(b)
	}
	return out, nil
}

// parts returns the text parts a clause on field reads.
func parts(field string) []indexer.Part {
	switch field {
	case indexer.FieldTitle:
		return []indexer.Part{indexer.Title}
	case indexer.FieldBody:
		return []indexer.Part{indexer.Body}
	}
	return []indexer.Part{indexer.Title, indexer.Body}
}

// text returns the documents holding any analysed word of text (or, for a
// phrase, all of them in order) in the parts of field, in the fields of
// every language searched, each language analysing text its own way.
func (e *run) text(field, text string, phrase bool) (*roaring.Bitmap, error) {
	out := roaring.New()
	for _, l := range e.langs {
		toks := e.r.Analyze(l, text)
		if len(toks) == 0 {
			continue
		}
		if !phrase || len(toks) == 1 {
			for _, t := range toks {
				for _, p := range parts(field) {
					b, err := e.termBitmap(p, l, string(t.Term))
					if err != nil {
						return nil, err
					}
					out.Or(b)
				}
			}
			continue
		}
		words, gaps := phraseOf(toks)
		for _, p := range parts(field) {
			pd, err := e.phrase(p, l, words, gaps)
			if err != nil {
				return nil, err
			}
			out.Or(pd.bm)
		}
	}
	return out, nil
}

// phraseDocs are the documents holding a phrase in one part, in document
// order, with the phrase's frequency and the field's length in each.
type phraseDocs struct {
	bm    *roaring.Bitmap
	docs  []uint32
	freqs []uint32
	lens  []uint32
}

// phrase finds the documents where words occur at their gaps from the
// first: the documents holding them all (an AND of bitmaps), then the
// positions of each in those documents.
func (e *run) phrase(p indexer.Part, lang string, words []string, gaps []uint32) (*phraseDocs, error) {
	key := "p" + string(rune('0'+p)) + lang + "\x00" + strings.Join(words, "\x00")
	for _, g := range gaps {
		key += "\x01" + string(rune(g))
	}
	if pd, ok := e.phrases[key]; ok {
		return pd, nil
	}
	if v := e.s.cache.get(e.r, key); v != nil {
		pd := v.(*phraseDocs)
		e.phrases[key] = pd
		return pd, nil
	}
	pd := &phraseDocs{bm: roaring.New()}
	// A word the phrase repeats ("discussed group discussed group ...")
	// is read once: at[wi] is the index of words[wi] among the distinct.
	var distinct []string
	at := make([]int, len(words))
	for wi, w := range words {
		if at[wi] = slices.Index(distinct, w); at[wi] < 0 {
			at[wi] = len(distinct)
			distinct = append(distinct, w)
		}
	}
	var cand *roaring.Bitmap
	for _, w := range distinct {
		b, err := e.termBitmap(p, lang, w)
		if err != nil {
			return nil, err
		}
		if cand == nil {
			cand = b.Clone() // b may be the cache's
		} else {
			cand.And(b)
		}
		if cand.IsEmpty() {
			e.phrases[key] = pd
			return pd, nil
		}
	}
	docs := cand.ToArray()
	if docs, err := e.frequentEnough(p, lang, distinct, at, docs); err != nil || len(docs) == 0 {
		if err == nil {
			e.phrases[key] = pd
			e.s.cache.put(e.r, key, pd)
		}
		return pd, err
	}
	// dpos[k][i]: the positions of distinct[k] in docs[i], in one backing
	// array per word. A document where a word is too frequent to read its
	// positions (maxPositions) is taken to hold the phrase as often as its
	// rarest word.
	dpos := make([][][]uint32, len(distinct))
	lens := make([]uint32, len(docs))
	capped := make([]uint32, len(docs)) // the least frequency of a capped word, 0 for none
	for k, w := range distinct {
		dpos[k] = make([][]uint32, len(docs))
		var backing []uint32
		err := e.r.PostingsOf(p, lang, w, docs, true, maxPositions, func(i int, post *indexer.Posting) {
			lens[i] = post.Length
			if post.Capped {
				if capped[i] == 0 || post.Freq < capped[i] {
					capped[i] = post.Freq
				}
				return
			}
			start := len(backing)
			backing = append(backing, post.Pos...)
			dpos[k][i] = backing[start:len(backing):len(backing)]
		})
		if err != nil {
			return nil, err
		}
		if err := e.ctx.Err(); err != nil {
			return nil, err
		}
	}
	pos := make([][][]uint32, len(words))
	for wi := range words {
		pos[wi] = dpos[at[wi]]
	}
	for i, d := range docs {
		var n uint32
		if capped[i] > 0 {
			n = capped[i]
			for wi := range words {
				if pos[wi][i] != nil {
					n = min(n, uint32(len(pos[wi][i])))
				}
			}
		} else {
			for _, p0 := range pos[0][i] {
				ok := true
				for wi := 1; wi < len(words) && ok; wi++ {
					_, ok = slices.BinarySearch(pos[wi][i], p0+gaps[wi])
				}
				if ok {
					n++
				}
			}
		}
		if n > 0 {
			pd.docs = append(pd.docs, d)
			pd.freqs = append(pd.freqs, n)
			pd.lens = append(pd.lens, lens[i])
		}
	}
	pd.bm.AddMany(pd.docs)
	pd.bm.RunOptimize()
	e.phrases[key] = pd
	e.s.cache.put(e.r, key, pd)
	return pd, nil
}

// frequentEnough returns the documents of docs that may hold a phrase
// repeating a word (distinct[at[i]] is its word i): those holding each
// word at least as often as the phrase does, from the postings'
// frequencies (no positions read), the most repeated word first and each
// next word read for the documents left. A long phrase of two frequent
// words repeated ("discussed group discussed group ...") is in almost no
// document, and its positions would be read in tens of thousands. A
// document holding a word more often than positions are read for
// (maxPositions) stays: phrase takes it to hold the phrase as often as its
// rarest word; only a field longer than that can, so such a document
// stays until every word is read. Without a repeated word, docs is
// returned as it is.
func (e *run) frequentEnough(p indexer.Part, lang string, distinct []string, at []int, docs []uint32) ([]uint32, error) {
	need := make([]uint32, len(distinct))
	for _, k := range at {
		need[k]++
	}
	if slices.Max(need) < 2 {
		return docs, nil
	}
	order := make([]int, len(distinct))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(need[b], need[a]) })
	// long: a field that may hold a word past maxPositions; short: a
	// word held fewer times than the phrase needs.
	long := map[uint32]bool{}
	short := map[uint32]bool{}
	capped := map[uint32]bool{}
	for _, k := range order {
		ok := make([]bool, len(docs))
		err := e.r.PostingsOf(p, lang, distinct[k], docs, false, 0, func(i int, post *indexer.Posting) {
			d := docs[i]
			if post.Length > maxPositions {
				long[d] = true
			}
			if post.Freq > maxPositions {
				capped[d] = true
			}
			ok[i] = post.Freq >= need[k]
		})
		if err != nil {
			return nil, err
		}
		if err := e.ctx.Err(); err != nil {
			return nil, err
		}
		out := docs[:0]
		for i, d := range docs {
			switch {
			case ok[i] && !short[d]:
				out = append(out, d)
			case long[d]: // a later word may be capped in it
				short[d] = true
				out = append(out, d)
			}
		}
		docs = out
		if len(docs) == 0 {
			return nil, nil
		}
	}
	return slices.DeleteFunc(docs, func(d uint32) bool { return short[d] && !capped[d] }), nil
}

// phraseOf returns a phrase's analysed words and the position of each
// relative to the first (stop words removed by analysis leave gaps).
func phraseOf(toks analysis.TokenStream) ([]string, []uint32) {
	words := make([]string, len(toks))
	gaps := make([]uint32, len(toks))
	for i, t := range toks {
		words[i], gaps[i] = string(t.Term), uint32(t.Position-toks[0].Position)
	}
	return words, gaps
}

// scores holds BM25F scores by document number, reused across searches
// of one Reader size.
type scores struct {
	v       []float64
	acc     []float64
	touched []uint32
	dirty   []uint32 // documents with a score, to clear
	// all says that so many documents have a score that clearing the
	// whole array costs less than tracking them (dirty is then partial).
	all bool
}

var scorePool sync.Pool

func getScores(n int) *scores {
	if sc, ok := scorePool.Get().(*scores); ok && len(sc.v) == n {
		return sc
	}
	return &scores{v: make([]float64, n), acc: make([]float64, n)}
}

func (sc *scores) zero() {
	if sc.all {
		clear(sc.v)
		sc.all = false
		return
	}
	for _, d := range sc.dirty {
		sc.v[d] = 0
	}
}

func (sc *scores) release() {
	sc.zero()
	for _, d := range sc.touched { // a scoring pass cut short by its context
		sc.acc[d] = 0
	}
	sc.dirty, sc.touched = sc.dirty[:0], sc.touched[:0]
	if len(sc.dirty) == 0 && cap(sc.dirty) > 1<<20 {
		sc.dirty = nil
	}
	scorePool.Put(sc)
}

// score accumulates the BM25F score of every document holding a scoring
// term into sc. A term's pseudo-frequency sums its field frequencies, each
// normalised by the field's length and weighted (title TitleWeight, body
// 1), then saturates once; the members of a synonym group saturate
// together, as one term.
func (e *run) score(terms []rankTerm, c *corpus, sc *scores) error {
	r := e.s.rank
	idfs := make([]float64, len(terms))
	for i, rt := range terms {
		idfs[i] = c.idf(rt)
	}
	sat := func(tf float64) float64 { return tf * (r.K1 + 1) / (r.K1 + tf) }
	norm := func(length uint32, avg float64) float64 {
		if avg <= 0 {
			return 1
		}
		return 1 - r.B + r.B*float64(length)/avg
	}
	add := func(d uint32, v float64) {
		if sc.acc[d] == 0 {
			sc.touched = append(sc.touched, d)
		}
		sc.acc[d] += v
	}
	// addSat adds a term's (or group's) saturated contributions, weighted
	// by w.
	addSat := func(ts *termScores, w float64) {
		v, tv := sc.v, ts.v[:len(ts.docs)]
		if !sc.all && len(ts.docs) > len(v)/8 {
			sc.all = true // a common word: zero the array after, whole
		}
		if sc.all {
			for k, d := range ts.docs {
				v[d] += w * tv[k]
			}
			return
		}
		dirty := sc.dirty
		for k, d := range ts.docs {
			if v[d] == 0 {
				dirty = append(dirty, d)
			}
			v[d] += w * tv[k]
		}
		sc.dirty = dirty
	}
	flush := func(w float64) {
		for _, d := range sc.touched {
			if sc.v[d] == 0 {
				sc.dirty = append(sc.dirty, d)
			}
			sc.v[d] += w * sat(sc.acc[d])
			sc.acc[d] = 0
		}
		sc.touched = sc.touched[:0]
	}
	accumulate := func(rt rankTerm) error {
		avgT, avgB := c.avgTitle[rt.lang], c.avgBody[rt.lang]
		for _, part := range []indexer.Part{indexer.Title, indexer.Body} {
			mask, weight, avg := inTitle, r.TitleWeight, avgT
			if part == indexer.Body {
				mask, weight, avg = inBody, 1, avgB
			}
			if rt.fields&mask == 0 {
				continue
			}
			if len(rt.toks) == 1 {
				ts, err := e.termScores(part, rt.lang, rt.toks[0], c.fixed, func(p *indexer.Posting) float64 {
					return weight * float64(p.Freq) / norm(p.Length, avg)
				})
				if err != nil {
					return err
				}
				for i, d := range ts.docs {
					add(d, ts.v[i])
				}
				continue
			}
			pd, err := e.phrase(part, rt.lang, rt.toks, rt.gaps)
			if err != nil {
				return err
			}
			for i, d := range pd.docs {
				add(d, weight*float64(pd.freqs[i])/norm(pd.lens[i], avg))
			}
		}
		return e.ctx.Err()
	}
	type group struct {
		members []int
		idf     float64
		w       float64
	}
	var groups []group
	for i, rt := range terms {
		if idfs[i] == 0 {
			continue
		}
		if rt.group >= 0 {
			for len(groups) <= rt.group {
				groups = append(groups, group{idf: math.Inf(1)})
			}
			g := &groups[rt.group]
			g.members = append(g.members, i)
			g.idf = min(g.idf, idfs[i])
			g.w = rt.weight
			continue
		}
		if len(rt.toks) == 1 && c.fixed {
			// One word alone: its saturated contributions, title and
			// body combined, are the same for every search of this
			// Reader, so they are read (or taken from the cache) as one
			// list and only weighted here.
			ts, err := e.termSat(rt, c.avgTitle[rt.lang], c.avgBody[rt.lang])
			if err != nil {
				return err
			}
			addSat(ts, rt.weight*idfs[i])
			if err := e.ctx.Err(); err != nil {
				return err
			}
			continue
		}
		if err := accumulate(rt); err != nil {
			return err
		}
		flush(rt.weight * idfs[i])
	}
	for _, g := range groups {
		if !c.fixed {
			for _, i := range g.members {
				if err := accumulate(terms[i]); err != nil {
					return err
				}
			}
			flush(g.w * g.idf)
			continue
		}
		// A group (a theme's synonyms, phrases mostly) saturates as one
		// term: its saturated contributions are the same for every search
		// of this Reader, kept like a common word's (termSat).
		key := groupKey(terms, g.members)
		ts, _ := e.s.cache.get(e.r, key).(*termScores)
		if ts == nil {
			for _, i := range g.members {
				if err := accumulate(terms[i]); err != nil {
					return err
				}
			}
			ts = &termScores{docs: make([]uint32, 0, len(sc.touched)), v: make([]float64, 0, len(sc.touched))}
			for _, d := range sc.touched {
				ts.docs, ts.v = append(ts.docs, d), append(ts.v, sat(sc.acc[d]))
				sc.acc[d] = 0
			}
			sc.touched = sc.touched[:0]
			if len(ts.docs) >= minCachedPostings {
				e.s.cache.put(e.r, key, ts)
			}
		}
		addSat(ts, g.w*g.idf)
		if err := e.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// groupKey is the cache key of a group's saturated contributions: each
// member's parts, language, words and gaps, in order (the order their
// contributions are summed in).
func groupKey(terms []rankTerm, members []int) string {
	var b strings.Builder
	b.WriteString("g")
	for _, i := range members {
		t := terms[i]
		b.WriteRune(rune('0' + t.fields))
		b.WriteString(t.lang)
		for k, w := range t.toks {
			b.WriteByte(0)
			b.WriteString(w)
			b.WriteRune(rune(t.gaps[k]) + 1)
		}
		b.WriteByte(2)
	}
	return b.String()
}

// keywordBonus adds to the score of each document holding an optional
// keyword clause (year:2018 beside words) that clause's idf: a field term
// the user asked for without requiring it ranks its documents first among
// equals.
func (e *run) keywordBonus(pq *query.Group, sc *scores) error {
	var walk func(occ query.Occur, q query.Q) error
	walk = func(occ query.Occur, q query.Q) error {
		if occ == query.MustNot {
			return nil
		}
		switch n := q.(type) {
		case *query.Group:
			for _, c := range n.Clauses {
				if err := walk(c.Occur, c.Q); err != nil {
					return err
				}
			}
		case *query.Term:
			if occ != query.Should {
				return nil // required: every result holds it
			}
			b, err := e.r.KeywordBitmap(n.Field, n.Value)
			if err != nil {
				return err
			}
			df, total := float64(b.GetCardinality()), float64(e.r.Count())
			if df == 0 {
				return nil
			}
			idf := math.Log(1 + (total-df+0.5)/(df+0.5))
			it := b.Iterator()
			for it.HasNext() {
				d := it.Next()
				if sc.v[d] == 0 {
					sc.dirty = append(sc.dirty, d)
				}
				sc.v[d] += idf
			}
		}
		return nil
	}
	return walk(query.Should, pq)
}

// termSat returns one word's saturated BM25F contributions by document,
// its title and body pseudo-frequencies combined (the parts rt.fields
// names), from the cache or from its postings (kept when the list is
// long): sat(TitleWeight*tf_t/norm_t + tf_b/norm_b). The key holds what
// they depend on besides the Reader and the Searcher's ranking parameters:
// the parts, the language and the word; the mean lengths are the
// Reader's (corpus.fixed).
func (e *run) termSat(rt rankTerm, avgT, avgB float64) (*termScores, error) {
	term := rt.toks[0]
	key := satKey(rt)
	if v := e.s.cache.get(e.r, key); v != nil {
		return v.(*termScores), nil
	}
	r := e.s.rank
	norm := func(length uint32, avg float64) float64 {
		if avg <= 0 {
			return 1
		}
		return 1 - r.B + r.B*float64(length)/avg
	}
	read := func(part indexer.Part, weight, avg float64) ([]uint32, []float64, error) {
		var docs []uint32
		var tf []float64
		err := e.r.EachPosting(part, rt.lang, term, false, e.stop, func(p *indexer.Posting) bool {
			docs = append(docs, p.Doc)
			tf = append(tf, weight*float64(p.Freq)/norm(p.Length, avg))
			return true
		})
		if errors.Is(err, indexer.ErrStopped) {
			return nil, nil, e.ctx.Err()
		}
		return docs, tf, err
	}
	var tDocs, bDocs []uint32
	var tTF, bTF []float64
	var err error
	if rt.fields&inTitle != 0 {
		if tDocs, tTF, err = read(indexer.Title, r.TitleWeight, avgT); err != nil {
			return nil, err
		}
	}
	if rt.fields&inBody != 0 {
		if bDocs, bTF, err = read(indexer.Body, 1, avgB); err != nil {
			return nil, err
		}
	}
	// Merge the two lists, both in document order.
	ts := &termScores{docs: make([]uint32, 0, max(len(tDocs), len(bDocs))), v: make([]float64, 0, max(len(tDocs), len(bDocs)))}
	sat := func(tf float64) float64 { return tf * (r.K1 + 1) / (r.K1 + tf) }
	i, j := 0, 0
	for i < len(tDocs) || j < len(bDocs) {
		switch {
		case j == len(bDocs) || i < len(tDocs) && tDocs[i] < bDocs[j]:
			ts.docs, ts.v = append(ts.docs, tDocs[i]), append(ts.v, sat(tTF[i]))
			i++
		case i == len(tDocs) || bDocs[j] < tDocs[i]:
			ts.docs, ts.v = append(ts.docs, bDocs[j]), append(ts.v, sat(bTF[j]))
			j++
		default:
			ts.docs, ts.v = append(ts.docs, tDocs[i]), append(ts.v, sat(tTF[i]+bTF[j]))
			i++
			j++
		}
	}
	if len(ts.docs) >= minCachedPostings {
		e.s.cache.put(e.r, key, ts)
	}
	return ts, nil
}

// satKey is the cache key of a word's saturated contributions.
func satKey(rt rankTerm) string {
	return "s" + string(rune('0'+rt.fields)) + rt.lang + "\x00" + rt.toks[0]
}

// termScores returns a term's contributions in one part, from the cache or
// from its postings (kept when the list is long). The key holds what the
// contributions depend on besides the Reader: the part, the language, the
// term; the ranking parameters are the Searcher's own.
func (e *run) termScores(part indexer.Part, lang, term string, keep bool, contrib func(*indexer.Posting) float64) (*termScores, error) {
	key := "t" + string(rune('0'+part)) + lang + "\x00" + term
	if keep {
		if v := e.s.cache.get(e.r, key); v != nil {
			return v.(*termScores), nil
		}
	}
	ts := &termScores{}
	err := e.r.EachPosting(part, lang, term, false, e.stop, func(p *indexer.Posting) bool {
		ts.docs = append(ts.docs, p.Doc)
		ts.v = append(ts.v, contrib(p))
		return true
	})
	if errors.Is(err, indexer.ErrStopped) {
		return nil, e.ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	if keep && len(ts.docs) >= minCachedPostings {
		e.s.cache.put(e.r, key, ts)
	}
	return ts, nil
}

// termBitmap returns the documents whose part holds term, from the cache
// when the list is long (kept then). The caller must not modify it.
func (e *run) termBitmap(part indexer.Part, lang, term string) (*roaring.Bitmap, error) {
	return e.s.cache.bitmap(e.r, "b"+string(rune('0'+part))+lang+"\x00"+term, func() (*roaring.Bitmap, error) {
		return e.r.TextBitmap(part, lang, term)
	})
}

// docFreq returns the number of documents whose part holds term: a cached
// count, a cached bitmap's cardinality, or the postings' count (then
// kept).
func (e *run) docFreq(part indexer.Part, lang, term string) (int, error) {
	key := "b" + string(rune('0'+part)) + lang + "\x00" + term
	if n, ok := e.s.cache.df(e.r, key); ok {
		return n, nil
	}
	if v := e.s.cache.get(e.r, key); v != nil {
		return int(v.(cachedBitmap).bm.GetCardinality()), nil
	}
	n, err := e.r.DocFreq(part, lang, term)
	if err == nil {
		e.s.cache.putDF(e.r, key, n)
	}
	return n, err
}

// corpusFor reads N, the average field lengths and the document frequency
// of each term in each field from the Reader.
func (e *run) corpusFor(terms []rankTerm) (*corpus, error) {
	c := &corpus{n: float64(e.r.Count()), dfTitle: map[string]float64{}, dfBody: map[string]float64{},
		avgTitle: map[string]float64{}, avgBody: map[string]float64{}}
	if st, ok := e.r.Stats(); ok && st.Total() > 0 {
		c.fixed = true
		c.nLang = map[string]float64{"": float64(st.Docs)}
		for l, ls := range st.Langs {
			c.nLang[l] = float64(ls.Docs)
		}
		for _, rt := range terms {
			if _, done := c.avgBody[rt.lang]; !done {
				c.avgTitle[rt.lang], c.avgBody[rt.lang] = st.AvgLens(rt.lang)
			}
		}
	}
	if _, ok := e.r.Stats(); !ok {
		// An index without statistics (built by hand): the mean lengths of
		// the documents holding the query's terms, exact when they all do.
		if err := e.meanLengths(terms, c); err != nil {
			return nil, err
		}
	}
	for _, rt := range terms {
		for _, tok := range rt.toks {
			k := dfKey(rt.lang, tok)
			if _, done := c.dfBody[k]; done {
				continue
			}
			t, err := e.docFreq(indexer.Title, rt.lang, tok)
			if err != nil {
				return nil, err
			}
			b, err := e.docFreq(indexer.Body, rt.lang, tok)
			if err != nil {
				return nil, err
			}
			c.dfTitle[k], c.dfBody[k] = float64(t), float64(b)
		}
	}
	return c, nil
}

// meanLengths sets c's average lengths to those of the documents holding a
// term, per language and part.
func (e *run) meanLengths(terms []rankTerm, c *corpus) error {
	for _, p := range []indexer.Part{indexer.Title, indexer.Body} {
		lens := map[string]map[uint32]uint32{}
		for _, rt := range terms {
			if lens[rt.lang] == nil {
				lens[rt.lang] = map[uint32]uint32{}
			}
			for _, tok := range rt.toks {
				err := e.r.EachPosting(p, rt.lang, tok, false, e.stop, func(post *indexer.Posting) bool {
					lens[rt.lang][post.Doc] = post.Length
					return true
				})
				if err != nil {
					return err
				}
			}
		}
		for l, m := range lens {
			var sum float64
			for _, n := range m {
				sum += float64(n)
			}
			if len(m) > 0 {
				if p == indexer.Title {
					c.avgTitle[l] = sum / float64(len(m))
				} else {
					c.avgBody[l] = sum / float64(len(m))
				}
			}
		}
	}
	return nil
}

// proximityBonus adds to the scores of docs the bonus for pairs of query
// terms close together in the body, from the terms' positions in those
// documents only.
// With a recency half-life, the bonus is boosted as the rest of the score
// was.
func (e *run) proximityBonus(docs []uint32, terms []rankTerm, c *corpus, sc *scores, recency time.Duration) error {
	w := e.s.rank.Proximity
	if w <= 0 || len(docs) == 0 {
		return nil
	}
	var single []int
	for i, t := range terms {
		if t.group < 0 && !t.fb && len(t.toks) == 1 && t.fields&inBody != 0 {
			single = append(single, i)
		}
	}
	if len(single) < 2 {
		return nil
	}
	sorted := slices.Clone(docs)
	slices.Sort(sorted)
	at := make(map[uint32]int, len(sorted))
	for i, d := range sorted {
		at[d] = i
	}
	// pos[k][i]: positions of terms[single[k]] in sorted[i].
	pos := make([][][]uint32, len(single))
	for k := range single {
		pos[k] = make([][]uint32, len(sorted))
	}
	if e.occs == nil {
		e.occs = map[occKey]occSpans{}
	}
	// Many frequent words: the documents' texts analysed again cost less
	// than walking the words' postings (the rest are read from those).
	rest := sorted
	if e.fromText(sorted, terms, single, c) {
		rest = nil
		words := map[string][]int{} // a word's indexes in single
		for k, ti := range single {
			w := terms[ti].toks[0]
			words[w] = append(words[w], k)
		}
		for i, d := range sorted {
			done, err := e.textPositions(d, i, terms, single, words, pos)
			if err != nil {
				return err
			}
			if !done {
				rest = append(rest, d)
			}
		}
	}
	for k, ti := range single {
		if len(rest) == 0 {
			break
		}
		lang, word := terms[ti].lang, terms[ti].toks[0]
		err := e.r.PostingsOf(indexer.Body, lang, word, rest, true, maxPositions, func(i int, p *indexer.Posting) {
			key := occKey{lang, word, rest[i]}
			if p.Capped {
				e.occs[key] = occSpans{capped: true}
				return
			}
			pos[k][at[rest[i]]] = slices.Clone(p.Pos)
			e.occs[key] = occSpans{start: slices.Clone(p.Start), end: slices.Clone(p.End)}
		})
		if err != nil {
			return err
		}
		for _, d := range rest { // read, and not there
			if _, ok := e.occs[occKey{lang, word, d}]; !ok {
				e.occs[occKey{lang, word, d}] = occSpans{}
			}
		}
	}
	if err := e.ctx.Err(); err != nil {
		return err
	}
	idfs := make([]float64, len(single))
	for k, ti := range single {
		idfs[k] = c.idf(terms[ti])
	}
	for _, d := range docs {
		i := at[d]
		var bonus float64
		for a := range single {
			pa := pos[a][i]
			if len(pa) == 0 {
				continue
			}
			for b := a + 1; b < len(single); b++ {
				if terms[single[a]].lang != terms[single[b]].lang {
					continue
				}
				pb := pos[b][i]
				if len(pb) == 0 {
					continue
				}
				if dist := minDist(pa, pb); dist > 0 && dist <= 5 {
					bonus += min(idfs[a], idfs[b]) / float64(dist*dist)
				}
			}
		}
		if bonus > 0 {
			if sc.v[d] == 0 {
				sc.dirty = append(sc.dirty, d)
			}
			if recency > 0 {
				bonus *= recencyFactor(e.r.Date(d), e.r.Newest(), recency)
			}
			sc.v[d] += w * bonus
		}
	}
	return nil
}

// fromText reports whether the positions of the query words terms[single]
// in docs cost less to find by analysing the documents' texts again than
// by reading the words' postings: the postings of a word are walked from
// the start of each segment to the last document asked for (zap's Advance
// steps through every posting), so the cost of the walks grows with the
// words' document frequencies, and that of the analysis with the
// documents' lengths. Measured at 100,000 documents (the hostile
// benchmark's queries of two and of twenty frequent words): a posting
// walked costs about a twenty-fourth of a token analysed.
func (e *run) fromText(docs []uint32, terms []rankTerm, single []int, c *corpus) bool {
	var walked float64
	for _, ti := range single {
		walked += c.dfBody[dfKey(terms[ti].lang, terms[ti].toks[0])]
	}
	var tokens float64
	for _, d := range docs {
		tokens += c.avgBody[e.langOf(d)]
	}
	return tokens > 0 && walked > textPositionsRatio*tokens
}

const (
	// textPositionsRatio is the cost of analysing a token over that of
	// walking a posting (see fromText).
	textPositionsRatio = 24
	// maxTextPositions is the longest text analysed for positions: a
	// longer document has its positions from the postings.
	maxTextPositions = 64 << 10
)

// textPositions sets pos[k][i] and the run's occurrences of each query word
// terms[single[k]] (words maps each to its indexes k) in doc (sorted[i])
// from its text analysed again, as the
// index analysed it (the same analyzer on the same text gives the same
// positions and offsets). It reports false, and does nothing, for a text
// longer than maxTextPositions. A word of another language than doc's is
// not in it: its fields are another language's.
func (e *run) textPositions(doc uint32, i int, terms []rankTerm, single []int, words map[string][]int, pos [][][]uint32) (bool, error) {
	text, length, err := e.r.Text(doc, 0, maxTextPositions)
	if err != nil || length > maxTextPositions {
		return false, err
	}
	lang := e.langOf(doc)
	spans := make([]occSpans, len(single))
	for _, t := range e.r.Analyze(lang, text) {
		for _, k := range words[string(t.Term)] {
			if terms[single[k]].lang == lang {
				pos[k][i] = append(pos[k][i], uint32(t.Position))
				spans[k].start = append(spans[k].start, uint32(t.Start))
				spans[k].end = append(spans[k].end, uint32(t.End))
			}
		}
	}
	for k, ti := range single {
		e.occs[occKey{terms[ti].lang, terms[ti].toks[0], doc}] = spans[k]
	}
	return true, nil
}

// minDist is the smallest distance between a position in a and one in b,
// both ascending.
func minDist(a, b []uint32) uint32 {
	best := uint32(math.MaxUint32)
	for i, j := 0, 0; i < len(a) && j < len(b); {
		x, y := a[i], b[j]
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

// order compares two documents in a search's order: -1 when a comes first.
type order func(a, b uint32) int

// It compares as compareKeys does, on the documents' own fields (the
// heap's hot path: no key is built).
func (e *run) order(sortBy string, sc *scores) order {
	by, r, dates := sortCode(sortBy), e.r, e.r.Dates()
	var v []float64
	if sc != nil {
		v = sc.v
	}
	return func(a, b uint32) int {
		if by != 0 && dates[a] != dates[b] {
			return compareDates(by, dates[a], dates[b])
		}
		if v != nil && v[a] != v[b] {
			return cmp.Compare(v[b], v[a])
		}
		return cmp.Compare(r.IDRank(a), r.IDRank(b))
	}
}

// relevance returns the Reader for a topK's ids when sortBy is the
// relevance order (by score, then id), nil for another.
func (e *run) relevance(sortBy string) *indexer.Reader {
	if sortCode(sortBy) != 0 {
		return nil
	}
	return e.r
}

// key returns d's place in an order with scores v (nil: none).
func (e *run) key(d uint32, v []float64) sortKey {
	k := sortKey{date: e.r.Date(d), rank: 2*uint64(e.r.IDRank(d)) + 1}
	if v != nil {
		k.score = v[d]
	}
	return k
}

// topK keeps the k first documents of an order: a heap whose root is the
// last of those kept.
type topK struct {
	k    int
	less order
	h    []uint32
	// score, when the order is by score first (relevance), lets push
	// turn away a document scoring below the last kept without calling
	// less: nearly every match of a broad query.
	score []float64
	// ids is set when the order is the relevance order: by score (if
	// score is set), then by id (the Reader's IDRank).
	ids *indexer.Reader
	// after, when set, keeps only the documents that follow it in the
	// order (a cursor's next page), counted in follow.
	after  *cursorAfter
	follow uint64
}

// cursorAfter is a cursor's place in an order, for topK.
type cursorAfter struct {
	e   *run
	by  byte
	key sortKey
	v   []float64 // the scores, nil for none
}

// follows reports whether d comes after the cursor.
func (a *cursorAfter) follows(d uint32) bool {
	return compareKeys(a.by, a.key, a.e.key(d, a.v)) < 0
}

func (t *topK) push(d uint32) {
	if t.after != nil {
		if !t.after.follows(d) {
			return
		}
		t.follow++
	}
	if len(t.h) < t.k {
		t.h = append(t.h, d)
		t.up(len(t.h) - 1)
		return
	}
	if t.k == 0 || !t.before(d, t.h[0]) {
		return
	}
	t.h[0] = d
	t.down(0)
}

// pushMany pushes docs. In the relevance order (by score, then id) and
// without a cursor, a document is turned away by comparing its score (or
// its id's rank) with the last kept, inline: nearly every match of a broad
// query is.
func (t *topK) pushMany(docs []uint32) {
	if t.after != nil || t.ids == nil {
		for _, d := range docs {
			t.push(d)
		}
		return
	}
	v, r := t.score, t.ids
	i := 0
	for ; i < len(docs) && len(t.h) < t.k; i++ {
		t.h = append(t.h, docs[i])
		t.up(len(t.h) - 1)
	}
	if i == len(docs) || t.k == 0 {
		return
	}
	last := t.h[0]
	if v == nil {
		lastRank := r.IDRank(last)
		for _, d := range docs[i:] {
			if r.IDRank(d) > lastRank {
				continue
			}
			t.h[0] = d
			t.down(0)
			last = t.h[0]
			lastRank = r.IDRank(last)
		}
		return
	}
	lastScore := v[last]
	for _, d := range docs[i:] {
		s := v[d]
		if s < lastScore || s == lastScore && r.IDRank(d) > r.IDRank(last) {
			continue
		}
		t.h[0] = d
		t.down(0)
		last = t.h[0]
		lastScore = v[last]
	}
}

// before reports whether document a comes before b: by score alone when
// the order is by score first and they differ (no call through less).
func (t *topK) before(a, b uint32) bool {
	if t.score != nil {
		if sa, sb := t.score[a], t.score[b]; sa != sb {
			return sa > sb
		}
	}
	return t.less(a, b) < 0
}

// worse reports whether h[i] comes after h[j] (the heap keeps the last on top).
func (t *topK) worse(i, j int) bool { return t.before(t.h[j], t.h[i]) }

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.worse(i, p) {
			return
		}
		t.h[i], t.h[p] = t.h[p], t.h[i]
		i = p
	}
}

func (t *topK) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(t.h) {
			return
		}
		m := l
		if r := l + 1; r < len(t.h) && t.worse(r, l) {
			m = r
		}
		if !t.worse(m, i) {
			return
		}
		t.h[i], t.h[m] = t.h[m], t.h[i]
		i = m
	}
}

// sorted returns the kept documents in order.
func (t *topK) sorted() []uint32 {
	out := slices.Clone(t.h)
	slices.SortFunc(out, t.less)
	return out
}

// filter is one filtered field: a facet column with its allowed values, or
// the date range (col nil).
type filter struct {
	facet    string
	col      *indexer.Column
	allowed  []bool // by ordinal
	from, to int64
}

func (f *filter) pass(r *indexer.Reader, d uint32) bool {
	if f.col == nil {
		v := r.Date(d)
		return v != indexer.NoDate && v >= f.from && v <= f.to
	}
	if one := f.col.Single(); one != nil {
		return f.allowed[one[d]]
	}
	for _, o := range f.col.Of(d) {
		if f.allowed[o] {
			return true
		}
	}
	return false
}

// filtersOf builds the filters of req from the Reader's columns. A value
// no document has allows nothing.
func filtersOf(r *indexer.Reader, req Request) []filter {
	var out []filter
	add := func(facet string, values []string) {
		if len(values) == 0 {
			return
		}
		col := r.Column(facet)
		f := filter{facet: facet, col: col, allowed: make([]bool, len(col.Values)+1)}
		for _, v := range values {
			if o, ok := col.Ord(v); ok {
				f.allowed[o] = true
			}
		}
		out = append(out, f)
	}
	add(indexer.FacetTheme, req.Themes)
	add(indexer.FacetType, req.Types)
	add(indexer.FacetYear, req.Years)
	add(indexer.FacetPlace, req.Places)
	add(indexer.FacetKind, req.Kinds)
	add(indexer.FacetLang, req.Langs)
	if !req.From.IsZero() || !req.To.IsZero() {
		f := filter{from: math.MinInt64 + 1, to: math.MaxInt64}
		if !req.From.IsZero() {
			f.from = boundNanos(req.From)
		}
		if !req.To.IsZero() {
			f.to = boundNanos(req.To)
		}
		out = append(out, f)
	}
	return out
}

// counted is the outcome of the pass over the matches.
type counted struct {
	total     uint64
	following uint64             // of total, the matches after a cursor
	facets    map[string][]int   // counts by ordinal, per facet; nil when not asked
	cached    map[string][]Facet // the facets, when they came from the cache
	chart     []YearThemes       // by year and theme, when the request asked
}

// eachMatch calls fn with the documents of matches in increasing order,
// 1,024 at a time, and stops with the context's error once it is done.
func (e *run) eachMatch(matches *roaring.Bitmap, fn func(docs []uint32)) error {
	it := matches.ManyIterator()
	if e.buf == nil {
		e.buf = make([]uint32, 1024)
	}
	buf := e.buf
	e.buf = nil // a walk inside fn takes a buffer of its own
	defer func() { e.buf = buf }()
	for {
		n := it.NextMany(buf)
		if n == 0 {
			return nil
		}
		if err := e.ctx.Err(); err != nil {
			return err
		}
		fn(buf[:n])
	}
}

// collect finds the matches that pass the filters, their total, the
// disjunctive facet counts (if facets) and the top documents into each of
// tops. The filters on facet columns are bitmaps (the documents of the
// allowed values): the matches passing all of them are one intersection,
// and a filtered facet is counted over the matches passing the other
// filters (those that pass all, and those failing that filter alone: a
// disjunctive count), so only the documents passing every filter are
// visited one by one, for the heaps. A date range has no bitmap: with one,
// the pass is document by document (collectEach).
func (e *run) collect(matches *roaring.Bitmap, filters []filter, facets bool, tops ...*topK) (counted, error) {
	for i := range filters {
		if filters[i].col == nil {
			return e.collectEach(matches, filters, facets, tops...)
		}
	}
	out := counted{}
	fbs := make([]*roaring.Bitmap, len(filters))
	for i := range filters {
		fbs[i] = filters[i].docs()
	}
	pass := matches
	if len(filters) > 0 {
		pass = roaring.FastAnd(append([]*roaring.Bitmap{matches}, fbs...)...)
	}
	out.total = pass.GetCardinality()
	if facets {
		out.facets = make(map[string][]int, len(FacetNames))
		for _, name := range FacetNames {
			col := e.r.Column(name)
			in, n := pass, out.total
			if i := slices.IndexFunc(filters, func(f filter) bool { return f.facet == name }); i >= 0 {
				// the matches passing the other filters
				in = matches
				if len(filters) > 1 {
					others := []*roaring.Bitmap{matches}
					for j := range fbs {
						if j != i {
							others = append(others, fbs[j])
						}
					}
					in = roaring.FastAnd(others...)
				}
				n = in.GetCardinality()
			}
			counts := make([]int, len(col.Values)+1)
			if err := e.countFacet(col, in, n, counts); err != nil {
				return out, err
			}
			out.facets[name] = counts
		}
	}
	if len(tops) == 0 {
		return out, nil
	}
	return out, e.eachMatch(pass, func(docs []uint32) {
		for _, top := range tops {
			top.pushMany(docs)
		}
	})
}

// countFacet adds to counts (by ordinal) the values of col in the n
// documents of in: by intersecting in with each value's documents (a
// word-wise AND and popcount per container) when in is large for the
// facet's number of values, else document by document.
func (e *run) countFacet(col *indexer.Column, in *roaring.Bitmap, n uint64, counts []int) error {
	if len(col.Values) <= maxBitmapFacet && n*bitmapFacetShare >= uint64(e.r.Docs()) {
		for o := 1; o < len(counts); o++ {
			counts[o] = int(in.AndCardinality(col.Docs(uint16(o))))
		}
		return nil
	}
	one := col.Single()
	return e.eachMatch(in, func(docs []uint32) {
		if one != nil {
			for _, d := range docs {
				counts[one[d]]++
			}
			return
		}
		for _, d := range docs {
			for _, o := range col.Of(d) {
				counts[o]++
			}
		}
	})
}

// bitmapFacetShare: a set holding at least 1/bitmapFacetShare of the
// documents has its facets counted by intersections (their containers are
// then mostly bitmaps, a word-wise AND and popcount each); a smaller one
// is counted document by document. On the 100,000-document portal's mix
// 8 cost less than 2 or 32, and than either way alone.
const bitmapFacetShare = 8

// docs returns the documents a filter on a facet column allows: the
// column's bitmap of its one allowed value (not to be modified), or the
// union of those of several.
func (f *filter) docs() *roaring.Bitmap {
	var bms []*roaring.Bitmap
	for o, ok := range f.allowed {
		if ok {
			bms = append(bms, f.col.Docs(uint16(o)))
		}
	}
	switch len(bms) {
	case 0:
		return roaring.New()
	case 1:
		return bms[0]
	}
	return roaring.FastOr(bms...)
}

// collectEach is collect for filters that include a date range: one pass
// over the matches, document by document, applies the filters, counts
// the total and the disjunctive facet counts (if facets) and fills tops.
func (e *run) collectEach(matches *roaring.Bitmap, filters []filter, facets bool, tops ...*topK) (counted, error) {
	out := counted{}
	type fc struct {
		name   string
		one    []uint16
		col    *indexer.Column
		counts []int
		filter int // the index of its filter, -1 for none
	}
	var fcs []fc
	if facets {
		out.facets = map[string][]int{}
		for _, name := range FacetNames {
			col := e.r.Column(name)
			f := fc{name: name, one: col.Single(), col: col, counts: make([]int, len(col.Values)+1), filter: -1}
			for i := range filters {
				if filters[i].facet == name {
					f.filter = i
				}
			}
			fcs = append(fcs, f)
			out.facets[name] = f.counts
		}
	}
	count := func(f *fc, d uint32) {
		if f.one != nil {
			f.counts[f.one[d]]++
			return
		}
		for _, o := range f.col.Of(d) {
			f.counts[o]++
		}
	}
	// the facet of each filter, for documents failing it alone
	byFilter := make([]int, len(filters))
	for i := range byFilter {
		byFilter[i] = -1
		for j := range fcs {
			if fcs[j].filter == i {
				byFilter[i] = j
			}
		}
	}
	it := matches.ManyIterator()
	buf := make([]uint32, 1024)
	for {
		n := it.NextMany(buf)
		if n == 0 {
			break
		}
		if err := e.ctx.Err(); err != nil {
			return out, err
		}
		for _, d := range buf[:n] {
			failed, first := 0, -1
			for i := range filters {
				if !filters[i].pass(e.r, d) {
					failed++
					if first < 0 {
						first = i
					}
					if failed > 1 {
						break
					}
				}
			}
			switch failed {
			case 0:
				out.total++
				for _, top := range tops {
					top.push(d)
				}
				for j := range fcs {
					count(&fcs[j], d)
				}
			case 1:
				if j := byFilter[first]; j >= 0 {
					count(&fcs[j], d)
				}
			}
		}
	}
	return out, nil
}

// maxBitmapFacet is the most values a facet may have to be counted by
// bitmaps: each value costs an intersection with the whole match set.
const maxBitmapFacet = 64

// facetList turns counts by ordinal into a Result's facet values.
func (s *Searcher) facetList(r *indexer.Reader, name string, counts []int) []Facet {
	col := r.Column(name)
	out := make([]Facet, 0, 8)
	for o := 1; o < len(counts); o++ {
		if counts[o] > 0 {
			v := col.Values[o-1]
			out = append(out, Facet{Value: v, Label: s.Label(name, v), Count: counts[o]})
		}
	}
	slices.SortStableFunc(out, func(a, b Facet) int {
		if name == "year" {
			return strings.Compare(b.Value, a.Value)
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out[:min(len(out), facetSize)]
}
