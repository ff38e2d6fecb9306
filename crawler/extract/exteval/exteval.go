// Package exteval measures extraction: how well the text extracted from a
// document matches its known text (word bags: recall, precision, F1, with
// a reStructuredText stripper for ground truths written in reST), and
// what extraction does with every document of a folder (outcomes by
// reason, time per file). kbsearch-lab's extract-quality and
// extract-bench print what it measures.
//
// It builds on package extract and the standard library; it must not
// import the crawler, the store, the indexer or search.
package exteval

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Bag counts the lower-cased words of a text.
type Bag map[string]int

// WordBag counts the lower-cased words of s: maximal runs of letters and
// digits.
func WordBag(s string) Bag {
	bag := Bag{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		bag[strings.ToLower(w)]++
	}
	return bag
}

// Size is the number of words in b, each counted as often as it occurs.
func (b Bag) Size() int {
	n := 0
	for _, c := range b {
		n += c
	}
	return n
}

// Score returns recall, precision and F1 of got against truth, counting
// each word at most as often as it occurs in both.
func Score(truth, got Bag) (recall, precision, f1 float64) {
	common := 0
	for w, c := range got {
		common += min(c, truth[w])
	}
	if nt := truth.Size(); nt > 0 {
		recall = float64(common) / float64(nt)
	}
	if ng := got.Size(); ng > 0 {
		precision = float64(common) / float64(ng)
	}
	if recall+precision > 0 {
		f1 = 2 * recall * precision / (recall + precision)
	}
	return recall, precision, f1
}

// ReadTruth reads ground-truth files into one bag of words: .rst files
// with their markup stripped (StripRST), any other file as plain text,
// and of a folder its .rst and .txt files.
func ReadTruth(paths []string) (Bag, error) {
	bag := Bag{}
	add := func(path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		if strings.EqualFold(filepath.Ext(path), ".rst") {
			text = StripRST(text)
		}
		for w, n := range WordBag(text) {
			bag[w] += n
		}
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".rst" || ext == ".txt") {
				if err := add(filepath.Join(p, e.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(bag) == 0 {
		return nil, errors.New("the truth has no words")
	}
	return bag, nil
}

var (
	rstDirective = regexp.MustCompile(`^\s*\.\. `)    // .. directive:: / comments / targets
	rstOption    = regexp.MustCompile(`^\s+:[\w-]+:`) // directive options
	rstToctree   = regexp.MustCompile(`^\s+\S+\.rst\s*$`)
	rstLinkURL   = regexp.MustCompile(`<[a-z]+://[^>]*>`)
	rstRole      = regexp.MustCompile(`:[\w-]+:` + "`")
)

// StripRST removes reStructuredText markup: directives and their options
// (but the text of a highlights directive), title adornments, toctree
// entries, link targets and roles. Emphasis marks and backquotes are left:
// they fall away with the punctuation when words are split.
func StripRST(s string) string {
	var b strings.Builder
	for ln := range strings.SplitSeq(s, "\n") {
		if rstDirective.MatchString(ln) && !strings.Contains(ln, "highlights::") {
			continue
		}
		if rstOption.MatchString(ln) || isAdornment(ln) || rstToctree.MatchString(ln) {
			continue
		}
		ln = rstLinkURL.ReplaceAllString(ln, " ")
		ln = rstRole.ReplaceAllString(ln, "`")
		b.WriteString(ln)
		b.WriteByte('\n')
	}
	return b.String()
}

// isAdornment reports whether ln is a title over- or underline: three or
// more of one punctuation character.
func isAdornment(ln string) bool {
	ln = strings.TrimSpace(ln)
	if len(ln) < 3 || !strings.ContainsRune("=-~^\"'`#*+.:_", rune(ln[0])) {
		return false
	}
	return strings.Trim(ln, ln[:1]) == ""
}
