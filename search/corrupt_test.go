package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// TestDamagedIndexUnavailable: a search that meets a damaged segment of
// the served generation answers 503 "unavailable" (not a generic 500),
// /readyz turns 503 while /healthz stays 200, and once the Live falls
// back to the previous generation both answer 200 again.
func TestDamagedIndexUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := indexertest.SyntheticStore(t, t.TempDir(), 60)
	defer st.Close()
	dir := t.TempDir()
	for range 2 {
		if _, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	live, err := indexer.NewLive(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	api := httptest.NewServer(httpapi.New(httpapi.Options{Backend: search.New(live, search.Options{})}).Handler())
	defer api.Close()
	status := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(api.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Error.Code
	}
	if code, _ := status("/readyz"); code != 200 {
		t.Fatalf("/readyz = %d before the damage", code)
	}

	// Damage the served segment's term dictionaries in place, as a disk
	// would: the mapped file changes under the server.
	segs, _ := filepath.Glob(filepath.Join(dir, "gen-000002", "index", "store", "*.zap"))
	f, err := os.OpenFile(segs[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5, 0x17, 0x00, 0xff}, 1024), fi.Size()*99/100-4096); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, tc := range []struct {
		path string
		want int
		code string
	}{
		{"/api/v1/search?q=learning", 503, "unavailable"},
		{"/readyz", 503, "unavailable"},
		{"/healthz", 200, ""},
	} {
		if code, ec := status(tc.path); code != tc.want || ec != tc.code {
			t.Errorf("%s = %d %q, want %d %q", tc.path, code, ec, tc.want, tc.code)
		}
	}

	if swapped, err := live.Refresh(ctx); !swapped || err != nil {
		t.Fatalf("Refresh = %v, %v", swapped, err)
	}
	for _, path := range []string{"/api/v1/search?q=learning", "/readyz", "/api/v1/export?q=learning"} {
		if code, ec := status(path); code != 200 {
			t.Errorf("%s = %d %q after the fall back, want 200", path, code, ec)
		}
	}
}
