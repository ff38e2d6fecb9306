package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// refreshSite serves testdata/refresh.txtar, each file at its name, with
// an ETag of its content and 304 to a matching If-None-Match. A test may
// change a page, make every answer a 500, or hold the requests of a path
// until the request ends.
type refreshSite struct {
	srv   *httptest.Server
	mu    sync.Mutex
	pages map[string][]byte
	down  bool            // every request is answered 500
	hold  map[string]bool // requests of these paths wait for their end
	held  chan string     // told of each held request
}

func newRefreshSite(t *testing.T) *refreshSite {
	t.Helper()
	a, err := txtar.ParseFile("testdata/refresh.txtar")
	if err != nil {
		t.Fatal(err)
	}
	s := &refreshSite{pages: map[string][]byte{}, hold: map[string]bool{}, held: make(chan string, 16)}
	for _, f := range a.Files {
		s.pages[f.Name] = f.Data
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *refreshSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body, ok := s.pages[r.URL.Path]
	down, hold := s.down, s.hold[r.URL.Path]
	s.mu.Unlock()
	switch {
	case hold:
		select {
		case s.held <- r.URL.Path:
		default:
		}
		<-r.Context().Done()
		return
	case down:
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	case !ok:
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if strings.HasSuffix(r.URL.Path, ".txt") {
		w.Header().Set("Content-Type", "text/plain")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.Write(body)
}

func (s *refreshSite) set(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = []byte(body)
}

func (s *refreshSite) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *refreshSite) holdPath(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold[path] = true
}

// testRefreshFlags are serve's flags for a refresh of site every
// interval: no delay and no retries, so that a run of the small site is
// quick. The interval is below --refresh's minimum, which only the flag
// check enforces.
func testRefreshFlags(site *refreshSite, every time.Duration) serveFlags {
	f := defaultServeFlags()
	f.addr = "127.0.0.1:0"
	f.refresh.every = every
	f.refresh.crawl.seeds = []string{site.srv.URL + "/"}
	f.refresh.crawl.delay = 0
	f.refresh.crawl.maxRetries = 0
	return f
}

// servedRefresh is a serve started by startRefreshServe.
type servedRefresh struct {
	base string
	logs *syncWriter
	stop func() error // cancels serve and returns its error
}

// startRefreshServe runs serve over data with f until the test ends or
// stop is called.
func startRefreshServe(t *testing.T, data string, f serveFlags) *servedRefresh {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncWriter{}
	g := &globals{data: data, stdout: logs, stderr: logs, log: newTestLogger(logs)}
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, g, f, nil, func(a net.Addr) { addr <- a }) }()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-done:
			case <-time.After(60 * time.Second):
				serveErr = fmt.Errorf("serve did not stop\n%s", logs.String())
			}
		})
		return serveErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case a := <-addr:
		return &servedRefresh{base: "http://" + a.String(), logs: logs, stop: stop}
	case err := <-done:
		t.Fatalf("serve exited at start: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return nil
}

// status returns GET /api/v1/refresh.
func (s *servedRefresh) status(t *testing.T) httpapi.RefreshStatus {
	t.Helper()
	var st httpapi.RefreshStatus
	getJSON(t, s.base+"/api/v1/refresh", http.StatusOK, &st)
	return st
}

// waitStatus waits until GET /api/v1/refresh satisfies ok, and returns it.
func (s *servedRefresh) waitStatus(t *testing.T, what string, ok func(httpapi.RefreshStatus) bool) httpapi.RefreshStatus {
	t.Helper()
	var st httpapi.RefreshStatus
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if st = s.status(t); ok(st) {
			return st
		}
	}
	b, _ := json.Marshal(st)
	t.Fatalf("refresh status never showed %s: %s\n%s", what, b, s.logs.String())
	return st
}

