package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
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
	running      sync.Mutex
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
	c := &Crawler{st: st, opts: opts, agent: agentToken(opts.UserAgent)}
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
	gates       gates
	front       *frontier
	start       time.Time

	dedupeMu sync.Mutex // a hash lookup and the Put it decides

	mu      sync.Mutex // guards sum and done
	sum     Summary
	done    int
	failed  int
	progMu  sync.Mutex
	errOnce sync.Once
	err     error
	cancel  context.CancelFunc
}

// Run crawls from the seeds until the frontier is empty, MaxPages
// documents were fetched or ctx is done. It returns the summary so far and
// ctx's error if ctx ended the run, or the first store error.
func (c *Crawler) Run(ctx context.Context) (*Summary, error) {
	if !c.running.TryLock() {
		return nil, errors.New("crawler: run already in progress")
	}
	defer c.running.Unlock()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := c.newRun(cancel)
	r.front = newFrontier(c.opts.MaxPages, func() []entry { return r.revisits(runCtx) })
	stop := context.AfterFunc(runCtx, r.front.stop)
	defer stop()

	for _, u := range c.seeds {
		r.front.push(u.String(), 0)
	}
	if c.opts.MaxDepth >= 1 {
		for _, s := range r.sitemapURLs(runCtx, c.seeds) {
			if u, ok := r.inScope(s); ok {
				r.front.push(u.String(), 1)
			}
		}
	}

	var wg sync.WaitGroup
	for range c.opts.Concurrency {
		wg.Go(func() {
			for {
				e, ok := r.front.next()
				if !ok {
					return
				}
				if err := r.process(runCtx, e); err != nil {
					r.fatal(err)
				}
				r.front.done()
			}
		})
	}
	wg.Wait()

	r.mu.Lock()
	sum := r.sum
	r.mu.Unlock()
	sum.Seconds = time.Since(r.start).Seconds()
	c.opts.Logger.Info("crawl finished", "fetched", sum.Fetched, "new", sum.New, "changed", sum.Changed,
		"unchanged", sum.Unchanged, "gone", sum.Gone, "failed", sum.FailedTotal(), "seconds", sum.Seconds)
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
		gates:       gates{hosts: map[string]*gate{}},
		start:       time.Now(),
		cancel:      cancel,
	}
	r.sum.Failed = map[string]int{}
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

// revisits lists stored URLs that held a live document but were not
// reached in this run, so that a page removed from the site (and from its
// links) is still noticed as gone.
func (r *run) revisits(ctx context.Context) []entry {
	var out []entry
	err := r.st.Each(ctx, func(rec *store.Record) error {
		if rec.Gone || rec.Page == nil || rec.Depth > r.opts.MaxDepth {
			return nil
		}
		if u, ok := r.inScope(rec.URL); ok && u.String() == rec.URL {
			out = append(out, entry{url: rec.URL, depth: rec.Depth})
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		r.fatal(fmt.Errorf("crawler: revisit: %w", err))
	}
	return out
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

func (r *run) count(o outcome, reason string) {
	r.mu.Lock()
	switch o {
	case outNew:
		r.sum.New++
	case outChanged:
		r.sum.Changed++
	case outUnchanged:
		r.sum.Unchanged++
	case outGone:
		r.sum.Gone++
	case outFailed:
		r.sum.Failed[reason]++
		r.failed++
	}
	r.mu.Unlock()
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
	p := Progress{Fetched: r.done, Failed: r.failed, Elapsed: time.Since(r.start)}
	r.mu.Unlock()
	p.Queued = r.front.queued()
	r.progMu.Lock()
	defer r.progMu.Unlock()
	r.opts.Progress(p)
}

// lookup returns the stored record of u, or nil.
func (r *run) lookup(ctx context.Context, u string) (*store.Record, error) {
	rec, err := r.st.Get(ctx, u)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return rec, err
}

// process fetches one frontier entry and stores what came of it. It
// returns only errors that must end the run.
func (r *run) process(ctx context.Context, e entry) error {
	u, err := url.Parse(e.url)
	if err != nil { // cannot happen: entries are normalised
		r.front.refund()
		return nil
	}
	log := r.opts.Logger.With("url", e.url, "depth", e.depth)
	if !r.robots(ctx, u).allowed(u, r.agent) {
		r.front.refund()
		if ctx.Err() != nil {
			return nil
		}
		log.Debug("disallowed by robots.txt")
		r.count(outFailed, ReasonRobots)
		return nil
	}
	prev, err := r.lookup(ctx, e.url)
	if err != nil {
		return err
	}
	res := r.fetch(ctx, u, prev)
	if ctx.Err() != nil {
		return nil
	}
	defer r.progress()
	if res.reason != "" {
		log.Debug("fetch failed", "reason", res.reason, "err", res.err)
		return r.fail(ctx, e, prev, res.status, res.reason, res.err)
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
					return err
				}
			}
			if err := r.storeRedirect(ctx, e.depth, h.String(), target, res.status, hp); err != nil {
				return err
			}
		}
		log.Debug("redirected", "to", target)
		if res.stopAt != "" {
			return nil
		}
	}
	return r.document(ctx, e.depth, res.final, res.prev, res.status, res.header, res.body)
}

