package search

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

// Suggestion is one completion of what a user is typing in a search box.
type Suggestion struct {
	// Text is the whole query to offer: what was typed, with its last
	// word completed, or a theme's name.
	Text string `json:"text"`
	// Kind is SuggestTheme or SuggestWord.
	Kind string `json:"kind"`
	// Theme is the theme's id, for SuggestTheme: a client may offer it as
	// a filter rather than as text.
	Theme string `json:"theme,omitempty"`
	// Count is the number of documents Text finds: those tagged with the
	// theme, or those holding all the words.
	Count int `json:"count"`
}

// Suggestion kinds.
const (
	SuggestTheme = "theme"
	SuggestWord  = "word"
)

// Limits of Suggest.
const (
	DefaultSuggest = 8
	MaxSuggest     = 20
	// maxSuggestInput is the longest text completed, in bytes: beyond it a
	// search box is not being typed into.
	maxSuggestInput = 200
	// maxSuggestThemes caps the themes among the suggestions.
	maxSuggestThemes = 3
)

// Suggest completes text, as typed so far, for a search box: the themes
// whose label, phrases or synonyms start with it, then the index's words
// that complete its last word, most frequent first. When
// text has several words, a completion is offered only if documents hold
// all of them, and Count says how many. size is 0 for DefaultSuggest, at
// most MaxSuggest. An empty text, or one ending in a space, completes no
// word.
func (s *Searcher) Suggest(ctx context.Context, text string, size int) ([]Suggestion, error) {
	switch {
	case size == 0:
		size = DefaultSuggest
	case size < 0 || size > MaxSuggest:
		return nil, Errorf(KindInvalid, "size must be between 1 and %d", MaxSuggest)
	}
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	out := []Suggestion{}
	if !utf8.ValidString(text) || len(text) > maxSuggestInput {
		return out, nil
	}
	typed := strings.ToLower(strings.TrimLeft(text, " \t"))
	words := strings.Fields(typed)
	if len(words) == 0 {
		return out, nil
	}
	themes, err := s.suggestThemes(r, strings.Join(words, " "), min(size, maxSuggestThemes))
	if err != nil {
		return nil, s.wrap(err)
	}
	out = append(out, themes...)
	if strings.HasSuffix(typed, " ") || len(out) >= size {
		return out, nil
	}
	wordSugg, err := s.suggestWords(ctx, r, words[:len(words)-1], words[len(words)-1], size-len(out))
	if err != nil {
		return nil, s.wrap(err)
	}
	for _, w := range wordSugg {
		if !slices.ContainsFunc(out, func(o Suggestion) bool { return strings.EqualFold(o.Text, w.Text) }) {
			out = append(out, w)
		}
	}
	return out, nil
}

// suggestThemes returns the themes (at most n, most documents first) whose
// label, phrases or synonyms start with typed, offering the label if it
// matches and else the shortest match.
func (s *Searcher) suggestThemes(r *indexer.Reader, typed string, n int) ([]Suggestion, error) {
	if utf8.RuneCountInString(typed) < 2 {
		return nil, nil
	}
	var out []Suggestion
	for i, keys := range s.keys {
		th := &s.tax.Themes[i]
		best := ""
		if strings.HasPrefix(keys.label, typed) {
			best = th.Label
		} else {
			for _, p := range keys.phrases {
				if strings.HasPrefix(p.lower, typed) && (best == "" || len(p.text) < len(best)) {
					best = p.text
				}
			}
		}
		if best == "" {
			continue
		}
		df, err := themeCount(r, th.ID)
		if err != nil {
			return nil, err
		}
		if df == 0 {
			continue // nothing to find
		}
		out = append(out, Suggestion{Text: best, Kind: SuggestTheme, Theme: th.ID, Count: int(df)})
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int { return cmp.Compare(b.Count, a.Count) })
	return out[:min(len(out), n)], nil
}

// themeKeys are a theme's label, phrases and synonyms lower-cased, for
// suggestThemes: lower-casing them on every keystroke was a third of what a
// completion allocated.
type themeKeys struct {
	label   string
	phrases []struct{ text, lower string }
}

// themeKeysOf returns the keys of tax's themes, by index (New makes them
// once for a Searcher's life).
func themeKeysOf(tax *taxonomy.Taxonomy) []themeKeys {
	keys := make([]themeKeys, len(tax.Themes))
	for i, th := range tax.Themes {
		keys[i].label = strings.ToLower(th.Label)
		for _, p := range slices.Concat(th.Phrases, th.Synonyms) {
			keys[i].phrases = append(keys[i].phrases, struct{ text, lower string }{p, strings.ToLower(p)})
		}
	}
	return keys
}

