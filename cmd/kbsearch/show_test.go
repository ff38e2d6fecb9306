package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// lookupAPI serves tableDocs through the API.
func lookupAPI(t *testing.T) string {
	t.Helper()
	docs := tableDocs()
	docs[0].ThemeReasons = map[string][]string{"coding": {`title: "coding"`, `body: "computational thinking" x2`}}
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(indexertest.Reader(t, docs, true), search.Options{})}).Handler())
	t.Cleanup(api.Close)
	return api.URL
}

// localData builds an index generation of synthetic documents under a
// data directory, as kbsearch index does, and returns the directory.
func localData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	st := indexertest.SyntheticStore(t, t.TempDir(), 30)
	defer st.Close()
	if _, err := indexer.Build(context.Background(), st, filepath.Join(data, "index"), indexer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestThemesCommand(t *testing.T) {
	server := lookupAPI(t)
	t.Setenv("COLUMNS", "60")
	out := runCmd(t, "themes", "--server", server)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "THEME") || !strings.Contains(out, "\ncoding"+strings.Repeat(" ", 17)+"3  Coding and computational thinking\n") {
		t.Errorf("themes table:\n%s", out)
	}
	for _, l := range lines {
		if len([]rune(l)) > 60 {
			t.Errorf("line over 60 columns: %q", l)
		}
	}
	var body struct {
		Themes []search.ThemeCount `json:"themes"`
	}
	js := runCmd(t, "themes", "--server", server, "--format", "json")
	if err := json.Unmarshal([]byte(js), &body); err != nil || len(body.Themes) == 0 {
		t.Fatalf("json: %v\n%s", err, js)
	}
	// From the index under --data: the same counts as a search's facets.
	data := localData(t)
	local := runCmd(t, "themes", "--data", data, "--format", "json")
	if err := json.Unmarshal([]byte(local), &body); err != nil || len(body.Themes) == 0 {
		t.Fatalf("local json: %v\n%s", err, local)
	}
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"themes", "--format", "xml", "--server", server}, exitUsage},
		{[]string{"themes", "extra"}, exitUsage},
		{[]string{"themes", "--data", t.TempDir()}, exitError},
	} {
		if code, out, stderr := runCode(tt.args...); code != tt.code {
			t.Errorf("%q: exit %d, want %d\n%s%s", tt.args, code, tt.code, out, stderr)
		}
	}
}

