package crawler

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// Failure reasons of fetching, besides "http-NNN" and the extract.Reason
// values.
const (
	ReasonRobots           = "robots"             // disallowed by robots.txt (never requested)
	ReasonTooLarge         = "too-large"          // body over MaxBodyBytes
	ReasonTimeout          = "timeout"            // the request did not finish within Timeout
	ReasonNetwork          = "network"            // connection or protocol error
	ReasonRedirectLoop     = "redirect-loop"      // a redirect back to a URL of the same chain
	ReasonTooManyRedirects = "too-many-redirects" // more than MaxRedirects hops
	ReasonBadRedirect      = "bad-redirect"       // a redirect without a usable Location
	ReasonOutOfScope       = "out-of-scope"       // a redirect leaving the allowed hosts or prefixes
)

// Crawler fetches a site into a store. Run may be called again for a new,
// incremental run, but not concurrently.
type Crawler struct {
	st           *store.Store
	opts         Options
	scope        *scope
	seeds        []*url.URL
	client       *http.Client
	robotsClient *http.Client
	agent        string
	docHosts     map[string]bool
	running      sync.Mutex

	// sleepHook, set by tests, replaces waiting for backoffs and pauses.
	sleepHook func(ctx context.Context, d time.Duration) error
	// linkSlots, set by tests, sizes the link cache (default
	// linkCacheSlots, a power of two).
	linkSlots int
	// sitemapBytes, set by tests, caps a sitemap file (default
	// maxSitemapBytes).
	sitemapBytes int64
}

// New checks opts and returns a Crawler writing to st.
func New(st *store.Store, opts Options) (*Crawler, error) {
	if st == nil {
		return nil, errors.New("crawler: nil store")
	}
	if len(opts.Seeds) == 0 {
		return nil, errors.New("crawler: no seed URLs")
	}
	opts = opts.withDefaults()
	opts.AllowedPrefixes = append([]string(nil), opts.AllowedPrefixes...)
	c := &Crawler{st: st, opts: opts, agent: agentToken(opts.UserAgent), docHosts: map[string]bool{}}
	for _, h := range opts.DocumentHosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			c.docHosts[h] = true
		}
	}
	for _, s := range opts.Seeds {
		norm, err := NormalizeURL(s)
		if err != nil {
			return nil, fmt.Errorf("crawler: seed %q: %w", s, err)
		}
		u, _ := url.Parse(norm)
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("crawler: seed %q: %w: only http and https are crawled", s, ErrInvalidURL)
		}
		c.seeds = append(c.seeds, u)
	}
	var seedStrings []string
	for _, u := range c.seeds {
		seedStrings = append(seedStrings, u.String())
	}
	sc, err := newScope(seedStrings, opts.AllowedHosts, opts.AllowedPrefixes)
	if err != nil {
		return nil, fmt.Errorf("crawler: scope: %w", err)
	}
	c.scope = sc
	for _, u := range c.seeds {
		if !sc.allows(u) {
			return nil, fmt.Errorf("crawler: seed %s is outside the allowed hosts and prefixes", u)
		}
	}
	base := http.Client{}
	if opts.Client != nil {
		base = *opts.Client
	}
	if base.Transport == nil {
		// The default keeps 2 idle connections per host: too few for
		// Concurrency workers, which would then dial for most requests.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = max(opts.Concurrency, 2)
		base.Transport = t
	}
	cp := base
	c.client = &cp
	c.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	rc := base
	c.robotsClient = &rc
	c.robotsClient.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
		if len(via) > maxRobotsRedirects {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return c, nil
}

// run is the state of one Run.
type run struct {
	*Crawler
	robotsCache robotsCache
	hosts       *hosts
	front       *frontier
	start       time.Time
	resumed     bool

	writes  chan *work
	skew    atomic.Int64 // how far simulated sleeps moved the clock (tests)
	known   *linkCache   // links handed to the frontier, as far as it remembers
	pending pendingSet   // URLs handed out or pushed, not committed yet
	// commitMu makes a commit and the release of its pending URLs one
	// step for the revalidation pass, which reads the seen-set and the
	// pending set under it (see passItems).
	commitMu  sync.Mutex
	passAfter string // the revalidation pass's position (guarded by the frontier)
	// followUnchanged: follow the links of unchanged pages too (see
	// Options.Rediscover).
	followUnchanged bool

	pendingMu    sync.Mutex // bounds the raw bytes waiting for the writer
	pendingCond  *sync.Cond
	pendingBytes int64

	lateMu   sync.Mutex
	lateDone []string // URLs done whose seen-set mark waits for a commit
	lateHeld []string // those of them held in the pending set

	variants variants // query strings queued per path

	mu      sync.Mutex // guards the fields below
	sum     Summary
	done    int
	failed  int
	perHost map[string]int
	progMu  sync.Mutex
	errOnce sync.Once
	err     error
	cancel  context.CancelFunc
}

