package search

import (
	"context"
	"testing"
)

// Date bounds outside the instants a filter can hold (about 1678 to 2262)
// are clamped to that range: to=9999 is no upper bound for any dated
// document, from=1000 and from=0000 no lower bound, and a range wholly
// outside it matches nothing. Search and export agree.
func TestDateBoundsOutOfRange(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	count := func(t *testing.T, from, to string) (search, export int) {
		t.Helper()
		f, err := ParseDateBound(from, false)
		if err != nil {
			t.Fatalf("ParseDateBound(%q): %v", from, err)
		}
		e, err := ParseDateBound(to, true)
		if err != nil {
			t.Fatalf("ParseDateBound(%q): %v", to, err)
		}
		req := Request{From: f, To: e, Size: 100}
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatalf("Search(from %q, to %q): %v", from, to, err)
		}
		hits, _, err := s.ExportAll(ctx, req, 100)
		if err != nil {
			t.Fatalf("Export(from %q, to %q): %v", from, to, err)
		}
		return int(res.Total), len(hits)
	}
	dated, _ := count(t, "1900", "2200") // every dated document
	if dated == 0 {
		t.Fatal("no dated documents")
	}
	tests := []struct {
		name, from, to string
		want           int
	}{
		{"to 9999", "", "9999", dated},
		{"from 1000", "1000", "", dated},
		{"from 0000", "0000", "", dated},
		{"from 0000 to 9999", "0000", "9999-12-31", dated},
		{"from 2017 to 9999", "2017", "9999", 2},
		{"from 2300", "2300", "", 0},
		{"to 1000", "", "1000", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, m := count(t, tc.from, tc.to)
			if n != tc.want || m != tc.want {
				t.Errorf("search %d, export %d hits; want %d", n, m, tc.want)
			}
		})
	}
}
