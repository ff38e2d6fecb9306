package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/kbsearch/kbsearch/crawler/langtag"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer/lang"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

// DocID returns the stable id of the document at canonicalURL: the first 16
// hex digits of its SHA-256, so ids survive re-crawls and rebuilds.
func DocID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:8])
}

// CanonicalURL is the URL a record is known by: its declared canonical URL,
// else the URL it was finally served from, else the URL requested.
func CanonicalURL(rec *store.Record) string {
	switch {
	case rec.Canonical != "":
		return rec.Canonical
	case rec.FinalURL != "":
		return rec.FinalURL
	default:
		return rec.URL
	}
}

// NewDocument makes the Document of an indexable crawl record: metadata by
// DeriveMeta, themes by the taxonomy (its phrases over the title and text,
// its URL rules over the URL). It does not fill the token counts; the
// builder does, with the index's analyzers. NewDocumentIn also lets the
// document borrow its meeting page's topic.
func NewDocument(rec *store.Record, tax *taxonomy.Taxonomy) Document {
	return NewDocumentIn(rec, tax, nil)
}

// NewDocumentIn is NewDocument for a record of a crawled site: the title of
// the meeting page that site says the record belongs to (see Site) counts
// like the record's own title when its themes are found, with the reason
// `meeting page: "..."`. A nil site is allowed.
func NewDocumentIn(rec *store.Record, tax *taxonomy.Taxonomy, site *Site) Document {
	p := rec.Page
	u := CanonicalURL(rec)
	title := docTitle(rec, u)
	meta := DeriveMeta(u, title, p.Text, p.Published)
	d := Document{
		ID:         DocID(u),
		URL:        u,
		Title:      title,
		Body:       p.Text,
		Type:       meta.Type,
		Date:       meta.Date,
		Kind:       meta.Kind,
		Place:      meta.Place,
		Country:    meta.Country,
		Lang:       site.langOf(DocID(u), rec),
		Pages:      p.PageCount,
		PageStarts: pageStarts(p.PageTexts),
		Themes:     []string{},
	}
	if !d.Date.IsZero() {
		d.Year = strconv.Itoa(d.Date.Year())
	}
	d.Translations = site.TranslationsOf(d.ID)
	if tax != nil {
		doc := taxonomy.Doc{Title: title, Body: p.Text, URL: u, Lang: d.Lang}
		if site != nil {
			doc.Meeting = site.MeetingOf(rec)
		}
		for _, m := range tax.TagDoc(doc) {
			d.Themes = append(d.Themes, m.Theme)
			if d.ThemeReasons == nil {
				d.ThemeReasons = make(map[string][]string)
			}
			d.ThemeReasons[m.Theme] = m.Reasons
		}
	}
	return d
}

// minSlug is the shortest page slug that can tie documents to a page:
// shorter ones ("news", "about") are too common to mean "this meeting".
const minSlug = 8

// Site records which crawled documents belong to which meeting page, from
// the site's own structure: a page whose URL ends in a slug with a hyphen
// (such as /meetings/2016-07-hamburg-pla/) owns every document it links to
// whose URL path contains that slug as a whole word-run (such as
// /documents/2016-07-hamburg-pla-key-messages.pdf). A page's own title
// states the meeting's topic ("Peer learning activity on Bring Your Own
// Device, Hamburg"), which its agendas and minutes seldom repeat. When two
// pages claim a document, the longer slug wins. Build one with Add (or
// ReadSite) over the records, then ask MeetingOf; a Site is not safe for
// concurrent Adds.
type Site struct {
	owner    map[string]owner // link key (host + path) -> owning page
	variants variants         // versions of one document in several languages
}

type owner struct {
	title string
	slug  int // length of the slug that tied the document to the page
}

