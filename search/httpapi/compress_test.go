package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/search"
)

// compressibleHits is a result large enough to be worth compressing.
func compressibleHits() *search.Result {
	res := &search.Result{Query: "digital", Total: 40, Page: 1, Size: 40}
	for i := range 40 {
		res.Hits = append(res.Hits, search.Hit{ID: fmt.Sprint("doc-", i), URL: fmt.Sprintf("https://portal.example/documents/%d.html", i),
			Title: fmt.Sprintf("Minutes of plenary meeting %d on digital skills", i), Type: "minutes",
			Themes: []string{"policy", "teacher-training"}, Snippets: []string{"the <mark>digital</mark> competence of teachers"}})
	}
	return res
}

// gunzip decompresses body, failing the test if it is not gzip.
func gunzip(t *testing.T, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return out
}

// TestCompression checks that responses are gzipped when the client
// accepts gzip, and only then: JSON, HTML, JS, CSS and CSV; not tiny
// bodies, not range requests; always with Vary: Accept-Encoding.
func TestCompression(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, &fakeBackend{result: compressibleHits()}, Options{})
	h := s.Handler()
	tests := []struct {
		name, target, accept string
		wantGzip             bool
	}{
		{"search JSON", "/api/v1/search?q=digital", "gzip", true},
		{"search JSON, browser header", "/api/v1/search?q=digital", "gzip, deflate, br, zstd", true},
		{"page", "/", "gzip", true},
		{"script", "/static/app.en.js", "gzip", true},
		{"style sheet", "/static/style.css", "gzip", true},
		{"box script", "/static/embed.js", "gzip", true},
		{"CSV export", "/api/v1/export?q=digital", "gzip", true},
		{"no Accept-Encoding", "/api/v1/search?q=digital", "", false},
		{"gzip refused", "/static/app.en.js", "gzip;q=0, identity", false},
		{"only brotli", "/", "br", false},
		{"tiny JSON", "/healthz", "gzip", false},
		{"tiny icon", "/static/favicon.svg", "gzip", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := do(t, h, http.MethodGet, tt.target)
			rec := do(t, h, http.MethodGet, tt.target, "Accept-Encoding", tt.accept)
			if rec.Code != http.StatusOK || plain.Code != http.StatusOK {
				t.Fatalf("status %d and %d, want 200", rec.Code, plain.Code)
			}
			if plain.Header().Get("Content-Encoding") != "" {
				t.Errorf("compressed without Accept-Encoding")
			}
			if v := rec.Header().Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", v)
			}
			got := rec.Header().Get("Content-Encoding") == "gzip"
			if got != tt.wantGzip {
				t.Fatalf("gzip %v, want %v (Content-Encoding %q)", got, tt.wantGzip, rec.Header().Get("Content-Encoding"))
			}
			body := rec.Body.Bytes()
			if got {
				body = gunzip(t, body)
				if rec.Body.Len() >= len(body) {
					t.Errorf("compressed %d bytes to %d", len(body), rec.Body.Len())
				}
			}
			if tt.target != "/api/v1/search?q=digital" && !bytes.Equal(body, plain.Body.Bytes()) { // took_ms aside, searches are equal
				t.Errorf("body differs from the uncompressed one")
			}
		})
	}
	t.Run("range", func(t *testing.T) {
		rec := do(t, h, http.MethodGet, "/static/app.en.js", "Accept-Encoding", "gzip", "Range", "bytes=0-9")
		if rec.Code != http.StatusPartialContent || rec.Header().Get("Content-Encoding") != "" || rec.Body.Len() != 10 {
			t.Errorf("status %d, Content-Encoding %q, %d bytes; want 206, none, 10", rec.Code, rec.Header().Get("Content-Encoding"), rec.Body.Len())
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		rec := do(t, h, http.MethodHead, "/static/app.en.js", "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
			t.Errorf("status %d, %d bytes of body; want 200 and none", rec.Code, rec.Body.Len())
		}
	})
}

// TestCompressionStreams checks that compression keeps a streamed
// response streaming: what a handler writes and flushes reaches the client
// whole, decompressed, while the handler is still writing.
func TestCompressionStreams(t *testing.T) {
	t.Parallel()
	row := strings.Repeat("2016-09-27,minutes,Minutes of the plenary meeting,https://portal.example/m.html\n", 40)
	release := make(chan struct{})
	srv := httptest.NewServer(compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		io.WriteString(w, row)
		w.(http.Flusher).Flush()
		select { // the rest only once the client has the first part
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, row)
	})))
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bufio.NewReader(resp.Body))
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len(row))
	if _, err := io.ReadFull(zr, first); err != nil || string(first) != row {
		t.Fatalf("first part: %v", err)
	}
	close(release)
	rest, err := io.ReadAll(zr)
	if err != nil || string(rest) != row {
		t.Errorf("second part: %v, %d bytes", err, len(rest))
	}
}

// Page weight targets of issue 12, compressed.
const (
	maxPageBytes = 20 << 10
	maxBoxBytes  = 10 << 10
)

// TestPageWeight measures what a first visit downloads, gzipped: the page
// with everything it links to (the API answers it asks for are measured
// on the demo in cmd/kbsearch), and the box's script.
func TestPageWeight(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	h := s.Handler()
	get := func(target string) (compressed, plain int) {
		rec := do(t, h, http.MethodGet, target, "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d", target, rec.Code)
		}
		n := rec.Body.Len()
		if rec.Header().Get("Content-Encoding") == "gzip" {
			return n, len(gunzip(t, rec.Body.Bytes()))
		}
		return n, n
	}
	page, pagePlain := get("/")
	body := do(t, h, http.MethodGet, "/").Body.String()
	for _, l := range regexp.MustCompile(`(?:src|href)="(static/[^"]+)"`).FindAllStringSubmatch(body, -1) {
		c, p := get("/" + l[1])
		t.Logf("%-40s %6d bytes, %6d gzipped", l[1], p, c)
		page, pagePlain = page+c, pagePlain+p
	}
	box, boxPlain := get("/static/embed.js")
	t.Logf("page and its assets: %d bytes, %d gzipped (target %d)", pagePlain, page, maxPageBytes)
	t.Logf("box script: %d bytes, %d gzipped (target %d)", boxPlain, box, maxBoxBytes)
	if page > maxPageBytes {
		t.Errorf("the page's assets are %d bytes gzipped, over %d", page, maxPageBytes)
	}
	if box > maxBoxBytes {
		t.Errorf("the box's script is %d bytes gzipped, over %d", box, maxBoxBytes)
	}
}
