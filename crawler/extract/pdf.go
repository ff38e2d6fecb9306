package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"

	"github.com/kbsearch/kbsearch/crawler/langtag"
)

// PDF extracts the text of each page of a PDF document and its metadata.
//
// With opts.Isolate the work is done in a worker process (see Options and
// RunWorkerIfRequested), which is the safe way on untrusted files; the
// rest of this comment describes in-process extraction, which the worker
// itself uses. With opts.Backend set to BackendPdftotext, poppler's
// pdftotext does the text and pdfinfo the metadata when installed; the
// built-in parser is the fallback.
//
// github.com/ledongthuc/pdf, which does the parsing, can panic, loop forever
// or allocate without bound on hostile files. PDF therefore caps the body at
// opts.MaxBytes before parsing, recovers panics (for the document and for
// each page: a bad page loses only that page), and runs the parser in a
// goroutine bounded by ctx and opts.PDFTimeout. On timeout it returns
// ReasonTimeout at once, but the goroutine cannot be stopped and leaks
// until the library returns (possibly never); an allocation the runtime
// cannot satisfy still kills the process. Running the extraction in a child
// process with a time and memory limit is the planned fix for both.
//
// Errors: ReasonTooLarge (over MaxBytes), ReasonMalformed (not a PDF, an
// unreadable cross-reference table, a parser panic), ReasonEncrypted (the
// empty user password does not open it, or its encryption is not
// supported), ReasonNoText (no page has text: a scan), ReasonTimeout.
func PDF(ctx context.Context, body []byte, opts Options) (*Page, error) {
	opts = opts.withDefaults()
	if int64(len(body)) > opts.MaxBytes {
		return nil, &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("pdf of %d bytes exceeds the limit of %d", len(body), opts.MaxBytes)}
	}
	if len(body) == 0 {
		return nil, &Error{Reason: ReasonMalformed, Err: errors.New("empty body")}
	}
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	start := bytes.Index(head, []byte("%PDF-"))
	if start < 0 {
		return nil, &Error{Reason: ReasonMalformed, Err: errors.New("no %PDF- header")}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Reason: ReasonTimeout, Err: err}
	}
	if opts.Isolate {
		return isolatedPDF(ctx, body[start:], opts)
	}
	if opts.Backend == BackendPdftotext {
		p, err := popplerPDF(ctx, body[start:], opts)
		switch r := ReasonOf(err); {
		case err == nil:
			return p, nil
		case errors.Is(err, errNoPoppler), r == ReasonMalformed:
			// Not installed, or poppler could not parse it: try ours.
		default:
			return nil, err
		}
	}
	// The parser may outlive this call (see above): give it its own copy
	// so that the caller can reuse body.
	data := bytes.Clone(body[start:])

	ctx, cancel := context.WithTimeout(ctx, opts.PDFTimeout)
	defer cancel()
	type result struct {
		page *Page
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if v := recover(); v != nil {
				res = result{err: &Error{Reason: ReasonMalformed, Err: fmt.Errorf("pdf parser panic: %v", v)}}
			}
			done <- res
		}()
		res.page, res.err = readPDF(ctx, data, opts)
	}()
	select {
	case res := <-done:
		return res.page, res.err
	case <-ctx.Done():
		select {
		case res := <-done:
			return res.page, res.err
		default:
		}
		return nil, &Error{Reason: ReasonTimeout, Err: fmt.Errorf("pdf extraction: %w", ctx.Err())}
	}
}

