package query

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// The language
//
// Anything a user types is a query. Free text is split into words (letters,
// digits and marks; an apostrophe, hyphen, underscore or full stop between
// two word characters, or a comma between two digits, stays inside the
// word); all other punctuation separates words. On top of that:
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
// (title:) leaves the token as free text. A query with no words is an empty
// group, which matches every document.
//
// Parentheses that do not pair up (a "(" never closed, a ")" closing
// nothing) or that nest deeper than MaxDepth are not syntax: people paste
// sentences with "1) ... 2) ..." in them. Parse says so with a
// *SyntaxError, and PlainWords gives the text to search instead: its words
// in order (every character that is not part of a word separates words;
// AND, OR and NOT are dropped).

// Limits on a query. They bound the work one query can ask for: each
// clause reads postings, each phrase reads positions, each group level
// merges bitmaps. A clause repeated in its group (the same word, phrase or
// term with the same prefix and field) is kept once, so repetition costs
// neither work nor the clause and phrase budgets. A query over the bytes,
// clauses or phrases limit is a *LimitError; one nesting deeper than
// MaxDepth is a *SyntaxError (its plain words have no groups at all).
const (
	MaxBytes   = 4096 // longer queries are refused (a pasted paragraph fits)
	MaxClauses = 512  // words, phrases, field terms and groups
	MaxPhrases = 16   // different phrases (field and words)
	MaxDepth   = 8    // groups inside groups: "((a))" is 2 deep; deeper is not syntax
)

// SyntaxError says why a query is not syntax: its parentheses do not pair
// up, or nest deeper than MaxDepth. Its message names the first problem
// from the left (for a "(" never closed, the outermost one) and where.
type SyntaxError struct {
	Offset int    // byte offset of the parenthesis at fault
	Pos    int    // its character position, from 1
	Msg    string // what is wrong, with the position, in lower case
}

func (e *SyntaxError) Error() string { return e.Msg }

// Limit names a bound of a query.
type Limit uint8

// The limits a LimitError names.
const (
	LimitBytes   Limit = iota + 1 // MaxBytes
	LimitClauses                  // MaxClauses
	LimitPhrases                  // MaxPhrases
)

// LimitError is a query over one of the limits on its work.
type LimitError struct {
	Limit Limit
	Max   int // the limit
	Bytes int // the query's length, for LimitBytes
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitBytes:
		return fmt.Sprintf("query is too long: %d bytes, the limit is %d", e.Bytes, e.Max)
	case LimitClauses:
		return fmt.Sprintf("query has too many clauses: the limit is %d words, phrases, fields and groups", e.Max)
	default:
		return fmt.Sprintf("query has too many phrases: the limit is %d different phrases", e.Max)
	}
}

// frame is an open group during parsing.
type frame struct {
	mark int   // index in the parser stack of the group's first clause
	occ  Occur // the group's own prefix
	and  bool  // an AND waits for the next clause
	not  bool  // a NOT waits for the next clause
}

// scratch is the reusable working memory of Parse.
type scratch struct {
	toks   []token
	stack  []Clause
	frames []frame
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{toks: make([]token, 0, 32), stack: make([]Clause, 0, 16), frames: make([]frame, 0, 8)}
}}

// release drops the references into the last query and returns sc to the pool.
func (sc *scratch) release() {
	clear(sc.toks)
	clear(sc.stack[:cap(sc.stack)])
	scratchPool.Put(sc)
}

// parser builds the tree in arenas, one per node type, sized from the
// tokens so that they never grow: a query costs a few allocations whatever
// its length.
type parser struct {
	words   []Word
	phrases []Phrase
	terms   []Term
	groups  []Group  // groups[0] is the root
	pool    []Clause // clauses of closed groups, each group a sub-slice
	stack   []Clause // clauses of the open groups
	frames  []frame
	nodes   int         // clauses made, towards MaxClauses
	seen    []phraseKey // the different phrases so far
}

