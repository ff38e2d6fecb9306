package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
)

// TestSearchCursor pages through a served generation by next_cursor and by
// page, and checks what a client sees for a cursor altered, sent with
// another search or with a page, and for one that expired with a swap
// of generations.
func TestSearchCursor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := indexertest.SyntheticStore(t, t.TempDir(), 120)
	defer st.Close()
	dir, live := indexertest.Live(t, st)
	s, _ := newTestServer(t, search.New(live, search.Options{}), Options{})
	h := s.Handler()
	get := func(params url.Values) *search.Result {
		t.Helper()
		rec := do(t, h, http.MethodGet, "/api/v1/search?"+params.Encode())
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", params.Encode(), rec.Code, rec.Body)
		}
		var res search.Result
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		return &res
	}
	hitIDs := func(res *search.Result) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}

	q := url.Values{"q": {"learning analytics"}, "recency": {"5y"}, "size": {"100"}}
	var all []string
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		res := get(q)
		all = append(all, hitIDs(res)...)
		if res.NextCursor == "" {
			break
		}
	}
	q.Del("page")
	q.Set("size", "7")
	var paged []string
	var last string
	for {
		res := get(q)
		paged = append(paged, hitIDs(res)...)
		if res.NextCursor == "" {
			break
		}
		last = res.NextCursor
		q.Set("cursor", res.NextCursor)
	}
	if len(all) < 20 || !slices.Equal(paged, all) {
		t.Fatalf("by cursor %d hits, by page %d; not the same order", len(paged), len(all))
	}

	alter := func(c string) string { // one character of the keys changed
		b := []byte(c)
		b[30] = map[bool]byte{true: 'B', false: 'A'}[b[30] == 'A']
		return string(b)
	}
	refused := map[string]url.Values{
		"altered":        {"q": {"learning analytics"}, "recency": {"5y"}, "cursor": {alter(last)}},
		"another search": {"q": {"learning"}, "recency": {"5y"}, "cursor": {last}},
		"with a page":    {"q": {"learning analytics"}, "recency": {"5y"}, "cursor": {last}, "page": {"2"}},
		"not base64url":  {"q": {"learning analytics"}, "cursor": {"a+b/c="}},
		"recency bounds": {"q": {"learning analytics"}, "recency": {"1000y"}},
		"recency unit":   {"q": {"learning analytics"}, "recency": {"5h"}},
	}
	for name, params := range refused {
		t.Run(name, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, "/api/v1/search?"+params.Encode())
			if rec.Code != http.StatusBadRequest || decodeError(t, rec).Code != "invalid_argument" {
				t.Errorf("status %d: %s; want 400 invalid_argument", rec.Code, rec.Body)
			}
		})
	}

	// A new generation: a relevance cursor expires; a cursor of a date
	// order without words goes on.
	date := url.Values{"sort": {"oldest"}, "size": {"10"}}
	dateNext := get(date).NextCursor
	if _, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if changed, err := live.Refresh(ctx); err != nil || !changed {
		t.Fatalf("refresh: %v, %v", changed, err)
	}
	rec := do(t, h, http.MethodGet, "/api/v1/search?"+url.Values{"q": {"learning analytics"}, "recency": {"5y"}, "size": {"7"}, "cursor": {last}}.Encode())
	if e := decodeError(t, rec); rec.Code != http.StatusGone || e.Code != "cursor_expired" {
		t.Errorf("a relevance cursor after a swap: status %d, %+v; want 410 cursor_expired", rec.Code, e)
	}
	date.Set("cursor", dateNext)
	if res := get(date); res.Page != 2 || len(res.Hits) != 10 {
		t.Errorf("a date cursor after a swap: page %d, %d hits; want page 2 of 10", res.Page, len(res.Hits))
	}
}
