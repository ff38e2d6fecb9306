package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testDocs is a small corpus with known metadata, so facet counts can be
// worked out by hand.
var testDocs = []indexer.Document{
	{ID: "hamburg-km", URL: "http://portal.test/documents/hamburg-km.pdf", Type: "key-messages", Date: date("2016-07-07"), Kind: "peer-learning", Place: "Hamburg", Lang: "en",
		Title:  "Key messages: bring your own device, Hamburg",
		Body:   "Pupils who bring their own devices to school need a reliable wireless network. Schools adopting BYOD write clear rules for personal devices.",
		Themes: []string{"byod", "mobile-learning"}},
	{ID: "hamburg-agenda", URL: "http://portal.test/documents/hamburg-agenda.html", Type: "agenda", Date: date("2016-07-05"), Kind: "peer-learning", Place: "Hamburg", Lang: "en",
		Title:  "Agenda: peer learning activity, Hamburg",
		Body:   "Day one: school visit. Day two: workshop on device policies and networks.",
		Themes: []string{"byod"}},
	{ID: "oct-minutes", URL: "http://portal.test/documents/oct-minutes.html", Type: "minutes", Date: date("2016-10-19"), Kind: "plenary", Place: "Brussels", Lang: "en",
		Title:  "Minutes of the plenary meeting, Brussels, October 2016",
		Body:   "Members discussed learning analytics and the use of educational data. Dashboards for teachers were presented. <script>alert(1)</script> was quoted as an example of unsafe markup.",
		Themes: []string{"learning-analytics", "policy"}},
	{ID: "tallinn-minutes", URL: "http://portal.test/documents/tallinn-minutes.html", Type: "minutes", Date: date("2017-10-12"), Kind: "peer-learning", Place: "Tallinn", Lang: "en",
		Title:  "Minutes: peer learning on digital assessment, Tallinn",
		Body:   "Diagnostic assessment with digital tools and learning analytics were the focus of the visit.",
		Themes: []string{"digital-assessment", "learning-analytics"}},
	{ID: "paris-report", URL: "http://portal.test/documents/paris-report.pdf", Type: "report", Date: date("2018-03-22"), Kind: "peer-learning", Place: "Paris", Lang: "fr",
		Title:  "Report: digital resources for schools, Paris",
		Body:   "Open educational resources and the quality of digital content for schools. Teachers share resources under open licences.",
		Themes: []string{"oer", "digital-content"}},
	{ID: "mandate", URL: "http://portal.test/about/mandate.html", Type: "page", Lang: "en",
		Title:  "Mandate of the group",
		Body:   "The group looks at digital skills at all levels of learning, including learning analytics in passing.",
		Themes: []string{"policy"}},
}

func newTestSearcher(t testing.TB) *Searcher {
	t.Helper()
	return New(indexertest.Reader(t, testDocs, true), Options{})
}

