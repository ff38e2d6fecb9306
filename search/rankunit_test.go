package search

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// newSearcherOver indexes docs in memory, with or without stored Stats.
func newSearcherOver(t *testing.T, docs []indexer.Document, stats bool, opts Options) *Searcher {
	t.Helper()
	return New(indexertest.Reader(t, docs, stats), opts)
}

func TestRankingBM25F(t *testing.T) {
	t.Parallel()
	filler := strings.Repeat("meeting participants discussed many other things at length ", 6)
	docs := []indexer.Document{
		{ID: "long", Title: "Notes", Body: "robotics in schools. " + filler},
		{ID: "short", Title: "Notes", Body: "robotics in schools."},
		{ID: "title", Title: "Robotics", Body: "schools and clubs. " + filler},
		{ID: "twice", Title: "Notes", Body: "robotics, robotics in schools. " + filler},
		{ID: "none", Title: "Notes", Body: "schools only. " + filler},
	}
	for _, stats := range []bool{true, false} {
		s := newSearcherOver(t, docs, stats, Options{})
		res, err := s.Search(context.Background(), Request{Query: "robotics"})
		if err != nil {
			t.Fatal(err)
		}
		// Length normalisation puts the short body first; one title
		// occurrence (weight 2 on a short field) beats two in a long body.
		want := []string{"short", "title", "twice", "long"}
		if got := ids(res); !slices.Equal(got, want) {
			t.Errorf("stats %v: order (-want +got):\n- %v\n+ %v", stats, want, got)
		}
		for i := 1; i < len(res.Hits); i++ {
			if res.Hits[i].Score > res.Hits[i-1].Score {
				t.Errorf("scores not descending: %v", res.Hits)
			}
		}
	}
}

