package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHeapLog runs the sampler of crawl's hidden --heap-log and --memprofile
// flags for a few intervals and reads back what it wrote.
func TestHeapLog(t *testing.T) {
	dir := t.TempDir()
	logPath, profPath := filepath.Join(dir, "heap.tsv"), filepath.Join(dir, "heap.pprof")
	h, err := startHeapLog(context.Background(), logPath, profPath, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	h.setPages(7)
	keep := make([][]byte, 0, 64)
	for range 64 { // grow the heap so that a profile is written
		keep = append(keep, make([]byte, 64<<10))
		time.Sleep(100 * time.Microsecond)
	}
	if err := h.close(); err != nil {
		t.Fatal(err)
	}
	_ = keep
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "# seconds pages heap_live") {
		t.Fatalf("heap log:\n%s", b)
	}
	cols := len(strings.Fields(lines[0])) - 1
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if f[0] == "end" || f[0] == "peak" {
			f = f[1:]
		}
		if len(f) != cols {
			t.Errorf("line %q: %d columns, want %d", l, len(f), cols)
		}
	}
	peak := strings.Fields(lines[len(lines)-1])
	if peak[0] != "peak" || peak[2] != "7" || peak[3] == "0" || peak[4] == "0" {
		t.Errorf("last line %q, want the peaks with 7 pages and a live heap", lines[len(lines)-1])
	}
	if _, err := os.Stat("/proc/self/status"); err == nil {
		if anon, file, hwm := procStatus(); anon == 0 || file == 0 || hwm < anon {
			t.Errorf("procStatus: anon %d, file %d, hwm %d", anon, file, hwm)
		}
	}
	p, err := os.ReadFile(profPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(p, []byte{0x1f, 0x8b}) { // pprof writes gzipped protobuf
		t.Errorf("heap profile starts with % x, want a gzip stream", p[:min(len(p), 4)])
	}
}
