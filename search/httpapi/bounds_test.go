package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
)

// TestRequestBoundsOverHTTP: every bound on one request's size and shape
// (the README's Limits table) as a client meets it, through the real
// Searcher: the status, the error code and a message naming the bound,
// or, for nesting, the query searched as plain words with a notice.
func TestRequestBoundsOverHTTP(t *testing.T) {
	s, _ := newTestServer(t, search.New(indexertest.Reader(t, indexertest.SyntheticDocs(30), true), search.Options{}), Options{})
	h := s.Handler()
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = fmt.Sprintf("w%d", i)
		}
		return strings.Join(w, " ")
	}
	phrases := func(n int) string {
		p := make([]string, n)
		for i := range p {
			p[i] = fmt.Sprintf(`"digital p%d"`, i)
		}
		return strings.Join(p, " ")
	}
	q := func(text string) string { return "/api/v1/search?" + url.Values{"q": {text}}.Encode() }
	tests := []struct {
		name, target string
		status       int
		says         string // in the message (400) or the notice (200)
	}{
		{"query bytes", q(strings.Repeat("a", search.MaxQueryBytes+1)), 400, "too long"},
		{"query clauses", q(words(search.MaxQueryClauses + 1)), 400, "too many clauses"},
		{"query phrases", q(phrases(search.MaxQueryPhrases + 1)), 400, "too many phrases"},
		{"query nesting", q(strings.Repeat("(", search.MaxQueryDepth+1) + "digital" + strings.Repeat(")", search.MaxQueryDepth+1)), 200, "plain words"},
		{"filter values", "/api/v1/search?place=" + manyValues(search.MaxFilterValues+1), 400, "more than 50 values"},
		{"filter value length", "/api/v1/search?theme=" + strings.Repeat("x", search.MaxFilterRunes+1), 400, "too long"},
		{"page size", fmt.Sprintf("/api/v1/search?size=%d", search.MaxSize+1), 400, `"size"`},
		{"page depth", fmt.Sprintf("/api/v1/search?page=%d", search.MaxPage+1), 400, `"page"`},
		{"cursor length", "/api/v1/search?cursor=" + strings.Repeat("A", search.MaxCursorBytes+1), 400, `"cursor"`},
		{"export rows", fmt.Sprintf("/api/v1/export?limit=%d", search.MaxExport+1), 400, `"limit"`},
		{"suggestions", fmt.Sprintf("/api/v1/suggest?q=dig&size=%d", search.MaxSuggest+1), 400, `"size"`},
		{"document id", "/api/v1/documents/" + strings.Repeat("x", search.MaxIDRunes+1), 400, `"id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %.300s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == http.StatusOK {
				var res search.Result
				if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || !strings.Contains(res.Notice, tt.says) {
					t.Errorf("notice %q (%v), want one saying %q", res.Notice, err, tt.says)
				}
				return
			}
			if e := decodeError(t, rec); e.Code != "invalid_argument" || !strings.Contains(e.Message, tt.says) {
				t.Errorf("error %+v, want invalid_argument saying %q", e, tt.says)
			}
		})
	}
}
