package indexer

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// The phrases file of a generation holds what completion and snippets
// learn from the whole collection at build time:
//
//   - two-word terms worth completing: pairs of adjacent words (as the
//     completion dictionary holds them) found together in enough documents
//     and associated (the pair makes up a good share of the rarer word's
//     documents), so "learning analytics" is offered and "learning annex"
//     is not;
//   - boilerplate: the keys of the lines a snippet must not show, those
//     shared by many documents of one host (a site's navigation, its
//     name on every page) and those repeated within one document (a PDF's
//     running header).
//
// Both are counted while the Writer adds documents, with memory bounded
// by lossy counting (when a table is full, the entries seen least are
// dropped and the floor rises), and written when it closes.
//
// File layout: a magic string; uvarint pair count, then per pair in byte
// order uvarint length, "first second", uvarint document count; uvarint
// line count, then per line its 8-byte key, little-endian, ascending;
// then an end marker, 8 bytes: the two counts' sum, little-endian.
const (
	phrasesFile  = "phrases"
	phrasesMagic = "kbsearch-phrases-1\n"
)

// Bounds of the build-time counts and of what is kept.
const (
	// maxPairEntries and maxLineEntries bound the counting tables.
	maxPairEntries = 1 << 20
	maxLineEntries = 1 << 19
	// pairsPerWord is how many second words are kept per first word,
	// the most frequent.
	pairsPerWord = 16
	// minPairShare is the share of the rarer word's documents a pair
	// must be found in (as adjacent words) to be kept.
	minPairShare = 0.2
	// minBoilerShare is the share of a host's documents a line must be
	// in to be boilerplate (and at least minBoilerDocs of them);
	// repeatedLine is how often a line must recur in one document.
	minBoilerShare = 0.2
	minBoilerDocs  = 5
	repeatedLine   = 3
	// MaxBoilerLine is the longest line, in bytes, counted as possible
	// boilerplate: longer ones are prose.
	MaxBoilerLine = 300
)

// minPairDocs is the fewest documents a pair must be found in, for n
// documents: 2, or one in 2,000.
func minPairDocs(n int) int { return max(2, n/2000) }

// FNV-1a, 64 bits, written out so that hashing a word or a line
// allocates nothing (hash/fnv's state escapes to the heap).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// LineKey returns the key of a line of text as boilerplate detection
// counts it: case, surrounding and repeated white space do not matter;
// 0 for a line with fewer than 4 letters or longer than MaxBoilerLine
// bytes, which is never boilerplate.
func LineKey(line string) uint64 {
	if len(line) > MaxBoilerLine {
		return 0
	}
	h, letters := uint64(fnvOffset), 0
	space := false // a space is owed before the next character
	started := false
	var buf [utf8.UTFMax]byte
	for _, r := range line {
		if unicode.IsSpace(r) {
			space = started
			continue
		}
		if space {
			h = (h ^ ' ') * fnvPrime
			space = false
		}
		started = true
		if r < utf8.RuneSelf {
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if 'a' <= c && c <= 'z' {
				letters++
			}
			h = (h ^ uint64(c)) * fnvPrime
			continue
		}
		if unicode.IsLetter(r) {
			letters++
		}
		n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
		h = fnvBytes(h, buf[:n])
	}
	if letters < 4 {
		return 0
	}
	return max(h, 1)
}

// docPhrases is what prepare finds in one document for the phrases file.
type docPhrases struct {
	host     string
	words    [2]analysis.TokenStream // the title's and the body's
	pairs    []pairSeen              // adjacent word pairs, a pair as often as it occurs
	lines    []uint64                // distinct line keys
	repeated []uint64                // keys of lines repeated in the document
}

// pairSeen is a pair of adjacent words: its key, and where its second
// word is in words (the stream in the top bit, the token below), so that
// a string is made only for a pair seen in a second document.
type pairSeen struct {
	key uint64
	at  uint32
}

// text returns the pair's two words.
func (p *docPhrases) text(s pairSeen) [2]string {
	ts := p.words[s.at>>31]
	i := int(s.at &^ (1 << 31))
	return [2]string{string(ts[i-1].Term), string(ts[i].Term)}
}

