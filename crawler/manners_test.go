package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

func TestRobotsRFC9309(t *testing.T) {
	const body = "User-agent: *\r\nDisallow: /\r\n\r\n" +
		"user-agent: KBSearch\nuser-agent: otherbot\n" +
		"Disallow: /*.pdf$\nDisallow: /search\nAllow: /search/help\n" +
		"Disallow: /a%7eb/\nDisallow: /tie\nAllow: /tie\nDisallow: /x*/private\n" +
		"# a comment\nCrawl-delay: 3\n\n" +
		"User-agent: kbsearch\nDisallow: /merged/\n" +
		"Sitemap: https://h/sitemap.xml\n"
	tests := []struct {
		name  string
		path  string
		allow bool
	}{
		{"own group, not the star group", "/minutes/", true},
		{"dollar anchors the end", "/docs/report.pdf", false},
		{"dollar: longer path allowed", "/docs/report.pdf.html", true},
		{"prefix", "/search?q=x", false},
		{"longest match wins", "/search/help/index.html", true},
		{"percent-encoding normalised", "/a~b/x", false},
		{"allow wins a tie", "/tie", true},
		{"wildcard in the middle", "/xyz/private/1", false},
		{"wildcard not matching", "/y/private/1", true},
		{"groups of the same agent merged", "/merged/a", false},
		{"robots.txt always allowed", "/robots.txt", true},
	}
	r := parseRobots(200, []byte(body), agentToken(DefaultUserAgent))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse("https://h" + tc.path)
			if got := r.allowed(u); got != tc.allow {
				t.Errorf("allowed(%s) = %v, want %v", tc.path, got, tc.allow)
			}
		})
	}
	if r.delay != 3*time.Second || !reflect.DeepEqual(r.sitemaps, []string{"https://h/sitemap.xml"}) {
		t.Errorf("delay %v, sitemaps %v; want 3s and one sitemap", r.delay, r.sitemaps)
	}
	other := parseRobots(200, []byte(body), "kbsearchbot") // product tokens match whole
	if u, _ := url.Parse("https://h/minutes/"); other.allowed(u) {
		t.Errorf("kbsearchbot took the kbsearch group; want the * group (disallow all)")
	}
}

// counter serves handlers per path and counts requests.
type counter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (c *counter) hit(p string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits == nil {
		c.hits = map[string]int{}
	}
	c.hits[p]++
	return c.hits[p]
}

func (c *counter) count(p string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[p]
}

