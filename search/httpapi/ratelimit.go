package httpapi

import (
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/kbsearch/kbsearch/search"
)

// DefaultRateBurst is the burst of the per-client rate limit when
// Options.RateBurst is 0: a search page's first load (the page, a search,
// suggestions as one types) fits in it.
const DefaultRateBurst = 20

// DefaultRateClients is the most clients whose buckets are kept when
// Options.RateClients is 0: about 200 bytes each, 20 MB at most.
const DefaultRateClients = 100_000

// rateLimiter gives each client address a token bucket
// (golang.org/x/time/rate): rate requests a second, burst at once. The
// buckets are kept in a map of at most max entries. A bucket that has
// refilled is the same as a new one, so when the map is full the buckets
// idle long enough to be full are dropped first; if that frees too little
// (a flood of distinct addresses, each active), arbitrary buckets are
// dropped until a tenth of the room is free: their clients start again with
// a full bucket, the price of bounded memory.
//
// An IPv6 client is keyed by its /64, which one subscriber usually holds
// whole: otherwise one client could take a fresh bucket per address.
type rateLimiter struct {
	limit rate.Limit
	burst int
	max   int
	full  time.Duration // how long an unused bucket takes to refill

	mu      sync.Mutex
	clients map[netip.Addr]*bucket
	evicted int64 // buckets dropped while still in use
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newRateLimiter(perSecond float64, burst, maxClients int) *rateLimiter {
	burst = max(burst, 1)
	return &rateLimiter{
		limit:   rate.Limit(perSecond),
		burst:   burst,
		max:     max(maxClients, 1),
		full:    time.Duration(float64(burst) / perSecond * float64(time.Second)),
		clients: map[netip.Addr]*bucket{},
	}
}

// rateKey is the bucket key of a client address: itself for IPv4, its /64
// for IPv6.
func rateKey(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

// allow takes a token of ip's bucket at now, or says how long until one is
// there.
func (rl *rateLimiter) allow(ip netip.Addr, now time.Time) (ok bool, wait time.Duration) {
	key := rateKey(ip)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	b := rl.clients[key]
	if b == nil {
		if len(rl.clients) >= rl.max {
			rl.evict(now)
		}
		b = &bucket{lim: rate.NewLimiter(rl.limit, rl.burst)}
		rl.clients[key] = b
	}
	b.last = now
	if b.lim.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - b.lim.TokensAt(now)
	return false, time.Duration(missing / float64(rl.limit) * float64(time.Second))
}

// evict drops the buckets that have refilled and, if that leaves less than
// a tenth of the room free, arbitrary others; rl.mu held.
func (rl *rateLimiter) evict(now time.Time) {
	for k, b := range rl.clients {
		if now.Sub(b.last) >= rl.full {
			delete(rl.clients, k)
		}
	}
	for k := range rl.clients { // in Go's random map order
		if len(rl.clients) < rl.max-rl.max/10 {
			break
		}
		delete(rl.clients, k)
		rl.evicted++
	}
}

// size returns the number of buckets kept.
func (rl *rateLimiter) size() int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return len(rl.clients)
}

// rateLimitedError answers a request over its client's rate.
type rateLimitedError struct {
	err  *search.Error
	wait time.Duration
}

func (e *rateLimitedError) Error() string             { return e.err.Error() }
func (e *rateLimitedError) Unwrap() error             { return e.err }
func (e *rateLimitedError) RetryAfter() time.Duration { return e.wait }

var _ retryAfterer = (*rateLimitedError)(nil)

// rateLimit is the middleware of the API routes when a rate is set: a
// request over its client's rate gets 429 with Retry-After (the seconds
// until the bucket holds a token again). The client is gin's ClientIP:
// the connection's peer, or what a trusted proxy says it forwarded for.
func (s *Server) rateLimit(c *gin.Context) {
	ip, err := netip.ParseAddr(c.ClientIP())
	if err != nil {
		return // no address to key on (not TCP): not limited
	}
	ok, wait := s.rate.allow(ip, time.Now())
	if ok {
		return
	}
	s.countRateLimited()
	secs := max(1, int(math.Ceil(wait.Seconds())))
	s.writeError(c, &rateLimitedError{
		err:  search.Errorf(search.KindRateLimited, "too many requests from your address: at most %g a second (%d at once); try again in %d s", float64(s.rate.limit), s.rate.burst, secs),
		wait: wait,
	})
}
