package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/kbsearch/kbsearch/crawler/langtag"
)

// HTML extracts the main text and metadata of an HTML or XHTML page.
//
// contentType is the Content-Type header the page was served with (it may
// name the charset); base is the URL the page was fetched from and resolves
// relative links and the canonical URL (nil keeps absolute URLs only).
// HTML never fails on bad markup: the parser repairs it as a browser would,
// and a page without text is still returned (its links may matter).
func HTML(body []byte, contentType string, base *url.URL) (*Page, error) {
	src, err := decodeHTML(body, contentType)
	if err != nil {
		return nil, &Error{Reason: ReasonMalformed, Err: err}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(src))
	if err != nil {
		return nil, &Error{Reason: ReasonMalformed, Err: fmt.Errorf("parse html: %w", err)}
	}

	p := &Page{PageCount: 1}
	meta := readMeta(doc)

	// Links and the base come from the whole document, before any
	// boilerplate is removed: navigation links matter to the crawler.
	docBase := effectiveBase(doc, base)
	p.Links = collectLinks(doc, docBase)
	if href, ok := canonicalHref(doc); ok {
		if u := resolveHTTP(docBase, href); u != "" {
			p.Canonical = u
		}
	}
	p.NoIndex, p.NoFollow = meta.noIndex, meta.noFollow
	p.Lang = htmlLang(doc, meta)
	p.Description = cleanInline(firstNonEmpty(meta.get("description"), meta.get("og:description"), meta.get("twitter:description")))

	var top *html.Node
	if len(doc.Nodes) > 0 {
		top = doc.Nodes[0]
	}
	roots := mainContent(top)
	p.Text = blockText(roots...)
	if p.Text == "" {
		// The chosen region was empty (a placeholder <main>, say): fall
		// back to the whole body rather than lose the page.
		if body := doc.Find("body").First(); body.Length() > 0 && (len(roots) != 1 || body.Get(0) != roots[0]) {
			p.Text = blockText(body.Get(0))
		}
	}

	h1 := cleanInline(doc.Find("h1").First().Text())
	p.Title = capTitle(pageTitle(cleanInline(doc.Find("title").First().Text()), h1, meta))

	p.Published = publishedDate(meta, roots)
	return p, nil
}

// decodeHTML converts body to a UTF-8 string. The charset comes from a BOM,
// then the Content-Type header, then <meta charset> in the first 1024 bytes;
// a body that is valid UTF-8 as a whole and not plain ASCII is taken as
// UTF-8 whatever is declared, because the meta prescan stops at 1024 bytes
// and mislabelled UTF-8 is far more common than windows-1252 text that
// happens to be valid UTF-8.
func decodeHTML(body []byte, contentType string) (string, error) {
	return decodeBytes(body, contentType, true)
}

// decodeBytes is decodeHTML for any text format; sniffMeta says whether to
// look for <meta charset> in the body.
func decodeBytes(body []byte, contentType string, sniffMeta bool) (string, error) {
	// A BOM is the strongest signal and is stripped here.
	switch {
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return cleanText(string(body[3:])), nil
	case bytes.HasPrefix(body, []byte("\xfe\xff")), bytes.HasPrefix(body, []byte("\xff\xfe")):
		enc, _, _ := charset.DetermineEncoding(body, contentType)
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return "", fmt.Errorf("decode utf-16: %w", err)
		}
		return cleanText(strings.TrimPrefix(string(out), "\ufeff")), nil
	}
	if utf8.Valid(body) && !isASCII(body) {
		return cleanText(string(body)), nil
	}
	var name string
	if _, params, ok := parseContentType(contentType); ok {
		name = params["charset"]
	}
	if name == "" && sniffMeta {
		_, name, _ = charset.DetermineEncoding(body, "")
		// DetermineEncoding falls back to windows-1252 when nothing is
		// declared; for a valid UTF-8 (here: ASCII) body that is harmless.
	}
	if name == "" {
		if utf8.Valid(body) {
			return cleanText(string(body)), nil
		}
		name = "windows-1252"
	}
	enc, canonical := charset.Lookup(name)
	if enc == nil {
		// An unknown label: keep what is valid UTF-8, else read it as the
		// web's default legacy encoding.
		if utf8.Valid(body) {
			return cleanText(string(body)), nil
		}
		enc, canonical = charset.Lookup("windows-1252")
	}
	if canonical == "utf-8" {
		return cleanText(string(body)), nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", fmt.Errorf("decode %s: %w", canonical, err)
	}
	return cleanText(string(out)), nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// metaTags holds the <meta> values of a page keyed by lower-case name,
// property or http-equiv, first occurrence wins.
type metaTags struct {
	values   map[string]string
	noIndex  bool
	noFollow bool
}

func (m metaTags) get(key string) string { return m.values[key] }

