package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract/exteval"
)

// TestExtractBench runs extract-bench over a folder holding a PDF that is
// not one and a file it does not read: the outcome table, and the
// per-file JSON written whole.
func TestExtractBench(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"broken.pdf": "%PDF-1.4 cut short", "notes.txt": "skipped"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	js := filepath.Join(t.TempDir(), "outcomes.json")
	out := runCmd(t, "extract-bench", "--dir", dir, "--in-process", "--jobs", "2", "--json", js)
	for _, want := range []string{"1 files, backend builtin, in-process", "total", "slowest files:", "broken.pdf"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var outs []exteval.Outcome
	if err := json.Unmarshal(b, &outs); err != nil || len(outs) != 1 || outs[0].Outcome == "ok" || outs[0].Outcome == exteval.Escaped {
		t.Errorf("--json: %v, %+v; want one typed failure", err, outs)
	}
	var stdout, stderr strings.Builder
	if code := run(t.Context(), []string{"extract-bench", "--dir", t.TempDir()}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "no .pdf") {
		t.Errorf("an empty folder: exit %d, %q", code, stderr.String())
	}
}