// findPhrases reads d's word tokens (title and body analysed by
// AnalyzerWords, positions kept) and its lines.
func findPhrases(d *Document, title, body analysis.TokenStream) *docPhrases {
	p := &docPhrases{}
	if u, err := url.Parse(d.URL); err == nil {
		p.host = u.Host
	}
	p.pairs = make([]pairSeen, 0, len(title)+len(body))
	p.words = [2]analysis.TokenStream{title, body}
	for w, ts := range p.words {
		for i := 1; i < len(ts) && i < 1<<31; i++ {
			a, b := ts[i-1], ts[i]
			if b.Position != a.Position+1 || string(a.Term) == string(b.Term) {
				continue // a stop word between them, or a word repeated
			}
			k := fnvBytes((fnvBytes(fnvOffset, a.Term)^' ')*fnvPrime, b.Term)
			p.pairs = append(p.pairs, pairSeen{k, uint32(w)<<31 | uint32(i)})
		}
	}

	var keys []uint64
	for rest := d.Body; rest != ""; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if k := LineKey(line); k != 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		p.lines = append(p.lines, keys[i])
		if j-i >= repeatedLine {
			p.repeated = append(p.repeated, keys[i])
		}
		i = j
	}
	return p
}

// phrasesWriter counts pairs and lines over the documents a Writer adds.
type phrasesWriter struct {
	pairs     map[uint64]pairCount
	pairText  map[uint64][2]string // for pairs seen twice or more
	pairFloor uint32
	lines     map[uint64]uint32 // key of host and line -> documents
	lineFloor uint32
	hostDocs  map[string]int
	hostLine  map[uint64]hostLine
	repeated  map[uint64]bool
	docs      int
}

func newPhrasesWriter() *phrasesWriter {
	return &phrasesWriter{pairs: map[uint64]pairCount{}, pairText: map[uint64][2]string{},
		lines: map[uint64]uint32{}, hostDocs: map[string]int{}, hostLine: map[uint64]hostLine{},
		repeated: map[uint64]bool{}}
}

func (pw *phrasesWriter) add(p *docPhrases) {
	if p == nil {
		return
	}
	pw.docs++
	doc := uint32(pw.docs)
	for _, s := range p.pairs {
		c := pw.pairs[s.key]
		if c.last == doc {
			continue // counted for this document
		}
		c.n++
		c.last = doc
		pw.pairs[s.key] = c
		if c.n == 2 {
			pw.pairText[s.key] = p.text(s)
		}
	}
	if len(pw.pairs) > maxPairEntries {
		pw.pairFloor++
		for k, c := range pw.pairs {
			if c.n <= pw.pairFloor {
				delete(pw.pairs, k)
				delete(pw.pairText, k)
			}
		}
	}
	pw.hostDocs[p.host]++
	hostKey := fnvString(fnvOffset, p.host)
	for _, k := range p.lines {
		key := hostKey ^ k*0x9e3779b97f4a7c15
		if pw.lines[key]++; pw.lines[key] == 1 {
			pw.hostLine[key] = hostLine{k, p.host}
		}
	}
	if len(pw.lines) > maxLineEntries {
		pw.lineFloor++
		for k, n := range pw.lines {
			if n <= pw.lineFloor {
				delete(pw.lines, k)
				delete(pw.hostLine, k)
			}
		}
	}
	for _, k := range p.repeated {
		pw.repeated[k] = true
	}
}

// pairCount counts the documents holding a pair; last is the latest.
type pairCount struct{ n, last uint32 }

// phrase is one kept pair.
type phrase struct {
	text string // "first second"
	df   int
}

// kept returns the pairs worth completing, in byte order, given the
// documents holding each word (df).
func (pw *phrasesWriter) kept(df func(word string) int) []phrase {
	floor := minPairDocs(pw.docs)
	byFirst := map[string][]phrase{}
	for k, c := range pw.pairs {
		n := c.n
		t, ok := pw.pairText[k]
		if !ok || int(n) < floor {
			continue
		}
		rarer := min(df(t[0]), df(t[1]))
		if rarer == 0 || float64(n) < minPairShare*float64(rarer) {
			continue
		}
		byFirst[t[0]] = append(byFirst[t[0]], phrase{t[0] + " " + t[1], int(n)})
	}
	var out []phrase
	for _, ps := range byFirst {
		slices.SortFunc(ps, func(a, b phrase) int { return cmp.Or(cmp.Compare(b.df, a.df), strings.Compare(a.text, b.text)) })
		out = append(out, ps[:min(len(ps), pairsPerWord)]...)
	}
	slices.SortFunc(out, func(a, b phrase) int { return strings.Compare(a.text, b.text) })
	return out
}

