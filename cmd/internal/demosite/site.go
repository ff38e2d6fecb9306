package demosite

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"
)

//go:embed content
var contentFS embed.FS

// Paths of the portal's deliberate traps, for tests of the crawler.
const (
	// DisallowedPath is linked from the home page but disallowed by
	// robots.txt: a polite crawler never fetches it.
	DisallowedPath = "/internal/drafts.html"
	// RedirectPath answers 301 with RedirectTarget; the home page links it.
	RedirectPath   = "/meetings/hamburg"
	RedirectTarget = "/meetings/2016-07-hamburg-pla/"
	// DuplicatePath serves the same bytes as DuplicateOf and is linked
	// from the Hamburg meeting page.
	DuplicatePath = "/files/legacy/2016-07-hamburg-pla-key-messages.pdf"
	DuplicateOf   = "/documents/2016-07-hamburg-pla-key-messages.pdf"
	// BrokenPDFPath serves a truncated PDF as application/pdf; the
	// Helsinki meeting page links it.
	BrokenPDFPath = "/documents/2016-09-helsinki-pla-annex.pdf"
	// MissingPath is linked from the April 2016 plenary's page and
	// answers 404.
	MissingPath = "/documents/2016-04-brussels-plenary-presentation.pdf"
)

// lastModified is the Last-Modified time of every response: the group's
// pages were last updated when its mandate ended.
var lastModified = time.Date(2018, time.June, 29, 10, 0, 0, 0, time.UTC)

const (
	ctypeHTML = "text/html; charset=utf-8"
	ctypePDF  = "application/pdf"
	ctypeText = "text/plain; charset=utf-8"
	ctypeXML  = "application/xml; charset=utf-8"
)

// DocInfo describes one document the site publishes on purpose.
type DocInfo struct {
	Path    string    // URL path, e.g. "/documents/2016-07-hamburg-pla-key-messages.pdf"
	Title   string    // as in <title> or the PDF's Title
	Type    string    // minutes, key-messages, agenda, report or page
	Format  string    // "html" or "pdf"
	Meeting string    // meeting slug; empty for the about pages
	Themes  []string  // taxonomy ids the document is meant to be about
	Date    time.Time // dcterms.date for HTML, CreationDate for PDF; zero if none
	Lang    string    // the declared language if not English ("fr", "de"); "" for English
}

// langVersion names a document's version in another language, in that
// language, for the links of a meeting page.
var langVersion = map[string]string{"fr": "Version française", "de": "Deutsche Fassung"}

// resource is one response body, rendered once.
type resource struct {
	body  []byte
	ctype string
	etag  string
}

