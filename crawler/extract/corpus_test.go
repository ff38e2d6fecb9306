package extract

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusDir names a directory of real documents to extract, for manual
// robustness runs: go test -run TestCorpus -corpus DIR ./crawler/extract/
// It is empty by default, and the test then skips: the project's tests
// never depend on files outside the repository.
var corpusDir = flag.String("corpus", "", "directory of documents for TestCorpus (manual runs only)")

// TestCorpus extracts every file under -corpus and checks that each one
// yields clean text or a typed error, never an escaped panic.
func TestCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -corpus directory given")
	}
	counts := map[Reason]int{}
	var ok int
	err := filepath.WalkDir(*corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".pdf" && ext != ".html" && ext != ".htm" && ext != ".txt" {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		ct := ""
		if ext == ".pdf" {
			ct = "application/pdf"
		}
		start := time.Now()
		p, err := Extract(context.Background(), body, ct, nil, Options{PDFTimeout: 10 * time.Second})
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			r := ReasonOf(err)
			if r == "" {
				t.Errorf("%s: untyped error %v", path, err)
			}
			counts[r]++
			t.Logf("%s: %s in %s: %v", path, r, took, err)
			return nil
		}
		ok++
		checkClean(t, path, p.Text)
		t.Logf("%s: ok in %s: %d pages, %d chars, title %q", path, took, p.PageCount, len(p.Text), p.Title)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ok %d, failures by reason %v", ok, counts)
}
