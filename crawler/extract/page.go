package extract

import (
	"errors"
	"fmt"
	"time"
)

// Page is what extraction makes of one fetched document, whatever its format.
type Page struct {
	// Title is the document's title: <title> or the first <h1> for HTML,
	// the Info dictionary's Title or the first lines of text for PDF.
	Title string `json:"title"`
	// Text is the main text: blocks separated by a blank line, no markup,
	// valid UTF-8 without U+FFFD or control characters other than '\n'.
	Text string `json:"text"`
	// PageTexts holds the text of each page of a paged format (PDF), in
	// order; Text is then their concatenation. Empty for HTML.
	PageTexts []string `json:"page_texts,omitempty"`
	// PageCount is the number of pages of a paged format; 1 for HTML.
	PageCount int `json:"page_count"`
	// Lang is the declared language (html lang, Content-Language, PDF /Lang),
	// lower-case primary subtag such as "en" or "fr"; empty if not declared.
	Lang string `json:"lang,omitempty"`
	// Description is the meta description, if any.
	Description string `json:"description,omitempty"`
	// Published is a publication date from metadata (meta tags, PDF
	// CreationDate); zero if none is declared.
	Published time.Time `json:"published,omitzero"`
	// Canonical is the absolute URL of <link rel="canonical">, if any.
	Canonical string `json:"canonical,omitempty"`
	// Links are the absolute http(s) URLs the page links to, without
	// fragments, in document order, each once.
	Links []string `json:"links,omitempty"`
	// NoIndex and NoFollow come from <meta name="robots"> (or
	// "kbsearch"-named robots meta): the page must not be indexed, or its
	// links must not be followed.
	NoIndex  bool `json:"noindex,omitempty"`
	NoFollow bool `json:"nofollow,omitempty"`
}

// Reason is the closed set of reasons extraction can fail for.
type Reason string

// The reasons extraction can fail.
const (
	ReasonMalformed   Reason = "malformed"   // the bytes are not a valid document of the format
	ReasonEncrypted   Reason = "encrypted"   // encrypted and cannot be opened with an empty password
	ReasonNoText      Reason = "no-text"     // valid, but has no text layer (e.g. a scan that needs OCR)
	ReasonTooLarge    Reason = "too-large"   // over a size, page or output limit
	ReasonTimeout     Reason = "timeout"     // did not finish within its time budget
	ReasonUnsupported Reason = "unsupported" // a content type we do not extract
)

// Error is the typed error every extractor returns.
type Error struct {
	Reason Reason
	Err    error // the underlying cause, may be nil
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "extract: " + string(e.Reason)
	}
	return fmt.Sprintf("extract: %s: %v", e.Reason, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of err if it is (or wraps) an *Error, else "".
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
