package search

import (
	"cmp"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kbsearch/kbsearch/indexer"
)

// Snippets. A hit's snippet is one window of its body around the best
// cluster of query-term occurrences, found from the occurrences' byte
// offsets in the postings (no re-analysis of the text), cut at word
// boundaries, with the occurrences in <mark> and everything else escaped.

const (
	// snippetBytes is the length of a snippet window.
	snippetBytes = 220
	// maxOccurrences caps the occurrences of one word in one document read
	// from the postings for a snippet (a body under 16 KiB cannot hold
	// more, and is read in one pass). A document holding a word more
	// often than that has its snippet from the start of its text instead
	// (scanBytes of it, analysed again): the word is everywhere.
	maxOccurrences = 8192
	scanBytes      = 32 << 10
	// maxPositions caps the positions of one word in one document read
	// for a phrase or the proximity bonus. Beyond it a phrase whose words
	// are all there is taken to be there, as often as its rarest word
	// (real documents stay far below: a 300-page report holds its
	// commonest words a few thousand times).
	maxPositions = 1 << 16
)

// occurrence is one query term's occurrence in a body.
type occurrence struct {
	start, end uint32
	term       int // index of the query term
}

// bodyOccurrences returns the occurrences of the words of each text-field
// language (analysed tokens) in the bodies of docs of that language, by
// document and then offset. Each word's postings are read once for all the
// documents. A document where a word is too frequent for its positions to
// be read (see maxOccurrences) has its occurrences from the start of its
// text.
func (e *run) bodyOccurrences(docs []uint32, langOf func(uint32) string, words map[string][]string) (map[uint32][]occurrence, error) {
	out := make(map[uint32][]occurrence, len(docs))
	scan := map[uint32]bool{}
	byLang := map[string][]uint32{}
	for _, d := range docs {
		l := langOf(d)
		byLang[l] = append(byLang[l], d)
	}
	for l, ds := range byLang {
		slices.Sort(ds)
		rests := make([][]uint32, len(words[l]))
		for ti, w := range words[l] {
			// The proximity pass read this word in the best documents:
			// only the others are read here. A document whose postings
			// do not hold the word has no entry either way.
			for _, d := range ds {
				sp, ok := e.occs[occKey{l, w, d}]
				switch {
				case !ok:
					rests[ti] = append(rests[ti], d)
				case sp.capped || len(sp.start) > maxOccurrences:
					scan[d] = true
				default:
					for k := range sp.start {
						out[d] = append(out[d], occurrence{start: sp.start[k], end: sp.end[k], term: ti})
					}
				}
			}
		}
		if err := e.textOccurrences(l, words[l], rests, out, scan); err != nil {
			return nil, err
		}
		for ti, w := range words[l] {
			rest := rests[ti]
			if len(rest) == 0 {
				continue
			}
			err := e.r.PostingsOf(indexer.Body, l, w, rest, true, maxOccurrences, func(i int, p *indexer.Posting) {
				if p.Capped {
					scan[rest[i]] = true
					return
				}
				for k := range p.Start {
					out[rest[i]] = append(out[rest[i]], occurrence{start: p.Start[k], end: p.End[k], term: ti})
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	for d := range scan {
		occ, err := e.scanOccurrences(d, langOf(d), words[langOf(d)])
		if err != nil {
			return nil, err
		}
		out[d] = occ
	}
	for _, occ := range out {
		slices.SortFunc(occ, func(a, b occurrence) int { return cmp.Compare(a.start, b.start) })
	}
	return out, nil
}

// textOccurrences finds the occurrences of words (of text-field language
// lang) that the documents of rests[ti] were not read for (the proximity
// pass reads only the query's own words: a theme's synonyms are not among
// them) by analysing their texts again, when that costs less than walking
// the words' postings (see fromText), and takes those documents out of
// rests. A document whose text is longer than maxTextPositions keeps the
// postings; one holding a word more than maxOccurrences times is scanned,
// as its postings would have said.
func (e *run) textOccurrences(lang string, words []string, rests [][]uint32, out map[uint32][]occurrence, scan map[uint32]bool) error {
	c := e.corpus
	if c == nil || !c.fixed {
		return nil
	}
	var walked float64
	need := map[uint32][]int{} // a document's words to find
	for ti, rest := range rests {
		if len(rest) > 0 {
			walked += c.dfBody[dfKey(lang, words[ti])]
		}
		for _, d := range rest {
			need[d] = append(need[d], ti)
		}
	}
	if tokens := c.avgBody[lang] * float64(len(need)); tokens == 0 || walked <= textPositionsRatio*tokens {
		return nil
	}
	index := make(map[string]int, len(words)) // words are distinct
	for ti, w := range words {
		index[w] = ti
	}
	done := map[uint32]bool{}
	counts := make([]int, len(words)) // of the words to find: -1 for the others
	for d, tis := range need {
		text, length, err := e.r.Text(d, 0, maxTextPositions)
		if err != nil {
			return err
		}
		if length > maxTextPositions {
			continue
		}
		done[d] = true
		for ti := range counts {
			counts[ti] = -1
		}
		for _, ti := range tis {
			counts[ti] = 0
		}
		for _, t := range e.r.Analyze(lang, text) {
			ti, ok := index[string(t.Term)]
			if !ok || counts[ti] < 0 {
				continue
			}
			out[d] = append(out[d], occurrence{start: uint32(t.Start), end: uint32(t.End), term: ti})
			if counts[ti]++; counts[ti] > maxOccurrences {
				scan[d] = true
			}
		}
	}
	for ti, rest := range rests {
		rests[ti] = slices.DeleteFunc(rest, func(d uint32) bool { return done[d] })
	}
	return nil
}

// scanOccurrences finds words in the first scanBytes of doc's text by
// analysing it again.
func (e *run) scanOccurrences(doc uint32, lang string, words []string) ([]occurrence, error) {
	text, length, err := e.r.Text(doc, 0, scanBytes)
	if err != nil {
		return nil, err
	}
	var out []occurrence
	for _, t := range e.r.Analyze(lang, text) {
		if len(text) < length && t.End >= len(text) {
			break // a word cut at the end of the window
		}
		if ti := slices.Index(words, string(t.Term)); ti >= 0 {
			out = append(out, occurrence{start: uint32(t.Start), end: uint32(t.End), term: ti})
		}
	}
	return out, nil
}

// bestWindow returns the index range [i, j) of the occurrences that fit in
// one window of n bytes with the most distinct terms, then the most
// occurrences, then the earliest.
func bestWindow(occ []occurrence, n uint32, terms int) (int, int) {
	bi, bj, bDistinct := 0, 0, -1
	seen := make([]int, terms)
	distinct := 0
	j := 0
	for i := range occ {
		for j < len(occ) && occ[j].end <= occ[i].start+n {
			if seen[occ[j].term] == 0 {
				distinct++
			}
			seen[occ[j].term]++
			j++
		}
		if distinct > bDistinct || distinct == bDistinct && j-i > bj-bi {
			bi, bj, bDistinct = i, j, distinct
		}
		if seen[occ[i].term]--; seen[occ[i].term] == 0 {
			distinct--
		}
	}
	return bi, bj
}

// snippetRange returns the bytes of a text a snippet of occ[i:j] reads:
// its window, room before it to start at a sentence, a margin to end on a
// sentence or a word boundary, and on both sides the length of the
// longest boilerplate line, so that every line the snippet may show is
// read whole and can be judged.
func snippetRange(occ []occurrence, i, j int) (int, int) {
	from := max(0, int(occ[i].start)-sentenceLead-wordSlack-indexer.MaxBoilerLine)
	to := max(int(occ[i].start)+snippetBytes, int(occ[j-1].end)) + sentenceTail + wordSlack
	return from, to + indexer.MaxBoilerLine
}

const (
	// wordSlack is how far a snippet's ends move to reach a word
	// boundary.
	wordSlack = 30
	// sentenceLead is how far before its first match a snippet may start
	// to begin with a sentence; sentenceTail, how far past its length it
	// may go on to end one.
	sentenceLead = 110
	sentenceTail = 50
	// snippetTries is how many windows a snippet tries before giving up
	// when the best ones hold their matches in boilerplate only.
	snippetTries = 3
)

// span is a byte range [start, end).
type span struct{ start, end int }

// skippedLines returns the ranges of seg (the text from byte base on,
// length long) that a snippet leaves out: whole lines that are
// boilerplate or part of the title. A line cut by seg's ends is judged
// only if the text starts or ends there.
func skippedLines(seg string, base, length int, skip func(line string) bool) []span {
	var out []span
	at := 0
	for at <= len(seg) {
		nl := strings.IndexByte(seg[at:], '\n')
		end := len(seg)
		if nl >= 0 {
			end = at + nl
		}
		whole := (at > 0 || base == 0) && (nl >= 0 || base+len(seg) >= length)
		if whole && strings.TrimSpace(seg[at:end]) != "" && skip(seg[at:end]) {
			out = append(out, span{at, min(len(seg), end+1)})
		}
		if nl < 0 {
			break
		}
		at = end + 1
	}
	return out
}

func inSpans(spans []span, s, e int) bool {
	for _, sp := range spans {
		if s >= sp.start && e <= sp.end {
			return true
		}
	}
	return false
}

// snippetOf makes the snippet of a document from its occurrences: the
// best window, read from the text (a bounded range, whatever the
// document's size); when the window's matches all lie in lines to skip,
// those occurrences are dropped and the next best window tried, at most
// snippetTries times, and then the first window is shown without those
// lines, or as it is if little is left (a text whose every line is
// boilerplate still has a snippet).
func snippetOf(read func(from, to int) (string, int, error), occ []occurrence, terms int, skip func(string) bool) (string, error) {
	live := occ
	var first func() string
	for range snippetTries {
		if len(live) == 0 {
			break
		}
		i, j := bestWindow(live, snippetBytes, terms)
		lo, hi := snippetRange(live, i, j)
		seg, length, err := read(lo, hi)
		if err != nil {
			return "", err
		}
		skipped := skippedLines(seg, lo, length, skip)
		if first == nil {
			ws, wi, wj, wlive := seg, i, j, live
			first = func() string {
				// The matches are all in lines to skip: the window's
				// other text, else the window as it is.
				if frag := snippet(ws, lo, length, wlive, wi, wj, skipped); len(frag) >= snippetBytes/2 {
					return frag
				}
				return snippet(ws, lo, length, wlive, wi, wj, nil)
			}
		}
		var kept []occurrence
		dead := false
		for k, o := range live {
			if inSpans(skipped, int(o.start)-lo, int(o.end)-lo) {
				dead = dead || k >= i && k < j
				continue
			}
			kept = append(kept, o)
		}
		if !dead || len(kept) == 0 && len(skipped) == 0 {
			return snippet(seg, lo, length, live, i, j, skipped), nil
		}
		live = kept
	}
	if first == nil {
		return "", nil
	}
	return first(), nil
}

// snippet renders the window of a text around occ[i:j] as escaped HTML with
// every occurrence in it marked. seg is the text from byte base on (as
// snippetRange asks), length the whole text's; skipped are ranges of seg
// to leave out. The window starts at the beginning of the sentence of the
// first occurrence when that is near, else a little before it at a word
// boundary, and ends at the end of a sentence when one is near, else at a
// word boundary.
func snippet(seg string, base, length int, occ []occurrence, i, j int, skipped []span) string {
	if i >= j {
		return ""
	}
	first := int(occ[i].start) - base
	last := int(occ[j-1].end) - base
	if first < 0 || first > len(seg) || last > len(seg) {
		return ""
	}
	lead := max(0, (snippetBytes-(last-first))/3)
	from := sentenceStart(seg, base, first, skipped)
	if from < 0 {
		from = wordStart(seg, max(0, first-lead))
	}
	for _, sp := range skipped {
		if from >= sp.start && from < sp.end {
			from = sp.end
		}
	}
	if from == 0 && base > 0 {
		// seg starts in the text's middle, maybe in a word: from the
		// next word on.
		if k := strings.IndexFunc(seg, unicode.IsSpace); k >= 0 && k < first {
			from = k + 1
		}
	}
	to := sentenceEnd(seg, max(last, from+snippetBytes))
	if to < 0 {
		to = wordEnd(seg, min(len(seg), max(last, from+snippetBytes)))
	}
	if to == len(seg) && base+to < length {
		if k := strings.LastIndexFunc(seg, unicode.IsSpace); k >= last {
			to = k
		}
	}
	var b strings.Builder
	if base+from > 0 {
		b.WriteString("… ")
	}
	text := func(s, e int) { // seg[s:e], escaped, without the skipped lines
		for _, sp := range skipped {
			if sp.end <= s || sp.start >= e {
				continue
			}
			if sp.start > s {
				b.WriteString(html.EscapeString(clean(seg[s:sp.start])))
			}
			b.WriteByte(' ')
			s = min(e, sp.end)
		}
		if s < e {
			b.WriteString(html.EscapeString(clean(seg[s:e])))
		}
	}
	at := from
	for _, o := range occ {
		s, e := int(o.start)-base, int(o.end)-base
		if s < at || e > to || inSpans(skipped, s, e) {
			continue
		}
		text(at, s)
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(clean(seg[s:e])))
		b.WriteString("</mark>")
		at = e
	}
	text(at, to)
	out := clean(strings.TrimSpace(b.String()))
	if base+to < length {
		out += " …"
	}
	return out
}

// sentenceStart returns where the sentence holding seg[at] begins, if
// that is at most sentenceLead bytes before at and inside seg (the start
// of the text, or after a sentence's end: ., ! or ? and a space, a blank
// line, a line ending a sentence, a bullet); -1 otherwise.
func sentenceStart(seg string, base, at int, skipped []span) int {
	lowest := max(0, at-sentenceLead)
	for k := at; k > lowest; k-- {
		if inSpans(skipped, k-1, k) {
			return k // a skipped line ends here: the text starts anew
		}
		c := seg[k-1]
		if c != ' ' && c != '\n' {
			continue
		}
		rest := seg[:k-1]
		if c == '\n' && (strings.HasSuffix(rest, "\n") || rest == "") {
			return k
		}
		prev := strings.TrimRight(rest, " \t")
		if prev == "" {
			continue
		}
		switch prev[len(prev)-1] {
		case '.', '!', '?', ':', ';':
			if c == '\n' || prev[len(prev)-1] != ':' && prev[len(prev)-1] != ';' {
				return k
			}
		}
		if strings.HasSuffix(prev, "•") {
			return k
		}
	}
	if lowest == 0 && base == 0 {
		return 0
	}
	return -1
}

// sentenceEnd returns the end of the sentence running at seg[at] (after
// its ., ! or ?) if it ends within sentenceTail bytes, or the end of the
// last sentence that ended in the sentenceTail bytes before at; -1
// otherwise.
func sentenceEnd(seg string, at int) int {
	if at >= len(seg) {
		return -1
	}
	isEnd := func(k int) bool { // seg[k] ends a sentence
		c := seg[k]
		return (c == '.' || c == '!' || c == '?') && (k+1 == len(seg) || seg[k+1] == ' ' || seg[k+1] == '\n')
	}
	for k := at; k < min(len(seg), at+sentenceTail); k++ {
		if isEnd(k) {
			return k + 1
		}
	}
	for k := at - 1; k > max(0, at-sentenceTail); k-- {
		if isEnd(k) {
			return k + 1
		}
	}
	return -1
}

// clean folds runs of white space into one space.
func clean(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == '\n' || r == '\t' || r == '\r' }) && !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// wordStart moves i back to the start of the word it is in (after white
// space, so "self-assessment" is not cut after its hyphen), never more
// than wordSlack bytes.
func wordStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	for k := 0; k < wordSlack && i > 0; k++ {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if unicode.IsSpace(r) {
			break
		}
		i -= size
	}
	return i
}

// wordEnd moves i forward to the end of the word it is in (up to white
// space, or to a comma or a stop after it), never more than wordSlack
// bytes.
func wordEnd(s string, i int) int {
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	for k := 0; k < wordSlack && i < len(s); k++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) || !isWordRune(r) && r != '-' && r != '\'' && r != '’' {
			break
		}
		i += size
	}
	return i
}

// pageOf returns the page (1-based) of a paged document where the
// occurrences cluster best: the page with the most distinct terms, then
// the most occurrences, then the earliest; 0 for a document of one page.
func pageOf(starts []int, occ []occurrence, terms int) int {
	if len(starts) < 2 || len(occ) == 0 {
		return 0
	}
	distinct := make([]map[int]bool, len(starts))
	count := make([]int, len(starts))
	for _, o := range occ {
		p, found := slices.BinarySearch(starts, int(o.start))
		if !found {
			p--
		}
		p = max(p, 0)
		if distinct[p] == nil {
			distinct[p] = map[int]bool{}
		}
		distinct[p][o.term] = true
		count[p]++
	}
	best := -1
	for p := range starts {
		if count[p] == 0 {
			continue
		}
		if best < 0 || len(distinct[p]) > len(distinct[best]) ||
			len(distinct[p]) == len(distinct[best]) && count[p] > count[best] {
			best = p
		}
	}
	return best + 1
}
