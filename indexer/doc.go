// Package indexer turns crawled pages into Documents and builds the bleve
// index that search reads.
//
// It owns the Document type and its field names, the rules that derive a
// document's type, date, meeting kind and place (DeriveMeta), the bleve
// mapping (English analysis for title and body, lower-case keyword fields for
// facets, a datetime field, per-field token counts for ranking), and index
// generations: each Build writes a complete new generation in its own
// directory and only then points CURRENT at it, so a failed build leaves the
// previous index serving, and readers (a server, a CLI search) open
// generations read-only beside a running build. A generation holds the
// bleve index, a text store of the bodies (read by range), the
// collection statistics, the completion dictionary (words) and the
// phrases file (two-word terms worth completing, and the keys of the
// boilerplate lines snippets leave out); Writer writes one. Build reads the crawl store
// on one goroutine, makes and analyses documents on every core and adds
// them to the Writer in store order, in batches bounded by documents and
// by analysed bytes, so its memory does not grow with the store.
//
// Reader is the only way search reads an index: postings, bitmaps,
// per-document columns of the facet values and dates, stored hits, texts
// and analysers, so the on-disk format stays this package's business.
// Live keeps a server on the newest generation's Reader.
//
// Themes come from the taxonomy in indexer/taxonomy. The package reads the
// crawl store (crawler/store) but must not import the crawler's fetching
// code, search, or any HTTP framework.
package indexer
