package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler"
)

// The crawl's bounds on the frontier are flags, and what they left out is
// in the printed summary and the JSON one.
func TestCrawlBoundsFlags(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		x, _ := strconv.Atoi(r.URL.Query().Get("x"))
		var b strings.Builder
		b.WriteString("<html><head><title>Trap</title></head><body><p>A page of links.</p>")
		for i := range 50 {
			fmt.Fprintf(&b, `<a href="/trap?x=%d">next</a> `, x*50+i+1)
		}
		b.WriteString("</body></html>")
		fmt.Fprint(w, b.String())
	}))
	defer srv.Close()
	data := t.TempDir()
	sumFile := filepath.Join(data, "summary.json")
	out := runCmd(t, "crawl", "--data", data, "--seed", srv.URL+"/", "--delay", "0s", "--log-level", "warn",
		"--no-progress", "--in-process-extract", "--max-pages", "100", "--max-query-variants", "5", "--summary", sumFile)
	if !strings.Contains(out, "left out by bounds: query-variants ") {
		t.Errorf("summary line without the capped count:\n%s", out)
	}
	b, err := os.ReadFile(sumFile)
	if err != nil {
		t.Fatal(err)
	}
	var sum crawler.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.New != 1+5 || sum.Capped[crawler.CapQueryVariants] == 0 {
		t.Errorf("summary %s: want 6 new pages and query-variants capped", b)
	}
}
