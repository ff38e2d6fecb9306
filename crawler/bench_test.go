package crawler

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// benchSite serves n generated HTML pages of about 8 KB of text, each
// linking to 30 others (deterministically) and to its neighbours, so that
// every page is reachable from "/p0.html"; responses carry Last-Modified and
// an ETag and honour conditional requests, like a static file server.
func benchSite(b *testing.B, n int) *httptest.Server {
	b.Helper()
	words := strings.Fields("teachers pupils schools digital skills competences assessment learning " +
		"analytics coding computational thinking open educational resources devices network policy " +
		"report meeting minutes agenda group members peer activity framework curriculum training")
	rng := rand.New(rand.NewPCG(1, 2))
	pages := make([][]byte, n)
	for i := range pages {
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "<!DOCTYPE html><html lang=\"en\"><head><title>Page %d of the working group</title></head><body><main><h1>Page %d</h1>", i, i)
		for p := 0; p < 12; p++ {
			buf.WriteString("<p>")
			for w := 0; w < 110; w++ {
				buf.WriteString(words[rng.IntN(len(words))])
				buf.WriteByte(' ')
			}
			buf.WriteString("</p>")
		}
		buf.WriteString("<ul>")
		for _, j := range []int{(i + 1) % n, (i + n - 1) % n} {
			fmt.Fprintf(&buf, `<li><a href="/p%d.html">page %d</a></li>`, j, j)
		}
		for l := 0; l < 30; l++ {
			j := rng.IntN(n)
			fmt.Fprintf(&buf, `<li><a href="/p%d.html">page %d</a></li>`, j, j)
		}
		buf.WriteString("</ul></main></body></html>")
		pages[i] = buf.Bytes()
	}
	modified := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/p%d.html", &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", fmt.Sprintf(`"p%d"`, i))
		http.ServeContent(w, r, "", modified, bytes.NewReader(pages[i]))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkCrawl measures a full crawl of a 1,000-page site served on
// loopback by this process, and an unchanged re-crawl of it (every page
// answers 304), at no delay and the default concurrency; it reports
// pages/s. The site's server shares the CPU with the crawler, as on a
// loopback test of a real site.
func BenchmarkCrawl(b *testing.B) {
	const n = 1000
	srv := benchSite(b, n)
	opts := Options{Seeds: []string{srv.URL + "/p0.html"}, Delay: NoDelay, MaxDepth: 1000}
	ctx := context.Background()
	run := func(b *testing.B, st *store.Store, want func(*Summary) bool) {
		b.Helper()
		c, err := New(st, opts)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := c.Run(ctx)
		if err != nil || !want(sum) {
			b.Fatalf("crawl: %+v, %v", sum, err)
		}
	}
	open := func(b *testing.B) *store.Store {
		b.Helper()
		st, err := store.Open(ctx, b.TempDir(), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			st := open(b)
			b.StartTimer()
			run(b, st, func(s *Summary) bool { return s.New == n })
			b.StopTimer()
			st.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("recrawl-unchanged", func(b *testing.B) {
		st := open(b)
		defer st.Close()
		run(b, st, func(s *Summary) bool { return s.New == n })
		b.ResetTimer()
		for b.Loop() {
			run(b, st, func(s *Summary) bool { return s.Unchanged == n && s.Fetched == n })
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pages/s")
	})
}
