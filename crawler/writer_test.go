package crawler

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// fakeFrontier records what the writer tells the frontier.
type fakeFrontier struct {
	mu     sync.Mutex
	dones  []string // item URLs, in order
	pushed int
	added  int
}

func (f *fakeFrontier) done(it store.QueueItem, added, pushed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dones = append(f.dones, it.URL)
	f.added += added
	f.pushed += pushed
}

func (f *fakeFrontier) starved() bool { return false }

var _ doneTracker = (*fakeFrontier)(nil)
var _ doneTracker = (*frontier)(nil)

// writerRig is a writer over a fresh store, with what it reported.
type writerRig struct {
	st    *store.Store
	front *fakeFrontier
	wr    *writer

	mu        sync.Mutex
	committed []string // item URLs, in order
	fatal     []error
}

func newWriterRig(t *testing.T) *writerRig {
	t.Helper()
	g := &writerRig{st: openStore(t), front: &fakeFrontier{}}
	if _, err := g.st.BeginRun(context.Background(), store.RunInfo{Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	g.wr = newWriter(g.st, g.front, &pendingSet{m: map[string]struct{}{}},
		func(w *work, _ []string) {
			g.mu.Lock()
			g.committed = append(g.committed, w.item.URL)
			g.mu.Unlock()
		},
		func(err error) {
			g.mu.Lock()
			g.fatal = append(g.fatal, err)
			g.mu.Unlock()
		})
	return g
}

// docWork is the work of a document fetched at u, with raw bytes of size n.
func docWork(u string, n int) *work {
	w := &work{item: store.QueueItem{URL: u, Key: []byte("k" + u)}, c: store.Commit{Done: []byte("k" + u)}, progress: true}
	w.count(outNew, "")
	raw := make([]byte, n)
	copy(raw, u)
	w.put(&store.Record{URL: u, FinalURL: u, Status: 200, Hash: contentHash(raw)}, raw, false)
	return w
}

// doneWork is the work of a revalidated URL found unchanged: done marks only.
func doneWork(u string) *work {
	w := &work{item: store.QueueItem{URL: u}, c: store.Commit{DoneURLs: []string{u}}, held: []string{u}, progress: true}
	w.count(outUnchanged, "")
	return w
}

func TestWriterCommitsEveryWork(t *testing.T) {
	g := newWriterRig(t)
	g.wr.start(context.Background())
	var want []string
	for i := range 20 {
		u := fmt.Sprintf("https://h/%d", i)
		want = append(want, u)
		g.wr.send(docWork(u, 100))
	}
	g.wr.close(false)
	if len(g.fatal) > 0 {
		t.Fatal(g.fatal)
	}
	if !slices.Equal(g.committed, want) {
		t.Errorf("committed (-want +got):\n-%v\n+%v", want, g.committed)
	}
	if !slices.Equal(g.front.dones, want) {
		t.Errorf("done in the frontier (-want +got):\n-%v\n+%v", want, g.front.dones)
	}
	for _, u := range want {
		if _, err := g.st.Get(context.Background(), u); err != nil {
			t.Errorf("%s not stored: %v", u, err)
		}
	}
}

func TestWriterGroups(t *testing.T) {
	tests := []struct {
		name      string
		works     int
		raw       int
		wantGroup int
	}{
		{"up to maxGroup works", maxGroup + 10, 10, maxGroup},
		{"fewer waiting", 7, 10, 7},
		// commitBytes counts raw bytes twice: a group stops once it
		// reaches maxGroupBytes.
		{"up to maxGroupBytes", 40, maxGroupBytes / 8, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wr := &writer{in: make(chan *work, tc.works), front: &fakeFrontier{}}
			for i := range tc.works {
				wr.in <- docWork(fmt.Sprintf("https://h/%d", i), tc.raw)
			}
			first := <-wr.in
			group := wr.gather(first, time.NewTimer(time.Hour), 0)
			if len(group) != tc.wantGroup {
				t.Errorf("group of %d works, want %d", len(group), tc.wantGroup)
			}
		})
	}
}

func TestWriterKeepsDoneMarks(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep=%v", keep), func(t *testing.T) {
			g := newWriterRig(t)
			g.wr.start(context.Background())
			urls := []string{"https://h/a", "https://h/b", "https://h/c"}
			for _, u := range urls {
				g.wr.send(doneWork(u))
			}
			g.wr.close(keep)
			// Counted and done at once, committed or not.
			if !slices.Equal(g.committed, urls) || !slices.Equal(g.front.dones, urls) {
				t.Errorf("counted %v, done %v; want %v", g.committed, g.front.dones, urls)
			}
			for _, u := range urls {
				// Claim reports whether the URL was not seen in the run.
				claimed, err := g.st.Claim(context.Background(), u)
				if err != nil {
					t.Fatal(err)
				}
				if claimed == keep {
					t.Errorf("%s: marked done in the store = %v, want %v", u, !claimed, keep)
				}
			}
		})
	}
}

func TestWriterBatchesDoneMarks(t *testing.T) {
	wr := &writer{front: &fakeFrontier{}, committed: func(*work, []string) {}}
	for i := range lateDoneMax - 1 {
		if w := wr.admit(doneWork(fmt.Sprintf("https://h/%d", i))); w != nil {
			t.Fatalf("work %d: a batch of %d marks, want none before %d", i, len(w.c.DoneURLs), lateDoneMax)
		}
	}
	w := wr.admit(doneWork("https://h/last"))
	if w == nil || !w.marksOnly || len(w.c.DoneURLs) != lateDoneMax || len(w.held) != lateDoneMax {
		t.Fatalf("batch at %d marks: %+v", lateDoneMax, w)
	}
	if len(wr.late) != 0 {
		t.Errorf("%d marks still kept after the batch", len(wr.late))
	}
	if doc := docWork("https://h/doc", 1); wr.admit(doc) != doc {
		t.Errorf("a work with a record is not committed at once")
	}
}

// A body waits for the writer's budget: the second of two large works is
// sent only once the first is committed.
func TestWriterBoundsPendingBytes(t *testing.T) {
	g := newWriterRig(t)
	big := maxPendingBytes/2 + 1
	g.wr.send(docWork("https://h/first", big)) // the writer is not started: it waits
	sent := make(chan error)
	go func() {
		g.wr.send(docWork("https://h/second", big))
		_, err := g.st.Get(context.Background(), "https://h/first")
		sent <- err
	}()
	g.wr.start(context.Background())
	if err := <-sent; err != nil {
		t.Errorf("second work sent before the first was committed: %v", err)
	}
	g.wr.close(false)
	if len(g.committed) != 2 {
		t.Errorf("committed %v, want both", g.committed)
	}
}

func TestWriterStoreFailure(t *testing.T) {
	g := newWriterRig(t)
	if err := g.st.Close(); err != nil {
		t.Fatal(err)
	}
	g.wr.start(context.Background())
	w := docWork("https://h/a", 10)
	w.c.Push = []store.QueueItem{{URL: "https://h/b"}}
	g.wr.send(w)
	g.wr.close(true)
	if len(g.fatal) != 1 || g.fatal[0] == nil {
		t.Errorf("fatal errors %v, want the failed commit's", g.fatal)
	}
	if len(g.committed) != 0 {
		t.Errorf("counted %v after a failed commit", g.committed)
	}
	if !slices.Equal(g.front.dones, []string{"https://h/a"}) || g.front.pushed != 1 || g.front.added != 0 {
		t.Errorf("frontier: done %v, pushed %d, added %d; want the item done, its push given back, nothing added",
			g.front.dones, g.front.pushed, g.front.added)
	}
}
