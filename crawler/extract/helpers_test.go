package extract

import (
	"bytes"
	"fmt"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// diff words a mismatch as (-want +got).
func diff(name string, want, got any) string {
	return fmt.Sprintf("%s mismatch (-want +got):\n-%q\n+%q", name, want, got)
}

// checkClean reports text that breaks the Page.Text contract.
func checkClean(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s is not valid UTF-8: %q", what, s)
	}
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n') {
			t.Errorf("%s holds %U: %q", what, r, s)
			return
		}
	}
}

// makePDF builds a PDF with fpdf; build draws the pages.
func makePDF(t testing.TB, build func(f *fpdf.Fpdf)) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetFont("Helvetica", "", 12)
	f.SetCreationDate(time.Date(2018, 6, 1, 0, 0, 0, 0, time.UTC)) // not now: tests compare it
	build(f)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatalf("fpdf output: %v", err)
	}
	return buf.Bytes()
}