type phraseKey struct{ field, text string }

// Parse parses a query (see the language above). The result is a *Group,
// empty for a query without words. The errors are a *SyntaxError for a
// query whose parentheses do not pair up or nest deeper than MaxDepth, and
// a *LimitError for one over MaxBytes, MaxClauses or MaxPhrases. The
// parentheses are checked on the tokens before parsing, so a query that is
// not syntax is a *SyntaxError whatever else is wrong with it, unless it
// is over MaxBytes.
func Parse(s string) (*Group, error) {
	if len(s) > MaxBytes {
		return nil, &LimitError{Limit: LimitBytes, Max: MaxBytes, Bytes: len(s)}
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	toks := lex(s, sc.toks[:0])
	sc.toks = toks
	if err := checkGroups(s, toks); err != nil {
		return nil, err
	}

	var words, phrases, terms, opens, clauses int
	for i := range toks {
		switch toks[i].kind {
		case tokWord:
			words++
		case tokPhrase:
			phrases++
		case tokTerm:
			terms++
		case tokOpen:
			opens++
		}
	}
	clauses = min(words+phrases+terms+opens, MaxClauses+1)
	p := parser{
		groups: make([]Group, 1, min(opens, MaxClauses)+1),
		pool:   make([]Clause, 0, clauses),
		stack:  sc.stack[:0],
		frames: append(sc.frames[:0], frame{}),
	}
	if words > 0 {
		p.words = make([]Word, 0, min(words, MaxClauses))
	}
	if phrases > 0 {
		p.phrases = make([]Phrase, 0, min(phrases, MaxClauses))
	}
	if terms > 0 {
		p.terms = make([]Term, 0, min(terms, MaxClauses))
	}
	defer func() { sc.stack, sc.frames = p.stack, p.frames }()
	// checkGroups has checked that the parentheses pair up, at most
	// MaxDepth deep.
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
			if err := p.add(g.occ, nil, p.take(g.mark)); err != nil {
				return nil, err
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
		if err := p.add(t.occ, t, nil); err != nil {
			return nil, err
		}
	}
	root := &p.groups[0]
	if len(p.stack) > 0 {
		root.Clauses = p.take(0)
	}
	return root, nil
}

// checkGroups returns a *SyntaxError for tokens of s whose parentheses do
// not pair up or nest deeper than MaxDepth, and nil for tokens that parse.
// The first problem from the left is named; for a "(" never closed, the
// outermost one.
func checkGroups(s string, toks []token) error {
	depth, outer := 0, 0
	for _, t := range toks {
		switch t.kind {
		case tokOpen:
			if depth == 0 {
				outer = t.pos
			}
			if depth++; depth > MaxDepth {
				return syntaxError(s, t.pos, "the parentheses nest more than %d deep at position %d", MaxDepth)
			}
		case tokClose:
			if depth == 0 {
				return syntaxError(s, t.pos, `unbalanced parenthesis: the ")" at position %[1]d has no "(" to close`)
			}
			depth--
		}
	}
	if depth > 0 {
		return syntaxError(s, outer, `unbalanced parenthesis: the "(" at position %[1]d is never closed`)
	}
	return nil
}

// syntaxError makes the *SyntaxError of the parenthesis at byte off of s;
// format's last verb is its character position.
func syntaxError(s string, off int, format string, args ...any) *SyntaxError {
	pos := utf8.RuneCountInString(s[:off]) + 1
	return &SyntaxError{Offset: off, Pos: pos, Msg: fmt.Sprintf(format, append(args, pos)...)}
}

// PlainWords returns the words of s joined by single spaces, without the
// operator words AND, OR and NOT: s read as plain text, with every
// character that is not part of a word (parentheses, quotes, colons,
// prefixes) taken as a separator. It parses without a *SyntaxError, to a
// group of Should words only.
func PlainWords(s string) string {
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

// count counts one more clause towards MaxClauses.
func (p *parser) count() error {
	if p.nodes == MaxClauses {
		return &LimitError{Limit: LimitClauses, Max: MaxClauses}
	}
	p.nodes++
	return nil
}

// add adds a clause to the innermost open group, applying a pending NOT or
// AND: the leaf of token t, or the group of clauses cs. A leaf the group
// already holds with the same prefix is not added again: a repeated clause
// changes not the matches, only the work, and its weight in the ranking is
// kept by its Repeat count.
func (p *parser) add(occ Occur, t *token, cs []Clause) error {
	f := &p.frames[len(p.frames)-1]
	if f.not {
		occ = MustNot
		f.not = false
	}
	if f.and {
		if prev := &p.stack[len(p.stack)-1]; prev.Occur == Should {
			prev.Occur = Must
			p.mergeLast(f.mark)
		}
		if occ == Should {
			occ = Must
		}
		f.and = false
	}
	if t == nil {
		if err := p.count(); err != nil {
			return err
		}
		p.groups = append(p.groups, Group{Clauses: cs})
		p.stack = append(p.stack, Clause{Occur: occ, Q: &p.groups[len(p.groups)-1]})
		return nil
	}
	for i := f.mark; i < len(p.stack); i++ {
		if c := &p.stack[i]; c.Occur == occ && isToken(c.Q, t) {
			c.Repeat++
			return nil
		}
	}
	if t.kind == tokPhrase {
		if err := p.countPhrase(t.field, t.text); err != nil {
			return err
		}
	}
	if err := p.count(); err != nil {
		return err
	}
	var q Q
	switch t.kind {
	case tokPhrase:
		p.phrases = append(p.phrases, Phrase{Field: t.field, Text: t.text})
		q = &p.phrases[len(p.phrases)-1]
	case tokTerm:
		p.terms = append(p.terms, Term{Field: t.field, Value: t.text})
		q = &p.terms[len(p.terms)-1]
	default:
		p.words = append(p.words, Word{Field: t.field, Text: t.text})
		q = &p.words[len(p.words)-1]
	}
	p.stack = append(p.stack, Clause{Occur: occ, Q: q})
	return nil
}

// mergeLast merges the last clause of the open group whose clauses start
// at mark into an earlier one it now equals (an AND made it required), so
// that a group never holds the same leaf twice with the same prefix.
func (p *parser) mergeLast(mark int) {
	last := len(p.stack) - 1
	c := p.stack[last]
	for i := mark; i < last; i++ {
		if e := &p.stack[i]; e.Occur == c.Occur && sameLeaf(e.Q, c.Q) {
			e.Repeat += c.Repeat + 1
			p.stack = p.stack[:last]
			p.nodes--
			return
		}
	}
}

// isToken reports whether q is the leaf token t stands for.
func isToken(q Q, t *token) bool {
	switch q := q.(type) {
	case *Word:
		return t.kind == tokWord && q.Field == t.field && q.Text == t.text
	case *Phrase:
		return t.kind == tokPhrase && q.Field == t.field && q.Text == t.text
	case *Term:
		return t.kind == tokTerm && q.Field == t.field && q.Value == t.text
	}
	return false
}

// countPhrase counts a phrase on field towards MaxPhrases; the same phrase
// elsewhere in the query is read once, so it counts once.
func (p *parser) countPhrase(field, text string) error {
	for _, ph := range p.seen {
		if ph.field == field && ph.text == text {
			return nil
		}
	}
	if len(p.seen) == MaxPhrases {
		return &LimitError{Limit: LimitPhrases, Max: MaxPhrases}
	}
	p.seen = append(p.seen, phraseKey{field, text})
	return nil
}

// take moves the clauses from stack[mark:] into the pool and returns them.
func (p *parser) take(mark int) []Clause {
	start := len(p.pool)
	p.pool = append(p.pool, p.stack[mark:]...)
	p.stack = p.stack[:mark]
	return p.pool[start:len(p.pool):len(p.pool)]
}
