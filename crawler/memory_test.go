package crawler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// denseSite serves n pages that each link to their neighbours and to 20
// pages drawn at random, so that most links lead to a URL already found;
// version changes the text of the odd pages (and their ETag), and requests
// counts the requests per path.
type denseSite struct {
	srv      *httptest.Server
	n        int
	version  atomic.Int32
	mu       sync.Mutex
	requests map[string]int
}

func newDenseSite(t *testing.T, n int) *denseSite {
	t.Helper()
	s := &denseSite{n: n, requests: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.mu.Unlock()
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/p%d.html", &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		v := 1
		if i%2 == 1 {
			v = int(s.version.Load())
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<html><head><title>Page %d</title></head><body><p>Version %d of page %d.</p>", i, v, i)
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		links := []int{(i + 1) % n, (i + n - 1) % n}
		for range 20 {
			links = append(links, rng.IntN(n))
		}
		for _, j := range links {
			fmt.Fprintf(&b, `<a href="/p%d.html">%d</a> `, j, j)
		}
		b.WriteString("</body></html>")
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("ETag", fmt.Sprintf(`"%d-%d"`, i, v))
		http.ServeContent(w, r, "", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(v)*time.Hour), strings.NewReader(b.String()))
	}))
	s.version.Store(1)
	t.Cleanup(s.srv.Close)
	return s
}

// takeRequests returns the requests per path since the last call.
func (s *denseSite) takeRequests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = map[string]int{}
	return r
}

// TestEachURLOnce crawls a site whose pages link densely to each other
// with a link cache of 8 slots, which forgets almost every link: each page
// must still be requested once per run, in a full crawl and in a re-crawl
// that follows every link (Rediscover) while the revalidation pass hands
// out the stored URLs, so that the two race for the same URLs.
func TestEachURLOnce(t *testing.T) {
	const n = 300
	s := newDenseSite(t, n)
	st := openStore(t)
	run := func(t *testing.T, opts Options) *Summary {
		t.Helper()
		opts.Seeds = []string{s.srv.URL + "/p0.html"}
		opts.Delay, opts.MaxDepth, opts.Concurrency, opts.Logger = NoDelay, 1000, 8, testLogger()
		c, err := New(st, opts)
		if err != nil {
			t.Fatal(err)
		}
		c.linkSlots = 8
		sum, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	check := func(t *testing.T) {
		t.Helper()
		got := s.takeRequests()
		for i := range n {
			if p := fmt.Sprintf("/p%d.html", i); got[p] != 1 {
				t.Errorf("%s requested %d times, want 1", p, got[p])
			}
		}
	}
	t.Run("full crawl", func(t *testing.T) {
		checkCounts(t, counts{Fetched: n, New: n}, run(t, Options{}))
		check(t)
	})
	t.Run("re-crawl following every link", func(t *testing.T) {
		s.version.Store(2)
		checkCounts(t, counts{Fetched: n, Changed: n / 2, Unchanged: n / 2}, run(t, Options{Rediscover: true}))
		check(t)
	})
	t.Run("re-crawl following changed pages", func(t *testing.T) {
		s.version.Store(3)
		checkCounts(t, counts{Fetched: n, Changed: n / 2, Unchanged: n / 2}, run(t, Options{}))
		check(t)
	})
}

// TestLinkCache checks the cache's answers: a URL it holds is known, one
// whose slot another took is new again, and its size is fixed.
func TestLinkCache(t *testing.T) {
	k := newLinkCache(1 << 4)
	if !k.add("http://a.test/") || k.add("http://a.test/") {
		t.Fatal("a URL added twice was new both times, or the first time known")
	}
	added := 0
	for i := range 1000 {
		if k.add(fmt.Sprintf("http://a.test/p%d", i)) {
			added++
		}
	}
	if added != 1000 || len(k.slots) != 1<<4 {
		t.Errorf("1000 distinct URLs: %d new, %d slots; want 1000 and 16", added, len(k.slots))
	}
	if !k.add("http://a.test/") {
		t.Error("a URL whose slot 1000 others went through is still known")
	}
}
