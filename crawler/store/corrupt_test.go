package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The tests below damage a real store file the ways disks and people do,
// and check that every read reports ErrCorrupt rather than panicking, that
// Check finds the damage and that Salvage copies what is still readable.

const corruptRecords = 300

// writeStore fills a store in a new directory with corruptRecords records,
// each with its raw body, and returns the directory and the records.
func writeStore(t *testing.T) (string, map[string]*Record) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*Record{}
	var batch []*Commit
	for i := range corruptRecords {
		rec := &Record{URL: fmt.Sprintf("https://example.org/p/%04d", i), FinalURL: fmt.Sprintf("https://example.org/p/%04d", i),
			Status: 200, ContentType: "text/html", Page: page(fmt.Sprintf("page %d %s", i, strings.Repeat("word ", 60)))}
		raw := []byte(fmt.Sprintf("<html>%d %s</html>", i, strings.Repeat("body ", 80)))
		batch = append(batch, &Commit{Records: []Put{{Record: rec, Raw: raw}}})
		want[rec.URL] = rec
	}
	if _, err := s.CommitAll(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, want
}

// damage rewrites the store file of dir with fn.
func damage(t *testing.T, dir string, fn func(t *testing.T, b []byte) []byte) {
	t.Helper()
	path := filepath.Join(dir, FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(t, b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// recordPages returns the numbers of the leaf pages holding records.
func recordPages(b []byte) []int {
	ps := os.Getpagesize()
	var out []int
	for pg := 2; (pg+1)*ps <= len(b); pg++ {
		p := b[pg*ps : (pg+1)*ps]
		if binary.LittleEndian.Uint64(p) == uint64(pg) && p[8] == leafPageFlag && bytes.Contains(p, []byte(`{"url":"https://example.org/p/`)) {
			out = append(out, pg)
		}
	}
	return out
}

// garbleRecordPage fills the middle record page, past its header, with
// random bytes: its elements point anywhere.
func garbleRecordPage(t *testing.T, b []byte) []byte {
	pages := recordPages(b)
	if len(pages) < 3 {
		t.Fatalf("%d record pages, want at least 3", len(pages))
	}
	ps := os.Getpagesize()
	pg := pages[len(pages)/2]
	r := rand.New(rand.NewPCG(1, 2))
	for i := pg*ps + pageHeaderSize; i < (pg+1)*ps; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func truncateHalf(_ *testing.T, b []byte) []byte { return b[:len(b)/2] }

func zeroMeta(_ *testing.T, b []byte) []byte {
	clear(b[:2*os.Getpagesize()])
	return b
}

// useStore does what status, index and crawl do with a store: open it,
// count it and read every record.
func useStore(ctx context.Context, dir string, readOnly bool) error {
	s, err := Open(ctx, dir, Options{ReadOnly: readOnly})
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Stats(ctx); err != nil {
		return err
	}
	return s.Each(ctx, func(*Record) error { return nil })
}

func TestCorruptStoreIsAnError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		damage func(*testing.T, []byte) []byte
	}{
		{"garbage in a record page", garbleRecordPage},
		{"file cut in half", truncateHalf},
		{"meta pages zeroed", zeroMeta},
	}
	for _, tt := range tests {
		for _, ro := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/read-only=%v", tt.name, ro), func(t *testing.T) {
				dir, _ := writeStore(t)
				damage(t, dir, tt.damage)
				err := useStore(context.Background(), dir, ro)
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("err = %v, want ErrCorrupt", err)
				}
			})
		}
	}
}

// TestCorruptStoreOwnPanic: a panic in Each's callback is the caller's,
// not a damaged store, and is not turned into an error.
func TestCorruptStoreOwnPanic(t *testing.T) {
	t.Parallel()
	dir, _ := writeStore(t)
	s, err := Open(context.Background(), dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer func() {
		if p := recover(); p != "bug" {
			t.Errorf("recovered %v, want the callback's panic", p)
		}
	}()
	_ = s.Each(context.Background(), func(*Record) error { panic("bug") })
	t.Fatal("Each returned")
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("intact", func(t *testing.T) {
		dir, _ := writeStore(t)
		rep, err := Check(ctx, dir, Options{})
		if err != nil || !rep.OK() {
			t.Fatalf("Check = %+v, %v; want OK", rep, err)
		}
		if rep.Records != corruptRecords || rep.Raw != corruptRecords {
			t.Errorf("Check counted %d records and %d raw bodies, want %d of each", rep.Records, rep.Raw, corruptRecords)
		}
	})
	t.Run("garbage in a record page", func(t *testing.T) {
		dir, _ := writeStore(t)
		damage(t, dir, garbleRecordPage)
		rep, err := Check(ctx, dir, Options{})
		if err != nil || rep.OK() {
			t.Fatalf("Check = %+v, %v; want problems", rep, err)
		}
	})
	t.Run("meta pages zeroed", func(t *testing.T) {
		dir, _ := writeStore(t)
		damage(t, dir, zeroMeta)
		rep, err := Check(ctx, dir, Options{})
		if !errors.Is(err, ErrCorrupt) || rep.OK() {
			t.Fatalf("Check = %+v, %v; want ErrCorrupt and a problem", rep, err)
		}
	})
}

func TestSalvage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		damage   func(*testing.T, []byte) []byte
		lossless bool // every page of records is intact
	}{
		{"garbage in a record page", garbleRecordPage, false},
		{"meta pages zeroed", zeroMeta, true},
		{"file cut in half", truncateHalf, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, want := writeStore(t)
			damage(t, dir, tt.damage)
			rep, err := Salvage(ctx, dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", rep)
			if _, err := os.Stat(rep.Damaged); err != nil {
				t.Errorf("the damaged file was not kept: %v", err)
			}
			if c, err := Check(ctx, dir, Options{}); err != nil || !c.OK() {
				t.Fatalf("the salvaged store does not check: %+v, %v", c, err)
			}
			if rep.Records == 0 || rep.Records+rep.LostRecords > corruptRecords {
				t.Errorf("%d records copied and %d lost of %d", rep.Records, rep.LostRecords, corruptRecords)
			}
			if tt.lossless && (rep.Records != corruptRecords || rep.Raw != corruptRecords || rep.LostRaw != 0) {
				t.Errorf("copied %d records and %d raw bodies, lost %d; want all %d", rep.Records, rep.Raw, rep.LostRaw, corruptRecords)
			}
			if !tt.lossless && tt.name == "garbage in a record page" && rep.LostRecords == 0 {
				t.Errorf("no record reported lost")
			}
			s, err := Open(ctx, dir, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			n := 0
			err = s.Each(ctx, func(got *Record) error {
				n++
				if !reflect.DeepEqual(got, want[got.URL]) {
					return fmt.Errorf("record %s differs (-want +got):\n-%+v\n+%+v", got.URL, want[got.URL], got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != rep.Records {
				t.Errorf("the new store holds %d records, the report says %d", n, rep.Records)
			}
			for _, u := range rep.Lost {
				if _, err := s.Get(ctx, u); !errors.Is(err, ErrNotFound) {
					t.Errorf("lost %s is in the new store (%v)", u, err)
				}
			}
		})
	}
}
