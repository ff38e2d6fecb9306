package indexer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

func htmlRecord(u, title, text string, links ...string) *store.Record {
	return &store.Record{URL: u, FinalURL: u, Status: 200, Page: &extract.Page{Title: title, Text: text, Links: links, PageCount: 1}}
}

func TestSiteMeetingOf(t *testing.T) {
	t.Parallel()
	const host = "https://portal.example"
	meeting := htmlRecord(host+"/meetings/2016-07-hamburg-pla/", "Peer learning activity on Bring Your Own Device, Hamburg",
		"Documents of the meeting.",
		host+"/documents/2016-07-hamburg-pla-agenda.html",
		host+"/documents/2016-07-hamburg-pla-key-messages.pdf",
		host+"/documents/2016-07-hamburg-pla2-agenda.html", // another slug that merely starts alike
		host+"/documents/2016-09-helsinki-pla-agenda.html", // a neighbour's document
		"https://elsewhere.example/2016-07-hamburg-pla-notes.pdf",
		host+"/meetings/2016-07-hamburg-pla", // itself, without the slash
	)
	// A page with a shorter, more general slug also links the agenda: the
	// longer slug wins whatever the order.
	series := htmlRecord(host+"/series/hamburg-pla", "Series on mobile learning", "x",
		host+"/documents/2016-07-hamburg-pla-agenda.html", host+"/documents/hamburg-pla-overview.pdf")
	home := htmlRecord(host+"/", "Working group on coding", "x", host+"/documents/2016-07-hamburg-pla-agenda.html")
	about := htmlRecord(host+"/about/", "About learning analytics", "x", host+"/about/about-us.html")
	noindex := htmlRecord(host+"/meetings/2017-01-malta-pla/", "PLA on leadership", "x", host+"/documents/2017-01-malta-pla-agenda.html")
	noindex.Page.NoIndex = true

	var s Site
	for _, r := range []*store.Record{series, meeting, home, about, noindex} {
		s.Add(r)
	}
	tests := []struct {
		url, want string
	}{
		{host + "/documents/2016-07-hamburg-pla-agenda.html", meeting.Page.Title},
		{host + "/documents/2016-07-hamburg-pla-key-messages.pdf", meeting.Page.Title},
		{"http://portal.example/documents/2016-07-hamburg-pla-key-messages.pdf", meeting.Page.Title},
		{host + "/documents/hamburg-pla-overview.pdf", series.Page.Title},
		{host + "/documents/2016-07-hamburg-pla2-agenda.html", ""},
		{host + "/documents/2016-09-helsinki-pla-agenda.html", ""},
		{"https://elsewhere.example/2016-07-hamburg-pla-notes.pdf", ""},
		{host + "/meetings/2016-07-hamburg-pla/", ""},
		{host + "/about/about-us.html", ""},
		{host + "/documents/2017-01-malta-pla-agenda.html", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := s.MeetingOf(htmlRecord(tt.url, "t", "x")); got != tt.want {
				t.Errorf("MeetingOf(%s) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
	var empty *Site
	if got := empty.MeetingOf(meeting); got != "" {
		t.Errorf("nil Site: MeetingOf = %q, want empty", got)
	}
}

func TestPageSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"/meetings/2016-07-hamburg-pla/", "2016-07-hamburg-pla"},
		{"/events/Plenary-2017.html", "plenary-2017"},
		{"/", ""},
		{"", ""},
		{"/news/", ""},
		{"/documents/minutes", ""}, // no hyphen
		{"/a/short-a", ""},         // too short
		{"/a/learning-analytics.pdf", "learning-analytics"},
	}
	for _, tt := range tests {
		if got := pageSlug(tt.path); got != tt.want {
			t.Errorf("pageSlug(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestNewDocumentThemeReasons(t *testing.T) {
	t.Parallel()
	tax, err := taxonomy.Parse([]byte(`{"version":"t","themes":[
		{"id":"byod","label":"BYOD","phrases":["bring your own device"],"synonyms":["BYOD"]},
		{"id":"la","label":"Learning analytics","phrases":["learning analytics"],"urls":["*/analytics/*"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	const host = "https://portal.example"
	meeting := htmlRecord(host+"/meetings/2016-07-hamburg-pla/", "Peer learning activity on Bring Your Own Device", "x",
		host+"/documents/2016-07-hamburg-pla-agenda.html")
	agenda := htmlRecord(host+"/documents/2016-07-hamburg-pla-agenda.html", "Agenda, Hamburg, 5-7 July 2016",
		"09:00 Welcome. 10:00 School visit. 14:00 Group work.")
	report := htmlRecord(host+"/analytics/report.html", "Report", "BYOD. BYOD. BYOD in schools.")
	var site Site
	site.Add(meeting)

	tests := []struct {
		name string
		rec  *store.Record
		site *Site
		want map[string][]string
	}{
		{"agenda alone has no theme", agenda, nil, nil},
		{"agenda borrows its meeting's topic", agenda, &site,
			map[string][]string{"byod": {`meeting page: "bring your own device"`}}},
		{"body counts and url rule", report, &site,
			map[string][]string{"byod": {`body: "BYOD" x3`}, "la": {`url rule: */analytics/*`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDocumentIn(tt.rec, tax, tt.site)
			if len(d.ThemeReasons) != len(tt.want) || len(d.Themes) != len(tt.want) {
				t.Fatalf("themes %q reasons %q, want %q", d.Themes, d.ThemeReasons, tt.want)
			}
			for id, want := range tt.want {
				if !slices.Contains(d.Themes, id) || !slices.Equal(want, d.ThemeReasons[id]) {
					t.Errorf("theme %s reasons (-want +got):\n-%q\n+%q", id, want, d.ThemeReasons[id])
				}
			}
		})
	}
	// NewDocument is NewDocumentIn without a site.
	if d := NewDocument(agenda, tax); len(d.Themes) != 0 {
		t.Errorf("NewDocument(agenda) themes = %q, want none", d.Themes)
	}
}

func TestPageStarts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pages []string
		want  []int
	}{
		{"one page", []string{"only"}, nil},
		{"three pages", []string{"abc", "de", "f"}, []int{0, 5, 9}},
		{"empty middle page", []string{"abc", "", "f"}, []int{0, 5, 5}},
		{"empty first page", []string{"", "abc", "de"}, []int{0, 0, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pageStarts(tt.pages)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("pageStarts(%q) = %v, want %v", tt.pages, got, tt.want)
			}
			// Each start must point at its page's text in the joined body.
			var parts []string
			for _, p := range tt.pages {
				if p != "" {
					parts = append(parts, p)
				}
			}
			body := strings.Join(parts, "\n\n")
			for i, off := range got {
				if p := tt.pages[i]; p != "" && !strings.HasPrefix(body[off:], p) {
					t.Errorf("page %d starts at %d: %q, want %q", i+1, off, body[off:], p)
				}
			}
		})
	}
}
