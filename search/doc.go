// Package search answers search requests over a kbsearch index: it parses the
// user's query language, applies filters (OR within a field, AND across
// fields), ranks, sorts, highlights snippets and counts facets. The command
// line and the HTTP API share it, so there is one search path.
//
// Ranking has two phases. bleve finds the matching documents, applies the
// filters, counts the facets and keeps its best Ranking.Depth candidates;
// kbsearch then scores those candidates itself with BM25F over title and
// body from exact statistics (term frequencies from term locations, document
// frequencies from the field dictionaries, per-document token counts and the
// collection's average lengths that the indexer stores), because bleve's own
// "bm25" is not textbook BM25 (see docs/relevance.md). A query that names a
// theme of the taxonomy ("OER", "bring your own device") also matches the
// theme's synonyms and phrases.
//
// Suggest completes what a user is typing (themes, then the documents'
// words, from an unstemmed dictionary field), and a query of plain words
// with words no document holds gets a "did you mean" correction.
//
// Errors carry a Kind from a small closed set (invalid input, not found,
// unavailable, internal) that callers map to their own status codes.
//
// It must not import net/http servers or any HTTP framework; search/httpapi
// is the only package that speaks HTTP. Its sub-package eval measures
// relevance on standard test collections.
package search
