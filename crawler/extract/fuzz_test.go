package extract

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// FuzzHTML checks that any bytes and Content-Type give a Page whose text
// and links keep their contract, and never a panic.
func FuzzHTML(f *testing.F) {
	f.Add([]byte("<html><head><title>t</title></head><body><main><p>a</p></main></body></html>"), "text/html")
	f.Add([]byte("<p>caf\xe9</p>"), "text/html; charset=windows-1252")
	f.Add([]byte(`<base href="//x"><a href="../a#b">x</a><link rel=canonical href="?q">`), "")
	base, _ := url.Parse("https://wg.example.eu/docs/index.html")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := HTML(body, contentType, base)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		checkClean(t, "text", p.Text)
		checkClean(t, "title", p.Title)
		checkClean(t, "description", p.Description)
		if strings.HasPrefix(p.Text, "\n") || strings.HasSuffix(p.Text, "\n") || strings.Contains(p.Text, "\n\n\n") {
			t.Errorf("text has stray blank lines: %q", p.Text)
		}
		seen := map[string]bool{}
		for _, l := range p.Links {
			u, err := url.Parse(l)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				t.Errorf("bad link %q", l)
			}
			if seen[l] {
				t.Errorf("duplicate link %q", l)
			}
			seen[l] = true
		}
	})
}

// FuzzPDF checks that any bytes give clean text or a typed error within
// the time budget, never an escaped panic. The seeds are small PDFs made
// with fpdf and hand-broken variants.
func FuzzPDF(f *testing.F) {
	f.Add(makePDF(f, func(pf *fpdf.Fpdf) {
		pf.AddPage()
		lines(pf, 30, "Fuzz seed text", "second line")
	}))
	f.Add([]byte("%PDF-1.4\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := PDF(context.Background(), body, Options{PDFTimeout: 200 * time.Millisecond, MaxPages: 50, MaxText: 1 << 20})
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		checkClean(t, "text", p.Text)
		checkClean(t, "title", p.Title)
		if p.PageCount != len(p.PageTexts) {
			t.Errorf("PageCount = %d with %d page texts", p.PageCount, len(p.PageTexts))
		}
	})
}
