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
		for ti, w := range words[l] {
			// The proximity pass read this word in the best documents:
			// only the others are read here. A document whose postings
			// do not hold the word has no entry either way.
			var rest []uint32
			for _, d := range ds {
				sp, ok := e.occs[occKey{l, w, d}]
				switch {
				case !ok:
					rest = append(rest, d)
				case sp.capped || len(sp.start) > maxOccurrences:
					scan[d] = true
				default:
					for k := range sp.start {
						out[d] = append(out[d], occurrence{start: sp.start[k], end: sp.end[k], term: ti})
					}
				}
			}
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
// its window and a margin to end on word boundaries.
func snippetRange(occ []occurrence, i, j int) (int, int) {
	lead := max(0, (snippetBytes-int(occ[j-1].end-occ[i].start))/3)
	from := max(0, int(occ[i].start)-lead-wordSlack)
	return from, max(from+snippetBytes, int(occ[j-1].end)) + 2*wordSlack
}

// wordSlack is how far a snippet's ends move to reach a word boundary.
const wordSlack = 30

// snippet renders the window of a text around occ[i:j] as escaped HTML with
// every occurrence in it marked. seg is the text from byte base on (as
// snippetRange asks), length the whole text's. The window starts a little
// before the first occurrence and both ends are moved to word boundaries.
func snippet(seg string, base, length int, occ []occurrence, i, j int) string {
	if i >= j {
		return ""
	}
	first := int(occ[i].start) - base
	if first < 0 || first > len(seg) {
		return ""
	}
	lead := max(0, (snippetBytes-int(occ[j-1].end-occ[i].start))/3)
	from := wordStart(seg, max(0, first-lead))
	to := wordEnd(seg, min(len(seg), from+snippetBytes))
	to = max(to, min(len(seg), int(occ[j-1].end)-base))
	var b strings.Builder
	if base+from > 0 {
		b.WriteString("… ")
	}
	at := from
	for _, o := range occ {
		s, e := int(o.start)-base, int(o.end)-base
		if s < at || e > to {
			continue
		}
		b.WriteString(html.EscapeString(clean(seg[at:s])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(clean(seg[s:e])))
		b.WriteString("</mark>")
		at = e
	}
	b.WriteString(html.EscapeString(clean(seg[at:to])))
	if base+to < length {
		b.WriteString(" …")
	}
	return strings.TrimSpace(b.String())
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

// wordStart moves i back to the start of the word it is in, never more
// than wordSlack bytes.
func wordStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	for k := 0; k < wordSlack && i > 0; k++ {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !isWordRune(r) {
			break
		}
		i -= size
	}
	return i
}

// wordEnd moves i forward to the end of the word it is in, never more than
// wordSlack bytes.
func wordEnd(s string, i int) int {
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	for k := 0; k < wordSlack && i < len(s); k++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
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