// Run crawls from the seeds until the frontier is empty, MaxPages
// documents were fetched or ctx is done. It returns the summary so far and
// ctx's error if ctx ended the run, or the first store error.
//
// The frontier lives in the store: a run that did not finish (killed,
// canceled, or stopped by MaxPages) is resumed by the next Run on the same
// store, which fetches only what the interrupted run had not stored yet.
func (c *Crawler) Run(ctx context.Context) (*Summary, error) {
	if !c.running.TryLock() {
		return nil, errors.New("crawler: run already in progress")
	}
	defer c.running.Unlock()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := c.newRun(cancel)
	var seeds []string
	for _, u := range c.seeds {
		seeds = append(seeds, u.String())
	}
	discovery := c.opts.discoveryKey()
	last, err := c.st.LastRun(runCtx)
	if err != nil {
		return &r.sum, fmt.Errorf("crawler: %w", err)
	}
	r.followUnchanged = c.opts.Rediscover || last == nil || last.Discovery != discovery
	resumed, err := c.st.BeginRun(runCtx, store.RunInfo{Started: r.start.UTC(), Seeds: seeds, Discovery: discovery})
	if err != nil {
		return &r.sum, fmt.Errorf("crawler: %w", err)
	}
	r.resumed = resumed
	queued, err := c.st.QueueLen(runCtx)
	if err != nil {
		return &r.sum, fmt.Errorf("crawler: %w", err)
	}
	r.front = newFrontier(c.st, c.opts.MaxPages, c.opts.MaxQueued, queued, func() ([]store.QueueItem, bool, error) { return r.passItems(runCtx) })
	stop := context.AfterFunc(runCtx, r.front.stop)
	defer stop()
	if resumed {
		c.opts.Logger.Info("resuming an unfinished crawl", "queued", queued)
	}

	// Seeds and sitemaps are queued once per run; a resumed run has them.
	if !resumed {
		var items []store.QueueItem
		for _, s := range seeds {
			items = append(items, store.QueueItem{URL: s})
		}
		enqueue := func() error {
			added, _, err := c.st.Enqueue(runCtx, items, nil)
			if err != nil && runCtx.Err() == nil {
				return fmt.Errorf("crawler: %w", err)
			}
			r.front.added(added)
			return nil
		}
		if err := enqueue(); err != nil {
			return &r.sum, err
		}
		if c.opts.MaxDepth >= 1 {
			// Sitemap URLs are read and queued a chunk at a time, so
			// that a sitemap of 50,000 URLs is never in memory at once.
			err := r.sitemapURLs(runCtx, c.seeds, func(locs []sitemapURL) error {
				items = items[:0]
				for _, s := range locs {
					if u, ok := r.inScope(s.loc); ok {
						items = append(items, store.QueueItem{URL: u.String(), Depth: 1, Lastmod: s.lastmod})
					}
				}
				// The frontier's cap holds for sitemap URLs too.
				if room := r.front.room(); len(items) > room {
					r.capFrontier(len(items) - room)
					items = items[:room]
				}
				return enqueue()
			})
			if err != nil {
				return &r.sum, err
			}
		}
	}

	// The revalidation pass starts once the seeds and sitemap URLs are
	// queued (and so seen): it leaves those to the queue.
	feeding := make(chan struct{})
	go func() {
		defer close(feeding)
		r.front.feedPass(runCtx)
	}()

	// Workers fetch and extract; one writer commits their work to the
	// store in groups, one transaction (and disk sync) per group.
	r.writes = make(chan *work, writeQueue)
	r.pendingCond = sync.NewCond(&r.pendingMu)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		r.writer(context.WithoutCancel(runCtx))
	}()
	var wg sync.WaitGroup
	for range c.opts.Concurrency {
		wg.Go(func() {
			for {
				it, ok := r.front.next(runCtx)
				if !ok {
					return
				}
				w, err := r.process(runCtx, it)
				if err != nil {
					r.fatal(err)
				}
				if w == nil {
					r.front.done(it, 0, 0) // left queued for the next run
					continue
				}
				if w.onlyDone() {
					r.doneLater(w)
					continue
				}
				r.reserve(w)
				r.writes <- w
			}
		})
	}
	wg.Wait()
	r.front.stop() // ends feedPass if the run stopped early
	<-feeding
	// Every work but the late done marks is committed now. The run is over
	// if nothing is left to hand out; its done marks would then be dropped
	// with its seen-set at once, so they are not written.
	over := r.err == nil && ctx.Err() == nil && r.front.passed()
	if over {
		n, err := c.st.QueueLen(ctx)
		over = err == nil && n == 0
	}
	if !over {
		r.flushDone()
	}
	close(r.writes)
	<-writerDone
	if r.front.err != nil {
		r.fatal(fmt.Errorf("crawler: %w", r.front.err))
	}

	finished := false
	if over && r.err == nil {
		if err := c.st.EndRun(ctx); err != nil {
			r.fatal(fmt.Errorf("crawler: %w", err))
		} else {
			finished = true
		}
	}

	r.mu.Lock()
	sum := r.sum
	sum.Failed = maps.Clone(r.sum.Failed)
	sum.Capped = maps.Clone(r.sum.Capped)
	r.mu.Unlock()
	sum.Seconds = time.Since(r.start).Seconds()
	if len(sum.Capped) > 0 {
		args := []any{"max_queued", c.opts.MaxQueued, "max_query_variants", c.opts.MaxQueryVariants}
		for _, k := range slices.Sorted(maps.Keys(sum.Capped)) {
			args = append(args, k, sum.Capped[k])
		}
		c.opts.Logger.Info("crawl bounds left URLs out", args...)
	}
	c.opts.Logger.Info("crawl finished", "fetched", sum.Fetched, "new", sum.New, "changed", sum.Changed,
		"unchanged", sum.Unchanged, "gone", sum.Gone, "failed", sum.FailedTotal(), "capped", sum.CappedTotal(),
		"seconds", sum.Seconds, "resumed", resumed, "complete", finished)
	if r.err != nil {
		return &sum, r.err
	}
	if err := ctx.Err(); err != nil {
		return &sum, err
	}
	return &sum, nil
}