func newResource(body []byte, ctype string) *resource {
	return &resource{body: body, ctype: ctype, etag: etagOf(body)}
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// Site is the rendered portal. It is immutable after New and safe for
// concurrent use.
type Site struct {
	files     map[string]*resource // path -> body
	redirects map[string]string    // path -> target path
	docs      []DocInfo
	sitemap   []string // paths listed in sitemap.xml
	notFound  []byte
}

// New loads the embedded content and renders every page and PDF once, in
// memory.
func New() (*Site, error) { return build(contentFS) }

// build renders a site from a file system holding a content/ directory.
func build(fsys fs.FS) (*Site, error) {
	srcs, err := loadSources(fsys)
	if err != nil {
		return nil, err
	}
	s := &Site{files: map[string]*resource{}, redirects: map[string]string{}}
	var (
		home      *source
		intros    = map[string]*source{} // meeting slug -> its -page.txt
		byMeeting = map[string][]*source{}
		abouts    []*source
	)
	for _, src := range srcs {
		switch {
		case src.File == "home.txt":
			home = src
		case strings.HasPrefix(src.File, "about-"):
			abouts = append(abouts, src)
		case src.Type == typePage:
			intros[src.Meeting] = src
		default:
			byMeeting[src.Meeting] = append(byMeeting[src.Meeting], src)
		}
	}
	if home == nil {
		return nil, fmt.Errorf("demosite: content/home.txt is missing")
	}

	// Documents first: the meeting pages show their sizes.
	docLinks := map[string][]link{}
	for i := range meetings {
		m := &meetings[i]
		for _, src := range byMeeting[m.Slug] {
			info, err := s.addDocument(m, src)
			if err != nil {
				return nil, err
			}
			note := "(HTML)"
			if info.Format == "pdf" {
				note = fmt.Sprintf("(PDF, %d KB)", (len(s.files[info.Path].body)+1023)/1024)
			}
			text := info.Title
			if name, ok := langVersion[info.Lang]; ok {
				// A version in another language is listed by its language
				// only, as the Commission's pages do.
				text = name
			}
			docLinks[m.Slug] = append(docLinks[m.Slug], link{Href: info.Path, Text: text, Note: note})
		}
	}
	if err := s.addTraps(docLinks); err != nil {
		return nil, err
	}
	for i := range meetings {
		if err := s.addMeetingPage(&meetings[i], intros[meetings[i].Slug], docLinks[meetings[i].Slug]); err != nil {
			return nil, err
		}
	}
	for _, src := range abouts {
		if err := s.addAboutPage(src); err != nil {
			return nil, err
		}
	}
	if err := s.addHome(home); err != nil {
		return nil, err
	}
	if err := s.addFixedPages(); err != nil {
		return nil, err
	}
	slices.SortFunc(s.docs, func(a, b DocInfo) int { return cmp.Compare(a.Path, b.Path) })
	return s, nil
}

// loadSources parses every content file, in name order, and checks that
// each document's file name matches its header.
func loadSources(fsys fs.FS) ([]*source, error) {
	entries, err := fs.ReadDir(fsys, "content")
	if err != nil {
		return nil, fmt.Errorf("demosite: read content: %w", err)
	}
	var srcs []*source
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
			continue
		}
		data, err := fs.ReadFile(fsys, "content/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("demosite: read %s: %w", e.Name(), err)
		}
		src, err := parseSource(e.Name(), data)
		if err != nil {
			return nil, err
		}
		if err := checkNaming(src); err != nil {
			return nil, err
		}
		srcs = append(srcs, src)
	}
	return srcs, nil
}

// checkNaming ties a file's name to its header: <meeting>-<type>.txt for
// meeting documents and meeting page intros, about-*.txt and home.txt.
func checkNaming(src *source) error {
	name := strings.TrimSuffix(src.File, ".txt")
	switch {
	case name == "home":
		return nil
	case strings.HasPrefix(name, "about-"):
		if src.Meeting != "" || src.Type != typePage || src.Format != "html" {
			return fmt.Errorf("demosite: %s: an about page has type page, format html and no meeting", src.File)
		}
		return nil
	}
	if _, ok := meetingBySlug(src.Meeting); !ok {
		return fmt.Errorf("demosite: %s: unknown meeting %q", src.File, src.Meeting)
	}
	if src.Type == "" {
		return fmt.Errorf("demosite: %s: no type", src.File)
	}
	want := src.Meeting + "-" + src.Type
	if src.Lang != "" {
		want += "_" + src.Lang
	}
	if name != want {
		return fmt.Errorf("demosite: %s: file name should be %s.txt for meeting %q, type %q and lang %q", src.File, want, src.Meeting, src.Type, src.Lang)
	}
	if src.Type != typePage && src.Date.IsZero() {
		return fmt.Errorf("demosite: %s: no date", src.File)
	}
	if src.Type == typePage && src.Lang != "" {
		return fmt.Errorf("demosite: %s: a meeting page intro is in English", src.File)
	}
	if src.Type == typePage && src.Format != "html" {
		return fmt.Errorf("demosite: %s: a meeting page intro is html", src.File)
	}
	return nil
}

// meetingLines is the title block under a document's title: the meeting,
// its place and its dates.
func meetingLines(m *meeting) []string {
	return []string{m.Name(), m.Location() + ", " + m.Dates()}
}

// hasTitleBlock reports whether a body opens with its own title block (a
// heading naming the group), in which case the renderer adds only the
// title, not a second copy of the block.
func hasTitleBlock(blocks []block) bool {
	return len(blocks) > 0 && blocks[0].Kind == blockHeading && blocks[0].Text == groupName
}

