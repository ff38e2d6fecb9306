package crawler

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// errHostDown is returned by acquire for a host that kept failing.
var errHostDown = errors.New("host keeps failing: given up for this run")

// hosts holds the politeness state of every host a run talks to.
type hosts struct {
	mu      sync.Mutex
	m       map[string]*host
	conc    int           // requests in flight per host
	delay   time.Duration // default spacing between request starts
	limit   int           // consecutive failures that pause a host
	pause   time.Duration // first pause; doubled each time
	maxStop int           // pauses after which the host is given up
}

// host is one host's rate limiter, concurrency slots and failure record.
type host struct {
	sem chan struct{}

	mu          sync.Mutex
	lim         *rate.Limiter // nil: no spacing
	pausedUntil time.Time
	failures    int // consecutive
	pauses      int
	down        bool
}

func (hs *hosts) get(name string) *host {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.m[name]
	if h == nil {
		h = &host{sem: make(chan struct{}, hs.conc)}
		if hs.delay > 0 {
			h.lim = rate.NewLimiter(rate.Every(hs.delay), 1)
		}
		hs.m[name] = h
	}
	return h
}

// setDelay sets the spacing between two request starts (a robots.txt
// Crawl-delay larger than Options.Delay).
func (h *host) setDelay(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case d <= 0:
		h.lim = nil
	case h.lim == nil:
		h.lim = rate.NewLimiter(rate.Every(d), 1)
	default:
		h.lim.SetLimit(rate.Every(d))
	}
}

// acquire waits for a slot on h: until any pause ends, a concurrency slot
// is free and the rate limiter lets a request start.
func (r *run) acquire(ctx context.Context, h *host) (release func(), err error) {
	for {
		h.mu.Lock()
		down, wait := h.down, h.pausedUntil.Sub(r.now())
		h.mu.Unlock()
		if down {
			return nil, errHostDown
		}
		if wait <= 0 {
			break
		}
		if err := r.sleep(ctx, wait); err != nil {
			return nil, err
		}
		// The pause may have been extended meanwhile: look again.
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	h.mu.Lock()
	lim := h.lim
	h.mu.Unlock()
	if lim != nil {
		if err := lim.Wait(ctx); err != nil {
			<-h.sem
			return nil, err
		}
	}
	return func() { <-h.sem }, nil
}

// sleep waits d or until ctx is done; tests replace it.
func (r *run) sleep(ctx context.Context, d time.Duration) error {
	if r.c.sleepHook != nil {
		// Simulated: the run's clock moves on by d.
		r.skew.Add(int64(d))
		return r.c.sleepHook(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// now is the run's clock: the real one, moved on by simulated sleeps.
func (r *run) now() time.Time { return time.Now().Add(time.Duration(r.skew.Load())) }

// succeeded clears h's failure count.
func (h *host) succeeded() {
	h.mu.Lock()
	h.failures = 0
	h.mu.Unlock()
}

// failed records a failure of h that asks for a wait of at least wait
// before the next request; after hs.limit failures in a row the host is
// paused (for hs.pause, doubling), and after hs.maxStop pauses given up.
func (hs *hosts) failed(h *host, now time.Time, wait time.Duration) (paused time.Duration, down bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	if h.failures >= hs.limit {
		h.failures = 0
		h.pauses++
		if h.pauses > hs.maxStop {
			h.down = true
			return 0, true
		}
		paused = hs.pause << (h.pauses - 1)
		wait = max(wait, paused)
	}
	if until := now.Add(wait); until.After(h.pausedUntil) {
		h.pausedUntil = until
	}
	return paused, false
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(header http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoff is the wait before retry attempt+1: RetryBase doubled per
// attempt, capped at MaxBackoff, with jitter in its upper half.
func (o *Options) backoff(attempt int) time.Duration {
	d := o.RetryBase << min(attempt, 30)
	if d <= 0 || d > o.MaxBackoff {
		d = o.MaxBackoff
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// retryable reports whether a response or failure is worth another try:
// 429, 500, 502, 503, 504, timeouts and network errors.
func retryable(status int, reason extract.Reason) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return reason == ReasonTimeout || reason == ReasonNetwork
}