// readPDF does the work of PDF, in the parser goroutine.
func readPDF(ctx context.Context, data []byte, opts Options) (*Page, error) {
	r, err := pdf.NewReaderEncrypted(bytes.NewReader(data), int64(len(data)), func() string { return "" })
	if err != nil {
		if isEncryptionError(err) {
			return nil, &Error{Reason: ReasonEncrypted, Err: err}
		}
		return nil, &Error{Reason: ReasonMalformed, Err: err}
	}
	pages, err := guard(func() []pdf.Page { return pageList(r.Trailer().Key("Root").Key("Pages"), opts.MaxPages) })
	if err != nil {
		return nil, &Error{Reason: ReasonMalformed, Err: err}
	}
	n := len(pages)
	if n == 0 {
		return nil, &Error{Reason: ReasonMalformed, Err: errors.New("no pages in the page tree")}
	}

	p := &Page{PageTexts: make([]string, 0, min(n, 64))}
	var (
		firstErr error
		failed   int
		runes    int
		parts    []string
	)
	for i := 1; i <= n; i++ {
		if ctx.Err() != nil {
			// PDF has already returned ReasonTimeout; stop working.
			return nil, &Error{Reason: ReasonTimeout, Err: ctx.Err()}
		}
		text, err := pageText(pages[i-1], 2*opts.MaxText+1024)
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("page %d: %w", i, err)
			}
		}
		full := false
		if c := utf8.RuneCountInString(text); runes+c >= opts.MaxText {
			text = truncateText(text, max(opts.MaxText-runes, 0))
			full = true
		} else {
			runes += c + 2 // and the "\n\n" joining it to the next page
		}
		p.PageTexts = append(p.PageTexts, text)
		parts = appendNonEmpty(parts, text)
		if full {
			break
		}
	}
	p.PageCount = len(p.PageTexts)
	p.Text = truncateText(strings.Join(parts, "\n\n"), opts.MaxText)
	if p.Text == "" {
		if failed == len(p.PageTexts) && firstErr != nil {
			if enc, err := guard(func() bool { return !r.Trailer().Key("Encrypt").IsNull() }); err == nil && enc {
				// The library accepted the empty password but could
				// decode no page: it cannot really decrypt this file
				// (seen with RC4 files that have an owner password only).
				return nil, &Error{Reason: ReasonEncrypted, Err: firstErr}
			}
			return nil, &Error{Reason: ReasonMalformed, Err: firstErr}
		}
		return nil, &Error{Reason: ReasonNoText, Err: fmt.Errorf("none of %d pages has a text layer", len(p.PageTexts))}
	}

	// Metadata is best effort: a broken Info dictionary loses the title,
	// not the text.
	if info, err := guard(func() pdf.Value { return r.Trailer().Key("Info") }); err == nil {
		if t, err := guard(func() string { return info.Key("Title").Text() }); err == nil {
			p.Title = pdfTitle(t)
		}
		if d, err := guard(func() string { return info.Key("CreationDate").Text() }); err == nil {
			p.Published, _ = parsePDFDate(d)
		}
	}
	if l, err := guard(func() string { return r.Trailer().Key("Root").Key("Lang").Text() }); err == nil {
		p.Lang = langtag.Primary(l)
	}
	if p.Title == "" && len(p.PageTexts) > 0 {
		p.Title = titleFromText(p.PageTexts[0])
	}
	return p, nil
}

// Bounds on walking a page tree, which hostile files make deep or cyclic.
const (
	maxTreeDepth    = 256
	maxInheritDepth = 64
)

// pageList returns the pages of the page tree under root in order, at
// most max of them. Unlike Reader.Page, which walks down from the root for
// each page (quadratic in the page count, each step re-resolving objects),
// it walks the tree once; a cycle or an absurd depth ends the walk with the
// pages found so far. A node without /Type is a Pages node if it has Kids.
func pageList(root pdf.Value, max int) []pdf.Page {
	var pages []pdf.Page
	visits, budget := 0, 4*max+10000
	seen := map[uint32]bool{}
	var walk func(node pdf.Value, depth int)
	walk = func(node pdf.Value, depth int) {
		if len(pages) >= max || depth > maxTreeDepth || visits >= budget || node.Kind() != pdf.Dict {
			return
		}
		if id := objectID(node); id != 0 {
			if seen[id] {
				return // a node met twice: a cycle, or a page listed twice
			}
			seen[id] = true
		}
		visits++
		kids := node.Key("Kids")
		switch typ := node.Key("Type").Name(); {
		case typ == "Pages" || typ == "" && kids.Kind() == pdf.Array:
			for i := 0; i < kids.Len() && len(pages) < max && visits < budget; i++ {
				walk(kids.Index(i), depth+1)
			}
		case typ == "Page" || typ == "":
			pages = append(pages, pdf.Page{V: node})
		}
	}
	walk(root, 0)
	return pages
}

// objectID returns the object number of an indirect object, or 0 when it
// cannot tell. pdf.Value does not export it, so it is read by reflection
// from the unexported ptr field (github.com/ledongthuc/pdf keeps it as
// ptr.id); if the library changes its layout, objectID returns 0 and
// pageList falls back to its depth and visit bounds.
func objectID(v pdf.Value) uint32 {
	ptr := reflect.ValueOf(v).FieldByName("ptr")
	if !ptr.IsValid() || ptr.Kind() != reflect.Struct {
		return 0
	}
	id := ptr.FieldByName("id")
	if !id.IsValid() || id.Kind() != reflect.Uint32 {
		return 0
	}
	return uint32(id.Uint())
}

