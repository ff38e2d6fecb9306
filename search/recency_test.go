package search

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/indexer"
)

// TestRecencyOrdersEquals: of two equally relevant documents, the boost
// puts the newer first (without it the id decides); an undated one gets no
// boost; a much more relevant old document stays ahead of a new one; off,
// the scores are those of the ranking without the boost, to the bit.
func TestRecencyOrdersEquals(t *testing.T) {
	t.Parallel()
	day := func(y int) time.Time { return time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC) }
	body := "Members discussed tablets in primary schools."
	docs := []indexer.Document{
		{ID: "a-old", Title: "Minutes", Body: body, Date: day(2012), Lang: "en"},
		{ID: "b-new", Title: "Minutes", Body: body, Date: day(2022), Lang: "en"},
		{ID: "c-undated", Title: "Minutes", Body: body, Lang: "en"},
		{ID: "d-other", Title: "Agenda", Body: "Coffee and lunch.", Date: day(2023), Lang: "en"},
	}
	s := newSearcherOver(t, docs, true, Options{})
	ctx := context.Background()
	search := func(req Request) *Result {
		t.Helper()
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if got, want := ids(search(Request{Query: "tablets"})), []string{"a-old", "b-new", "c-undated"}; !slices.Equal(got, want) {
		t.Errorf("without recency (-want +got):\n- %v\n+ %v", want, got)
	}
	boosted := search(Request{Query: "tablets", Recency: 5 * year})
	if got, want := ids(boosted), []string{"b-new", "a-old", "c-undated"}; !slices.Equal(got, want) {
		t.Errorf("recency 5y (-want +got):\n- %v\n+ %v", want, got)
	}
	// The newest document of the index (d-other, 2023) is the reference:
	// b-new is a year older, a-old eleven.
	plain := search(Request{Query: "tablets"}).Hits[0].Score
	for _, h := range boosted.Hits {
		want := plain
		switch h.ID {
		case "b-new":
			want *= recencyFactor(day(2022).UnixNano(), day(2023).UnixNano(), 5*year)
		case "a-old":
			want *= recencyFactor(day(2012).UnixNano(), day(2023).UnixNano(), 5*year)
		}
		if diff := h.Score - want; diff > 1e-12 || diff < -1e-12 {
			t.Errorf("%s: score %v, want %v", h.ID, h.Score, want)
		}
	}
	// The server's default applies unless a request turns it off.
	def := New(s.src, Options{Ranking: Ranking{Recency: 5 * year}})
	if res, err := def.Search(ctx, Request{Query: "tablets"}); err != nil || res.Hits[0].ID != "b-new" {
		t.Errorf("the default: %v, %v; want b-new first", ids(res), err)
	}
	off, err := def.Search(ctx, Request{Query: "tablets", Recency: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range search(Request{Query: "tablets"}).Hits {
		if off.Hits[i].ID != h.ID || off.Hits[i].Score != h.Score {
			t.Errorf("recency off, hit %d: %s %v; without recency %s %v", i, off.Hits[i].ID, off.Hits[i].Score, h.ID, h.Score)
		}
	}
}

// TestRecencyBounded: the boost is at most 2, so a document with more than
// twice the score of a much newer one stays ahead.
func TestRecencyBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for _, tt := range []struct {
		age  time.Duration
		want float64
	}{{0, 2}, {5 * year, 1.5}, {10 * year, 1.25}, {250 * year, 1}} {
		got := recencyFactor(now-int64(tt.age), now, 5*year)
		if diff := got - tt.want; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("age %v: factor %v, want %v", tt.age, got, tt.want)
		}
	}
	if got := recencyFactor(indexer.NoDate, now, 5*year); got != 1 {
		t.Errorf("undated: factor %v, want 1", got)
	}
}

func TestParseRecency(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"5y": 5 * year, "90d": 90 * 24 * time.Hour, "6W": 42 * 24 * time.Hour,
		"2.5y": time.Duration(2.5 * float64(year)), "off": -1, "0": -1} {
		if got, err := ParseRecency(in); err != nil || got != want {
			t.Errorf("ParseRecency(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "5", "5h", "-1y", "0y", "12h", "101y", "NaNy", "1e400y", "y"} {
		if _, err := ParseRecency(in); KindOf(err) != KindInvalid {
			t.Errorf("ParseRecency(%q): err = %v, want invalid", in, err)
		}
	}
	for _, d := range []time.Duration{5 * year, 90 * 24 * time.Hour} {
		if got, err := ParseRecency(FormatRecency(d)); err != nil || got != d {
			t.Errorf("FormatRecency(%v) = %q, read back as %v, %v", d, FormatRecency(d), got, err)
		}
	}
}
