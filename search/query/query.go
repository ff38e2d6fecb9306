package query

import (
	"strconv"
	"strings"
)

// Q is a query or a part of one: a *Group, *Word, *Phrase or *Term. String
// returns it in the query language.
type Q interface {
	String() string
	isQ()
}

// Occur says how a clause takes part in its group.
type Occur uint8

// The ways a clause takes part in its group. A group matches the documents
// that match all its Must clauses (or, when it has none, any of its Should
// clauses; or, with neither, every document) and none of its MustNot
// clauses; its Should clauses beside a Must clause only rank.
const (
	Should  Occur = iota // ranked disjunction (the default): a word, "a"
	Must                 // required: +a, or a side of a AND b
	MustNot              // excluded: -a, NOT a
)

func (o Occur) String() string {
	switch o {
	case Should:
		return "should"
	case Must:
		return "must"
	case MustNot:
		return "must not"
	}
	return "occur(" + strconv.Itoa(int(o)) + ")"
}

// Field names: the fields a query may name, as the index names them. A
// user may type "theme:" for FieldThemes, and any field name in any case.
const (
	FieldTitle   = "title"
	FieldBody    = "body"
	FieldThemes  = "themes"
	FieldType    = "type"
	FieldYear    = "year"
	FieldPlace   = "place"
	FieldKind    = "kind"
	FieldLang    = "lang"
	FieldCountry = "country"
)

// Group is a list of clauses: the whole query, or a part in parentheses.
// An empty group matches every document.
type Group struct {
	Clauses []Clause
}

// Clause is one part of a group with the way it takes part.
type Clause struct {
	Occur Occur
	// Repeat counts the times the same clause came again in its group,
	// kept once: it weighs in the ranking as often as it was typed.
	Repeat int
	Q      Q
}

// Word is one word of free text. Field is FieldTitle or FieldBody for a
// word on one field, "" for title and body.
type Word struct {
	Field string
	Text  string
}

// Phrase is words that must appear in order, joined by single spaces.
// Field is as for Word.
type Phrase struct {
	Field string
	Text  string
}

// Term is an exact value of a keyword field (FieldThemes, FieldYear, ...),
// lower-cased.
type Term struct {
	Field string
	Value string
}

func (*Group) isQ()  {}
func (*Word) isQ()   {}
func (*Phrase) isQ() {}
func (*Term) isQ()   {}

// String returns the query in the query language, in a normal form: one
// clause per word, prefixes + and - for Must and MustNot, groups in
// parentheses, index field names, a repeated clause written as often as
// it was typed. For a query Parse returned, parsing the string gives the
// same tree. The group's own clauses are not in parentheses: the group is
// the query.
func (g *Group) String() string {
	var b strings.Builder
	writeClauses(&b, g.Clauses)
	return b.String()
}

func (w *Word) String() string   { return qstring(w) }
func (p *Phrase) String() string { return qstring(p) }
func (t *Term) String() string   { return qstring(t) }

func qstring(q Q) string {
	var b strings.Builder
	write(&b, q)
	return b.String()
}

func writeClauses(b *strings.Builder, cs []Clause) {
	for i, c := range cs {
		for r := 0; r <= c.Repeat; r++ {
			if i > 0 || r > 0 {
				b.WriteByte(' ')
			}
			switch c.Occur {
			case Must:
				b.WriteByte('+')
			case MustNot:
				b.WriteByte('-')
			}
			write(b, c.Q)
		}
	}
}

func write(b *strings.Builder, q Q) {
	field := func(f string) {
		if f != "" {
			b.WriteString(f)
			b.WriteByte(':')
		}
	}
	switch q := q.(type) {
	case *Group:
		b.WriteByte('(')
		writeClauses(b, q.Clauses)
		b.WriteByte(')')
	case *Word:
		field(q.Field)
		b.WriteString(q.Text)
	case *Phrase:
		field(q.Field)
		b.WriteByte('"')
		b.WriteString(q.Text)
		b.WriteByte('"')
	case *Term:
		field(q.Field)
		if bareTerm(q.Value) {
			b.WriteString(q.Value)
		} else {
			b.WriteByte('"')
			b.WriteString(q.Value)
			b.WriteByte('"')
		}
	}
}

// bareTerm reports whether a keyword value reads back unchanged unquoted.
func bareTerm(v string) bool {
	return trimToWords(v) == v && !strings.ContainsFunc(v, func(r rune) bool {
		return isSpace(r) || r == '(' || r == ')' || isQuote(r)
	})
}
