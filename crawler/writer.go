package crawler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// work collects what processing one queue item leads to, committed to the
// store in one transaction and counted once committed.
type work struct {
	item     store.QueueItem
	c        store.Commit
	outcomes []counted
	rejects  map[string]extract.Reason // url -> trap reason
	held     []string                  // URLs this work holds in the run's pending set
	progress bool                      // a document was handled (for Progress)
	// marksOnly is set for a batch of done marks (writer.lateWork):
	// counted and done in the frontier already.
	marksOnly bool
}

type counted struct {
	o      outcome
	reason extract.Reason
}

func (w *work) count(o outcome, reason extract.Reason) {
	w.outcomes = append(w.outcomes, counted{o, reason})
}

func (w *work) put(rec *store.Record, raw []byte, dedupe bool) {
	w.c.Records = append(w.c.Records, store.Put{Record: rec, Raw: raw, Dedupe: dedupe})
}

func (w *work) reject(u string, reason extract.Reason) {
	if w.rejects == nil {
		w.rejects = map[string]extract.Reason{}
	}
	if _, ok := w.rejects[u]; !ok {
		w.rejects[u] = reason
		w.c.Reject = append(w.c.Reject, u)
	}
}

// onlyDone reports whether w writes nothing but its URLs' done marks in
// the seen-set: an item of the revalidation pass that found its page
// unchanged (or its failure, gone page or redirect the same).
func (w *work) onlyDone() bool {
	c := &w.c
	return c.Done == nil && len(c.Records) == 0 && len(c.Push) == 0 && len(c.Reject) == 0
}

// rawBytes is the size of w's raw bodies, which wait in memory for the
// writer.
func (w *work) rawBytes() int64 {
	var n int64
	for _, p := range w.c.Records {
		n += int64(len(p.Raw))
	}
	return n
}

// commitBytes estimates the heap that w's part of a bbolt transaction
// takes until the commit. bbolt copies each page the transaction changes
// into a buffer of its own, neighbours included: a record's bytes count
// twice, and each queued URL a page (a new key of the seen-set lands on a
// leaf of its own once the set is larger than the group, so a group of
// listing pages with 100 new links each changed some 3,400 pages, 22 MB,
// on a 100k-page site).
func (w *work) commitBytes() int {
	n := 0
	for _, p := range w.c.Records {
		n += len(p.Raw)
		if pg := p.Record.Page; pg != nil {
			n += len(pg.Text)
			for _, t := range pg.PageTexts {
				n += len(t)
			}
			for _, l := range pg.Links {
				n += len(l)
			}
		}
	}
	return 2*n + 4096*len(w.c.Push) + 64*len(w.c.DoneURLs)
}

// The writer commits up to maxGroup works, and about maxGroupBytes of
// transaction (see work.commitBytes), in one transaction, from a queue of
// writeQueue works holding at most maxPendingBytes of raw bodies (one body
// larger than that waits alone). It keeps up to lateDoneMax done marks
// for a later commit.
const (
	maxGroup      = 256
	maxGroupBytes = 4 << 20
	writeQueue    = 256
	// groupLinger is how long the writer waits for more works after the
	// first of a group: a few ms against two fsyncs per transaction.
	groupLinger     = 5 * time.Millisecond
	maxPendingBytes = 64 << 20
	lateDoneMax     = 512
)

// doneTracker is the frontier as the writer sees it.
type doneTracker interface {
	// done marks w's item finished: added links of pushed were queued.
	done(it store.QueueItem, added, pushed int)
	// starved reports whether a worker waits for a commit to queue more.
	starved() bool
}

// writer commits the works of a run to the store: one goroutine, fed by
// the workers through send, groups works so that one transaction (and
// its two disk syncs) serves many, releases their pending URLs, tells the
// frontier and hands each committed work to a callback that counts it.
//
// Bodies waiting in its queue are bounded by maxPendingBytes: send blocks
// until they fit. A work that writes nothing but done marks (a re-crawl's
// unchanged page) is counted at once and its marks wait for a later
// commit, up to lateDoneMax of them, so that a re-crawl that finds
// nothing changed commits a few times instead of once per group of
// requests; if the run is killed before, the resumed run asks for those
// URLs again.
type writer struct {
	st        *store.Store
	front     doneTracker
	pending   *pendingSet
	committed func(w *work, rejected []string) // called for each work once committed (and each done mark batch's work at once)
	fatal     func(error)                      // a failed commit

	in     chan *work
	budget *semaphore.Weighted // raw bytes sent and not committed yet
	stop   chan struct{}       // closed when run returns
	// commitMu makes a commit and the release of its pending URLs one
	// step for the revalidation pass (see between).
	commitMu sync.Mutex

	// Owned by the writer's goroutine.
	late, lateHeld []string // done marks kept for a later commit, and the URLs they hold
	keepLate       bool     // set by close before in is closed
}

