package indexer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// TestWriterMatchesIndexFields: a Writer, which analyses each document
// once on its own (prepare) and hands bleve fields marked as analysed,
// makes the same index as bleve indexing IndexFields's value: the same
// fields, terms, postings (frequency, norm, positions and offsets) and
// stored values, and the same token counts in the stored metadata.
func TestWriterMatchesIndexFields(t *testing.T) {
	t.Parallel()
	docs := writerDocs()
	ctx := context.Background()

	dir := t.TempDir()
	w, err := indexer.NewWriter(dir, 7) // several batches
	if err != nil {
		t.Fatal(err)
	}
	for i := range docs {
		d := docs[i]
		if _, err := w.Add(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := bleve.OpenUsing(filepath.Join(dir, "index"), map[string]any{"read_only": true})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()

	im, err := indexer.NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	want, err := bleve.New(filepath.Join(t.TempDir(), "want"), im)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	b := want.NewBatch()
	for i := range docs {
		d := docs[i]
		if err := b.Index(d.ID, indexer.IndexFields(im, &d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := want.Batch(b); err != nil {
		t.Fatal(err)
	}

	wantDump, gotDump := dumpIndex(t, want), dumpIndex(t, got)
	if len(wantDump) == 0 {
		t.Fatal("empty dump of the reference index")
	}
	for _, k := range sortedKeys(wantDump) {
		if gotDump[k] != wantDump[k] {
			t.Errorf("%s:\n got %s\nwant %s", k, gotDump[k], wantDump[k])
		}
	}
	for _, k := range sortedKeys(gotDump) {
		if _, ok := wantDump[k]; !ok {
			t.Errorf("%s: unexpected %s", k, gotDump[k])
		}
	}
}

// writerDocs are synthetic English documents and a few that exercise the
// other text fields and optional metadata.
func writerDocs() []indexer.Document {
	docs := indexertest.SyntheticDocs(20)
	fr := docs[0]
	fr.ID, fr.URL, fr.Lang = "fr-1", "http://portal.test/fr.html", "fr"
	fr.Title = "L'évaluation numérique des élèves"
	fr.Body = "Les enseignants des écoles utilisent des tablettes chaque jour. " + strings.Repeat("Le rapport décrit les appareils partagés. ", 20)
	fr.PageStarts = []int{0, 64}
	fr.Translations = []indexer.Translation{{Lang: "en", URL: docs[1].URL, ID: docs[1].ID}}
	de := docs[2]
	de.ID, de.URL, de.Lang, de.Title = "de-1", "http://portal.test/de.html", "de", "Bericht über Tablets"
	de.Body = "Die Lehrkräfte der besuchten Schulen nutzen jeden Tag Tablets."
	bare := indexer.Document{ID: "bare", URL: "http://portal.test/bare", Title: "http://portal.test/bare", Type: "page", Themes: []string{}}
	return append(docs, fr, de, bare)
}

// dumpIndex describes everything a search can read of idx, keyed by what
// it describes, with documents named by their external ids.
func dumpIndex(t *testing.T, idx bleve.Index) map[string]string {
	t.Helper()
	ctx := context.Background()
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fields, err := r.Fields()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"fields": fmt.Sprint(sortedCopy(fields))}
	for _, field := range fields {
		dict, err := r.FieldDict(field)
		if err != nil {
			t.Fatal(err)
		}
		var terms []string
		for {
			e, err := dict.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			terms = append(terms, e.Term)
		}
		dict.Close()
		for _, term := range terms {
			tfr, err := r.TermFieldReader(ctx, []byte(term), field, true, true, true)
			if err != nil {
				t.Fatal(err)
			}
			var posts []string
			for {
				p, err := tfr.Next(nil)
				if err != nil {
					t.Fatal(err)
				}
				if p == nil {
					break
				}
				id, err := r.ExternalID(p.ID)
				if err != nil {
					t.Fatal(err)
				}
				var locs []string
				for _, v := range p.Vectors {
					locs = append(locs, fmt.Sprintf("%d:%d-%d%v", v.Pos, v.Start, v.End, v.ArrayPositions))
				}
				posts = append(posts, fmt.Sprintf("%s f%d n%.6f %v", id, p.Freq, p.Norm, locs))
			}
			tfr.Close()
			slices.Sort(posts)
			out["term "+field+":"+term] = strings.Join(posts, "; ")
		}
	}
	count, err := r.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	out["docs"] = fmt.Sprint(count)
	ids, err := r.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	defer ids.Close()
	for {
		iid, err := ids.Next()
		if err != nil {
			t.Fatal(err)
		}
		if iid == nil {
			break
		}
		ext, err := r.ExternalID(iid)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := r.Document(ext)
		if err != nil {
			t.Fatal(err)
		}
		var stored []string
		doc.VisitFields(func(f index.Field) {
			stored = append(stored, fmt.Sprintf("%s%v=%q", f.Name(), f.ArrayPositions(), f.Value()))
		})
		slices.Sort(stored)
		out["stored "+ext] = strings.Join(stored, " ")
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// TestWriterBatchOutlivesAddContext: a batch handed over by Add is
// written even if the context of that Add ends right after (Build's
// workers' context ends before it closes the Writer).
func TestWriterBatchOutlivesAddContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := indexer.NewWriter(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	docs := indexertest.SyntheticDocs(3)
	ctx, cancel := context.WithCancel(context.Background())
	for i := range docs[:2] {
		if _, err := w.Add(ctx, &docs[i]); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if _, err := w.Add(context.Background(), &docs[2]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	r, err := indexer.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Count() != 3 {
		t.Errorf("%d documents indexed, want 3", r.Count())
	}
}
