package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// Environment of the re-executed test binary that crawls until killed.
const (
	childEnvURL = "KBSEARCH_TEST_CHILD_SEED"
	childEnvDir = "KBSEARCH_TEST_CHILD_STORE"
)

// runChildCrawl is called by TestMain in the re-executed test binary.
func runChildCrawl() int {
	ctx := context.Background()
	st, err := store.Open(ctx, os.Getenv(childEnvDir), store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := New(st, Options{Seeds: []string{os.Getenv(childEnvURL)}, Delay: NoDelay, Concurrency: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if _, err := c.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// chainSite serves "/" linking to n pages, each linking to the next. After
// `after` pages, page requests hang until the client goes away.
type chainSite struct {
	n     int
	srv   *httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	after int           // stall once this many pages were served (0: never)
	hung  chan struct{} // closed when the first request hangs
	once  sync.Once
}

func newChainSite(t *testing.T, n, stallAfter int) *chainSite {
	s := &chainSite{n: n, hits: map[string]int{}, after: stallAfter, hung: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *chainSite) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.hits[r.URL.Path]++
	served := 0
	for _, n := range s.hits {
		served += n
	}
	stall := s.after > 0 && served > s.after
	s.mu.Unlock()
	if stall {
		s.once.Do(func() { close(s.hung) })
		<-r.Context().Done()
		return
	}
	var links []string
	if r.URL.Path == "/" {
		for i := range s.n {
			links = append(links, fmt.Sprintf("/p%d", i))
		}
	} else {
		var i int
		fmt.Sscanf(r.URL.Path, "/p%d", &i)
		links = append(links, fmt.Sprintf("/p%d", (i+1)%s.n))
	}
	fmt.Fprint(w, page(links...))
}

func (s *chainSite) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.hits {
		out[k] = v
	}
	return out
}

func (s *chainSite) resume() {
	s.mu.Lock()
	s.after = 0
	s.mu.Unlock()
}

// storedPaths lists the paths of the records in st.
func storedPaths(t *testing.T, st *store.Store, base string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := st.Each(context.Background(), func(r *store.Record) error {
		if r.ErrReason != "" || r.Page == nil {
			return fmt.Errorf("%s: stored without content: %q %q", r.URL, r.ErrReason, r.Err)
		}
		out[strings.TrimPrefix(r.URL, base)] = true
		return nil
	})
	if err != nil {
		t.Fatalf("store not consistent: %v", err)
	}
	return out
}

// checkResumed runs the crawl again on st and checks that it finishes the
// site without requesting anything stored before.
func checkResumed(t *testing.T, st *store.Store, s *chainSite, before map[string]bool) {
	t.Helper()
	info, err := st.UnfinishedRun(context.Background())
	if err != nil || info == nil {
		t.Fatalf("UnfinishedRun = %v, %v; want the interrupted run", info, err)
	}
	hits := s.snapshot()
	s.resume()
	sum := crawl(t, st, Options{Seeds: []string{s.srv.URL + "/"}})
	after := s.snapshot()
	for p := range before {
		if after[p] != hits[p] {
			t.Errorf("%s was stored before the crash and requested again (%d -> %d)", p, hits[p], after[p])
		}
	}
	all := storedPaths(t, st, s.srv.URL)
	if len(all) != s.n+1 {
		t.Errorf("after the resumed run %d pages are stored, want %d", len(all), s.n+1)
	}
	if sum.New != s.n+1-len(before) {
		t.Errorf("resumed run: New = %d, want %d (the pages not stored before)", sum.New, s.n+1-len(before))
	}
	if info, _ := st.UnfinishedRun(context.Background()); info != nil {
		t.Errorf("the resumed run finished but left its run open: %+v", info)
	}
}

func TestResumeAfterCancel(t *testing.T) {
	s := newChainSite(t, 40, 20)
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-s.hung // like Ctrl-C with requests in flight
		cancel()
	}()
	c, err := New(st, Options{Seeds: []string{s.srv.URL + "/"}, Delay: NoDelay, Concurrency: 3, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	before := storedPaths(t, st, s.srv.URL)
	if len(before) == 0 || len(before) > 20 {
		t.Fatalf("%d pages stored by the canceled run, want 1 to 20", len(before))
	}
	checkResumed(t, st, s, before)
}

func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	s := newChainSite(t, 60, 25)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnvURL+"="+s.srv.URL+"/", childEnvDir+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-s.hung // the child is mid-crawl, with requests in flight
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child was not killed: %v\n%s", err, stderr.String())
	}
	st, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatalf("store after kill -9: %v", err)
	}
	defer st.Close()
	before := storedPaths(t, st, s.srv.URL)
	if len(before) == 0 || len(before) > 25 {
		t.Fatalf("%d pages stored before the kill, want 1 to 25", len(before))
	}
	checkResumed(t, st, s, before)
}
