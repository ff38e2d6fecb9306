package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rivo/uniseg"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// tableDocs are documents whose titles, types and themes are long enough
// to overflow any table drawn without regard to its width.
func tableDocs() []indexer.Document {
	day := time.Date(2016, 9, 27, 0, 0, 0, 0, time.UTC)
	return []indexer.Document{
		{ID: "km", URL: "https://portal.example/km.pdf", Type: indexer.TypeKeyMessages, Lang: "en", Date: day,
			Title:  "Key messages: peer learning activity on coding and computational thinking (PLA#2), Helsinki, 27-29 September 2016",
			Body:   "Tablets and coding in schools, with learning analytics.",
			Themes: []string{"coding", "learning-analytics", "teacher-training", "digital-assessment"}},
		{ID: "fr", URL: "https://portal.example/fr.html", Type: indexer.TypeKeyMessages, Lang: "fr", Date: day,
			Title:  "Messages clés : la pensée informatique et le codage à l'école (PLA#2), Helsinki, septembre 2016",
			Body:   "Tablets pour le codage.",
			Themes: []string{"coding"}},
		{ID: "oer", URL: "https://portal.example/oer.html", Type: indexer.TypeMinutes, Lang: "en", Date: day,
			Title:  "Minutes of the plenary meeting on open educational resources and tablets",
			Body:   "Open educational resources and tablets.",
			Themes: []string{"oer"}},
		{ID: "oer2", URL: "https://portal.example/oer2.html", Type: indexer.TypePage, Lang: "en",
			Title: "Open educational resources", Body: "Tablets and open licences.", Themes: []string{"oer", "coding"}},
	}
}

var (
	ansi      = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	dimmedURL = regexp.MustCompile(`(?m)^\x1b\[2m *https://portal\.example/a\.pdf#page=3\x1b\[0m$`)
)

// TestSearchTableFitsWidth runs `kbsearch search` with $COLUMNS at 60, 80
// and 120: no line is wider (a URL that cannot fit is the one exception,
// and the URLs here fit), themes show as labels, not ids, and each hit's
// URL stands on a line of its own.
func TestSearchTableFitsWidth(t *testing.T) {
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(indexertest.Reader(t, tableDocs(), true), search.Options{})}).Handler())
	t.Cleanup(api.Close)
	for _, width := range []int{60, 80, 120} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			t.Setenv("COLUMNS", fmt.Sprint(width))
			out := runCmd(t, "search", "--server", api.URL, "tablets")
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			for _, l := range lines {
				if w := uniseg.StringWidth(l); w > width {
					t.Errorf("line of %d columns, over %d:\n%s", w, width, l)
				}
			}
			for _, d := range tableDocs() {
				if !containsLine(lines, d.URL) {
					t.Errorf("no line holds just the URL %s:\n%s", d.URL, out)
				}
			}
			for _, want := range []string{"Coding and computational thinking", "Open educational resources", "Key policy messages", "Minutes", "2016-09-27", "Key messages: peer"} {
				if !strings.Contains(out, want) {
					t.Errorf("table lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "learning-analytics,") || strings.Contains(out, "coding,") {
				t.Errorf("table shows theme ids, not labels:\n%s", out)
			}
		})
	}
}

// containsLine reports whether one of lines is s, leading spaces aside.
func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if strings.TrimLeft(l, " ") == s {
			return true
		}
	}
	return false
}

