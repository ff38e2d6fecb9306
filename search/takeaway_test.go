package search

import (
	"bytes"
	"context"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

func TestSimilar(t *testing.T) {
	docs := slices.Clone(testDocs)
	// A French version of the Tallinn minutes, and a document that shares
	// the Tallinn minutes' words but no theme.
	docs[3].Translations = []indexer.Translation{{Lang: "fr", URL: "http://portal.test/documents/tallinn-minutes_fr.html", ID: "tallinn-fr"}}
	docs = append(docs,
		indexer.Document{ID: "tallinn-fr", URL: "http://portal.test/documents/tallinn-minutes_fr.html", Type: "minutes", Lang: "en",
			Title: "Minutes: peer learning on digital assessment, Tallinn", Body: "Diagnostic assessment with digital tools and learning analytics.",
			Themes: []string{"digital-assessment"}},
		indexer.Document{ID: "diagnostic", URL: "http://portal.test/diagnostic.html", Type: "report", Lang: "en", Date: date("2019-01-01"),
			Title: "Diagnostic tools", Body: "Diagnostic tools in schools: assessment of pupils with digital tools, and their visit.",
			Themes: []string{"digital-assessment"}})
	s := New(indexertest.Reader(t, docs, true), Options{})
	got, err := s.Similar(context.Background(), "tallinn-minutes")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
		if r.Title == "" || r.URL == "" || r.Type == "" {
			t.Errorf("related %+v lacks a field", r)
		}
	}
	if len(ids) == 0 || ids[0] != "diagnostic" {
		t.Errorf("similar = %q, want diagnostic first (its words and its theme)", ids)
	}
	if slices.Contains(ids, "tallinn-minutes") || slices.Contains(ids, "tallinn-fr") || len(ids) > MaxSimilar {
		t.Errorf("similar = %q: itself, its translation or too many", ids)
	}
	if _, err := s.Similar(context.Background(), "nosuch"); KindOf(err) != KindNotFound {
		t.Errorf("unknown id: %v, want not found", err)
	}
}

func TestAbstractsAndFeed(t *testing.T) {
	s := New(indexertest.Reader(t, snippetDocs(), true), Options{})
	ctx := context.Background()
	abs, err := s.Abstracts(ctx, []string{"p3", "p1", "nosuch"})
	if err != nil {
		t.Fatal(err)
	}
	if a := abs["p3"]; !strings.HasPrefix(a, "The members talked about the weather") || len(a) > abstractBytes+len(" …") || !strings.HasSuffix(a, " …") {
		t.Errorf("abstract of p3 = %q, want its text without navigation and title, cut", a)
	}
	if a := abs["p1"]; a != "Page 1 of the portal. Its text speaks of meetings and places, of members and dates." {
		t.Errorf("abstract of p1 = %q", a)
	}
	if _, ok := abs["nosuch"]; ok {
		t.Error("an abstract for an unknown id")
	}

	hits := []Hit{
		{ID: "p3", Title: "Minutes <&> of the plenary", URL: "http://portal.test/p3.html", Date: "2018-03-01", Themes: []string{"oer"}, Lang: "en"},
		{ID: "p1", Title: "Page 1", URL: "http://portal.test/p1.html", Date: "2017-01-01"},
		{ID: "p2", Title: "Undated", URL: "http://portal.test/p2.html"},
	}
	var b bytes.Buffer
	f := Feed{ID: "urn:kbsearch:feed:x", Title: "kbsearch: oer", Self: "/api/v1/feed?theme=oer", Page: "/?theme=oer", Updated: time.Now()}
	if err := WriteAtom(&b, f, hits, abs, Labels(nil)); err != nil {
		t.Fatal(err)
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Updated string   `xml:"updated"`
		Author  string   `xml:"author>name"`
		Entries []struct {
			ID       string `xml:"id"`
			Title    string `xml:"title"`
			Updated  string `xml:"updated"`
			Summary  string `xml:"summary"`
			Lang     string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Category struct {
				Term  string `xml:"term,attr"`
				Label string `xml:"label,attr"`
			} `xml:"category"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b.Bytes(), &feed); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if feed.Updated != "2018-03-01T00:00:00Z" || feed.Author != "kbsearch" || len(feed.Entries) != 2 {
		t.Fatalf("feed updated %q, author %q, %d entries; want the newest date and the 2 dated hits\n%s", feed.Updated, feed.Author, len(feed.Entries), b.String())
	}
	e := feed.Entries[0]
	if e.ID != "urn:kbsearch:document:p3" || e.Title != "Minutes <&> of the plenary" || e.Summary != abs["p3"] ||
		e.Lang != "en" || e.Category.Term != "oer" || e.Category.Label == "oer" {
		t.Errorf("entry %+v", e)
	}
}

func TestRISWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewRISWriter(&b, Labels(nil))
	err := w.Write([]Hit{{ID: "x", Title: "Key messages", Type: "key-messages", URL: "http://p/x.pdf", Date: "2016-09-27", Themes: []string{"coding"}, Lang: "fr"}},
		map[string]string{"x": "Une  phrase\nsur deux lignes."})
	if err != nil || w.Rows() != 1 {
		t.Fatal(err, w.Rows())
	}
	want := "TY  - GOVDOC\r\nTI  - Key messages\r\nPY  - 2016\r\nDA  - 2016/09/27\r\nUR  - http://p/x.pdf\r\nKW  - " +
		Labels(nil)("theme", "coding") + "\r\nLA  - fr\r\nAB  - Une phrase sur deux lignes.\r\nID  - x\r\nER  - \r\n\r\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}
