package indexer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/kbsearch/kbsearch/indexer"
)

// TestWordsCountLiveDocuments checks the completion dictionary held in
// memory: words in order under a prefix, each with the number of live
// documents holding it, over several segments and after a deletion; and
// that a Reader numbers the deleted documents too (it once took a
// segment's live count for its size and read past its ids).
func TestWordsCountLiveDocuments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := indexer.NewWriter(dir, 2) // a batch of two: several segments
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bodies := map[string]string{
		"a": "Learning analytics dashboards for teachers.",
		"b": "Learning platforms and learners.",
		"c": "Leaders of schools and learning.",
		"d": "Coding clubs.",
		"e": "Learners' dashboards.",
	}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if _, err := w.Add(ctx, &indexer.Document{ID: id, Title: "Doc " + id, Body: bodies[id], Lang: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open(filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Delete("b"); err != nil {
		t.Fatal(err)
	}
	r, err := indexer.NewReader(idx, filepath.Join(dir, "texts"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	if r.Count() != 4 {
		t.Errorf("Count = %d, want 4", r.Count())
	}
	if _, ok, err := r.Document("b"); ok || err != nil {
		t.Errorf("deleted document: found %v, %v", ok, err)
	}
	if d, ok, err := r.Document("e"); !ok || err != nil || d.Body != bodies["e"] {
		t.Errorf("Document(e) = %+v, %v, %v", d, ok, err)
	}

	type entry struct {
		word string
		docs int
	}
	words := func(prefix string) []entry {
		var out []entry
		if err := r.Words(prefix, func(w string, n int) bool {
			out = append(out, entry{w, n})
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := words("lea")
	want := []entry{{"leaders", 1}, {"learners", 1}, {"learning", 2}}
	if len(got) != len(want) {
		t.Fatalf("Words(lea) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Words(lea)[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if got := words("platform"); len(got) != 0 {
		t.Errorf("a word of the deleted document only is offered: %v", got)
	}
	for word, want := range map[string]int{"learning": 2, "platforms": 0, "dashboards": 2, "lea": 0, "zzz": 0} {
		if got, err := r.WordDocFreq(word); got != want || err != nil {
			t.Errorf("WordDocFreq(%s) = %d, %v; want %d", word, got, err, want)
		}
	}
	if got := words("zzz"); len(got) != 0 {
		t.Errorf("Words(zzz) = %v", got)
	}
	n := 0
	_ = r.Words("", func(string, int) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("Words went on after fn returned false: %d calls", n)
	}
}

// TestWordsCountAfterOneDocumentWord: in one segment without deletions, a
// word of several documents that follows a word of one document in the
// dictionary counts all its documents. zapx's dictionary iterator counts
// it as 1 (it reuses a postings list without clearing its one-hit
// fields), which once made this package's counts depend on merge timing.
func TestWordsCountAfterOneDocumentWord(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := indexer.NewWriter(dir, 1) // a segment per document...
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for id, body := range map[string]string{"a": "abacus bridges", "b": "bridges canals", "c": "bridges canals"} {
		if _, err := w.Add(ctx, &indexer.Document{ID: id, Title: "Doc", Body: body, Lang: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// ... merged into one: only a merge writes one-document words in
	// zap's one-hit form.
	forceMerge(t, dir)
	r, err := indexer.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := map[string]int{}
	if err := r.Words("", func(w string, n int) bool { got[w] = n; return true }); err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]int{"abacus": 1, "bridges": 3, "canals": 2, "doc": 3} {
		if got[word] != want {
			t.Errorf("Words: %s counts %d, want %d (all: %v)", word, got[word], want, got)
		}
	}
}

// forceMerge merges the index a Writer made in dir into one segment, as
// bleve's merges would in time (they renumber documents).
func forceMerge(t *testing.T, dir string) {
	t.Helper()
	idx, err := bleve.Open(filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	if err := adv.(*scorch.Scorch).ForceMerge(context.Background(), &opts); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}
