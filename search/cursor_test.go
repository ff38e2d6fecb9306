package search

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// pageAll returns the ids of every hit of req, page by page with Page and
// size 100: the order the cursor must follow.
func pageAll(t *testing.T, s *Searcher, req Request) ([]string, uint64) {
	t.Helper()
	var out []string
	req.Size = MaxSize
	for req.Page = 1; ; req.Page++ {
		res, err := s.Search(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ids(res)...)
		if len(res.Hits) < req.Size {
			return out, res.Total
		}
	}
}

// cursorAll returns the ids of the hits of req, following next_cursor
// from the first page until the end or at least limit hits (0: all), and
// checks what each page says.
func cursorAll(t *testing.T, s *Searcher, req Request, size, limit int) []string {
	t.Helper()
	var out []string
	req.Size = size
	var total uint64
	for page := 1; ; page++ {
		res, err := s.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if page == 1 {
			total = res.Total
		}
		if res.Total != total || res.Page != page {
			t.Fatalf("page %d: total %d, page %d; want %d, %d", page, res.Total, res.Page, total, page)
		}
		out = append(out, ids(res)...)
		if limit > 0 && len(out) >= limit {
			return out
		}
		if res.NextCursor == "" {
			if uint64(len(out)) != total {
				t.Fatalf("no next cursor after %d hits of %d", len(out), total)
			}
			return out
		}
		if len(res.Hits) != size {
			t.Fatalf("page %d: %d hits and a next cursor", page, len(res.Hits))
		}
		req.Cursor = res.NextCursor
	}
}

// TestCursorPagesEveryDocumentOnce: following next_cursor through a few
// thousand documents gives every hit exactly once, in the order the pages
// give, in every order, with and without filters, across the documents the
// proximity bonus reorders, with feedback and with the recency boost.
func TestCursorPagesEveryDocumentOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("pages through 3,000 documents")
	}
	r := indexertest.Reader(t, indexertest.SyntheticDocs(3000), true)
	searchers := map[string]*Searcher{
		"default":     New(r, Options{}),
		"depth 7":     New(r, Options{Ranking: Ranking{Depth: 7}}),
		"no feedback": New(r, Options{Ranking: Ranking{NoFeedback: true}}),
		// Feedback re-orders the best 40; a cursor's pages run past them.
		"feedback depth 40": New(r, Options{Ranking: Ranking{FeedbackDepth: 40}}),
		"recency":           New(r, Options{Ranking: Ranking{Recency: 2 * year}}),
	}
	filters := map[string]func(*Request){
		"no filter": func(*Request) {},
		"filters": func(q *Request) {
			q.Themes, q.Types = []string{"oer", "byod", "coding"}, []string{"report", "minutes", "agenda"}
			q.From = time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC)
		},
	}
	queries := []string{"", "learning analytics tablet", `"school leadership" OR pupils`, "theme:byod digital"}
	for name, s := range searchers {
		for fname, set := range filters {
			for _, q := range queries {
				for _, sortBy := range []string{SortRelevance, SortNewest, SortOldest} {
					if name != "default" && (sortBy != SortRelevance || q == "") {
						continue // the other searchers differ in scoring only
					}
					req := Request{Query: q, Sort: sortBy}
					set(&req)
					t.Run(fmt.Sprintf("%s/%s/%q/%s", name, fname, q, sortBy), func(t *testing.T) {
						want, total := pageAll(t, s, req)
						if len(want) < 100 || uint64(len(want)) != total {
							t.Fatalf("%d hits of %d: want a few hundred or more", len(want), total)
						}
						// Pages of 3 cross the head the bonus reorders.
						for _, size := range []int{37, 3} {
							limit := 0
							if size == 3 {
								limit = 60
								want = want[:limit]
							}
							got := cursorAll(t, s, req, size, limit)
							if !slices.Equal(got, want) {
								i := 0
								for i < min(len(got), len(want)) && got[i] == want[i] {
									i++
								}
								t.Fatalf("size %d: %d hits by cursor, %d by page; first difference at %d", size, len(got), len(want), i)
							}
						}
					})
				}
			}
		}
	}
}

// TestCursorMixesWithPages: the cursor of a page asked by number goes on
// from that page.
func TestCursorMixesWithPages(t *testing.T) {
	t.Parallel()
	s := New(indexertest.Reader(t, indexertest.SyntheticDocs(400), true), Options{})
	ctx := context.Background()
	req := Request{Query: "digital skills", Size: 20}
	all, _ := pageAll(t, s, req)
	req.Page = 3
	res, err := s.Search(ctx, req)
	if err != nil || res.NextCursor == "" {
		t.Fatalf("page 3: %v, next cursor %q", err, res.NextCursor)
	}
	req.Page, req.Cursor = 0, res.NextCursor
	res, err = s.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res); res.Page != 4 || !slices.Equal(got, all[60:80]) {
		t.Errorf("after page 3: page %d, %v; want page 4, %v", res.Page, got, all[60:80])
	}
	// The page size may change between pages.
	req.Size = 7
	if res, err = s.Search(ctx, req); err != nil || !slices.Equal(ids(res), all[60:67]) {
		t.Errorf("size 7 after page 3: %v, %v; want %v", ids(res), err, all[60:67])
	}
	req.Page = 2
	if _, err := s.Search(ctx, req); KindOf(err) != KindInvalid {
		t.Errorf("page 2 with a cursor: err = %v, want invalid", err)
	}
}

