package crawler

import (
	"container/heap"
	"sync"
)

// entry is one URL waiting to be fetched.
type entry struct {
	url   string // normalised
	depth int
	seq   int // insertion order, to keep the queue stable within a depth
}

type entryHeap []entry

func (h entryHeap) Len() int { return len(h) }
func (h entryHeap) Less(i, j int) bool {
	if h[i].depth != h[j].depth {
		return h[i].depth < h[j].depth
	}
	return h[i].seq < h[j].seq
}
func (h entryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *entryHeap) Push(x any)   { *h = append(*h, x.(entry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// frontier is the queue of a run: shallowest first, each URL once. When it
// runs dry with no worker busy it asks refill once for more.
type frontier struct {
	mu      sync.Mutex
	cond    *sync.Cond
	q       entryHeap
	seq     int
	seen    map[string]bool
	active  int // entries handed out and not yet done, or a refill running
	started int // entries handed out (documents), capped by max
	max     int
	stopped bool
	refill  func() []entry
}

func newFrontier(max int, refill func() []entry) *frontier {
	f := &frontier{seen: map[string]bool{}, max: max, refill: refill}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// push queues u unless it was seen before in this run.
func (f *frontier) push(u string, depth int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pushLocked(u, depth)
}

func (f *frontier) pushLocked(u string, depth int) bool {
	if f.seen[u] || f.stopped {
		return false
	}
	f.seen[u] = true
	f.seq++
	heap.Push(&f.q, entry{url: u, depth: depth, seq: f.seq})
	f.cond.Signal()
	return true
}

// claim marks u as seen without queueing it (a redirect target fetched
// in passing); it reports false if u was already seen.
func (f *frontier) claim(u string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen[u] {
		return false
	}
	f.seen[u] = true
	return true
}

// next hands out the next entry, blocking while other workers may still
// add some; ok is false when the run is over.
func (f *frontier) next() (e entry, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		switch {
		case f.stopped || f.started >= f.max:
			f.stopped = true
			f.cond.Broadcast()
			return entry{}, false
		case len(f.q) > 0:
			e = heap.Pop(&f.q).(entry)
			f.active++
			f.started++
			return e, true
		case f.active == 0 && f.refill != nil:
			refill := f.refill
			f.refill = nil
			f.active++
			f.mu.Unlock()
			more := refill()
			f.mu.Lock()
			f.active--
			for _, m := range more {
				f.pushLocked(m.url, m.depth)
			}
			f.cond.Broadcast()
		case f.active == 0:
			f.stopped = true
			f.cond.Broadcast()
			return entry{}, false
		default:
			f.cond.Wait()
		}
	}
}

// done marks an entry from next as finished.
func (f *frontier) done() {
	f.mu.Lock()
	f.active--
	f.cond.Broadcast()
	f.mu.Unlock()
}

// refund gives back the page budget of an entry that made no request.
func (f *frontier) refund() {
	f.mu.Lock()
	f.started--
	f.mu.Unlock()
}

// stop ends the run: next returns false from now on.
func (f *frontier) stop() {
	f.mu.Lock()
	f.stopped = true
	f.cond.Broadcast()
	f.mu.Unlock()
}

// queued is the number of entries waiting.
func (f *frontier) queued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.q)
}