// A completion within edits of the typed word is looked for when the
// exact prefix finds fewer than asked: within 1 edit of a word of
// fuzzyMin letters or more, 2 from fuzzyMin2.
const (
	fuzzyMin  = 4
	fuzzyMin2 = 8
	// minPairPrefix is the shortest lone word, in bytes, that two-word
	// terms complete: two letters begin too many terms to walk them all
	// on every keystroke.
	minPairPrefix = 3
)

// wordCand is a completion of the last word typed.
type wordCand struct {
	text  string // the completed word, or a two-word term
	df    int
	edits int
}

// suggestWords completes last: up to n completions. Alone, last completes
// to the dictionary's words and the collection's two-word terms (see
// indexer.Reader.Pairs) that begin with it, most documents first. After
// head words, it completes to the second words of the two-word terms of
// the last head word, when that word has any that complete it (so
// "learning an" offers "learning analytics" and not every word found
// beside "learning"), else to any word; either way only completions found
// with all the head words, counted together. When the exact prefix finds
// fewer than n, words within one or two edits of it follow (see fuzzyMin).
func (s *Searcher) suggestWords(ctx context.Context, r *indexer.Reader, head []string, last string, n int) ([]Suggestion, error) {
	if utf8.RuneCountInString(last) < 2 {
		return nil, nil
	}
	maxEdits := 0
	switch l := utf8.RuneCountInString(last); {
	case l >= fuzzyMin2:
		maxEdits = 2
	case l >= fuzzyMin:
		maxEdits = 1
	}
	prefix := strings.Join(head, " ")
	if prefix != "" {
		prefix += " "
	}
	if len(head) == 0 {
		exact := s.completions(r, "", last, 0, 2*n)
		out := make([]Suggestion, 0, n)
		for _, c := range exact[:min(len(exact), n)] {
			out = append(out, Suggestion{Text: c.text, Kind: SuggestWord, Count: c.df})
		}
		if len(out) < n && maxEdits > 0 {
			for _, c := range s.completions(r, "", last, maxEdits, 2*n) {
				if len(out) == n {
					break
				}
				if !slices.ContainsFunc(out, func(o Suggestion) bool { return o.Text == c.text }) {
					out = append(out, Suggestion{Text: c.text, Kind: SuggestWord, Count: c.df})
				}
			}
		}
		return out, nil
	}
	// The documents holding every head word (as the completion
	// dictionary holds them; a word it drops matches anything). The
	// bitmaps may be the cache's, and headCompletions only reads heads:
	// one head word's bitmap is used as it is (a common word's is some
	// 100 KB to copy), several are intersected into a new one.
	var bms []*roaring.Bitmap
	var prev string
	for _, w := range head {
		for _, tok := range r.AnalyzeWords(w) {
			prev = string(tok.Term)
			b, err := s.wordBitmap(r, prev)
			if err != nil {
				return nil, err
			}
			bms = append(bms, b)
		}
	}
	var heads *roaring.Bitmap
	switch len(bms) {
	case 0:
	case 1:
		heads = bms[0]
	default:
		heads = roaring.FastAnd(bms...)
	}
	if prev != "" && !r.HasPairs(prev) {
		prev = "" // no term begins with it: complete to any word
	}
	out, err := s.headCompletions(ctx, r, heads, prefix, prev, last, maxEdits, n)
	if err == nil && len(out) == 0 && prev != "" {
		// No term of the word completes what is typed: any word found
		// with the head words ("peer learning hel": Helsinki).
		out, err = s.headCompletions(ctx, r, heads, prefix, "", last, maxEdits, n)
	}
	return out, err
}

