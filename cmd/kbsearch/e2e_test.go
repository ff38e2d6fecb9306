package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/cmd/internal/demosite"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// runCmd runs the kbsearch command line in-process and returns its stdout.
func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("kbsearch %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// demoPipeline serves the demo portal, crawls and indexes it through the
// command line into a temporary data directory, and returns an API server
// over the index.
func demoPipeline(t *testing.T) (data string, portal, api *httptest.Server, site *demosite.Site) {
	t.Helper()
	site, err := demosite.New()
	if err != nil {
		t.Fatal(err)
	}
	portal = httptest.NewServer(site.Handler())
	t.Cleanup(portal.Close)
	data = t.TempDir()
	runCmd(t, "crawl", "--data", data, "--seed", portal.URL+"/", "--delay", "0s", "--log-level", "warn")
	runCmd(t, "index", "--data", data, "--log-level", "warn")

	live, err := indexer.NewLive(data+"/index", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	api = httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(live, search.Options{})}).Handler())
	t.Cleanup(api.Close)
	return data, portal, api, site
}

func getJSON(t *testing.T, u string, wantStatus int, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %s", u, resp.StatusCode, wantStatus, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", u, err, body)
	}
}

func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls and indexes the whole demo portal")
	}
	data, portal, api, site := demoPipeline(t)
	docs := site.Documents()
	byPath := make(map[string]demosite.DocInfo, len(docs))
	for _, d := range docs {
		byPath[d.Path] = d
	}
	meetingOf := func(h search.Hit) string {
		u, err := url.Parse(h.URL)
		if err != nil {
			t.Fatal(err)
		}
		return byPath[u.Path].Meeting
	}

	t.Run("every published document is indexed", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?size=100", 200, &res)
		if int(res.Total) != len(docs)+1 { // + the home page
			t.Errorf("total = %d, want %d documents + home page", res.Total, len(docs))
		}
	})

	t.Run("bring your own device finds Hamburg first", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q=bring+your+own+device", 200, &res)
		if len(res.Hits) < 3 {
			t.Fatalf("only %d hits", len(res.Hits))
		}
		for i, h := range res.Hits[:3] {
			if m := meetingOf(h); m != "2016-07-hamburg-pla" {
				t.Errorf("hit %d is %q (meeting %q), want a Hamburg document", i+1, h.Title, m)
			}
		}
		if len(res.Facets["theme"]) == 0 {
			t.Errorf("no theme facet")
		}
	})

	t.Run("PDF hits name the page of their match", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q=bring+your+own+device&size=20", 200, &res)
		pdfs := 0
		for _, h := range res.Hits {
			if !strings.HasSuffix(h.URL, ".pdf") {
				if h.Page != 0 {
					t.Errorf("%s: page %d on a one-page document", h.URL, h.Page)
				}
				continue
			}
			pdfs++
			if h.Page < 1 {
				t.Errorf("%s: no page for a PDF hit", h.URL)
			}
		}
		if pdfs == 0 {
			t.Fatal("no PDF among the hits")
		}
	})

	t.Run("facet counts agree with the hits", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q=learning+analytics&size=100", 200, &res)
		if int(res.Total) != len(res.Hits) {
			t.Fatalf("total %d > size 100", res.Total)
		}
		want := map[string]int{}
		for _, h := range res.Hits {
			for _, th := range h.Themes {
				want[th]++
			}
		}
		got := map[string]int{}
		for _, f := range res.Facets["theme"] {
			got[f.Value] = f.Count
		}
		if len(got) != len(want) {
			t.Errorf("theme facet %v, want %v", got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("theme facet %s = %d, want %d", k, got[k], n)
			}
		}
	})

	t.Run("theme and type filters narrow", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q=bring+your+own+device&theme=learning-analytics&type=minutes&size=100", 200, &res)
		if res.Total == 0 {
			t.Fatal("no learning-analytics minutes")
		}
		for _, h := range res.Hits {
			if h.Type != "minutes" || !contains(h.Themes, "learning-analytics") {
				t.Errorf("hit %q has type %s themes %v", h.Title, h.Type, h.Themes)
			}
		}
		var la search.Result
		getJSON(t, api.URL+"/api/v1/search?theme=learning-analytics&size=100", 200, &la)
		found := false
		for _, h := range la.Hits {
			found = found || meetingOf(h) == "2016-10-brussels-plenary"
		}
		if !found {
			t.Errorf("the October 2016 plenary on learning analytics is not tagged learning-analytics")
		}
	})

	t.Run("phrase query", func(t *testing.T) {
		var phrase, words search.Result
		getJSON(t, api.URL+"/api/v1/search?q=%22learning+analytics%22&size=100", 200, &phrase)
		getJSON(t, api.URL+"/api/v1/search?q=learning+analytics&size=100", 200, &words)
		if phrase.Total == 0 || phrase.Total >= words.Total {
			t.Errorf("phrase total %d, words total %d: want 0 < phrase < words", phrase.Total, words.Total)
		}
		for _, h := range phrase.Hits {
			s := strings.ToLower(strings.Join(h.Snippets, " ") + " " + h.Title)
			if !strings.Contains(s, "analytics") {
				t.Errorf("phrase hit %q shows no match: %v", h.Title, h.Snippets)
			}
		}
	})

	t.Run("text that is not syntax is plain words", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q="+url.QueryEscape("bring your own device (hamburg"), 200, &res)
		if res.Total == 0 || !strings.Contains(res.Notice, "plain words") {
			t.Errorf("unclosed parenthesis: total %d, notice %q; want results and a notice", res.Total, res.Notice)
		}
		out := runCmd(t, "search", "--data", data, "1) bring your own device 2) hamburg")
		if !strings.Contains(out, `Note: Unbalanced parenthesis: the ")" at position 2`) || !strings.Contains(out, "TITLE") {
			t.Errorf("CLI table output:\n%s", out)
		}
	})

	t.Run("a query over a bound is a 400", func(t *testing.T) {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		getJSON(t, api.URL+"/api/v1/search?q="+strings.Repeat("a+", search.MaxQueryBytes/2+1), 400, &e)
		if e.Error.Code != "invalid_argument" || e.Error.Message == "" {
			t.Errorf("error = %+v", e.Error)
		}
	})

	t.Run("suggestions and spelling", func(t *testing.T) {
		var sug struct {
			Query       string              `json:"query"`
			Suggestions []search.Suggestion `json:"suggestions"`
		}
		getJSON(t, api.URL+"/api/v1/suggest?q=computational+thi", 200, &sug)
		if len(sug.Suggestions) == 0 || sug.Suggestions[0].Theme != "coding" {
			t.Errorf("computational thi: %+v, want the coding theme first", sug.Suggestions)
		}
		getJSON(t, api.URL+"/api/v1/suggest?q=peer+learning+hel", 200, &sug)
		found := false
		for _, x := range sug.Suggestions {
			found = found || x.Text == "peer learning helsinki" && x.Count > 0
		}
		if !found {
			t.Errorf("peer learning hel: %+v, want a completion to helsinki", sug.Suggestions)
		}
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q=learning+analitycs", 200, &res)
		if res.DidYouMean != "learning analytics" {
			t.Errorf("learning analitycs: did you mean %q, want learning analytics", res.DidYouMean)
		}
		var right search.Result
		getJSON(t, api.URL+"/api/v1/search?q=learning+analytics", 200, &right)
		if right.DidYouMean != "" {
			t.Errorf("a correct query: did you mean %q", right.DidYouMean)
		}
	})

	t.Run("translations", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q=helsinki+key+messages&size=100", 200, &res)
		found := ""
		for _, h := range res.Hits {
			if strings.HasSuffix(h.URL, "/2016-09-helsinki-pla-key-messages.pdf") {
				found = h.ID
				if len(h.Translations) != 1 || h.Translations[0].Lang != "fr" ||
					!strings.HasSuffix(h.Translations[0].URL, "/2016-09-helsinki-pla-key-messages_fr.html") {
					t.Errorf("Helsinki key messages: translations %+v, want the French version", h.Translations)
				}
			} else if len(h.Translations) > 0 && !strings.Contains(h.URL, "key-messages") && !strings.Contains(h.URL, "report") {
				t.Errorf("%s has translations %+v", h.URL, h.Translations)
			}
		}
		if found == "" {
			t.Fatal("Helsinki key messages not found")
		}
		var doc search.Document
		getJSON(t, api.URL+"/api/v1/documents/"+found, 200, &doc)
		if len(doc.Translations) != 1 || doc.Translations[0].Lang != "fr" {
			t.Errorf("document %s: translations %+v, want the French version", found, doc.Translations)
		}
	})

	t.Run("robots and manners", func(t *testing.T) {
		var res search.Result
		getJSON(t, api.URL+"/api/v1/search?q=drafts&size=100", 200, &res)
		for _, h := range res.Hits {
			if strings.Contains(h.URL, "/internal/") {
				t.Errorf("disallowed page indexed: %s", h.URL)
			}
		}
		for _, h := range mustSearchAll(t, api.URL) {
			if strings.Contains(h.URL, "/files/legacy/") {
				t.Errorf("duplicate URL indexed: %s", h.URL)
			}
		}
	})

	t.Run("cli table and json", func(t *testing.T) {
		out := runCmd(t, "search", "--data", data, "--theme", "oer", "open", "educational", "resources")
		if !strings.Contains(out, "TITLE") || !strings.Contains(out, "oer") {
			t.Errorf("table output:\n%s", out)
		}
		js := runCmd(t, "search", "--data", data, "--format", "json", "--theme", "oer", "open educational resources")
		var fromCLI, fromAPI search.Result
		if err := json.Unmarshal([]byte(js), &fromCLI); err != nil {
			t.Fatalf("json output: %v\n%s", err, js)
		}
		getJSON(t, api.URL+"/api/v1/search?theme=oer&q=open+educational+resources", 200, &fromAPI)
		if fromCLI.Total != fromAPI.Total || len(fromCLI.Hits) != len(fromAPI.Hits) || fromCLI.Hits[0].ID != fromAPI.Hits[0].ID {
			t.Errorf("CLI and API disagree: %d/%d hits", fromCLI.Total, fromAPI.Total)
		}
		// CSV: every hit, locally or through a server, in the API's order.
		local := runCmd(t, "search", "--data", data, "--format", "csv", "--size", "2", "--theme", "oer", "open educational resources")
		viaServer := runCmd(t, "search", "--server", api.URL, "--format", "csv", "--theme", "oer", "open educational resources")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(local, search.BOM))).ReadAll()
		if err != nil || len(rows)-1 != int(fromAPI.Total) || rows[1][5] != fromAPI.Hits[0].URL {
			t.Errorf("CSV (%v): %d rows for %d hits:\n%.400s", err, len(rows)-1, fromAPI.Total, local)
		}
		if local != viaServer {
			t.Errorf("CSV from the index and from the server differ:\n%s\n---\n%s", local, viaServer)
		}
		remote := runCmd(t, "search", "--server", api.URL, "--format", "json", "--theme", "oer", "open educational resources")
		var fromRemote search.Result
		if err := json.Unmarshal([]byte(remote), &fromRemote); err != nil || fromRemote.Total != fromAPI.Total {
			t.Errorf("--server: err %v total %d, want %d", err, fromRemote.Total, fromAPI.Total)
		}
	})

	t.Run("cli dates out of range", func(t *testing.T) {
		// A bound beyond the range a filter holds is clamped: --from 1000
		// and --to 9999 are no bound for a dated document, locally and
		// through a server.
		total := func(args ...string) uint64 {
			t.Helper()
			var res search.Result
			out := runCmd(t, append([]string{"search", "--format", "json"}, args...)...)
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("search %v: %v\n%s", args, err, out)
			}
			return res.Total
		}
		dated := total("--data", data, "--from", "1900", "--to", "2200")
		if dated == 0 {
			t.Fatal("no dated documents")
		}
		for _, args := range [][]string{
			{"--data", data, "--from", "1000"}, {"--data", data, "--to", "9999"}, {"--data", data, "--from", "0000"},
			{"--server", api.URL, "--from", "1000"}, {"--server", api.URL, "--to", "9999"},
		} {
			if got := total(args...); got != dated {
				t.Errorf("search %v: %d hits, want %d", args, got, dated)
			}
		}
	})

	t.Run("second crawl is incremental and index is kept", func(t *testing.T) {
		out := runCmd(t, "crawl", "--data", data, "--seed", portal.URL+"/", "--delay", "0s", "--log-level", "warn")
		if !strings.Contains(out, " 0 new, 0 changed") {
			t.Errorf("second crawl: %s", out)
		}
		out = runCmd(t, "index", "--data", data, "--log-level", "warn")
		if !strings.Contains(out, "up to date") {
			t.Errorf("second index: %s", out)
		}
	})
}

func mustSearchAll(t *testing.T, api string) []search.Hit {
	var res search.Result
	getJSON(t, api+"/api/v1/search?size=100", 200, &res)
	return res.Hits
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
