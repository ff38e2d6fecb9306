package extract

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
)

// Default limits applied when an Options field is zero (or negative).
const (
	DefaultMaxBytes   int64 = 64 << 20
	DefaultMaxPages         = 2000
	DefaultMaxText          = 8 << 20
	DefaultPDFTimeout       = 30 * time.Second
)

// Options bound extraction; the zero value means the defaults.
type Options struct {
	MaxBytes   int64         // refuse bodies larger than this (default 64 MiB) -> ReasonTooLarge
	MaxPages   int           // PDF pages extracted at most (default 2000); beyond -> stop, keep what was read
	MaxText    int           // characters of text kept at most (default 8 MiB); beyond -> truncate
	PDFTimeout time.Duration // default 30s -> ReasonTimeout
}

// withDefaults returns o with every unset limit replaced by its default.
func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxText <= 0 {
		o.MaxText = DefaultMaxText
	}
	if o.PDFTimeout <= 0 {
		o.PDFTimeout = DefaultPDFTimeout
	}
	return o
}

// Extract dispatches on the sniffed format (Content-Type, then magic bytes:
// "%PDF-", "<html", BOM...): HTML and XHTML -> HTML, PDF -> PDF, text/plain
// -> plain text; anything else -> ReasonUnsupported.
//
// base is the URL the body was fetched from; it resolves relative links and
// the canonical URL of HTML pages and may be nil.
func Extract(ctx context.Context, body []byte, contentType string, base *url.URL, opts Options) (*Page, error) {
	opts = opts.withDefaults()
	if int64(len(body)) > opts.MaxBytes {
		return nil, &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("body of %d bytes exceeds the limit of %d", len(body), opts.MaxBytes)}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Reason: ReasonTimeout, Err: err}
	}
	var (
		p   *Page
		err error
	)
	switch Sniff(contentType, body) {
	case "pdf":
		return PDF(ctx, body, opts)
	case "html":
		p, err = HTML(body, contentType, base)
	case "text":
		p, err = plainText(body, contentType)
	default:
		return nil, &Error{Reason: ReasonUnsupported, Err: fmt.Errorf("content type %q", mediaType(contentType))}
	}
	if err != nil {
		return nil, err
	}
	p.Text = truncateText(p.Text, opts.MaxText)
	return p, nil
}

// Sniff returns "html", "pdf", "text" or "" for a body and its declared
// Content-Type; a PDF served as application/octet-stream or text/html is
// still "pdf".
func Sniff(contentType string, body []byte) string {
	if looksPDF(body) {
		return "pdf"
	}
	switch mt := mediaType(contentType); {
	case mt == "application/pdf" || mt == "application/x-pdf":
		// Declared PDF without the magic: let the PDF extractor say it
		// is malformed rather than calling it unsupported.
		return "pdf"
	case mt == "text/html" || mt == "application/xhtml+xml":
		return "html"
	case mt == "text/plain":
		if looksHTML(body) {
			return "html"
		}
		return "text"
	case mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" ||
		mt == "application/xml" || mt == "text/xml":
		if looksHTML(body) {
			return "html"
		}
		if mt == "" && len(body) > 0 && looksText(body) {
			return "text"
		}
	}
	return ""
}

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// looksPDF reports whether the PDF signature appears near the start of body
// (readers tolerate some leading junk; 1024 bytes is the customary window).
func looksPDF(body []byte) bool {
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	return bytes.Contains(head, []byte("%PDF-"))
}

// looksHTML reports whether the start of body looks like HTML or XHTML.
func looksHTML(body []byte) bool {
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n\f")
	lower := bytes.ToLower(head)
	for _, sig := range []string{"<!doctype html", "<html", "<head", "<body", "<title", "<meta", "<p>", "<div", "<h1"} {
		if bytes.HasPrefix(lower, []byte(sig)) {
			return true
		}
	}
	if bytes.HasPrefix(lower, []byte("<?xml")) || bytes.HasPrefix(lower, []byte("<!--")) {
		return bytes.Contains(lower, []byte("<html"))
	}
	return false
}
