package crawler

import (
	"cmp"
	"context"
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

	"github.com/kbsearch/kbsearch/crawler/store"
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

// run is the state of one Run: the crawler's configuration, and what the
// run's workers share, each part guarding itself.
type run struct {
	c    *Crawler
	st   *store.Store
	opts Options

	start           time.Time
	resumed         bool                    // the run continues an unfinished one
	followUnchanged bool                    // follow the links of unchanged pages too (see Options.Rediscover)
	fatal           context.CancelCauseFunc // ends the run with an error, unless one ended it already

	robotsCache robotsCache
	hosts       *hosts
	front       *frontier
	writer      *writer
	tally       *tally
	known       *linkCache   // links handed to the frontier, as far as it remembers
	pending     *pendingSet  // URLs handed out or pushed, not committed yet
	variants    variants     // query strings queued per path
	passAfter   string       // the revalidation pass's position (guarded by the frontier)
	skew        atomic.Int64 // how far simulated sleeps moved the clock (tests)
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
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := c.newRun(cancel)
	if err := r.begin(runCtx); err != nil {
		sum := r.tally.summary(r.start)
		return &sum, err
	}
	stop := context.AfterFunc(runCtx, r.front.stop)
	defer stop()

	// The revalidation pass starts once the seeds and sitemap URLs are
	// queued (and so seen): it leaves those to the queue.
	feeding := make(chan struct{})
	go func() {
		defer close(feeding)
		r.front.feedPass(runCtx)
	}()
	// Workers fetch and extract; the writer commits their work.
	r.writer.start(context.WithoutCancel(runCtx))
	var wg sync.WaitGroup
	for range c.opts.Concurrency {
		wg.Go(func() { r.work(runCtx) })
	}
	wg.Wait()
	r.front.stop() // ends feedPass if the run stopped early
	<-feeding
	// The run is over if nothing is left to hand out; the done marks the
	// writer keeps for later would then be dropped with its seen-set at
	// once, so they are not written.
	over := runCtx.Err() == nil && r.front.passed()
	if over {
		n, err := c.st.QueueLen(ctx)
		over = err == nil && n == 0
	}
	r.writer.close(!over)
	if r.front.err != nil {
		r.fatal(fmt.Errorf("crawler: %w", r.front.err))
	}
	finished := false
	if over && runCtx.Err() == nil {
		if err := c.st.EndRun(ctx); err != nil {
			r.fatal(fmt.Errorf("crawler: %w", err))
		} else {
			finished = true
		}
	}
	sum := r.tally.summary(r.start)
	r.report(&sum, finished)
	if err := context.Cause(runCtx); err != nil && err != context.Cause(ctx) {
		return &sum, err // the run's own error, not ctx's
	}
	return &sum, ctx.Err()
}

func (c *Crawler) newRun(fatal context.CancelCauseFunc) *run {
	r := &run{
		c:           c,
		st:          c.st,
		opts:        c.opts,
		start:       time.Now(),
		fatal:       fatal,
		robotsCache: robotsCache{entries: map[string]*robotsEntry{}},
		hosts: &hosts{m: map[string]*host{}, conc: c.opts.HostConcurrency, delay: c.opts.Delay,
			limit: c.opts.HostFailures, pause: c.opts.HostPause, maxStop: c.opts.HostPauses},
		tally:    newTally(),
		known:    newLinkCache(cmp.Or(c.linkSlots, linkCacheSlots)),
		pending:  &pendingSet{m: map[string]struct{}{}},
		variants: variants{max: c.opts.MaxQueryVariants, m: map[uint64][]uint64{}, seed: maphash.MakeSeed()},
	}
	return r
}

// begin records the run's start in the store, makes its frontier and
// writer, and queues the seeds and sitemap URLs unless the run resumes
// one that did.
func (r *run) begin(ctx context.Context) error {
	var seeds []string
	for _, u := range r.c.seeds {
		seeds = append(seeds, u.String())
	}
	discovery := r.opts.discoveryKey()
	last, err := r.st.LastRun(ctx)
	if err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	r.followUnchanged = r.opts.Rediscover || last == nil || last.Discovery != discovery
	r.resumed, err = r.st.BeginRun(ctx, store.RunInfo{Started: r.start.UTC(), Seeds: seeds, Discovery: discovery})
	if err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	queued, err := r.st.QueueLen(ctx)
	if err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	r.front = newFrontier(r.st, r.opts.MaxPages, r.opts.MaxQueued, queued,
		func() ([]store.QueueItem, bool, error) { return r.passItems(ctx) })
	r.writer = newWriter(r.st, r.front, r.pending, r.committed, r.fatal)
	if r.resumed {
		r.opts.Logger.Info("resuming an unfinished crawl", "queued", queued)
		return nil // seeds and sitemaps are queued once per run
	}
	items := make([]store.QueueItem, 0, len(seeds))
	for _, s := range seeds {
		items = append(items, store.QueueItem{URL: s})
	}
	if err := r.enqueue(ctx, items); err != nil || r.opts.MaxDepth < 1 {
		return err
	}
	// Sitemap URLs are read and queued a chunk at a time, so that a
	// sitemap of 50,000 URLs is never in memory at once.
	return r.sitemapURLs(ctx, r.c.seeds, func(locs []sitemapURL) error {
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
		return r.enqueue(ctx, items)
	})
}

// enqueue adds items to the store's queue, outside a commit.
func (r *run) enqueue(ctx context.Context, items []store.QueueItem) error {
	added, _, err := r.st.Enqueue(ctx, items, nil)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("crawler: %w", err)
	}
	r.front.added(added)
	return nil
}

