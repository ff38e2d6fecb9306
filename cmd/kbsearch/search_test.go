package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

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
		code int      // exit status
	}{
		{"unclosed", []string{"sorting networks (parallel"},
			[]string{`Note: Unbalanced parenthesis: the "(" at position 18 is never closed, so the query was searched as plain words.`, "TITLE", "Sorting networks"}, "", exitOK},
		{"numbered points in several arguments", []string{"1)", "sorting", "2)", "tablets"},
			[]string{`Note: Unbalanced parenthesis: the ")" at position 2 has no "(" to close`, "2 results"}, "", exitOK},
		{"nothing found still notes", []string{"(xylophones"},
			[]string{"Note: Unbalanced parenthesis", "No results"}, "", exitNoResults},
		{"syntax has no note", []string{"(sorting networks)"}, []string{"Sorting networks"}, "Note:", exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCode(append([]string{"search", "--server", api.URL}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, stderr)
			}
			flat := strings.Join(strings.Fields(out), " ") // the note is wrapped to the width
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
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

// runCode runs the kbsearch command line in-process and returns its exit
// status, stdout and stderr.
func runCode(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestSearchExitCodes checks each exit status of kbsearch search, and that
// a usage error points to --help.
func TestSearchExitCodes(t *testing.T) {
	docs := []indexer.Document{
		{ID: "tablets", URL: "https://portal.example/tablets", Type: "minutes", Lang: "en",
			Title: "Tablets in schools", Body: "Schools choose tablets for pupils."},
	}
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(indexertest.Reader(t, docs, true), search.Options{})}).Handler())
	t.Cleanup(api.Close)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nothing listens there now

	tests := []struct {
		name   string
		args   []string
		want   int
		stderr string // in stderr, if set
	}{
		{"results", []string{"--server", api.URL, "tablets"}, exitOK, ""},
		{"no results", []string{"--server", api.URL, "xylophones"}, exitNoResults, ""},
		{"no results as json", []string{"--server", api.URL, "--format", "json", "xylophones"}, exitNoResults, ""},
		{"no results as csv", []string{"--server", api.URL, "--format", "csv", "xylophones"}, exitNoResults, ""},
		{"page past the end has results", []string{"--server", api.URL, "--page", "5", "tablets"}, exitOK, ""},
		{"unknown flag", []string{"--colour", "tablets"}, exitUsage, "Run 'kbsearch search --help' for usage."},
		{"flag value does not parse", []string{"--page", "one", "tablets"}, exitUsage, "--help"},
		{"page 0", []string{"--server", api.URL, "--page", "0", "tablets"}, exitUsage, "--page must be between 1 and 1000"},
		{"size 0", []string{"--server", api.URL, "--size", "0", "tablets"}, exitUsage, "--size"},
		{"size over the limit", []string{"--server", api.URL, "--size", "101", "tablets"}, exitUsage, "--size"},
		{"unknown format", []string{"--server", api.URL, "--format", "xml", "tablets"}, exitUsage, "--format"},
		{"unknown sort", []string{"--server", api.URL, "--sort", "up", "tablets"}, exitUsage, "--sort"},
		{"bad date", []string{"--server", api.URL, "--from", "yesterday", "tablets"}, exitUsage, "--from"},
		{"unknown type, server", []string{"--server", api.URL, "--type", "memo", "tablets"}, exitUsage, `"memo" is not one of`},
		{"no index", []string{"--data", t.TempDir(), "tablets"}, exitError, "no index"},
		{"server unreachable", []string{"--server", gone.URL, "tablets"}, exitError, "search " + gone.URL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCode(append([]string{"search", "--log-level", "error"}, tt.args...)...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, out, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
		})
	}

	t.Run("unknown command", func(t *testing.T) {
		code, _, stderr := runCode("serch", "tablets")
		if code != exitUsage || !strings.Contains(stderr, "Run 'kbsearch --help' for usage.") {
			t.Errorf("exit %d, want %d with a --help hint; stderr:\n%s", code, exitUsage, stderr)
		}
	})
	t.Run("help lists the codes", func(t *testing.T) {
		code, out, _ := runCode("search", "--help")
		if code != exitOK {
			t.Errorf("--help: exit %d", code)
		}
		for _, want := range []string{"Exit status:", "2  usage error", "4  search found no results"} {
			if !strings.Contains(out, want) {
				t.Errorf("--help lacks %q:\n%s", want, out)
			}
		}
	})
}

