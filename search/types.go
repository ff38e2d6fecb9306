package search

import (
	"time"

	"github.com/kbsearch/kbsearch/indexer"
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortOldest    = "oldest"
)

// Limits on a Request.
const (
	DefaultSize = 10
	MaxSize     = 100
	MaxPage     = 1000
)

// Request is one search. Several values in one filter field are OR-ed;
// filters on different fields are AND-ed.
type Request struct {
	Query  string    `json:"query"`
	Themes []string  `json:"theme,omitempty"`
	Types  []string  `json:"type,omitempty"`
	Years  []string  `json:"year,omitempty"`
	Places []string  `json:"place,omitempty"`
	Kinds  []string  `json:"kind,omitempty"`
	Langs  []string  `json:"lang,omitempty"`
	From   time.Time `json:"from,omitzero"`  // inclusive; zero: no bound
	To     time.Time `json:"to,omitzero"`    // inclusive; zero: no bound
	Sort   string    `json:"sort,omitempty"` // SortRelevance (default), SortNewest, SortOldest
	Page   int       `json:"page,omitempty"` // 1-based; 0 means 1
	Size   int       `json:"size,omitempty"` // 1..MaxSize; 0 means DefaultSize
}

// Result is the answer to a Request. Its JSON form is the API's search object.
type Result struct {
	Query  string             `json:"query"`
	Total  uint64             `json:"total"`
	Page   int                `json:"page"`
	Size   int                `json:"size"`
	TookMS float64            `json:"took_ms"`
	Hits   []Hit              `json:"hits"`
	Facets map[string][]Facet `json:"facets"`
	// DidYouMean is, for a query of plain words some of which no document
	// holds, the query with those words corrected (to the most frequent
	// word of the index within one or two edits), when it finds something.
	DidYouMean string `json:"did_you_mean,omitempty"`
	// Notice is, for a query that is not syntax of the query language
	// (parentheses that do not pair up, or nest too deep), a sentence
	// telling the user that it was searched as its plain words, and why.
	Notice string `json:"notice,omitempty"`
}

// Hit is one matching document.
type Hit struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Title  string   `json:"title"`
	Type   string   `json:"type"`
	Date   string   `json:"date,omitempty"` // YYYY-MM-DD
	Themes []string `json:"themes"`
	Score  float64  `json:"score"`
	// Page is the page of a paged document (PDF) where the first match in
	// the text lies, so a link can open url#page=N; absent otherwise.
	Page int `json:"page,omitempty"`
	// Snippets are HTML: query terms in <mark>, all other text escaped.
	Snippets []string `json:"snippets"`
	// Translations are the document's versions in other languages.
	Translations []indexer.Translation `json:"translations,omitempty"`
	// Lang is the document's language, for the exports (RIS, Atom).
	Lang string `json:"-"`
}

// Related is a document like another one (Searcher.Similar): what a link
// to it needs.
type Related struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
	Type  string `json:"type"`
	Date  string `json:"date,omitempty"` // YYYY-MM-DD
}

// Facet is one value of a facet with the number of matching documents.
type Facet struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// The facet names of Result.Facets.
var FacetNames = []string{"theme", "type", "year", "place", "kind", "lang"}

// ThemeCount is a taxonomy theme with the number of documents carrying it.
type ThemeCount struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Description string `json:"description"`
	Count       int    `json:"count"`
}

// Document is a stored document as the API returns it.
type Document = indexer.Document
