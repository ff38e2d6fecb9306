package search

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/kbsearch/kbsearch/crawler"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
)

// hugePortal serves a 20 MB page and a 300-page PDF, both repeating the
// words of one query, and a page linking to them.
func hugePortal(t *testing.T) *httptest.Server {
	t.Helper()
	var page strings.Builder
	page.WriteString("<!doctype html><html lang=en><head><title>Learning analytics, again and again</title></head><body><main>")
	para := "<p>Learning analytics dashboards for teachers, learning analytics for schools.</p>\n"
	for page.Len() < 20<<20 {
		page.WriteString(para)
	}
	page.WriteString("</main></body></html>")
	big := []byte(page.String())

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 11)
	for p := 1; p <= 300; p++ {
		pdf.AddPage()
		text := fmt.Sprintf("Page %d of the report. Teachers discussed assessment and feedback in schools.", p)
		if p%50 == 0 {
			text += " Learning analytics helps teachers read the progress of pupils."
		}
		pdf.MultiCell(0, 5, text, "", "", false)
	}
	var pb bytes.Buffer
	if err := pdf.Output(&pb); err != nil {
		t.Fatal(err)
	}
	report := pb.Bytes()

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang=en><head><title>Portal</title></head><body><main>
<p>Documents of the group.</p><a href="/big.html">big</a> <a href="/report.pdf">report</a></main></body></html>`)
	})
	mux.HandleFunc("/big.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(big)
	})
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(report)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestHugeDocuments: a 20 MB page (8 MiB of text once extracted, the
// extractor's cap) and a 300-page PDF, crawled and indexed, are found with
// snippets, and the snippets read a bounded part of their texts, not the
// texts whole.
func TestHugeDocuments(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crawls and indexes a 20 MB page")
	}
	ctx := context.Background()
	portal := hugePortal(t)
	dir := t.TempDir()
	st, err := store.Open(ctx, dir+"/crawl", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := crawler.New(st, crawler.Options{Seeds: []string{portal.URL + "/"}, Delay: crawler.NoDelay})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := indexer.Build(ctx, st, dir+"/index", indexer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	r, _, err := indexer.OpenCurrentReader(dir + "/index")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := New(r, Options{})
	for _, q := range []string{"learning analytics", `"learning analytics"`, "teachers analytics dashboards"} {
		t.Run(q, func(t *testing.T) {
			before := r.TextBytesRead()
			res, err := s.Search(ctx, Request{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			read := r.TextBytesRead() - before
			hits := map[string]Hit{}
			for _, h := range res.Hits {
				hits[h.URL[len(portal.URL):]] = h
			}
			for _, path := range []string{"/big.html", "/report.pdf"} {
				if q == "teachers analytics dashboards" && path == "/report.pdf" {
					continue // "dashboards" is not in it; it still matches, ranked lower
				}
				h, ok := hits[path]
				if !ok {
					t.Fatalf("%s not found: hits %v", path, ids(res))
				}
				if len(h.Snippets) != 1 || !strings.Contains(h.Snippets[0], "<mark>") {
					t.Errorf("%s: snippets %q, want one with marks", path, h.Snippets)
				}
			}
			if p := hits["/report.pdf"].Page; p == 0 || p%50 != 0 {
				t.Errorf("report page = %d, want a page that holds the words (50, 100, ...)", p)
			}
			// Each hit's snippet reads its window's blocks (16 KiB of text,
			// compressed) and a header, or scans the first 32 KiB of a text
			// where the words are everywhere: far from 8 MiB.
			if limit := int64(len(res.Hits)) * 64 << 10; read > limit {
				t.Errorf("snippets read %d bytes of text for %d hits, want at most %d", read, len(res.Hits), limit)
			}
		})
	}
}
