package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// TestSearchCommandFreeText runs `kbsearch search --server` on text whose
// parentheses do not pair up: the table has results and a note saying the
// query was searched as plain words; JSON carries the notice; a query that
// parses has no note.
func TestSearchCommandFreeText(t *testing.T) {
	docs := []indexer.Document{
		{ID: "sorting", URL: "https://portal.example/sorting", Type: "report", Lang: "en",
			Title: "Sorting networks on parallel processors", Body: "Comparator networks sort numbers in logarithmic time."},
		{ID: "tablets", URL: "https://portal.example/tablets", Type: "minutes", Lang: "en",
			Title: "Tablets in schools", Body: "Schools choose tablets for pupils."},
	}
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(indexertest.Reader(t, docs, true), search.Options{})}).Handler())
	t.Cleanup(api.Close)

	tests := []struct {
		name string
		args []string
		want []string // in the output
		not  string   // not in the output, if set
	}{
		{"unclosed", []string{"sorting networks (parallel"},
			[]string{`Note: Unbalanced parenthesis: the "(" at position 18 is never closed, so the query was searched as plain words.`, "TITLE", "Sorting networks"}, ""},
		{"numbered points in several arguments", []string{"1)", "sorting", "2)", "tablets"},
			[]string{`Note: Unbalanced parenthesis: the ")" at position 2 has no "(" to close`, "2 results"}, ""},
		{"nothing found still notes", []string{"(xylophones"},
			[]string{"Note: Unbalanced parenthesis", "No results"}, ""},
		{"syntax has no note", []string{"(sorting networks)"}, []string{"Sorting networks"}, "Note:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runCmd(t, append([]string{"search", "--server", api.URL}, tt.args...)...)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.not != "" && strings.Contains(out, tt.not) {
				t.Errorf("output has %q:\n%s", tt.not, out)
			}
		})
	}

	js := runCmd(t, "search", "--server", api.URL, "--format", "json", "sorting networks (parallel")
	var res search.Result
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatalf("json output: %v\n%s", err, js)
	}
	if res.Total == 0 || !strings.Contains(res.Notice, "never closed") {
		t.Errorf("json output: total %d, notice %q; want results and the notice", res.Total, res.Notice)
	}
}

// TestSearchCommandCSVBOM checks that `kbsearch search --format csv` starts
// with a UTF-8 BOM, so that Excel reads "Geräte" as written, from the index
// and from a server.
func TestSearchCommandCSVBOM(t *testing.T) {
	docs := []indexer.Document{
		{ID: "geraete", URL: "https://portal.example/geraete", Type: "report", Lang: "de",
			Title: "Synthèse: digitale Geräte in der Schule", Body: "Digitale Geräte im Unterricht."},
	}
	r := indexertest.Reader(t, docs, true)
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(r, search.Options{})}).Handler())
	t.Cleanup(api.Close)

	out := runCmd(t, "search", "--server", api.URL, "--format", "csv", "digitale")
	if !strings.HasPrefix(out, "\xEF\xBB\xBFrank,title,") {
		t.Errorf("CSV does not start with a UTF-8 BOM and the header:\n%q", out[:min(len(out), 40)])
	}
	if !strings.Contains(out, "Synthèse: digitale Geräte") {
		t.Errorf("CSV lacks the title as written:\n%s", out)
	}
}
