package indexer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

// TestBuildMatchesSequential: Build, with documents made on several
// workers and small batches, writes the generation a single goroutine
// writes by adding the store's documents in order: the same index, the
// same text store byte for byte, the same statistics.
func TestBuildMatchesSequential(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := indexertest.SyntheticStore(t, t.TempDir(), 120)
	defer st.Close()

	dir := t.TempDir()
	res, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{BatchSize: 17, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := filepath.Join(dir, res.Generation)

	want := t.TempDir()
	w, err := indexer.NewWriter(want, 500)
	if err != nil {
		t.Fatal(err)
	}
	site, err := indexer.ReadSite(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = st.Each(ctx, func(rec *store.Record) error {
		if !rec.Indexable() {
			return nil
		}
		d := indexer.NewDocumentIn(rec, taxonomy.Default(), site)
		if seen[d.ID] {
			return nil
		}
		seen[d.ID] = true
		_, err := w.Add(ctx, &d)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if res.Documents != len(seen) || res.Documents < 120 {
		t.Errorf("Build indexed %d documents, want %d (at least 120)", res.Documents, len(seen))
	}

	gotTexts, err := os.ReadFile(filepath.Join(got, "texts"))
	if err != nil {
		t.Fatal(err)
	}
	wantTexts, err := os.ReadFile(filepath.Join(want, "texts"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotTexts, wantTexts) {
		t.Errorf("text stores differ: %d bytes, want %d", len(gotTexts), len(wantTexts))
	}

	open := func(dir string) bleve.Index {
		idx, err := bleve.OpenUsing(filepath.Join(dir, "index"), map[string]any{"read_only": true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return idx
	}
	gi, wi := open(got), open(want)
	gs, gok, err := indexer.ReadStats(gi)
	if err != nil {
		t.Fatal(err)
	}
	ws, wok, err := indexer.ReadStats(wi)
	if err != nil {
		t.Fatal(err)
	}
	if !gok || !wok || !reflect.DeepEqual(gs, ws) {
		t.Errorf("stats %+v (%v), want %+v (%v)", gs, gok, ws, wok)
	}
	gd, wd := dumpIndex(t, gi), dumpIndex(t, wi)
	for _, k := range sortedKeys(wd) {
		if gd[k] != wd[k] {
			t.Errorf("%s:\n got %s\nwant %s", k, gd[k], wd[k])
		}
	}
	if len(gd) != len(wd) {
		t.Errorf("%d entries in the index dump, want %d", len(gd), len(wd))
	}
}

// TestBuildCancelled: a build whose context ends midway returns the
// context's error, leaves the current generation as it was and no
// partial directory behind.
func TestBuildCancelled(t *testing.T) {
	t.Parallel()
	st := indexertest.SyntheticStore(t, t.TempDir(), 200)
	defer st.Close()
	dir := t.TempDir()
	first, err := indexer.Build(context.Background(), st, dir, indexer.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches := 0
	_, err = indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true, BatchSize: 20, Progress: func(int) {
		if batches++; batches == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build: %v, want context.Canceled", err)
	}
	if batches != 2 {
		t.Errorf("%d batches written after cancel, want none after the 2nd", batches)
	}
	name, m, err := indexer.Current(dir)
	if err != nil || name != first.Generation || m.Documents != first.Documents {
		t.Errorf("current generation %s (%v), want %s", name, err, first.Generation)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"CURRENT", first.Generation}; !reflect.DeepEqual(names, want) {
		t.Errorf("index directory holds %q, want %q", names, want)
	}
}
