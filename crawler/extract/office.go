package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kbsearch/kbsearch/crawler/langtag"
)

// Media types of the office formats extracted here.
const (
	mimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeODT  = "application/vnd.oasis.opendocument.text"
)

// Limits on the zip container of DOCX and ODT files, against zip bombs:
// the entries it may list and the uncompressed bytes read from it in all
// (32 bytes of XML per character of Options.MaxText, at least 1 MiB and
// at most 256 MiB). The compressed size is bounded by Options.MaxBytes.
const (
	maxZipEntries      = 10000
	maxZipUncompressed = 256 << 20
)

// zipBudget is the uncompressed bytes DOCX and ODT read at most.
func zipBudget(opts Options) int64 {
	return min(max(32*int64(opts.MaxText), 1<<20), maxZipUncompressed)
}

// errTextFull stops the XML walk once Options.MaxText is reached.
var errTextFull = errors.New("text limit reached")

// sniffZip returns "docx" or "odt" when body is a zip archive holding a
// word-processing document of that format, else "".
func sniffZip(body []byte) string {
	if !bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		return ""
	}
	// ODF puts an uncompressed "mimetype" entry first: its content starts
	// at byte 38 of the archive.
	if len(body) > 30 && bytes.HasPrefix(body[30:], []byte("mimetype"+mimeODT)) {
		return "odt"
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil || len(zr.File) > maxZipEntries {
		return ""
	}
	var types, document, mimetype *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = f
		case "word/document.xml":
			document = f
		case "mimetype":
			mimetype = f
		}
	}
	switch {
	case types != nil && document != nil:
		return "docx"
	case mimetype != nil:
		b, err := readZipEntry(mimetype, 256, new(int64))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), mimeODT) {
			return "odt"
		}
	}
	return ""
}

// openZip opens a DOCX or ODT container, checking its entry count.
func openZip(body []byte, opts Options, format string) (*zip.Reader, error) {
	opts = opts.withDefaults()
	if int64(len(body)) > opts.MaxBytes {
		return nil, &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("%s of %d bytes exceeds the limit of %d", format, len(body), opts.MaxBytes)}
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return nil, &Error{Reason: ReasonMalformed, Err: fmt.Errorf("%s: %w", format, err)}
	}
	if len(zr.File) > maxZipEntries {
		return nil, &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("%s: %d zip entries, more than %d", format, len(zr.File), maxZipEntries)}
	}
	return zr, nil
}

// findZip returns the entry named name, or nil.
func findZip(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// errZipLimit reports that an entry inflates beyond what we read.
var errZipLimit = errors.New("uncompressed size over the limit")

// limitedReader reads at most *budget bytes in all from r (shared across
// the entries of one archive), then fails with errZipLimit.
type limitedReader struct {
	r      io.Reader
	budget *int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if *l.budget <= 0 {
		return 0, errZipLimit
	}
	if int64(len(p)) > *l.budget {
		p = p[:*l.budget]
	}
	n, err := l.r.Read(p)
	*l.budget -= int64(n)
	return n, err
}

// readZipEntry reads a whole (small) entry, at most max bytes, charging
// budget.
func readZipEntry(f *zip.File, max int64, budget *int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := min(max, *budget)
	lim := b
	data, err := io.ReadAll(&limitedReader{r: rc, budget: &lim})
	*budget -= b - lim
	if err != nil {
		return nil, err
	}
	return data, nil
}

// zipError types an error met while reading a zip entry.
func zipError(format, entry string, err error) error {
	if errors.Is(err, errZipLimit) {
		return &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("%s: %s: %w", format, entry, err)}
	}
	return &Error{Reason: ReasonMalformed, Err: fmt.Errorf("%s: %s: %w", format, entry, err)}
}