// crawlWaits is crawl that also returns the waits the crawler asked for
// (backoffs, Retry-After, pauses), which are not slept.
func crawlWaits(t *testing.T, st *store.Store, opts Options) (*Summary, []time.Duration) {
	t.Helper()
	opts.Delay = NoDelay
	opts.Logger = testLogger()
	c, err := New(st, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var mu sync.Mutex
	var waits []time.Duration
	c.sleepHook = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum, waits
}

func page(links ...string) string {
	var b strings.Builder
	b.WriteString("<html><head><title>Page</title></head><body><p>Working group text.</p>")
	for _, l := range links {
		fmt.Fprintf(&b, `<a href="%s">%s</a> `, l, l)
	}
	b.WriteString("</body></html>")
	return b.String()
}

func TestRetryAfterAndBackoff(t *testing.T) {
	var c counter
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.hit(r.URL.Path)
		fmt.Fprint(w, page("/closed", "/busy", "/flaky"))
	})
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		if c.hit(r.URL.Path) == 1 {
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, page())
	})
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if c.hit(r.URL.Path) <= 2 {
			http.Error(w, "oops", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, page())
	})
	mux.HandleFunc("/closed", func(w http.ResponseWriter, r *http.Request) {
		c.hit(r.URL.Path)
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	sum, waits := crawlWaits(t, openStore(t), Options{Seeds: []string{srv.URL + "/"}, Concurrency: 1,
		RetryBase: 100 * time.Millisecond, MaxBackoff: time.Minute})
	checkCounts(t, counts{Fetched: 1 + 2 + 3 + 1, New: 3, Failed: map[extract.Reason]int{"http-503": 1}}, sum)
	for p, want := range map[string]int{"/busy": 2, "/flaky": 3, "/closed": 1} {
		if got := c.count(p); got != want {
			t.Errorf("%s requested %d times, want %d", p, got, want)
		}
	}
	has := func(pred func(time.Duration) bool) bool {
		for _, w := range waits {
			if pred(w) {
				return true
			}
		}
		return false
	}
	if !has(func(d time.Duration) bool { return d > 6*time.Second && d <= 7*time.Second }) {
		t.Errorf("waits %v: none honours Retry-After: 7", waits)
	}
	// Backoff: 100ms then 200ms, each with jitter in its upper half.
	if !has(func(d time.Duration) bool { return d >= 50*time.Millisecond && d <= 100*time.Millisecond }) ||
		!has(func(d time.Duration) bool { return d >= 100*time.Millisecond && d <= 200*time.Millisecond }) {
		t.Errorf("waits %v: want an exponential backoff of about 100ms then 200ms", waits)
	}
	if !has(func(d time.Duration) bool { return d > 59*time.Second && d <= time.Minute }) {
		t.Errorf("waits %v: a Retry-After over MaxBackoff should pause the host for MaxBackoff", waits)
	}
}

func TestFailingHostPausedThenGivenUp(t *testing.T) {
	var c counter
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.hit("/")
		var links []string
		for i := range 20 {
			links = append(links, fmt.Sprintf("/p%d", i))
		}
		fmt.Fprint(w, page(links...))
	})
	mux.HandleFunc("/p", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/p") {
			c.hit("/p*")
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()
	sum, waits := crawlWaits(t, openStore(t), Options{Seeds: []string{srv.URL + "/"}, Concurrency: 1,
		RetryBase: time.Millisecond, MaxRetries: 1, HostFailures: 3, HostPause: time.Second, HostPauses: 2})
	// 3 failures pause the host (1s), 3 more pause it again (2s), 3 more
	// give it up: 9 requests, not 20 x 2.
	if got := c.count("/p*"); got != 9 {
		t.Errorf("failing pages requested %d times, want 9", got)
	}
	if sum.Failed[ReasonHostDown] == 0 || sum.Failed["http-500"] == 0 {
		t.Errorf("Failed = %v, want http-500 and host-down", sum.Failed)
	}
	var pauses []time.Duration
	for _, w := range waits {
		if w > 900*time.Millisecond {
			pauses = append(pauses, w.Round(100*time.Millisecond))
		}
	}
	if want := []time.Duration{time.Second, 2 * time.Second}; !reflect.DeepEqual(pauses, want) {
		t.Errorf("host pauses (-want +got):\n-%v\n+%v", want, pauses)
	}
}

func TestTraps(t *testing.T) {
	o := Options{}.withDefaults()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		url  string
		want extract.Reason
	}{
		{"https://h/minutes/2017/03/", ""},
		{"https://h/events?month=2027-05", ""},
		{"https://h/calendar/2031/01/", ReasonCalendar},
		{"https://h/events?month=2099-05", ReasonCalendar},
		{"https://h/events?day=18991231", ReasonCalendar},
		{"https://h/doc/2-1899.pdf", ""},
		{"https://h/a/b/a/b/a/b/", ReasonRepeatingPath},
		{"https://h/a/b/a/b/", ""},
		{"https://h/" + strings.Repeat("x", 3000), ReasonURLTooLong},
		// Numbers are not years: a date has a month.
		{"https://h/node/1024", ""},
		{"https://h/node/1500", ""},
		{"https://h/node/1989", ""},
		{"https://h/node/1995", ""},
		{"https://h/node/2500", ""},
		{"https://h/list?page=1200", ""},
		{"https://h/node/2500/13", ""},
		{"https://h/cal/2099-13", ""},
		{"https://h/calendar/1989/12/31", ReasonCalendar},
		{"https://h/events/2099-05-01", ReasonCalendar},
	}
	for _, tc := range tests {
		t.Run(tc.url[:min(len(tc.url), 40)], func(t *testing.T) {
			u, _ := url.Parse(tc.url)
			if got := o.trap(u, now); got != tc.want {
				t.Errorf("trap(%s) = %q, want %q", tc.url, got, tc.want)
			}
		})
	}

	t.Run("crawl", func(t *testing.T) {
		// An endless calendar: each month links to the next one.
		var c counter
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.hit(r.URL.Path)
			if r.URL.Path == "/robots.txt" {
				http.NotFound(w, r)
				return
			}
			var y, m int
			if _, err := fmt.Sscanf(r.URL.Path, "/cal/%d/%d", &y, &m); err != nil {
				y, m = time.Now().Year(), 1
			}
			y, m = y+(m/12), m%12+1
			fmt.Fprint(w, page(fmt.Sprintf("/cal/%d/%02d", y, m), "/loop/loop/loop/x"))
		}))
		defer srv.Close()
		sum := crawl(t, openStore(t), Options{Seeds: []string{srv.URL + "/"}, MaxDepth: 1000})
		if sum.Failed[ReasonCalendar] != 1 || sum.Failed[ReasonRepeatingPath] != 1 {
			t.Errorf("Failed = %v, want one calendar and one repeating-path trap", sum.Failed)
		}
		// This year's months and the next two years' (maxFuture 2), then stop.
		if sum.New > 3*12+1 {
			t.Errorf("%d pages fetched from an endless calendar", sum.New)
		}
	})
}