// storeRedirect records that u redirects to target, which holds its content.
func (r *run) storeRedirect(ctx context.Context, depth int, u, target string, status int, prev *store.Record) error {
	rec := &store.Record{URL: u, FinalURL: target, DuplicateOf: target, Depth: depth, FetchedAt: time.Now().UTC(), Status: status}
	switch {
	case prev == nil:
		r.count(outNew, "")
	case prev.FinalURL == target && prev.DuplicateOf == target && prev.ErrReason == "":
		r.count(outUnchanged, "")
	default:
		r.count(outChanged, "")
	}
	return r.put(ctx, rec, nil)
}

// fail records a failed fetch. A previously good record keeps its content
// and only notes the error.
func (r *run) fail(ctx context.Context, e entry, prev *store.Record, status int, reason string, cause error) error {
	r.count(outFailed, reason)
	msg := reason
	if cause != nil {
		msg = cause.Error()
	}
	if prev != nil && prev.Page != nil && !prev.Gone {
		rec := *prev
		rec.Err, rec.ErrReason = msg, reason
		r.follow(&rec, e.depth)
		return r.put(ctx, &rec, nil)
	}
	rec := &store.Record{URL: e.url, Depth: e.depth, FetchedAt: time.Now().UTC(), Status: status, Err: msg, ErrReason: reason}
	return r.put(ctx, rec, nil)
}

// document handles the final response for u.
func (r *run) document(ctx context.Context, depth int, u *url.URL, prev *store.Record, status int, header http.Header, body []byte) error {
	now := time.Now().UTC()
	e := entry{url: u.String(), depth: depth}
	switch {
	case status == http.StatusNotModified:
		if prev == nil || prev.Page == nil {
			return r.fail(ctx, e, prev, status, "http-304", errors.New("304 Not Modified without a stored copy"))
		}
		rec := *prev
		rec.FetchedAt, rec.Depth = now, depth
		rec.Err, rec.ErrReason = "", ""
		if v := header.Get("ETag"); v != "" {
			rec.ETag = v
		}
		if v := header.Get("Last-Modified"); v != "" {
			rec.LastModified = v
		}
		r.count(outUnchanged, "")
		r.follow(&rec, depth)
		return r.dedupePut(ctx, &rec, nil)

	case status == http.StatusNotFound || status == http.StatusGone:
		if prev != nil && prev.Gone {
			rec := *prev
			rec.FetchedAt, rec.Status = now, status
			r.count(outUnchanged, "")
			return r.put(ctx, &rec, nil)
		}
		if prev != nil && (prev.Page != nil || prev.Hash != "") {
			rec := *prev
			rec.FetchedAt, rec.Status, rec.Gone = now, status, true
			rec.Err, rec.ErrReason = "", ""
			r.count(outGone, "")
			return r.put(ctx, &rec, nil)
		}
		return r.fail(ctx, e, prev, status, fmt.Sprintf("http-%d", status), nil)

	case status < 200 || status > 299:
		return r.fail(ctx, e, prev, status, fmt.Sprintf("http-%d", status), nil)
	}

	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	rec := &store.Record{
		URL: e.url, FinalURL: e.url, Depth: depth, FetchedAt: now, Status: status,
		ContentType: header.Get("Content-Type"), ETag: header.Get("ETag"),
		LastModified: header.Get("Last-Modified"), Hash: hash, Size: int64(len(body)),
	}
	out := outNew
	if prev != nil && prev.Hash != "" {
		out = outChanged
	}
	if prev != nil && prev.Hash == hash && prev.Page != nil {
		rec.Page, rec.Canonical = prev.Page, prev.Canonical
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
			r.count(outFailed, reason)
			rec.Err, rec.ErrReason = err.Error(), reason
			r.opts.Logger.Debug("extraction failed", "url", e.url, "reason", reason, "err", err)
			return r.put(ctx, rec, body)
		}
		rec.Page = page
		if page.Canonical != "" {
			if cu, err := NormalizeURL(page.Canonical); err == nil {
				rec.Canonical = cu
			}
		}
	}
	r.count(out, "")
	r.opts.Logger.Debug("fetched", "url", e.url, "status", status, "bytes", len(body), "outcome", out)
	r.follow(rec, depth)
	return r.dedupePut(ctx, rec, body)
}

// follow queues the links of rec's page one level deeper.
func (r *run) follow(rec *store.Record, depth int) {
	if rec.Page == nil || rec.Page.NoFollow || depth+1 > r.opts.MaxDepth {
		return
	}
	for _, l := range rec.Page.Links {
		if u, ok := r.inScope(l); ok {
			r.front.push(u.String(), depth+1)
		}
	}
}

