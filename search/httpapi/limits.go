package httpapi

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kbsearch/kbsearch/search"
)

// Defaults of the bounds on one request and on the requests in flight.
const (
	DefaultSearchTimeout = 3 * time.Second
	DefaultQueueWait     = time.Second
)

// DefaultMaxInFlight is the number of bounded requests served at once when
// Options.MaxInFlight is 0: one per processor the Go scheduler uses (two
// at least). A search is CPU work over memory-mapped columns, so more at
// once only makes each slower: on the 100,000-document portal at 8
// connections, 2 slots served 955 requests/s with a p99 of 35 ms where 8
// slots served 820 with 65 ms (the others wait their turn in order
// instead of sharing the cores).
func DefaultMaxInFlight() int { return max(2, runtime.GOMAXPROCS(0)) }

// DefaultMaxExports is the number of exports served at once when
// Options.MaxExports is 0. An export ranks up to search.MaxExport hits and
// writes them to a client that may read slowly, so exports have slots of
// their own, apart from the searches': a slow download never holds a
// search's slot, and a crowd of downloads never takes more than this.
const DefaultMaxExports = 2

// errBusy answers a request that found no free slot in time.
var errBusy = search.Errorf(search.KindBusy, "the server is busy: too many searches at once; try again")

// errExportsBusy answers an export that found no free export slot in time.
var errExportsBusy = search.Errorf(search.KindBusy, "the server is busy: too many exports at once; try again")

// limiter bounds the bounded routes' requests in flight: at most cap(all)
// searches, suggestions and document requests at once, and apart from
// them at most cap(export) exports. A request waits up to wait for a
// slot, then is turned away.
//
// The slots are buffered channels rather than golang.org/x/sync/semaphore:
// every request weighs one slot, so a weighted semaphore's only gain would
// be strict FIFO order among waiters, which a wait of a fraction of a
// second does not need, and the channels need no new module and give their
// fill level (len) to the in-flight gauges for free.
type limiter struct {
	all    chan struct{}
	export chan struct{}
	wait   time.Duration
	queued atomic.Int64 // requests waiting for a slot
}

// newLimiter returns a limiter of n slots and exports export slots (each
// at least 1), with a wait of wait (none if negative).
func newLimiter(n, exports int, wait time.Duration) *limiter {
	return &limiter{
		all:    make(chan struct{}, max(n, 1)),
		export: make(chan struct{}, max(exports, 1)),
		wait:   max(wait, 0),
	}
}

// acquire takes a slot (an export, an export slot) and returns the
// function that gives it back. It fails with errBusy when no slot is free
// within the wait, or with the context's error (as KindUnavailable) when
// the client goes away first.
func (l *limiter) acquire(ctx context.Context, export bool) (release func(), err error) {
	slots, busy, release := l.all, errBusy, l.releaseAll
	if export {
		slots, busy, release = l.export, errExportsBusy, l.releaseExport
	}
	// The fast path: a free slot, no timer.
	select {
	case slots <- struct{}{}:
		return release, nil
	default:
	}
	l.queued.Add(1)
	defer l.queued.Add(-1)
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case slots <- struct{}{}:
		return release, nil
	case <-timer.C:
		return nil, busy
	case <-ctx.Done():
		return nil, &search.Error{Kind: search.KindUnavailable, Message: "request cancelled", Err: ctx.Err()}
	}
}

func (l *limiter) releaseAll()    { <-l.all }
func (l *limiter) releaseExport() { <-l.export }

// bounded is the middleware of the routes that make the backend work
// (search, suggest, export, documents): the request waits for a slot of
// the in-flight limit, then runs under the search deadline. The deadline
// derives from the request's context, so a client that goes away cancels
// the work as well; the engine stops at its next check either way.
func (s *Server) bounded(export bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		release, err := s.limit.acquire(c.Request.Context(), export)
		if err != nil {
			s.writeError(c, err)
			return
		}
		defer release()
		if s.timeout > 0 {
			ctx, cancel := context.WithTimeout(c.Request.Context(), s.timeout)
			defer cancel()
			c.Request = c.Request.WithContext(ctx)
		}
		c.Next()
	}
}
