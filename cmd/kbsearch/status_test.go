package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

// TestStatus reads the demo's data directory as `kbsearch status` does: the
// store's counts, the last crawl, the current generation and whether it is
// up to date; then an index built with another taxonomy, and a store held by
// a crawl.
func TestStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls and indexes the whole demo portal")
	}
	data, portal, _, _ := demoPipeline(t)

	var rep statusReport
	if err := json.Unmarshal([]byte(runCmd(t, "status", "--data", data, "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Store == nil || rep.Store.Stats == nil || rep.Index == nil {
		t.Fatalf("status: %+v", rep)
	}
	st := rep.Store.Stats
	if st.Indexable != rep.Index.Manifest.Documents || st.Records <= st.Indexable || st.FailedBy["malformed"] != 1 || st.FailedBy["http-404"] != 1 {
		t.Errorf("store stats %+v, index documents %d", st, rep.Index.Manifest.Documents)
	}
	if r := rep.Store.LastRun; r == nil || r.Finished.IsZero() || len(r.Seeds) != 1 || r.Seeds[0] != portal.URL+"/" {
		t.Errorf("last run %+v", r)
	}
	if rep.Store.Unfinished != nil || rep.Index.Stale != "" || rep.Index.Generation != "gen-000001" {
		t.Errorf("unfinished %+v, stale %q, generation %q", rep.Store.Unfinished, rep.Index.Stale, rep.Index.Generation)
	}
	out := runCmd(t, "status", "--data", data)
	for _, want := range []string{"indexable", "failed by reason: http-404 1, malformed 1", "gen-000001", "up to date with the crawl store"} {
		if !strings.Contains(out, want) {
			t.Errorf("status table lacks %q:\n%s", want, out)
		}
	}

	// Another taxonomy: the index is out of date for it.
	tax := *taxonomy.Default()
	tax.Themes = append([]taxonomy.Theme(nil), tax.Themes...)
	tax.Themes[0].Label += " (renamed)"
	b, err := json.Marshal(&tax)
	if err != nil {
		t.Fatal(err)
	}
	taxFile := filepath.Join(t.TempDir(), "tax.json")
	if err := os.WriteFile(taxFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := runCmd(t, "status", "--data", data, "--taxonomy", taxFile); !strings.Contains(out, "out of date: built with another taxonomy") {
		t.Errorf("status with another taxonomy:\n%s", out)
	}

	// A crawl holding the store.
	held, err := store.Open(context.Background(), filepath.Join(data, "crawl"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if out := runCmd(t, "status", "--data", data); !strings.Contains(out, "in use by a running crawl") || !strings.Contains(out, "gen-000001") {
		t.Errorf("status beside a crawl:\n%s", out)
	}
}
