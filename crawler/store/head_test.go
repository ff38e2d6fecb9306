package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

func fullRecord() *Record {
	return &Record{
		URL: "https://example.org/a_fr", FinalURL: "https://example.org/a_fr", Canonical: "https://example.org/c",
		Depth: 3, FetchedAt: time.Date(2025, 2, 3, 4, 5, 6, 7, time.UTC), Status: 200,
		ContentType: "text/html; charset=utf-8", ETag: `W/"e1"`, LastModified: "Mon, 03 Feb 2025 04:05:06 GMT",
		Hash: "ab12", Size: 1 << 40, Gone: true, DuplicateOf: "https://example.org/b", Err: "boom",
		ErrReason: "http-500", Lang: "fr", TranslationKey: "https://example.org/a_*",
		Page: &extract.Page{Title: "T", Text: "long text", Canonical: "https://example.org/c",
			Links: []string{"https://example.org/x", "https://example.org/é?q=1"}, NoIndex: true, NoFollow: true},
	}
}

// wantHead is rec as a head must give it back: the page without its text.
func wantHead(rec *Record, links bool) *Record {
	w := *rec
	w.partial = true
	if rec.Page != nil {
		w.Page = &extract.Page{Canonical: rec.Page.Canonical, NoIndex: rec.Page.NoIndex, NoFollow: rec.Page.NoFollow}
		if links {
			w.Page.Links = rec.Page.Links
		}
	}
	return &w
}

func TestHeadRoundTrip(t *testing.T) {
	t.Parallel()
	for name, rec := range map[string]*Record{
		"full":     fullRecord(),
		"no page":  {URL: "https://example.org/r", FinalURL: "https://example.org/", DuplicateOf: "https://example.org/", Status: 301},
		"zero":     {URL: "u"},
		"no links": {URL: "u", Page: &extract.Page{Title: "x"}},
	} {
		b, err := headOf(rec)
		if err != nil {
			t.Fatalf("%s: headOf: %v", name, err)
		}
		for _, links := range []bool{true, false} {
			got, err := decodeHead(b, links)
			if err != nil {
				t.Fatalf("%s: decodeHead: %v", name, err)
			}
			if want := wantHead(rec, links); !reflect.DeepEqual(got, want) {
				t.Errorf("%s (links %v):\n got %+v %+v\nwant %+v %+v", name, links, got, got.Page, want, want.Page)
			}
		}
		// Every truncation is an error, never a panic or a wrong record.
		for i := range len(b) {
			if _, err := decodeHead(b[:i], true); !errors.Is(err, errHead) {
				t.Fatalf("%s: decodeHead of %d of %d bytes: err %v, want errHead", name, i, len(b), err)
			}
		}
	}
	if _, err := headOf(&Record{URL: "u", Depth: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative depth: err %v, want ErrInvalid", err)
	}
}

// A store whose heads are JSON (as written before the binary form) or
// missing is read through its records, and a writable Open rewrites them.
func TestOldHeadsRewrittenOnOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dir := openTemp(t)
	a, b := fullRecord(), &Record{URL: "https://example.org/b", Status: 200, Page: page("B")}
	for _, r := range []*Record{a, b} {
		if err := s.Put(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Make the store look old: a's head in JSON, b's missing, no marker.
	err := s.db.Update(func(tx *bolt.Tx) error {
		h := struct {
			Record
			Page any `json:"page"`
		}{Record: *a, Page: map[string]any{"canonical": a.Page.Canonical, "links": a.Page.Links, "noindex": true, "nofollow": true}}
		h.Record.Page = nil
		v, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketHead).Put([]byte(a.URL), v); err != nil {
			return err
		}
		if err := tx.Bucket(bucketHead).Delete([]byte(b.URL)); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete(keyHeads)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	ro, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := ro.Stats(ctx); err != nil || st.Records != 2 || st.Indexable != 1 {
		t.Errorf("read-only Stats of an old store: %+v, %v; want its 2 records, 1 indexable", st, err)
	}
	for _, r := range []*Record{a, b} {
		got, err := ro.Peek(ctx, r.URL)
		if err != nil {
			t.Fatalf("read-only Peek %s: %v", r.URL, err)
		}
		if want := wantHead(r, true); !reflect.DeepEqual(got, want) {
			t.Errorf("read-only Peek %s:\n got %+v\nwant %+v", r.URL, got, want)
		}
	}
	checkEachHead(t, ro, a, b)
	ro.Close()

	rw, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	err = rw.db.View(func(tx *bolt.Tx) error {
		for _, r := range []*Record{a, b} {
			v := tx.Bucket(bucketHead).Get([]byte(r.URL))
			if len(v) == 0 || v[0] != headVersion {
				t.Errorf("head of %s not rewritten: %.20q", r.URL, v)
			}
		}
		if v := tx.Bucket(bucketMeta).Get(keyHeads); string(v) != headsCurrent {
			t.Errorf("heads marker %q, want %q", v, headsCurrent)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Record{a, b} {
		got, err := rw.Peek(ctx, r.URL)
		if err != nil || !reflect.DeepEqual(got, wantHead(r, true)) {
			t.Errorf("Peek %s after the rewrite: %+v, %v", r.URL, got, err)
		}
	}
	checkEachHead(t, rw, a, b)
}

// checkEachHead checks that s.EachHead gives the heads of recs (in URL
// order), links included, as Peek does.
func checkEachHead(t *testing.T, s *Store, recs ...*Record) {
	t.Helper()
	var got []*Record
	if err := s.EachHead(context.Background(), func(r *Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatalf("EachHead: %v", err)
	}
	if len(got) != len(recs) {
		t.Fatalf("EachHead gave %d records, want %d", len(got), len(recs))
	}
	for i, r := range recs {
		if want := wantHead(r, true); !reflect.DeepEqual(got[i], want) {
			t.Errorf("EachHead %d:\n got %+v %+v\nwant %+v %+v", i, got[i], got[i].Page, want, want.Page)
		}
	}
}