// ReadSite builds the Site of every indexable record in st: the meeting
// pages that own documents, and the versions of documents in other
// languages (see Translation).
//
// It reads the records' heads (links, no text), then the whole record of
// each page that may own others, for its title: a pass that decoded every
// page was 3.6% of a 100k build's CPU, on one core before the rest starts.
func ReadSite(ctx context.Context, st *store.Store) (*Site, error) {
	s := &Site{}
	var owners []string
	err := st.EachHead(ctx, func(rec *store.Record) error {
		if rec.Indexable() {
			if mayOwn(rec) {
				owners = append(owners, rec.URL)
			}
			u := CanonicalURL(rec)
			s.variants.add(rec, DocID(u), u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, key := range owners {
		rec, err := st.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.Add(rec)
	}
	if err := s.variants.resolve(ctx, st); err != nil {
		return nil, err
	}
	return s, nil
}

// docTitle is the title of rec's document, canonical at u: its page's
// title, else its URL.
func docTitle(rec *store.Record, u string) string {
	if t := strings.TrimSpace(rec.Page.Title); t != "" {
		return t
	}
	return u
}

// docLang is the language of rec's document: what it declares, unless its
// text is confidently another (lang.Resolve).
func docLang(rec *store.Record) string {
	return lang.Resolve(declaredLang(rec), docTitle(rec, CanonicalURL(rec))+"\n"+rec.Page.Text)
}

// langOf returns docLang(rec) for the document id, which the site may have
// worked out already (for the versions of a translated document); s may be
// nil.
func (s *Site) langOf(id string, rec *store.Record) string {
	if s != nil {
		if l, ok := s.variants.langs[id]; ok {
			return l
		}
	}
	return docLang(rec)
}

// TranslationsOf returns the versions in other languages of the document
// id, by language, or nil.
func (s *Site) TranslationsOf(id string) []Translation {
	if s == nil {
		return nil
	}
	return s.variants.byID[id]
}

// Add records the links of an indexable HTML page whose URL ends in a slug.
// Other records are ignored.
func (s *Site) Add(rec *store.Record) {
	if !rec.Indexable() {
		return
	}
	title := strings.TrimSpace(rec.Page.Title)
	if title == "" {
		return
	}
	ownedLinks(rec, func(k, slug string) bool {
		if s.owner == nil {
			s.owner = make(map[string]owner)
		}
		if prev, ok := s.owner[k]; !ok || len(slug) > prev.slug {
			s.owner[k] = owner{title: title, slug: len(slug)}
		}
		return true
	})
}

// mayOwn reports whether Add could find that rec owns a page, judging by
// what a record's head holds (its links, not its title).
func mayOwn(rec *store.Record) bool {
	owns := false
	ownedLinks(rec, func(string, string) bool { owns = true; return false })
	return owns
}

// ownedLinks calls fn with the key of each link of rec's page that rec owns
// (same host, not itself, its path holding rec's slug) and that slug, until
// fn returns false.
func ownedLinks(rec *store.Record, fn func(key, slug string) bool) {
	if rec.Page == nil || len(rec.Page.Links) == 0 {
		return
	}
	self, err := url.Parse(CanonicalURL(rec))
	if err != nil {
		return
	}
	slug := pageSlug(self.Path)
	if slug == "" {
		return
	}
	selfKey := linkKey(self)
	for _, l := range rec.Page.Links {
		lu, err := url.Parse(l)
		if err != nil || !strings.EqualFold(lu.Host, self.Host) {
			continue
		}
		k := linkKey(lu)
		if k == selfKey || !containsRun(strings.ToLower(lu.Path), slug) {
			continue
		}
		if !fn(k, slug) {
			return
		}
	}
}

// MeetingOf returns the title of the page that owns rec, or "" if none does.
func (s *Site) MeetingOf(rec *store.Record) string {
	if s == nil || len(s.owner) == 0 {
		return ""
	}
	for _, raw := range []string{CanonicalURL(rec), rec.FinalURL, rec.URL} {
		if u, err := url.Parse(raw); err == nil && raw != "" {
			if o, ok := s.owner[linkKey(u)]; ok {
				return o.title
			}
		}
	}
	return ""
}

// linkKey identifies a URL for Site: lower-case host and the path, without
// a trailing slash, scheme, query or fragment.
func linkKey(u *url.URL) string {
	return strings.ToLower(u.Host) + strings.TrimSuffix(u.Path, "/")
}

// pageSlug returns the last segment of path, lower-cased and without a file
// extension, if it is at least minSlug bytes long and has a hyphen in it;
// else "".
func pageSlug(path string) string {
	path = strings.TrimSuffix(path, "/")
	seg := strings.ToLower(path[strings.LastIndexByte(path, '/')+1:])
	if i := strings.LastIndexByte(seg, '.'); i > 0 {
		seg = seg[:i]
	}
	if len(seg) < minSlug || !strings.Contains(seg, "-") {
		return ""
	}
	return seg
}

// containsRun reports whether slug occurs in s with no letter or digit
// right before or after it.
func containsRun(s, slug string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], slug)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(slug)
		if (i == 0 || !alnum(s[i-1])) && (end == len(s) || !alnum(s[end])) {
			return true
		}
		from = i + 1
	}
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}

// declaredLang is what a record says its language is: the document's own
// declaration (HTML lang, Content-Language, PDF /Lang), else the locale
// suffix of its URL ("..._fr.pdf").
func declaredLang(rec *store.Record) string {
	if l := langtag.Primary(rec.Page.Lang); l != "" {
		return l
	}
	return rec.Lang
}

// pageStarts returns the byte offset at which each page starts in the text
// made by joining the non-empty pages with a blank line (as extraction
// does); an empty page starts where the next one does. Nil for fewer than
// two pages.
func pageStarts(pages []string) []int {
	if len(pages) < 2 {
		return nil
	}
	starts := make([]int, len(pages))
	off, any := 0, false
	for i, t := range pages {
		if t == "" {
			continue
		}
		if any {
			off += 2 // the "\n\n" before this page
		}
		starts[i] = off
		off += len(t)
		any = true
	}
	// Empty pages start where the next page with text does (or at the end).
	next := off
	for i := len(pages) - 1; i >= 0; i-- {
		if pages[i] == "" {
			starts[i] = next
		} else {
			next = starts[i]
		}
	}
	return starts
}