func (s *Site) add(p string, r *resource) error {
	if _, dup := s.files[p]; dup {
		return fmt.Errorf("demosite: two resources at %s", p)
	}
	s.files[p] = r
	return nil
}

func (s *Site) addDocument(m *meeting, src *source) (DocInfo, error) {
	suffix := ""
	if src.Lang != "" {
		suffix = "_" + src.Lang
	}
	info := DocInfo{
		Path:    "/documents/" + m.Slug + "-" + src.Type + suffix + "." + src.Format,
		Lang:    src.Lang,
		Title:   src.Title,
		Type:    src.Type,
		Format:  src.Format,
		Meeting: m.Slug,
		Themes:  slices.Clone(src.Themes),
		Date:    src.Date,
	}
	group, lines := true, meetingLines(m)
	if hasTitleBlock(src.Blocks) {
		group, lines = false, nil
	}
	var r *resource
	if src.Format == "pdf" {
		b, err := renderPDF(pdfDoc{Lang: src.Lang, Title: src.Title, Subject: m.Title(), Group: group, Lines: lines, Blocks: src.Blocks, Date: src.Date})
		if err != nil {
			return DocInfo{}, fmt.Errorf("demosite: %s: %w", src.File, err)
		}
		r = newResource(b, ctypePDF)
	} else {
		b, err := renderHTML(page{
			Lang:        src.Lang,
			Title:       src.Title,
			Description: description(src.Blocks, 200),
			Date:        src.Date.Format(time.DateOnly),
			Up:          &link{Href: meetingPath(m), Text: "Back to: " + m.Title()},
			Doc:         &docView{Group: group, Lines: lines, Blocks: src.Blocks},
		})
		if err != nil {
			return DocInfo{}, err
		}
		r = newResource(b, ctypeHTML)
	}
	if err := s.add(info.Path, r); err != nil {
		return DocInfo{}, err
	}
	s.docs = append(s.docs, info)
	return info, nil
}

func meetingPath(m *meeting) string { return "/meetings/" + m.Slug + "/" }

// addTraps adds the duplicate, the broken PDF and the dead link, and the
// links to them from their meeting pages.
func (s *Site) addTraps(docLinks map[string][]link) error {
	orig, ok := s.files[DuplicateOf]
	if !ok {
		return fmt.Errorf("demosite: %s is missing, so its legacy copy cannot be served", DuplicateOf)
	}
	if err := s.add(DuplicatePath, orig); err != nil {
		return err
	}
	hamburg := "2016-07-hamburg-pla"
	docLinks[hamburg] = append(docLinks[hamburg], link{Href: DuplicatePath, Text: "Key messages (copy from the previous portal)", Note: "(PDF)"})

	helsinki, _ := meetingBySlug("2016-09-helsinki-pla")
	annex, err := renderPDF(pdfDoc{
		Title:   "Annex: schools and organisations visited during PLA#2, Helsinki, 27-29 September 2016",
		Subject: helsinki.Title(),
		Group:   true,
		Lines:   meetingLines(helsinki),
		Blocks: parseBody("The annex lists the schools, teacher education departments and non-governmental " +
			"organisations that received the participants, with a short note on each visit.\n\n" +
			"---page---\n\n## Visits\n\n- A comprehensive school for grades 1 to 9\n- A university department of teacher education\n" +
			"- A volunteer-run coding club for children\n- A library makerspace"),
		Date: helsinki.End,
	})
	if err != nil {
		return err
	}
	if err := s.add(BrokenPDFPath, newResource(truncatePDF(annex), ctypePDF)); err != nil {
		return err
	}
	docLinks[helsinki.Slug] = append(docLinks[helsinki.Slug], link{Href: BrokenPDFPath, Text: "Annex: schools and organisations visited", Note: "(PDF)"})

	april := "2016-04-brussels-plenary"
	docLinks[april] = append(docLinks[april], link{Href: MissingPath, Text: "Presentations given at the meeting", Note: "(PDF)"})
	return nil
}