// TestSearchCompletion checks the values shell completion offers for the
// flags of kbsearch search.
func TestSearchCompletion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // completions, in order, descriptions cut off
	}{
		{"theme ids from the taxonomy", []string{"--theme", "o"}, []string{"oer"}},
		{"theme after a comma", []string{"--theme", "oer,co"}, []string{"oer,coding"}},
		{"type", []string{"--type", ""}, []string{"minutes", "key-messages", "report", "agenda", "page"}},
		{"format", []string{"--format", ""}, []string{"table", "json", "csv", "ris"}},
		{"sort", []string{"--sort", "n"}, []string{"newest"}},
		{"kind", []string{"--kind", "p"}, []string{"plenary", "peer-learning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCode(append([]string{"__complete", "search"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if strings.HasPrefix(line, ":") {
					if line != ":4" { // ShellCompDirectiveNoFileComp
						t.Errorf("directive %s, want :4 (no file completion)", line)
					}
					break
				}
				v, _, _ := strings.Cut(line, "\t")
				got = append(got, v)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("completions (-want +got):\n-%q\n+%q", tt.want, got)
			}
		})
	}
	// The theme ids come with their labels as descriptions.
	if _, out, _ := runCode("__complete", "search", "--theme", "oer"); !strings.Contains(out, "oer\tOpen educational resources") {
		t.Errorf("theme completion has no label:\n%s", out)
	}
}

// TestSearchCommandCursor follows --cursor with `kbsearch search --server`
// and over the local index: the pages chain without a repeat to the last
// hit, the table prints the next cursor, and --recency reaches the search
// (an undated page falls behind the dated documents it tied with).
func TestSearchCommandCursor(t *testing.T) {
	var docs []indexer.Document
	for i := range 25 {
		d := indexer.Document{ID: "d" + string(rune('a'+i)), URL: "https://portal.example/" + string(rune('a'+i)),
			Type: "report", Lang: "en", Title: "Tablets", Body: "Schools choose tablets."}
		if i > 0 {
			d.Date = time.Date(2000+i, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		docs = append(docs, d)
	}
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(indexertest.Reader(t, docs, true), search.Options{})}).Handler())
	t.Cleanup(api.Close)

	for _, recency := range []string{"off", "5y"} {
		var seen []string
		args := []string{"search", "--server", api.URL, "--format", "json", "--size", "10", "--recency", recency, "tablets"}
		for page := 1; ; page++ {
			code, out, stderr := runCode(args...)
			if code != exitOK {
				t.Fatalf("page %d: exit %d\n%s%s", page, code, out, stderr)
			}
			var res search.Result
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				seen = append(seen, h.ID)
			}
			if res.NextCursor == "" {
				break
			}
			args = append(args, "--cursor", res.NextCursor)
		}
		sorted := slices.Sorted(slices.Values(seen))
		if len(seen) != 25 || len(slices.Compact(sorted)) != 25 {
			t.Fatalf("recency %s: %d hits, want the 25 once each: %v", recency, len(seen), seen)
		}
		// All tie on the text: without recency the ids decide (da first);
		// with it the newest comes first and the undated page last.
		if want := map[string][2]string{"off": {"da", "dy"}, "5y": {"dy", "da"}}[recency]; seen[0] != want[0] || seen[24] != want[1] {
			t.Errorf("recency %s: first %s, last %s; want %s, %s", recency, seen[0], seen[24], want[0], want[1])
		}
	}

	code, out, _ := runCode("search", "--server", api.URL, "--size", "10", "tablets")
	if code != exitOK || !strings.Contains(out, "Next page: --cursor ") {
		t.Errorf("exit %d; the table lacks the next cursor:\n%s", code, out)
	}
	code, _, stderr := runCode("search", "--server", api.URL, "--page", "2", "--cursor", "abc", "tablets")
	if code != exitUsage || !strings.Contains(stderr, "--cursor") {
		t.Errorf("--page with --cursor: exit %d, %s; want a usage error", code, stderr)
	}
}