func (c *Crawler) newRun(cancel context.CancelFunc) *run {
	r := &run{
		Crawler:     c,
		robotsCache: robotsCache{entries: map[string]*robotsEntry{}},
		hosts: &hosts{m: map[string]*host{}, conc: c.opts.HostConcurrency, delay: c.opts.Delay,
			limit: c.opts.HostFailures, pause: c.opts.HostPause, maxStop: c.opts.HostPauses},
		start:    time.Now(),
		cancel:   cancel,
		perHost:  map[string]int{},
		known:    newLinkCache(cmp.Or(c.linkSlots, linkCacheSlots)),
		pending:  pendingSet{m: map[string]struct{}{}},
		variants: variants{max: c.opts.MaxQueryVariants, m: map[uint64][]uint64{}, seed: maphash.MakeSeed()},
	}
	r.sum.Failed = map[string]int{}
	r.sum.Capped = map[string]int{}
	return r
}

func (r *run) fatal(err error) {
	r.errOnce.Do(func() {
		r.err = err
		r.cancel()
	})
}

// inScope normalises raw and reports whether it may be crawled.
func (r *run) inScope(raw string) (*url.URL, bool) {
	norm, err := NormalizeURL(raw)
	if err != nil {
		return nil, false
	}
	u, err := url.Parse(norm)
	if err != nil || !r.scope.allows(u) {
		return nil, false
	}
	return u, true
}

// offsiteDocument reports whether u (normalised, out of scope) is a
// document that may be fetched one hop off-site.
func (r *run) offsiteDocument(u *url.URL) bool {
	if !r.opts.OffsiteDocuments || (u.Scheme != "http" && u.Scheme != "https") || !isDocumentURL(u) {
		return false
	}
	return len(r.docHosts) == 0 || r.docHosts[u.Host] || r.docHosts[u.Hostname()]
}

// passChunk is how many stored heads the revalidation pass reads at once.
const passChunk = 256

// passItems returns the next stored URLs to revalidate, and whether the
// pass is over. This revalidation pass hands out, whenever the queue is
// empty, each stored URL that this run has not queued or fetched yet, at
// its stored depth, with its stored head: every URL of an earlier crawl is
// requested again (conditionally), including pages no longer linked (so
// that a removed page is noticed as gone), redirects, failures and pages
// already gone (which may come back). Unless r.followUnchanged, the links
// of a page that turns out unchanged are not followed again: the last
// finished run, with the same options, followed them to URLs that are
// stored, and so are in the pass. A re-crawl thus neither waits for
// commits to find its next URL nor queues each URL on disk. The links of
// new and changed pages are queued as usual.
func (r *run) passItems(ctx context.Context) ([]store.QueueItem, bool, error) {
	for {
		var items []store.QueueItem
		// The item is not queued nor marked seen on disk until its commit
		// marks it done, so it is held in the pending set, which links go
		// through too, until then: the pass and a link cannot both take a
		// URL. The seen-set read and the pending set agree under commitMu:
		// a URL is either committed (seen) or still pending.
		r.commitMu.Lock()
		last, err := r.st.Unseen(ctx, r.passAfter, passChunk, func(rec *store.Record) {
			if it, ok := r.revalidation(rec); ok && r.pending.hold(it.URL) {
				r.known.add(it.URL)
				items = append(items, it)
			}
		})
		r.commitMu.Unlock()
		if err != nil {
			return nil, false, fmt.Errorf("crawler: revalidation pass: %w", err)
		}
		r.passAfter = last
		if len(items) > 0 || last == "" {
			return items, last == "", nil
		}
	}
}