// boilerplate returns the keys of the boilerplate lines, ascending.
func (pw *phrasesWriter) boilerplate() []uint64 {
	set := map[uint64]bool{}
	for k := range pw.repeated {
		set[k] = true
	}
	for key, n := range pw.lines {
		hl := pw.hostLine[key]
		if int(n) >= minBoilerDocs && float64(n) >= minBoilerShare*float64(pw.hostDocs[hl.host]) {
			set[hl.line] = true
		}
	}
	out := make([]uint64, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// hostLine is a counted line: its key and its document's host.
type hostLine struct {
	line uint64
	host string
}

// write writes the phrases file to path and syncs it.
func (pw *phrasesWriter) write(path string, df func(word string) int) (err error) {
	pairs, lines := pw.kept(df), pw.boilerplate()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("indexer: phrases: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("indexer: phrases: %w", cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	w := bufio.NewWriter(f)
	var buf []byte
	put := func(v uint64) { buf = binary.AppendUvarint(buf[:0], v); w.Write(buf) }
	w.WriteString(phrasesMagic)
	put(uint64(len(pairs)))
	for _, p := range pairs {
		put(uint64(len(p.text)))
		w.WriteString(p.text)
		put(uint64(p.df))
	}
	put(uint64(len(lines)))
	var b8 [8]byte
	for _, k := range lines {
		binary.LittleEndian.PutUint64(b8[:], k)
		w.Write(b8[:])
	}
	binary.LittleEndian.PutUint64(b8[:], uint64(len(pairs)+len(lines)))
	w.Write(b8[:])
	if err := w.Flush(); err != nil {
		return fmt.Errorf("indexer: phrases: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("indexer: phrases: %w", err)
	}
	return nil
}

// phrases is a phrases file in memory.
type phrases struct {
	pairs []phrase // in byte order
	lines map[uint64]struct{}
}

// openPhrases reads the phrases file at path; an empty set when there is
// none (a generation built before it existed, or an index made by hand).
func openPhrases(path string) (*phrases, error) {
	ph := &phrases{lines: map[uint64]struct{}{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return ph, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(phrasesMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != phrasesMagic {
		return nil, fmt.Errorf("phrases %s: not a phrases file", path)
	}
	bad := func(err error) error { return fmt.Errorf("phrases %s: truncated or damaged: %w", path, err) }
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 1<<26 {
		return nil, bad(err)
	}
	ph.pairs = make([]phrase, 0, n)
	for range n {
		l, err := binary.ReadUvarint(r)
		if err != nil || l > 1<<16 {
			return nil, bad(err)
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, bad(err)
		}
		df, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, bad(err)
		}
		ph.pairs = append(ph.pairs, phrase{string(b), int(df)})
	}
	m, err := binary.ReadUvarint(r)
	if err != nil || m > 1<<26 {
		return nil, bad(err)
	}
	var b8 [8]byte
	for range m {
		if _, err := io.ReadFull(r, b8[:]); err != nil {
			return nil, bad(err)
		}
		ph.lines[binary.LittleEndian.Uint64(b8[:])] = struct{}{}
	}
	if _, err := io.ReadFull(r, b8[:]); err != nil || binary.LittleEndian.Uint64(b8[:]) != n+m {
		return nil, bad(errors.New("no end marker"))
	}
	return ph, nil
}

// Pairs calls fn with each two-word term of the collection (see the
// phrases file) whose first word is first and whose second word starts
// with prefix, in byte order, with the number of documents holding it as
// a phrase, until fn returns false. An empty first takes every pair whose
// first word starts with prefix.
func (r *Reader) Pairs(first, prefix string, fn func(first, second string, docs int) bool) {
	start := prefix
	if first != "" {
		start = first + " " + prefix
	}
	ps := r.phrases.pairs
	for i := sort.Search(len(ps), func(i int) bool { return ps[i].text >= start }); i < len(ps); i++ {
		p := ps[i]
		if !strings.HasPrefix(p.text, start) {
			return
		}
		a, b, _ := strings.Cut(p.text, " ")
		if first == "" && !strings.HasPrefix(a, prefix) {
			continue
		}
		if !fn(a, b, p.df) {
			return
		}
	}
}

// HasPairs reports whether some two-word term of the collection starts
// with word.
func (r *Reader) HasPairs(word string) bool {
	found := false
	r.Pairs(word, "", func(string, string, int) bool { found = true; return false })
	return found
}

// Boilerplate reports whether a line of a document's text is boilerplate
// (see the phrases file): text a snippet should not show.
func (r *Reader) Boilerplate(line string) bool {
	if len(r.phrases.lines) == 0 {
		return false
	}
	_, ok := r.phrases.lines[LineKey(line)]
	return ok
}
