package crawler

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
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

// heapSite serves n pages generated on each request (nothing of the site
// is held in memory, so the heap measured is the crawler's): about 6 KB of
// text, links to the neighbours and to 30 pages drawn from a generator
// seeded by the page's number, and a /sitemap.xml listing every page.
func heapSite(b *testing.B, n int) *httptest.Server {
	b.Helper()
	words := strings.Fields("teachers pupils schools digital skills competences assessment learning " +
		"analytics coding computational thinking open educational resources devices network policy " +
		"report meeting minutes agenda group members peer activity framework curriculum training")
	path := func(i int) string { return fmt.Sprintf("/docs/%d/%02d/minutes-%d.html", 2008+i%19, 1+i%12, i) }
	modified := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sitemap.xml" {
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for i := range n {
				fmt.Fprintf(w, "<url><loc>http://%s%s</loc></url>", r.Host, path(i))
			}
			io.WriteString(w, "</urlset>")
			return
		}
		var y, m, i int
		if _, err := fmt.Sscanf(r.URL.Path, "/docs/%d/%d/minutes-%d.html", &y, &m, &i); err != nil || i < 0 || i >= n || r.URL.Path != path(i) {
			http.NotFound(w, r)
			return
		}
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "<!DOCTYPE html><html lang=\"en\"><head><title>Minutes %d of the working group</title></head><body><main><h1>Minutes %d</h1>", i, i)
		for range 8 {
			buf.WriteString("<p>")
			for range 110 {
				buf.WriteString(words[rng.IntN(len(words))])
				buf.WriteByte(' ')
			}
			buf.WriteString("</p>")
		}
		buf.WriteString("<ul>")
		links := []int{(i + 1) % n, (i + n - 1) % n}
		for range 30 {
			links = append(links, rng.IntN(n))
		}
		for _, j := range links {
			fmt.Fprintf(&buf, `<li><a href="%s">minutes %d</a></li>`, path(j), j)
		}
		buf.WriteString("</ul></main></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", fmt.Sprintf(`"m%d"`, i))
		http.ServeContent(w, r, "", modified, bytes.NewReader(buf.Bytes()))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkCrawlHeap crawls sites of 2,000 and 8,000 pages (heapSite) into
// an empty store and reports, per site size, the crawler's heap:
//
//   - gc-heap-MB: the live heap of a forced collection each time another
//     eighth of the pages is counted: the largest of the eight. Mid-crawl
//     it is mostly pages in flight (bodies, parse trees, the writer's
//     queue), so it varies by several MB with the scheduling;
//   - end-heap-MB: the same at the last page, while the run still holds
//     all its state (link cache, pending set, the store's bbolt handle);
//   - live-p50-MB and live-max-MB: the median and the largest live heap
//     (what each collection found reachable, with what was allocated while
//     it ran) sampled every 2 ms through runtime/metrics. The maximum
//     catches transients between the eighths, but grows with the number of
//     collections on a busy machine, so a longer crawl shows a larger one;
//
// and pages/s. A crawler whose memory does not grow with the site reports
// about the same heap for both sizes; compare by eye or with benchstat:
//
//	go test ./crawler -run '^$' -bench CrawlHeap -benchtime 1x -count 3
func BenchmarkCrawlHeap(b *testing.B) {
	for _, n := range []int{2000, 8000} {
		b.Run(fmt.Sprintf("pages=%d", n), func(b *testing.B) {
			srv := heapSite(b, n)
			ctx := context.Background()
			var gcHeap, endHeap uint64
			var live []uint64
			for b.Loop() {
				b.StopTimer()
				st, err := store.Open(ctx, b.TempDir(), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				b.StartTimer()
				stop := sampleLiveHeap(&live)
				opts := Options{Seeds: []string{srv.URL + "/docs/2008/01/minutes-0.html"}, Delay: NoDelay, MaxDepth: 1000, MaxPages: 10 * n,
					Progress: func(p Progress) {
						if p.Fetched%(n/8) == 0 {
							runtime.GC()
							gcHeap = max(gcHeap, liveHeap())
							if p.Fetched == n {
								endHeap = max(endHeap, liveHeap())
							}
						}
					}}
				c, err := New(st, opts)
				if err != nil {
					b.Fatal(err)
				}
				sum, err := c.Run(ctx)
				stop()
				if err != nil || sum.New != n {
					b.Fatalf("crawl: %+v, %v", sum, err)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			slices.Sort(live)
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pages/s")
			b.ReportMetric(float64(gcHeap)/(1<<20), "gc-heap-MB")
			b.ReportMetric(float64(endHeap)/(1<<20), "end-heap-MB")
			b.ReportMetric(float64(live[len(live)/2])/(1<<20), "live-p50-MB")
			b.ReportMetric(float64(live[len(live)-1])/(1<<20), "live-max-MB")
		})
	}
}

// sampleLiveHeap appends the live heap to *live every 2 ms until the
// returned stop is called.
func sampleLiveHeap(live *[]uint64) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			*live = append(*live, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// liveHeap is the live heap marked by the last collection (after
// runtime.GC, what was reachable then, unlike HeapAlloc which also counts
// what the crawl allocated since).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
