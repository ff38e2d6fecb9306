package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func page(title string) *extract.Page {
	return &extract.Page{Title: title, Text: title + " text", PageCount: 1}
}

func TestPutGetRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dir := openTemp(t)
	body := []byte("<html>hello</html>")
	want := &Record{
		URL: "https://example.org/a", FinalURL: "https://example.org/a", Depth: 1,
		FetchedAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Status: 200,
		ContentType: "text/html", ETag: `"x"`, Size: int64(len(body)), Page: page("A"),
	}
	if err := s.Put(ctx, want, body); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if want.Hash != sum(body) {
		t.Fatalf("Put did not set the hash: got %q", want.Hash)
	}
	got, err := s.Get(ctx, want.URL)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("Get mismatch (-want +got):\n-%+v\n+%+v", want, got)
	}
	raw, err := s.Raw(ctx, want.Hash)
	if err != nil || string(raw) != string(body) {
		t.Errorf("Raw = %q, %v; want %q", raw, err, body)
	}

	// Survives a reopen.
	s.Close()
	s2, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	got, err = s2.Get(ctx, want.URL)
	if err != nil || got.Page.Title != "A" {
		t.Errorf("after reopen Get = %+v, %v", got, err)
	}
	if err := s2.Put(ctx, want, nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Put on read-only store: got %v, want ErrReadOnly", err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTemp(t)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"get missing", func() error { _, err := s.Get(ctx, "https://nope/"); return err }, ErrNotFound},
		{"raw missing", func() error { _, err := s.Raw(ctx, "abc"); return err }, ErrNotFound},
		{"hash missing", func() error { _, err := s.URLForHash(ctx, "abc"); return err }, ErrNotFound},
		{"empty hash", func() error { _, err := s.URLForHash(ctx, ""); return err }, ErrInvalid},
		{"nil record", func() error { return s.Put(ctx, nil, nil) }, ErrInvalid},
		{"no url", func() error { return s.Put(ctx, &Record{}, nil) }, ErrInvalid},
		{"hash mismatch", func() error { return s.Put(ctx, &Record{URL: "u", Hash: "beef"}, []byte("x")) }, ErrInvalid},
		{"canceled", func() error { _, err := s.Get(canceled, "u"); return err }, context.Canceled},
		{"empty dir", func() error { _, err := Open(ctx, "", Options{}); return err }, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestOpenBusyAndReadOnlyMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, dir := openTemp(t)
	_, err := Open(ctx, dir, Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrBusy) {
		t.Errorf("second writable open: got %v, want ErrBusy", err)
	}
	if err != nil && err.Error() == "" {
		t.Error("empty error message")
	}
	if _, err := Open(ctx, t.TempDir(), Options{ReadOnly: true}); err == nil {
		t.Error("read-only open of a missing store succeeded")
	}
}

func TestRawStoredOncePerHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTemp(t)
	body := []byte("same bytes")
	for _, u := range []string{"https://h/a", "https://h/b"} {
		if err := s.Put(ctx, &Record{URL: u, Status: 200, Page: page(u)}, body); err != nil {
			t.Fatal(err)
		}
	}
	// A nil raw keeps the stored bytes.
	if err := s.Put(ctx, &Record{URL: "https://h/c", Hash: sum(body), Status: 200}, nil); err != nil {
		t.Fatal(err)
	}
	for i, reason := range []extract.Reason{"http-500", "malformed", "malformed"} {
		if err := s.Put(ctx, &Record{URL: fmt.Sprintf("https://h/f%d", i), Err: "x", ErrReason: reason}, nil); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Records: 6, Indexable: 2, Failed: 3, FailedBy: map[extract.Reason]int{"http-500": 1, "malformed": 2},
		RawObjects: 1, RawBytes: int64(len(body))}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("Stats (-want +got):\n-%+v\n+%+v", want, st)
	}
}

func TestURLForHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	body := []byte("shared")
	h := sum(body)
	tests := []struct {
		name    string
		records []*Record
		want    string
	}{
		{"first in url order", []*Record{{URL: "https://h/b"}, {URL: "https://h/a"}}, "https://h/a"},
		{"skips gone", []*Record{{URL: "https://h/a", Gone: true}, {URL: "https://h/b"}}, "https://h/b"},
		{"skips duplicates", []*Record{{URL: "https://h/a", DuplicateOf: "https://h/z"}, {URL: "https://h/c"}}, "https://h/c"},
		{"none live", []*Record{{URL: "https://h/a", Gone: true}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t)
			for _, r := range tc.records {
				if err := s.Put(ctx, r, body); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.URLForHash(ctx, h)
			if tc.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("got %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("URLForHash = %q, %v; want %q", got, err, tc.want)
			}
		})
	}

	t.Run("content changed", func(t *testing.T) {
		s, _ := openTemp(t)
		if err := s.Put(ctx, &Record{URL: "https://h/a"}, body); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(ctx, &Record{URL: "https://h/a"}, []byte("new")); err != nil {
			t.Fatal(err)
		}
		if got, err := s.URLForHash(ctx, h); !errors.Is(err, ErrNotFound) {
			t.Errorf("old hash still maps to %q (%v)", got, err)
		}
		if got, err := s.URLForHash(ctx, sum([]byte("new"))); err != nil || got != "https://h/a" {
			t.Errorf("new hash: got %q, %v", got, err)
		}
	})
}

func TestEachOrderAndStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTemp(t)
	for _, u := range []string{"https://h/c", "https://h/a", "https://h/b"} {
		if err := s.Put(ctx, &Record{URL: u}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := s.Each(ctx, func(r *Record) error { got = append(got, r.URL); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{"https://h/a", "https://h/b", "https://h/c"}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("Each order (-want +got):\n-%v\n+%v", want, got)
	}
	stop := errors.New("stop")
	n := 0
	err := s.Each(ctx, func(*Record) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Each did not stop: n=%d err=%v", n, err)
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTemp(t)
	fp := func() string {
		t.Helper()
		f, err := s.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	rec := &Record{URL: "https://h/a", Status: 200, FetchedAt: time.Unix(1, 0).UTC()}
	steps := []struct {
		name   string
		mutate func()
		change bool
	}{
		{"new record", func() {}, true},
		{"same record again", func() {}, false},
		{"fetched later only", func() { rec.FetchedAt = time.Unix(2, 0).UTC() }, false},
		{"status changed", func() { rec.Status = 304 }, true},
		{"gone", func() { rec.Gone = true }, true},
	}
	prev := fp()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.mutate()
			if err := s.Put(ctx, rec, nil); err != nil {
				t.Fatal(err)
			}
			now := fp()
			if changed := now != prev; changed != st.change {
				t.Errorf("fingerprint changed = %v, want %v (%s -> %s)", changed, st.change, prev, now)
			}
			prev = now
		})
	}
	other, _ := openTemp(t)
	ofp, err := other.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ofp == prev {
		t.Errorf("two stores share fingerprint %q", ofp)
	}
}

// The raw bytes of a page's old version go when no record holds them.
func TestChangedBodyDropsOldRaw(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTemp(t)
	v1, v2 := []byte("<html>first</html>"), []byte("<html>second</html>")
	put := func(u string, body []byte) {
		t.Helper()
		if err := s.Put(ctx, &Record{URL: u, Status: 200, Page: page(u)}, body); err != nil {
			t.Fatal(err)
		}
	}
	hasRaw := func(b []byte) bool {
		t.Helper()
		_, err := s.Raw(ctx, sum(b))
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	put("https://example.org/a", v1)
	put("https://example.org/b", v1) // the same bytes under another URL
	put("https://example.org/a", v2)
	if !hasRaw(v1) || !hasRaw(v2) {
		t.Fatalf("after a changed: raw v1 %v, v2 %v; want both (b still holds v1)", hasRaw(v1), hasRaw(v2))
	}
	put("https://example.org/b", v2)
	if hasRaw(v1) {
		t.Errorf("raw v1 kept with no record holding it")
	}
	if !hasRaw(v2) {
		t.Errorf("raw v2 lost")
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.RawObjects != 1 || st.RawBytes != int64(len(v2)) {
		t.Errorf("Stats: %d raw objects, %d bytes; want 1, %d", st.RawObjects, st.RawBytes, len(v2))
	}
}