// revalidation returns the queue item revalidating rec, if its URL is
// still within the crawl's depth and scope (or an off-site document).
func (r *run) revalidation(rec *store.Record) (store.QueueItem, bool) {
	if rec.Depth > r.opts.MaxDepth {
		return store.QueueItem{}, false
	}
	// Stored URLs are normalised (they are the keys the crawler wrote).
	u, err := url.Parse(rec.URL)
	if err != nil {
		return store.QueueItem{}, false
	}
	it := store.QueueItem{URL: rec.URL, Depth: rec.Depth, Prev: rec}
	if !r.scope.allows(u) {
		if !r.offsiteDocument(u) {
			return store.QueueItem{}, false
		}
		it.Leaf = true
	}
	return it, true
}

// outcome is how one document ended.
type outcome int

func (o outcome) String() string {
	return [...]string{"new", "changed", "unchanged", "gone", "failed"}[o]
}

const (
	outNew outcome = iota
	outChanged
	outUnchanged
	outGone
	outFailed
)

// work collects what processing one queue item leads to, committed to the
// store in one transaction and counted once committed.
type work struct {
	item     store.QueueItem
	c        store.Commit
	outcomes []counted
	rejects  map[string]string // url -> trap reason
	held     []string          // URLs this work holds in the run's pending set
	progress bool              // a document was handled (for Progress)
	// marksOnly is set for a batch of done marks (flushDone): counted and
	// done in the frontier already.
	marksOnly bool
}

type counted struct {
	o      outcome
	reason string
}

func (w *work) count(o outcome, reason string) { w.outcomes = append(w.outcomes, counted{o, reason}) }

func (w *work) put(rec *store.Record, raw []byte, dedupe bool) {
	w.c.Records = append(w.c.Records, store.Put{Record: rec, Raw: raw, Dedupe: dedupe})
}

func (w *work) reject(u, reason string) {
	if w.rejects == nil {
		w.rejects = map[string]string{}
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

// lateDoneMax is how many done marks wait for a commit at most.
const lateDoneMax = 512

// doneLater counts w (see onlyDone) at once and leaves its done marks to a
// later commit, with up to lateDoneMax others: a re-crawl that finds
// nothing changed then commits a few times instead of once per group of
// requests. If the run is killed before, the resumed run asks for those
// URLs again.
func (r *run) doneLater(w *work) {
	r.counted(w, nil)
	if w.progress {
		r.progress()
	}
	r.front.done(w.item, 0, 0)
	r.lateMu.Lock()
	r.lateDone = append(r.lateDone, w.c.DoneURLs...)
	r.lateHeld = append(r.lateHeld, w.held...)
	full := len(r.lateDone) >= lateDoneMax
	r.lateMu.Unlock()
	if full {
		r.flushDone()
	}
}

// flushDone hands the waiting done marks to the writer.
func (r *run) flushDone() {
	r.lateMu.Lock()
	urls, held := r.lateDone, r.lateHeld
	r.lateDone, r.lateHeld = nil, nil
	r.lateMu.Unlock()
	if len(urls) > 0 {
		r.writes <- &work{c: store.Commit{DoneURLs: urls}, held: held, marksOnly: true}
	}
}

// commit hands w to the writer.
func (r *run) commit(_ context.Context, w *work) (*work, error) { return w, nil }

// The writer commits up to maxGroup works, and about maxGroupBytes of
// transaction (see commitBytes), in one transaction, from a queue of
// writeQueue works holding at most maxPendingBytes of raw bodies (one body
// larger than that may wait alone).
const (
	maxGroup      = 256
	maxGroupBytes = 4 << 20
	writeQueue    = 256
	// groupLinger is how long the writer waits for more works after the
	// first of a group: a few ms against two fsyncs per transaction.
	groupLinger     = 5 * time.Millisecond
	maxPendingBytes = 64 << 20
)

// commitBytes estimates the heap that w's part of a bbolt transaction
// takes until the commit. bbolt copies each page the transaction changes
// into a buffer of its own, neighbours included: a record's bytes count
// twice, and each queued URL a page (a new key of the seen-set lands on a
// leaf of its own once the set is larger than the group, so a group of
// listing pages with 100 new links each changed some 3,400 pages, 22 MB,
// on a 100k-page site).
func commitBytes(w *work) int {
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

func workBytes(w *work) int64 {
	var n int64
	for _, p := range w.c.Records {
		n += int64(len(p.Raw))
	}
	return n
}

// reserve waits until w's raw bytes fit in the writer's budget.
func (r *run) reserve(w *work) {
	n := workBytes(w)
	r.pendingMu.Lock()
	for r.pendingBytes > 0 && r.pendingBytes+n > maxPendingBytes {
		r.pendingCond.Wait()
	}
	r.pendingBytes += n
	r.pendingMu.Unlock()
}

func (r *run) unreserve(w *work) {
	r.pendingMu.Lock()
	r.pendingBytes -= workBytes(w)
	r.pendingCond.Broadcast()
	r.pendingMu.Unlock()
}

// writer commits works from r.writes in groups, counts their outcomes and
// tells the frontier. It runs until r.writes is closed; ctx is not
// canceled by a stop, so that work done before the stop is kept.
func (r *run) writer(ctx context.Context) {
	linger := time.NewTimer(0)
	<-linger.C
	for w := range r.writes {
		// Group commit: each write transaction costs two fsyncs, so wait
		// a moment for more results (workers do not wait for the commit),
		// unless a worker is idle until this commit queues more URLs.
		wait := groupLinger
		if r.front.starved() {
			wait = 0
		}
		group := r.gather(w, linger, wait)
		cs := make([]*store.Commit, len(group))
		for i, w := range group {
			cs[i] = &w.c
		}
		r.commitMu.Lock()
		res, err := r.st.CommitAll(ctx, cs)
		for _, w := range group {
			r.pending.release(w.held)
		}
		r.commitMu.Unlock()
		if err != nil {
			r.fatal(fmt.Errorf("crawler: %w", err))
		}
		for i, w := range group {
			r.unreserve(w)
			if w.marksOnly {
				continue
			}
			if res == nil {
				r.front.done(w.item, 0, len(w.c.Push))
				continue
			}
			r.counted(w, res[i].Rejected)
			if w.progress {
				r.progress()
			}
			r.front.done(w.item, res[i].Added, len(w.c.Push))
		}
	}
}

// gather returns first and the works that follow it on r.writes within
// wait, up to maxGroup works or maxGroupBytes.
func (r *run) gather(first *work, linger *time.Timer, wait time.Duration) []*work {
	group := []*work{first}
	size := commitBytes(first)
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
			case w, ok = <-r.writes:
			default:
				return group
			}
		} else {
			select {
			case w, ok = <-r.writes:
			case <-deadline:
				return group
			}
		}
		if !ok {
			return group
		}
		group = append(group, w)
		size += commitBytes(w)
	}
	return group
}