func (s *Site) addMeetingPage(m *meeting, intro *source, docs []link) error {
	blocks := []block{{Kind: blockParagraph, Text: m.Summary}}
	themes := m.Themes
	if intro != nil {
		blocks = intro.Blocks
		if len(intro.Themes) > 0 {
			themes = intro.Themes
		}
	}
	p := meetingPath(m)
	b, err := renderHTML(page{
		Title:       m.Title(),
		Description: description(blocks, 200),
		Date:        m.Start.Format(time.DateOnly),
		Up:          &link{Href: "/#calendar", Text: "All meetings of the group"},
		Meeting:     &meetingView{Lines: []string{m.KindLabel(), m.Location() + ", " + m.Dates()}, Blocks: blocks, Docs: docs},
	})
	if err != nil {
		return err
	}
	if err := s.add(p, newResource(b, ctypeHTML)); err != nil {
		return err
	}
	s.redirects["/meetings/"+m.Slug] = p
	s.sitemap = append(s.sitemap, p)
	s.docs = append(s.docs, DocInfo{
		Path: p, Title: m.Title(), Type: typePage, Format: "html", Meeting: m.Slug,
		Themes: slices.Clone(themes), Date: m.Start,
	})
	return nil
}

func (s *Site) addAboutPage(src *source) error {
	p := "/about/" + strings.TrimPrefix(strings.TrimSuffix(src.File, ".txt"), "about-") + ".html"
	pg := page{
		Title:       src.Title,
		Description: description(src.Blocks, 200),
		Up:          &link{Href: "/", Text: "Back to the working group's page"},
		Doc:         &docView{Group: true, Blocks: src.Blocks},
	}
	if !src.Date.IsZero() {
		pg.Date = src.Date.Format(time.DateOnly)
	}
	b, err := renderHTML(pg)
	if err != nil {
		return err
	}
	if err := s.add(p, newResource(b, ctypeHTML)); err != nil {
		return err
	}
	s.sitemap = append(s.sitemap, p)
	s.docs = append(s.docs, DocInfo{
		Path: p, Title: src.Title, Type: typePage, Format: "html",
		Themes: slices.Clone(src.Themes), Date: src.Date,
	})
	return nil
}

func (s *Site) addHome(src *source) error {
	hv := &homeView{Blocks: src.Blocks}
	for _, d := range s.docs {
		if d.Type == typeKeyMessages && d.Lang == "" { // versions in other languages are on their meeting pages
			hv.KeyMessages = append(hv.KeyMessages, link{Href: d.Path, Text: d.Title, Note: "(" + strings.ToUpper(d.Format) + ")"})
		}
	}
	for i := range meetings {
		m := &meetings[i]
		e := calendarEntry{
			Date:    m.Start.Format(time.DateOnly),
			Dates:   m.Dates(),
			Label:   m.KindLabel(),
			Meeting: link{Href: meetingPath(m), Text: m.Title()},
		}
		for _, d := range s.docs {
			if d.Meeting == m.Slug && d.Type == typeMinutes {
				e.Docs = append(e.Docs, link{Href: d.Path, Text: "minutes"})
			}
		}
		if n := len(hv.Calendar); n == 0 || hv.Calendar[n-1].Year != m.Start.Year() {
			hv.Calendar = append(hv.Calendar, calendarYear{Year: m.Start.Year()})
		}
		cy := &hv.Calendar[len(hv.Calendar)-1]
		cy.Entries = append(cy.Entries, e)
	}
	hv.More = []link{
		{Href: "/about/mandate.html", Text: "The mandate of the group"},
		{Href: "/about/members.html", Text: "Who the members are"},
		{Href: RedirectPath, Text: "Hamburg, July 2016: Bring Your Own Device", Note: "(short link)"},
		{Href: DisallowedPath, Text: "Working drafts", Note: "(members only)"},
	}
	b, err := renderHTML(page{
		Title:       src.Title,
		Description: description(src.Blocks, 200),
		Home:        hv,
	})
	if err != nil {
		return err
	}
	if err := s.add("/", newResource(b, ctypeHTML)); err != nil {
		return err
	}
	s.sitemap = append([]string{"/"}, s.sitemap...)
	return nil
}

