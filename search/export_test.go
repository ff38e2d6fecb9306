package search

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// Export gives the hits of every page of a search, in the search's order,
// and the same fields.
func TestExport(t *testing.T) {
	t.Parallel()
	// More documents than the ranking layer's depth (500): an export runs
	// past the reranked candidates, as pages do.
	s := newSearcherOver(t, indexertest.SyntheticDocs(700), true, Options{})
	if s.rank.Depth >= 700 {
		t.Fatalf("ranking depth %d: the test needs more documents", s.rank.Depth)
	}
	ctx := context.Background()
	for _, req := range []Request{{}, {Query: "teacher training"}, {Query: "digital", Sort: SortNewest}} {
		var want []string
		var total uint64
		for page := 1; ; page++ {
			r := req
			r.Page, r.Size = page, MaxSize
			res, err := s.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			total = res.Total
			for _, h := range res.Hits {
				want = append(want, h.ID)
			}
			if len(res.Hits) < MaxSize {
				break
			}
		}
		hits, gotTotal, err := s.ExportAll(ctx, req, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.ID)
		}
		if len(hits) > 0 && (hits[0].Title == "" || hits[0].URL == "" || hits[0].Type == "") {
			t.Errorf("%+v: export hit without its fields: %+v", req, hits[0])
		}
		if gotTotal != total || !reflect.DeepEqual(got, want) || len(got) == 0 {
			t.Errorf("%+v: export of %d hits (total %d), want the %d of the pages (total %d)", req, len(got), gotTotal, len(want), total)
		}
		if hits, _, err := s.ExportAll(ctx, req, 7); err != nil || len(hits) != min(7, len(want)) || hits[0].ID != want[0] {
			t.Errorf("%+v, limit 7: %d hits, %v", req, len(hits), err)
		}
	}
	for _, limit := range []int{-1, MaxExport + 1} {
		if _, _, err := s.ExportAll(ctx, Request{}, limit); KindOf(err) != KindInvalid {
			t.Errorf("limit %d: err %v, want invalid", limit, err)
		}
	}
	t.Run("chunks", func(t *testing.T) { testExportChunks(t, s) })
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	hits := []Hit{
		{Title: `Report, "draft"`, Type: "report", Date: "2018-03-22", Themes: []string{"oer", "policy"}, URL: "http://p/r.pdf", Page: 3,
			Translations: []indexer.Translation{{Lang: "fr", URL: "http://p/r_fr.html"}}},
		{Title: "=HYPERLINK(\"http://evil\")", Type: "page", URL: "http://p/x"},
		{Title: "-minus", Type: "minutes", URL: "http://p/m", Themes: []string{}},
		{Title: "Synthèse: digitale Geräte", Type: "report", URL: "http://p/s"},
	}
	label := func(facet, v string) string { return facet + ":" + v }
	var buf bytes.Buffer
	if err := WriteCSV(&buf, hits, label); err != nil {
		t.Fatal(err)
	}
	// Excel reads a CSV file as UTF-8 only when it starts with a BOM.
	body, ok := strings.CutPrefix(buf.String(), "\xEF\xBB\xBF")
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %q", buf.String()[:min(buf.Len(), 10)])
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, buf.String())
	}
	want := [][]string{
		{"rank", "title", "type", "date", "themes", "url", "page", "translations"},
		{"1", `Report, "draft"`, "type:report", "2018-03-22", "theme:oer; theme:policy", "http://p/r.pdf", "3", "fr http://p/r_fr.html"},
		{"2", `'=HYPERLINK("http://evil")`, "type:page", "", "", "http://p/x", "", ""},
		{"3", "'-minus", "type:minutes", "", "", "http://p/m", "", ""},
		{"4", "Synthèse: digitale Geräte", "type:report", "", "", "http://p/s", "", ""},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("CSV:\n got %q\nwant %q", rows, want)
	}
}

// An export hands its hits on a chunk at a time, so that a server writes
// them out before it loads the next: never more than ExportChunk at once,
// in order, with the total each time, and once with none when nothing
// matches (for the header).
// It runs as TestExport's subtest, over the same 700 documents.
func testExportChunks(t *testing.T, s *Searcher) {
	ctx := context.Background()
	want, total, err := s.ExportAll(ctx, Request{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	calls := 0
	err = s.Export(ctx, Request{}, 0, func(tot uint64, hits []Hit) error {
		calls++
		if len(hits) > ExportChunk || len(hits) == 0 {
			t.Errorf("chunk %d: %d hits, want 1 to %d", calls, len(hits), ExportChunk)
		}
		if tot != total {
			t.Errorf("chunk %d: total %d, want %d", calls, tot, total)
		}
		for _, h := range hits {
			got = append(got, h.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if wantCalls := (len(want) + ExportChunk - 1) / ExportChunk; calls != wantCalls || len(got) != len(want) {
		t.Errorf("%d chunks of %d hits in all, want %d of %d", calls, len(got), wantCalls, len(want))
	}
	for i := range got {
		if got[i] != want[i].ID {
			t.Fatalf("hit %d: %s, want %s", i, got[i], want[i].ID)
		}
	}

	calls = 0
	err = s.Export(ctx, Request{Query: "zzzqqqnothing"}, 0, func(tot uint64, hits []Hit) error {
		calls++
		if tot != 0 || len(hits) != 0 {
			t.Errorf("no match: total %d, %d hits", tot, len(hits))
		}
		return nil
	})
	if err != nil || calls != 1 {
		t.Errorf("no match: %d calls, %v; want 1 call", calls, err)
	}

	stop := errors.New("client gone")
	calls = 0
	err = s.Export(ctx, Request{}, 0, func(uint64, []Hit) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("emit failing: %d calls, %v; want 1 call and its error", calls, err)
	}
}
