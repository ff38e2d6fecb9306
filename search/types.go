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

// Limits on a Request. A page costs a heap of Page x Size documents, so
// Page is bounded; a Cursor reaches any depth at the cost of the first page.
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
	// Cursor, a Result's NextCursor, asks for the hits that follow the
	// page it was given with (search after: a cost that does not grow with
	// the depth, unlike Page). The rest of the Request must be the same
	// search (Size may differ); Page must then be 0 or 1.
	Cursor string `json:"cursor,omitempty"`
	// Recency is the half-life of the recency boost of a relevance order:
	// a dated document's score is multiplied by 1 + 2^(-age/Recency), its
	// age counted back from the index's newest document; an undated one
	// gets no boost. 0 takes the Searcher's default (Ranking.Recency);
	// negative turns it off.
	Recency time.Duration `json:"recency,omitempty"`
	// YearTheme asks for Result.YearTheme, the documents by year and
	// theme (a chart of the themes over time).
	YearTheme bool `json:"year_theme,omitempty"`
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
	// NextCursor, when more hits follow this page, is the Request.Cursor
	// that asks for them.
	NextCursor string `json:"next_cursor,omitempty"`
	// YearTheme is, when the Request asked for it, the matches by year and
	// theme, counted without the year and date filters (see YearThemes).
	YearTheme []YearThemes `json:"year_theme,omitempty"`
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