// addFixedPages adds the pages that have no content file: the internal
// drafts page, the 404 page and the redirect.
func (s *Site) addFixedPages() error {
	drafts, err := renderHTML(page{
		Title: "Internal working drafts (not for publication)",
		Message: parseBody("This area holds working drafts circulated among members before a meeting. " +
			"Drafts are not agreed texts and must not be quoted.\n\n" +
			"- Draft key messages on learning analytics, second reading\n" +
			"- Draft outline of the final report of the group"),
	})
	if err != nil {
		return err
	}
	if err := s.add(DisallowedPath, newResource(drafts, ctypeHTML)); err != nil {
		return err
	}
	s.notFound, err = renderHTML(page{
		Title:   "Page not found",
		Message: parseBody("The page you asked for does not exist or has moved. Start again from the working group's page."),
	})
	if err != nil {
		return err
	}
	s.redirects[RedirectPath] = RedirectTarget
	return nil
}

// Documents lists every document the site publishes on purpose: the
// meeting pages, the about pages and the meeting documents, sorted by
// path. The home page, the internal drafts and the traps (DuplicatePath,
// BrokenPDFPath) are not listed.
func (s *Site) Documents() []DocInfo {
	out := make([]DocInfo, len(s.docs))
	for i, d := range s.docs {
		d.Themes = slices.Clone(d.Themes)
		out[i] = d
	}
	return out
}

// Handler serves the portal at the root of whatever host it is mounted
// on. Only GET and HEAD are allowed.
func (s *Site) Handler() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeStatus(w, http.StatusMethodNotAllowed, ctypeText, []byte("method not allowed\n"))
		return
	}
	p := r.URL.Path
	switch p {
	case "/robots.txt":
		serveResource(w, r, newResource(s.robots(r), ctypeText))
		return
	case "/sitemap.xml":
		serveResource(w, r, newResource(s.sitemapXML(r), ctypeXML))
		return
	}
	if res, ok := s.files[p]; ok {
		serveResource(w, r, res)
		return
	}
	if target, ok := s.redirects[p]; ok {
		w.Header().Set("Location", target)
		body := fmt.Appendf(nil, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Moved</title></head>"+
			"<body><p>This page has moved to <a href=\"%s\">%s</a>.</p></body></html>\n", target, target)
		s.writeStatus(w, http.StatusMovedPermanently, ctypeHTML, body)
		return
	}
	s.writeStatus(w, http.StatusNotFound, ctypeHTML, s.notFound)
}

// writeStatus writes a response that is not a resource (404, 301, 405),
// still with the headers every response carries.
func (s *Site) writeStatus(w http.ResponseWriter, code int, ctype string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", etagOf(body))
	h.Set("Last-Modified", lastModified.Format(http.TimeFormat))
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(code)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// serveResource answers with r's body, honouring If-None-Match,
// If-Modified-Since and Range through http.ServeContent.
func serveResource(w http.ResponseWriter, req *http.Request, r *resource) {
	h := w.Header()
	h.Set("Content-Type", r.ctype)
	h.Set("ETag", r.etag)
	http.ServeContent(w, req, "", lastModified, bytes.NewReader(r.body))
}

// origin is the scheme and host the request was made to.
func origin(r *http.Request) string {
	host := r.Host
	if host == "" || strings.ContainsAny(host, " \t\r\n/\\<>\"'") {
		host = "localhost"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + host
}

func (s *Site) robots(r *http.Request) []byte {
	return fmt.Appendf(nil, "# Robots rules for the working group portal.\nUser-agent: *\nDisallow: /internal/\n\nSitemap: %s/sitemap.xml\n", origin(r))
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

type urlset struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

func (s *Site) sitemapXML(r *http.Request) []byte {
	base := origin(r)
	set := urlset{}
	for _, p := range s.sitemap {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + p, LastMod: lastModified.Format(time.DateOnly)})
	}
	b, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		// Marshalling a fixed struct of strings cannot fail.
		return []byte(xml.Header)
	}
	return append(append([]byte(xml.Header), b...), '\n')
}
