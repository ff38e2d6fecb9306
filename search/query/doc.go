// Package query is kbsearch's query language: what a user types into the
// search box, read into a tree of its own (Parse), printed back in the
// language (String), and rewritten (Map, Walk, Simplify) without an index.
//
// A query is a *Group of Clauses. Each clause says how its part takes part
// (Should: ranks, and matches when the group has no Must; Must: required;
// MustNot: excluded) and how often it came again in its group (Repeat: a
// clause typed twice is kept once and weighs twice in the ranking). A part
// is a Word, a Phrase, a keyword Term or a nested Group:
//
//	q, err := query.Parse(`(byod OR tablets) AND NOT kind:plenary`)
//	// q.String() == "+(byod tablets) -kind:plenary"
//
// Anything a user types is a query. Text that is not syntax is read as
// words; the errors are a *SyntaxError for parentheses that do not pair up
// or nest deeper than MaxDepth (a caller searches PlainWords instead and
// tells the user, as package search does), and a *LimitError for a query
// over MaxBytes, MaxClauses or MaxPhrases. The rules, with examples, are
// in parse.go and in the tests.
//
// The tree knows nothing of an index: search compiles it to bitmaps of
// postings and to scoring terms. Field names are the index's (FieldTitle
// and the rest), which package search checks in a test.
//
// It must not import bleve or any package of kbsearch: it is the language,
// and the search and index sit above it.
package query
