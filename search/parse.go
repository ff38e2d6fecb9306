package search

import (
	"errors"
	"slices"
	"strings"

	"github.com/kbsearch/kbsearch/search/query"
)

// Limits on a user query: package query's, which bound the work one query
// can ask for (see there). A query over the bytes, clauses or phrases limit
// is a KindInvalid error; one nesting deeper than MaxQueryDepth is
// searched as plain words.
const (
	MaxQueryBytes   = query.MaxBytes   // longer queries are rejected (a pasted paragraph fits)
	MaxQueryClauses = query.MaxClauses // words, phrases, field terms and groups
	MaxQueryPhrases = query.MaxPhrases // different phrases (field and words)
	MaxQueryDepth   = query.MaxDepth   // groups inside groups: "((a))" is 2 deep; deeper is plain words
)

// parseQuery parses a user query. Anything a user types is a query: a
// query that is not syntax (its parentheses do not pair up or nest deeper
// than MaxQueryDepth) is parsed as its plain words (query.PlainWords), and
// notice says so in a sentence for the user; notice is "" otherwise. The
// only errors, all of KindInvalid, are a query over MaxQueryBytes,
// MaxQueryClauses or MaxQueryPhrases.
func parseQuery(s string) (pq *query.Group, notice string, err error) {
	pq, err = query.Parse(s)
	if se := (*query.SyntaxError)(nil); errors.As(err, &se) {
		notice = plainWordsNotice(se)
		pq, err = query.Parse(query.PlainWords(s))
	}
	if err != nil {
		return nil, "", &Error{Kind: KindInvalid, Message: err.Error()}
	}
	return pq, notice, nil
}

// plainWordsNotice tells the user why the query was searched as plain words.
func plainWordsNotice(e *query.SyntaxError) string {
	return strings.ToUpper(e.Msg[:1]) + e.Msg[1:] + ", so the query was searched as plain words."
}

// terms returns the free-text words and phrases of a query (not negated
// ones, and not keyword terms) as typed, in order, without duplicates, for
// suggestions and synonyms.
func terms(pq *query.Group) []string {
	if pq == nil {
		return nil
	}
	var out []string
	query.Walk(pq, func(occ query.Occur, q query.Q) bool {
		if occ == query.MustNot {
			return false
		}
		var text string
		switch q := q.(type) {
		case *query.Word:
			text = q.Text
		case *query.Phrase:
			text = q.Text
		default:
			return true
		}
		if !slices.Contains(out, text) {
			out = append(out, text)
		}
		return true
	})
	return out
}

// isWordRune reports whether r is a character of a word of the query
// language.
func isWordRune(r rune) bool { return query.IsWordRune(r) }

// englishOnly is the language list of an index with English fields only.
var englishOnly = []string{""}