// dedupePut sets rec.DuplicateOf (a declared canonical URL in scope, else
// another live URL holding the same bytes) and stores rec.
func (r *run) dedupePut(ctx context.Context, rec *store.Record, raw []byte) error {
	r.dedupeMu.Lock()
	defer r.dedupeMu.Unlock()
	rec.DuplicateOf = ""
	if rec.Canonical != "" && rec.Canonical != rec.URL && rec.Canonical != rec.FinalURL {
		if cu, ok := r.inScope(rec.Canonical); ok {
			rec.DuplicateOf = cu.String()
			r.front.push(cu.String(), rec.Depth)
		}
	}
	if rec.DuplicateOf == "" && rec.Hash != "" {
		other, err := r.st.URLForHash(ctx, rec.Hash)
		switch {
		case err == nil && other != rec.URL:
			rec.DuplicateOf = other
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	return r.put(ctx, rec, raw)
}

func (r *run) put(ctx context.Context, rec *store.Record, raw []byte) error {
	if err := r.st.Put(ctx, rec, raw); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("crawler: %w", err)
	}
	return nil
}

// fetchResult is the outcome of requesting a URL and following its
// redirects.
type fetchResult struct {
	hops   []*url.URL    // URLs requested, in order
	final  *url.URL      // the last URL requested
	prev   *store.Record // the stored record of final
	stopAt string        // a redirect target already seen in this run, not requested
	status int
	header http.Header
	body   []byte
	reason string // set when the fetch failed
	err    error
}

// fetch requests u (conditionally if prev holds a copy) and follows
// redirects by hand, checking each hop's scope and robots.txt.
func (r *run) fetch(ctx context.Context, u *url.URL, prev *store.Record) *fetchResult {
	res := &fetchResult{}
	chain := map[string]bool{u.String(): true}
	cur, curPrev := u, prev
	for hop := 0; ; hop++ {
		res.hops = append(res.hops, cur)
		res.final, res.prev = cur, curPrev
		status, header, body, reason, err := r.request(ctx, cur, curPrev)
		res.status, res.header, res.body = status, header, body
		if reason != "" {
			res.reason, res.err = reason, err
			return res
		}
		if !isRedirect(status) {
			return res
		}
		loc := header.Get("Location")
		next, ok := (*url.URL)(nil), false
		if loc != "" {
			if ref, err := cur.Parse(loc); err == nil {
				if norm, err := NormalizeURL(ref.String()); err == nil {
					next, _ = url.Parse(norm)
					ok = next != nil
				}
			}
		}
		switch {
		case !ok:
			res.reason, res.err = ReasonBadRedirect, fmt.Errorf("status %d with Location %q", status, loc)
		case chain[next.String()]:
			res.reason, res.err = ReasonRedirectLoop, fmt.Errorf("%s redirects back to %s", cur, next)
		case hop+1 > r.opts.MaxRedirects:
			res.reason, res.err = ReasonTooManyRedirects, fmt.Errorf("more than %d redirects", r.opts.MaxRedirects)
		case !r.scope.allows(next):
			res.reason, res.err = ReasonOutOfScope, fmt.Errorf("redirect to %s", next)
		case !r.robots(ctx, next).allowed(next, r.agent):
			res.reason, res.err = ReasonRobots, fmt.Errorf("redirect to %s", next)
		case !r.front.claim(next.String()):
			res.stopAt = next.String()
		}
		if res.reason != "" || res.stopAt != "" {
			return res
		}
		chain[next.String()] = true
		p, err := r.lookup(ctx, next.String())
		if err != nil {
			res.reason, res.err = "store", err
			return res
		}
		cur, curPrev = next, p
	}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// request makes one GET, politely, and reads a 2xx body within
// MaxBodyBytes. reason is set on failure.
func (r *run) request(ctx context.Context, u *url.URL, prev *store.Record) (status int, header http.Header, body []byte, reason string, err error) {
	release, err := r.gates.acquire(ctx, u.Host, r.hostDelay(ctx, u))
	if err != nil {
		return 0, nil, nil, ReasonTimeout, err
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, nil, ReasonNetwork, err
	}
	req.Header.Set("User-Agent", r.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5")
	if prev != nil && prev.Page != nil && !prev.Gone && prev.Hash != "" {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	r.countRequest()
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, nil, nil, classify(err), err
	}
	defer resp.Body.Close()
	status, header = resp.StatusCode, resp.Header
	if status < 200 || status > 299 {
		io.CopyN(io.Discard, resp.Body, 64<<10) // lets the connection be reused
		return status, header, nil, "", nil
	}
	if resp.ContentLength > r.opts.MaxBodyBytes {
		return status, header, nil, ReasonTooLarge, fmt.Errorf("Content-Length %d over the limit of %d bytes", resp.ContentLength, r.opts.MaxBodyBytes)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, r.opts.MaxBodyBytes+1))
	if err != nil {
		return status, header, nil, classify(err), err
	}
	if int64(len(body)) > r.opts.MaxBodyBytes {
		return status, header, nil, ReasonTooLarge, fmt.Errorf("body over the limit of %d bytes", r.opts.MaxBodyBytes)
	}
	return status, header, body, "", nil
}

// classify names a request error: "timeout" or "network".
func classify(err error) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return ReasonTimeout
	}
	return ReasonNetwork
}