func TestRankingPages(t *testing.T) {
	t.Parallel()
	var docs []indexer.Document
	for i := range 30 {
		docs = append(docs, indexer.Document{ID: string(rune('a'+i/10)) + string(rune('a'+i%10)),
			Title: "Doc", Body: strings.Repeat("tablet ", 1+i%7) + strings.Repeat("word ", i)})
	}
	for _, depth := range []int{1000, 7} { // 7: pages run past the reranked candidates
		s := newSearcherOver(t, docs, true, Options{Ranking: Ranking{Depth: depth}})
		all, err := s.Search(context.Background(), Request{Query: "tablet", Size: 30})
		if err != nil {
			t.Fatal(err)
		}
		var paged []string
		for page := 1; page <= 4; page++ {
			res, err := s.Search(context.Background(), Request{Query: "tablet", Size: 8, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 30 {
				t.Errorf("depth %d page %d: total %d, want 30", depth, page, res.Total)
			}
			paged = append(paged, ids(res)...)
		}
		if got := ids(all); !slices.Equal(got, paged) {
			t.Errorf("depth %d: pages (-want +got):\n- %v\n+ %v", depth, got, paged)
		}
		seen := map[string]bool{}
		for _, id := range paged {
			if seen[id] {
				t.Errorf("depth %d: %s twice", depth, id)
			}
			seen[id] = true
		}
	}
}

func TestSynonyms(t *testing.T) {
	t.Parallel()
	docs := []indexer.Document{
		{ID: "oer", Title: "Report", Body: "Teachers share open educational resources under open licences."},
		{ID: "byod", Title: "Key messages", Body: "Pupils bring their own device to lessons; schools call it bring your own device."},
		{ID: "coding", Title: "Minutes", Body: "Programming and coding clubs in primary schools."},
		{ID: "other", Title: "Agenda", Body: "Coffee, registration and a welcome by the chair."},
	}
	s := newSearcherOver(t, docs, true, Options{})
	for _, tt := range []struct{ q, want string }{
		{"OER", "oer"},
		{"BYOD", "byod"},
		{"computational thinking", "coding"},
		{"open educational resources", "oer"},
	} {
		t.Run(tt.q, func(t *testing.T) {
			res, err := s.Search(context.Background(), Request{Query: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res); len(got) == 0 || got[0] != tt.want {
				t.Errorf("hits (-want +got):\n- [%s ...]\n+ %v", tt.want, got)
			}
		})
	}
	// A query with syntax is not expanded.
	res, err := s.Search(context.Background(), Request{Query: "+OER"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Errorf("+OER found %v; want no expansion of a required term", ids(res))
	}
}

func TestPhraseAcrossStopWords(t *testing.T) {
	t.Parallel()
	docs := []indexer.Document{
		{ID: "phrase", Title: "Malta", Body: "We discussed the role of the teacher in universities."},
		{ID: "apart", Title: "Malta", Body: "The teacher has a role in universities."},
	}
	s := newSearcherOver(t, docs, true, Options{})
	// "of" and "the" are stop words: positions keep their gaps, so the
	// phrase matches the text as written and only that.
	res, err := s.Search(context.Background(), Request{Query: `"role of the teacher"`})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res); !slices.Equal(got, []string{"phrase"}) {
		t.Errorf("hits (-want +got):\n- [phrase]\n+ %v", got)
	}
}

func TestQuotedPhraseNotExpanded(t *testing.T) {
	t.Parallel()
	docs := []indexer.Document{
		{ID: "oer", Title: "Report", Body: "Teachers share open educational resources under open licences."},
	}
	s := newSearcherOver(t, docs, true, Options{})
	res, err := s.Search(context.Background(), Request{Query: `"OER"`})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Errorf(`"OER" found %v; a quoted phrase asks for exactly that text`, ids(res))
	}
}

func TestFeedback(t *testing.T) {
	t.Parallel()
	filler := strings.Repeat("meeting participants discussed many other things at length ", 4)
	docs := []indexer.Document{
		{ID: "a1", Title: "Clubs", Body: "Astronomy with telescopes, lenses and star charts."},
		{ID: "a2", Title: "Workshops", Body: "Pupils grind lenses for astronomy telescopes."},
		{ID: "a3", Title: "School lessons", Body: "Astronomy lessons: star charts, telescopes, lenses."},
		{ID: "aplain", Title: "Notes", Body: "astronomy. " + filler + "notes notes notes"},
		{ID: "lenses", Title: "Notes", Body: "astronomy. " + filler + "telescopes lenses charts"},
		{ID: "nomatch", Title: "Telescopes", Body: "Telescopes and lenses for everyone."},
	}
	order := func(s *Searcher, q string, size int) (all []string, total uint64) {
		t.Helper()
		for page := 1; ; page++ {
			res, err := s.Search(context.Background(), Request{Query: q, Size: size, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			all, total = append(all, ids(res)...), res.Total
			if len(res.Hits) < size {
				return all, total
			}
		}
	}
	before, _ := order(newSearcherOver(t, docs, true, Options{Ranking: Ranking{NoFeedback: true}}), "astronomy", 10)
	s := newSearcherOver(t, docs, true, Options{})
	after, total := order(s, "astronomy", 10)
	// The two notes tie on "astronomy"; the one that shares the best
	// documents' other words (telescopes, lenses, charts) rises with
	// feedback. ("astronomy" is no theme of the taxonomy: a theme's
	// synonyms turn feedback off.)
	if i, j := slices.Index(before, "aplain"), slices.Index(before, "lenses"); i > j {
		t.Errorf("without feedback: %v, want aplain before lenses", before)
	}
	if i, j := slices.Index(after, "aplain"), slices.Index(after, "lenses"); i < j {
		t.Errorf("with feedback: %v, want lenses before aplain", after)
	}
	// Feedback re-orders the matches: nothing added, nothing twice, and
	// the same order whatever the page size.
	if total != 5 || len(after) != 5 || slices.Contains(after, "nomatch") {
		t.Errorf("with feedback: %v (total %d), want the 5 matches once each", after, total)
	}
	if paged, _ := order(s, "astronomy", 2); !slices.Equal(paged, after) {
		t.Errorf("pages of 2 (-want +got):\n- %v\n+ %v", after, paged)
	}
	// Snippets mark the words typed, not the expansion.
	res, err := s.Search(context.Background(), Request{Query: "astronomy"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		for _, sn := range h.Snippets {
			if strings.Count(sn, "<mark>") != strings.Count(strings.ToLower(sn), "<mark>astronomy") {
				t.Errorf("%s: snippet %q marks more than the query's word", h.ID, sn)
			}
		}
	}
	// A quoted phrase is not expanded; a quoted word beside words is one
	// more clause of free text (a question pasted with its quotes).
	if got, _ := order(s, `"astronomy"`, 10); !slices.Equal(got, before) {
		t.Errorf("quoted (-want +got):\n- %v\n+ %v", before, got)
	}
	if got, _ := order(s, `astronomy "astronomy"`, 10); !slices.Equal(got, after) {
		t.Errorf("a quoted word beside words (-want +got):\n- %v\n+ %v", after, got)
	}
	// Parentheses typed as prose group optional words: free text still.
	if got, _ := order(s, `astronomy (astronomy astronomy)`, 10); !slices.Equal(got, after) {
		t.Errorf("parentheses (-want +got):\n- %v\n+ %v", after, got)
	}
	// Nor is a query whose best match has every word in its title: the
	// user named that page.
	docs[1].Title = "Astronomy workshops"
	before, _ = order(newSearcherOver(t, docs, true, Options{Ranking: Ranking{NoFeedback: true}}), "astronomy", 10)
	after, _ = order(newSearcherOver(t, docs, true, Options{}), "astronomy", 10)
	if before[0] != "a2" || !slices.Equal(after, before) {
		t.Errorf("named page (-want +got):\n- %v\n+ %v", before, after)
	}
}

// TestFeedbackDepth checks that feedback re-orders only the first pass's
// FeedbackDepth best documents: those after keep their order below them,
// with scores that do not rise above theirs.
func TestFeedbackDepth(t *testing.T) {
	filler := strings.Repeat("meeting participants discussed many other things at length ", 4)
	docs := []indexer.Document{
		{ID: "a1", Title: "Clubs", Body: "Astronomy with telescopes, lenses and star charts."},
		{ID: "a2", Title: "Workshops", Body: "Pupils grind lenses for astronomy telescopes."},
		{ID: "a3", Title: "School lessons", Body: "Astronomy lessons: star charts, telescopes, lenses."},
		{ID: "aplain", Title: "Notes", Body: "astronomy. " + filler + "notes notes notes"},
		{ID: "lenses", Title: "Notes", Body: "astronomy. " + filler + "telescopes lenses charts"},
	}
	search := func(depth int) *Result {
		t.Helper()
		s := newSearcherOver(t, docs, true, Options{Ranking: Ranking{FeedbackDocs: 3, FeedbackDepth: depth}})
		res, err := s.Search(context.Background(), Request{Query: "astronomy"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(res.Hits); i++ {
			if res.Hits[i].Score > res.Hits[i-1].Score {
				t.Errorf("depth %d: %s scores %v after %s's %v", depth, res.Hits[i].ID, res.Hits[i].Score, res.Hits[i-1].ID, res.Hits[i-1].Score)
			}
		}
		return res
	}
	before, _ := newSearcherOver(t, docs, true, Options{Ranking: Ranking{NoFeedback: true}}).Search(context.Background(), Request{Query: "astronomy"})
	if got, want := ids(before)[3:], []string{"aplain", "lenses"}; !slices.Equal(got, want) {
		t.Fatalf("without feedback, the last two (-want +got):\n- %v\n+ %v", want, got)
	}
	// All five are candidates: "lenses" shares the best documents' words.
	if got := ids(search(5)); slices.Index(got, "lenses") > slices.Index(got, "aplain") {
		t.Errorf("depth 5: %v, want lenses before aplain", got)
	}
	// Four: "lenses" is not among them and stays last.
	got := ids(search(4))
	if !slices.Equal(got[4:], []string{"lenses"}) {
		t.Errorf("depth 4: %v, want lenses last, as the first pass left it", got)
	}
	if first := got[:4]; !slices.Equal(slices.Sorted(slices.Values(first)), slices.Sorted(slices.Values(ids(before)[:4]))) {
		t.Errorf("depth 4: the first four %v are not the first pass's %v", first, ids(before)[:4])
	}
}
