package crawler

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/time/rate"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnvURL) != "" {
		os.Exit(runChildCrawl()) // the crawl of TestResumeAfterKill, killed by it
	}
	flag.Parse()
	if testing.Verbose() {
		slog.SetLogLoggerLevel(slog.LevelDebug)
	}
	os.Exit(m.Run())
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func crawl(t *testing.T, st *store.Store, opts Options) *Summary {
	t.Helper()
	opts.Delay = NoDelay
	opts.Logger = testLogger()
	c, err := New(st, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.sleepHook = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum
}

func record(t *testing.T, st *store.Store, u string) *store.Record {
	t.Helper()
	rec, err := st.Get(context.Background(), u)
	if err != nil {
		t.Fatalf("Get(%s): %v", u, err)
	}
	return rec
}

// counts is a Summary without its timing, for comparison.
type counts struct {
	Fetched, New, Changed, Unchanged, Gone int
	Failed                                 map[extract.Reason]int
}

func countsOf(s *Summary) counts {
	return counts{s.Fetched, s.New, s.Changed, s.Unchanged, s.Gone, s.Failed}
}

func checkCounts(t *testing.T, want counts, got *Summary) {
	t.Helper()
	if want.Failed == nil {
		want.Failed = map[extract.Reason]int{}
	}
	if g := countsOf(got); !reflect.DeepEqual(want, g) {
		t.Errorf("summary (-want +got):\n-%+v\n+%+v", want, g)
	}
}

func makePDF(t *testing.T, lines ...string) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetTitle("Peer-learning activity report", false)
	doc.AddPage()
	doc.SetFont("Helvetica", "", 12)
	for _, l := range lines {
		doc.Cell(0, 10, l)
		doc.Ln(10)
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatalf("make PDF: %v", err)
	}
	return buf.Bytes()
}

