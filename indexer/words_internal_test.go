package indexer

import (
	"context"
	"testing"
)

// TestWordsNumberedAsTheIndex: a Writer writes the completion dictionary
// in the document numbers of the index it closed (bleve's merges reorder
// documents), so a Reader of its directory uses each bitmap as stored,
// without renumbering.
func TestWordsNumberedAsTheIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := NewWriter(dir, 2) // a segment per two documents, merged at will
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"} {
		if _, err := w.Add(ctx, &Document{ID: id, Title: "Minutes " + id, Body: "Teachers discussed devices.", Lang: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.words == nil || r.words.ord != nil || r.words.dead != nil {
		t.Fatalf("words read with renumbering (%+v)", r.words)
	}
	bm, err := r.WordBitmap("devices")
	if err != nil || bm.GetCardinality() != 10 {
		t.Errorf("WordBitmap(devices) = %v, %v; want all 10 documents", bm, err)
	}
}