func newWriter(st *store.Store, front doneTracker, pending *pendingSet, committed func(*work, []string), fatal func(error)) *writer {
	return &writer{st: st, front: front, pending: pending, committed: committed, fatal: fatal,
		in: make(chan *work, writeQueue), budget: semaphore.NewWeighted(maxPendingBytes), stop: make(chan struct{})}
}

// start runs the writer's goroutine. ctx should not be canceled by a
// stop of the run, so that the work done before the stop is kept.
func (wr *writer) start(ctx context.Context) {
	go func() {
		defer close(wr.stop)
		wr.run(ctx)
	}()
}

// send hands w to the writer, once its raw bytes fit in the budget.
func (wr *writer) send(w *work) {
	if n := min(w.rawBytes(), maxPendingBytes); n > 0 {
		// Cannot fail: the context is never canceled.
		_ = wr.budget.Acquire(context.Background(), n)
	}
	wr.in <- w
}

// close waits until every work sent is committed. The done marks kept
// for later are committed too if keepLate, else dropped (the run is over:
// its seen-set goes with them).
func (wr *writer) close(keepLate bool) {
	wr.keepLate = keepLate
	close(wr.in)
	<-wr.stop
}

// between runs fn between two commits: the store's seen-set and the
// pending set then agree on every URL (committed, or still pending).
func (wr *writer) between(fn func()) {
	wr.commitMu.Lock()
	defer wr.commitMu.Unlock()
	fn()
}

func (wr *writer) run(ctx context.Context) {
	linger := time.NewTimer(0)
	<-linger.C
	for w := range wr.in {
		if w = wr.admit(w); w == nil {
			continue
		}
		// Group commit: each write transaction costs two fsyncs, so wait
		// a moment for more results (workers do not wait for the commit),
		// unless a worker is idle until this commit queues more URLs.
		wait := groupLinger
		if wr.front.starved() {
			wait = 0
		}
		wr.commit(ctx, wr.gather(w, linger, wait))
	}
	if wr.keepLate && len(wr.late) > 0 {
		wr.commit(ctx, []*work{wr.lateWork()})
	}
}

// admit returns w to be committed; a work of done marks only is counted
// and kept for later instead, and the batch of kept marks returned once
// it is full.
func (wr *writer) admit(w *work) *work {
	if !w.onlyDone() {
		return w
	}
	wr.committed(w, nil)
	wr.front.done(w.item, 0, 0)
	wr.late = append(wr.late, w.c.DoneURLs...)
	wr.lateHeld = append(wr.lateHeld, w.held...)
	if len(wr.late) < lateDoneMax {
		return nil
	}
	return wr.lateWork()
}

// lateWork takes the kept done marks as one work.
func (wr *writer) lateWork() *work {
	w := &work{c: store.Commit{DoneURLs: wr.late}, held: wr.lateHeld, marksOnly: true}
	wr.late, wr.lateHeld = nil, nil
	return w
}

// gather returns first and the works that follow it on wr.in within
// wait, up to maxGroup works or maxGroupBytes.
func (wr *writer) gather(first *work, linger *time.Timer, wait time.Duration) []*work {
	group := []*work{first}
	size := first.commitBytes()
	var deadline <-chan time.Time
	if wait > 0 {
		linger.Reset(wait)
		deadline = linger.C
		// Since Go 1.23 a stopped or reset timer delivers no stale tick.
		defer linger.Stop()
	}
	for len(group) < maxGroup && size < maxGroupBytes {
		var w *work
		ok := true
		if deadline == nil {
			select {
			case w, ok = <-wr.in:
			default:
				return group
			}
		} else {
			select {
			case w, ok = <-wr.in:
			case <-deadline:
				return group
			}
		}
		if !ok {
			return group
		}
		if w = wr.admit(w); w != nil {
			group = append(group, w)
			size += w.commitBytes()
		}
	}
	return group
}

// commit writes group in one transaction, then releases its URLs and
// budget and reports each work.
func (wr *writer) commit(ctx context.Context, group []*work) {
	cs := make([]*store.Commit, len(group))
	for i, w := range group {
		cs[i] = &w.c
	}
	var res []store.CommitResult
	var err error
	wr.between(func() {
		res, err = wr.st.CommitAll(ctx, cs)
		for _, w := range group {
			wr.pending.release(w.held)
		}
	})
	if err != nil {
		wr.fatal(fmt.Errorf("crawler: %w", err))
	}
	for i, w := range group {
		if n := min(w.rawBytes(), maxPendingBytes); n > 0 {
			wr.budget.Release(n)
		}
		if w.marksOnly {
			continue
		}
		if res == nil {
			wr.front.done(w.item, 0, len(w.c.Push))
			continue
		}
		wr.committed(w, res[i].Rejected)
		wr.front.done(w.item, res[i].Added, len(w.c.Push))
	}
}