func TestCrawlPortal(t *testing.T) {
	other := newSite(t, "testdata/recrawl.txtar")
	s := newSite(t, "testdata/portal.txtar")
	s.vars["$OTHER"] = other.srv.URL
	s.set("/reports/peer-learning.pdf", makePDF(t, "Peer learning activity on digital skills", "Oslo, 2017"), "application/pdf")
	s.set("/reports/broken.pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without xref\n"), "application/pdf")
	huge := "<html><body><p>" + strings.Repeat("digital skills ", 10000) + "</p></body></html>"
	s.set("/reports/huge.html", []byte(huge), "text/html")

	st := openStore(t)
	var progress []Progress
	sum := crawl(t, st, Options{
		Seeds:        []string{s.URL("/")},
		MaxBodyBytes: 64 << 10,
		Progress:     func(p Progress) { progress = append(progress, p) },
	})

	brokenRec := record(t, st, s.URL("/reports/broken.pdf"))
	brokenReason := brokenRec.ErrReason
	switch extract.Reason(brokenReason) {
	case extract.ReasonMalformed, extract.ReasonNoText, extract.ReasonUnsupported:
	default:
		t.Errorf("broken PDF: ErrReason %q, want an extract reason", brokenReason)
	}
	checkCounts(t, counts{
		Fetched: 16,
		New:     10,
		Failed: map[extract.Reason]int{
			ReasonRobots: 2, ReasonRedirectLoop: 1, "http-404": 1, ReasonTooLarge: 1, brokenReason: 1,
		},
	}, sum)
	if len(progress) != 10+4 { // documents requested: robots-blocked ones make no request
		t.Errorf("progress called %d times, want 14", len(progress))
	}

	t.Run("requests", func(t *testing.T) {
		for p, want := range map[string]int{
			"/robots.txt":           1,
			"/":                     1,
			"/minutes/2017-03.html": 1,
			"/messages.html":        1,
			"/private/draft.html":   0, // disallowed, also as a redirect target
			"/hidden.html":          0, // behind nofollow
			"/loop-a.html":          1,
			"/loop-b.html":          1,
		} {
			if got := s.count(p); got != want {
				t.Errorf("%s requested %d times, want %d", p, got, want)
			}
		}
		if got := other.count("/elsewhere.html") + other.count("/robots.txt"); got != 0 {
			t.Errorf("off-host site got %d requests, want 0", got)
		}
	})

	t.Run("records", func(t *testing.T) {
		tests := []struct {
			path        string
			indexable   bool
			duplicateOf string
			finalURL    string
			reason      extract.Reason
			check       func(t *testing.T, r *store.Record)
		}{
			{path: "/", indexable: true},
			{path: "/minutes/2016-11.html", indexable: true},
			{path: "/print/2016-11.html", duplicateOf: "/minutes/2016-11.html"},
			{path: "/old/messages.html", duplicateOf: "/messages.html", finalURL: "/messages.html"},
			{path: "/messages.html", indexable: true},
			{path: "/loop-a.html", reason: ReasonRedirectLoop},
			{path: "/go-private.html", reason: ReasonRobots},
			{path: "/missing.html", reason: "http-404"},
			{path: "/reports/huge.html", reason: ReasonTooLarge},
			{path: "/reports/broken.pdf", reason: brokenReason},
			{path: "/fr/competences.html", indexable: true, check: func(t *testing.T, r *store.Record) {
				want := "Compétences numériques – “groupe de travail”"
				if r.Page.Title != want {
					t.Errorf("title (-want +got):\n-%s\n+%s", want, r.Page.Title)
				}
				if !strings.Contains(r.Page.Text, "élèves") {
					t.Errorf("text not decoded to UTF-8: %q", r.Page.Text)
				}
			}},
			{path: "/internal.html", check: func(t *testing.T, r *store.Record) {
				if r.Page == nil || !r.Page.NoIndex || !r.Page.NoFollow {
					t.Errorf("robots meta not kept: %+v", r.Page)
				}
			}},
			{path: "/reports/peer-learning.pdf", indexable: true, check: func(t *testing.T, r *store.Record) {
				if !strings.Contains(r.Page.Text, "Peer learning activity") {
					t.Errorf("PDF text = %q", r.Page.Text)
				}
				raw, err := st.Raw(context.Background(), r.Hash)
				if err != nil || !bytes.HasPrefix(raw, []byte("%PDF-")) {
					t.Errorf("raw PDF not stored: %d bytes, %v", len(raw), err)
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.path, func(t *testing.T) {
				r := record(t, st, s.URL(tc.path))
				if got := r.Indexable(); got != tc.indexable {
					t.Errorf("Indexable() = %v, want %v (%+v)", got, tc.indexable, r)
				}
				wantDup := ""
				if tc.duplicateOf != "" {
					wantDup = s.URL(tc.duplicateOf)
				}
				if r.DuplicateOf != wantDup {
					t.Errorf("DuplicateOf (-want +got):\n-%s\n+%s", wantDup, r.DuplicateOf)
				}
				if tc.finalURL != "" && r.FinalURL != s.URL(tc.finalURL) {
					t.Errorf("FinalURL = %s, want %s", r.FinalURL, s.URL(tc.finalURL))
				}
				if r.ErrReason != tc.reason {
					t.Errorf("ErrReason = %q, want %q", r.ErrReason, tc.reason)
				}
				if tc.check != nil {
					tc.check(t, r)
				}
			})
		}
	})

	t.Run("same bytes kept once", func(t *testing.T) {
		a := record(t, st, s.URL("/minutes/2017-03.html"))
		b := record(t, st, s.URL("/copy/2017-03.html"))
		ok := (a.DuplicateOf == b.URL && b.DuplicateOf == "") || (b.DuplicateOf == a.URL && a.DuplicateOf == "")
		if !ok {
			t.Errorf("want exactly one duplicate of the other: %s -> %q, %s -> %q", a.URL, a.DuplicateOf, b.URL, b.DuplicateOf)
		}
		if a.Hash != b.Hash {
			t.Errorf("hashes differ: %s %s", a.Hash, b.Hash)
		}
	})

	t.Run("never fetched", func(t *testing.T) {
		for _, p := range []string{"/private/draft.html", "/hidden.html", "/loop-b.html"} {
			if _, err := st.Get(context.Background(), s.URL(p)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s has a record (err %v)", p, err)
			}
		}
	})
}

func TestConditionalRecrawl(t *testing.T) {
	s := newSite(t, "testdata/recrawl.txtar")
	st := openStore(t)
	opts := Options{Seeds: []string{s.URL("/")}}
	fp := func() string {
		f, err := st.Fingerprint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return f
	}

	checkCounts(t, counts{Fetched: 3, New: 3}, crawl(t, st, opts))
	fp1 := fp()

	s.resetCounts()
	checkCounts(t, counts{Fetched: 3, Unchanged: 3}, crawl(t, st, opts))
	for _, p := range []string{"/", "/agenda-1.html", "/agenda-2.html"} {
		got := s.ifNoneMatch(p)
		if len(got) != 1 || got[0] != record(t, st, s.URL(p)).ETag {
			t.Errorf("%s: If-None-Match sent %q, want the stored ETag", p, got)
		}
	}
	if fp() != fp1 {
		t.Errorf("fingerprint changed by an unchanged crawl")
	}

	s.set("/agenda-1.html", []byte(`<html><head><title>Agenda of the first meeting (revised)</title></head><body><p>Mandate and work plan.</p></body></html>`), "text/html")
	s.remove("/agenda-2.html")
	checkCounts(t, counts{Fetched: 3, Changed: 1, Unchanged: 1, Gone: 1}, crawl(t, st, opts))
	if r := record(t, st, s.URL("/agenda-1.html")); r.Page.Title != "Agenda of the first meeting (revised)" {
		t.Errorf("changed page not re-extracted: title %q", r.Page.Title)
	}
	gone := record(t, st, s.URL("/agenda-2.html"))
	if !gone.Gone || gone.Indexable() || gone.Page == nil {
		t.Errorf("removed page: Gone=%v Indexable=%v Page kept=%v; want true false true", gone.Gone, gone.Indexable(), gone.Page != nil)
	}
	fp3 := fp()
	if fp3 == fp1 {
		t.Errorf("fingerprint unchanged after a change")
	}

	// A page removed together with the link to it is found by the
	// revalidation pass; the page already gone is asked again (it may come
	// back) and is still gone: unchanged.
	s.set("/", []byte(`<html><head><title>Agendas</title></head><body><p>Only the first agenda.</p></body></html>`), "text/html")
	s.remove("/agenda-1.html")
	checkCounts(t, counts{Fetched: 3, Changed: 1, Unchanged: 1, Gone: 1}, crawl(t, st, opts))

	// A page that comes back is new content again.
	s.set("/agenda-2.html", []byte(`<html><head><title>Agenda of the second meeting</title></head><body><p>Back again.</p></body></html>`), "text/html")
	checkCounts(t, counts{Fetched: 3, Changed: 1, Unchanged: 2}, crawl(t, st, opts))
	if r := record(t, st, s.URL("/agenda-2.html")); r.Gone || !r.Indexable() {
		t.Errorf("a page back after a 404: Gone=%v Indexable=%v, want false true", r.Gone, r.Indexable())
	}
}

func TestFailedRefetchKeepsContent(t *testing.T) {
	s := newSite(t, "testdata/recrawl.txtar")
	st := openStore(t)
	opts := Options{Seeds: []string{s.URL("/")}}
	crawl(t, st, opts)
	before := record(t, st, s.URL("/agenda-1.html"))
	s.mu.Lock()
	s.files["/agenda-1.html"].status = http.StatusServiceUnavailable
	s.mu.Unlock()
	// The 503 is retried MaxRetries (3) times before it counts as failed.
	checkCounts(t, counts{Fetched: 3 + 3, Unchanged: 2, Failed: map[extract.Reason]int{"http-503": 1}}, crawl(t, st, opts))
	after := record(t, st, s.URL("/agenda-1.html"))
	if after.Page == nil || after.Page.Title != before.Page.Title || !after.Indexable() {
		t.Errorf("stored content lost after a failed fetch: %+v", after)
	}
	if after.ErrReason != "http-503" {
		t.Errorf("ErrReason = %q, want http-503", after.ErrReason)
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		fetched []string
		skipped []string
	}{
		{"max depth", Options{MaxDepth: 2}, []string{"/", "/d1.html", "/d2.html"}, []string{"/d3.html", "/d4.html"}},
		{"max pages", Options{MaxPages: 2}, []string{"/", "/d1.html"}, []string{"/d2.html", "/d3.html"}},
		{"prefix", Options{AllowedPrefixes: []string{"/d"}, MaxDepth: 1}, []string{"/d1.html", "/d2.html"}, []string{"/", "/d3.html"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, "testdata/chain.txtar")
			st := openStore(t)
			tc.opts.Seeds = []string{s.URL("/")}
			if tc.name == "prefix" {
				tc.opts.Seeds = []string{s.URL("/d1.html")}
			}
			sum := crawl(t, st, tc.opts)
			if sum.New != len(tc.fetched) {
				t.Errorf("New = %d, want %d", sum.New, len(tc.fetched))
			}
			for _, p := range tc.fetched {
				if s.count(p) != 1 {
					t.Errorf("%s requested %d times, want 1", p, s.count(p))
				}
			}
			for _, p := range tc.skipped {
				if s.count(p) != 0 {
					t.Errorf("%s requested %d times, want 0", p, s.count(p))
				}
			}
		})
	}
}

