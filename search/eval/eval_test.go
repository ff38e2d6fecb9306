package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/search"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScore(t *testing.T) {
	// Hand-worked trec_eval values.
	tests := []struct {
		name   string
		ranked []string
		judged map[string]int
		want   Scores
	}{
		{
			name:   "binary",
			ranked: []string{"a", "x", "b", "y"},
			judged: map[string]int{"a": 1, "b": 1, "c": 1, "x": 0},
			// AP = (1/1 + 2/3) / 3; nDCG@10 = (1 + 1/log2(4)) / (1 + 1/log2(3) + 1/log2(4)).
			want: Scores{AP: (1 + 2.0/3) / 3, P10: 0.2, R100: 2.0 / 3, RR: 1,
				NDCG10: (1 + 1/math.Log2(4)) / (1 + 1/math.Log2(3) + 1/math.Log2(4))},
		},
		{
			name:   "graded gains",
			ranked: []string{"b", "a"},
			judged: map[string]int{"a": 2, "b": 1},
			want: Scores{AP: (1 + 1) / 2.0, P10: 0.2, R100: 1, RR: 1,
				NDCG10: (1 + 2/math.Log2(3)) / (2 + 1/math.Log2(3))},
		},
		{
			name:   "first relevant at rank 3",
			ranked: []string{"x", "y", "a"},
			judged: map[string]int{"a": 1},
			want:   Scores{AP: 1.0 / 3, P10: 0.1, R100: 1, RR: 1.0 / 3, NDCG10: 1 / math.Log2(4)},
		},
		{name: "nothing retrieved", ranked: nil, judged: map[string]int{"a": 1}, want: Scores{}},
		{name: "no relevant judged", ranked: []string{"a"}, judged: map[string]int{"a": 0}, want: Scores{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Score(tt.ranked, tt.judged)
			if !near(got.AP, tt.want.AP) || !near(got.P10, tt.want.P10) || !near(got.R100, tt.want.R100) ||
				!near(got.RR, tt.want.RR) || !near(got.NDCG10, tt.want.NDCG10) {
				t.Errorf("Score (-want +got):\n- %+v\n+ %+v", tt.want, got)
			}
		})
	}
}

