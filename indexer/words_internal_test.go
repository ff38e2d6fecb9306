package indexer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
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

// TestWordsWriteRenumbers: write renumbers every word's documents into the
// order it is given (on several goroutines when there are many words),
// leaving the writer's own bitmaps as they were, so that docFreq may read
// them meanwhile.
func TestWordsWriteRenumbers(t *testing.T) {
	t.Parallel()
	ww := newWordsWriter()
	const nDocs, nWords = 300, 5000
	ids := make([]string, nDocs)
	holds := func(d, w int) bool { return (d*7+w*13)%11 < 3 || w%97 == d%97 }
	for d := range nDocs {
		ids[d] = fmt.Sprintf("doc-%03d", d)
		var ts analysis.TokenStream
		for w := range nWords {
			if holds(d, w) {
				ts = append(ts, &analysis.Token{Term: []byte(fmt.Sprintf("w%05d", w))})
			}
		}
		ww.add(ids[d], ww.intern(ts))
	}
	order := slices.Clone(ids)
	rand.New(rand.NewPCG(5, 6)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	before := ww.docFreq("w00042")
	path := filepath.Join(t.TempDir(), wordsFile)
	if err := ww.write(path, order); err != nil {
		t.Fatal(err)
	}
	if got := ww.docFreq("w00042"); got != before {
		t.Errorf("docFreq after write %d, before %d", got, before)
	}
	ws, v, err := openWords(path, order)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	if v.len() != nWords {
		t.Fatalf("%d words read, want %d", v.len(), nWords)
	}
	pos := map[string]int{}
	for n, id := range order {
		pos[id] = n
	}
	for i := range v.len() {
		var w int
		fmt.Sscanf(v.word(i), "w%05d", &w)
		bm, err := ws.bitmap(v, i)
		if err != nil {
			t.Fatal(err)
		}
		want := roaring.New()
		for d := range nDocs {
			if holds(d, w) {
				want.Add(uint32(pos[ids[d]]))
			}
		}
		if !bm.Equals(want) {
			t.Fatalf("word %s: documents %v, want %v", v.word(i), bm.ToArray(), want.ToArray())
		}
	}
}

func TestDedupe(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	for range 500 {
		nums := make([]uint32, r.IntN(300))
		for i := range nums {
			nums[i] = uint32(r.IntN(1 << uint(1+r.IntN(20))))
		}
		var want []uint32
		seen := map[uint32]bool{}
		for _, n := range nums {
			if !seen[n] {
				seen[n] = true
				want = append(want, n)
			}
		}
		if got := dedupe(slices.Clone(nums)); !slices.Equal(got, want) {
			t.Fatalf("dedupe(%v) = %v, want %v", nums, got, want)
		}
	}
}