// counted adds w's outcomes to the summary.
func (r *run) counted(w *work, rejected []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, oc := range w.outcomes {
		switch oc.o {
		case outNew:
			r.sum.New++
		case outChanged:
			r.sum.Changed++
		case outUnchanged:
			r.sum.Unchanged++
		case outGone:
			r.sum.Gone++
		case outFailed:
			r.sum.Failed[oc.reason]++
			r.failed++
		}
	}
	for _, u := range rejected {
		r.sum.Failed[w.rejects[u]]++
	}
}

func (r *run) countRequest() {
	r.mu.Lock()
	r.sum.Fetched++
	r.mu.Unlock()
}

func (r *run) progress() {
	if r.opts.Progress == nil {
		return
	}
	r.mu.Lock()
	r.done++
	p := Progress{Resumed: r.resumed, Requests: r.sum.Fetched, Fetched: r.done, Failed: r.failed, Elapsed: time.Since(r.start)}
	r.mu.Unlock()
	p.Queued = r.front.queuedNow()
	r.progMu.Lock()
	defer r.progMu.Unlock()
	r.opts.Progress(p)
}

// lookup returns the stored record of u without its text (store.Peek),
// or nil.
func (r *run) lookup(ctx context.Context, u string) (*store.Record, error) {
	rec, err := r.st.Peek(ctx, u)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return rec, err
}

// full returns prev whole (read again if lookup left out its text), for
// a record to be stored back.
func (r *run) full(ctx context.Context, prev *store.Record) (*store.Record, error) {
	if prev == nil || !prev.Partial() {
		return prev, nil
	}
	return r.st.Get(ctx, prev.URL)
}

