package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/search/eval"
)

var tiny = eval.Collection{
	Name: "Tiny",
	Docs: []eval.Doc{
		{ID: "1", Title: "Dewey & decimal", Body: "First paragraph\non two lines.\n\nSecond <paragraph>."},
		{ID: "2", Title: "Citation indexing", Body: "Citation indexes."},
		{ID: "MED-3", Body: "A document without a title."},
	},
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	res, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func TestSite(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/ir/"
	s, err := New(tiny, Options{BaseURL: base, PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = s
	srv.Start()
	defer srv.Close()

	tests := []struct {
		name, path string
		status     int
		want       []string // substrings of the page
	}{
		{"first listing", "/ir/index.html", 200, []string{
			`<meta name="robots" content="noindex, follow">`, `<a href="doc/1.html">Dewey &amp; decimal</a>`,
			`<a rel="next" href="list/2.html">next</a>`, `<title>Tiny documents, page 1 of 2</title>`}},
		{"root is the first listing", "/ir/", 200, []string{`href="doc/2.html"`}},
		{"second listing", "/ir/list/2.html", 200, []string{`<a href="../doc/MED-3.html">MED-3</a>`, `<a rel="prev" href="../index.html">prev</a>`}},
		{"document", "/ir/doc/1.html", 200, []string{
			"<title>Dewey &amp; decimal</title>", "<header>\n<nav><a href=\"../index.html\">Tiny</a></nav>\n<h1>Dewey &amp; decimal</h1>\n</header>",
			"<main>\n<p>First paragraph on two lines.</p>\n<p>Second &lt;paragraph&gt;.</p>\n</main>"}},
		{"untitled document", "/ir/doc/MED-3.html", 200, []string{"<title>MED-3</title>", "<h1>MED-3</h1>"}},
		{"sitemap", "/ir/sitemap.xml", 200, []string{"<loc>" + base + "list/2.html</loc>", "<loc>" + base + "doc/MED-3.html</loc>"}},
		{"robots", "/ir/robots.txt", 200, []string{"Allow: /\n", "Sitemap: " + base + "sitemap.xml"}},
		{"unknown", "/ir/doc/4.html", 404, nil},
		{"outside the base", "/doc/1.html", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, srv, tt.path)
			if status != tt.status {
				t.Fatalf("status (-want +got):\n- %d\n+ %d", tt.status, status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
		})
	}

	if s.Start() != base+"index.html" || s.Pages() != 5 {
		t.Errorf("Start %q Pages %d, want %q and 5", s.Start(), s.Pages(), base+"index.html")
	}
	for u, want := range map[string]string{base + "doc/MED-3.html": "MED-3", base + "doc/1.html?x=1": "1", base + "index.html": "", "http://other/doc/1.html": "", "http://other/ir/doc/1.html": ""} {
		if got, ok := s.DocID(u); got != want || ok != (want != "") {
			t.Errorf("DocID(%q) = %q, %v; want %q", u, got, ok, want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		c    eval.Collection
		base string
	}{
		{"relative base", tiny, "/ir/"},
		{"unsafe id", eval.Collection{Docs: []eval.Doc{{ID: "../x"}}}, "http://h/"},
		{"repeated id", eval.Collection{Docs: []eval.Doc{{ID: "1"}, {ID: "1"}}}, "http://h/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.c, Options{BaseURL: tt.base}); err == nil {
				t.Error("no error")
			}
		})
	}
}
