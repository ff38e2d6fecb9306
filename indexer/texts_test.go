package indexer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTextsRoundTrip(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Ça coûte 5 €; learning analytics. ", 3000) // about 100 KB: several blocks, multi-byte runes
	docs := map[string]string{"a": "", "b": "short text", "c": long}
	path := filepath.Join(t.TempDir(), "texts")
	tw, err := CreateTexts(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := tw.Add(id, docs[id]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	ts, offsets, err := openTexts(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ts.close()
	for id, text := range docs {
		for _, rg := range [][2]int{{0, 1 << 30}, {0, 5}, {textBlock - 3, textBlock + 7}, {2*textBlock + 1, 5 * textBlock}, {len(text) - 4, len(text) + 10}, {-5, 3}} {
			from, to := max(0, min(rg[0], len(text))), max(0, min(rg[1], len(text)))
			want := text[from:max(from, to)]
			if offsets[id].length != len(text) {
				t.Fatalf("%s: indexed length %d, want %d", id, offsets[id].length, len(text))
			}
			got, n, err := ts.textRange(offsets[id].off, rg[0], rg[1])
			if err != nil {
				t.Fatalf("%s %v: %v", id, rg, err)
			}
			if got != want || n != len(text) {
				t.Errorf("%s %v: got %d bytes (length %d), want %d (length %d)", id, rg, len(got), n, len(want), len(text))
			}
		}
	}
	// A range reads the blocks it spans, not the text.
	before := ts.read.Load()
	if _, _, err := ts.textRange(offsets["c"].off, 3*textBlock+10, 3*textBlock+200); err != nil {
		t.Fatal(err)
	}
	if read := ts.read.Load() - before; read > textBlock {
		t.Errorf("a 190-byte range read %d bytes", read)
	}
}

func TestTextsCorrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{"empty": "", "short": "kbsearch", "bad-tail": textsMagic + "\xff\xff\xff\xff\xff\xff\xff\xff"} {
		path := filepath.Join(dir, name)
		if err := writeFile(path, content); err != nil {
			t.Fatal(err)
		}
		if _, _, err := openTexts(path); err == nil {
			t.Errorf("%s: opened without error", name)
		}
	}
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }
