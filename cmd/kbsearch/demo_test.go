package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoCommand runs the README's first command, `kbsearch demo`, on free
// ports twice over one data directory: the first run crawls, indexes and
// serves; the portal's search-box page embeds the box of the search server,
// which lets the portal's origin call it; Ctrl-C stops the run; the second
// run finds the index up to date.
func TestDemoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls and indexes the whole demo portal")
	}
	data := t.TempDir()
	// The data directory belongs to one portal address: keep it for both
	// runs (a free port, taken again at once).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	portalAddr := ln.Addr().String()
	ln.Close()
	for round := 1; round <= 2; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		out, w := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"demo", "--data", data, "--addr", "127.0.0.1:0", "--portal-addr", portalAddr, "--log-level", "warn"}, w, io.Discard)
			w.Close()
		}()
		var lines []string
		var api, box string
		sc := bufio.NewScanner(out)
		deadline := time.AfterFunc(60*time.Second, func() { w.CloseWithError(io.ErrUnexpectedEOF) })
		for sc.Scan() {
			line := sc.Text()
			lines = append(lines, line)
			if m := regexp.MustCompile(`search page (http://\S+)/ `).FindStringSubmatch(line); m != nil {
				api = m[1]
			}
			if m := regexp.MustCompile(`search box on a portal page: (http://\S+)`).FindStringSubmatch(line); m != nil {
				box = m[1]
				break
			}
		}
		deadline.Stop()
		go io.Copy(io.Discard, out) //nolint:errcheck // drain the rest
		text := strings.Join(lines, "\n")
		if api == "" || box == "" {
			cancel()
			t.Fatalf("round %d: no ready line:\n%s", round, text)
		}
		if round == 2 && !strings.Contains(text, "is up to date") {
			t.Errorf("second run rebuilt the index:\n%s", text)
		}

		var res struct{ Total int }
		getJSON(t, api+"/api/v1/search?q=bring+your+own+device", 200, &res)
		if res.Total == 0 {
			t.Errorf("round %d: no results", round)
		}
		page := get(t, box, "")
		if !strings.Contains(page, `data-kbsearch`) || !strings.Contains(page, api+`/static/embed.js`) {
			t.Errorf("search-box page does not embed %s/static/embed.js:\n%s", api, page)
		}
		portalOrigin := strings.TrimSuffix(box, searchBoxPath)
		resp := getResp(t, api+"/api/v1/search?q=coding", portalOrigin)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != portalOrigin {
			t.Errorf("API answers the portal's origin with Access-Control-Allow-Origin %q, want %q", got, portalOrigin)
		}
		if js := get(t, api+"/static/embed.js", ""); !strings.Contains(js, "data-kbsearch") {
			t.Errorf("embed.js not served")
		}
		metrics := get(t, api+"/metrics", "")
		for _, want := range []string{"kbsearch_index_documents 63", "kbsearch_index_generation 1", `kbsearch_searches_total{result="hits"} 2`, "go_goroutines", "process_resident_memory_bytes"} {
			if !strings.Contains(metrics, want) {
				t.Errorf("round %d: /metrics lacks %q", round, want)
			}
		}

		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("round %d: exit %d after Ctrl-C", round, code)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: demo did not stop", round)
		}
	}
}

func getResp(t *testing.T, u, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	return resp
}

func get(t *testing.T, u, origin string) string {
	t.Helper()
	b, err := io.ReadAll(getResp(t, u, origin).Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
