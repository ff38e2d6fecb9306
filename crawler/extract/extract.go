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
	// DefaultMemoryLimit is the memory an isolated worker may use beyond
	// what it had mapped at start-up (Options.MemoryLimit).
	DefaultMemoryLimit int64 = 512 << 20
)

// The PDF backends Options.Backend names.
const (
	BackendBuiltin   = "builtin"   // github.com/ledongthuc/pdf, in Go (the default)
	BackendPdftotext = "pdftotext" // poppler's pdftotext if installed, else builtin
)

// Options bound extraction; the zero value means the defaults.
type Options struct {
	MaxBytes   int64         // refuse bodies larger than this (default 64 MiB) -> ReasonTooLarge
	MaxPages   int           // PDF pages extracted at most (default 2000); beyond -> stop, keep what was read
	MaxText    int           // characters of text kept at most (default 8 MiB); beyond -> truncate
	PDFTimeout time.Duration // default 30s -> ReasonTimeout

	// Isolate extracts PDFs in a child process (a worker) with a
	// wall-clock limit of PDFTimeout, a memory limit of MemoryLimit and
	// its output capped, so that a hostile file can neither hang nor
	// crash the caller. The worker is WorkerCommand (default: this
	// executable), which must call RunWorkerIfRequested first thing in
	// main (and in TestMain for tests). False extracts in-process, behind
	// recover and a timeout that cannot stop a stuck parser (see PDF).
	Isolate bool `json:"isolate,omitempty"`
	// WorkerCommand is the program and arguments started as the worker;
	// empty means os.Executable() without arguments.
	WorkerCommand []string `json:"worker_command,omitempty"`
	// Pool, if not nil, keeps isolated workers alive between PDFs
	// instead of starting a process for each (see Pool).
	Pool *Pool `json:"-"`
	// MemoryLimit is the memory (bytes) a worker may map beyond its
	// start-up size: default 512 MiB; over it -> ReasonTooLarge.
	MemoryLimit int64 `json:"memory_limit,omitempty"`
	// Backend chooses the PDF text extractor: BackendBuiltin (or empty)
	// or BackendPdftotext, which runs poppler's pdftotext when it is
	// found and falls back to the built-in one when it is not or when it
	// cannot parse the file.
	Backend string `json:"backend,omitempty"`
	// Pdftotext is the pdftotext program for BackendPdftotext; empty
	// means "pdftotext" looked up on PATH. pdfinfo is looked up beside it.
	Pdftotext string `json:"pdftotext,omitempty"`
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
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = DefaultMemoryLimit
	}
	return o
}

// Extract dispatches on the sniffed format (Content-Type, then magic bytes:
// "%PDF-", "<html", BOM, zip entries...): HTML and XHTML -> HTML, PDF ->
// PDF, DOCX -> DOCX, ODT -> ODT, text/plain -> plain text; anything else ->
// ReasonUnsupported.
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
	case "docx":
		return DOCX(body, opts)
	case "odt":
		return ODT(body, opts)
	default:
		return nil, &Error{Reason: ReasonUnsupported, Err: fmt.Errorf("content type %q", mediaType(contentType))}
	}
	if err != nil {
		return nil, err
	}
	p.Text = truncateText(p.Text, opts.MaxText)
	return p, nil
}

// Sniff returns "html", "pdf", "docx", "odt", "text" or "" for a body and
// its declared Content-Type; a PDF served as application/octet-stream or
// text/html is still "pdf", and a zip archive is "docx" or "odt" when its
// entries say so ([Content_Types].xml and word/document.xml, or the ODF
// mimetype entry), whatever it was served as.
func Sniff(contentType string, body []byte) string {
	if looksPDF(body) {
		return "pdf"
	}
	if f := sniffZip(body); f != "" {
		return f
	}
	switch mt := mediaType(contentType); {
	case mt == mimeDOCX:
		return "docx"
	case mt == mimeODT:
		return "odt"
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
