package search

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kbsearch/kbsearch/indexer"
)

// The user query language
//
// Anything a user types is a query: text that is not syntax is searched as
// plain words (see parseQuery), and only the limits below are errors. Free
// text is split into words (letters, digits
// and marks; an apostrophe, hyphen, underscore or full stop between two word
// characters, or a comma between two digits, stays inside the word); all
// other punctuation separates words. On top of that:
//
//	"a phrase"           phrase (an unclosed quote runs to the end)
//	+x  -x  NOT x        x must / must not match (x: word, phrase, field or group)
//	a AND b              both must match; OR is the default and may be written
//	(a b)                a group of clauses; () is ignored
//	title:x  body:"x y"  text on one field only
//	theme:x  type:x  year:x  place:"x y"  kind:x  lang:x  country:x
//	                     exact (lower-cased) keyword term
//
// AND, OR and NOT are operators only in capitals and only where they have
// clauses to apply to; elsewhere they are ignored, like the stop words they
// are. An unknown field name (foo:bar, http://x, 10:30) or an empty value
// (title:) leaves the token as free text. A query with no words matches all
// documents.
//
// Parentheses that do not pair up (a "(" never closed, a ")" closing
// nothing) or that nest deeper than MaxQueryDepth are not syntax: people
// paste sentences with "1) ... 2) ..." in them. Such a query is searched
// as its plain words, in order (every character that is not part of a word
// separates words; AND, OR and NOT are dropped), and the parse says so in a
// notice for the user.

// Limits on a user query. They bound the work one query can ask for: each
// clause reads postings, each phrase reads positions, each group level
// merges bitmaps. A clause repeated in its group (the same word, phrase or
// term with the same prefix and field) is kept once, so repetition costs
// neither work nor the clause and phrase budgets. A query over the bytes,
// clauses or phrases limit is rejected; one nesting deeper than
// MaxQueryDepth is searched as plain words, which have no groups at all.
const (
	MaxQueryBytes   = 4096 // longer queries are rejected (a pasted paragraph fits)
	MaxQueryClauses = 512  // words, phrases, field terms and groups
	MaxQueryPhrases = 16   // different phrases (field and words)
	MaxQueryDepth   = 8    // groups inside groups: "((a))" is 2 deep; deeper is plain words
)

// occur says how a clause takes part in its group.
type occur uint8

const (
	occurShould  occur = iota // ranked disjunction (the default)
	occurMust                 // required
	occurMustNot              // excluded
)

type nodeKind uint8

const (
	nodeGroup  nodeKind = iota // children; the root is a group
	nodeWord                   // one free-text word; field "" means title and body
	nodePhrase                 // words that must appear in order; field as for nodeWord
	nodeTerm                   // an exact term of a keyword field
)

// qnode is a parsed query: a tree of groups whose leaves are words, phrases
// and keyword terms. It does not depend on bleve.
type qnode struct {
	kind     nodeKind
	occ      occur
	field    string // index field name; "" for text on title and body
	text     string // word, phrase (words joined by one space) or term
	children []*qnode
	// repeat counts the times the same clause came again in its group
	// (kept once): it weighs in the ranking as often as it was typed.
	repeat int
}

// queryFields maps the field names a user may type to index fields.
var queryFields = map[string]string{
	"title":   indexer.FieldTitle,
	"body":    indexer.FieldBody,
	"theme":   indexer.FieldThemes,
	"themes":  indexer.FieldThemes,
	"type":    indexer.FieldType,
	"year":    indexer.FieldYear,
	"place":   indexer.FieldPlace,
	"kind":    indexer.FieldKind,
	"lang":    indexer.FieldLang,
	"country": indexer.FieldCountry,
}

func isTextField(f string) bool { return f == indexer.FieldTitle || f == indexer.FieldBody }

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

func isWordRune(r rune) bool {
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
		if isWordRune(r) {
			break
		}
		i += size
	}
	start = i
	var prev rune
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			prev = r
			i += size
			continue
		}
		if isJoiner(r) && i+size < len(s) {
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if isWordRune(next) && (r != ',' || isDigitRune(prev) && isDigitRune(next)) {
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
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !isWordRune(r) })
	return strings.TrimRightFunc(s, func(r rune) bool { return !isWordRune(r) })
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
	occ   occur
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
	return r == '(' || isQuote(r) || isWordRune(r)
}