func TestReadSMART(t *testing.T) {
	docs, err := ReadDocs(strings.NewReader(".I 1\n.T\nA title\n.A\nSmith, J.\n.W\nSome text\non two lines.\n.X\n1\t5\t1\n.I 2\n.T\nOnly a title\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{{ID: "1", Title: "A title", Body: "Some text\non two lines.\nSmith, J."}, {ID: "2", Title: "Only a title"}}
	if len(docs) != len(want) {
		t.Fatalf("docs (-want +got):\n- %+v\n+ %+v", want, docs)
	}
	for i := range want {
		if docs[i] != want[i] {
			t.Errorf("doc %d (-want +got):\n- %+v\n+ %+v", i, want[i], docs[i])
		}
	}
	qs, err := ReadQueries(strings.NewReader(".I 01\n.W\n What articles exist\nabout TSS?\n.N\n 1. someone\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1 || qs[0].ID != "1" || qs[0].Text != "What articles exist about TSS?" {
		t.Errorf("queries = %+v", qs)
	}
}

func TestReadTRECDocs(t *testing.T) {
	docs, err := ReadDocs(strings.NewReader("<DOC>\n<DOCNO>MED-1</DOCNO>\n<body>\nsome text .\n</body>\n</DOC>\n<DOC><DOCNO> MED-2 </DOCNO>more</DOC>"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].ID != "MED-1" || docs[0].Body != "some text ." || docs[1].ID != "MED-2" || docs[1].Body != "more" {
		t.Errorf("docs = %+v", docs)
	}
}

func TestReadQrels(t *testing.T) {
	tests := []struct {
		name, in string
		want     Qrels
	}{
		{"CISI", "     1     28\t0\t0.000000\n 1 35 0 0.0\n", Qrels{"1": {"28": 1, "35": 1}}},
		{"CACM", "01 1410  0 0\n01 1572  0 0\n", Qrels{"1": {"1410": 1, "1572": 1}}},
		{"TREC graded", "1 0 MED-13 1\n1 0 MED-14 2\n2 0 MED-1 0\n", Qrels{"1": {"MED-13": 1, "MED-14": 2}, "2": {"MED-1": 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadQrels(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("qrels (-want +got):\n- %v\n+ %v", tt.want, got)
			}
			for q, m := range tt.want {
				for d, g := range m {
					if got[q][d] != g {
						t.Errorf("qrels (-want +got):\n- %v\n+ %v", tt.want, got)
					}
				}
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := ReadDocs(strings.NewReader("hello")); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadDocs(junk) err = %v, want ErrFormat", err)
	}
	if _, err := ReadQueries(strings.NewReader("<DOC>")); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadQueries(junk) err = %v, want ErrFormat", err)
	}
	if _, err := ReadQrels(strings.NewReader("1\n")); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadQrels(junk) err = %v, want ErrFormat", err)
	}
	if _, err := ReadQrels(strings.NewReader("1 0 MED-1 x\n")); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadQrels(bad grade) err = %v, want ErrFormat", err)
	}
}

func TestFreeText(t *testing.T) {
	for in, want := range map[string]string{
		`What about "TSS" (Time Sharing System)?`: `What about TSS Time Sharing System ?`,
		"A AND B OR NOT -c +d title:x":            "A and B or not c d title x",
	} {
		if got := FreeText(in); got != want {
			t.Errorf("FreeText(%q) (-want +got):\n- %q\n+ %q", in, want, got)
		}
	}
}

func TestRun(t *testing.T) {
	c := Collection{
		Name: "tiny",
		Docs: []Doc{
			{ID: "1", Title: "Dewey decimal classification", Body: "A history of the Dewey decimal classification of library books."},
			{ID: "2", Title: "Technical libraries", Body: "How engineers use technical libraries and their catalogues."},
			{ID: "3", Title: "Citation indexing", Body: "Citation indexes link papers through their references."},
			{ID: "4", Title: "Library automation", Body: "Computers in library catalogues and circulation."},
		},
		Queries: []Query{
			{ID: "1", Text: "history of (decimal classification)?"},
			{ID: "2", Text: "citation indexes of papers"},
			{ID: "3", Text: "unjudged query"},
		},
		Qrels: Qrels{"1": {"1": 1}, "2": {"3": 1, "4": 0}},
	}
	rep, err := Run(context.Background(), c, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queries != 2 || rep.Documents != 4 {
		t.Errorf("queries %d documents %d, want 2 and 4", rep.Queries, rep.Documents)
	}
	want := Scores{NDCG10: 1, AP: 1, P10: 0.1, R100: 1, RR: 1}
	if rep.Mean != want {
		t.Errorf("mean (-want +got):\n- %+v\n+ %+v", want, rep.Mean)
	}
	if rep.P50 <= 0 || rep.IndexTime <= 0 {
		t.Errorf("no timings: p50 %v index %v", rep.P50, rep.IndexTime)
	}
}

// fakeSearcher answers every query with hits "d1".."dN" (N = hits), paged,
// and fails the query "bad".
type fakeSearcher struct{ hits int }

func (f fakeSearcher) Search(_ context.Context, req search.Request) (*search.Result, error) {
	if req.Query == "bad" {
		return nil, errors.New("unbalanced")
	}
	size, page := max(req.Size, search.DefaultSize), max(req.Page, 1)
	res := &search.Result{}
	for i := (page-1)*size + 1; i <= min(page*size, f.hits); i++ {
		res.Hits = append(res.Hits, search.Hit{ID: fmt.Sprintf("d%d", i)})
	}
	return res, nil
}

func TestMeasure(t *testing.T) {
	c := Collection{
		Name:    "fake",
		Queries: []Query{{ID: "1", Text: "good"}, {ID: "2", Text: "bad"}},
		// d150 lies past the default depth of 100: it does not count.
		Qrels: Qrels{"1": {"d1": 1, "d150": 1}, "2": {"d1": 1}},
	}
	tests := []struct {
		name   string
		opts   Options
		wantAP float64
	}{
		{name: "default depth", opts: Options{KeepGoing: true}, wantAP: 0.5},
		{name: "depth 200", opts: Options{KeepGoing: true, Depth: 200}, wantAP: (1 + 2.0/150) / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Measure(context.Background(), fakeSearcher{hits: 250}, c, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.PerQuery["1"].AP; !near(got, tt.wantAP) {
				t.Errorf("AP (-want +got):\n- %v\n+ %v", tt.wantAP, got)
			}
			if rep.Errors["2"] == "" || rep.PerQuery["2"] != (Scores{}) || rep.Queries != 2 {
				t.Errorf("failed query: errors %v scores %+v queries %d", rep.Errors, rep.PerQuery["2"], rep.Queries)
			}
			if got := rep.Top["1"]; len(got) != TopN || got[0] != "d1" {
				t.Errorf("top = %v", got)
			}
		})
	}
	if _, err := Measure(context.Background(), fakeSearcher{hits: 5}, c, Options{}); err == nil {
		t.Error("a failing query without KeepGoing: no error")
	}
}