// total returns the total of a search for q.
func (s *servedRefresh) total(t *testing.T, q string) uint64 {
	t.Helper()
	var res search.Result
	getJSON(t, s.base+"/api/v1/search?q="+q, http.StatusOK, &res)
	return res.Total
}

func (s *servedRefresh) metrics(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func built(st httpapi.RefreshStatus) bool {
	return st.Last != nil && st.Last.Error == "" && st.Last.Generation != ""
}

// TestServeRefresh: serve with --refresh crawls the site at start (there
// is no index), serves it, and after a page changed, re-crawls, indexes
// and swaps: a search sees the change without a restart, and none of the
// searches made all along fails. Runs that find nothing changed build
// nothing.
func TestServeRefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls and indexes several times")
	}
	site := newRefreshSite(t)
	data := t.TempDir()
	s := startRefreshServe(t, data, testRefreshFlags(site, 20*time.Millisecond))

	first := s.waitStatus(t, "a first run that built an index", func(st httpapi.RefreshStatus) bool {
		return built(st) && st.Last.IndexBuilt
	})
	if first.Last.New != 3 || first.Last.Failed != 0 {
		t.Errorf("first run: %+v, want 3 new documents, none failed", *first.Last)
	}
	if n := s.total(t, "zebrafish"); n != 1 {
		t.Fatalf("search zebrafish after the first run: %d hits, want 1", n)
	}
	if n := s.total(t, "quokka"); n != 0 {
		t.Fatalf("search quokka before the change: %d hits, want 0", n)
	}

	// Searches all along, through the change and the swap.
	var requests, failures atomic.Int64
	var failed sync.Map // status or error -> true, for the message
	stopSearching := make(chan struct{})
	var searchers sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range 4 {
		searchers.Go(func() {
			qs := []string{"zebrafish", "quokka", "libraries", "morning"}
			for n := i; ; n++ {
				select {
				case <-stopSearching:
					return
				default:
				}
				resp, err := client.Get(s.base + "/api/v1/search?q=" + qs[n%len(qs)])
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					failed.Store(err.Error(), true)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
					failed.Store(resp.Status, true)
				}
			}
		})
	}

	site.set("/a.html", `<html lang="en"><head><title>Reading rooms</title></head><body>
<p>The reading rooms of the school libraries now keep a quokka, on loan from
the zoo, which the pupils visit every morning before the lessons start.</p>
</body></html>`)
	for deadline := time.Now().Add(60 * time.Second); s.total(t, "quokka") == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the change never became searchable:\n%s", s.logs.String())
		}
	}
	afterChange := s.status(t)
	// Two more runs: the second started after the run that built the
	// change had finished, and found nothing to do.
	later := s.waitStatus(t, "two more runs", func(st httpapi.RefreshStatus) bool { return st.Runs >= afterChange.Runs+2 })
	close(stopSearching)
	searchers.Wait()

	if n := s.total(t, "zebrafish"); n != 0 {
		t.Errorf("search zebrafish after the change: %d hits, want 0", n)
	}
	if requests.Load() == 0 {
		t.Fatal("no search was made during the refresh")
	}
	t.Logf("%d searches during the refresh, %d runs", requests.Load(), later.Runs)
	if n := failures.Load(); n != 0 {
		var why []string
		failed.Range(func(k, _ any) bool { why = append(why, k.(string)); return true })
		t.Errorf("%d of %d searches during the refresh failed: %v", n, requests.Load(), why)
	}
	if !built(later) || later.Last.IndexBuilt || later.Last.Changed != 0 || later.Last.Unchanged != 3 {
		t.Errorf("a run after the change was built: %+v, want 3 unchanged and no index built", *later.Last)
	}
	if later.Last.Generation == first.Last.Generation {
		t.Errorf("still serving %s, the first run's generation", later.Last.Generation)
	}
	if later.Failures != 0 || later.LastSuccess.IsZero() || !later.Enabled {
		t.Errorf("status %+v: want enabled, no failure and a last success", later)
	}
	m := s.metrics(t)
	for _, want := range []string{
		`kbsearch_refresh_runs_total{result="ok"} `,
		`kbsearch_refresh_runs_total{result="failed"} 0`,
		`kbsearch_refresh_last_failed 0`,
		`kbsearch_refresh_last_documents{outcome="unchanged"} 3`,
		`kbsearch_refresh_last_success_timestamp_seconds `,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(s.logs.String(), "level=WARN") {
		t.Errorf("warnings logged:\n%s", s.logs.String())
	}
}

