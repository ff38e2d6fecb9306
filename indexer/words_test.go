package indexer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// TestWordBitmapsAfterMerges: the completion dictionary numbers documents
// in the order the Writer added them, and bleve's merges renumber them;
// each word's bitmap names exactly the documents whose title or body
// holds it, by id, over a segment per batch merged into one.
func TestWordBitmapsAfterMerges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := indexer.NewWriter(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	docs := indexertest.SyntheticDocs(40)
	want := map[string][]string{} // word -> ids
	for i := range docs {
		d := docs[i]
		if _, err := w.Add(ctx, &d); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, f := range strings.FieldsFunc(strings.ToLower(docs[i].Title+" "+docs[i].Body), func(r rune) bool {
			return !('a' <= r && r <= 'z')
		}) {
			if len(f) >= 3 && !seen[f] {
				seen[f] = true
				want[f] = append(want[f], docs[i].ID)
			}
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	forceMerge(t, dir)

	r, err := indexer.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checked := 0
	err = r.Words("", func(word string, n int) bool {
		ids, ok := want[word]
		if !ok {
			return true // a stop word the test's split keeps out, or the reverse
		}
		bm, err := r.WordBitmap(word)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range bm.ToArray() {
			got = append(got, r.ID(d))
		}
		slices.Sort(got)
		slices.Sort(ids)
		if !slices.Equal(got, ids) || n != len(ids) {
			t.Errorf("%s: %d documents %v, want %v", word, n, got, ids)
		}
		checked++
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("only %d words checked", checked)
	}
}

// TestWordsFileDamaged: a generation whose completion dictionary is cut
// short, garbled or missing does not open, and OpenChecked says it is
// corrupted, so that a server falls back to another generation.
func TestWordsFileDamaged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"truncated", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbled lengths", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := 40; i < len(b)-8; i += 7 {
				b[i] = 0xff // uvarints that never end, lengths past the file
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"missing", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := indexertest.SyntheticStore(t, t.TempDir(), 30)
			defer st.Close()
			dir := t.TempDir()
			res, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true})
			if err != nil {
				t.Fatal(err)
			}
			tc.damage(t, filepath.Join(dir, res.Generation, "words"))
			if r, err := indexer.OpenChecked(ctx, dir, res.Generation); err == nil || !errors.Is(err, indexer.ErrCorrupt) {
				if r != nil {
					r.Close()
				}
				t.Errorf("OpenChecked = %v, want ErrCorrupt", err)
			}
		})
	}
}
