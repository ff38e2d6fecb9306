package taxonomy

import (
	"unicode"
	"unicode/utf8"
)

// forEachToken splits s into words (runs of letters and digits; any other
// character, a hyphen included, separates words), lower-cases and normalises
// each, and calls fn with it. The slice passed to fn is reused: fn must copy
// it to keep it. Apostrophes inside a word are dropped, so "teachers'" and
// "teacher's" both become "teacher".
func forEachToken(s string, fn func(tok []byte)) {
	forEachTokenBreak(s, func(tok []byte, _ bool) { fn(tok) })
}

// forEachTokenBreak is forEachToken that also tells fn whether a sentence
// or list item ended before the token: a '.', '!' or '?' followed by a
// space or the end of the text, a ';', or a line break. Phrases do not match
// across such a break ("... set by the teacher. Training sessions ..." is
// no "teacher training").
func forEachTokenBreak(s string, fn func(tok []byte, brk bool)) {
	var arr [64]byte
	buf := arr[:0]
	brk := false
	emit := func() {
		if len(buf) > 0 {
			fn(normalize(buf), brk)
			buf = buf[:0]
			brk = false
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				buf = append(buf, c)
			case c >= 'A' && c <= 'Z':
				buf = append(buf, c+'a'-'A')
			case c == '\'':
				// inside a word: dropped; elsewhere: nothing to do
			case c == '\n' || c == ';':
				emit()
				brk = true
			case c == '.' || c == '!' || c == '?':
				emit()
				if i == len(s) || s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t' {
					brk = true
				}
			default:
				emit()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\u2019': // right single quotation mark used as apostrophe
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r):
			// combining marks stay with their letter
			buf = utf8.AppendRune(buf, r)
		default:
			emit()
		}
	}
	emit()
}

// tokenStrings returns the normalised tokens of s as strings.
func tokenStrings(s string) []string {
	var out []string
	forEachToken(s, func(tok []byte) { out = append(out, string(tok)) })
	return out
}

// spellings maps British spellings (after plural stripping) to the American
// ones, so both match the same phrase. Suffix pairs (-isation/-ization,
// -ise/-ize, -yse/-yze) are handled by normalize.
var spellings = map[string]string{
	"licence":    "license",
	"programme":  "program",
	"centre":     "center",
	"labour":     "labor",
	"behaviour":  "behavior",
	"modelling":  "modeling",
	"enrolment":  "enrollment",
	"catalogue":  "catalog",
	"defence":    "defense",
	"colour":     "color",
	"favour":     "favor",
	"judgement":  "judgment",
	"learnt":     "learned",
	"travelling": "traveling",
}

// normalize reduces a lower-case token in place to the form phrases are
// compared in: simple plurals stripped, British suffixes and spellings turned
// American. It is deliberately light (not a stemmer): "coding" and "code"
// stay apart, and the same function runs on phrases and texts, so any
// over-reduction is consistent on both sides.
func normalize(tok []byte) []byte {
	n := len(tok)
	switch {
	case n > 4 && hasSuffix(tok, "ies"):
		tok = append(tok[:n-3], 'y')
	case n > 4 && (hasSuffix(tok, "sses") || hasSuffix(tok, "shes") || hasSuffix(tok, "ches") || hasSuffix(tok, "xes")):
		tok = tok[:n-2]
	case n > 3 && tok[n-1] == 's' && !hasSuffix(tok, "ss") && !hasSuffix(tok, "us") && !hasSuffix(tok, "is"):
		tok = tok[:n-1]
	}
	// -isation -> -ization anywhere (organisational), -ise/-ised/-ising and
	// -yse/-ysed/-ysing at the end.
	if i := indexOf(tok, "isation"); i >= 0 {
		tok[i+1] = 'z'
	}
	n = len(tok)
	for _, suf := range [...]string{"ise", "ised", "ising", "yse", "ysed", "ysing"} {
		if n > len(suf)+2 && hasSuffix(tok, suf) {
			tok[n-len(suf)+1] = 'z'
			break
		}
	}
	if len(tok) >= 5 && len(tok) <= 10 {
		if us, ok := spellings[string(tok)]; ok {
			tok = append(tok[:0], us...)
		}
	}
	return tok
}

func hasSuffix(b []byte, suf string) bool {
	return len(b) >= len(suf) && string(b[len(b)-len(suf):]) == suf
}

func indexOf(b []byte, sub string) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == sub {
			return i
		}
	}
	return -1
}