// TestServeRefreshFails: a re-crawl that fails, because the site answers
// only errors, is gone, or the crawl store is held by another process,
// leaves the index served as it was, and says so in the status, the
// metrics and a warning.
func TestServeRefreshFails(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls and indexes")
	}
	tests := []struct {
		name    string
		fail    func(t *testing.T, site *refreshSite, data string)
		wantErr string
	}{
		{name: "site answers 500", fail: func(t *testing.T, site *refreshSite, data string) { site.setDown(true) },
			wantErr: "every document failed"},
		{name: "site gone", fail: func(t *testing.T, site *refreshSite, data string) { site.srv.Close() },
			wantErr: "every document failed"},
		{name: "store held", fail: func(t *testing.T, site *refreshSite, data string) {
			st, err := store.Open(context.Background(), data+"/crawl", store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
		}, wantErr: "crawl: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newRefreshSite(t)
			data := t.TempDir()
			runCmd(t, "crawl", "--data", data, "--seed", site.srv.URL+"/", "--delay", "0s", "--no-progress", "--log-level", "error")
			runCmd(t, "index", "--data", data, "--log-level", "error")
			_, m, err := indexer.Current(data + "/index")
			if err != nil {
				t.Fatal(err)
			}
			gen, _, _ := indexer.Current(data + "/index")
			tt.fail(t, site, data)

			s := startRefreshServe(t, data, testRefreshFlags(site, 20*time.Millisecond))
			st := s.waitStatus(t, "a failed run", func(st httpapi.RefreshStatus) bool { return st.Failures > 0 && st.Last != nil })
			if !strings.Contains(st.Last.Error, tt.wantErr) {
				t.Errorf("last run's error %q does not say %q", st.Last.Error, tt.wantErr)
			}
			if st.Last.IndexBuilt || st.Last.Generation != gen || !st.LastSuccess.IsZero() {
				t.Errorf("failed run %+v (last success %v): want no index built, %s still served, no success", *st.Last, st.LastSuccess, gen)
			}
			if n := s.total(t, "zebrafish"); n != 1 {
				t.Errorf("search zebrafish after a failed refresh: %d hits, want 1", n)
			}
			if cur, m2, _ := indexer.Current(data + "/index"); cur != gen || m2.Documents != m.Documents {
				t.Errorf("current generation %s (%d documents) after a failed refresh, want %s (%d)", cur, m2.Documents, gen, m.Documents)
			}
			metrics := s.metrics(t)
			for _, want := range []string{"kbsearch_refresh_last_failed 1", "kbsearch_refresh_runs_total{result=\"failed\"} ", "kbsearch_refresh_last_index_built 0"} {
				if !strings.Contains(metrics, want) {
					t.Errorf("/metrics lacks %q", want)
				}
			}
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"level=WARN", "refresh failed: the index served is unchanged", tt.wantErr} {
				if !strings.Contains(s.logs.String(), want) {
					t.Errorf("logs lack %q:\n%s", want, s.logs.String())
				}
			}
		})
	}
}

