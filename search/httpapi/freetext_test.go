package httpapi

import (
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/eval"
)

// irDir is where the standard test collections are looked for: beside the
// repository's checkout, as the project's machines lay them out.
var irDir = flag.String("ir", "../../../shared/data/ir", "directory of the standard test collections (CISI, CACM, Medline)")

// freeTextDocs are a few documents the hostile queries below have words of.
var freeTextDocs = []indexer.Document{
	{ID: "sorting", URL: "https://portal.example/sorting", Type: "report", Lang: "en",
		Title: "Sorting networks on parallel processors",
		Body:  "How a network of comparators sorts numbers in logarithmic time on several processors."},
	{ID: "kidney", URL: "https://portal.example/kidney", Type: "report", Lang: "en",
		Title: "Kidney stones in children",
		Body:  "Calcium oxalate crystals form stones; their treatment in children differs from adults."},
	{ID: "tablets", URL: "https://portal.example/tablets", Type: "minutes", Lang: "en",
		Title: "Tablets in schools",
		Body:  "Schools choose tablets for pupils; what they cost and how teachers use them in class."},
	{ID: "skills", URL: "https://portal.example/skills", Type: "page", Lang: "en",
		Title: "Digital skills of teachers",
		Body:  "Teacher training on digital skills and on coding for all pupils."},
}

// goodFaithQueries are texts people paste or type that are not all valid
// syntax: each must be answered 200 with results. notice says whether the
// answer must say the query was searched as plain words.
var goodFaithQueries = []struct {
	name, q string
	notice  bool
}{
	{"question ending in an open aside", "How do sorting networks use several processors (and in what time", true},
	{"numbered points", "1) kidney stones in children 2) calcium oxalate crystals, and their treatment", true},
	{"smiley", "tablets in schools :)", true},
	{"aside closed twice", "tablets (what they cost)) and pupils", true},
	{"nested too deep", "(((((((((digital skills)))))))))", true},
	{"unclosed group with operators", "(coding AND training OR NOT", true},
	{"unclosed group with fields and signs", `-(title:tablets +"digital skills"`, true},
	{"dangling and", "coding AND", false},
	{"dangling not", "tablets NOT", false},
	{"lone minus", "teachers -", false},
	{"lone plus", "+ pupils", false},
	{"empty field", "title: tablets", false},
	{"lone quote", `"`, false},
	{"unclosed phrase", `"digital skills`, false},
	{"operators alone", "AND OR NOT", false},
	{"pasted lines", "sorting\r\nnetworks\tprocessors", false},
}

// TestFreeTextNeverFails: the search, its export and its completion answer
// good-faith text that is not syntax with 200, and the search with results
// and, for text read as plain words, a notice.
func TestFreeTextNeverFails(t *testing.T) {
	t.Parallel()
	r := indexertest.Reader(t, freeTextDocs, true)
	s, _ := newTestServer(t, search.New(r, search.Options{}), Options{})
	h := s.Handler()
	for _, tt := range goodFaithQueries {
		t.Run(tt.name, func(t *testing.T) {
			q := url.QueryEscape(tt.q)
			rec := do(t, h, http.MethodGet, "/api/v1/search?q="+q)
			if rec.Code != http.StatusOK {
				t.Fatalf("search %q: status %d, want 200: %s", tt.q, rec.Code, rec.Body)
			}
			var res search.Result
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			if res.Total == 0 {
				t.Errorf("search %q: no results", tt.q)
			}
			if got := res.Notice != ""; got != tt.notice {
				t.Errorf("search %q: notice %q, want one: %v", tt.q, res.Notice, tt.notice)
			}
			if tt.notice && !strings.Contains(rec.Body.String(), `"notice":"`) {
				t.Errorf("search %q: no notice field in %s", tt.q, rec.Body)
			}
			if rec := do(t, h, http.MethodGet, "/api/v1/export?q="+q); rec.Code != http.StatusOK || rec.Header().Get("X-Total-Count") == "0" {
				t.Errorf("export %q: status %d, %s hits, want 200 and some: %.200s", tt.q, rec.Code, rec.Header().Get("X-Total-Count"), rec.Body)
			}
			if rec := do(t, h, http.MethodGet, "/api/v1/suggest?q="+q); rec.Code != http.StatusOK {
				t.Errorf("suggest %q: status %d, want 200: %s", tt.q, rec.Code, rec.Body)
			}
		})
	}
	// The bounds on cost stay errors.
	for _, q := range []string{strings.Repeat("a ", search.MaxQueryBytes/2+1), "(" + strings.Repeat(`"a b" `, 2) + strings.Repeat("x", search.MaxQueryBytes)} {
		if rec := do(t, h, http.MethodGet, "/api/v1/search?q="+url.QueryEscape(q)); rec.Code != http.StatusBadRequest {
			t.Errorf("search of %d bytes: status %d, want 400", len(q), rec.Code)
		}
	}
	// The notice is absent from the JSON of a query that is syntax.
	if rec := do(t, h, http.MethodGet, "/api/v1/search?q=(tablets)"); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"notice"`) {
		t.Errorf("search (tablets): status %d, body %.300s; want 200 without a notice", rec.Code, rec.Body)
	}
}

// TestStandardCollectionQueries feeds every query of the standard test
// collections, as written (not made free text first), through the API over
// an index of its collection: each must be answered 200 with results. It
// needs the collections (-ir), which are not part of the repository.
func TestStandardCollectionQueries(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("indexes three test collections")
	}
	if _, err := os.Stat(*irDir); err != nil {
		t.Skipf("the standard collections are not at -ir %s (%v): they are not part of the repository", *irDir, err)
	}
	cols, err := eval.LoadStandard(*irDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		t.Run(c.Name, func(t *testing.T) {
			docs := make([]indexer.Document, len(c.Docs))
			for i, d := range c.Docs {
				docs[i] = indexer.Document{ID: d.ID, URL: "https://collection.example/" + d.ID, Title: d.Title, Body: d.Body,
					Type: indexer.TypePage, Lang: "en"}
			}
			s, _ := newTestServer(t, search.New(indexertest.Reader(t, docs, true), search.Options{}), Options{})
			h := s.Handler()
			notices := 0
			for _, q := range c.Queries {
				rec := do(t, h, http.MethodGet, "/api/v1/search?q="+url.QueryEscape(q.Text))
				if rec.Code != http.StatusOK {
					t.Errorf("query %s: status %d, want 200: %s", q.ID, rec.Code, rec.Body)
					continue
				}
				var res search.Result
				if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
					t.Fatalf("query %s: %v", q.ID, err)
				}
				if res.Total == 0 {
					t.Errorf("query %s: no results for %.80q", q.ID, q.Text)
				}
				if res.Notice != "" {
					notices++
				}
			}
			t.Logf("%s: %d queries answered, %d searched as plain words", c.Name, len(c.Queries), notices)
		})
	}
}
