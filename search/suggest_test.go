package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	texts := func(ss []Suggestion) []string {
		var out []string
		for _, x := range ss {
			out = append(out, x.Kind+":"+x.Text)
		}
		return out
	}
	tests := []struct {
		typed string
		size  int
		want  []string // the suggestions, in order
	}{
		// Themes by their label or a phrase (most documents first, at most
		// 3), then the words completing "lea".
		// The two-word term "learning analytics" (in 3 of the 4 documents
		// holding "analytics") is offered beside the words.
		{"lea", 0, []string{"theme:Learning analytics and data in education", "theme:learning content", "theme:learning anywhere", "word:learning", "word:learning analytics"}},
		// A theme by a synonym; the word "byod" says the same and is left
		// out.
		{"byo", 0, []string{"theme:BYOD"}},
		// With a head word: completions found with it, counted together.
		{"digital asse", 0, []string{"theme:Digital assessment"}},
		{"peer lea", 0, []string{"word:peer learning"}},
		{"Hamb", 0, []string{"word:hamburg"}},
		{"digital re", 0, []string{"theme:digital resources", "word:digital report"}},
		// size caps the list.
		{"lea", 1, []string{"theme:Learning analytics and data in education"}},
		// Nothing to complete.
		{"", 0, nil},
		{"learning ", 0, []string{"theme:Learning analytics and data in education", "theme:learning content", "theme:learning anywhere"}},
		{"l", 0, nil},
		{"zzz", 0, nil},
	}
	for _, tc := range tests {
		got, err := s.Suggest(ctx, tc.typed, tc.size)
		if err != nil {
			t.Fatalf("Suggest(%q): %v", tc.typed, err)
		}
		if g := texts(got); !equalStrings(g, tc.want) {
			t.Errorf("Suggest(%q, %d) = %q, want %q", tc.typed, tc.size, g, tc.want)
		}
	}
	got, err := s.Suggest(ctx, "peer lea", 0)
	if err != nil || len(got) != 1 || got[0].Count != 2 {
		t.Errorf("peer lea: %+v, %v; want one suggestion counting the 2 documents with both words", got, err)
	}
	got, err = s.Suggest(ctx, "lea", 0)
	if err != nil || got[0].Theme != "learning-analytics" || got[0].Count != 2 || got[3].Count != 4 {
		t.Errorf("lea: %+v, %v; want the learning-analytics theme (2 documents), then learning (4)", got, err)
	}
	for _, size := range []int{-1, MaxSuggest + 1} {
		if _, err := s.Suggest(ctx, "lea", size); KindOf(err) != KindInvalid {
			t.Errorf("size %d: err %v, want invalid", size, err)
		}
	}
}

// termDocs is a corpus where some word pairs are terms ("learning
// analytics", "teacher training", each in several documents) and others
// met once side by side ("learning annex", "teacher treats") beside words
// that are frequent on their own.
func termDocs() []indexer.Document {
	var docs []indexer.Document
	add := func(body string) {
		n := len(docs)
		docs = append(docs, indexer.Document{ID: fmt.Sprintf("d%02d", n), URL: fmt.Sprintf("http://portal.test/d%02d.html", n),
			Type: "page", Lang: "en", Title: fmt.Sprintf("Document %d", n), Body: body})
	}
	for i := range 6 {
		add(fmt.Sprintf("Meeting %d discussed learning analytics in schools. The assessment of pupils was examined; see the annex for the programme. Teachers announced another round.", i))
	}
	for i := range 4 {
		add(fmt.Sprintf("Visit %d: teacher training and professional development. The annex lists participants. Learning is lifelong and anchors announcements.", i))
	}
	add("Learning annex: a list. The teacher treats every pupil alike.")
	add("Treats and rewards in class; annexes and annotations of learning.")
	return docs
}