// TestServeRefreshShutdown: stopping serve cancels the refresh it is
// running; serve returns, and the crawl store is consistent: it passes
// store check, and the next crawl resumes the unfinished run.
func TestServeRefreshShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls")
	}
	site := newRefreshSite(t)
	site.holdPath("/b.html")
	data := t.TempDir()
	s := startRefreshServe(t, data, testRefreshFlags(site, time.Hour))
	select {
	case <-site.held:
	case <-time.After(60 * time.Second):
		t.Fatalf("the refresh never requested /b.html:\n%s", s.logs.String())
	}
	if st := s.status(t); !st.Running || st.Runs != 0 {
		t.Errorf("status while crawling: %+v, want running and no run finished", st)
	}
	if m := s.metrics(t); !strings.Contains(m, "kbsearch_refresh_running 1") {
		t.Errorf("/metrics lacks kbsearch_refresh_running 1")
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := indexer.Current(data + "/index"); err == nil {
		t.Error("an index was built from a cancelled crawl")
	}
	runCmd(t, "store", "check", "--data", data, "--log-level", "error")
	st, err := store.Open(context.Background(), data+"/crawl", store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.UnfinishedRun(context.Background())
	st.Close()
	if err != nil || run == nil {
		t.Errorf("UnfinishedRun = %v, %v: want the cancelled run, to be resumed", run, err)
	}
}

// TestRefreshFirstWait: a server restarted soon after a crawl waits for
// the rest of the interval; one without an index crawls at once.
func TestRefreshFirstWait(t *testing.T) {
	site := newRefreshSite(t)
	data := t.TempDir()
	g := &globals{data: data, stdout: io.Discard, stderr: io.Discard, log: newTestLogger(&syncWriter{})}
	f := testRefreshFlags(site, time.Hour).refresh

	empty, err := indexer.NewLive(g.indexDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if w := newRefresher(g, f, nil, empty).firstWait(context.Background()); w != 0 {
		t.Errorf("first wait without an index = %s, want 0", w)
	}

	runCmd(t, "crawl", "--data", data, "--seed", site.srv.URL+"/", "--delay", "0s", "--no-progress", "--log-level", "error")
	runCmd(t, "index", "--data", data, "--log-level", "error")
	live, err := indexer.NewLive(g.indexDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if w := newRefresher(g, f, nil, live).firstWait(context.Background()); w < 30*time.Minute || w > time.Hour {
		t.Errorf("first wait after a crawl just now = %s, want most of an hour", w)
	}
}

// TestServeRefreshFlags: serve refuses a refresh that cannot work,
// whether set by flags or the environment, before it opens anything.
func TestServeRefreshFlags(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{name: "no seed", args: []string{"--refresh", "24h"}, wantErr: "--refresh needs --crawl-seed"},
		{name: "seed without refresh", args: []string{"--crawl-seed", "https://example.org/"}, wantErr: "--crawl-seed needs --refresh"},
		{name: "too often", args: []string{"--refresh", "10s", "--crawl-seed", "https://example.org/"}, wantErr: "--refresh 10s: must be at least 1m0s"},
		{name: "negative", args: []string{"--refresh", "-1h"}, wantErr: "--refresh -1h0m0s: must not be negative"},
		{name: "negative jitter", args: []string{"--refresh", "1h", "--crawl-seed", "https://example.org/", "--refresh-jitter", "-1s"},
			wantErr: "--refresh-jitter -1s: must not be negative"},
		{name: "from the environment", env: map[string]string{"KBSEARCH_REFRESH": "1h"}, wantErr: "--refresh needs --crawl-seed"},
		{name: "seed from the environment", env: map[string]string{"KBSEARCH_CRAWL_SEED": "https://example.org/", "KBSEARCH_REFRESH": "5s"},
			wantErr: "--refresh 5s: must be at least"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			args := append([]string{"serve", "--log-level", "error", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, tt.args...)
			if code := run(context.Background(), args, &stdout, &stderr); code == 0 {
				t.Fatalf("serve %v succeeded", tt.args)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.wantErr)
			}
			if stdout.Len() > 0 {
				t.Errorf("serve started before refusing: %q", stdout.String())
			}
		})
	}
}
