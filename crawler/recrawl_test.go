package crawler

import (
	"context"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// A re-crawl with the same options revalidates every stored URL without
// following the links of unchanged pages; options that reach further make
// it follow them again, and so does Rediscover.
func TestRecrawlRediscovery(t *testing.T) {
	s := newSite(t, "testdata/rediscover.txtar")
	st := openStore(t)
	seed := []string{s.URL("/")}

	// Depth 1: the start page and A; A's links are beyond the depth.
	checkCounts(t, counts{Fetched: 2, New: 2}, crawl(t, st, Options{Seeds: seed, MaxDepth: 1}))

	// Same options: both revalidated, nothing else requested.
	s.resetCounts()
	checkCounts(t, counts{Fetched: 2, Unchanged: 2}, crawl(t, st, Options{Seeds: seed, MaxDepth: 1}))
	if n := s.count("/b.html"); n != 0 {
		t.Errorf("/b.html requested %d times at depth 1", n)
	}

	// A deeper crawl follows the links of unchanged A: B is new; C is
	// refused by robots.txt.
	s.resetCounts()
	checkCounts(t, counts{Fetched: 3, New: 1, Unchanged: 2, Failed: map[extract.Reason]int{ReasonRobots: 1}},
		crawl(t, st, Options{Seeds: seed, MaxDepth: 2}))

	// robots.txt now lets C in. A re-crawl with the same options does not
	// read A's links again (C would be found once A changes) ...
	s.set("/robots.txt", []byte("User-agent: *\nDisallow:\n"), "text/plain")
	s.resetCounts()
	checkCounts(t, counts{Fetched: 3, Unchanged: 3}, crawl(t, st, Options{Seeds: seed, MaxDepth: 2}))
	if n := s.count("/c.html"); n != 0 {
		t.Errorf("/c.html requested %d times without Rediscover", n)
	}
	// ... with Rediscover.
	s.resetCounts()
	checkCounts(t, counts{Fetched: 4, New: 1, Unchanged: 3}, crawl(t, st, Options{Seeds: seed, MaxDepth: 2, Rediscover: true}))
	for _, p := range []string{"/", "/a.html", "/b.html", "/c.html"} {
		if n := s.count(p); n != 1 {
			t.Errorf("%s requested %d times, want 1", p, n)
		}
	}

	// A changed page has its links followed whatever the options: a new
	// page linked from a changed A is found.
	s.set("/d.html", []byte(`<html><head><title>Page D</title></head><body><p>New.</p></body></html>`), "text/html")
	s.set("/a.html", []byte(`<html><head><title>Page A</title></head><body><p>One link down.</p><a href="/b.html">B</a> <a href="/d.html">D</a></body></html>`), "text/html")
	s.resetCounts()
	checkCounts(t, counts{Fetched: 5, New: 1, Changed: 1, Unchanged: 3}, crawl(t, st, Options{Seeds: seed, MaxDepth: 2}))
	for _, p := range []string{"/", "/a.html", "/b.html", "/c.html", "/d.html"} {
		if n := s.count(p); n != 1 {
			t.Errorf("after A changed: %s requested %d times, want 1", p, n)
		}
	}
}

// A re-crawl stopped part-way is resumed by the next run, which requests
// only what the stopped one had not.
func TestRecrawlResumed(t *testing.T) {
	s := newSite(t, "testdata/recrawl.txtar")
	st := openStore(t)
	seed := []string{s.URL("/")}
	checkCounts(t, counts{Fetched: 3, New: 3}, crawl(t, st, Options{Seeds: seed}))

	s.resetCounts()
	checkCounts(t, counts{Fetched: 2, Unchanged: 2}, crawl(t, st, Options{Seeds: seed, MaxPages: 2, Concurrency: 1}))
	if info, err := st.UnfinishedRun(context.Background()); err != nil || info == nil {
		t.Fatalf("a re-crawl cut by MaxPages left no unfinished run (%v, %v)", info, err)
	}
	checkCounts(t, counts{Fetched: 1, Unchanged: 1}, crawl(t, st, Options{Seeds: seed}))
	for _, p := range []string{"/", "/agenda-1.html", "/agenda-2.html"} {
		if n := s.count(p); n != 1 {
			t.Errorf("%s requested %d times over the stopped and the resumed run, want 1", p, n)
		}
	}
	if info, err := st.UnfinishedRun(context.Background()); err != nil || info != nil {
		t.Errorf("the resumed re-crawl did not finish (%+v, %v)", info, err)
	}
}
