package crawler

import (
	"context"
	"sync"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// frontierBuffer is how many queued items are read from the store at once.
const frontierBuffer = 64

// frontier hands out the queue kept in the crawl store (shallowest first,
// each URL once per run) to the workers, and, whenever that queue is empty,
// the stored URLs this run has not reached yet (the revalidation pass, see
// run.passItems). It holds in memory only the few items read ahead and
// those being worked on; the queue and the seen-set are on disk.
type frontier struct {
	st *store.Store

	mu       sync.Mutex
	cond     *sync.Cond
	buf      []store.QueueItem
	inflight map[string]bool // keys read and not yet done
	active   int             // items handed out and not yet done
	waiting  int             // workers blocked until a commit queues more
	started  int             // items handed out, capped by max
	max      int
	stopped  bool
	queued   int // items in the store's queue or read from the pass, as far as we know
	// pushing counts the links reserved (reserve) by works not committed
	// yet; queued+pushing stays within maxQueued.
	pushing   int
	maxQueued int
	// pass returns the next stored URLs to revalidate, and whether there
	// are no more. feedPass calls it ahead of need into passBuf, at most
	// passAhead items ahead, until it says so (passDone).
	pass     func() ([]store.QueueItem, bool, error)
	passBuf  []store.QueueItem
	passDone bool
	err      error
}

// passAhead is how many items of the revalidation pass are read ahead.
const passAhead = 512

func newFrontier(st *store.Store, max, maxQueued, queued int, pass func() ([]store.QueueItem, bool, error)) *frontier {
	f := &frontier{st: st, inflight: map[string]bool{}, max: max, maxQueued: maxQueued, queued: queued, pass: pass}
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
		if len(f.passBuf) > 0 {
			n := min(len(f.passBuf), frontierBuffer)
			f.buf = f.passBuf[:n:n]
			f.passBuf = f.passBuf[n:]
			f.cond.Broadcast() // room for feedPass
			continue
		}
		if f.active == 0 && f.passDone {
			f.stopped = true
			continue
		}
		f.waiting++
		f.cond.Wait()
		f.waiting--
	}
}

// feedPass reads the revalidation pass into passBuf, ahead of the workers,
// until the pass ends or the run stops.
func (f *frontier) feedPass(ctx context.Context) {
	for {
		f.mu.Lock()
		for len(f.passBuf) >= passAhead && !f.stopped {
			f.cond.Wait()
		}
		stopped := f.stopped
		f.mu.Unlock()
		if stopped {
			return
		}
		items, last, err := f.pass()
		f.mu.Lock()
		switch {
		case err != nil:
			if ctx.Err() == nil {
				f.err = err
			}
			f.stopped = true
		default:
			f.passBuf = append(f.passBuf, items...)
			f.queued += len(items)
			f.passDone = last
		}
		f.cond.Broadcast()
		f.mu.Unlock()
		if err != nil || last {
			return
		}
	}
}

// reserve takes room in the queue for one link to push, and reports
// whether there was room.
func (f *frontier) reserve() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queued+f.pushing >= f.maxQueued {
		return false
	}
	f.pushing++
	return true
}

// unreserve gives back n reservations that pushed nothing.
func (f *frontier) unreserve(n int) {
	f.mu.Lock()
	f.pushing -= n
	f.mu.Unlock()
}

// room is how many more URLs the queue takes.
func (f *frontier) room() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return max(f.maxQueued-f.queued-f.pushing, 0)
}

// done marks an item from next finished, added new items having been
// queued by its commit out of the pushed it had reserved room for.
func (f *frontier) done(it store.QueueItem, added, pushed int) {
	f.mu.Lock()
	delete(f.inflight, string(it.Key))
	f.active--
	f.pushing -= pushed
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

// passed reports whether the run handed out the whole revalidation pass
// and no store read failed.
func (f *frontier) passed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err == nil && f.passDone && len(f.passBuf) == 0 && len(f.buf) == 0
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
