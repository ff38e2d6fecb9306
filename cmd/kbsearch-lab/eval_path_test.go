package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/search/eval"
)

// A tiny collection in the SMART format: documents 3 and 4 are the same
// page once rendered (same title, same text), so the crawler folds 4 into 3.
const (
	tinyDocs = `.I 1
.T
Dewey decimal classification
.A
Smith, J.
.W
A history of the Dewey decimal classification of library books.
.I 2
.T
Technical libraries
.W
How engineers use technical libraries and their catalogues.
.I 3
.T
Citation indexing
.W
Citation indexes link papers through their references.
.I 4
.T
Citation indexing
.W
Citation indexes link papers through their references.
.I 5
.T
Library automation
.W
Computers in library catalogues and circulation.
`
	tinyQueries = `.I 1
.W
history of decimal classification
.I 2
.W
citation indexes of papers
`
	tinyQrels = "1 1\n2 3\n2 4\n"
)

func writeTiny(t *testing.T) (docs, queries, qrels string) {
	t.Helper()
	dir := t.TempDir()
	docs, queries, qrels = filepath.Join(dir, "docs"), filepath.Join(dir, "queries"), filepath.Join(dir, "qrels")
	for p, s := range map[string]string{docs: tinyDocs, queries: tinyQueries, qrels: tinyQrels} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return docs, queries, qrels
}

// TestEvalPath renders the tiny collection, serves it, crawls it, indexes
// it and measures it through serve's Searcher.
func TestEvalPath(t *testing.T) {
	docs, queries, qrels := writeTiny(t)
	c, err := eval.Load("tiny", docs, queries, qrels)
	if err != nil {
		t.Fatal(err)
	}
	g := &globals{stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rep, err := runEvalPath(context.Background(), g, c, pathOptions{Depth: 100, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pages != 6 || rep.Indexed != 4 || rep.Strays != 0 || len(rep.Missing) != 0 || len(rep.Errors) != 0 {
		t.Errorf("pages %d indexed %d strays %d missing %v errors %v; want 6, 4, 0, none, none",
			rep.Pages, rep.Indexed, rep.Strays, rep.Missing, rep.Errors)
	}
	if len(rep.Duplicates) != 1 || rep.Duplicates["4"] != "3" {
		t.Errorf("duplicates (-want +got):\n- map[4:3]\n+ %v", rep.Duplicates)
	}
	// Query 2 finds 3 first and cannot find 4, folded into 3.
	want := map[string]float64{"1": 1, "2": 1 / (1 + 1/math.Log2(3))}
	for q, w := range want {
		if got := rep.PerQuery[q].NDCG10; math.Abs(got-w) > 1e-9 {
			t.Errorf("query %s nDCG@10 (-want +got):\n- %.4f\n+ %.4f", q, w, got)
		}
	}
	if top := rep.Top["2"]; len(top) == 0 || top[0] != "3" {
		t.Errorf("query 2 top = %v, want 3 first", top)
	}
}

// TestEvalPathCommand runs `kbsearch-lab eval --path` on the tiny collection:
// both tables, the query that differs and the folded document.
func TestEvalPathCommand(t *testing.T) {
	docs, queries, qrels := writeTiny(t)
	t.Setenv("TMPDIR", t.TempDir())
	var stdout, stderr bytes.Buffer
	args := []string{"eval", "--log-level", "error", "--docs", docs, "--queries", queries, "--qrels", qrels, "--name", "tiny", "--path"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("eval --path: exit %d: %s", code, stderr.String())
	}
	out := strings.Join(strings.Fields(stdout.String()), " ") // columns vary in width
	for _, w := range []string{
		"MAP@100 = mean over the judged queries", "# through the path",
		"tiny: 1 of 2 queries differ by more than 0.10 in nDCG@10",
		"2 1.000 0.613 -0.387 3 4 3",
		"tiny: 1 documents folded into an identical page by the crawler: 4=3",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), append(args, "--k1", "1.5"), &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "default ranking") {
		t.Errorf("--path with --k1: exit %d, stderr %q; want a refusal", code, stderr.String())
	}
}