func readMeta(doc *goquery.Document) metaTags {
	m := metaTags{values: map[string]string{}}
	doc.Find("meta").Each(func(_ int, s *goquery.Selection) {
		content, ok := s.Attr("content")
		if !ok {
			return
		}
		for _, attr := range []string{"name", "property", "http-equiv", "itemprop"} {
			key, ok := s.Attr(attr)
			if !ok {
				continue
			}
			key = strings.ToLower(strings.TrimSpace(key))
			if key == "" {
				continue
			}
			if attr == "http-equiv" {
				key = "http-equiv:" + key
			}
			if _, seen := m.values[key]; !seen {
				m.values[key] = content
			}
			if attr == "name" && (key == "robots" || key == "kbsearch") {
				for _, tok := range strings.FieldsFunc(strings.ToLower(content), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
					switch tok {
					case "noindex":
						m.noIndex = true
					case "nofollow":
						m.noFollow = true
					case "none":
						m.noIndex, m.noFollow = true, true
					}
				}
			}
		}
	})
	return m
}

// effectiveBase is the fetch URL, overridden by <base href> when present.
func effectiveBase(doc *goquery.Document, base *url.URL) *url.URL {
	href, ok := doc.Find("base[href]").First().Attr("href")
	if !ok {
		return base
	}
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return base
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() {
		return base
	}
	return u
}

func canonicalHref(doc *goquery.Document) (string, bool) {
	var href string
	found := false
	doc.Find("link[rel][href]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		rel, _ := s.Attr("rel")
		for _, tok := range strings.Fields(strings.ToLower(rel)) {
			if tok == "canonical" {
				href, _ = s.Attr("href")
				found = true
				return false
			}
		}
		return true
	})
	return href, found
}

func collectLinks(doc *goquery.Document, base *url.URL) []string {
	var links []string
	seen := map[string]bool{}
	doc.Find("a[href], area[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		u := resolveHTTP(base, href)
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		links = append(links, u)
	})
	return links
}

// resolveHTTP resolves href against base and returns it without its
// fragment if it is an absolute http(s) URL, else "".
// urlSpace strips what browsers strip inside URLs. Built once: a Replacer
// builds a 6 KB table on first use.
var urlSpace = strings.NewReplacer("\t", "", "\n", "", "\r", "")

func resolveHTTP(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return ""
	}
	// Browsers strip tabs and newlines inside URLs.
	if strings.ContainsAny(href, "\t\n\r") {
		href = urlSpace.Replace(href)
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" || u.Host == "" {
		return ""
	}
	u.Scheme = scheme
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// htmlLang is the primary subtag of <html lang> (or xml:lang), else of the
// Content-Language meta.
func htmlLang(doc *goquery.Document, meta metaTags) string {
	h := doc.Find("html").First()
	for _, attr := range []string{"lang", "xml:lang"} {
		if v, ok := h.Attr(attr); ok {
			if l := langtag.Primary(v); l != "" {
				return l
			}
		}
	}
	v := meta.get("http-equiv:content-language")
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return langtag.Primary(v)
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// titleSeparators split a page title from a site name appended to it.
var titleSeparators = []string{" | ", " || ", " - ", " – ", " — ", " :: ", " · ", " • ", " « ", " » "}

// pageTitle trims a site-name suffix from title when it is clearly one (it
// names the site as declared in og:site_name or application-name, or what
// precedes it is exactly the page's <h1>, or it follows a pipe and is
// short); falls back to h1 when there is no title.
func pageTitle(title, h1 string, meta metaTags) string {
	if title == "" {
		return h1
	}
	sep, idx := "", -1
	for _, s := range titleSeparators {
		if i := strings.LastIndex(title, s); i > idx {
			sep, idx = s, i
		}
	}
	if idx <= 0 {
		return title
	}
	head := strings.TrimSpace(title[:idx])
	tail := strings.TrimSpace(title[idx+len(sep):])
	if head == "" || tail == "" {
		return title
	}
	site := strings.ToLower(cleanInline(firstNonEmpty(meta.get("og:site_name"), meta.get("application-name"))))
	switch {
	case site != "" && strings.ToLower(tail) == site:
		return head
	case h1 != "" && strings.EqualFold(head, h1):
		return head
	case strings.TrimSpace(sep) == "|" && len(strings.Fields(tail)) <= 6 &&
		utf8.RuneCountInString(tail) < utf8.RuneCountInString(head):
		return head
	}
	return title
}

// dateMetaKeys are the meta names and properties that may carry a
// publication date, in order of preference.
var dateMetaKeys = []string{"article:published_time", "dcterms.date", "dc.date", "date", "citation_publication_date"}

func publishedDate(meta metaTags, roots []*html.Node) (t time.Time) {
	for _, k := range dateMetaKeys {
		if d, ok := parseDate(meta.get(k)); ok {
			return d
		}
	}
	var found time.Time
	var walk func(n *html.Node, depth int) bool
	walk = func(n *html.Node, depth int) bool {
		if depth > maxDepth || isBoilerplate(n) {
			return false
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Time {
			if v, ok := attr(n, "datetime"); ok {
				if d, ok := parseDate(v); ok {
					found = d
					return true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c, depth+1) {
				return true
			}
		}
		return false
	}
	for _, r := range roots {
		if r != nil && walk(r, 0) {
			break
		}
	}
	return found
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}
