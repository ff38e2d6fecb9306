// Package lang decides the language of a document's text: from what the
// document declares (HTML lang, Content-Language, PDF /Lang, a URL's "_fr"
// suffix) and from the text itself, by counting the function words of each
// supported language. It owns the language codes kbsearch analyses text in
// (Supported); a declared tag is read by crawler/langtag, the one place
// tags are normalised. It must not import bleve or any other kbsearch
// package but that leaf.
package lang

import (
	"unicode"
	"unicode/utf8"

	"github.com/kbsearch/kbsearch/crawler/langtag"
)

// Codes of the languages whose text kbsearch analyses with a language's own
// analyzer. Any other code is kept as metadata and analysed as English.
const (
	English    = "en"
	French     = "fr"
	German     = "de"
	Italian    = "it"
	Spanish    = "es"
	Portuguese = "pt"
	Dutch      = "nl"
)

// Supported lists the languages Detect can return, English first.
var Supported = []string{English, French, German, Italian, Spanish, Portuguese, Dutch}

// IsSupported reports whether code is one of Supported.
func IsSupported(code string) bool {
	for _, c := range Supported {
		if c == code {
			return true
		}
	}
	return false
}

// Detection is the outcome of Detect.
type Detection struct {
	// Lang is the most likely language, or "" when the text gives too
	// little evidence (see Confident).
	Lang string
	// Hits is the number of the text's words that are function words of
	// Lang; Words the number of words read.
	Hits, Words int
	// Margin is Lang's score minus the runner-up's, divided by Lang's
	// score: 0 for a tie, 1 when no other language scored.
	Margin float64
}

// Confident reports whether d is sure enough to overrule a declared
// language: at least minOverrule function words and a clear margin.
func (d Detection) Confident() bool {
	return d.Lang != "" && d.Hits >= minOverrule && d.Margin >= 0.5
}

// Thresholds of Detect and Resolve.
const (
	minScore    = 1.25 // score needed to name a language at all
	minMargin   = 0.2  // and the lead over the runner-up they need
	minOverrule = 12   // function words needed to overrule a declaration
	maxWords    = 4000 // words read: enough for any decision, cheap on long texts
)

// Detect guesses the language of text among Supported. Each word that is a
// function word (article, preposition, pronoun, auxiliary, conjunction) of
// one or more languages adds 1/k to each of those k languages; any other
// word with an ending typical of one language only ("-ung", "-zione",
// "-ción", "-ção", "-heid") adds 1/2 to it, and each letter found in one
// language only (ß, ñ, ã, õ, ç...) 1/4. The best-scoring language wins if it
// scores at least 1.25 and leads the runner-up by a fifth of its score;
// otherwise Lang is "".
// Only the first 4,000 words are read.
func Detect(text string) Detection {
	var score [numLangs]float64
	var hits [numLangs]int
	words := 0
	var buf [32]byte
	w := buf[:0]
	flush := func() {
		if len(w) == 0 {
			return
		}
		words++
		if ls, ok := stopIndex[string(w)]; ok {
			share := 1 / float64(len(ls))
			for _, l := range ls {
				score[l] += share
				hits[l]++
			}
		} else if l, ok := suffixHint(w); ok {
			score[l] += suffixWeight
		}
		w = w[:0]
	}
	for i := 0; i < len(text) && words < maxWords; {
		if c := text[i]; c < utf8.RuneSelf { // ASCII: no decoding, no tables
			i++
			switch {
			case 'a' <= c && c <= 'z':
				if len(w) < len(buf)-4 {
					w = append(w, c)
				}
			case 'A' <= c && c <= 'Z':
				if len(w) < len(buf)-4 {
					w = append(w, c+'a'-'A')
				}
			default:
				flush()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == '’':
			// French and Italian elisions: "l'école" reads as "l" + "école".
			flush()
		case unicode.IsLetter(r):
			if l, ok := letterHint[r]; ok {
				score[l] += hintWeight
			}
			if len(w) < len(buf)-4 {
				w = utf8.AppendRune(w, unicode.ToLower(r))
			}
		default:
			flush()
		}
	}
	flush()
	best, second := -1, -1
	for l := range numLangs {
		switch {
		case best < 0 || score[l] > score[best]:
			best, second = l, best
		case second < 0 || score[l] > score[second]:
			second = l
		}
	}
	d := Detection{Words: words}
	if best < 0 || score[best] == 0 {
		return d
	}
	d.Hits = hits[best]
	d.Margin = (score[best] - score[second]) / score[best]
	if score[best] >= minScore && d.Margin >= minMargin {
		d.Lang = Supported[best]
	}
	return d
}

// What one letter and one word ending specific to a language add to its
// score.
const (
	hintWeight   = 0.25
	suffixWeight = 0.5
)

// Resolve decides a document's language from what it declares and what its
// text says:
//
//   - A declared language (normalised) wins, unless the text is long enough
//     for a confident detection (Detection.Confident) of another supported
//     language: portals often declare the site's language on every page,
//     and PDFs the authoring tool's.
//   - Nothing declared: the detected language, if any.
//   - Neither: "" (unknown), which the index treats as English.
//
// A declared language kbsearch has no analyzer for ("hr") is kept unless
// the text is confidently one it has.
func Resolve(declared, text string) string {
	decl := langtag.Primary(declared)
	d := Detect(text)
	switch {
	case decl == "":
		return d.Lang
	case d.Lang != "" && d.Lang != decl && d.Confident():
		return d.Lang
	default:
		return decl
	}
}