func TestShowCommand(t *testing.T) {
	server := lookupAPI(t)
	t.Setenv("COLUMNS", "80")
	out := runCmd(t, "show", "--server", server, "km")
	for _, want := range []string{
		"Key messages: peer learning activity on coding",
		"https://portal.example/km.pdf",
		"type      Key policy messages",
		"date      2016-09-27",
		`Coding and computational thinking (coding): title: "coding"; body:`,
		"Tablets and coding in schools",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	js := runCmd(t, "show", "--server", server, "--format", "json", "km")
	var doc struct {
		ID           string              `json:"id"`
		ThemeReasons map[string][]string `json:"theme_reasons"`
		Similar      []search.Related    `json:"similar"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil || doc.ID != "km" || doc.Similar == nil || len(doc.ThemeReasons["coding"]) != 2 {
		t.Errorf("json: %+v, %v\n%s", doc, err, js)
	}
	for _, s := range doc.Similar {
		if s.ID == "km" {
			t.Errorf("similar holds the document itself: %+v", doc.Similar)
		}
	}

	// From the index under --data, the same document object.
	data := localData(t)
	var res search.Result
	if err := json.Unmarshal([]byte(runCmd(t, "search", "--data", data, "--format", "json", "--size", "1", "")), &res); err != nil || len(res.Hits) == 0 {
		t.Fatalf("local search: %v", err)
	}
	id := res.Hits[0].ID
	if local := runCmd(t, "show", "--data", data, "--format", "json", id); !strings.Contains(local, `"id": "`+id+`"`) || !strings.Contains(local, `"similar"`) {
		t.Errorf("local show:\n%s", local)
	}

	for _, tt := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"show", "--server", server, "nosuch"}, exitNoResults, `No document with id "nosuch".`},
		{[]string{"show", "--data", data, "nosuch"}, exitNoResults, `No document with id "nosuch".`},
		{[]string{"show", "--server", server}, exitUsage, ""},
		{[]string{"show", "--server", server, "--format", "yaml", "km"}, exitUsage, ""},
		{[]string{"show", "--data", t.TempDir(), "km"}, exitError, ""},
	} {
		code, out, stderr := runCode(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) {
			t.Errorf("%q: exit %d, want %d with %q\n%s%s", tt.args, code, tt.code, tt.out, out, stderr)
		}
	}
}

func TestSearchRIS(t *testing.T) {
	server := lookupAPI(t)
	for _, src := range []string{"server", "local"} {
		t.Run(src, func(t *testing.T) {
			args := []string{"search", "--format", "ris", "--server", server, "tablets"}
			if src == "local" {
				args = []string{"search", "--format", "ris", "--data", localData(t), ""}
			}
			out := runCmd(t, args...)
			records := strings.Count(out, "\r\nER  - \r\n")
			if records == 0 || !strings.HasPrefix(out, "TY  - ") || strings.Count(out, "TY  - ") != records {
				t.Fatalf("not RIS records:\n%q", out[:min(len(out), 300)])
			}
			if src == "server" && (!strings.Contains(out, "TY  - GOVDOC\r\nTI  - Key messages") || !strings.Contains(out, "KW  - Coding and computational thinking\r\n")) {
				t.Errorf("RIS of the key messages:\n%s", out)
			}
		})
	}
	if code, out, _ := runCode("search", "--format", "ris", "--server", server, "xylophones"); code != exitNoResults || out != "" {
		t.Errorf("no results: exit %d, output %q; want 4 and nothing", code, out)
	}
}

// TestTableHighlights: the passage of each hit shows the matched words in
// bold on a terminal, and as plain text without colour (NO_COLOR, a pipe).
func TestTableHighlights(t *testing.T) {
	res := &search.Result{Query: "tablets", Total: 1, Page: 1, Size: 10, Hits: []search.Hit{
		{ID: "a", URL: "https://portal.example/a.html", Title: "Tablets", Type: "page",
			Snippets: []string{"… Schools choose <mark>tablets</mark> for pupils &amp; self-<mark>assessment</mark>, " + strings.Repeat("and more words that run on ", 12) + "…"}},
	}}
	for _, color := range []bool{true, false} {
		var b bytes.Buffer
		if err := printTable(&b, res, search.Labels(nil), nil, tableStyle{width: 60, color: color}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		bold := strings.Contains(out, "\x1b[1mtablets\x1b[22m") && strings.Contains(out, "self-\x1b[1massessment\x1b[22m")
		if bold != color {
			t.Errorf("colour %v: bold matches %v:\n%q", color, bold, out)
		}
		plain := ansi.ReplaceAllString(out, "")
		if !strings.Contains(plain, "Schools choose tablets for pupils & self-assessment,") {
			t.Errorf("passage missing or escaped:\n%s", plain)
		}
		lines := strings.Split(plain, "\n")
		passage := 0
		for _, l := range lines {
			if len([]rune(l)) > 60 {
				t.Errorf("line over 60 columns: %q", l)
			}
			if strings.Contains(l, "run on") || strings.Contains(l, "Schools") {
				passage++
			}
		}
		if passage > snippetLines {
			t.Errorf("passage of %d lines, want at most %d:\n%s", passage, snippetLines, plain)
		}
	}
	st := outputStyle(&bytes.Buffer{}, func(k string) string { return map[string]string{"NO_COLOR": "1", "COLUMNS": "70"}[k] })
	if st.color || st.width != 70 {
		t.Errorf("style to a pipe with NO_COLOR: %+v", st)
	}
}

func TestLookupCompletion(t *testing.T) {
	for _, cmd := range []string{"themes", "show"} {
		code, out, _ := runCode("__complete", cmd, "--format", "j")
		if code != exitOK || !strings.HasPrefix(out, "json\t") {
			t.Errorf("%s --format completion: exit %d\n%s", cmd, code, out)
		}
	}
}