// blockBuilder collects the paragraphs of a document as blocks of text.
type blockBuilder struct {
	blocks   []string
	cur      strings.Builder
	heading  bool   // the current paragraph is a heading
	firstH   string // the first heading, a fallback title
	runes    int
	maxRunes int
	full     bool
}

func (b *blockBuilder) write(s string) {
	if b.full {
		return
	}
	b.cur.WriteString(s)
}

// end closes the current paragraph.
func (b *blockBuilder) end() {
	text := tidyParagraphs(cleanText(b.cur.String()))
	b.cur.Reset()
	heading := b.heading
	b.heading = false
	if text == "" || b.full {
		return
	}
	if heading && b.firstH == "" {
		b.firstH = cleanInline(text)
	}
	n := utf8.RuneCountInString(text)
	if b.runes+n >= b.maxRunes {
		text = truncateText(text, max(b.maxRunes-b.runes, 0))
		b.full = true
	}
	b.runes += n + 2
	if text != "" {
		b.blocks = append(b.blocks, text)
	}
}

func (b *blockBuilder) text() string {
	return truncateText(strings.Join(b.blocks, "\n\n"), b.maxRunes)
}

// DOCX extracts the text of a Word (Office Open XML) document: one block
// per paragraph (headings and table cells included), in document order,
// and the title, creation date and language from docProps/core.xml (the
// first heading stands in for a missing title).
//
// Errors: ReasonTooLarge (over MaxBytes, too many zip entries, or XML
// inflating beyond the budget of zipBudget: a zip bomb), ReasonMalformed (not a zip, no
// word/document.xml, bad XML), ReasonNoText (no text in the body).
func DOCX(body []byte, opts Options) (*Page, error) {
	return officePage(body, opts, officeFormat{
		name: "docx", body: "word/document.xml", meta: "docProps/core.xml", walk: docxBody,
	})
}

// ODT extracts the text of an OpenDocument text document: one block per
// paragraph or heading of content.xml, in document order, and the title,
// creation date and language from meta.xml (the first heading stands in
// for a missing title). Errors as for DOCX.
func ODT(body []byte, opts Options) (*Page, error) {
	return officePage(body, opts, officeFormat{
		name: "odt", body: "content.xml", meta: "meta.xml", walk: odtBody,
	})
}

// officeFormat names the parts of a zipped office format.
type officeFormat struct {
	name string // "docx", "odt": for messages
	body string // the part holding the text
	meta string // the part holding title, dates and language
	walk func(*xml.Decoder, *blockBuilder) error
}

// officePage extracts a zipped office document of format f, within the
// size, entry and inflation budgets of opts.
func officePage(body []byte, opts Options, f officeFormat) (*Page, error) {
	opts = opts.withDefaults()
	zr, err := openZip(body, opts, f.name)
	if err != nil {
		return nil, err
	}
	part := findZip(zr, f.body)
	if part == nil {
		return nil, &Error{Reason: ReasonMalformed, Err: fmt.Errorf("%s: no %s", f.name, f.body)}
	}
	budget := zipBudget(opts)
	b := &blockBuilder{maxRunes: opts.MaxText}
	if err := walkXML(part, &budget, func(d *xml.Decoder) error { return f.walk(d, b) }); err != nil && err != errTextFull {
		return nil, zipError(f.name, part.Name, err)
	}
	p := &Page{PageCount: 1, Text: b.text()}
	if p.Text == "" {
		return nil, &Error{Reason: ReasonNoText, Err: fmt.Errorf("%s: the document body has no text", f.name)}
	}
	if meta := findZip(zr, f.meta); meta != nil {
		readOfficeMeta(meta, &budget, p) // best effort
	}
	finishOfficePage(p, b)
	return p, nil
}

func finishOfficePage(p *Page, b *blockBuilder) {
	if p.Title == "" {
		p.Title = b.firstH
	}
	if p.Title == "" {
		p.Title = titleFromText(p.Text)
	}
	p.Title = capTitle(p.Title)
}

