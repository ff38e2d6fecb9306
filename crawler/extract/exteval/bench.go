package exteval

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// contentTypes are the file extensions a bench reads, with the
// Content-Type each is extracted as (.fuzz: qpdf's fuzzer inputs, PDFs).
var contentTypes = map[string]string{
	".pdf":  "application/pdf",
	".fuzz": "application/pdf",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".odt":  "application/vnd.oasis.opendocument.text",
}

// Escaped is the Outcome of a file whose extraction ended in an error
// without an extract.Reason: a bug, since every failure should be typed.
const Escaped = "escaped"

// Outcome is what extracting one file gave.
type Outcome struct {
	Path    string  `json:"path"`
	Bytes   int64   `json:"bytes"`
	Outcome string  `json:"outcome"` // "ok", an extract.Reason, or Escaped
	Seconds float64 `json:"seconds"`
	Pages   int     `json:"pages,omitempty"`
	Chars   int     `json:"chars,omitempty"`
	Err     string  `json:"err,omitempty"`
}

// Files lists, sorted, the files under dir a bench reads: .pdf (any
// case), .fuzz, .docx and .odt.
func Files(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if _, ok := contentTypes[strings.ToLower(filepath.Ext(path))]; ok && d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// ExtractFile extracts the file at path as the crawler would a response
// of its type, with opts, and says what came of it.
func ExtractFile(ctx context.Context, path string, opts extract.Options) Outcome {
	o := Outcome{Path: path}
	body, err := os.ReadFile(path)
	if err != nil {
		o.Outcome, o.Err = Escaped, err.Error()
		return o
	}
	o.Bytes = int64(len(body))
	start := time.Now()
	p, err := extract.Extract(ctx, body, contentTypes[strings.ToLower(filepath.Ext(path))], nil, opts)
	o.Seconds = time.Since(start).Seconds()
	switch r := extract.ReasonOf(err); {
	case err == nil:
		o.Outcome, o.Pages, o.Chars = "ok", p.PageCount, utf8.RuneCountInString(p.Text)
	case r != "":
		o.Outcome, o.Err = string(r), err.Error()
	default:
		o.Outcome, o.Err = Escaped, err.Error()
	}
	return o
}