func TestSitemapSeeding(t *testing.T) {
	s := newSite(t, "testdata/sitemap.txtar")
	st := openStore(t)
	sum := crawl(t, st, Options{Seeds: []string{s.URL("/")}})
	checkCounts(t, counts{Fetched: 3, New: 3}, sum)
	for _, p := range []string{"/agendas/2017-06.html", "/reports/2018.html"} {
		r := record(t, st, s.URL(p))
		if r.Depth != 1 || !r.Indexable() {
			t.Errorf("%s: depth %d, indexable %v; want 1, true", p, r.Depth, r.Indexable())
		}
	}
	for _, p := range []string{"/maps/index.xml", "/maps/agendas.xml.gz", "/sitemap.xml"} {
		if s.count(p) != 1 {
			t.Errorf("%s requested %d times, want 1", p, s.count(p))
		}
	}
}

func TestRobotsUnavailable(t *testing.T) {
	tests := []struct {
		name        string
		robots      string // directive for /robots.txt
		wantFetched int
	}{
		{"server error disallows all", "STATUS 503", 0},
		{"not found allows all", "STATUS 404", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, "testdata/recrawl.txtar")
			sf, err := parseSiteFile([]byte(tc.robots + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			s.files["/robots.txt"] = sf
			sum := crawl(t, openStore(t), Options{Seeds: []string{s.URL("/")}})
			if sum.Fetched != tc.wantFetched {
				t.Errorf("Fetched = %d, want %d", sum.Fetched, tc.wantFetched)
			}
			if tc.wantFetched == 0 && (sum.Failed[ReasonRobots] != 1 || s.count("/") != 0) {
				t.Errorf("seed: failed %v, requested %d times; want robots 1, 0", sum.Failed, s.count("/"))
			}
		})
	}
}

