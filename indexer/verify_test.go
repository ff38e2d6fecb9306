package indexer_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/indexertest"
)

// twoGenerations builds the same synthetic store twice into a new index
// directory: gen-000001 and gen-000002 (current).
func twoGenerations(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	st := indexertest.SyntheticStore(t, t.TempDir(), 60)
	defer st.Close()
	dir := t.TempDir()
	for range 2 {
		if _, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	if name, _, err := indexer.Current(dir); err != nil || name != "gen-000002" {
		t.Fatalf("current = %q, %v", name, err)
	}
	return dir
}

// segment returns the path of the one zap segment of generation name.
func segment(t *testing.T, dir, name string) string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, name, "index", "store", "*.zap"))
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments of %s: %v, %v", name, segs, err)
	}
	return segs[0]
}

// Damages of a segment, written in place (as a disk error would: a
// Reader that maps the file sees them).
type damageFn func(t *testing.T, path string)

// garble overwrites 4 KB at fraction at of the file with a pattern.
func garble(at float64) damageFn {
	return func(t *testing.T, path string) {
		t.Helper()
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		off := int64(float64(fi.Size()) * at)
		n := min(4096, fi.Size()-off-8)
		if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5, 0x17, 0x00, 0xff}, int(n/4)), off); err != nil {
			t.Fatal(err)
		}
	}
}

// garbleAllButFooter overwrites all of a zap segment but its footer (its
// last 64 bytes, read at open): whatever a later read touches (a field's
// dictionary, postings, stored fields) is damaged, wherever the format
// puts it.
func garbleAllButFooter(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < fi.Size()-64-4096; off += 4096 {
		garble(float64(off)/float64(fi.Size()))(t, path)
	}
}

func truncate(t *testing.T, path string) {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()*2/3); err != nil {
		t.Fatal(err)
	}
}

func TestOpenChecked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sound := twoGenerations(t)
	r, err := indexer.OpenChecked(ctx, sound, "gen-000002")
	if err != nil {
		t.Fatalf("a sound generation: %v", err)
	}
	r.Close()
	tests := []struct {
		name   string
		damage damageFn
	}{
		// bleve opens the segment and answers most searches, some
		// wrongly: only the checksum sees it.
		{"stored fields garbled", garble(0.3)},
		{"term dictionaries garbled", garble(0.99)},
		{"cut short", truncate},
		{"manifest says other", func(t *testing.T, seg string) {
			p := filepath.Join(filepath.Dir(seg), "..", "..", "kbsearch-generation.json")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, bytes.Replace(b, []byte(`"documents": `), []byte(`"documents": 1`), 1), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A copy of the sound generations, damaged: cheaper than a build.
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(sound)); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, segment(t, dir, "gen-000001"))
			r, err := indexer.OpenChecked(ctx, dir, "gen-000001")
			if err == nil {
				r.Close()
			}
			if !errors.Is(err, indexer.ErrCorrupt) {
				t.Fatalf("OpenChecked = %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestLiveFallsBack: a damaged current generation is not served; the
// previous one is, with a warning that says why.
func TestLiveFallsBack(t *testing.T) {
	t.Parallel()
	dir := twoGenerations(t)
	garble(0.5)(t, segment(t, dir, "gen-000002"))
	var logs bytes.Buffer
	live, err := indexer.NewLive(dir, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if got := live.Generation(); got != "gen-000001" {
		t.Errorf("serving %q, want gen-000001", got)
	}
	if err := live.Ready(); err != nil {
		t.Errorf("Ready = %v", err)
	}
	for _, want := range []string{"level=WARN", "gen-000002", "checksum", "serving an older index generation"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}

	// Every generation damaged: nothing is served, and Ready says why.
	dir = twoGenerations(t)
	garble(0.5)(t, segment(t, dir, "gen-000001"))
	garble(0.5)(t, segment(t, dir, "gen-000002"))
	live2, err := indexer.NewLive(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live2.Close()
	if _, err := live2.Acquire(); !errors.Is(err, indexer.ErrNoIndex) {
		t.Errorf("Acquire = %v, want ErrNoIndex", err)
	}
	if err := live2.Ready(); !errors.Is(err, indexer.ErrCorrupt) {
		t.Errorf("Ready = %v, want ErrCorrupt", err)
	}
}

// TestLiveKeepsServingOverDamagedBuild: a new generation that fails its
// check does not replace the one served.
func TestLiveKeepsServingOverDamagedBuild(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := twoGenerations(t)
	live, err := indexer.NewLive(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	st := indexertest.SyntheticStore(t, t.TempDir(), 60)
	defer st.Close()
	if _, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	garble(0.99)(t, segment(t, dir, "gen-000003"))
	for range 2 { // the second time, the damaged one is known
		swapped, err := live.Refresh(ctx)
		if swapped || err != nil {
			t.Fatalf("Refresh = %v, %v; want no swap", swapped, err)
		}
	}
	if got := live.Generation(); got != "gen-000002" || live.Ready() != nil {
		t.Errorf("serving %q (ready: %v), want gen-000002", got, live.Ready())
	}
}

// TestLiveDamagedWhileServing: a read of the served generation that fails
// marks it damaged (Ready fails) and the next Refresh serves the previous
// generation.
func TestLiveDamagedWhileServing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := twoGenerations(t)
	live, err := indexer.NewLive(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	garbleAllButFooter(t, segment(t, dir, "gen-000002"))

	r, err := live.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.TextBitmap(indexer.Title, "", "learning")
	r.Release()
	if !errors.Is(err, indexer.ErrCorrupt) {
		t.Fatalf("a read of the damaged segment: %v, want ErrCorrupt", err)
	}
	if err := live.Ready(); !errors.Is(err, indexer.ErrCorrupt) {
		t.Errorf("Ready = %v, want ErrCorrupt", err)
	}
	if swapped, err := live.Refresh(ctx); !swapped || err != nil {
		t.Fatalf("Refresh = %v, %v; want a swap", swapped, err)
	}
	if got := live.Generation(); got != "gen-000001" || live.Ready() != nil {
		t.Errorf("serving %q (ready: %v), want gen-000001", got, live.Ready())
	}
}

// TestLiveRefreshConcurrent: Refresh calls at once (Watch, and a server
// that has just built) open and swap a new generation once.
func TestLiveRefreshConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := twoGenerations(t)
	live, err := indexer.NewLive(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	st := indexertest.SyntheticStore(t, t.TempDir(), 60)
	defer st.Close()
	if _, err := indexer.Build(ctx, st, dir, indexer.BuildOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	var swaps atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			swapped, err := live.Refresh(ctx)
			if err != nil {
				t.Error(err)
			}
			if swapped {
				swaps.Add(1)
			}
		})
	}
	wg.Wait()
	if n := swaps.Load(); n != 1 {
		t.Errorf("%d of 8 concurrent Refresh calls swapped, want 1", n)
	}
	if got := live.Generation(); got != "gen-000003" {
		t.Errorf("serving %q, want gen-000003", got)
	}
}