// headCompletions completes last after the head words (their documents
// heads, their text prefix): the second words of prev's terms, or any
// word when prev is "", found with all the head words, exact completions
// first, then those within maxEdits if fewer than n.
func (s *Searcher) headCompletions(ctx context.Context, r *indexer.Reader, heads *roaring.Bitmap, prefix, prev, last string, maxEdits, n int) ([]Suggestion, error) {
	var out []Suggestion
	for edits := 0; edits <= maxEdits; edits += max(1, maxEdits) {
		if edits > 0 && len(out) >= n {
			break
		}
		cands := s.completions(r, prev, last, edits, 2*n)
		var found []Suggestion
		for _, c := range cands {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			b, err := s.wordBitmap(r, c.text)
			if err != nil {
				return nil, err
			}
			count := b.GetCardinality()
			if heads != nil {
				count = b.AndCardinality(heads)
			}
			text := prefix + c.text
			if count > 0 && !slices.ContainsFunc(out, func(o Suggestion) bool { return o.Text == text }) {
				found = append(found, Suggestion{Text: text, Kind: SuggestWord, Count: int(count)})
			}
		}
		slices.SortStableFunc(found, func(a, b Suggestion) int { return cmp.Compare(b.Count, a.Count) })
		out = append(out, found...)
	}
	return out[:min(len(out), n)], nil
}

// completions returns the k best completions of last, best first: with
// edits 0, those beginning with it, else those beginning within edits of it
// (and not with it), fewest edits first; by documents next, then by text.
// After a word (after != ""), the second words of its two-word terms; else
// the words of the dictionary and, alone, the two-word terms whose first
// word completes last. A short prefix begins thousands of words: only the
// k best are kept as they come (collecting and sorting all of them was a
// quarter of what a completion allocated).
func (s *Searcher) completions(r *indexer.Reader, after, last string, edits, k int) []wordCand {
	top := topCands{k: k}
	if after != "" {
		r.Pairs(after, "", func(_, second string, df int) bool {
			switch {
			case strings.HasPrefix(second, last):
				if edits == 0 {
					top.add(wordCand{second, df, 0})
				}
			case edits > 0:
				if d := prefixDistance(last, second, edits); d <= edits {
					top.add(wordCand{second, df, d})
				}
			}
			return true
		})
	} else if edits == 0 {
		_ = r.Words(last, func(w string, df int) bool {
			top.add(wordCand{w, df, 0})
			return true
		})
		if len(last) >= minPairPrefix {
			r.Pairs("", last, func(first, second string, df int) bool {
				if top.mayAdmit(df, 0) { // the text is made only then
					top.add(wordCand{first + " " + second, df, 0})
				}
				return true
			})
		}
	} else {
		r.WordsNear(last, edits, func(w string, df, d int) bool {
			if d > 0 && !strings.HasPrefix(w, last) {
				top.add(wordCand{w, df, d})
			}
			return true
		})
	}
	return top.sorted()
}

// candOrder orders completion candidates, best first: fewest edits, most
// documents, then text. It is total (no two candidates have one text).
func candOrder(a, b wordCand) int {
	return cmp.Or(cmp.Compare(a.edits, b.edits), cmp.Compare(b.df, a.df), strings.Compare(a.text, b.text))
}

// topCands keeps the k best candidates added (candOrder), in a heap whose
// root is the worst kept.
type topCands struct {
	k int
	h []wordCand
}

// mayAdmit reports whether a candidate with df and edits could be kept,
// whatever its text.
func (t *topCands) mayAdmit(df, edits int) bool {
	if t.k <= 0 {
		return false
	}
	if len(t.h) < t.k {
		return true
	}
	w := t.h[0]
	return edits < w.edits || edits == w.edits && df >= w.df
}