// inherited looks key up in v and its Parent chain, as page attributes
// such as Resources are inherited, stopping after maxInheritDepth levels
// (a Parent cycle would loop Page.Resources forever).
func inherited(v pdf.Value, key string) pdf.Value {
	for range maxInheritDepth {
		if v.IsNull() {
			break
		}
		if r := v.Key(key); !r.IsNull() {
			return r
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// isEncryptionError reports whether a NewReader error is about encryption:
// a wrong password, or an encryption scheme the library cannot handle
// (AES-256, a missing file ID, missing O/U keys).
func isEncryptionError(err error) bool {
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "encrypt") || strings.Contains(msg, "missing id in trailer")
}

func appendNonEmpty(parts []string, s string) []string {
	if s == "" {
		return parts
	}
	return append(parts, s)
}

// guard calls f, turning a panic into an error.
func guard[T any](f func() T) (v T, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("pdf parser panic: %v", x)
		}
	}()
	return f(), nil
}

// pageText returns the text of a page: laid out from the positioned glyphs
// of pageGlyphs (at most maxGlyphs of them), or, if that fails, the
// library's GetPlainText for the page.
func pageText(page pdf.Page, maxGlyphs int) (string, error) {
	if page.V.IsNull() {
		return "", nil
	}
	glyphs, err := guard(func() []pdf.Text { return pageGlyphs(page, maxGlyphs) })
	if err == nil {
		return layoutText(glyphs), nil
	}
	plain, perr := guard(func() string {
		s, err := page.GetPlainText(nil)
		if err != nil {
			panic(err)
		}
		return s
	})
	if perr != nil {
		return "", err
	}
	return tidyPDFText(cleanText(plain)), nil
}

// layoutText turns positioned glyphs, in content-stream order, into lines
// and words: a vertical move of more than half the font size starts a line
// (a large one a paragraph), and a horizontal gap of more than about a sixth
// of the font size between one glyph's end and the next one's start is a
// space. Glyph widths are 0 in CID fonts, where a run's extent is estimated
// from its glyph count; rotated text (font size 0) is joined as it comes.
func layoutText(glyphs []pdf.Text) string {
	var b strings.Builder
	var (
		prev      pdf.Text
		have      bool
		runX      float64 // start of the current run of zero-width glyphs
		runGlyphs int
	)
	for _, g := range glyphs {
		s := cleanGlyph(g.S)
		if s == "" {
			continue
		}
		if !have {
			b.WriteString(s)
			prev, have = g, true
			runX, runGlyphs = g.X, 1
			continue
		}
		sep := glyphSeparator(prev, g, runX, runGlyphs)
		b.WriteString(sep)
		b.WriteString(s)
		if g.W <= 0 && sep == "" && g.X == runX {
			runGlyphs++
		} else {
			runX, runGlyphs = g.X, 1
		}
		prev = g
	}
	return tidyPDFText(b.String())
}

// cleanGlyph drops control characters, U+FFFD and other junk from the
// text of one glyph; the library emits a stray glyph for "\n" after each TJ.
func cleanGlyph(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\ufeff' {
			return strings.Map(func(r rune) rune {
				if r == utf8.RuneError || unicode.IsControl(r) || r == '\ufeff' {
					return -1
				}
				return r
			}, s)
		}
	}
	return s
}

// glyphSeparator decides what goes between two consecutive glyphs.
func glyphSeparator(prev, cur pdf.Text, runX float64, runGlyphs int) string {
	fs := math.Max(math.Abs(prev.FontSize), math.Abs(cur.FontSize))
	dx, dy := cur.X-prev.X, cur.Y-prev.Y
	if fs < 0.5 || math.IsNaN(fs) || math.IsInf(fs, 0) {
		// Rotated or degenerate text: no usable size. Join glyphs that
		// are close, break elsewhere.
		if math.Hypot(dx, dy) < 20 {
			return ""
		}
		return "\n"
	}
	if math.Abs(dy) > 0.6*fs {
		switch {
		case dy < -1.9*fs || dy > 3*fs:
			return "\n\n"
		default:
			return "\n"
		}
	}
	end := prev.X + prev.W
	if prev.W <= 0 {
		// Widths unknown (CID fonts, or no /Widths): the run of glyphs
		// stacked at runX is taken as half an em per glyph.
		end = runX + float64(runGlyphs)*0.5*fs
		if cur.X == prev.X {
			return ""
		}
	}
	gap := cur.X - end
	switch {
	case gap > 0.17*fs:
		return " "
	case dx < -2*fs:
		// Jumped back along the same baseline: another column or box.
		return " "
	}
	return ""
}

