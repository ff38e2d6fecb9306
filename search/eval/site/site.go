// Package site renders a test collection (an eval.Collection) as a small
// static website for the crawler to walk, so that a collection can be
// measured through the product's own path: crawl, extract, index, search.
//
// The layout is the one /work/shared/tools/ir_site.py writes (and the
// issue's "through the path" figures used):
//
//	index.html     listing page 1: up to PerPage document links, rel="next"
//	list/N.html    listing page N, chained with rel="prev" and rel="next"
//	doc/ID.html    one page per document
//	sitemap.xml    every listing and document URL
//	robots.txt     allows everything and names the sitemap
//
// A document page has the title in <title> and in an <h1> inside <header>
// (after a link home named after the collection), and the body in <main>,
// one <p> per paragraph (blank-line separated). A document without a
// title (Medline) is titled by its id. Listing pages say
// <meta name="robots" content="noindex, follow">.
//
// It is test tooling, not product: only `kbsearch-lab eval --path` and tests
// use it. It imports net/http to serve the pages and nothing of gin, the
// crawler, the indexer or search.
package site

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/kbsearch/kbsearch/search/eval"
)

// DefaultPerPage is the number of document links on a listing page.
const DefaultPerPage = 200

// Options configure New.
type Options struct {
	// BaseURL is the absolute URL the site is served at, for the sitemap
	// and robots.txt; required.
	BaseURL string
	// PerPage is the number of document links per listing page; default
	// DefaultPerPage.
	PerPage int
}

// Site is a rendered collection. It is an http.Handler serving the pages
// at their paths (and index.html at "/" as well); it is safe for
// concurrent use once built.
type Site struct {
	base  *url.URL
	pages map[string][]byte // path without the leading slash -> page
	ids   map[string]string // document page path -> document id
}

var _ http.Handler = (*Site)(nil)

// New renders c. A document id must be usable as a file name (letters,
// digits, '.', '_' and '-', not starting with '.'), and ids must be unique.
func New(c eval.Collection, opts Options) (*Site, error) {
	base, err := url.Parse(opts.BaseURL)
	if err != nil || !base.IsAbs() {
		return nil, fmt.Errorf("site: base URL %q is not absolute", opts.BaseURL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	per := opts.PerPage
	if per <= 0 {
		per = DefaultPerPage
	}
	s := &Site{base: base, pages: map[string][]byte{}, ids: map[string]string{}}
	for _, d := range c.Docs {
		if !safeID(d.ID) {
			return nil, fmt.Errorf("site: document id %q is not safe for a file name", d.ID)
		}
		p := docPath(d.ID)
		if _, dup := s.ids[p]; dup {
			return nil, fmt.Errorf("site: document id %q twice", d.ID)
		}
		s.ids[p] = d.ID
		s.pages[p] = renderDoc(d, c.Name)
	}
	n := max(1, (len(c.Docs)+per-1)/per)
	var sitemap []string
	for i := 1; i <= n; i++ {
		docs := c.Docs[min((i-1)*per, len(c.Docs)):min(i*per, len(c.Docs))]
		p := listingPath(i)
		s.pages[p] = renderListing(i, n, docs, c.Name)
		sitemap = append(sitemap, p)
	}
	for _, d := range c.Docs {
		sitemap = append(sitemap, docPath(d.ID))
	}
	s.pages["sitemap.xml"] = s.renderSitemap(sitemap)
	s.pages["robots.txt"] = fmt.Appendf(nil, "User-agent: *\nAllow: /\n\nSitemap: %s\n", s.abs("sitemap.xml"))
	return s, nil
}

// Start is the URL of the first listing page, the crawl's seed.
func (s *Site) Start() string { return s.abs(listingPath(1)) }

// Pages is the number of pages: documents and listings (not the sitemap
// or robots.txt).
func (s *Site) Pages() int { return len(s.pages) - 2 }

// DocID returns the id of the document whose page is at rawURL, and
// whether it is one.
func (s *Site) DocID(rawURL string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil || !strings.EqualFold(u.Host, s.base.Host) || !strings.HasPrefix(u.Path, s.base.Path) {
		return "", false
	}
	id, ok := s.ids[strings.TrimPrefix(u.Path, s.base.Path)]
	return id, ok
}

// ServeHTTP serves the page at the request's path under the base URL's
// path; anything else is not found.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, ok := strings.CutPrefix(r.URL.Path, s.base.Path)
	if p == "" {
		p = listingPath(1)
	}
	page, found := s.pages[p]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(p, ".html"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case strings.HasSuffix(p, ".xml"):
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Write(page)
}

func (s *Site) abs(p string) string { return s.base.ResolveReference(&url.URL{Path: p}).String() }

func safeID(id string) bool {
	if id == "" || id[0] == '.' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func docPath(id string) string { return "doc/" + id + ".html" }

func listingPath(n int) string {
	if n == 1 {
		return "index.html"
	}
	return fmt.Sprintf("list/%d.html", n)
}

// rel is the link from the page at path from to the page at path to.
func rel(from, to string) string { return strings.Repeat("../", strings.Count(from, "/")) + to }

var esc = html.EscapeString

func page(b *strings.Builder, title, head string) {
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	fmt.Fprintf(b, "<title>%s</title>\n%s</head>\n<body>\n", esc(title), head)
}

func renderDoc(d eval.Doc, collection string) []byte {
	title := d.Title
	if strings.TrimSpace(title) == "" {
		title = d.ID
	}
	var b strings.Builder
	page(&b, title, "")
	fmt.Fprintf(&b, "<header>\n<nav><a href=\"%s\">%s</a></nav>\n<h1>%s</h1>\n</header>\n<main>\n",
		esc(rel(docPath(d.ID), listingPath(1))), esc(collection), esc(title))
	for _, para := range paragraphs(d.Body) {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(para))
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return []byte(b.String())
}

// paragraphs splits text at blank lines, joining each paragraph's lines
// with single spaces.
func paragraphs(text string) []string {
	var out, cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			cur = append(cur, strings.Join(f, " "))
		} else {
			flush()
		}
	}
	flush()
	return out
}

func renderListing(n, pages int, docs []eval.Doc, collection string) []byte {
	p := listingPath(n)
	title := fmt.Sprintf("%s documents, page %d of %d", collection, n, pages)
	var b strings.Builder
	page(&b, title, "<meta name=\"robots\" content=\"noindex, follow\">\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n<ul>\n", esc(title))
	for _, d := range docs {
		label := d.Title
		if strings.TrimSpace(label) == "" {
			label = d.ID
		}
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", esc(rel(p, docPath(d.ID))), esc(label))
	}
	b.WriteString("</ul>\n<nav>")
	if n > 1 {
		fmt.Fprintf(&b, "<a rel=\"prev\" href=\"%s\">prev</a>", esc(rel(p, listingPath(n-1))))
	}
	if n < pages {
		if n > 1 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "<a rel=\"next\" href=\"%s\">next</a>", esc(rel(p, listingPath(n+1))))
	}
	b.WriteString("</nav>\n</body>\n</html>\n")
	return []byte(b.String())
}

func (s *Site) renderSitemap(paths []string) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "<url><loc>%s</loc></url>\n", esc(s.abs(p)))
	}
	b.WriteString("</urlset>\n")
	return []byte(b.String())
}
