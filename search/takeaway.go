package search

import (
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/kbsearch/kbsearch/indexer"
)

// What a researcher takes away from a search: a RIS file for a reference
// manager, an Atom feed of a search, and the documents like a document.

// abstractBytes bounds an abstract; abstractRead is how much of a text
// is read to make one, whatever the document's size.
const (
	abstractBytes = 300
	abstractRead  = 2 << 10
)

// Abstracts returns, by id, the opening of each document's text without
// its boilerplate and title lines (as snippets leave them out), at most
// abstractBytes cut at a word, for the exports; ids the index lacks are
// left out. It reads abstractRead bytes of each text at most.
func (s *Searcher) Abstracts(ctx context.Context, ids []string) (map[string]string, error) {
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, s.wrap(err)
		}
		d, ok := r.DocNumber(id)
		if !ok {
			continue
		}
		h, err := r.Hit(d)
		if err != nil {
			return nil, s.wrap(err)
		}
		text, length, err := r.Text(d, 0, abstractRead)
		if err != nil {
			return nil, s.wrap(err)
		}
		out[id] = abstractOf(text, length, skipLine(r, h.Title))
	}
	return out, nil
}

// abstractOf returns the opening of text (the first bytes of a text of
// length bytes) without the lines skip names, at most abstractBytes, cut
// at a word, with an ellipsis when cut.
func abstractOf(text string, length int, skip func(string) bool) string {
	var b strings.Builder
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		whole := i < len(lines)-1 || len(text) >= length
		if whole && skip(line) || strings.TrimSpace(line) == "" {
			continue
		}
		b.WriteString(line)
		b.WriteByte(' ')
		if b.Len() > abstractBytes+wordSlack {
			break
		}
	}
	a := clean(strings.TrimSpace(b.String()))
	if len(a) <= abstractBytes && len(text) >= length {
		return a
	}
	cut := strings.LastIndexFunc(a[:min(len(a), abstractBytes)], unicode.IsSpace)
	if cut < abstractBytes/2 {
		return a
	}
	return a[:cut] + " …"
}

// risTypes maps document types to RIS reference types.
var risTypes = map[string]string{
	indexer.TypeReport:      "RPRT",
	indexer.TypeKeyMessages: "GOVDOC",
	indexer.TypeMinutes:     "GEN",
	indexer.TypeAgenda:      "GEN",
	indexer.TypePage:        "ELEC",
}

// RISWriter writes hits as RIS records (the tagged format of reference
// managers: Zotero, EndNote, Mendeley): TY by type (report RPRT, key
// messages GOVDOC, web page ELEC, others GEN), TI, UR, PY and DA from the
// date, a KW per theme label, LA, AB from the abstract, and ER. Lines end
// in CRLF; a value's own line breaks become spaces.
type RISWriter struct {
	w     io.Writer
	label func(facet, value string) string
	rows  int
}

// NewRISWriter returns a RISWriter writing to w; label gives the themes'
// labels, as Searcher.Label does.
func NewRISWriter(w io.Writer, label func(facet, value string) string) *RISWriter {
	return &RISWriter{w: w, label: label}
}

// Write writes a record per hit; abstracts gives the AB of a hit by id
// (Searcher.Abstracts), and may be nil.
func (w *RISWriter) Write(hits []Hit, abstracts map[string]string) error {
	var b strings.Builder
	tag := func(t, v string) {
		if v = strings.Join(strings.Fields(v), " "); v != "" {
			b.WriteString(t + "  - " + v + "\r\n")
		}
	}
	for _, h := range hits {
		b.Reset()
		ty := risTypes[h.Type]
		if ty == "" {
			ty = "GEN"
		}
		tag("TY", ty)
		tag("TI", h.Title)
		if h.Date != "" {
			tag("PY", h.Date[:4])
			tag("DA", strings.ReplaceAll(h.Date, "-", "/"))
		}
		tag("UR", h.URL)
		for _, t := range h.Themes {
			tag("KW", w.label("theme", t))
		}
		tag("LA", h.Lang)
		tag("AB", abstracts[h.ID])
		tag("ID", h.ID)
		b.WriteString("ER  - \r\n\r\n")
		if _, err := io.WriteString(w.w, b.String()); err != nil {
			return err
		}
		w.rows++
	}
	return nil
}

// Rows returns the number of records written.
func (w *RISWriter) Rows() int { return w.rows }

// MaxFeed is the most entries of an Atom feed.
const MaxFeed = 50

// Feed describes the Atom feed of a search.
type Feed struct {
	// ID is the feed's permanent IRI: the same search, the same ID.
	ID string
	// Title names the search.
	Title string
	// Self and Page are the feed's own URL and the search page's, as
	// given (relative references are resolved against the feed's URL).
	Self, Page string
	// Updated is used when no entry has a date.
	Updated time.Time
}

// atom* are the elements of an Atom 1.0 document (RFC 4287) that a
// feed of a search uses.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Link       atomLink       `xml:"link"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
	Lang       string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// WriteAtom writes hits, newest first as given, as an Atom 1.0 feed: an