func TestSuggestTermsAndTypos(t *testing.T) {
	s := New(indexertest.Reader(t, termDocs(), true), Options{})
	ctx := context.Background()
	tests := []struct {
		typed string
		want  []string // first suggestions, in order
		never []string // suggestions that must not be offered
	}{
		// After a word with terms, its terms' second words only.
		{"learning an", []string{"learning analytics"}, []string{"learning annex", "learning announced", "learning another", "learning anchors"}},
		{"teacher tr", []string{"teacher training"}, []string{"teacher treats"}},
		// When no term of the word completes it, any word found with it.
		{"learning sch", []string{"learning schools"}, nil},
		// Alone, the words and the terms that begin with it.
		{"learn", []string{"learning", "learning analytics"}, nil},
		// Typos: within one edit of a beginning (4+ letters), two from 8.
		{"assesm", []string{"assessment"}, nil},
		{"learning analit", []string{"learning analytics"}, nil},
		{"teacher trainng", []string{"teacher training"}, nil},
		{"profesionnal", []string{"professional"}, nil},
		// Below four letters, no fuzzy match.
		{"asz", nil, []string{"assessment"}},
	}
	for _, tc := range tests {
		got, err := s.Suggest(ctx, tc.typed, 0)
		if err != nil {
			t.Fatalf("Suggest(%q): %v", tc.typed, err)
		}
		var texts []string
		for _, g := range got {
			texts = append(texts, g.Text)
		}
		if len(texts) < len(tc.want) || !equalStrings(texts[:len(tc.want)], tc.want) {
			t.Errorf("Suggest(%q) = %q, want it to begin with %q", tc.typed, texts, tc.want)
		}
		for _, n := range tc.never {
			if slices.Contains(texts, n) {
				t.Errorf("Suggest(%q) = %q, offers %q", tc.typed, texts, n)
			}
		}
	}
	// An exact completion ranks before a fuzzy one.
	got, err := s.Suggest(ctx, "annex", 0)
	if err != nil || len(got) == 0 || got[0].Text != "annex" {
		t.Errorf("annex: %+v, %v; want annex first", got, err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	tests := []struct{ q, want string }{
		{"assesment", "assessment"},                               // one edit
		{"dashbaords teachers", "dashboards teachers"},            // a transposition is two edits
		{"hamburg", ""},                                           // found: nothing to correct
		{"xylophone", ""},                                         // nothing near enough
		{"title:assesment", ""},                                   // not plain words
		{"assessments", ""},                                       // found by its stem
		{"with assesment", "with assessment"},                     // a stop word is left alone
		{"one two three four five six seven eight assesment", ""}, // too long to be typed in a box
	}
	for _, tc := range tests {
		res, err := s.Search(ctx, Request{Query: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if res.DidYouMean != tc.want {
			t.Errorf("%q: did you mean %q, want %q (total %d)", tc.q, res.DidYouMean, tc.want, res.Total)
		}
	}
	// A correction is offered only if it finds something under the
	// same filters.
	res, err := s.Search(ctx, Request{Query: "assesment", Places: []string{"hamburg"}})
	if err != nil || res.DidYouMean != "" {
		t.Errorf("filtered: did you mean %q, %v; want none (no assessment in Hamburg)", res.DidYouMean, err)
	}
	for _, tc := range []struct {
		a, b string
		want int
	}{{"kitten", "sitting", 3}, {"abc", "abc", 0}, {"ab", "ba", 2}, {"été", "ete", 2}, {"a", "abcdef", 3}} {
		if got := editDistance(tc.a, tc.b, 2); got != min(tc.want, 3) {
			t.Errorf("editDistance(%q, %q, 2) = %d, want %d", tc.a, tc.b, got, min(tc.want, 3))
		}
	}
}

// FuzzSuggest: whatever is typed, Suggest and the search's correction
// answer without a panic, and a suggestion finds what it counts.
func FuzzSuggest(f *testing.F) {
	for _, s := range []string{"lea", "peer lea", "learning ", "  ", "é", "\xff\xfe", "a b c d e f", "byod\x00", `"digital as`, "assesment of digitl skils"} {
		f.Add(s)
	}
	s := newTestSearcher(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, typed string) {
		got, err := s.Suggest(ctx, typed, 0)
		if err != nil {
			t.Fatalf("Suggest(%q): %v", typed, err)
		}
		if len(got) > DefaultSuggest {
			t.Fatalf("Suggest(%q): %d suggestions", typed, len(got))
		}
		for _, x := range got {
			if x.Count <= 0 || x.Text == "" {
				t.Fatalf("Suggest(%q): %+v", typed, x)
			}
		}
		if _, err := s.Search(ctx, Request{Query: typed}); err != nil && KindOf(err) != KindInvalid {
			t.Fatalf("Search(%q): %v", typed, err)
		}
	})
}

// TestTopCandsAsSort: topCands keeps the k first of the candidates sorted
// by candOrder, whatever the order they come in.
func TestTopCandsAsSort(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	for range 300 {
		var all []wordCand
		for i := range r.IntN(200) {
			all = append(all, wordCand{text: fmt.Sprintf("w%03d", i), df: r.IntN(20), edits: r.IntN(3)})
		}
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		k := r.IntN(30)
		top := topCands{k: k}
		for _, c := range all {
			if top.mayAdmit(c.df, c.edits) {
				top.add(c)
			} else {
				// mayAdmit may only turn away what add would not keep.
				before := slices.Clone(top.h)
				top.add(c)
				if !slices.Equal(before, top.h) {
					t.Fatalf("mayAdmit turned away %+v, which add kept", c)
				}
			}
		}
		want := slices.SortedFunc(slices.Values(all), candOrder)
		if got := top.sorted(); !slices.Equal(got, want[:min(k, len(want))]) {
			t.Fatalf("k=%d: got %v, want %v", k, got, want[:min(k, len(want))])
		}
	}
}
