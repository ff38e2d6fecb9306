package httpapi

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveReal runs s.Serve on a loopback port and returns its address; the
// server stops when the test ends.
func serveReal(t *testing.T, s *Server) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a.String() }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	select {
	case a := <-addrc:
		return a
	case err := <-errc:
		t.Fatalf("Serve: %v", err)
		return ""
	}
}

// dialFrom connects to addr from the local address from (such as
// 127.0.0.2: all of 127/8 is loopback on Linux); the test is skipped
// where that cannot be bound.
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		if from != "127.0.0.1" {
			t.Skipf("cannot connect from %s: %v", from, err)
		}
		t.Fatal(err)
	}
	return c
}

// getOn sends GET /healthz on c, keeping it open, and reports whether a
// 200 came back (false when the server closed the connection).
func getOn(c net.Conn) bool {
	if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: kb\r\n\r\n")); err != nil {
		return false
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// idleConns opens n keep-alive connections from from, each after one
// request, and returns those that were served.
func idleConns(t *testing.T, from, addr string, n int) []net.Conn {
	t.Helper()
	var served []net.Conn
	for range n {
		c := dialFrom(t, from, addr)
		t.Cleanup(func() { c.Close() })
		if getOn(c) {
			served = append(served, c)
		} else {
			c.Close()
		}
	}
	return served
}

// One client address holds at most MaxConnsPerClient connections: the
// excess is closed at accept and counted, and another client is served.
func TestConnsPerClient(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, _ := newTestServer(t, &fakeBackend{}, Options{MaxConns: 100, MaxConnsPerClient: 3, Metrics: reg})
	addr := serveReal(t, s)
	if got := len(idleConns(t, "127.0.0.1", addr, 8)); got != 3 {
		t.Errorf("%d of 8 connections of one client served, want 3", got)
	}
	if c := dialFrom(t, "127.0.0.2", addr); !getOn(c) {
		t.Error("another client is not served")
	} else {
		c.Close()
	}
	if got := s.conns.refused.Load(); got != 5 {
		t.Errorf("%d connections refused, want 5", got)
	}
	if m := gather(t, reg); !strings.Contains(m, "kbsearch_http_conns_refused_total 5") {
		t.Errorf("/metrics lacks the refused connections:\n%s", m)
	}
}

// A trusted proxy's connections are not bounded per address.
func TestConnsPerClientTrustedProxy(t *testing.T) {
	s, _ := newTestServer(t, &fakeBackend{}, Options{MaxConns: 100, MaxConnsPerClient: 2, TrustedProxies: []string{"127.0.0.1"}})
	addr := serveReal(t, s)
	if got := len(idleConns(t, "127.0.0.1", addr, 5)); got != 5 {
		t.Errorf("%d of 5 connections of a trusted proxy served, want 5", got)
	}
}

// Past MaxConns a connection waits (in the accept queue) until one
// closes, then it is served.
func TestConnsTotal(t *testing.T) {
	s, _ := newTestServer(t, &fakeBackend{}, Options{MaxConns: 3, MaxConnsPerClient: -1})
	s.conns.pressureIdle = time.Hour // no early closing here
	addr := serveReal(t, s)
	held := idleConns(t, "127.0.0.1", addr, 3)
	if len(held) != 3 {
		t.Fatalf("%d of 3 connections served", len(held))
	}
	c := dialFrom(t, "127.0.0.1", addr)
	defer c.Close()
	done := make(chan bool, 1)
	go func() { done <- getOn(c) }()
	s.conns.mu.Lock()
	open := s.conns.open
	s.conns.mu.Unlock()
	if open != 3 {
		t.Errorf("%d connections open with the limit at 3", open)
	}
	held[0].Close()
	if !<-done {
		t.Error("the waiting connection was not served once one closed")
	}
}

// With 80% of MaxConns open, keep-alive connections idle for the short
// timeout are closed, and counted; below it they are left alone.
func TestConnsIdleUnderPressure(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, _ := newTestServer(t, &fakeBackend{}, Options{MaxConns: 10, MaxConnsPerClient: -1, Metrics: reg})
	s.conns.pressureIdle = 0
	addr := serveReal(t, s)
	few := idleConns(t, "127.0.0.1", addr, 7) // 70%: no pressure
	if len(few) != 7 {
		t.Fatalf("%d of 7 connections served", len(few))
	}
	if n := s.conns.reapOnce(time.Now()); n != 0 {
		t.Errorf("%d connections closed below the pressure mark", n)
	}
	// A client reads its answer before the server's ConnState hook marks
	// the connection idle: wait until all seven are marked, or the sweep
	// may close the eighth and six of them and leave one open.
	if !waitFor(func() bool {
		s.conns.mu.Lock()
		defer s.conns.mu.Unlock()
		return len(s.conns.idle) == 7
	}) {
		t.Fatal("the seven connections were never all idle")
	}
	idleConns(t, "127.0.0.1", addr, 1) // 80%
	// The seven idle ones are closed; the eighth too if it was idle by
	// then (with one open, the pressure is gone).
	if !waitFor(func() bool { return s.conns.reaped.Load() >= 7 }) {
		t.Fatalf("%d idle connections closed under pressure, want 7 or 8", s.conns.reaped.Load())
	}
	for i, c := range few {
		if getOn(c) {
			t.Errorf("connection %d still served after it was closed", i)
		}
	}
	if c := dialFrom(t, "127.0.0.2", addr); !getOn(c) {
		t.Error("a new client is not served")
	} else {
		c.Close()
	}
	if m := gather(t, reg); !strings.Contains(m, "kbsearch_http_conns_idle_closed_total "+fmt.Sprint(s.conns.reaped.Load())) {
		t.Errorf("/metrics lacks the closed connections:\n%s", m)
	}
}

// gather returns the metrics of reg in the text format.
func gather(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}