// entry per dated hit (a document without a date cannot say when it was
// new, and is left out), at most MaxFeed, each with its id (urn:kbsearch:
// and the document's id), title, link, date as updated, abstract as
// summary and themes as categories. The feed's updated is its newest
// entry's date, else f.Updated.
func WriteAtom(w io.Writer, f Feed, hits []Hit, abstracts map[string]string, label func(facet, value string) string) error {
	feed := atomFeed{ID: f.ID, Title: f.Title, Author: atomPerson{Name: "kbsearch"},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: f.Self}, {Rel: "alternate", Type: "text/html", Href: f.Page}}}
	var newest time.Time
	for _, h := range hits {
		if len(feed.Entries) == MaxFeed {
			break
		}
		t, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			continue
		}
		if t.After(newest) {
			newest = t
		}
		e := atomEntry{ID: "urn:kbsearch:document:" + h.ID, Title: h.Title, Updated: t.Format(time.RFC3339),
			Link: atomLink{Rel: "alternate", Href: h.URL}, Lang: h.Lang}
		if a := abstracts[h.ID]; a != "" {
			e.Summary = &atomText{Type: "text", Text: a}
		}
		for _, th := range h.Themes {
			e.Categories = append(e.Categories, atomCategory{Term: th, Label: label("theme", th)})
		}
		feed.Entries = append(feed.Entries, e)
	}
	if newest.IsZero() {
		newest = f.Updated.UTC().Truncate(time.Second)
	}
	feed.Updated = newest.Format(time.RFC3339)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(feed); err != nil {
		return fmt.Errorf("search: atom: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Similar returns up to MaxSimilar documents like the one with id:
// those sharing its strongest words (the similarTerms words of its title
// and its text's first similarRead bytes with the highest tf-idf, among
// words in at least two documents and at most half of them), searched as
// any-of words, then re-ordered with a bonus for the themes they share
// with it. The document itself and its versions in other languages are
// left out.
func (s *Searcher) Similar(ctx context.Context, id string) ([]Related, error) {
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	d, ok := r.DocNumber(id)
	if !ok {
		r.Release()
		return nil, Errorf(KindNotFound, "no document with id %q", id)
	}
	h, err := r.Hit(d)
	if err != nil {
		r.Release()
		return nil, s.wrap(err)
	}
	text, _, err := r.Text(d, 0, similarRead)
	if err != nil {
		r.Release()
		return nil, s.wrap(err)
	}
	n := float64(r.Count())
	tf := map[string]int{}
	for _, tok := range r.AnalyzeWords(h.Title + "\n" + text) {
		w := string(tok.Term)
		if len(w) >= 3 && !strings.ContainsFunc(w, func(c rune) bool { return !unicode.IsLetter(c) && c != '-' }) {
			tf[w]++
		}
	}
	type scored struct {
		w string
		v float64
	}
	var terms []scored
	for w, f := range tf {
		df, err := r.WordDocFreq(w)
		if err != nil {
			r.Release()
			return nil, s.wrap(err)
		}
		if df < 2 || float64(df) > n/2 {
			continue
		}
		terms = append(terms, scored{w, (1 + math.Log(float64(f))) * math.Log(n/float64(df))})
	}
	r.Release()
	slices.SortFunc(terms, func(a, b scored) int { return cmp.Or(cmp.Compare(b.v, a.v), strings.Compare(a.w, b.w)) })
	terms = terms[:min(len(terms), similarTerms)]
	if len(terms) == 0 {
		return []Related{}, nil
	}
	words := make([]string, len(terms))
	for i, t := range terms {
		words[i] = t.w
	}
	skip := map[string]bool{id: true}
	for _, t := range h.Translations {
		skip[t.ID] = true
	}
	hits, _, err := s.ExportAll(ctx, Request{Query: strings.Join(words, " ")}, similarPool)
	if err != nil {
		return nil, err
	}
	type cand struct {
		hit Hit
		v   float64
	}
	var cands []cand
	top := 0.0
	for _, x := range hits {
		if !skip[x.ID] {
			top = max(top, x.Score)
		}
	}
	for _, x := range hits {
		if skip[x.ID] || top <= 0 {
			continue
		}
		shared := 0
		for _, t := range x.Themes {
			if slices.Contains(h.Themes, t) {
				shared++
			}
		}
		v := x.Score / top
		if len(h.Themes) > 0 {
			v += themeBonus * float64(shared) / float64(len(h.Themes))
		}
		cands = append(cands, cand{x, v})
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.v, a.v) })
	out := make([]Related, 0, MaxSimilar)
	for _, c := range cands[:min(len(cands), MaxSimilar)] {
		out = append(out, Related{ID: c.hit.ID, Title: c.hit.Title, URL: c.hit.URL, Type: c.hit.Type, Date: c.hit.Date})
	}
	return out, nil
}

// Bounds of Similar.
const (
	MaxSimilar   = 5
	similarTerms = 12
	similarRead  = 16 << 10
	similarPool  = 30
	// themeBonus is what sharing all of a document's themes adds to a
	// candidate's score, the best candidate's being 1.
	themeBonus = 0.5
)
