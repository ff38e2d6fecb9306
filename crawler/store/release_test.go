package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// TestEachAfterRelease: Each releasing the pages it has read after every
// record (releaseMapped) still hands out every record whole, and the
// store reads the same afterwards.
func TestEachAfterRelease(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	defer func(n int) { releaseEvery = n }(releaseEvery)
	releaseEvery = 1

	want := map[string]string{}
	for i := range 300 {
		u := fmt.Sprintf("https://portal.example/doc/%03d", i)
		text := strings.Repeat(fmt.Sprintf("record %d says something. ", i), 40+i)
		want[u] = text
		rec := &Record{URL: u, FinalURL: u, Status: 200, Page: &extract.Page{Title: u, Text: text, PageCount: 1}}
		if err := s.Put(ctx, rec, nil); err != nil {
			t.Fatal(err)
		}
	}
	for pass := range 2 {
		got := map[string]string{}
		err := s.Each(ctx, func(rec *Record) error {
			got[rec.URL] = rec.Page.Text
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("pass %d: Each read %d records, want %d, or their texts differ", pass, len(got), len(want))
		}
	}
	rec, err := s.Get(ctx, "https://portal.example/doc/123")
	if err != nil || rec.Page.Text != want[rec.URL] {
		t.Errorf("Get after Each: %v", err)
	}
}
