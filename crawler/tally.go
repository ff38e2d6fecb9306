package crawler

import (
	"maps"
	"sync"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// tally counts what a run did: its Summary, the documents handled and
// failed for Progress, and the documents per host for MaxPagesPerHost.
// Workers and the writer update it; its one mutex guards all of it.
type tally struct {
	mu      sync.Mutex
	sum     Summary
	docs    int // documents handled
	failed  int // of which failed
	perHost map[string]int
}

func newTally() *tally {
	return &tally{sum: Summary{Failed: map[extract.Reason]int{}, Capped: map[string]int{}}, perHost: map[string]int{}}
}

// add counts w's outcomes, and the URLs of rejected that its commit found
// new to the run. If w handled a document, it returns the counts of
// Progress so far (Requests, Fetched, Failed) and true.
func (t *tally) add(w *work, rejected []string) (Progress, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, oc := range w.outcomes {
		switch oc.o {
		case outNew:
			t.sum.New++
		case outChanged:
			t.sum.Changed++
		case outUnchanged:
			t.sum.Unchanged++
		case outGone:
			t.sum.Gone++
		case outFailed:
			t.sum.Failed[oc.reason]++
			t.failed++
		}
	}
	for _, u := range rejected {
		t.sum.Failed[w.rejects[u]]++
	}
	if !w.progress {
		return Progress{}, false
	}
	t.docs++
	return Progress{Requests: t.sum.Fetched, Fetched: t.docs, Failed: t.failed}, true
}

// request counts an HTTP request for a document.
func (t *tally) request() {
	t.mu.Lock()
	t.sum.Fetched++
	t.mu.Unlock()
}

// capped counts n things left out by the bound named by, and reports
// whether they are the first.
func (t *tally) capped(by string, n int) (first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	first = t.sum.Capped[by] == 0
	t.sum.Capped[by] += n
	return first
}

// hostQuota counts a document for host and reports whether the host is
// still within max documents (0: no limit).
func (t *tally) hostQuota(host string, max int) bool {
	if max <= 0 {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.perHost[host] >= max {
		return false
	}
	t.perHost[host]++
	return true
}

// summary returns a copy of the Summary, its Seconds since start.
func (t *tally) summary(start time.Time) Summary {
	t.mu.Lock()
	sum := t.sum
	sum.Failed = maps.Clone(t.sum.Failed)
	sum.Capped = maps.Clone(t.sum.Capped)
	t.mu.Unlock()
	sum.Seconds = time.Since(start).Seconds()
	return sum
}
