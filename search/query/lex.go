package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// queryFields maps the field names a user may type to index fields.
var queryFields = map[string]string{
	"title":   FieldTitle,
	"body":    FieldBody,
	"theme":   FieldThemes,
	"themes":  FieldThemes,
	"type":    FieldType,
	"year":    FieldYear,
	"place":   FieldPlace,
	"kind":    FieldKind,
	"lang":    FieldLang,
	"country": FieldCountry,
}

func isTextField(f string) bool { return f == FieldTitle || f == FieldBody }

// lookupField returns the index field for a field name typed in any case.
func lookupField(name string) (string, bool) {
	var buf [8]byte
	if len(name) > len(buf) {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	f, ok := queryFields[string(buf[:len(name)])]
	return f, ok
}

// Characters.

// IsWordRune reports whether r is a character of a word: a letter, digit
// or mark. (An apostrophe, hyphen, underscore or full stop between two word
// characters, or a comma between two digits, stays inside a word too.)
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func isDigitRune(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsNumber(r)
}

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// isJoiner reports whether r keeps the word characters on both sides of it
// in one word; a comma only joins digits.
func isJoiner(r rune) bool {
	return r == '\'' || r == '’' || r == '-' || r == '_' || r == '.' || r == ','
}

// nextWord finds the first word in s at or after byte i and returns its
// bounds; start == len(s) when there is none.
func nextWord(s string, i int) (start, end int) {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if IsWordRune(r) {
			break
		}
		i += size
	}
	start = i
	var prev rune
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if IsWordRune(r) {
			prev = r
			i += size
			continue
		}
		if isJoiner(r) && i+size < len(s) {
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if IsWordRune(next) && (r != ',' || isDigitRune(prev) && isDigitRune(next)) {
				prev = r
				i += size
				continue
			}
		}
		break
	}
	return start, i
}

// normalizeWords returns the words of s joined by single spaces, reusing s
// when it is already in that form.
func normalizeWords(s string) string {
	first, end := nextWord(s, 0)
	if first == len(s) {
		return ""
	}
	clean := true
	last := end
	var b []byte
	for {
		ws, we := nextWord(s, end)
		if ws == len(s) {
			break
		}
		if clean && (ws != end+1 || s[end] != ' ') {
			clean = false
			b = append(make([]byte, 0, len(s)), s[first:end]...)
		}
		if !clean {
			b = append(b, ' ')
			b = append(b, s[ws:we]...)
		}
		end, last = we, we
	}
	if clean {
		return s[first:last]
	}
	return string(b)
}

// trimToWords trims everything but word characters from both ends of s.
func trimToWords(s string) string {
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !IsWordRune(r) })
	return strings.TrimRightFunc(s, func(r rune) bool { return !IsWordRune(r) })
}

// keywordValue normalises the value of a keyword field: lower case, valid
// UTF-8, whitespace collapsed (quoted values) or punctuation trimmed from the
// ends (bare values).
func keywordValue(v string, quoted bool) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "")
	}
	if quoted {
		v = strings.TrimFunc(v, isSpace)
		if strings.IndexFunc(v, func(r rune) bool { return isSpace(r) && r != ' ' }) >= 0 || strings.Contains(v, "  ") {
			v = strings.Join(strings.FieldsFunc(v, isSpace), " ")
		}
	} else {
		v = trimToWords(v)
	}
	return strings.ToLower(v)
}

// Lexing.

type tokKind uint8

const (
	tokWord   tokKind = iota // text: a word
	tokPhrase                // text: a phrase
	tokTerm                  // keyword term
	tokOpen                  // (
	tokClose                 // )
	tokAnd                   // bare AND
	tokOr                    // bare OR
	tokNot                   // bare NOT
)

type token struct {
	kind  tokKind
	occ   Occur
	pos   int // byte offset, for error messages
	field string
	text  string
}

// scanQuoted returns the text after an opening quote that ends at byte i,
// up to the closing quote or the end of s, and the offset after it.
func scanQuoted(s string, i int) (inner string, next int) {
	for j := i; j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		if isQuote(r) {
			return s[i:j], j + size
		}
		j += size
	}
	return s[i:], len(s)
}

