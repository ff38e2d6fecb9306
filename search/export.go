package search

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// MaxExport is the most hits Export returns.
const MaxExport = 1000

// Export returns up to limit hits of req in its order (its Page and Size
// are ignored), for a download, with the total number of matches. limit
// is 0 for MaxExport, at most MaxExport. The order is the one Search's
// pages give, but an export skips what a page needs and a file does not:
// facets, highlighting and the spelling check; it ranks the candidates
// once and loads every hit's fields in one search.
func (s *Searcher) Export(ctx context.Context, req Request, limit int) ([]Hit, uint64, error) {
	switch {
	case limit == 0:
		limit = MaxExport
	case limit < 0 || limit > MaxExport:
		return nil, 0, Errorf(KindInvalid, "limit must be between 1 and %d", MaxExport)
	}
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer r.Release()
	req.Page, req.Size = 1, MaxSize
	p, err := s.prepare(r, &req)
	if err != nil {
		return nil, 0, err
	}
	e := s.newRun(ctx, r)
	ranked, cnt, sc, err := e.rankAll(p, req, limit, false)
	if sc != nil {
		defer sc.release()
	}
	if err != nil {
		return nil, 0, s.wrap(err)
	}
	hits, err := e.hits(ranked, p.terms, sc, false)
	if err != nil {
		return nil, 0, s.wrap(err)
	}
	return hits, cnt.total, nil
}

// BOM is the UTF-8 byte order mark that starts every CSV file WriteCSV
// writes. Excel reads a CSV file without it in the system's legacy code
// page, so "Geräte" would show as "GerÃ¤te"; with it, as UTF-8. Other
// readers skip it or, like encoding/csv, keep it in the first cell: strip
// it before parsing.
const BOM = "\uFEFF"

// csvHeader names the columns WriteCSV writes.
var csvHeader = []string{"rank", "title", "type", "date", "themes", "url", "page", "translations"}

// WriteCSV writes hits as CSV (RFC 4180), after a UTF-8 BOM, with a header
// line: rank, title, type and themes as labels (label gives them, as
// Searcher.Label does), date, url, the page of a PDF's best match, and the
// other-language versions as "lang url" pairs. A cell a spreadsheet would read as a
// formula (=, +, -, @ first) gets a leading apostrophe.
func WriteCSV(w io.Writer, hits []Hit, label func(facet, value string) string) error {
	if _, err := io.WriteString(w, BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for i, h := range hits {
		themes := make([]string, len(h.Themes))
		for j, t := range h.Themes {
			themes[j] = label("theme", t)
		}
		var versions []string
		for _, t := range h.Translations {
			versions = append(versions, t.Lang+" "+t.URL)
		}
		page := ""
		if h.Page > 0 {
			page = strconv.Itoa(h.Page)
		}
		row := []string{strconv.Itoa(i + 1), h.Title, label("type", h.Type), h.Date, strings.Join(themes, "; "),
			h.URL, page, strings.Join(versions, "; ")}
		for j, c := range row {
			row[j] = safeCell(c)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCell defuses a cell that a spreadsheet would evaluate.
func safeCell(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}