// Pages whose path or query holds a number that could be a year are
// fetched: the false positives of a guard that took any 4-digit number
// starting with 1 or 2 for a year.
func TestTrapsNumbersFetched(t *testing.T) {
	paths := []string{"/node/1024", "/node/1500", "/node/1989", "/node/1995", "/node/2500", "/list?page=1200"}
	var c counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hit(r.URL.RequestURI())
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/" {
			fmt.Fprint(w, page(paths...))
			return
		}
		fmt.Fprint(w, page())
	}))
	defer srv.Close()
	sum := crawl(t, openStore(t), Options{Seeds: []string{srv.URL + "/"}})
	for _, p := range paths {
		if c.count(p) != 1 {
			t.Errorf("%s requested %d times, want 1", p, c.count(p))
		}
	}
	if sum.FailedTotal() != 0 || sum.New != 1+len(paths) {
		t.Errorf("New %d, Failed %v; want %d new, none failed", sum.New, sum.Failed, 1+len(paths))
	}
}

func TestBodiesAndEncodings(t *testing.T) {
	bomb := func() []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write([]byte("<html><body><p>"))
		zw.Write(make([]byte, 32<<20)) // 32 MiB of zeros: about 32 KiB compressed
		zw.Close()
		return buf.Bytes()
	}()
	gzPage := func() []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(page()))
		zw.Close()
		return buf.Bytes()
	}()
	pdf := makePDF(t, "Peer learning activity on digital skills")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, page("/bomb", "/gz", "/report", "/big"))
		case "/bomb", "/gz":
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				t.Errorf("%s: no Accept-Encoding: gzip", r.URL.Path)
			}
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			if r.URL.Path == "/bomb" {
				w.Write(bomb)
			} else {
				w.Write(gzPage)
			}
		case "/report": // a PDF served with a useless type is sniffed
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(pdf)
		case "/big": // no Content-Length: stopped while reading
			w.Header().Set("Content-Type", "text/html")
			for range 100 {
				w.Write(bytes.Repeat([]byte("<p>digital skills</p>"), 1000))
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer srv.Close()
	st := openStore(t)
	sum := crawl(t, st, Options{Seeds: []string{srv.URL + "/"}, MaxBodyBytes: 1 << 20})
	checkCounts(t, counts{Fetched: 5, New: 3, Failed: map[extract.Reason]int{ReasonTooLarge: 2}}, sum)
	for p, want := range map[string]extract.Reason{"/bomb": ReasonTooLarge, "/big": ReasonTooLarge, "/gz": "", "/report": ""} {
		r := record(t, st, srv.URL+p)
		if r.ErrReason != want {
			t.Errorf("%s: ErrReason %q, want %q", p, r.ErrReason, want)
		}
		if want == "" && (r.Page == nil || r.Page.Text == "") {
			t.Errorf("%s: no text extracted", p)
		}
	}
	if r := record(t, st, srv.URL+"/report"); r.Page == nil || !strings.Contains(r.Page.Text, "Peer learning") {
		t.Errorf("PDF served as octet-stream not extracted: %+v", r.Page)
	}
}