func TestRobotsRules(t *testing.T) {
	const body = `User-agent: *
Disallow: /private/

User-agent: kbsearch
Crawl-delay: 2.5
Disallow: /drafts/
Disallow: /search?q=
`
	tests := []struct {
		name   string
		status int
		body   string
		url    string
		allow  bool
		delay  time.Duration
	}{
		{"own group applies", 200, body, "https://h/drafts/x.html", false, 2500 * time.Millisecond},
		{"star group ignored", 200, body, "https://h/private/x.html", true, 2500 * time.Millisecond},
		{"query counts", 200, body, "https://h/search?q=skills", false, 2500 * time.Millisecond},
		{"other path", 200, body, "https://h/minutes/", true, 2500 * time.Millisecond},
		{"robots.txt itself", 200, "User-agent: *\nDisallow: /\n", "https://h/robots.txt", true, 0},
		{"disallow all", 200, "User-agent: *\nDisallow: /\n", "https://h/a", false, 0},
		{"4xx allows all", 404, "", "https://h/a", true, 0},
		{"5xx disallows all", 500, "", "https://h/a", false, 0},
		{"unreachable disallows all", 0, "", "https://h/a", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseRobots(tc.status, []byte(tc.body), agentToken(DefaultUserAgent))
			u, _ := url.Parse(tc.url)
			if got := r.allowed(u); got != tc.allow {
				t.Errorf("allowed(%s) = %v, want %v", tc.url, got, tc.allow)
			}
			if r.delay != tc.delay {
				t.Errorf("crawl delay = %v, want %v", r.delay, tc.delay)
			}
		})
	}
}

