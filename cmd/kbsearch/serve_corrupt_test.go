package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeFallsBack: serve starts over a data directory whose current
// index generation is damaged, serves the previous one, says why at WARN,
// and is ready.
func TestServeFallsBack(t *testing.T) {
	data := storeData(t, 40)
	runCmd(t, "index", "--data", data, "--log-level", "error")
	runCmd(t, "index", "--data", data, "--force", "--log-level", "error")
	segs, _ := filepath.Glob(filepath.Join(data, "index", "gen-000002", "index", "store", "*.zap"))
	if len(segs) == 0 {
		t.Fatal("no segment in gen-000002")
	}
	f, err := os.OpenFile(segs[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, 512), 1024); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var logs syncWriter
	g := &globals{data: data, stdout: &logs, stderr: &logs}
	g.log = newTestLogger(&logs)
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	f2 := defaultServeFlags()
	f2.addr = "127.0.0.1:0"
	go func() { done <- runServe(ctx, g, f2, nil, func(a net.Addr) { addr <- a }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var a net.Addr
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("serve exited at start: %v\n%s", err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	resp, err := http.Get("http://" + a.String() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/readyz = %d %v, want 200", resp.StatusCode, body)
	}
	for _, want := range []string{"level=WARN", "serving an older index generation", "generation=gen-000001", "current=gen-000002"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}
}

// syncWriter is a buffer safe for the server's concurrent log writes.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func newTestLogger(w *syncWriter) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
