package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
)

// Date bounds beyond the range a filter can hold are clamped to it, on
// search and export: to=9999 and from=0000 are no bound for any dated
// document, never a 500.
func TestDateBoundsOutOfRange(t *testing.T) {
	r := indexertest.Reader(t, indexertest.SyntheticDocs(300), true)
	s, _ := newTestServer(t, search.New(r, search.Options{}), Options{})
	h := s.Handler()
	total := func(t *testing.T, query string) int {
		t.Helper()
		rec := do(t, h, http.MethodGet, "/api/v1/search?size=1&"+query)
		if rec.Code != http.StatusOK {
			t.Fatalf("search?%s: %d %s", query, rec.Code, rec.Body)
		}
		var res search.Result
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		rec = do(t, h, http.MethodGet, "/api/v1/export?"+query)
		if rec.Code != http.StatusOK {
			t.Fatalf("export?%s: %d %s", query, rec.Code, rec.Body)
		}
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows)-1 != min(int(res.Total), search.MaxExport) {
			t.Errorf("%s: search %d, export %d rows", query, res.Total, len(rows)-1)
		}
		return int(res.Total)
	}
	dated := total(t, "from=1900&to=2200")
	if dated == 0 {
		t.Fatal("no dated documents")
	}
	for _, q := range []string{"to=9999", "from=1000", "from=0000", "from=0000&to=9999-12-31"} {
		t.Run(q, func(t *testing.T) {
			if got := total(t, q); got != dated {
				t.Errorf("%d hits, want %d (every dated document)", got, dated)
			}
		})
	}
	for _, q := range []string{"from=2300", "to=1000"} {
		t.Run(q, func(t *testing.T) {
			if got := total(t, q); got != 0 {
				t.Errorf("%d hits, want none", got)
			}
		})
	}
}