func TestOffsiteDocumentsAndTranslations(t *testing.T) {
	var cdn counter
	pdf := makePDF(t, "Key policy messages on digital skills")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cdn.hit(r.URL.Path)
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case "/files/messages_en.pdf", "/private/x.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write(pdf)
		case "/files/fake.pdf": // a "document" that is a page
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, page("/files/next.pdf"))
		default:
			fmt.Fprint(w, page("/files/next.pdf"))
		}
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/group_en", "/group_fr":
			fmt.Fprint(w, page("/group_en", "/group_fr", other.URL+"/files/messages_en.pdf",
				other.URL+"/private/x.pdf", other.URL+"/page.html", other.URL+"/files/fake.pdf"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	st := openStore(t)
	sum := crawl(t, st, Options{Seeds: []string{srv.URL + "/group_en"}, OffsiteDocuments: true})
	checkCounts(t, counts{Fetched: 4, New: 3, Failed: map[extract.Reason]int{ReasonRobots: 1, ReasonOffsitePage: 1}}, sum)
	for p, want := range map[string]int{"/files/messages_en.pdf": 1, "/page.html": 0, "/private/x.pdf": 0, "/files/next.pdf": 0, "/robots.txt": 1} {
		if got := cdn.count(p); got != want {
			t.Errorf("off-site %s requested %d times, want %d", p, got, want)
		}
	}
	en := record(t, st, srv.URL+"/group_en")
	if en.Lang != "en" || en.TranslationKey != srv.URL+"/group_*" {
		t.Errorf("group_en: Lang %q, TranslationKey %q", en.Lang, en.TranslationKey)
	}
	got, err := st.Translations(context.Background(), en.TranslationKey)
	if want := []string{srv.URL + "/group_en", srv.URL + "/group_fr"}; err != nil || !reflect.DeepEqual(want, got) {
		t.Errorf("Translations (-want +got):\n-%v\n+%v (%v)", want, got, err)
	}
	if r := record(t, st, other.URL+"/files/messages_en.pdf"); !r.Indexable() || r.Lang != "en" {
		t.Errorf("off-site PDF: indexable %v, lang %q", r.Indexable(), r.Lang)
	}

	// A re-crawl revalidates the off-site document (still a leaf: the
	// off-site page it would link to is not asked) and the refused
	// "document" again; the links of unchanged pages are not followed, so
	// the robots-refused URL is not counted again.
	before := cdn.count("/files/messages_en.pdf")
	sum = crawl(t, st, Options{Seeds: []string{srv.URL + "/group_en"}, OffsiteDocuments: true})
	checkCounts(t, counts{Fetched: 4, Unchanged: 3, Failed: map[extract.Reason]int{ReasonOffsitePage: 1}}, sum)
	if got := cdn.count("/files/messages_en.pdf") - before; got != 1 {
		t.Errorf("re-crawl: off-site PDF requested %d times, want 1", got)
	}
	for _, p := range []string{"/page.html", "/private/x.pdf", "/files/next.pdf"} {
		if got := cdn.count(p); got != 0 {
			t.Errorf("re-crawl: off-site %s requested %d times", p, got)
		}
	}
}

func TestLocaleVariant(t *testing.T) {
	tests := []struct{ in, lang, key string }{
		{"https://h/education/group_en", "en", "https://h/education/group_*"},
		{"https://h/doc/report_fr.pdf", "fr", "https://h/doc/report_*.pdf"},
		{"https://h/doc/report_xx.pdf", "", ""},
		{"https://h/doc/en", "", ""},
		{"https://h/a_de?x=1", "de", "https://h/a_*?x=1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			u, _ := url.Parse(tc.in)
			lang, key := localeVariant(u)
			if lang != tc.lang || key != tc.key {
				t.Errorf("localeVariant(%s) = %q, %q; want %q, %q", tc.in, lang, key, tc.lang, tc.key)
			}
		})
	}
}

func TestSitemapLastmodSkipsUnchanged(t *testing.T) {
	s := newSite(t, "testdata/sitemap.txtar")
	st := openStore(t)
	opts := Options{Seeds: []string{s.URL("/")}}
	crawl(t, st, opts)
	s.resetCounts()
	// /agendas/2017-06.html has <lastmod>2017-05-20</lastmod>, older than our
	// copy: not requested again. /reports/2018.html has none: asked
	// conditionally.
	sum := crawl(t, st, opts)
	checkCounts(t, counts{Fetched: 2, Unchanged: 3}, sum)
	if got := s.count("/agendas/2017-06.html"); got != 0 {
		t.Errorf("page older than its lastmod requested %d times, want 0", got)
	}
	if got := s.count("/reports/2018.html"); got != 1 {
		t.Errorf("page without lastmod requested %d times, want 1", got)
	}
}