// startsClause reports whether s begins with something a + or - prefix can
// apply to.
func startsClause(s string) bool {
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r == '(' || isQuote(r) || IsWordRune(r)
}

// lex appends the tokens of s to toks.
func lex(s string, toks []token) []token {
	pre := Should
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isSpace(r):
			pre = Should
			i += size
		case r == '(':
			toks = append(toks, token{kind: tokOpen, occ: pre, pos: i})
			pre = Should
			i += size
		case r == ')':
			toks = append(toks, token{kind: tokClose, pos: i})
			pre = Should
			i += size
		case isQuote(r):
			inner, next := scanQuoted(s, i+size)
			if p := normalizeWords(inner); p != "" {
				toks = append(toks, token{kind: tokPhrase, occ: pre, pos: i, text: p})
			}
			pre = Should
			i = next
		case r == '+' || r == '-':
			// Every chunk starts here, so a sign is a prefix when a clause
			// follows at once; otherwise it is punctuation.
			if startsClause(s[i+1:]) {
				pre = Must
				if r == '-' {
					pre = MustNot
				}
			}
			i++
		default:
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if isSpace(r) || r == '(' || r == ')' || isQuote(r) {
					break
				}
				j += size
			}
			toks, i = lexChunk(s, i, j, pre, toks)
			pre = Should
		}
	}
	return toks
}

// lexChunk lexes s[i:j], a run without spaces, parentheses or quotes, and
// returns where lexing goes on (after a quoted field value, if any).
func lexChunk(s string, i, j int, pre Occur, toks []token) ([]token, int) {
	chunk := s[i:j]
	if pre == Should && isOperator(chunk) {
		k := tokAnd
		switch chunk {
		case "OR":
			k = tokOr
		case "NOT":
			k = tokNot
		}
		return append(toks, token{kind: k, pos: i}), j
	}
	n := 0
	for n < len(chunk) && ('a' <= chunk[n] && chunk[n] <= 'z' || 'A' <= chunk[n] && chunk[n] <= 'Z') {
		n++
	}
	if n > 0 && n < len(chunk) && chunk[n] == ':' {
		if field, ok := lookupField(chunk[:n]); ok {
			value, next, quoted := chunk[n+1:], j, false
			if value == "" && j < len(s) {
				if r, size := utf8.DecodeRuneInString(s[j:]); isQuote(r) {
					value, next = scanQuoted(s, j+size)
					quoted = true
				}
			}
			if added := appendFieldValue(&toks, pre, i, field, value, quoted); added {
				return toks, next
			}
			// An empty value: the chunk (and empty quotes) is free text.
			return appendWords(toks, pre, i, "", chunk), next
		}
	}
	return appendWords(toks, pre, i, "", chunk), j
}

// appendFieldValue appends the tokens of field:value and reports whether the
// value held anything.
func appendFieldValue(toks *[]token, pre Occur, pos int, field, value string, quoted bool) bool {
	if !isTextField(field) {
		v := keywordValue(value, quoted)
		if v == "" {
			return false
		}
		*toks = append(*toks, token{kind: tokTerm, occ: pre, pos: pos, field: field, text: v})
		return true
	}
	if quoted {
		p := normalizeWords(value)
		if p == "" {
			return false
		}
		*toks = append(*toks, token{kind: tokPhrase, occ: pre, pos: pos, field: field, text: p})
		return true
	}
	before := len(*toks)
	*toks = appendWords(*toks, pre, pos, field, value)
	return len(*toks) > before
}

func isOperator(w string) bool { return w == "AND" || w == "OR" || w == "NOT" }

// appendWords appends a word token for each word of text.
func appendWords(toks []token, pre Occur, pos int, field, text string) []token {
	for i := 0; ; {
		ws, we := nextWord(text, i)
		if ws == len(text) {
			return toks
		}
		w := text[ws:we]
		i = we
		if pre == Should && field == "" && isOperator(w) {
			continue // "AND!" and the like: an operator word is never a bare word
		}
		toks = append(toks, token{kind: tokWord, occ: pre, pos: pos, field: field, text: w})
	}
}
