package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// storeData writes a data directory whose crawl store holds n indexable
// pages, and returns it.
func storeData(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(data, "crawl"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var batch []*store.Commit
	for i := range n {
		u := fmt.Sprintf("https://example.org/doc/%04d", i)
		rec := &store.Record{URL: u, FinalURL: u, Status: 200, ContentType: "text/html",
			Page: &extract.Page{Title: fmt.Sprintf("Document %d", i), Text: strings.Repeat("learning analytics and teacher training ", 30), PageCount: 1}}
		batch = append(batch, &store.Commit{Records: []store.Put{{Record: rec, Raw: []byte(fmt.Sprintf("<html>%d</html>", i))}}})
	}
	if _, err := st.CommitAll(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return data
}

// Damages of a store file.
var (
	cutInHalf = func(b []byte) []byte { return b[:len(b)/2] }
	zeroMeta  = func(b []byte) []byte { clear(b[:2*os.Getpagesize()]); return b }
	// garbleRecords overwrites the middle leaf page of records, past its
	// header, with bytes that point anywhere.
	garbleRecords = func(b []byte) []byte {
		ps := os.Getpagesize()
		var pages []int
		for pg := 2; (pg+1)*ps <= len(b); pg++ {
			p := b[pg*ps : (pg+1)*ps]
			if binary.LittleEndian.Uint64(p) == uint64(pg) && p[8] == 0x02 && bytes.Contains(p, []byte(`{"url":"https://example.org/doc/`)) {
				pages = append(pages, pg)
			}
		}
		pg := pages[len(pages)/2]
		for i := pg*ps + 16; i < (pg+1)*ps; i++ {
			b[i] = byte(i*7919 + 13)
		}
		return b
	}
)

func damageStore(t *testing.T, data string, fn func([]byte) []byte) {
	t.Helper()
	path := filepath.Join(data, "crawl", store.FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCorruptStoreCommands: status, index and crawl over a damaged crawl
// store exit with status 3 and say how to recover, without a panic.
func TestCorruptStoreCommands(t *testing.T) {
	tests := []struct {
		name   string
		damage func([]byte) []byte
		args   []string
	}{
		{"status/file cut in half", cutInHalf, []string{"status"}},
		{"status/meta pages zeroed", zeroMeta, []string{"status"}},
		{"index/records page garbled", garbleRecords, []string{"index"}},
		{"index/file cut in half", cutInHalf, []string{"index"}},
		{"crawl/file cut in half", cutInHalf, []string{"crawl", "--seed", "http://127.0.0.1:9/", "--no-progress"}},
		{"crawl/meta pages zeroed", zeroMeta, []string{"crawl", "--seed", "http://127.0.0.1:9/", "--no-progress"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := storeData(t, 200)
			damageStore(t, data, tt.damage)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(tt.args, "--data", data, "--log-level", "error"), &stdout, &stderr)
			msg := stderr.String()
			if code != exitCorrupt {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, exitCorrupt, msg)
			}
			for _, want := range []string{"crawl store is corrupted", "kbsearch store check --data " + data,
				"kbsearch store repair --data " + data, "crawl again into a new --data"} {
				if !strings.Contains(msg, want) {
					t.Errorf("stderr lacks %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "goroutine ") {
				t.Errorf("stderr holds a stack trace:\n%s", msg)
			}
		})
	}
}

// TestStoreCheckRepair: store check finds the damage (exit 3), store
// repair salvages the readable records, and the store then checks and
// indexes.
func TestStoreCheckRepair(t *testing.T) {
	data := storeData(t, 200)
	if out := runCmd(t, "store", "check", "--data", data); !strings.Contains(out, "200 sound") || !strings.Contains(out, "no damage found") {
		t.Errorf("check of a sound store:\n%s", out)
	}
	damageStore(t, data, garbleRecords)

	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"store", "check", "--data", data}, &stdout, &stderr); code != exitCorrupt {
		t.Fatalf("store check of a damaged store: exit %d, want %d\n%s%s", code, exitCorrupt, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "damage:") || !strings.Contains(stderr.String(), "kbsearch store repair --data "+data) {
		t.Errorf("store check:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}

	out := runCmd(t, "store", "repair", "--data", data)
	if !strings.Contains(out, "crawl store repaired") || !strings.Contains(out, "lost URLs") || !strings.Contains(out, "damaged-") {
		t.Errorf("store repair:\n%s", out)
	}
	if out := runCmd(t, "store", "check", "--data", data); !strings.Contains(out, "no damage found") {
		t.Errorf("check after repair:\n%s", out)
	}
	runCmd(t, "index", "--data", data, "--log-level", "error")
	if out := runCmd(t, "status", "--data", data); !strings.Contains(out, "up to date") {
		t.Errorf("status after repair and index:\n%s", out)
	}
}