// walkXML streams the XML of a zip entry through fn, within budget.
func walkXML(f *zip.File, budget *int64, fn func(*xml.Decoder) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(&limitedReader{r: rc, budget: budget})
	d.Strict = false
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		// Office files are UTF-8 (or UTF-16, which Go's decoder does
		// not read); take other labels as UTF-8 rather than fail.
		return in, nil
	}
	return fn(d)
}

// docxBody reads word/document.xml: w:p paragraphs made of w:t runs, w:tab
// and w:br; w:pStyle names Heading*/Title mark headings. Deleted text
// (w:delText) and field instructions (w:instrText) are not w:t and so are
// skipped.
func docxBody(d *xml.Decoder, b *blockBuilder) error {
	inText := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			b.end()
			return nil
		}
		if err != nil {
			return err
		}
		if b.full {
			return errTextFull
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				b.end()
			case "t":
				inText++
			case "tab", "ptab":
				b.write(" ")
			case "br", "cr":
				b.write("\n")
			case "noBreakHyphen":
				b.write("-")
			case "pStyle":
				v := strings.ToLower(attrValue(t, "val"))
				if strings.HasPrefix(v, "heading") || v == "title" || strings.HasPrefix(v, "titolo") || strings.HasPrefix(v, "berschrift") {
					b.heading = true
				}
			case "tc":
				b.end()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p", "tc":
				b.end()
			case "t":
				inText = max(inText-1, 0)
			}
		case xml.CharData:
			if inText > 0 {
				b.write(string(t))
			}
		}
	}
}

// odtBody reads content.xml: text:p and text:h blocks (text:h is a
// heading), with text:s (runs of spaces), text:tab and text:line-break
// inside; footnote citations, annotations and tracked changes are skipped.
// A paragraph nested in another (a note body, a text box) is a block of
// its own.
func odtBody(d *xml.Decoder, b *blockBuilder) error {
	depth, skip := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			b.end()
			return nil
		}
		if err != nil {
			return err
		}
		if b.full {
			return errTextFull
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			switch t.Name.Local {
			case "p", "h":
				b.end()
				depth++
				b.heading = t.Name.Local == "h"
			case "s":
				n, err := strconv.Atoi(attrValue(t, "c"))
				if err != nil || n < 1 {
					n = 1
				}
				b.write(strings.Repeat(" ", min(n, 100)))
			case "tab":
				b.write(" ")
			case "line-break":
				b.write("\n")
			case "note-citation", "annotation", "tracked-changes", "sequence-decls", "variable-decls", "user-field-decls":
				skip = 1
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			switch t.Name.Local {
			case "p", "h":
				b.end()
				depth = max(depth-1, 0)
			case "table-cell", "list-item", "note-body":
				b.end()
			}
		case xml.CharData:
			if depth > 0 && skip == 0 {
				b.write(string(t))
			}
		}
	}
}

// readOfficeMeta fills the title, date and language from docProps/core.xml
// or meta.xml (both Dublin Core): dc:title, dcterms:created or
// meta:creation-date, dc:language.
func readOfficeMeta(f *zip.File, budget *int64, p *Page) {
	data, err := readZipEntry(f, 1<<20, budget)
	if err != nil {
		return
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) { return in, nil }
	var field string
	var val strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			field = t.Name.Local
			val.Reset()
		case xml.CharData:
			if field != "" && val.Len() < 4096 {
				val.Write(t)
			}
		case xml.EndElement:
			v := strings.TrimSpace(val.String())
			switch field {
			case "title":
				if p.Title == "" {
					p.Title = pdfTitle(v) // the same junk rules as PDF titles
				}
			case "created", "creation-date":
				if p.Published.IsZero() {
					p.Published, _ = parseDate(v)
				}
			case "language":
				if p.Lang == "" {
					p.Lang = langtag.Primary(v)
				}
			}
			field = ""
		}
	}
}

func attrValue(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