func (t *topCands) add(c wordCand) {
	if t.k <= 0 {
		return
	}
	if len(t.h) < t.k {
		t.h = append(t.h, c)
		for i := len(t.h) - 1; i > 0; { // up: a worse child goes to the root
			p := (i - 1) / 2
			if candOrder(t.h[i], t.h[p]) <= 0 {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if candOrder(c, t.h[0]) >= 0 {
		return // no better than the worst kept
	}
	t.h[0] = c
	for i := 0; ; { // down
		l, worst := 2*i+1, i
		if l < len(t.h) && candOrder(t.h[l], t.h[worst]) > 0 {
			worst = l
		}
		if r := l + 1; r < len(t.h) && candOrder(t.h[r], t.h[worst]) > 0 {
			worst = r
		}
		if worst == i {
			break
		}
		t.h[i], t.h[worst] = t.h[worst], t.h[i]
		i = worst
	}
}

// sorted returns the kept candidates, best first.
func (t *topCands) sorted() []wordCand {
	slices.SortFunc(t.h, candOrder)
	return t.h
}

// prefixDistance is the fewest edits between typed and a beginning of
// word, or limit+1 when more than limit.
func prefixDistance(typed, word string, limit int) int {
	best := limit + 1
	for l := max(0, len(typed)-limit); l <= min(len(word), len(typed)+limit); l++ {
		best = min(best, editDistance(typed, word[:l], limit))
	}
	return best
}

// wordBitmap returns the documents holding a word of the completion
// dictionary, from the cache when the list is long (kept then): the
// common words are the ones offered as completions keystroke after
// keystroke. The caller must not modify it.
func (s *Searcher) wordBitmap(r *indexer.Reader, word string) (*roaring.Bitmap, error) {
	return s.cache.bitmap(r, "w"+word, func() (*roaring.Bitmap, error) { return r.WordBitmap(word) })
}

// themeCount returns the number of documents tagged with a theme, from the
// theme column's bitmap of it (a postings read per theme per keystroke was
// a quarter of a completion's CPU at 100,000 documents).
func themeCount(r *indexer.Reader, id string) (int, error) {
	col := r.Column(indexer.FacetTheme)
	o, ok := col.Ord(id)
	if !ok {
		return 0, nil
	}
	return int(col.Docs(o).GetCardinality()), nil
}

// maxCorrectedWords is the longest query, in words, that didYouMean
// corrects: what is typed into a search box. Longer ones are questions in
// sentences, where each word costs dictionary lookups (+2-4 ms on the
// standard collections' queries) for little gain.
const maxCorrectedWords = 8

// didYouMean returns q with its misspelt words replaced by the most frequent
// word of the index within one or two edits (sharing the first letter), or
// "" when no word needs it or nothing better is found. Only plain words of
// 4 letters or more that no document holds, as the search in langs reads
// them (stemmed), are corrected, in queries of at most maxCorrectedWords.
func (s *Searcher) didYouMean(r *indexer.Reader, q string, langs []string) (string, error) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) > maxCorrectedWords {
		return "", nil
	}
	changed := false
	for i, w := range words {
		if utf8.RuneCountInString(w) < 4 || strings.ContainsFunc(w, func(r rune) bool {
			return !(r == '-' || r >= 'a' && r <= 'z' || r > 0x7f && r != 0xfffd)
		}) {
			continue
		}
		if known, err := s.known(r, w, langs); err != nil || known {
			if err != nil {
				return "", err
			}
			continue
		}
		maxEdits := 1
		if utf8.RuneCountInString(w) >= 7 {
			maxEdits = 2
		}
		_, size := utf8.DecodeRuneInString(w)
		best, bestEdits, bestDF := "", maxEdits+1, 0
		wl := utf8.RuneCountInString(w)
		err := r.Words(w[:size], func(term string, df int) bool {
			if tl := utf8.RuneCountInString(term); tl > wl+maxEdits || tl < wl-maxEdits {
				return true // too long or too short to be within maxEdits
			}
			ed := editDistance(w, term, maxEdits)
			if ed < bestEdits || ed == bestEdits && ed <= maxEdits && df > bestDF {
				best, bestEdits, bestDF = term, ed, df
			}
			return true
		})
		if err != nil {
			return "", err
		}
		if best != "" && bestEdits <= maxEdits {
			words[i] = best
			changed = true
		}
	}
	if !changed {
		return "", nil
	}
	return strings.Join(words, " "), nil
}

// known reports whether some document holds word in the title or body
// fields of one of langs, analysed as the search analyses it, or as
// written; a word the analysers drop (a stop word) counts as known.
func (s *Searcher) known(r *indexer.Reader, word string, langs []string) (bool, error) {
	if df, err := r.WordDocFreq(word); err != nil || df > 0 {
		return err == nil, err
	}
	stop := true // a stop word of every language: nothing to correct
	for _, l := range langs {
		for _, tok := range r.Analyze(l, word) {
			stop = false
			for _, p := range []indexer.Part{indexer.Title, indexer.Body} {
				if df, err := r.DocFreq(p, l, string(tok.Term)); err != nil || df > 0 {
					return df > 0, err
				}
			}
		}
	}
	return stop, nil
}

// editDistance is the Levenshtein distance between a and b in runes, or
// max+1 as soon as it is known to exceed max.
func editDistance(a, b string, max int) int {
	// Words are short: their runes and the two rows fit in arrays on the
	// stack (a dictionary scan calls this for thousands of words).
	var bufA, bufB [32]rune
	var rowA, rowB [33]int
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev, cur := rowA[:0], rowB[:0]
	if len(rb)+1 > len(rowA) {
		prev, cur = make([]int, 0, len(rb)+1), make([]int, 0, len(rb)+1)
	}
	prev, cur = prev[:len(rb)+1], cur[:len(rb)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], max+1)
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}
