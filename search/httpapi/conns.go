package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"
)

// Defaults of the connection limits.
const (
	// DefaultMaxConnsPerClient is the most connections one client address
	// holds at once when Options.MaxConnsPerClient is 0. A browser opens
	// at most 6 to a host; 128 leaves room for a school or an office
	// behind one address, and none for one client holding thousands.
	DefaultMaxConnsPerClient = 128
	// DefaultIdleTimeout is how long a keep-alive connection may wait for
	// its next request, unless the server is under pressure.
	DefaultIdleTimeout = 120 * time.Second
	// pressureIdleTimeout is how long a keep-alive connection may wait
	// while the server holds pressureShare of its connections or more.
	pressureIdleTimeout = 5 * time.Second
	// pressurePercent is the share of MaxConns above which the server is
	// under pressure and closes the connections idle for pressureIdleTimeout.
	pressurePercent = 80
)

// connLimits bounds the connections a Server holds, so that no client can
// take the process's file descriptors:
//
//   - in all, at most total (netutil.LimitListener: past it, a new
//     connection waits in the kernel's accept queue, where it holds no
//     descriptor of ours, until one closes);
//   - per client address, at most perClient (0: no bound): an excess
//     connection is closed as soon as it is accepted, and counted;
//   - under pressure (pressurePercent of total open or more), a keep-alive
//     connection idle for more than pressureIdle is closed, instead of at
//     the server's IdleTimeout; the http.Server's ConnState hook tells which
//     connections are idle, since its IdleTimeout cannot change per
//     connection.
//
// Connections from a trusted proxy are not bounded per address: they carry
// many clients.
type connLimits struct {
	total        int
	perClient    int
	pressureIdle time.Duration
	trusted      []netip.Prefix
	log          *slog.Logger

	mu       sync.Mutex
	open     int                    // connections accepted and not closed
	byClient map[netip.Addr]int     // open connections per client address
	idle     map[net.Conn]time.Time // keep-alive connections waiting, since when
	wake     chan struct{}          // a new connection under pressure

	refused atomic.Int64 // connections closed at accept, over perClient
	reaped  atomic.Int64 // idle connections closed under pressure
}

func newConnLimits(total, perClient int, trusted []netip.Prefix, log *slog.Logger) *connLimits {
	return &connLimits{
		total:        max(total, 1),
		perClient:    max(perClient, 0),
		pressureIdle: pressureIdleTimeout,
		trusted:      trusted,
		log:          log,
		byClient:     map[netip.Addr]int{},
		idle:         map[net.Conn]time.Time{},
		wake:         make(chan struct{}, 1),
	}
}

// listener wraps ln with the limits.
func (l *connLimits) listener(ln net.Listener) net.Listener {
	return netutil.LimitListener(&clientListener{Listener: ln, l: l}, l.total)
}

// clientAddr is the address of a connection's peer, the zero Addr when it
// has none (not TCP).
func clientAddr(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}

// admit counts a new connection of ip, or refuses it when ip holds
// perClient already.
func (l *connLimits) admit(ip netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	bounded := l.perClient > 0 && ip.IsValid() && !inPrefixes(l.trusted, ip)
	if bounded && l.byClient[ip] >= l.perClient {
		return false
	}
	l.byClient[ip]++
	l.open++
	if l.underPressure() {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// leave uncounts a closed connection of ip.
func (l *connLimits) leave(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byClient[ip]--; l.byClient[ip] <= 0 {
		delete(l.byClient, ip)
	}
}

// underPressure says whether pressurePercent of total is open; l.mu held.
func (l *connLimits) underPressure() bool { return l.open*100 >= l.total*pressurePercent }

// connState is the http.Server's ConnState hook: it keeps the set of idle
// keep-alive connections.
func (l *connLimits) connState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s == http.StateIdle {
		l.idle[c] = time.Now()
	} else {
		delete(l.idle, c)
	}
}

// reap closes, while under pressure, the connections idle for longer
// than pressureIdle, once a second and when a connection comes under
// pressure, until ctx is done.
func (l *connLimits) reap(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-l.wake:
		}
		l.reapOnce(time.Now())
	}
}

// reapOnce closes the connections idle since before now-pressureIdle when
// under pressure, and returns how many.
func (l *connLimits) reapOnce(now time.Time) int {
	l.mu.Lock()
	if !l.underPressure() {
		l.mu.Unlock()
		return 0
	}
	var stale []net.Conn
	for c, since := range l.idle {
		if now.Sub(since) >= l.pressureIdle {
			stale = append(stale, c)
			delete(l.idle, c)
		}
	}
	open := l.open
	l.mu.Unlock()
	for _, c := range stale {
		c.Close()
	}
	if len(stale) > 0 {
		l.reaped.Add(int64(len(stale)))
		l.log.Warn("httpapi: connections near their limit: idle ones closed",
			slog.Int("closed", len(stale)), slog.Int("open", open), slog.Int("limit", l.total))
	}
	return len(stale)
}

// clientListener closes at accept the connections of a client address
// over the per-client limit.
type clientListener struct {
	net.Listener
	l *connLimits
}

func (cl *clientListener) Accept() (net.Conn, error) {
	for {
		c, err := cl.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := clientAddr(c.RemoteAddr())
		if cl.l.admit(ip) {
			return &clientConn{Conn: c, l: cl.l, ip: ip}, nil
		}
		c.Close()
		if cl.l.refused.Add(1)%1000 == 1 { // the first, then one line a thousand
			cl.l.log.Warn("httpapi: connection refused: too many from one client address",
				slog.String("client", ip.String()), slog.Int("limit", cl.l.perClient),
				slog.Int64("refused", cl.l.refused.Load()))
		}
	}
}

// clientConn uncounts itself once when closed.
type clientConn struct {
	net.Conn
	l    *connLimits
	ip   netip.Addr
	once sync.Once
}

func (c *clientConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.leave(c.ip) })
	return err
}

// inPrefixes says whether ip is in one of list.
func inPrefixes(list []netip.Prefix, ip netip.Addr) bool {
	for _, p := range list {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// DefaultMaxConns is the connection limit when Options.MaxConns is 0: the
// process's open-file limit less a tenth of it (at least 128 descriptors)
// for the index's files, the crawl store and the logs; 4096 where the
// limit is unknown.
func DefaultMaxConns() int {
	n := openFileLimit()
	if n <= 0 {
		return 4096
	}
	return max(n-max(n/10, 128), 16)
}