// hyphenBreak matches a word hyphenated at a line end, continued in lower
// case on the next line (or after one blank line: widely spaced lines come
// out as paragraphs).
var hyphenBreak = regexp.MustCompile(`(\p{L})[-\x{00AD}\x{2010}] *\n(?: *\n)? *(\p{Ll})`)

// ligatures spells out the Latin ligature characters that typeset PDFs
// map their glyphs to, so that "ofﬁcial" matches "official".
var ligatures = strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl", "\ufb05", "st", "\ufb06", "st")

// tidyPDFText spells out ligatures, rejoins hyphenated words, drops soft hyphens and tidies
// spaces and blank lines.
func tidyPDFText(s string) string {
	s = ligatures.Replace(s)
	s = hyphenBreak.ReplaceAllString(s, "$1$2")
	s = strings.ReplaceAll(s, "\u00ad", "")
	return tidyParagraphs(s)
}

// junkTitle matches Info titles that name no document: placeholders and
// file names left by the authoring tool.
var junkTitle = regexp.MustCompile(`(?i)^(untitled.*|title|document\d*|presentation\d*|powerpoint presentation|slide \d+|microsoft word.*|.*\.(docx?|pdf|pptx?|xlsx?|odt|rtf|indd|qxd|qxp|tex|dvi|ps|txt|html?|wpd))$|^[\w-]+_[\w-]+$`)

// pdfTitle cleans an Info Title and returns "" if it is junk: a
// placeholder, a file name, or one "word" with digits or underscores in it
// (a job number such as "sag-39-3-4-0902-21:sag-0").
func pdfTitle(t string) string {
	t = cleanInline(t)
	if len(t) < 3 || junkTitle.MatchString(t) || !strings.Contains(t, " ") && strings.ContainsAny(t, "0123456789_:") {
		return ""
	}
	return capTitle(t)
}

// titleFromText takes the first non-empty lines of a page, up to the first
// blank line and about 200 characters, as a title.
func titleFromText(s string) string {
	para, _, _ := strings.Cut(strings.TrimSpace(s), "\n\n")
	var b strings.Builder
	for i, ln := range strings.Split(para, "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" {
			continue
		}
		if i >= 3 || b.Len() > 0 && utf8.RuneCountInString(b.String())+1+utf8.RuneCountInString(ln) > 200 {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ln)
	}
	t := b.String()
	if utf8.RuneCountInString(t) > 200 {
		t = truncateText(t, 200)
		if i := strings.LastIndexByte(t, ' '); i > 100 {
			t = t[:i]
		}
	}
	return t
}

// parsePDFDate reads a PDF date string, "D:YYYYMMDDHHmmSSOHH'mm'", of which
// everything after the year is optional. The result is UTC.
func parsePDFDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "D:")
	digits := 0
	for digits < len(s) && digits < 14 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits < 4 || digits%2 != 0 {
		return time.Time{}, false
	}
	field := func(from, def int) int {
		if from+2 > digits {
			return def
		}
		v := 0
		for _, c := range s[from : from+2] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	year := 0
	for _, c := range s[:4] {
		year = year*10 + int(c-'0')
	}
	month, day := field(4, 1), field(6, 1)
	hour, minute, sec := field(8, 0), field(10, 0), field(12, 0)
	if year < 1000 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	loc := time.UTC
	rest := s[digits:]
	if len(rest) >= 3 && (rest[0] == '+' || rest[0] == '-') {
		tz := strings.NewReplacer("'", "", ":", "").Replace(rest[1:])
		if len(tz) >= 2 {
			h := int(tz[0]-'0')*10 + int(tz[1]-'0')
			m := 0
			if len(tz) >= 4 {
				m = int(tz[2]-'0')*10 + int(tz[3]-'0')
			}
			if h >= 0 && h <= 23 && m >= 0 && m <= 59 {
				off := (h*60 + m) * 60
				if rest[0] == '-' {
					off = -off
				}
				loc = time.FixedZone("", off)
			}
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	if t.Day() != day {
		return time.Time{}, false // 31 February and the like
	}
	return t.UTC(), true
}
