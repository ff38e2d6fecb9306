package search

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// MaxExport is the most hits an export gives.
const MaxExport = 1000

// ExportChunk is the most hits an export holds at once: Export loads the
// stored fields of this many hits, hands them on, and only then loads the
// next ones. A download of MaxExport rows thus holds the ranked document
// numbers (4 bytes each) and one chunk of hits, not a thousand hits and
// their whole file.
const ExportChunk = 50

// Export ranks up to limit hits of req in its order (its Page and Size are
// ignored), for a download, and calls emit with them in order, at most
// ExportChunk at a time, with the total number of matches. emit is called
// at least once (with no hits when nothing matches), so that a caller can
// write a header first; an error from emit stops the export and is
// returned as it is. limit is 0 for MaxExport, at most MaxExport. The
// order is the one Search's pages give, but an export skips what a page
// needs and a file does not: facets, highlighting and the spelling check;
// it ranks the candidates once.
//
// The index generation stays open until Export returns: emit should write
// to its client and return, not wait on anything else.
func (s *Searcher) Export(ctx context.Context, req Request, limit int, emit func(total uint64, hits []Hit) error) error {
	switch {
	case limit == 0:
		limit = MaxExport
	case limit < 0 || limit > MaxExport:
		return Errorf(KindInvalid, "limit must be between 1 and %d", MaxExport)
	}
	r, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer r.Release()
	req.Page, req.Size, req.Cursor = 1, MaxSize, ""
	p, err := s.prepare(r, &req)
	if err != nil {
		return err
	}
	e := s.newRun(ctx, r)
	ranked, cnt, sc, err := e.rankAll(p, req, limit, false)
	if sc != nil {
		defer sc.release()
	}
	if err != nil {
		return s.wrap(err)
	}
	for i := 0; i == 0 || i < len(ranked); i += ExportChunk {
		if e.stop() {
			return s.wrap(ctx.Err())
		}
		hits, err := e.hits(ranked[i:min(i+ExportChunk, len(ranked))], p.terms, sc, false)
		if err != nil {
			return s.wrap(err)
		}
		if err := emit(cnt.total, hits); err != nil {
			return err
		}
	}
	return nil
}

// ExportAll returns the hits of an export of req (see Export) in one slice,
// with the total number of matches: for a caller that needs them all at
// once, such as a test. A server streams them with Export instead.
func (s *Searcher) ExportAll(ctx context.Context, req Request, limit int) ([]Hit, uint64, error) {
	var all []Hit
	var total uint64
	err := s.Export(ctx, req, limit, func(t uint64, hits []Hit) error {
		total = t
		all = append(all, hits...)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return all, total, nil
}

// BOM is the UTF-8 byte order mark that starts every CSV file a CSVWriter
// writes. Excel reads a CSV file without it in the system's legacy code
// page, so "Geräte" would show as "GerÃ¤te"; with it, as UTF-8. Other
// readers skip it or, like encoding/csv, keep it in the first cell: strip
// it before parsing.
const BOM = "\uFEFF"

// csvHeader names the columns a CSVWriter writes.
var csvHeader = []string{"rank", "title", "type", "date", "themes", "url", "page", "translations"}

// CSVWriter writes hits as CSV (RFC 4180), after a UTF-8 BOM, with a header line: rank, title,
// type and themes as labels (label gives them, as Searcher.Label does),
// date, url, the page of a PDF's best match, and the other-language
// versions as "lang url" pairs. A cell a spreadsheet would read as a
// formula (=, +, -, @ first) gets a leading apostrophe. It writes the
// header before the first row and numbers the rows across calls, so that
// an export can be written a chunk at a time.
type CSVWriter struct {
	w      io.Writer
	cw     *csv.Writer
	label  func(facet, value string) string
	rank   int
	header bool
	row    []string
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer, label func(facet, value string) string) *CSVWriter {
	return &CSVWriter{w: w, cw: csv.NewWriter(w), label: label, row: make([]string, len(csvHeader))}
}

// Write writes the BOM and the header (on the first call) and a row for each hit, and
// flushes them to the underlying writer.
func (w *CSVWriter) Write(hits []Hit) error {
	if !w.header {
		w.header = true
		if _, err := io.WriteString(w.w, BOM); err != nil {
			return err
		}
		if err := w.cw.Write(csvHeader); err != nil {
			return err
		}
	}
	var themes, versions []string
	for _, h := range hits {
		w.rank++
		themes = themes[:0]
		for _, t := range h.Themes {
			themes = append(themes, w.label("theme", t))
		}
		versions = versions[:0]
		for _, t := range h.Translations {
			versions = append(versions, t.Lang+" "+t.URL)
		}
		page := ""
		if h.Page > 0 {
			page = strconv.Itoa(h.Page)
		}
		row := append(w.row[:0], strconv.Itoa(w.rank), h.Title, w.label("type", h.Type), h.Date,
			strings.Join(themes, "; "), h.URL, page, strings.Join(versions, "; "))
		for j, c := range row {
			row[j] = safeCell(c)
		}
		if err := w.cw.Write(row); err != nil {
			return err
		}
	}
	w.cw.Flush()
	return w.cw.Error()
}

// Rows returns the number of rows written, the header aside.
func (w *CSVWriter) Rows() int { return w.rank }

// WriteCSV writes hits as CSV after a BOM, with a header line, as a CSVWriter does.
func WriteCSV(w io.Writer, hits []Hit, label func(facet, value string) string) error {
	return NewCSVWriter(w, label).Write(hits)
}

// safeCell defuses a cell that a spreadsheet would evaluate.
func safeCell(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}
