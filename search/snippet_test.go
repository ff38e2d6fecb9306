package search

import (
	"context"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// snippetDocs: pages of one portal that all begin with its name and its
// navigation (both mention "assessment"), one of which discusses
// assessment in prose far into its text.
func snippetDocs() []indexer.Document {
	nav := "Working Group on Digital Assessment and Skills\nHome | Meetings | Assessment | Documents\n"
	var docs []indexer.Document
	for i := range 8 {
		body := nav + fmt.Sprintf("Page %d of the portal. Its text speaks of meetings and places, of members and dates.", i)
		docs = append(docs, indexer.Document{ID: fmt.Sprintf("p%d", i), URL: fmt.Sprintf("http://portal.test/p%d.html", i),
			Type: "page", Lang: "en", Title: fmt.Sprintf("Page %d", i), Body: body})
	}
	docs[3].Title = "Minutes of the plenary on self-assessment tools, Brussels"
	docs[3].Body = nav + "Minutes of the plenary on self-assessment tools,\nBrussels\n" +
		strings.Repeat("The members talked about the weather in Brussels and the trains. ", 6) +
		"Several countries already use national tools. A self-assessment exercise helps a school plan its digital strategy, and nobody ranks the results. " +
		strings.Repeat("Lunch was served and the meeting closed at five. ", 6)
	return docs
}

func TestSnippetSentencesWithoutBoilerplate(t *testing.T) {
	s := New(indexertest.Reader(t, snippetDocs(), true), Options{})
	res, err := s.Search(context.Background(), Request{Query: "assessment"})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for _, h := range res.Hits {
		if h.ID == "p3" {
			got = strings.Join(h.Snippets, " ")
		}
	}
	want := "… A self-<mark>assessment</mark> exercise helps a school plan its digital strategy, and nobody ranks the results."
	if !strings.HasPrefix(got, want) {
		t.Errorf("snippet of p3 = %q, want it to begin with %q (the sentence, not the navigation or the title)", got, want)
	}
	for _, bad := range []string{"Working Group", "Home |", "Minutes of the plenary"} {
		if strings.Contains(got, bad) {
			t.Errorf("snippet of p3 = %q, holds boilerplate %q", got, bad)
		}
	}
}

func TestSnippetBoundaries(t *testing.T) {
	text := "Introduction. The group met in Hamburg to compare national approaches to learning analytics and to the protection of pupils' data. Members agreed that dashboards must help teachers act, and that any collection of data needs a clear purpose, limits and a named owner in the school."
	at := strings.Index(text, "learning analytics")
	occ := []occurrence{{start: uint32(at), end: uint32(at + len("learning")), term: 0}, {start: uint32(at + 9), end: uint32(at + 18), term: 1}}
	for _, base := range []int{0, 5, 40} {
		seg := text[base:]
		got := snippet(seg, base, len(text), occ, 0, 2, nil)
		plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "", "… ", "", " …", "").Replace(got))
		if !strings.Contains(text, plain) {
			t.Fatalf("base %d: %q is not a piece of the text", base, plain)
		}
		// It starts at a sentence or a word, and ends at one.
		i := strings.Index(text, plain)
		if i > 0 && text[i-1] != ' ' {
			t.Errorf("base %d: %q starts mid-word", base, got)
		}
		if e := i + len(plain); e < len(text) && text[e] != ' ' {
			t.Errorf("base %d: %q ends mid-word", base, got)
		}
		if base == 0 && !strings.HasPrefix(plain, "The group met") {
			t.Errorf("base %d: %q, want the sentence from its start", base, got)
		}
	}
}
