package demosite

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
)

// sharedSite is built once for the tests that only read it.
var sharedSite = sync.OnceValues(New)

func newSite(t testing.TB) *Site {
	t.Helper()
	s, err := sharedSite()
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return s
}

// get requests path from the site's handler with the given headers.
func get(t testing.TB, s *Site, method, path string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Host = "kb.example:8080"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func body(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pdfText opens b with ledongthuc/pdf and returns the reader and the text
// of each page. A panic inside the library is returned as an error.
func pdfText(b []byte) (r *pdf.Reader, pages []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdf library panicked: %v", p)
		}
	}()
	r, err = pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, err
	}
	for i := 1; i <= r.NumPage(); i++ {
		text, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			return nil, nil, fmt.Errorf("page %d: %w", i, err)
		}
		pages = append(pages, text)
	}
	return r, pages, nil
}

func TestMeetingTable(t *testing.T) {
	if len(meetings) < 16 {
		t.Fatalf("meeting table has %d meetings, want at least 16", len(meetings))
	}
	seen := map[string]bool{}
	for i, m := range meetings {
		if seen[m.Slug] {
			t.Errorf("slug %s listed twice", m.Slug)
		}
		seen[m.Slug] = true
		if want := m.Start.Format("2006-01"); !strings.HasPrefix(m.Slug, want+"-") {
			t.Errorf("slug %s does not start with its month %s", m.Slug, want)
		}
		if m.End.Before(m.Start) {
			t.Errorf("%s ends before it starts", m.Slug)
		}
		if i > 0 && m.Start.Before(meetings[i-1].Start) {
			t.Errorf("%s is out of date order", m.Slug)
		}
		if m.Summary == "" || m.Topic == "" || len(m.Themes) == 0 {
			t.Errorf("%s lacks a summary, topic or themes", m.Slug)
		}
		if (m.Kind == kindPeerLearning) != (m.PLA > 0) {
			t.Errorf("%s: kind %s with PLA number %d", m.Slug, m.Kind, m.PLA)
		}
	}
}

