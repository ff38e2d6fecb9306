package search

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
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
	req.Page, req.Size = 1, MaxSize
	p, err := s.prepare(&req)
	if err != nil {
		return nil, 0, err
	}
	q := withFilters(p.textQ, p.filters, "")
	var terms []rankTerm
	if req.Sort == SortRelevance && !s.rank.Off {
		terms = s.rankTerms(p.pq, p.synonyms, s.rank, p.langs...)
	}
	var ids []string
	var total uint64
	if len(terms) > 0 {
		// As Search: the ranking layer orders bleve's best Depth
		// candidates; any more follow in bleve's order.
		main := bleve.NewSearchRequestOptions(q, s.rank.Depth, 0, false)
		main.SortByCustom(sortOrder(SortRelevance))
		res, err := s.idx.SearchInContext(ctx, main)
		if err != nil {
			return nil, 0, s.wrap(err)
		}
		total = res.Total
		cands := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			cands[i] = h.ID
		}
		ranked, err := s.rankIDs(ctx, p, cands, terms)
		if err != nil {
			return nil, 0, s.wrap(err)
		}
		for _, r := range ranked[:min(len(ranked), limit)] {
			ids = append(ids, r.id)
		}
		if len(ranked) == s.rank.Depth && len(ids) < limit {
			more := bleve.NewSearchRequestOptions(q, limit-len(ids), len(ranked), false)
			more.SortByCustom(sortOrder(SortRelevance))
			res, err := s.idx.SearchInContext(ctx, more)
			if err != nil {
				return nil, 0, s.wrap(err)
			}
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
		}
	} else {
		main := bleve.NewSearchRequestOptions(q, limit, 0, false)
		main.SortByCustom(sortOrder(req.Sort))
		res, err := s.idx.SearchInContext(ctx, main)
		if err != nil {
			return nil, 0, s.wrap(err)
		}
		total = res.Total
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
	}
	matches, err := s.matchIDs(ctx, p.textQ, ids, true, false)
	if err != nil {
		return nil, 0, s.wrap(err)
	}
	hits := make([]Hit, 0, len(ids))
	for _, id := range ids {
		if m := matches[id]; m != nil {
			hits = append(hits, makeHit(m, nil))
		}
	}
	return hits, total, nil
}

// csvHeader names the columns WriteCSV writes.
var csvHeader = []string{"rank", "title", "type", "date", "themes", "url", "page", "translations"}

// WriteCSV writes hits as CSV (RFC 4180) with a header line: rank, title,
// type and themes as labels (label gives them, as Searcher.Label does),
// date, url, the page of a PDF's best match, and the other-language
// versions as "lang url" pairs. A cell a spreadsheet would read as a
// formula (=, +, -, @ first) gets a leading apostrophe.
func WriteCSV(w io.Writer, hits []Hit, label func(facet, value string) string) error {
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
