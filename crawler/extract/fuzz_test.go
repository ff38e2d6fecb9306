package extract

import (
	"context"
	"flag"
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

// fuzzIsolate runs FuzzPDF's inputs in pooled worker processes:
//
//	go test -fuzz FuzzPDF -fuzz-isolate -fuzzminimizetime 0 ./crawler/extract/
//
// In-process (the default), an input on which ledongthuc/pdf loops forever
// times out after 200 ms but leaves its parser goroutine spinning: a
// goroutine cannot be killed. Each such input adds one (10 timed-out parses
// of qpdf's append-xref-loop.pdf leave 10 more goroutines), so a long run
// loses its CPUs to them, and an input that makes the library allocate
// gigabytes kills the fuzz worker outright. Minimizing inputs that run into
// the timeout also shows as long stretches at 0 execs/s. Isolated, hangs
// and huge allocations come back as ReasonTimeout and ReasonTooLarge from a
// worker that is then replaced. See docs/extraction.md.
var fuzzIsolate = flag.Bool("fuzz-isolate", false, "FuzzPDF: extract each input in a worker process")

// FuzzPDF checks that any bytes give clean text or a typed error within
// the time budget, never an escaped panic. The seeds are small PDFs made
// with fpdf and hand-broken variants.
func FuzzPDF(f *testing.F) {
	f.Add(makePDF(f, func(pf *fpdf.Fpdf) {
		pf.AddPage()
		lines(pf, 30, "Fuzz seed text", "second line")
	}))
	f.Add([]byte("%PDF-1.4\n%%EOF\n"))
	var pool *Pool
	if *fuzzIsolate {
		pool = NewPool(1)
		f.Cleanup(func() { pool.Close() })
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		opts := Options{PDFTimeout: 200 * time.Millisecond, MaxPages: 50, MaxText: 1 << 20}
		if *fuzzIsolate {
			opts.Isolate, opts.Pool, opts.PDFTimeout, opts.MemoryLimit = true, pool, time.Second, 256<<20
		}
		p, err := PDF(context.Background(), body, opts)
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

// FuzzOffice checks that any bytes served as DOCX or ODT give clean text
// or a typed error, never a panic. The seeds are small documents built
// with archive/zip.
func FuzzOffice(f *testing.F) {
	f.Add(docxOf(f, wp("Heading1", "Digital skills")+wp("", "Body text."), `<dc:title>T</dc:title>`), true)
	f.Add(odtOf(f, `<text:h>Minutes</text:h><text:p>Body<text:s text:c="2"/>text.</text:p>`, `<dc:title>T</dc:title>`), false)
	f.Add([]byte("PK\x03\x04"), true)
	f.Fuzz(func(t *testing.T, body []byte, docx bool) {
		ct := mimeODT
		if docx {
			ct = mimeDOCX
		}
		p, err := Extract(context.Background(), body, ct, nil, Options{MaxText: 1 << 16})
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		checkClean(t, "text", p.Text)
		checkClean(t, "title", p.Title)
		if p.Text == "" {
			t.Error("empty text without an error")
		}
	})
}