func TestMeetingTitles(t *testing.T) {
	tests := []struct {
		slug, want string
	}{
		{"2016-02-brussels-kickoff", "Kick-off meeting, Brussels, 24-25 February 2016"},
		{"2016-07-hamburg-pla", "Peer learning activity on Bring Your Own Device, Hamburg, 5-7 July 2016"},
		{"2016-10-brussels-plenary", "Plenary meeting on learning analytics, Brussels, 19-20 October 2016"},
		{"2017-05-brussels-adhoc", "Ad hoc meeting on self-assessment tools for schools, Brussels, 23 May 2017"},
		{"2018-02-online-plenary", "Online plenary meeting on the Digital Education Action Plan, 14 February 2018"},
		{"2018-04-sofia-plenary", "Final plenary meeting on emerging technologies and the results of the group, Sofia, 24-25 April 2018"},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			m, ok := meetingBySlug(tt.slug)
			if !ok {
				t.Fatalf("no meeting %s", tt.slug)
			}
			if got := m.Title(); got != tt.want {
				t.Errorf("Title() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDateRange(t *testing.T) {
	tests := []struct {
		name       string
		start, end time.Time
		want       string
	}{
		{"one day", day(2017, 5, 23), day(2017, 5, 23), "23 May 2017"},
		{"same month", day(2016, 7, 5), day(2016, 7, 7), "5-7 July 2016"},
		{"two months", day(2016, 9, 30), day(2016, 10, 1), "30 September - 1 October 2016"},
		{"two years", day(2016, 12, 31), day(2017, 1, 1), "31 December 2016 - 1 January 2017"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dateRange(tt.start, tt.end); got != tt.want {
				t.Errorf("dateRange() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDocuments checks the published set: every meeting has documents and,
// once the 2017 and 2018 content is in, the site has at least 40.
func TestDocuments(t *testing.T) {
	s := newSite(t)
	docs := s.Documents()
	perMeeting := map[string]int{}
	paths := map[string]bool{}
	for _, d := range docs {
		if paths[d.Path] {
			t.Errorf("%s listed twice", d.Path)
		}
		paths[d.Path] = true
		if d.Type != typePage {
			perMeeting[d.Meeting]++
		}
		if d.Title == "" || d.Type == "" || (d.Format != "html" && d.Format != "pdf") {
			t.Errorf("%s: incomplete %+v", d.Path, d)
		}
		for _, th := range d.Themes {
			if !slices.Contains(themeIDs, th) {
				t.Errorf("%s: unknown theme %q", d.Path, th)
			}
		}
		if d.Meeting != "" {
			if _, ok := meetingBySlug(d.Meeting); !ok {
				t.Errorf("%s: unknown meeting %q", d.Path, d.Meeting)
			}
		}
	}
	for _, p := range []string{"/about/mandate.html", "/about/members.html", "/meetings/2016-07-hamburg-pla/", DuplicateOf} {
		if !paths[p] {
			t.Errorf("Documents() lacks %s", p)
		}
	}
	for _, p := range []string{"/", DisallowedPath, DuplicatePath, BrokenPDFPath, MissingPath} {
		if paths[p] {
			t.Errorf("Documents() lists %s, which is not published on purpose", p)
		}
	}

	// The 2017 and 2018 documents come from another writer; until the
	// first of them exists only 2016 is held to account.
	later := false
	for _, d := range docs {
		if d.Type != typePage && !strings.HasPrefix(d.Meeting, "2016-") {
			later = true
		}
	}
	for _, m := range meetings {
		if !later && !strings.HasPrefix(m.Slug, "2016-") {
			continue
		}
		if perMeeting[m.Slug] == 0 {
			t.Errorf("meeting %s has no documents", m.Slug)
		}
	}
	if !later {
		t.Skipf("no 2017-2018 content yet: %d documents, the full site needs at least 40", len(docs))
	}
	if len(docs) < 40 {
		t.Errorf("Documents() has %d documents, want at least 40", len(docs))
	}
}

// TestEveryDocumentIsServed checks that each listed document answers 200
// with its format's content type and, for HTML, the conventions the
// metadata rules rely on.
func TestEveryDocumentIsServed(t *testing.T) {
	s := newSite(t)
	for _, d := range s.Documents() {
		t.Run(d.Path, func(t *testing.T) {
			resp := get(t, s, http.MethodGet, d.Path, nil)
			b := body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			ct := resp.Header.Get("Content-Type")
			if d.Format == "pdf" {
				if ct != "application/pdf" {
					t.Errorf("Content-Type = %q, want application/pdf", ct)
				}
				return
			}
			if !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want text/html", ct)
			}
			html := string(b)
			lang := d.Lang
			if lang == "" {
				lang = "en"
			}
			for _, want := range []string{
				`<html lang="` + lang + `">`,
				"<title>" + escapeHTML(d.Title) + "</title>",
				`<main id="content">`, "<nav", "<header>", "<footer>", `id="cookie-banner"`,
			} {
				if !strings.Contains(html, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if !d.Date.IsZero() {
				if want := `<meta name="dcterms.date" content="` + d.Date.Format(time.DateOnly) + `">`; !strings.Contains(html, want) {
					t.Errorf("page lacks %s", want)
				}
			}
		})
	}
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&#39;", `"`, "&#34;").Replace(s)
}

// TestPDFs opens every generated PDF with the PDF library the extractor
// uses.
func TestPDFs(t *testing.T) {
	s := newSite(t)
	n := 0
	for _, d := range s.Documents() {
		if d.Format != "pdf" {
			continue
		}
		n++
		t.Run(d.Path, func(t *testing.T) {
			b := s.files[d.Path].body
			r, pages, err := pdfText(b)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			min := 2
			if d.Type == typeReport {
				min = 3
			}
			if len(pages) < min {
				t.Errorf("%d pages, want at least %d", len(pages), min)
			}
			info := r.Trailer().Key("Info")
			if got := info.Key("Title").Text(); got != d.Title {
				t.Errorf("Title = %q, want %q", got, d.Title)
			}
			if got := info.Key("Author").Text(); got != groupName {
				t.Errorf("Author = %q, want %q", got, groupName)
			}
			wantDate := "D:" + d.Date.Format("20060102")
			for _, key := range []string{"CreationDate", "ModDate"} {
				if got := info.Key(key).Text(); !strings.HasPrefix(got, wantDate) {
					t.Errorf("%s = %q, want it to start with %q", key, got, wantDate)
				}
			}
			// Every page carries the title, the first in the title block
			// and the others in the running header.
			words := titleWords(d.Title)
			for i, text := range pages {
				for _, w := range words {
					if !strings.Contains(text, w) {
						t.Errorf("page %d lacks title word %q; text begins %q", i+1, w, clip(text, 120))
						break
					}
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("the site has no PDF documents")
	}
}

// titleWords are the words of a title of five letters or more.
func titleWords(title string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(title, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) {
		if len(w) >= 5 {
			out = append(out, w)
		}
	}
	return out
}

func TestPDFTextSurvivesCP1252(t *testing.T) {
	b, err := renderPDF(pdfDoc{
		Title:  "Dashes \u2013 and \u201cquotes\u201d",
		Blocks: parseBody("Caf\u00e9 \u2013 na\u00efve\n\n---page---\n\n- \u20ac5"),
		Date:   day(2016, 7, 7),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, pages, err := pdfText(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	for _, want := range []string{"Caf\u00e9", "\u2013", "na\u00efve"} {
		if !strings.Contains(pages[0], want) {
			t.Errorf("page 1 lacks %q: %q", want, pages[0])
		}
	}

	_, err = renderPDF(pdfDoc{Title: "Greek \u03b1", Blocks: parseBody("x"), Date: day(2016, 7, 7)})
	if err == nil || !strings.Contains(err.Error(), "cp1252") {
		t.Errorf("renderPDF() with a Greek letter: error = %v, want a cp1252 error", err)
	}
}

func TestDeterministic(t *testing.T) {
	a := newSite(t)
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if len(a.files) != len(b.files) {
		t.Fatalf("two builds have %d and %d files", len(a.files), len(b.files))
	}
	for p, ra := range a.files {
		if rb := b.files[p]; rb == nil || !bytes.Equal(ra.body, rb.body) {
			t.Errorf("%s differs between two builds", p)
		}
	}
}

func TestTraps(t *testing.T) {
	s := newSite(t)

	t.Run("duplicate", func(t *testing.T) {
		orig := get(t, s, http.MethodGet, DuplicateOf, nil)
		dup := get(t, s, http.MethodGet, DuplicatePath, nil)
		if orig.StatusCode != 200 || dup.StatusCode != 200 {
			t.Fatalf("status = %d and %d, want 200", orig.StatusCode, dup.StatusCode)
		}
		if !bytes.Equal(body(t, orig), body(t, dup)) {
			t.Error("the legacy copy does not serve the same bytes")
		}
		if orig.Header.Get("ETag") != dup.Header.Get("ETag") {
			t.Errorf("ETags differ: %s and %s", orig.Header.Get("ETag"), dup.Header.Get("ETag"))
		}
	})

	t.Run("broken PDF", func(t *testing.T) {
		resp := get(t, s, http.MethodGet, BrokenPDFPath, nil)
		b := body(t, resp)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("status %d, Content-Type %q; want 200 application/pdf", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("broken PDF does not even start like a PDF: %q", b[:min(len(b), 8)])
		}
		if _, _, err := pdfText(b); err == nil {
			t.Error("the broken PDF parsed without error")
		}
	})

	// The traps are linked from where the brief puts them.
	links := []struct{ page, href string }{
		{"/", DisallowedPath},
		{"/", RedirectPath},
		{"/meetings/2016-07-hamburg-pla/", DuplicatePath},
		{"/meetings/2016-09-helsinki-pla/", BrokenPDFPath},
		{"/meetings/2016-04-brussels-plenary/", MissingPath},
	}
	for _, l := range links {
		t.Run("link to "+l.href, func(t *testing.T) {
			b := body(t, get(t, s, http.MethodGet, l.page, nil))
			if !bytes.Contains(b, []byte(`href="`+l.href+`"`)) {
				t.Errorf("%s does not link %s", l.page, l.href)
			}
		})
	}
}

func TestHTTP(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantType   string // prefix of Content-Type
		wantLoc    string
		wantBody   []string
	}{
		{name: "home", path: "/", wantStatus: 200, wantType: "text/html", wantBody: []string{"<h1>" + groupName + "</h1>", `href="/meetings/2016-02-brussels-kickoff/"`, `href="/meetings/2018-04-sofia-plenary/"`}},
		{name: "robots", path: "/robots.txt", wantStatus: 200, wantType: "text/plain", wantBody: []string{"User-agent: *\n", "Disallow: /internal/\n", "Sitemap: http://kb.example:8080/sitemap.xml\n"}},
		{name: "sitemap", path: "/sitemap.xml", wantStatus: 200, wantType: "application/xml", wantBody: []string{"<loc>http://kb.example:8080/</loc>"}},
		{name: "redirect", path: RedirectPath, wantStatus: 301, wantType: "text/html", wantLoc: RedirectTarget},
		{name: "meeting without slash", path: "/meetings/2016-09-helsinki-pla", wantStatus: 301, wantType: "text/html", wantLoc: "/meetings/2016-09-helsinki-pla/"},
		{name: "missing document", path: MissingPath, wantStatus: 404, wantType: "text/html", wantBody: []string{"<title>Page not found</title>"}},
		{name: "unknown path", path: "/no/such/page", wantStatus: 404, wantType: "text/html", wantBody: []string{"does not exist"}},
		{name: "disallowed but served", path: DisallowedPath, wantStatus: 200, wantType: "text/html", wantBody: []string{"not for publication"}},
		{name: "head", method: http.MethodHead, path: "/", wantStatus: 200, wantType: "text/html"},
		{name: "post", method: http.MethodPost, path: "/", wantStatus: 405, wantType: "text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := cmpOr(tt.method, http.MethodGet)
			resp := get(t, s, method, tt.path, nil)
			b := string(body(t, resp))
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type = %q, want %s...", ct, tt.wantType)
			}
			for _, h := range []string{"ETag", "Last-Modified"} {
				if resp.Header.Get(h) == "" {
					t.Errorf("no %s header", h)
				}
			}
			if got := resp.Header.Get("Location"); got != tt.wantLoc {
				t.Errorf("Location = %q, want %q", got, tt.wantLoc)
			}
			for _, want := range tt.wantBody {
				if !strings.Contains(b, want) {
					t.Errorf("body lacks %q", want)
				}
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestSitemapLists(t *testing.T) {
	s := newSite(t)
	var set struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(body(t, get(t, s, http.MethodGet, "/sitemap.xml", nil)), &set); err != nil {
		t.Fatalf("sitemap is not valid XML: %v", err)
	}
	var got []string
	for _, u := range set.URLs {
		got = append(got, u.Loc)
	}
	want := []string{"http://kb.example:8080/"}
	for _, d := range s.Documents() {
		if d.Type == typePage {
			want = append(want, "http://kb.example:8080"+d.Path)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(want, got) {
		t.Errorf("sitemap URLs mismatch (-want +got):\n-%v\n+%v", want, got)
	}
}

func TestConditionalGet(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/", "/robots.txt", "/meetings/2016-10-brussels-plenary/", DuplicateOf} {
		t.Run(path, func(t *testing.T) {
			first := get(t, s, http.MethodGet, path, nil)
			etag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
			if first.StatusCode != 200 || etag == "" || lm == "" {
				t.Fatalf("status %d, ETag %q, Last-Modified %q", first.StatusCode, etag, lm)
			}
			tests := []struct {
				name   string
				header map[string]string
				want   int
			}{
				{"matching etag", map[string]string{"If-None-Match": etag}, 304},
				{"etag in a list", map[string]string{"If-None-Match": `"other", ` + etag}, 304},
				{"other etag", map[string]string{"If-None-Match": `"other"`}, 200},
				{"not modified since", map[string]string{"If-Modified-Since": lm}, 304},
				{"modified since", map[string]string{"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"}, 200},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					resp := get(t, s, http.MethodGet, path, tt.header)
					b := body(t, resp)
					if resp.StatusCode != tt.want {
						t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
					}
					if tt.want == 304 && len(b) != 0 {
						t.Errorf("304 with a %d-byte body", len(b))
					}
				})
			}
		})
	}
}

var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

// TestLinks follows every link of every HTML page: all resolve except the
// one meant to 404.
func TestLinks(t *testing.T) {
	s := newSite(t)
	for p, r := range s.files {
		if r.ctype != ctypeHTML {
			continue
		}
		for _, m := range hrefRE.FindAllStringSubmatch(string(r.body), -1) {
			href, _, _ := strings.Cut(m[1], "#")
			if href == "" {
				href = "/"
			}
			if !strings.HasPrefix(href, "/") {
				t.Errorf("%s links outside the site: %s", p, m[1])
				continue
			}
			code := get(t, s, http.MethodGet, href, nil).StatusCode
			switch {
			case href == MissingPath:
				if code != 404 {
					t.Errorf("%s: %s answers %d, want 404", p, href, code)
				}
			case code != 200 && code != 301:
				t.Errorf("%s: %s answers %d", p, href, code)
			}
		}
	}
}

func ExampleSite_Handler() {
	site, err := New()
	if err != nil {
		fmt.Println(err)
		return
	}
	req := httptest.NewRequest(http.MethodGet, "/robots.txt", nil)
	req.Host = "demo.example"
	rec := httptest.NewRecorder()
	site.Handler().ServeHTTP(rec, req)
	fmt.Print(rec.Body.String())
	// Output:
	// # Robots rules for the working group portal.
	// User-agent: *
	// Disallow: /internal/
	//
	// Sitemap: http://demo.example/sitemap.xml
}