// work is one worker: it takes items from the frontier until it has no
// more, and sends what each led to to the writer.
func (r *run) work(ctx context.Context) {
	for {
		it, ok := r.front.next(ctx)
		if !ok {
			return
		}
		w, err := r.process(ctx, it)
		if err != nil {
			r.fatal(err)
		}
		if w == nil {
			r.front.done(it, 0, 0) // left queued for the next run
			continue
		}
		r.writer.send(w)
	}
}

// committed counts w, committed (or kept for a later commit), and reports
// progress if it handled a document. The writer calls it, one work at a
// time.
func (r *run) committed(w *work, rejected []string) {
	p, ok := r.tally.add(w, rejected)
	if !ok || r.opts.Progress == nil {
		return
	}
	p.Resumed, p.Elapsed, p.Queued = r.resumed, time.Since(r.start), r.front.queuedNow()
	r.opts.Progress(p)
}

// report logs the run's summary.
func (r *run) report(sum *Summary, finished bool) {
	if len(sum.Capped) > 0 {
		args := []any{"max_queued", r.opts.MaxQueued, "max_query_variants", r.opts.MaxQueryVariants}
		for _, k := range slices.Sorted(maps.Keys(sum.Capped)) {
			args = append(args, k, sum.Capped[k])
		}
		r.opts.Logger.Info("crawl bounds left URLs out", args...)
	}
	r.opts.Logger.Info("crawl finished", "fetched", sum.Fetched, "new", sum.New, "changed", sum.Changed,
		"unchanged", sum.Unchanged, "gone", sum.Gone, "failed", sum.FailedTotal(), "capped", sum.CappedTotal(),
		"seconds", sum.Seconds, "resumed", r.resumed, "complete", finished)
}

// inScope normalises raw and reports whether it may be crawled.
func (r *run) inScope(raw string) (*url.URL, bool) {
	norm, err := NormalizeURL(raw)
	if err != nil {
		return nil, false
	}
	u, err := url.Parse(norm)
	if err != nil || !r.c.scope.allows(u) {
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
	return len(r.c.docHosts) == 0 || r.c.docHosts[u.Host] || r.c.docHosts[u.Hostname()]
}