// TestCursorRefused: a cursor that is altered, cut, made up or given with
// another search is a KindInvalid error naming the cursor, never a panic
// or an internal error.
func TestCursorRefused(t *testing.T) {
	t.Parallel()
	s := New(indexertest.Reader(t, indexertest.SyntheticDocs(200), true), Options{})
	ctx := context.Background()
	req := Request{Query: "digital skills", Size: 10}
	res, err := s.Search(ctx, req)
	if err != nil || res.NextCursor == "" {
		t.Fatalf("first page: %v, next cursor %q", err, res.NextCursor)
	}
	good := res.NextCursor
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flip := func(i int) string {
		b := slices.Clone(raw)
		b[i] ^= 0x20
		return base64.RawURLEncoding.EncodeToString(b)
	}
	bad := map[string]string{
		"a bit flipped in the keys": flip(len(raw) - 10),
		"a bit flipped in the sum":  flip(len(raw) - 1),
		"version":                   flip(0),
		"cut":                       good[:len(good)-6],
		"not base64":                "***",
		"short record":              base64.RawURLEncoding.EncodeToString([]byte{1, 0, 0}),
		"too long":                  strings.Repeat("A", MaxCursorBytes+1),
		"padding":                   good + "==",
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			q := req
			q.Cursor = c
			_, err := s.Search(ctx, q)
			if KindOf(err) != KindInvalid || !strings.Contains(err.Error(), "cursor") {
				t.Errorf("err = %v, want invalid naming the cursor", err)
			}
		})
	}
	other := map[string]func(*Request){
		"another query":  func(q *Request) { q.Query = "digital" },
		"another filter": func(q *Request) { q.Types = []string{"report"} },
		"another sort":   func(q *Request) { q.Sort = SortNewest },
		"recency":        func(q *Request) { q.Recency = year },
	}
	for name, change := range other {
		t.Run(name, func(t *testing.T) {
			q := req
			q.Cursor = good
			change(&q)
			_, err := s.Search(ctx, q)
			if KindOf(err) != KindInvalid || !strings.Contains(err.Error(), "another search") {
				t.Errorf("err = %v, want invalid: another search", err)
			}
		})
	}
}

// FuzzCursor: no cursor text makes Search panic or fail other than as
// invalid input.
func FuzzCursor(f *testing.F) {
	s := New(indexertest.Reader(f, indexertest.SyntheticDocs(50), true), Options{})
	res, err := s.Search(context.Background(), Request{Query: "digital", Size: 5})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(res.NextCursor)
	f.Add("")
	f.Fuzz(func(t *testing.T, c string) {
		res, err := s.Search(context.Background(), Request{Query: "digital", Size: 5, Cursor: c})
		if err != nil && KindOf(err) != KindInvalid {
			t.Fatalf("cursor %q: %v", c, err)
		}
		if err == nil && len(res.Hits) > 5 {
			t.Fatalf("cursor %q: %d hits", c, len(res.Hits))
		}
	})
}

// TestCursorAcrossSwap: after a new generation is served, a cursor of an
// order by scores expires (KindExpired), and a cursor of an order by dates
// alone goes on from where it stopped in the new generation: a document
// added before its place is not shown, one added after it is.
func TestCursorAcrossSwap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := indexertest.SyntheticStore(t, t.TempDir(), 300)
	defer st.Close()
	dir, live := indexertest.Live(t, st)
	s := New(live, Options{})

	scored := Request{Query: "learning analytics", Size: 10}
	byDate := Request{Sort: SortNewest, Types: []string{"minutes", "report"}, Size: 25}
	first := func(req Request) *Result {
		t.Helper()
		res, err := s.Search(ctx, req)
		if err != nil || res.NextCursor == "" {
			t.Fatalf("%+v: %v, next cursor %q", req, err, res.NextCursor)
		}
		return res
	}
	resScored, resDate := first(scored), first(byDate)
	seen := ids(resDate)

	// The site gains a minutes document newer than every other and one
	// older than every other; a new generation is built and served.
	put := func(url, title string) store.Put {
		return store.Put{Record: &store.Record{URL: url, FinalURL: url, Status: 200, ContentType: "text/html",
			FetchedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
			Page:      &extract.Page{Title: title, Text: "Minutes of the meeting. " + strings.Repeat("Members discussed learning analytics. ", 20), PageCount: 1}}}
	}
	if _, _, err := st.Commit(ctx, &store.Commit{Records: []store.Put{
		put("http://portal.test/documents/2030-06-hamburg-pla-new-minutes-1.html", "Minutes of the peer learning activity in Hamburg, 2030"),
		put("http://portal.test/documents/2001-03-hamburg-pla-old-minutes-2.html", "Minutes of the peer learning activity in Hamburg, 2001"),
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if changed, err := live.Refresh(ctx); err != nil || !changed {
		t.Fatalf("refresh: %v, %v", changed, err)
	}

	scored.Cursor = resScored.NextCursor
	if _, err := s.Search(ctx, scored); KindOf(err) != KindExpired {
		t.Errorf("a relevance cursor after the swap: err = %v, want expired", err)
	}

	all, _ := pageAll(t, s, Request{Sort: byDate.Sort, Types: byDate.Types})
	last := slices.Index(all, seen[len(seen)-1])
	if last < 0 || all[0] == seen[0] {
		t.Fatalf("the new generation lacks the last hit seen, or the new document is not first: %v", all[:3])
	}
	byDate.Cursor = resDate.NextCursor
	var rest []string
	for byDate.Cursor != "" {
		res, err := s.Search(ctx, byDate)
		if err != nil {
			t.Fatalf("a date cursor after the swap: %v", err)
		}
		rest = append(rest, ids(res)...)
		byDate.Cursor = res.NextCursor
	}
	if want := all[last+1:]; !slices.Equal(rest, want) {
		t.Errorf("after the swap: %d hits, want the %d after the last seen (the old new document last: %v)", len(rest), len(want), rest[len(rest)-1:])
	}
}