// hostQuota counts a document for u's host and reports whether the host
// is still within MaxPagesPerHost.
func (r *run) hostQuota(host string) bool {
	if r.opts.MaxPagesPerHost <= 0 {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.perHost[host] >= r.opts.MaxPagesPerHost {
		return false
	}
	r.perHost[host]++
	return true
}

// fresh reports whether prev, a stored copy, is at least as new as the
// sitemap's lastmod, so that the URL need not be requested again.
func fresh(prev *store.Record, lastmod time.Time) bool {
	return !lastmod.IsZero() && prev != nil && prev.Page != nil && !prev.Gone && prev.ErrReason == "" &&
		prev.Status == http.StatusOK && !prev.FetchedAt.Before(lastmod)
}

// process fetches one queue item and returns what came of it, to be
// committed; nil leaves the item queued (the run is stopping). It returns
// only errors that must end the run.
func (r *run) process(ctx context.Context, it store.QueueItem) (out *work, err error) {
	w := &work{item: it, c: store.Commit{Done: it.Key}}
	defer func() {
		if out == nil { // the links w reserved room for are not pushed
			r.front.unreserve(len(w.c.Push))
		}
	}()
	if it.Prev != nil { // from the revalidation pass: not in the queue, held
		w.c.DoneURLs = []string{it.URL}
		w.held = []string{it.URL}
	}
	u, err := url.Parse(it.URL)
	if err != nil { // cannot happen: items are normalised
		r.front.refund()
		return r.commit(ctx, w)
	}
	// Logger.With would allocate for every URL, though debug lines are
	// rarely enabled.
	debug := func(msg string, args ...any) {
		r.opts.Logger.Debug(msg, append([]any{"url", it.URL, "depth", it.Depth}, args...)...)
	}
	if !r.hostQuota(u.Host) {
		r.front.refund()
		w.count(outFailed, ReasonHostLimit)
		return r.commit(ctx, w)
	}
	rules := r.robots(ctx, u)
	if ctx.Err() != nil {
		return nil, nil
	}
	if !rules.allowed(u) {
		r.front.refund()
		debug("disallowed by robots.txt")
		w.count(outFailed, ReasonRobots)
		return r.commit(ctx, w)
	}
	prev := it.Prev // the pass's head, without links
	if prev == nil || r.followUnchanged {
		if prev, err = r.lookup(ctx, it.URL); err != nil {
			if ctx.Err() != nil {
				return nil, nil
			}
			return nil, err
		}
	}
	w.progress = true
	if fresh(prev, it.Lastmod) {
		r.front.refund()
		debug("unchanged since the sitemap's lastmod: not requested")
		w.count(outUnchanged, "")
		if r.followUnchanged {
			r.follow(w, prev, it.Depth)
		}
		return r.commit(ctx, w)
	}
	res := r.fetch(ctx, u, prev, it.Leaf)
	if ctx.Err() != nil {
		return nil, nil
	}
	if res.reason == "store" {
		return nil, res.err
	}
	w.c.DoneURLs = append(w.c.DoneURLs, res.claimed...)
	if res.reason != "" {
		debug("fetch failed", "reason", res.reason, "err", res.err)
		if err := r.fail(ctx, w, it.URL, it.Depth, prev, res.status, res.reason, res.err); err != nil {
			if ctx.Err() != nil {
				return nil, nil
			}
			return nil, err
		}
		return r.commit(ctx, w)
	}
	if n := len(res.hops); n > 1 || res.stopAt != "" {
		target := res.stopAt
		redirecting := res.hops
		if target == "" {
			target = res.final.String()
			redirecting = res.hops[:n-1]
		}
		for i, h := range redirecting {
			hp := prev
			if i > 0 {
				if hp, err = r.lookup(ctx, h.String()); err != nil {
					if ctx.Err() != nil {
						return nil, nil
					}
					return nil, err
				}
			}
			r.storeRedirect(w, it.Depth, h.String(), target, res.status, hp)
		}
		debug("redirected", "to", target)
		if res.stopAt != "" {
			return r.commit(ctx, w)
		}
	}
	if err := r.document(ctx, w, it.Depth, res.final, res.prev, res.status, res.header, res.body, it.Leaf); err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, nil
	}
	return r.commit(ctx, w)
}

// storeRedirect records that u redirects to target, which holds its content.
func (r *run) storeRedirect(w *work, depth int, u, target string, status int, prev *store.Record) {
	rec := &store.Record{URL: u, FinalURL: target, DuplicateOf: target, Depth: depth, FetchedAt: time.Now().UTC(), Status: status}
	switch {
	case prev == nil:
		w.count(outNew, "")
	case prev.FinalURL == target && prev.DuplicateOf == target && prev.ErrReason == "" && prev.Status == status:
		w.count(outUnchanged, "")
		return // nothing to write: the stored redirect still holds
	default:
		w.count(outChanged, "")
	}
	w.put(rec, nil, false)
}

// fail records a failed fetch. A previously good record keeps its content
// and only notes the error.
func (r *run) fail(ctx context.Context, w *work, u string, depth int, prev *store.Record, status int, reason string, cause error) error {
	w.count(outFailed, reason)
	msg := reason
	if cause != nil {
		msg = cause.Error()
	}
	if prev != nil && prev.Page != nil && !prev.Gone {
		prev, err := r.full(ctx, prev)
		if err != nil {
			return err
		}
		rec := *prev
		rec.Err, rec.ErrReason = msg, reason
		r.follow(w, &rec, depth)
		w.put(&rec, nil, false)
		return nil
	}
	w.put(&store.Record{URL: u, Depth: depth, FetchedAt: time.Now().UTC(), Status: status, Err: msg, ErrReason: reason}, nil, false)
	return nil
}

