package store

import (
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// Record is what the crawl store keeps for one URL.
type Record struct {
	URL          string    `json:"url"`       // normalised URL as requested (the key)
	FinalURL     string    `json:"final_url"` // after redirects
	Canonical    string    `json:"canonical,omitempty"`
	Depth        int       `json:"depth"`
	FetchedAt    time.Time `json:"fetched_at"`
	Status       int       `json:"status"` // HTTP status of the final response; 0 if none
	ContentType  string    `json:"content_type,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Hash         string    `json:"hash,omitempty"` // sha256 hex of the body; key of the raw bytes
	Size         int64     `json:"size,omitempty"`
	// Gone is set when the URL answered 404 or 410 after having been seen.
	Gone bool `json:"gone,omitempty"`
	// DuplicateOf is the URL of the record that holds the same content
	// (same canonical URL or same hash); such a record is not indexed.
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// Err and ErrReason describe a failed fetch or extraction: ErrReason
	// is one of extract's reasons or of the crawler's (which share the
	// type), such as "http-500", "timeout", "robots", "too-large".
	Err       string         `json:"err,omitempty"`
	ErrReason extract.Reason `json:"err_reason,omitempty"`
	// Lang is the locale of a URL that names one ("..._fr", "..._fr.pdf"),
	// lower-case, else empty; Page.Lang is what the document declares.
	Lang string `json:"lang,omitempty"`
	// TranslationKey is shared by the locale variants of one document
	// (the URL with its locale suffix replaced by "_*"); Store.Translations
	// lists the URLs holding a key. Empty for a URL without a locale.
	TranslationKey string `json:"translation_key,omitempty"`
	// Page is the extracted content; nil when extraction failed or the
	// response had no body to extract.
	Page *extract.Page `json:"page,omitempty"`

	partial bool // read by Peek: Page holds only links, canonical and robots flags
}

// Partial reports whether the record was read by Peek, with a Page that
// holds only Links, Canonical, NoFollow and NoIndex. Such a record must not
// be stored back: read it with Get first.
func (r *Record) Partial() bool { return r.partial }

// Indexable reports whether the record holds a live document to index.
func (r *Record) Indexable() bool {
	return r.Page != nil && !r.Gone && r.DuplicateOf == "" && r.Status == 200 && !r.Page.NoIndex
}