// TestPrintTableStyles draws one result at several widths, in colour and
// not: the lines fit (escape codes aside), the URL is dimmed only in
// colour, a type too wide for a narrow table moves under the title, and a
// URL longer than the width is printed whole.
func TestPrintTableStyles(t *testing.T) {
	long := "https://portal.example/documents/2016-09-helsinki-peer-learning-activity-key-messages-final.pdf"
	res := &search.Result{Query: "coding", Total: 12, Page: 1, Size: 10, Hits: []search.Hit{
		{ID: "a", URL: "https://portal.example/a.pdf", Page: 3, Title: tableDocs()[0].Title, Type: "key-messages",
			Date: "2016-09-27", Themes: []string{"coding", "learning-analytics"}},
		{ID: "b", URL: long, Title: "短い題名と長い題名: 学習分析とデータ、教育におけるデジタル評価", Type: "page", Themes: []string{"oer"}},
	}, Facets: map[string][]search.Facet{"theme": {{Value: "coding", Label: "Coding (from the server)", Count: 7}}}}
	label := resultLabels(res, search.Labels(nil))
	for _, width := range []int{40, 60, 80, 120} {
		for _, color := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d colour %v", width, color), func(t *testing.T) {
				var buf bytes.Buffer
				if err := printTable(&buf, res, label, nil, tableStyle{width: width, color: color}); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				lines := strings.Split(strings.TrimRight(ansi.ReplaceAllString(out, ""), "\n"), "\n")
				for _, l := range lines {
					if w := uniseg.StringWidth(l); w > width && l != long {
						t.Errorf("line of %d columns, over %d:\n%s", w, width, l)
					}
				}
				if !containsLine(lines, "https://portal.example/a.pdf#page=3") || !containsLine(lines, long) {
					t.Errorf("URLs not on lines of their own, whole:\n%s", out)
				}
				if got := dimmedURL.MatchString(out); got != color {
					t.Errorf("URL dimmed: %v, want %v:\n%q", got, color, out)
				}
				if !color && strings.Contains(out, "\x1b") {
					t.Errorf("escape codes without colour:\n%q", out)
				}
				words := strings.Join(strings.Fields(out), " ")
				if !strings.Contains(words, "Coding (from the server)") || !strings.Contains(words, "Open educational resources") {
					t.Errorf("labels missing (the server's first, then the taxonomy's):\n%s", out)
				}
				if !strings.Contains(out, "Key policy messages") {
					t.Errorf("type label missing:\n%s", out)
				}
			})
		}
	}
}

// TestSearchTableThemeFooter checks the footer's theme counts: without a
// theme filter, every theme of the results; with --theme oer, oer alone,
// counted over the results (the facet's count of another theme is what
// choosing it instead would give).
func TestSearchTableThemeFooter(t *testing.T) {
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(indexertest.Reader(t, tableDocs(), true), search.Options{})}).Handler())
	t.Cleanup(api.Close)
	footer := func(out string) string {
		_, f, _ := strings.Cut(out, "By theme")
		return strings.Join(strings.Fields(f), " ")
	}
	all := footer(runCmd(t, "search", "--server", api.URL, "tablets"))
	if !strings.Contains(all, "coding 3") || !strings.Contains(all, "oer 2") {
		t.Errorf("footer without a filter: %q, want coding 3 and oer 2", all)
	}
	out := runCmd(t, "search", "--server", api.URL, "--theme", "oer", "tablets")
	if !strings.HasPrefix(out, "2 results") {
		t.Errorf("--theme oer: want 2 results:\n%s", out)
	}
	if got := footer(out); got != "(--theme ID): oer 2" {
		t.Errorf("footer with --theme oer: %q, want %q", got, "(--theme ID): oer 2")
	}
}

// TestColorAllowed checks when the table may use colour: on a terminal,
// unless NO_COLOR is set to anything or TERM is dumb; never elsewhere.
func TestColorAllowed(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		env  map[string]string
		want bool
	}{
		{"terminal", true, nil, true},
		{"terminal with NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false},
		{"terminal, dumb", true, map[string]string{"TERM": "dumb"}, false},
		{"pipe", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := colorAllowed(tt.tty, func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("colorAllowed = %v, want %v", got, tt.want)
			}
		})
	}
	// Not a terminal: $COLUMNS, else 80, and no colour.
	for _, tt := range []struct {
		columns string
		want    int
	}{{"132", 132}, {"", 80}, {"wide", 80}, {"-5", 80}} {
		st := outputStyle(&bytes.Buffer{}, func(k string) string { return map[string]string{"COLUMNS": tt.columns}[k] })
		if st.width != tt.want || st.color {
			t.Errorf("COLUMNS=%q: %+v, want width %d without colour", tt.columns, st, tt.want)
		}
	}
}