func ids(res *Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func facetCounts(fs []Facet) map[string]int {
	m := make(map[string]int)
	for _, f := range fs {
		m[f.Value] = f.Count
	}
	return m
}

func TestSearchFacetsAndFilters(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		req       Request
		wantIDs   []string // in any order unless ordered
		ordered   bool
		wantTotal uint64
		facet     string
		want      map[string]int
	}{
		{name: "match all, type facet", req: Request{Size: 100}, wantTotal: 6, facet: "type",
			want: map[string]int{"key-messages": 1, "agenda": 1, "minutes": 2, "report": 1, "page": 1}},
		{name: "match all, theme facet", req: Request{}, wantTotal: 6, facet: "theme",
			want: map[string]int{"byod": 2, "mobile-learning": 1, "learning-analytics": 2, "policy": 2, "digital-assessment": 1, "oer": 1, "digital-content": 1}},
		// "learning" is also in hamburg-agenda's title ("peer learning activity").
		{name: "query narrows facets", req: Request{Query: "learning analytics"}, facet: "type",
			wantIDs: []string{"oct-minutes", "tallinn-minutes", "mandate", "hamburg-agenda"}, wantTotal: 4,
			want: map[string]int{"minutes": 2, "page": 1, "agenda": 1}},
		{name: "theme and type filters AND across fields", req: Request{Themes: []string{"learning-analytics"}, Types: []string{"minutes"}},
			wantIDs: []string{"oct-minutes", "tallinn-minutes"}, wantTotal: 2, facet: "kind",
			want: map[string]int{"plenary": 1, "peer-learning": 1}},
		{name: "values OR within a field", req: Request{Places: []string{"Hamburg", "paris"}},
			wantIDs: []string{"hamburg-km", "hamburg-agenda", "paris-report"}, wantTotal: 3, facet: "year",
			want: map[string]int{"2016": 2, "2018": 1}},
		{name: "filtered facet is disjunctive", req: Request{Types: []string{"minutes"}}, wantTotal: 2, facet: "type",
			want: map[string]int{"key-messages": 1, "agenda": 1, "minutes": 2, "report": 1, "page": 1}},
		{name: "year filter", req: Request{Years: []string{"2017"}}, wantIDs: []string{"tallinn-minutes"}, wantTotal: 1, facet: "place",
			want: map[string]int{"tallinn": 1}},
		{name: "date range", req: Request{From: date("2016-07-06"), To: date("2016-12-31")},
			wantIDs: []string{"hamburg-km", "oct-minutes"}, wantTotal: 2, facet: "lang", want: map[string]int{"en": 2}},
		{name: "newest first", req: Request{Sort: SortNewest}, ordered: true, wantTotal: 6,
			wantIDs: []string{"paris-report", "tallinn-minutes", "oct-minutes", "hamburg-km", "hamburg-agenda", "mandate"}},
		{name: "oldest first", req: Request{Sort: SortOldest, Size: 2}, ordered: true, wantTotal: 6,
			wantIDs: []string{"hamburg-agenda", "hamburg-km"}},
		{name: "second page", req: Request{Sort: SortOldest, Size: 2, Page: 2}, ordered: true, wantTotal: 6,
			wantIDs: []string{"oct-minutes", "tallinn-minutes"}},
		{name: "lang filter", req: Request{Langs: []string{"FR"}}, wantIDs: []string{"paris-report"}, wantTotal: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Search(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tt.wantTotal {
				t.Errorf("total = %d, want %d (hits %v)", res.Total, tt.wantTotal, ids(res))
			}
			if tt.wantIDs != nil {
				got := ids(res)
				if !tt.ordered {
					got = sorted(got)
					tt.wantIDs = sorted(tt.wantIDs)
				}
				if strings.Join(got, ",") != strings.Join(tt.wantIDs, ",") {
					t.Errorf("hits (-want +got):\n- %v\n+ %v", tt.wantIDs, got)
				}
			}
			if tt.facet != "" {
				got := facetCounts(res.Facets[tt.facet])
				if len(got) != len(tt.want) {
					t.Errorf("facet %s = %v, want %v", tt.facet, got, tt.want)
				}
				for v, n := range tt.want {
					if got[v] != n {
						t.Errorf("facet %s[%s] = %d, want %d (all: %v)", tt.facet, v, got[v], n, got)
					}
				}
			}
			for _, name := range FacetNames {
				if res.Facets[name] == nil {
					t.Errorf("facet %s is nil; want a (possibly empty) list", name)
				}
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestSearchLabels(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	res, err := s.Search(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	for _, name := range []string{"theme", "type", "place", "kind"} {
		for _, f := range res.Facets[name] {
			labels[name+":"+f.Value] = f.Label
		}
	}
	for key, want := range map[string]string{
		"type:key-messages":  "Key policy messages",
		"place:hamburg":      "Hamburg",
		"kind:peer-learning": "Peer learning activity",
		"theme:byod":         s.tax.Label("byod"),
	} {
		if labels[key] != want {
			t.Errorf("label %s = %q, want %q", key, labels[key], want)
		}
	}
	if s.tax.Label("byod") == "byod" {
		t.Errorf("taxonomy has no label for byod")
	}
}

func TestSearchTitleRanksAboveBody(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	// "device" is in hamburg-km's title and body, and only in the body of
	// hamburg-agenda ("device policies").
	res, err := s.Search(context.Background(), Request{Query: "device"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res); len(got) < 2 || got[0] != "hamburg-km" {
		t.Fatalf("hits = %v, want hamburg-km first", got)
	}
}

func TestSearchSnippetsEscaped(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	res, err := s.Search(context.Background(), Request{Query: "unsafe markup"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].ID != "oct-minutes" {
		t.Fatalf("hits = %v, want [oct-minutes]", ids(res))
	}
	snip := strings.Join(res.Hits[0].Snippets, " ")
	if strings.Contains(snip, "<script>") {
		t.Errorf("snippet holds raw markup: %s", snip)
	}
	if !strings.Contains(snip, "&lt;script&gt;") {
		t.Errorf("snippet lost the escaped markup: %s", snip)
	}
	if !strings.Contains(snip, "<mark>unsafe</mark>") || !strings.Contains(snip, "<mark>markup</mark>") {
		t.Errorf("snippet does not mark the query terms: %s", snip)
	}
}

func TestSearchPhrase(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	// Both words occur in mandate's body but not as a phrase in that order.
	res, err := s.Search(ctx, Request{Query: `"analytics learning"`})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Errorf("phrase in the wrong order found %v", ids(res))
	}
	res, err = s.Search(ctx, Request{Query: `"learning analytics" -plenary`})
	if err != nil {
		t.Fatal(err)
	}
	if got := sorted(ids(res)); strings.Join(got, ",") != "mandate,tallinn-minutes" {
		t.Errorf("hits = %v, want mandate and tallinn-minutes", got)
	}
}

func TestSearchInvalid(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	tests := []struct {
		name string
		req  Request
	}{
		{"query too long", Request{Query: strings.Repeat("a ", MaxQueryBytes/2+1)}},
		{"too many phrases", Request{Query: func() string {
			var b strings.Builder
			for i := range MaxQueryPhrases + 1 {
				fmt.Fprintf(&b, `"p%d digital" `, i)
			}
			return b.String()
		}()}},
		{"size too large", Request{Size: MaxSize + 1}},
		{"negative page", Request{Page: -1}},
		{"bad sort", Request{Sort: "best"}},
		{"unknown theme", Request{Themes: []string{"astrology"}}},
		{"unknown type", Request{Types: []string{"memo"}}},
		{"bad year", Request{Years: []string{"17"}}},
		{"from after to", Request{From: date("2018-01-01"), To: date("2017-01-01")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Search(context.Background(), tt.req)
			if err == nil {
				t.Fatal("no error")
			}
			if KindOf(err) != KindInvalid {
				t.Errorf("kind = %v, want invalid (err %v)", KindOf(err), err)
			}
		})
	}
}

// TestSearchPlainWords: a query that is not syntax finds what its plain
// words find, in the same order, and says so; its spelling is checked as
// plain words; an export of it answers too.
func TestSearchPlainWords(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	tests := []struct {
		name, in, words, notice string
	}{
		{"unclosed", "learning analytics (dashboards", "learning analytics dashboards", `"(" at position 20 is never closed`},
		{"stray close", "1) digital assessment 2) networks", "1 digital assessment 2 networks", `")" at position 2 has no "("`},
		{"operators and signs", "(+digital AND -resources", "digital resources", `"(" at position 1`},
		{"too deep", strings.Repeat("(", MaxQueryDepth+1) + "schools" + strings.Repeat(")", MaxQueryDepth+1), "schools", "nest more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Search(ctx, Request{Query: tt.in})
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.in, err)
			}
			want, err := s.Search(ctx, Request{Query: tt.words})
			if err != nil {
				t.Fatal(err)
			}
			if got.Total == 0 || !slices.Equal(ids(got), ids(want)) || got.Total != want.Total {
				t.Errorf("Search(%q) hits (-want +got):\n-%v (%d)\n+%v (%d)", tt.in, ids(want), want.Total, ids(got), got.Total)
			}
			if !strings.Contains(got.Notice, tt.notice) || !strings.HasSuffix(got.Notice, "searched as plain words.") {
				t.Errorf("Search(%q) notice %q, want one containing %q", tt.in, got.Notice, tt.notice)
			}
			if want.Notice != "" {
				t.Errorf("Search(%q) notice %q, want none", tt.words, want.Notice)
			}
			hits, total, err := s.ExportAll(ctx, Request{Query: tt.in}, 0)
			if err != nil || total != got.Total || len(hits) != int(total) {
				t.Errorf("Export(%q) = %d hits of %d, %v; want %d", tt.in, len(hits), total, err, got.Total)
			}
		})
	}
	res, err := s.Search(ctx, Request{Query: "(assesment"})
	if err != nil || res.DidYouMean != "assessment" {
		t.Errorf(`Search("(assesment") did you mean %q, %v; want "assessment"`, res.DidYouMean, err)
	}
	if res.Total != 0 || res.Notice == "" {
		t.Errorf(`Search("(assesment") total %d notice %q, want none found and a notice`, res.Total, res.Notice)
	}
	if _, err := s.Suggest(ctx, "(assess", 0); err != nil {
		t.Errorf(`Suggest("(assess"): %v`, err)
	}
}

func TestSearchPunctuationIsText(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	for _, q := range []string{"C++ in schools?", "what's BYOD!", "e-learning; 4.0", "foo:bar", "title:", `"unclosed`, "~*?^"} {
		t.Run(q, func(t *testing.T) {
			if _, err := s.Search(context.Background(), Request{Query: q}); err != nil {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestDocumentAndThemes(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	d, err := s.Document(ctx, "paris-report")
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != testDocs[4].Title || d.Body != testDocs[4].Body || d.Place != "Paris" || d.Year != "2018" {
		t.Errorf("document = %+v", d)
	}
	if d.BodyLen == 0 || d.TitleLen == 0 {
		t.Errorf("token counts not stored: title %d body %d", d.TitleLen, d.BodyLen)
	}
	if _, err := s.Document(ctx, "nope"); KindOf(err) != KindNotFound {
		t.Errorf("unknown id: err %v, want not found", err)
	}
	themes, err := s.Themes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, th := range themes {
		counts[th.ID] = th.Count
	}
	if len(themes) < 15 || counts["byod"] != 2 || counts["oer"] != 1 || counts["leadership"] != 0 {
		t.Errorf("themes = %v", counts)
	}
}

func TestNoIndex(t *testing.T) {
	t.Parallel()
	live, err := indexer.NewLive(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(live, Options{})
	ctx := context.Background()
	_, err = s.Search(ctx, Request{Query: "x"})
	if KindOf(err) != KindUnavailable {
		t.Errorf("Search: err = %v, want unavailable", err)
	}
	for _, typed := range []string{"lea", "digital as"} {
		if _, err := s.Suggest(ctx, typed, 0); KindOf(err) != KindUnavailable {
			t.Errorf("Suggest(%q): err = %v, want unavailable", typed, err)
		}
	}
	if _, _, err := s.ExportAll(ctx, Request{Query: "x"}, 0); KindOf(err) != KindUnavailable {
		t.Errorf("Export: err = %v, want unavailable", err)
	}
}

// TestHitPage: a match in a paged document names the page it is on.
func TestHitPage(t *testing.T) {
	t.Parallel()
	body := "First page about agendas.\n\nSecond page on robotics clubs.\n\nThird page on robotics again."
	docs := []indexer.Document{
		{ID: "pdf", Title: "Report", Body: body, Lang: "en", PageStarts: []int{0, 27, 59}},
		{ID: "html", Title: "Notes", Body: "A page about robotics.", Lang: "en"},
	}
	s := newSearcherOver(t, docs, true, Options{})
	res, err := s.Search(context.Background(), Request{Query: "robotics"})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]int{}
	for _, h := range res.Hits {
		pages[h.ID] = h.Page
	}
	if want := map[string]int{"pdf": 2, "html": 0}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("pages = %v, want %v", pages, want)
	}
	res, err = s.Search(context.Background(), Request{Query: "agendas"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Page != 1 {
		t.Errorf("agendas: %+v, %v; want the pdf on page 1", res.Hits, err)
	}
	// Page 1 names the report's subject once; page 3 holds both words: the
	// page with more of the query wins over the earlier one.
	docs = []indexer.Document{{ID: "pdf", Title: "Report", Lang: "en", PageStarts: []int{0, 24, 49},
		Body: "Report about robotics.\n\nSecond page on agendas.\n\nThird page on robotics clubs and clubs."}}
	s = newSearcherOver(t, docs, true, Options{})
	res, err = s.Search(context.Background(), Request{Query: "robotics clubs"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Page != 3 {
		t.Errorf("robotics clubs: %+v, %v; want page 3", res.Hits, err)
	}
}

// TestCancelled: a search whose context is done answers unavailable, and
// the searches after it are not disturbed by its half-done work.
func TestCancelled(t *testing.T) {
	t.Parallel()
	s := newSearcherOver(t, indexertest.SyntheticDocs(300), true, Options{})
	req := Request{Query: "digital assessment tablet"}
	want, err := s.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 {
		if _, err := s.Search(ctx, req); KindOf(err) != KindUnavailable {
			t.Fatalf("cancelled search: err = %v, want unavailable", err)
		}
	}
	got, err := s.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), ids(want)) || got.Hits[0].Score != want.Hits[0].Score {
		t.Errorf("after cancelled searches (-want +got):\n-%v %v\n+%v %v", ids(want), want.Hits[0].Score, ids(got), got.Hits[0].Score)
	}
}

// TestDeadline: a call whose deadline has passed does no work and answers
// busy, with the deadline as its cause; one that runs out in the middle of
// a search stops there (the engine checks its context between steps and
// inside its loops) and answers the same.
func TestDeadline(t *testing.T) {
	t.Parallel()
	s := newSearcherOver(t, indexertest.SyntheticDocs(300), true, Options{})
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	check := func(name string, err error) {
		t.Helper()
		if KindOf(err) != KindBusy || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v (kind %v), want busy caused by the deadline", name, err, KindOf(err))
		}
	}
	for _, q := range []string{"", "digital assessment tablet", `"digital assessment" -tablet`} {
		_, err := s.Search(ctx, Request{Query: q})
		check(fmt.Sprintf("Search(%q)", q), err)
		_, _, err = s.ExportAll(ctx, Request{Query: q}, 0)
		check(fmt.Sprintf("Export(%q)", q), err)
	}
	_, err := s.Suggest(ctx, "digital as", 0)
	check("Suggest", err)
	_, err = s.Document(ctx, "doc-1")
	check("Document", err)

	// The engine's own checks, past the entry: a run over an expired
	// context stops at its first step.
	r, err := s.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	req := Request{Query: "digital assessment tablet"}
	p, err := s.prepare(r, &req)
	if err != nil {
		t.Fatal(err)
	}
	_, _, sc, err := s.newRun(ctx, r).rankAll(p, req, 10, true)
	if sc != nil {
		sc.release()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("rankAll over an expired context: err = %v, want the deadline", err)
	}
}
