package crawler

import (
	"context"
	"sync"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// frontierBuffer is how many queued items are read from the store at once.
const frontierBuffer = 64

// frontier hands out the queue kept in the crawl store (shallowest first,
// each URL once per run) to the workers. It holds in memory only the few
// items read ahead and those being worked on; the queue and the seen-set
// are on disk. When the queue runs dry with no worker busy it calls refill
// once (the revisit of stored URLs not reached by links).
type frontier struct {
	st *store.Store

	mu       sync.Mutex
	cond     *sync.Cond
	buf      []store.QueueItem
	inflight map[string]bool // keys read and not yet done
	active   int             // items handed out and not yet done, or a refill running
	waiting  int             // workers blocked until a commit queues more
	started  int             // items handed out, capped by max
	max      int
	stopped  bool
	queued   int // items in the store's queue, as far as we know
	refill   func() int
	err      error
}

func newFrontier(st *store.Store, max, queued int, refill func() int) *frontier {
	f := &frontier{st: st, inflight: map[string]bool{}, max: max, queued: queued, refill: refill}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// next hands out the next item, blocking while other workers may still add
// some; ok is false when the run is over (err says if a store read failed).
func (f *frontier) next(ctx context.Context) (it store.QueueItem, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		switch {
		case f.stopped || f.started >= f.max || f.err != nil:
			f.stopped = true
			f.cond.Broadcast()
			return store.QueueItem{}, false
		case len(f.buf) > 0:
			it = f.buf[0]
			f.buf = f.buf[1:]
			f.active++
			f.started++
			return it, true
		}
		more, err := f.st.Next(ctx, frontierBuffer, func(k []byte) bool { return f.inflight[string(k)] })
		if err != nil {
			if ctx.Err() == nil {
				f.err = err
			}
			f.stopped = true
			continue
		}
		if len(more) > 0 {
			for _, m := range more {
				f.inflight[string(m.Key)] = true
			}
			f.buf = more
			continue
		}
		switch {
		case f.active == 0 && f.refill != nil:
			refill := f.refill
			f.refill = nil
			f.active++
			f.mu.Unlock()
			n := refill()
			f.mu.Lock()
			f.active--
			f.queued += n
		case f.active == 0:
			f.stopped = true
		default:
			f.waiting++
			f.cond.Wait()
			f.waiting--
		}
	}
}

// done marks an item from next finished, added new items having been
// queued by its commit.
func (f *frontier) done(it store.QueueItem, added int) {
	f.mu.Lock()
	delete(f.inflight, string(it.Key))
	f.active--
	f.queued += added - 1
	f.cond.Broadcast()
	f.mu.Unlock()
}

// added counts items queued outside a commit.
func (f *frontier) added(n int) {
	f.mu.Lock()
	f.queued += n
	f.cond.Broadcast()
	f.mu.Unlock()
}

// refund gives back the page budget of an item that made no request.
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

// refilled reports whether the run got as far as the revisit of stored
// URLs and no store read failed.
func (f *frontier) refilled() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err == nil && f.refill == nil
}

// starved reports whether a worker is idle until a commit queues more
// items.
func (f *frontier) starved() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.waiting > 0
}

// queuedNow is the number of items waiting.
func (f *frontier) queuedNow() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return max(f.queued-f.active, 0)
}
