package indexer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// phraseCorpus: ten pages of one host that share a navigation line and
// the site's name, a PDF whose running header recurs on each page, and a
// term ("learning analytics") against pairs met once.
func phraseCorpus() []indexer.Document {
	var docs []indexer.Document
	for i := range 10 {
		body := fmt.Sprintf("Working Group on Digital Skills\nHome | Meetings | Documents\nMeeting %d discussed learning analytics with members.\nA sentence of its own, number %d.", i, i)
		if i == 0 {
			body += "\nLearning annex and teacher treats."
		}
		docs = append(docs, indexer.Document{ID: fmt.Sprintf("p%d", i), URL: fmt.Sprintf("http://portal.test/p%d.html", i),
			Type: "page", Lang: "en", Title: fmt.Sprintf("Page %d", i), Body: body})
	}
	header := "Working Group – Report of the visit to Tallinn"
	docs = append(docs, indexer.Document{ID: "pdf", URL: "http://cdn.test/report.pdf", Type: "report", Lang: "en", Title: "Report",
		Body: strings.Repeat(header+"\nPage text about assessment.\n", 3)})
	return docs
}

func TestPhrases(t *testing.T) {
	r := indexertest.Reader(t, phraseCorpus(), true)
	var pairs []string
	r.Pairs("learning", "", func(a, b string, df int) bool {
		pairs = append(pairs, fmt.Sprintf("%s %s %d", a, b, df))
		return true
	})
	if want := []string{"learning analytics 10"}; !slices.Equal(pairs, want) {
		t.Errorf("pairs of learning = %q, want %q (a pair met once is not a term)", pairs, want)
	}
	if r.HasPairs("teacher") {
		t.Error(`"teacher treats", met once, made "teacher" a term's first word`)
	}
	pairs = nil
	r.Pairs("", "lea", func(a, b string, _ int) bool { pairs = append(pairs, a+" "+b); return true })
	if !slices.Contains(pairs, "learning analytics") {
		t.Errorf("pairs from lea = %q, want learning analytics among them", pairs)
	}
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"Working Group on Digital Skills", true},                // on every page of the host
		{"  home |  MEETINGS | Documents ", true},                // case and spaces do not matter
		{"Working Group – Report of the visit to Tallinn", true}, // repeated within the PDF
		{"Meeting 3 discussed learning analytics with members.", false},
		{"Page text about assessment.", true}, // also repeated in its document
		{"A sentence of its own, number 4.", false},
		{"ab", false},
	} {
		if got := r.Boilerplate(tc.line); got != tc.want {
			t.Errorf("Boilerplate(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestPhrasesFileDamaged: a phrases file cut short is an error at open,
// not a silent loss of its terms.
func TestPhrasesFileDamaged(t *testing.T) {
	dir := indexertest.WriterDir(t, phraseCorpus())
	p := filepath.Join(dir, "phrases")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := indexer.OpenDir(dir); err == nil {
		r.Close()
		t.Fatal("OpenDir of a generation with a truncated phrases file succeeded")
	}
}

func TestWordsNear(t *testing.T) {
	r := indexertest.Reader(t, []indexer.Document{
		{ID: "a", URL: "http://t/a", Type: "page", Lang: "en", Title: "Assessment",
			Body: "assessments assess assist analytics analysis analogue learning leaning lemon"},
	}, true)
	tests := []struct {
		typed string
		edits int
		want  []string
	}{
		{"assesm", 1, []string{"assess", "assessment", "assessments"}},
		{"analit", 1, []string{"analytics"}},
		{"analit", 2, []string{"analogue", "analysis", "analytics"}},
		{"learnig", 1, []string{"learning"}},
		{"lemn", 1, []string{"leaning", "lemon"}}, // "lean" is one substitution away
		{"xyz", 1, nil},
	}
	for _, tc := range tests {
		var got []string
		r.WordsNear(tc.typed, tc.edits, func(w string, _, d int) bool {
			if d > tc.edits {
				t.Errorf("%q: %q at %d edits", tc.typed, w, d)
			}
			got = append(got, w)
			return true
		})
		if !slices.Equal(got, tc.want) {
			t.Errorf("WordsNear(%q, %d) = %q, want %q", tc.typed, tc.edits, got, tc.want)
		}
	}
}
