package indexer_test

import (
	"slices"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// TestDocumentPageStarts: a stored document comes back with its pages'
// offsets (stored apart from its source, as its text is), so the
// document API can link to each page of a PDF.
func TestDocumentPageStarts(t *testing.T) {
	t.Parallel()
	docs := []indexer.Document{
		{ID: "pdf", URL: "http://portal.test/a.pdf", Title: "Report", Type: "report", Body: "First page text. Second page text.", PageStarts: []int{0, 17}, Pages: 2, Themes: []string{}},
		{ID: "html", URL: "http://portal.test/b.html", Title: "Page", Type: "page", Body: "One page.", Themes: []string{}},
	}
	r := indexertest.Reader(t, docs, true)
	for _, want := range docs {
		got, ok, err := r.Document(want.ID)
		if err != nil || !ok {
			t.Fatalf("Document(%s): %v, %v", want.ID, ok, err)
		}
		if !slices.Equal(got.PageStarts, want.PageStarts) || got.Body != want.Body {
			t.Errorf("Document(%s): page starts %v, body %q; want %v, %q", want.ID, got.PageStarts, got.Body, want.PageStarts, want.Body)
		}
	}
}