// lex appends the tokens of s to toks.
func lex(s string, toks []token) []token {
	pre := occurShould
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isSpace(r):
			pre = occurShould
			i += size
		case r == '(':
			toks = append(toks, token{kind: tokOpen, occ: pre, pos: i})
			pre = occurShould
			i += size
		case r == ')':
			toks = append(toks, token{kind: tokClose, pos: i})
			pre = occurShould
			i += size
		case isQuote(r):
			inner, next := scanQuoted(s, i+size)
			if p := normalizeWords(inner); p != "" {
				toks = append(toks, token{kind: tokPhrase, occ: pre, pos: i, text: p})
			}
			pre = occurShould
			i = next
		case r == '+' || r == '-':
			// Every chunk starts here, so a sign is a prefix when a clause
			// follows at once; otherwise it is punctuation.
			if startsClause(s[i+1:]) {
				pre = occurMust
				if r == '-' {
					pre = occurMustNot
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
			pre = occurShould
		}
	}
	return toks
}

// lexChunk lexes s[i:j], a run without spaces, parentheses or quotes, and
// returns where lexing goes on (after a quoted field value, if any).
func lexChunk(s string, i, j int, pre occur, toks []token) ([]token, int) {
	chunk := s[i:j]
	if pre == occurShould && isOperator(chunk) {
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
func appendFieldValue(toks *[]token, pre occur, pos int, field, value string, quoted bool) bool {
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
func appendWords(toks []token, pre occur, pos int, field, text string) []token {
	for i := 0; ; {
		ws, we := nextWord(text, i)
		if ws == len(text) {
			return toks
		}
		w := text[ws:we]
		i = we
		if pre == occurShould && field == "" && isOperator(w) {
			continue // "AND!" and the like: an operator word is never a bare word
		}
		toks = append(toks, token{kind: tokWord, occ: pre, pos: pos, field: field, text: w})
	}
}

// Parsing.

// frame is an open group during parsing.
type frame struct {
	mark int   // index in the parser stack of the group's first clause
	occ  occur // the group's own prefix
	and  bool  // an AND waits for the next clause
	not  bool  // a NOT waits for the next clause
}

// scratch is the reusable working memory of parseQuery.
type scratch struct {
	toks   []token
	stack  []*qnode
	frames []frame
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{toks: make([]token, 0, 32), stack: make([]*qnode, 0, 16), frames: make([]frame, 0, 8)}
}}

// release drops the references into the last query and returns sc to the pool.
func (sc *scratch) release() {
	clear(sc.toks)
	clear(sc.stack[:cap(sc.stack)])
	scratchPool.Put(sc)
}

type parser struct {
	nodes   []qnode  // arena; never grows past its capacity
	pool    []*qnode // children of closed groups, each group a sub-slice
	stack   []*qnode // clauses of the open groups
	frames  []frame
	phrases []phraseKey // the different phrases so far
}

type phraseKey struct{ field, text string }

// parseQuery parses a user query; the result is independent of bleve so it
// can be tested and fuzzed. A query whose parentheses do not pair up or nest
// deeper than MaxQueryDepth is parsed as its plain words (plainWords), and
// notice says so in a sentence for the user; notice is "" otherwise. The
// only errors, all of KindInvalid, are a query over MaxQueryBytes,
// MaxQueryClauses or MaxQueryPhrases.
func parseQuery(s string) (n *qnode, notice string, err error) {
	if len(s) > MaxQueryBytes {
		return nil, "", Errorf(KindInvalid, "query is too long: %d bytes, the limit is %d", len(s), MaxQueryBytes)
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	toks := lex(s, sc.toks[:0])
	if notice = groupProblem(s, toks); notice != "" {
		// The plain words hold no parentheses, quotes, fields or
		// prefixes: they lex to words only.
		toks = lex(plainWords(s), toks[:0])
	}
	sc.toks = toks

	clauses := 0
	for i := range toks {
		if toks[i].kind != tokClose {
			clauses++
		}
	}
	clauses = min(clauses, MaxQueryClauses+1)
	p := parser{
		nodes:  make([]qnode, 1, clauses+1),
		pool:   make([]*qnode, 0, clauses),
		stack:  sc.stack[:0],
		frames: append(sc.frames[:0], frame{}),
	}
	defer func() { sc.stack, sc.frames = p.stack, p.frames }()
	// groupProblem has checked that the parentheses pair up, at most
	// MaxQueryDepth deep.
	for k := range toks {
		t := &toks[k]
		f := &p.frames[len(p.frames)-1]
		switch t.kind {
		case tokOpen:
			p.frames = append(p.frames, frame{mark: len(p.stack), occ: t.occ})
			continue
		case tokClose:
			g := *f
			p.frames = p.frames[:len(p.frames)-1]
			if len(p.stack) == g.mark { // () is ignored, and so is a NOT or AND before it
				parent := &p.frames[len(p.frames)-1]
				parent.and, parent.not = false, false
				continue
			}
			if err := p.add(qnode{kind: nodeGroup, occ: g.occ, children: p.take(g.mark)}); err != nil {
				return nil, "", err
			}
			continue
		// An operator with nothing to apply to is ignored, like the stop
		// word it is.
		case tokAnd, tokOr:
			if t.kind == tokAnd && len(p.stack) > f.mark && k+1 < len(toks) && toks[k+1].kind != tokClose {
				f.and = true
			}
			continue
		case tokNot:
			if k+1 < len(toks) && toks[k+1].kind != tokClose && toks[k+1].kind != tokAnd && toks[k+1].kind != tokOr {
				f.not = true
			}
			continue
		}
		n := qnode{kind: nodeWord, occ: t.occ, field: t.field, text: t.text}
		switch t.kind {
		case tokPhrase:
			n.kind = nodePhrase
		case tokTerm:
			n.kind = nodeTerm
		}
		if err := p.add(n); err != nil {
			return nil, "", err
		}
	}
	root := &p.nodes[0]
	if len(p.stack) > 0 {
		root.children = p.take(0)
	}
	return root, notice, nil
}

// groupProblem returns, for tokens of s whose parentheses do not pair up or
// nest deeper than MaxQueryDepth, the sentence telling the user that s is
// searched as plain words, and "" for tokens that parse. The first problem
// from the left is named; for a "(" never closed, the outermost one.
func groupProblem(s string, toks []token) string {
	const plain = ", so the query was searched as plain words."
	depth, outer := 0, 0
	for _, t := range toks {
		switch t.kind {
		case tokOpen:
			if depth == 0 {
				outer = t.pos
			}
			if depth++; depth > MaxQueryDepth {
				return fmt.Sprintf("The parentheses nest more than %d deep at position %d%s", MaxQueryDepth, position(s, t.pos), plain)
			}
		case tokClose:
			if depth == 0 {
				return fmt.Sprintf(`Unbalanced parenthesis: the ")" at position %d has no "(" to close%s`, position(s, t.pos), plain)
			}
			depth--
		}
	}
	if depth > 0 {
		return fmt.Sprintf(`Unbalanced parenthesis: the "(" at position %d is never closed%s`, position(s, outer), plain)
	}
	return ""
}

// plainWords returns the words of s joined by single spaces, without the
// operator words AND, OR and NOT: s read as plain text, with every
// character that is not part of a word (parentheses, quotes, colons,
// prefixes) taken as a separator.
func plainWords(s string) string {
	var b strings.Builder
	for i := 0; ; {
		ws, we := nextWord(s, i)
		if ws == len(s) {
			return b.String()
		}
		i = we
		if w := s[ws:we]; !isOperator(w) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
}

// position returns the 1-based character position of byte offset off.
func position(s string, off int) int { return utf8.RuneCountInString(s[:off]) + 1 }

func (p *parser) newNode(n qnode) (*qnode, error) {
	if len(p.nodes) > MaxQueryClauses {
		return nil, Errorf(KindInvalid, "query has too many clauses: the limit is %d words, phrases, fields and groups", MaxQueryClauses)
	}
	p.nodes = append(p.nodes, n)
	return &p.nodes[len(p.nodes)-1], nil
}

// add adds a clause to the innermost open group, applying a pending NOT or
// AND, unless the group already holds the same word, phrase or term with
// the same prefix: a repeated clause changes not the matches, only the
// work, and its weight in the ranking is kept by its repeat count.
func (p *parser) add(n qnode) error {
	f := &p.frames[len(p.frames)-1]
	if f.not {
		n.occ = occurMustNot
		f.not = false
	}
	if f.and {
		if prev := p.stack[len(p.stack)-1]; prev.occ == occurShould {
			prev.occ = occurMust
		}
		if n.occ == occurShould {
			n.occ = occurMust
		}
		f.and = false
	}
	if n.kind != nodeGroup {
		for _, c := range p.stack[f.mark:] {
			if c.kind == n.kind && c.occ == n.occ && c.field == n.field && c.text == n.text {
				c.repeat++
				return nil
			}
		}
	}
	if n.kind == nodePhrase {
		if err := p.countPhrase(n.field, n.text); err != nil {
			return err
		}
	}
	np, err := p.newNode(n)
	if err != nil {
		return err
	}
	p.stack = append(p.stack, np)
	return nil
}

// countPhrase counts a phrase on field towards MaxQueryPhrases; the same
// phrase elsewhere in the query is read once, so it counts once.
func (p *parser) countPhrase(field, text string) error {
	for _, ph := range p.phrases {
		if ph.field == field && ph.text == text {
			return nil
		}
	}
	if len(p.phrases) == MaxQueryPhrases {
		return Errorf(KindInvalid, "query has too many phrases: the limit is %d different phrases", MaxQueryPhrases)
	}
	p.phrases = append(p.phrases, phraseKey{field, text})
	return nil
}

// take moves the clauses from stack[mark:] into the pool and returns them.
func (p *parser) take(mark int) []*qnode {
	start := len(p.pool)
	p.pool = append(p.pool, p.stack[mark:]...)
	p.stack = p.stack[:mark]
	return p.pool[start:len(p.pool):len(p.pool)]
}

// String returns the query in the query language itself, in a normal form:
// one clause per word, prefixes +/- for must and must not, groups in
// parentheses, index field names. Parsing it gives the same tree.
func (n *qnode) String() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	if n.kind == nodeGroup {
		n.writeChildren(&b)
	} else {
		n.write(&b)
	}
	return b.String()
}

func (n *qnode) writeChildren(b *strings.Builder) {
	for i, c := range n.children {
		if i > 0 {
			b.WriteByte(' ')
		}
		c.write(b)
	}
}

func (n *qnode) write(b *strings.Builder) {
	switch n.occ {
	case occurMust:
		b.WriteByte('+')
	case occurMustNot:
		b.WriteByte('-')
	}
	if n.field != "" {
		b.WriteString(n.field)
		b.WriteByte(':')
	}
	switch n.kind {
	case nodeGroup:
		b.WriteByte('(')
		n.writeChildren(b)
		b.WriteByte(')')
	case nodePhrase:
		b.WriteByte('"')
		b.WriteString(n.text)
		b.WriteByte('"')
	case nodeTerm:
		if bareTerm(n.text) {
			b.WriteString(n.text)
		} else {
			b.WriteByte('"')
			b.WriteString(n.text)
			b.WriteByte('"')
		}
	default:
		b.WriteString(n.text)
	}
}

// bareTerm reports whether a keyword term reads back unchanged unquoted.
func bareTerm(v string) bool {
	return trimToWords(v) == v && !strings.ContainsFunc(v, func(r rune) bool {
		return isSpace(r) || r == '(' || r == ')' || isQuote(r)
	})
}

// terms returns the free-text words and phrases of the query (not negated
// ones, and not keyword terms) as typed, in order, without duplicates, for
// suggestions and for a later ranking layer.
func (n *qnode) terms() []string {
	if n == nil {
		return nil
	}
	var out []string
	n.collectTerms(&out)
	return out
}

func (n *qnode) collectTerms(out *[]string) {
	if n.occ == occurMustNot {
		return
	}
	switch n.kind {
	case nodeGroup:
		for _, c := range n.children {
			c.collectTerms(out)
		}
	case nodeWord, nodePhrase:
		for _, t := range *out {
			if t == n.text {
				return
			}
		}
		*out = append(*out, n.text)
	}
}

// englishOnly is the language list of an index with English fields only.
var englishOnly = []string{""}
