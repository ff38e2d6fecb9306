// Package search answers search requests over a kbsearch index: it parses the
// user's query (the language is package search/query), applies filters (OR
// within a field, AND across fields), ranks, sorts, highlights snippets and
// counts facets. The command line and the HTTP API share it, so there is one
// search path.
//
// The parsed query, a search/query tree, is compiled here: to a match set
// (each word, phrase and keyword term the bitmap of its postings, each group
// combined as its clauses' Occur says) and to the scoring terms (each word
// and phrase not excluded, analysed in every language of the index and
// weighted by its repeats). A query that is not syntax (a
// *query.SyntaxError) is searched as its plain words with a notice saying
// why; a query over a bound of the language (a *query.LimitError) is a
// KindInvalid error.
//
// It reads the index through an indexer.Reader (the indexer owns the
// format: field names, stored values, columns) and runs a query in three
// steps whose cost grows with the page shown and, slowly, with the matches:
// the match set as roaring bitmaps of the terms' postings (phrases checked
// by position); BM25F over title and body accumulated from each scoring
// term's postings (frequencies and field lengths, no positions) with exact
// statistics, because bleve's own "bm25" is not textbook BM25 (see
// docs/relevance.md); then one pass over the matches that applies the
// filters from in-memory columns, counts the facets and keeps the best in a
// heap. Positions are read for the best Ranking.Depth documents (a
// proximity bonus) and the page (snippets), and a snippet reads a window of
// the text store, whatever a document's size. A query that names a theme
// of the taxonomy ("OER", "bring your own device") also matches the theme's
// synonyms and phrases. Every step stops when the context is done.
//
// A Result's NextCursor asks for the hits after its page (search after on
// the order's keys: date, score, id) at the cost of a first page, whatever
// the depth; a cursor whose order compares scores expires (KindExpired)
// when another index generation is served. Request.Recency lifts newer
// documents in the relevance order (a bounded multiplicative boost by age;
// off unless asked).
//
// Suggest completes what a user is typing (themes, then the documents'
// words and two-word terms, from the generation's completion dictionary
// and phrases file, and words within an edit or two when the prefix finds
// too little), and a query of plain words with words no document holds
// gets a "did you mean" correction. Similar finds the documents like a
// document; RISWriter, WriteAtom and Abstracts make the exports a
// researcher takes away (RIS records, an Atom feed).
//
// Errors carry a Kind from a small closed set (invalid input, not found,
// unavailable, busy, internal) that callers map to their own status codes.
// A context whose deadline passes makes the work stop and the call return
// a KindBusy error; a cancelled one, KindUnavailable.
//
// It must not import net/http servers or any HTTP framework; search/httpapi
// is the only package that speaks HTTP. Its sub-package query is the query
// language, which imports nothing of search; eval measures relevance on
// standard test collections.
package search
