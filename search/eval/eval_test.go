package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
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
	// Small records in the shapes of the real files: CISI repeats .A and
	// has one .K; CACM has .K, .B, .N, .X; CISI's later queries carry the
	// title, authors and source of a paper beside the question (.W);
	// Cranfield's .W repeats the title.
	tests := []struct {
		name string
		rd   Reading
		in   string
		want []Doc
	}{
		{
			name: "title, text, authors",
			in:   ".I 1\n.T\nA title\n.A\nSmith, J.\n.W\nSome text\non two lines.\n.X\n1\t5\t1\n.I 2\n.T\nOnly a title\n",
			want: []Doc{{ID: "1", Title: "A title", Body: "Some text\non two lines.\n\nSmith, J."}, {ID: "2", Title: "Only a title"}},
		},
		{
			name: "repeated authors",
			in:   ".I 15\n.T\nInformation\nflow\n.A\nAllen, T.J.\n.A\nCohen, S.I.\n.W\nText.\n",
			want: []Doc{{ID: "15", Title: "Information flow", Body: "Text.\n\nAllen, T.J.\nCohen, S.I."}},
		},
		{
			name: "keywords",
			in:   ".I 1410\n.T\nJOVIAL\n.W\nAn abstract.\n.B\nCACM June, 1967\n.A\nPerlis, A. J.\n.N\nCA670606 JB\n.K\nprogramming languages,\ncompilers\n.C\n4.22\n.X\n1410\t5\t1410\n",
			want: []Doc{{ID: "1410", Title: "JOVIAL", Body: "An abstract.\n\nprogramming languages, compilers\n\nPerlis, A. J."}},
		},
		{
			name: "title repeated, kept",
			in:   ".I 1\n.T\nexperimental investigation\n.W\nexperimental investigation\nof the wake.\n",
			want: []Doc{{ID: "1", Title: "experimental investigation", Body: "experimental investigation\nof the wake."}},
		},
		{
			name: "title repeated, stripped",
			rd:   Reading{StripTitle: true},
			in:   ".I 1\n.T\nexperimental\ninvestigation\n.W\nexperimental investigation\nof the wake.\n.I 2\n.T\nwake flow\n.W\nwake flows behind.\n",
			want: []Doc{{ID: "1", Title: "experimental investigation", Body: "of the wake."}, {ID: "2", Title: "wake flow", Body: "wake flows behind."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := tt.rd.ReadDocs(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(docs, tt.want) {
				t.Errorf("docs (-want +got):\n- %q\n+ %q", tt.want, docs)
			}
		})
	}
}

func TestReadSMARTQueries(t *testing.T) {
	tests := []struct {
		name string
		rd   Reading
		in   string
		want []Query
	}{
		{
			name: "text only",
			in:   ".I 01\n.W\n What articles exist\nabout TSS?\n.N\n 1. someone\n",
			want: []Query{{ID: "1", Text: "What articles exist about TSS?"}},
		},
		{
			name: "a paper's title and authors are not the question",
			in:   ".I 58\n.T\nDirections in Library Networking\n.A\nAvram, H.D.\n.W\n    Bibliographic control\nis reviewed.\n.B\n(JASIS, Vol. 31)\n",
			want: []Query{{ID: "58", Text: "Bibliographic control is reviewed."}},
		},
		{
			name: "no text: the title",
			in:   ".I 3\n.T\nLibrary networks\n",
			want: []Query{{ID: "3", Text: "Library networks"}},
		},
		{
			name: "numbered by position",
			rd:   Reading{QueryPositions: true},
			in:   ".I 001\n.W\nfirst\n.I 002\n.W\nsecond\n.I 004\n.W\nthird\n",
			want: []Query{{ID: "1", Text: "first"}, {ID: "2", Text: "second"}, {ID: "3", Text: "third"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := tt.rd.ReadQueries(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(qs, tt.want) {
				t.Errorf("queries (-want +got):\n- %q\n+ %q", tt.want, qs)
			}
		})
	}
}

func TestReadTRECDocs(t *testing.T) {
	// A "<" in the text (Medline: "(range: < 50 to 168,350)", "<25%") is
	// text, not a tag.
	docs, err := ReadDocs(strings.NewReader("<DOC>\n<DOCNO>MED-1</DOCNO>\n<body>\nsome text .\n</body>\n</DOC>\n" +
		"<DOC><DOCNO> MED-2 </DOCNO>more</DOC>\n<DOC><DOCNO>MED-3</DOCNO><body>(range: < 50 to 168,350) per ml, <25% or >75%</body></DOC>"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{{ID: "MED-1", Body: "some text ."}, {ID: "MED-2", Body: "more"}, {ID: "MED-3", Body: "(range: < 50 to 168,350) per ml, <25% or >75%"}}
	if !slices.Equal(docs, want) {
		t.Errorf("docs (-want +got):\n- %q\n+ %q", want, docs)
	}
}

func TestLoadStandard(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"cisi/CISI.ALL":            ".I 1\n.T\nLibraries\n.W\nAbout libraries.\n",
		"cisi/CISI.QRY":            ".I 1\n.W\nlibraries\n",
		"cisi/CISI.REL":            "1 1 0 0.000000\n",
		"cacm/cacm.all.normalized": ".I 1\n.T\nALGOL\n.K\nalgol\n",
		"cacm/query.text":          ".I 01\n.W\nalgol\n",
		"cacm/qrels.text":          "01 1 0 0\n",
		"medline/MED.ALL":          "<DOC><DOCNO>MED-1</DOCNO><body>heart</body></DOC>",
		"medline/MED.QRY":          ".I 1\n.W\nheart\n",
		"medline/MED.REL":          "1 0 MED-1 1\n",
	}
	write := func(files map[string]string) {
		for name, text := range files {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(files)
	names := func() []string {
		cols, err := LoadStandard(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cols {
			out = append(out, c.Name)
		}
		return out
	}
	if got, want := names(), []string{"CISI", "CACM", "Medline"}; !slices.Equal(got, want) {
		t.Errorf("collections (-want +got):\n- %v\n+ %v", want, got)
	}
	// Cranfield joins when its directory is there, read its own way.
	write(map[string]string{
		"cranfield/cran.all.1400": ".I 1\n.T\nwing flutter\n.W\nwing flutter\nat high speed.\n",
		"cranfield/cran.qry":      ".I 001\n.W\nflutter\n.I 004\n.W\nwings\n",
		"cranfield/cranqrel":      "2 1 1\n1 1 -1\n",
	})
	if got, want := names(), []string{"CISI", "CACM", "Medline", "Cranfield"}; !slices.Equal(got, want) {
		t.Errorf("collections (-want +got):\n- %v\n+ %v", want, got)
	}
	cols, err := LoadStandard(dir)
	if err != nil {
		t.Fatal(err)
	}
	cran := cols[3]
	if cran.Docs[0].Body != "at high speed." || cran.Queries[1].ID != "2" || cran.Qrels["2"]["1"] != 4 || cran.Qrels["1"]["1"] != 0 {
		t.Errorf("Cranfield read as %+v", cran)
	}
}

func TestReadQrels(t *testing.T) {
	tests := []struct {
		name, in string
		rd       Reading
		want     Qrels
	}{
		{"CISI", "     1     28\t0\t0.000000\n 1 35 0 0.0\n", Reading{}, Qrels{"1": {"28": 1, "35": 1}}},
		{"CACM", "01 1410  0 0\n01 1572  0 0\n", Reading{}, Qrels{"1": {"1410": 1, "1572": 1}}},
		{"TREC graded", "1 0 MED-13 1\n1 0 MED-14 2\n2 0 MED-1 0\n", Reading{}, Qrels{"1": {"MED-13": 1, "MED-14": 2}, "2": {"MED-1": 0}}},
		{"listed pairs", "1 184 2\n1 486 -1\n", Reading{}, Qrels{"1": {"184": 1, "486": 1}}},
		{"Cleverdon codes", "1 184 2\n1 29 1\n1 31 4\n1 486 -1\n1 7 5\n", Reading{Codes: true},
			Qrels{"1": {"184": 3, "29": 4, "31": 1, "486": 0, "7": 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rd.ReadQrels(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) || len(got["1"]) != len(tt.want["1"]) {
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