func TestHostDelayFromRobots(t *testing.T) {
	s := newSite(t, "testdata/recrawl.txtar")
	s.files["/robots.txt"] = &siteFile{status: 200, ctype: "text/plain", modTime: siteEpoch,
		body: []byte("User-agent: *\nCrawl-delay: 7\n")}
	c, err := New(openStore(t), Options{Seeds: []string{s.URL("/")}, Delay: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := c.newRun(func(error) {})
	u, _ := url.Parse(s.URL("/"))
	r.robots(context.Background(), u)
	if got, want := r.hosts.get(u.Host).lim.Limit(), rate.Every(7*time.Second); got != want {
		t.Errorf("host rate = %v, want %v (Crawl-delay wins over a smaller Delay)", got, want)
	}
	if s.count("/robots.txt") != 1 {
		t.Errorf("robots.txt requested %d times, want 1", s.count("/robots.txt"))
	}
	r.robots(context.Background(), u)
	if s.count("/robots.txt") != 1 {
		t.Errorf("robots.txt requested again within a run")
	}
}

func TestNetworkFailures(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><p>Home</p><a href="/slow">slow</a> <a href="/reset">reset</a> <a href="/five">five</a></body></html>`)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	mux.HandleFunc("/five", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusBadGateway)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)
	sum := crawl(t, openStore(t), Options{Seeds: []string{srv.URL + "/"}, Timeout: 500 * time.Millisecond, MaxRetries: -1})
	want := map[extract.Reason]int{ReasonTimeout: 1, ReasonNetwork: 1, "http-502": 1}
	if !reflect.DeepEqual(want, sum.Failed) {
		t.Errorf("Failed (-want +got):\n-%v\n+%v", want, sum.Failed)
	}
}

func TestParseSitemap(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		pages     []sitemapURL
		sitemaps  []string
		wantError bool
	}{
		{"urlset", `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://h/a </loc><lastmod>2017-05-20</lastmod></url><url><loc>https://h/b</loc><lastmod>2018-01-02T10:30:00+01:00</lastmod></url></urlset>`,
			[]sitemapURL{{"https://h/a", time.Date(2017, 5, 20, 0, 0, 0, 0, time.UTC)}, {"https://h/b", time.Date(2018, 1, 2, 9, 30, 0, 0, time.UTC)}}, nil, false},
		{"index", `<sitemapindex><sitemap><loc>https://h/s1.xml</loc></sitemap></sitemapindex>`, nil, []string{"https://h/s1.xml"}, false},
		{"wrong root", `<rss><channel/></rss>`, nil, nil, true},
		{"not xml", `hello`, nil, nil, true},
		{"truncated: the pages before the error are read", `<urlset><url><loc>https://h/a</loc></url><url><loc>https://h/b`,
			[]sitemapURL{{"https://h/a", time.Time{}}}, nil, true},
		{"other elements skipped", `<?xml version="1.0"?><urlset><!-- c --><meta><url><loc>https://h/x</loc></url></meta><url><loc>https://h/a</loc></url></urlset>`,
			[]sitemapURL{{"https://h/a", time.Time{}}}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pages []sitemapURL
			sitemaps, err := parseSitemap(strings.NewReader(tc.body), maxSitemapBytes, func(p sitemapURL) bool {
				pages = append(pages, p)
				return true
			})
			if (err != nil) != tc.wantError {
				t.Fatalf("error = %v, want error %v", err, tc.wantError)
			}
			if !reflect.DeepEqual(tc.pages, pages) || !reflect.DeepEqual(tc.sitemaps, sitemaps) {
				t.Errorf("(-want +got):\n-%v %v\n+%v %v", tc.pages, tc.sitemaps, pages, sitemaps)
			}
		})
	}
}

// parseSitemap stops reading when its callback says so: the cap on the
// URLs taken from sitemaps.
func TestParseSitemapStops(t *testing.T) {
	var body strings.Builder
	body.WriteString("<urlset>")
	for i := range 100 {
		fmt.Fprintf(&body, "<url><loc>https://h/p%d</loc></url>", i)
	}
	body.WriteString("</urlset>")
	var got []string
	_, err := parseSitemap(strings.NewReader(body.String()), maxSitemapBytes, func(p sitemapURL) bool {
		got = append(got, p.loc)
		return len(got) < 3
	})
	if want := []string{"https://h/p0", "https://h/p1", "https://h/p2"}; err != nil || !reflect.DeepEqual(want, got) {
		t.Errorf("(-want +got):\n-%v\n+%v (err %v)", want, got, err)
	}
}

func TestNewErrors(t *testing.T) {
	st := openStore(t)
	tests := []struct {
		name string
		st   *store.Store
		opts Options
	}{
		{"nil store", nil, Options{Seeds: []string{"https://h/"}}},
		{"no seeds", st, Options{}},
		{"relative seed", st, Options{Seeds: []string{"/a"}}},
		{"ftp seed", st, Options{Seeds: []string{"ftp://h/a"}}},
		{"seed out of scope", st, Options{Seeds: []string{"https://h/a"}, AllowedPrefixes: []string{"/b/"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := New(tc.st, tc.opts); err == nil {
				t.Errorf("New succeeded: %+v", c)
			}
		})
	}
}

func TestRunCanceled(t *testing.T) {
	s := newSite(t, "testdata/recrawl.txtar")
	c, err := New(openStore(t), Options{Seeds: []string{s.URL("/")}, Delay: NoDelay})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum, err := c.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run error = %v, want context.Canceled", err)
	}
	if sum == nil || sum.Fetched != 0 {
		t.Errorf("canceled run fetched documents: %+v", sum)
	}
}