// document handles the final response for u.
func (r *run) document(ctx context.Context, w *work, depth int, u *url.URL, prev *store.Record, status int, header http.Header, body []byte, leaf bool) error {
	now := time.Now().UTC()
	us := u.String()
	switch {
	case status == http.StatusNotModified:
		if prev == nil || prev.Page == nil {
			return r.fail(ctx, w, us, depth, prev, status, "http-304", errors.New("304 Not Modified without a stored copy"))
		}
		rec := *prev
		rec.Err, rec.ErrReason = "", ""
		if v := header.Get("ETag"); v != "" {
			rec.ETag = v
		}
		if v := header.Get("Last-Modified"); v != "" {
			rec.LastModified = v
		}
		w.count(outUnchanged, "")
		if !leaf && r.followUnchanged {
			r.follow(w, &rec, depth)
		}
		if rec.ETag == prev.ETag && rec.LastModified == prev.LastModified && prev.ErrReason == "" && prev.Err == "" {
			// Nothing to write: the stored record is still true (its
			// FetchedAt stays the time its content was last fetched).
			return nil
		}
		full, err := r.full(ctx, prev)
		if err != nil {
			return err
		}
		etag, lastmod := rec.ETag, rec.LastModified
		rec = *full
		rec.ETag, rec.LastModified = etag, lastmod
		rec.Err, rec.ErrReason = "", ""
		rec.FetchedAt, rec.Depth = now, depth
		r.dedupe(w, &rec, nil)
		return nil

	case status == http.StatusNotFound || status == http.StatusGone:
		prev, err := r.full(ctx, prev)
		if err != nil {
			return err
		}
		if prev != nil && prev.Gone {
			w.count(outUnchanged, "")
			if prev.Status == status {
				return nil // still gone: nothing to write
			}
			rec := *prev
			rec.FetchedAt, rec.Status = now, status
			w.put(&rec, nil, false)
			return nil
		}
		if prev != nil && (prev.Page != nil || prev.Hash != "") {
			rec := *prev
			rec.FetchedAt, rec.Status, rec.Gone = now, status, true
			rec.Err, rec.ErrReason = "", ""
			w.count(outGone, "")
			w.put(&rec, nil, false)
			return nil
		}
		return r.fail(ctx, w, us, depth, prev, status, fmt.Sprintf("http-%d", status), nil)

	case status < 200 || status > 299:
		return r.fail(ctx, w, us, depth, prev, status, fmt.Sprintf("http-%d", status), nil)
	}

	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	rec := &store.Record{
		URL: us, FinalURL: us, Depth: depth, FetchedAt: now, Status: status,
		ContentType: header.Get("Content-Type"), ETag: header.Get("ETag"),
		LastModified: header.Get("Last-Modified"), Hash: hash, Size: int64(len(body)),
	}
	rec.Lang, rec.TranslationKey = localeVariant(u)
	if leaf && extract.Sniff(rec.ContentType, body) == "html" {
		return r.fail(ctx, w, us, depth, prev, status, ReasonOffsitePage, fmt.Errorf("an off-site link to a web page, not a document"))
	}
	out := outNew
	if prev != nil && prev.Hash != "" {
		out = outChanged
	}
	if prev != nil && prev.Hash == hash && prev.Page != nil {
		full, err := r.full(ctx, prev)
		if err != nil {
			return err
		}
		rec.Page, rec.Canonical = full.Page, full.Canonical
		out = outUnchanged
	} else {
		page, err := extract.Extract(ctx, body, rec.ContentType, u, r.opts.Extract)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			reason := string(extract.ReasonOf(err))
			if reason == "" {
				reason = "extract"
			}
			w.count(outFailed, reason)
			rec.Err, rec.ErrReason = err.Error(), reason
			r.opts.Logger.Debug("extraction failed", "url", us, "reason", reason, "err", err)
			w.put(rec, body, false)
			return nil
		}
		rec.Page = page
		if page.Canonical != "" {
			if cu, err := NormalizeURL(page.Canonical); err == nil {
				rec.Canonical = cu
			}
		}
	}
	w.count(out, "")
	r.opts.Logger.Debug("fetched", "url", us, "status", status, "bytes", len(body), "outcome", out)
	if !leaf && (out != outUnchanged || r.followUnchanged) {
		r.follow(w, rec, depth)
	}
	r.dedupe(w, rec, body)
	return nil
}

// follow queues the links of rec's page one level deeper: those in
// scope, and documents one hop off-site if allowed; trap-like URLs are
// refused.
func (r *run) follow(w *work, rec *store.Record, depth int) {
	if rec.Page == nil || rec.Page.NoFollow || depth+1 > r.opts.MaxDepth {
		return
	}
	now := time.Now()
	for _, l := range rec.Page.Links {
		if !r.known.add(l) {
			continue // this very link was followed already in this run
		}
		u, err := normalize(l)
		if err != nil {
			continue
		}
		norm := u.String()
		if norm != l && !r.known.add(norm) {
			continue // handed to the frontier already in this run
		}
		leaf := false
		if !r.scope.allows(u) {
			if !r.offsiteDocument(u) {
				continue
			}
			leaf = true
		}
		if reason := r.opts.trap(u, now); reason != "" {
			r.opts.Logger.Debug("link refused", "url", norm, "reason", reason)
			w.reject(norm, reason)
			continue
		}
		if !r.variants.allow(u) {
			r.capVariant(u)
			continue
		}
		r.push(w, store.QueueItem{URL: norm, Depth: depth + 1, Leaf: leaf})
	}
}

// push adds it to w's links to queue, unless its URL is pending (handed
// out by the revalidation pass or pushed by another work, and not
// committed yet) or the frontier is full. w holds the URL, and its room
// in the frontier, until its commit.
func (r *run) push(w *work, it store.QueueItem) {
	if !r.pending.hold(it.URL) {
		return
	}
	if !r.front.reserve() {
		r.pending.release([]string{it.URL})
		r.capFrontier(1)
		return
	}
	w.held = append(w.held, it.URL)
	w.c.Push = append(w.c.Push, it)
}

