package indexer

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// tokenizerName is the tokenizer of this package's text analyzers: bleve's
// unicode tokenizer (Unicode word boundaries, UAX #29, as the
// blevesearch/segment package implements them) with a fast path for
// ASCII. A build tokenises some 60 million words of 100,000 documents, and
// segment's general state machine was a tenth of its CPU; most words are
// plain ASCII, for which the rules come down to a few lines.
//
// The tokens are exactly bleve's (terms, offsets, positions, types):
// TestTokenizerMatchesUnicode and FuzzTokenizerMatchesUnicode compare the
// two on tricky and random text.
const tokenizerName = "kb_unicode"

func init() {
	registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return fastTokenizer{}, nil
	})
}

// fastTokenizer splits its input at ASCII white space, which is always a
// word boundary and never inside a token (no UAX #29 rule joins across a
// space, a tab or a line break, and what may attach to one, a combining
// mark, forms no word). A chunk of ASCII is tokenised by asciiWords, any
// other chunk by bleve's tokenizer, its offsets and positions moved to
// the chunk's place.
type fastTokenizer struct{}

// Tokenize implements analysis.Tokenizer.
func (fastTokenizer) Tokenize(input []byte) analysis.TokenStream {
	if !utf8.Valid(input) {
		// How segment recovers from a byte that is not UTF-8 depends on
		// where its buffer ends; such text is rare (extraction repairs
		// it), so it goes to bleve's tokenizer whole.
		return unicodeTokenizer.Tokenize(input)
	}
	out := make(analysis.TokenStream, 0, len(input)/6+1)
	var slab []analysis.Token
	pos := 1
	for i := 0; i < len(input); {
		if isSpace(input[i]) {
			i++
			continue
		}
		start, ascii := i, true
		for i < len(input) && !isSpace(input[i]) {
			ascii = ascii && input[i] < 0x80
			i++
		}
		chunk := input[start:i]
		if !ascii {
			for _, t := range unicodeTokenizer.Tokenize(chunk) {
				t.Start += start
				t.End += start
				t.Position = pos
				pos++
				out = append(out, t)
			}
			continue
		}
		for j := 0; j < len(chunk); {
			end, typ := asciiWord(chunk, j)
			if end == j {
				j++ // a character that starts no word
				continue
			}
			if len(slab) == 0 {
				slab = make([]analysis.Token, max(16, min(1024, (len(input)-i)/6)))
			}
			t := &slab[0]
			slab = slab[1:]
			*t = analysis.Token{Term: chunk[j:end], Start: start + j, End: start + end, Position: pos, Type: typ}
			pos++
			out = append(out, t)
			j = end
		}
	}
	return out
}

var unicodeTokenizer = unicode.NewUnicodeTokenizer()

// isSpace reports the ASCII white space that always separates words.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// ASCII classes of the Unicode word-break property (Unicode 8, as segment
// uses it).
const (
	wbOther  = iota
	wbLetter // ALetter: A-Z a-z
	wbDigit  // Numeric: 0-9
	wbUnder  // ExtendNumLet: _
	wbMidL   // MidLetter: ':'
	wbMidN   // MidNum: ',' ';'
	wbMidNL  // MidNumLet and Single_Quote: '.' and '\''
)

var wbClass = func() (t [128]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = wbLetter, wbLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = wbDigit
	}
	t['_'] = wbUnder
	t[':'] = wbMidL
	t[','], t[';'] = wbMidN, wbMidN
	t['.'], t['\''] = wbMidNL, wbMidNL
	return t
}()

// asciiWord returns the end of the word that starts at s[i] and its type,
// or i when none does. A word is a run of letters, digits and underscores
// (WB5, WB8-WB10, WB13a-b) in which one ':', '.' or '\” may stand between
// two letters (WB6-7) and one ',', ';', '.' or '\” between two digits
// (WB11-12). It is Numeric when it holds a digit and no letter (segment's
// WordNumeric rule wins ties), else AlphaNumeric: a lone "_" is a word,
// as segment has it.
func asciiWord(s []byte, i int) (int, analysis.TokenType) {
	j := i
	letter, digit := false, false
	for j < len(s) {
		switch wbClass[s[j]] {
		case wbLetter:
			letter = true
		case wbDigit:
			digit = true
		case wbUnder:
		case wbMidL, wbMidN, wbMidNL:
			if j == i || j+1 >= len(s) {
				return end(i, j, letter, digit)
			}
			prev, next := wbClass[s[j-1]], wbClass[s[j+1]]
			c := wbClass[s[j]]
			joinsLetters := prev == wbLetter && next == wbLetter && (c == wbMidL || c == wbMidNL)
			joinsDigits := prev == wbDigit && next == wbDigit && (c == wbMidN || c == wbMidNL)
			if !joinsLetters && !joinsDigits {
				return end(i, j, letter, digit)
			}
		default:
			return end(i, j, letter, digit)
		}
		j++
	}
	return end(i, j, letter, digit)
}

func end(i, j int, letter, digit bool) (int, analysis.TokenType) {
	if j == i {
		return i, analysis.AlphaNumeric
	}
	if digit && !letter {
		return j, analysis.Numeric
	}
	return j, analysis.AlphaNumeric
}
