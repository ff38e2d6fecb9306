package indexer

import "time"

// Document types.
const (
	TypeMinutes     = "minutes"
	TypeKeyMessages = "key-messages"
	TypeReport      = "report"
	TypeAgenda      = "agenda"
	TypePage        = "page"
)

// Meeting kinds.
const (
	KindPlenary      = "plenary"
	KindPeerLearning = "peer-learning"
	KindAdHoc        = "ad-hoc"
	KindOnline       = "online"
)

// Document is one searchable document: a page or a file of the portal,
// with the metadata derived from it.
type Document struct {
	ID      string    `json:"id"`  // stable: derived from the canonical URL
	URL     string    `json:"url"` // canonical URL
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Type    string    `json:"type"`           // one of the Type* constants
	Date    time.Time `json:"date,omitzero"`  // meeting or publication date; zero if unknown
	Year    string    `json:"year,omitempty"` // "2017"; empty if Date is zero
	Kind    string    `json:"kind,omitempty"` // one of the Kind* constants; empty if not about a meeting
	Place   string    `json:"place,omitempty"`
	Country string    `json:"country,omitempty"`
	// Lang is the document's language (lower-case code) as lang.Resolve
	// decided it from its declaration and its text; "" when unknown. Its
	// title and body are indexed in the text fields of TextLang(Lang).
	Lang   string   `json:"lang,omitempty"`
	Themes []string `json:"themes"`
	// ThemeReasons gives, per theme id, the phrases that earned it.
	ThemeReasons map[string][]string `json:"theme_reasons,omitempty"`
	Pages        int                 `json:"pages,omitempty"`
	// PageStarts holds, for a document of several pages (a PDF), the byte
	// offset in Body where each page's text starts, so a hit can say on
	// which page its match is.
	PageStarts []int `json:"page_starts,omitempty"`
	// TitleLen and BodyLen are the token counts of Title and Body after
	// analysis, kept for exact length normalisation in ranking.
	TitleLen int `json:"title_len"`
	BodyLen  int `json:"body_len"`
	// Translations are the document's versions in other languages (see
	// Translation), by language.
	Translations []Translation `json:"translations,omitempty"`
}

// Field names in the bleve index. Text fields (title, body) are analysed
// as English; a document in one of TextLangs has its text in title_xx and
// body_xx instead (see TitleField), analysed for its language; the others are keyword fields holding
// lower-case values, usable as facets, filters and `field:value` terms.
const (
	FieldTitle   = "title"
	FieldBody    = "body"
	FieldURL     = "url"
	FieldType    = "type"
	FieldDate    = "date"
	FieldYear    = "year"
	FieldKind    = "kind"
	FieldPlace   = "place"
	FieldCountry = "country"
	FieldLang    = "lang"
	FieldThemes  = "themes"
)