// countCapped counts one thing left out by the bound named cap.
func (r *run) countCapped(cap string) {
	r.mu.Lock()
	r.sum.Capped[cap]++
	r.mu.Unlock()
}

// capFrontier counts n URLs not queued because the frontier was full,
// saying so at INFO the first time.
func (r *run) capFrontier(n int) {
	r.mu.Lock()
	first := r.sum.Capped[CapFrontier] == 0
	r.sum.Capped[CapFrontier] += n
	r.mu.Unlock()
	if first {
		r.opts.Logger.Info("frontier full: links found are not queued until it drains", "max_queued", r.opts.MaxQueued)
	}
}

// capVariant counts a URL not queued because its path had
// MaxQueryVariants query strings queued, saying so at INFO the first time
// of the run.
func (r *run) capVariant(u *url.URL) {
	r.mu.Lock()
	first := r.sum.Capped[CapQueryVariants] == 0
	r.sum.Capped[CapQueryVariants]++
	r.mu.Unlock()
	if first {
		r.opts.Logger.Info("query variants capped: more query strings of a path are not queued",
			"path", u.Scheme+"://"+u.Host+u.EscapedPath(), "max_query_variants", r.opts.MaxQueryVariants)
	}
}

// variants remembers, per scheme, host and path, the distinct query
// strings queued in the run, up to max: one more is refused. It holds a
// 64-bit hash per path that has a query string and per variant, so it
// grows with the site's paths that have query strings, by at most max
// words each.
type variants struct {
	mu   sync.Mutex
	seed maphash.Seed
	max  int
	m    map[uint64][]uint64
}

// allow reports whether u may be queued: it has no query string, its
// query string was allowed before, or its path has fewer than max.
func (v *variants) allow(u *url.URL) bool {
	if u.RawQuery == "" {
		return true
	}
	p := maphash.String(v.seed, u.Scheme+"://"+u.Host+u.EscapedPath())
	q := maphash.String(v.seed, u.RawQuery)
	v.mu.Lock()
	defer v.mu.Unlock()
	qs := v.m[p]
	if slices.Contains(qs, q) {
		return true
	}
	if len(qs) >= v.max {
		return false
	}
	v.m[p] = append(qs, q)
	return true
}

// dedupe sets rec.DuplicateOf to a declared canonical URL in scope (and
// queues it), or asks the commit to point it at another live URL holding
// the same bytes, and adds rec to the commit.
func (r *run) dedupe(w *work, rec *store.Record, raw []byte) {
	rec.DuplicateOf = ""
	if rec.Canonical != "" && rec.Canonical != rec.URL && rec.Canonical != rec.FinalURL {
		if cu, ok := r.inScope(rec.Canonical); ok {
			rec.DuplicateOf = cu.String()
			r.push(w, store.QueueItem{URL: rec.DuplicateOf, Depth: rec.Depth})
		}
	}
	w.put(rec, raw, rec.Hash != "")
}

// linkCache remembers, in a fixed-size table, hashes of the links this
// run has already handed to the frontier, so that links met again (the
// stored links of unchanged pages, the menu on every page) are neither
// parsed again nor sent through the store. It is only a cache: a URL it
// forgot (its slot taken by another) is looked up in the store's seen-set
// again, and the pending set, not the cache, keeps a URL from being taken
// twice. Its memory does not depend on the site: linkCacheSlots words.
type linkCache struct {
	mu    sync.Mutex
	seed  maphash.Seed
	slots []uint64 // a power of two
}

// linkCacheSlots is the size of a run's linkCache: 1 MiB.
const linkCacheSlots = 1 << 17

// newLinkCache returns a cache of n slots, a power of two.
func newLinkCache(n int) *linkCache {
	return &linkCache{seed: maphash.MakeSeed(), slots: make([]uint64, n)}
}

// add records u and reports whether it was not remembered. Two URLs are
// taken for one only if their 64-bit hashes are equal.
func (k *linkCache) add(u string) bool {
	h := maphash.String(k.seed, u) | 1 // 0 is an empty slot
	i := h & uint64(len(k.slots)-1)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.slots[i] == h {
		return false
	}
	k.slots[i] = h
	return true
}

// pendingSet holds the URLs that the revalidation pass handed out or that
// a work pushes, until the commit that marks them seen in the store:
// between the two, the store alone cannot tell that the URL is taken. It
// holds only URLs of work in progress (read ahead, being fetched, waiting
// for the writer), so its size follows the concurrency and the write
// queue, not the site.
type pendingSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

// hold takes u and reports whether it was not held already.
func (p *pendingSet) hold(u string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[u]; ok {
		return false
	}
	p.m[u] = struct{}{}
	return true
}

// release lets go of urls, held by one work.
func (p *pendingSet) release(urls []string) {
	if len(urls) == 0 {
		return
	}
	p.mu.Lock()
	for _, u := range urls {
		delete(p.m, u)
	}
	p.mu.Unlock()
}
