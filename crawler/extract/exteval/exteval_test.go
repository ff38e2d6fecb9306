package exteval

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

func TestStripRST(t *testing.T) {
	t.Parallel()
	in := `=========
Competenze
=========

.. toctree::
   :maxdepth: 2

   intro.rst

Le *competenze* digitali, vedi :ref:` + "`quadro`" + ` e il ` + "`sito <https://example.org/x>`_" + `.

.. highlights:: Area 1
.. note:: a comment dropped
---
`
	// Directives, options, toctree entries, adornments and link targets
	// go; blank lines, text and the highlights line stay.
	want := "Competenze\n\n\n\nLe *competenze* digitali, vedi `quadro` e il `sito  `_.\n\n.. highlights:: Area 1\n\n"
	if got := StripRST(in); got != want {
		t.Errorf("StripRST (-want +got):\n-%q\n+%q", want, got)
	}
}

func TestWordBagAndScore(t *testing.T) {
	t.Parallel()
	truth := WordBag("L'école, l'école: 2 écoles et 1 Schule.")
	want := Bag{"l": 2, "école": 2, "2": 1, "écoles": 1, "et": 1, "1": 1, "schule": 1}
	if !reflect.DeepEqual(truth, want) || truth.Size() != 9 {
		t.Fatalf("WordBag = %v (size %d), want %v (size 9)", truth, truth.Size(), want)
	}
	for _, tt := range []struct {
		name    string
		got     string
		r, p, f float64
	}{
		{"same", "l école l école 2 écoles et 1 schule", 1, 1, 1},
		{"half, all right", "l école 2 écoles", 4.0 / 9, 1, 2 * (4.0 / 9) / (1 + 4.0/9)},
		{"a word too often counts once per truth occurrence", "schule schule schule", 1.0 / 9, 1.0 / 3, 2 * (1.0 / 27) / (1.0/9 + 1.0/3)},
		{"nothing in common", "xylophone", 0, 0, 0},
		{"empty", "", 0, 0, 0},
	} {
		r, p, f := Score(truth, WordBag(tt.got))
		if !near(r, tt.r) || !near(p, tt.p) || !near(f, tt.f) {
			t.Errorf("%s: recall %.4f precision %.4f F1 %.4f, want %.4f %.4f %.4f", tt.name, r, p, f, tt.r, tt.p, tt.f)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestReadTruth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.rst"), "Title\n=====\n\n.. note:: gone\n\nOne two.\n")
	write(t, filepath.Join(dir, "b.TXT"), "two three")
	write(t, filepath.Join(dir, "c.md"), "ignored words")
	bag, err := ReadTruth([]string{dir})
	if want := (Bag{"title": 1, "one": 1, "two": 2, "three": 1}); err != nil || !reflect.DeepEqual(bag, want) {
		t.Errorf("ReadTruth(folder) = %v, %v; want %v", bag, err, want)
	}
	if bag, err := ReadTruth([]string{filepath.Join(dir, "c.md")}); err != nil || bag["ignored"] != 1 {
		t.Errorf("ReadTruth(file) = %v, %v: a file named is read whatever its extension", bag, err)
	}
	empty := t.TempDir()
	if _, err := ReadTruth([]string{empty}); err == nil {
		t.Error("a truth without words: no error")
	}
	if _, err := ReadTruth([]string{filepath.Join(dir, "missing.rst")}); !os.IsNotExist(err) {
		t.Errorf("a missing file: %v, want not-exist", err)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// docx returns a DOCX whose body is one paragraph of text.
func docx(t *testing.T, text string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
			`<w:body><w:p><w:r><w:t>` + text + `</w:t></w:r></w:p></w:body></w:document>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestFilesAndExtractFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b", "minutes.docx"), docx(t, "Minutes of the plenary meeting"))
	write(t, filepath.Join(dir, "a.PDF"), "%PDF-1.4 not really a PDF")
	write(t, filepath.Join(dir, "notes.txt"), "not read")
	files, err := Files(dir)
	want := []string{filepath.Join(dir, "a.PDF"), filepath.Join(dir, "b", "minutes.docx")}
	if err != nil || !reflect.DeepEqual(files, want) {
		t.Fatalf("Files = %v, %v; want %v", files, err, want)
	}
	ctx := context.Background()
	opts := extract.Options{} // in process: nothing hostile here
	if o := ExtractFile(ctx, files[1], opts); o.Outcome != "ok" || o.Chars != len("Minutes of the plenary meeting") || o.Bytes == 0 || o.Err != "" {
		t.Errorf("a DOCX: %+v, want ok with its characters", o)
	}
	if o := ExtractFile(ctx, files[0], opts); o.Outcome == "ok" || o.Outcome == Escaped || o.Err == "" {
		t.Errorf("a broken PDF: %+v, want a typed reason", o)
	}
	if o := ExtractFile(ctx, filepath.Join(dir, "gone.pdf"), opts); o.Outcome != Escaped {
		t.Errorf("an unreadable file: %+v, want %s", o, Escaped)
	}
}
