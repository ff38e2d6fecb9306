package crawler

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A page of query-variant links (/trap?x=N, each linking to 200 more)
// queues no more than MaxQueryVariants variants of the path, fetches no more
// than that, and counts the links it left out.
func TestQueryVariantCap(t *testing.T) {
	var c counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hit(r.URL.Path)
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		x, _ := strconv.Atoi(r.URL.Query().Get("x"))
		var links []string
		for i := range 200 {
			links = append(links, fmt.Sprintf("/trap?x=%d", x*200+i+1))
		}
		fmt.Fprint(w, page(links...))
	}))
	defer srv.Close()
	st := openStore(t)
	sum := crawl(t, st, Options{Seeds: []string{srv.URL + "/"}, MaxPages: 300, MaxQueryVariants: 20})
	if got := c.count("/trap"); got > 20 {
		t.Errorf("%d variants of /trap fetched, want at most 20", got)
	}
	if sum.Capped[CapQueryVariants] == 0 {
		t.Errorf("Capped = %v, want %s counted", sum.Capped, CapQueryVariants)
	}
	if n, err := st.QueueLen(context.Background()); err != nil || n > 20 {
		t.Errorf("QueueLen = %d, %v; want at most 20", n, err)
	}
}

// The frontier holds at most MaxQueued URLs: a site of distinct paths,
// each page linking to 100 new ones, leaves no more queued when the run
// stops at MaxPages, and the links left out are counted.
func TestFrontierCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
		var links []string
		for i := range 100 {
			links = append(links, fmt.Sprintf("/p/%d", n*100+i+1))
		}
		fmt.Fprint(w, page(links...))
	}))
	defer srv.Close()
	st := openStore(t)
	sum := crawl(t, st, Options{Seeds: []string{srv.URL + "/p/0"}, MaxPages: 20, MaxQueued: 150})
	if n, err := st.QueueLen(context.Background()); err != nil || n > 150 {
		t.Errorf("QueueLen = %d, %v; want at most 150", n, err)
	}
	if sum.Capped[CapFrontier] == 0 {
		t.Errorf("Capped = %v, want %s counted", sum.Capped, CapFrontier)
	}
	if sum.New != 20 {
		t.Errorf("New = %d, want 20 (MaxPages)", sum.New)
	}
}

func TestMaxQueuedDefault(t *testing.T) {
	tests := []struct{ maxPages, maxQueued, want int }{
		{0, 0, 10 * DefaultMaxPages},
		{10, 0, minMaxQueued},
		{5000, 0, 50000},
		{5000, 7, 7},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d-%d", tc.maxPages, tc.maxQueued), func(t *testing.T) {
			o := Options{MaxPages: tc.maxPages, MaxQueued: tc.maxQueued}.withDefaults()
			if o.MaxQueued != tc.want {
				t.Errorf("MaxQueued = %d, want %d", o.MaxQueued, tc.want)
			}
		})
	}
}

// A sitemap over the size cap is counted in the summary and logged at
// INFO, not only at DEBUG.
func TestSitemapTooLarge(t *testing.T) {
	var body strings.Builder
	body.WriteString("<urlset>")
	for i := range 200 {
		fmt.Fprintf(&body, "<url><loc>/s%d</loc></url>", i)
	}
	body.WriteString("</urlset>")
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/sitemap.xml":
			fmt.Fprint(w, strings.ReplaceAll(body.String(), "<loc>/", "<loc>"+srvURL+"/"))
		default:
			fmt.Fprint(w, page())
		}
	}))
	defer srv.Close()
	srvURL = srv.URL
	var logs bytes.Buffer
	c, err := New(openStore(t), Options{Seeds: []string{srv.URL + "/"}, Delay: NoDelay, MaxPages: 5,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	c.sitemapBytes = 1000
	c.sleepHook = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Capped[CapSitemapSize] != 1 {
		t.Errorf("Capped = %v, want one %s", sum.Capped, CapSitemapSize)
	}
	if !strings.Contains(logs.String(), "sitemap larger than") {
		t.Errorf("no INFO line about the sitemap in:\n%s", logs.String())
	}
}
