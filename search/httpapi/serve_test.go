package httpapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/kbsearch/kbsearch/search"
)

// gatedBackend holds each search until gate is closed, after telling
// entered that one has started.
type gatedBackend struct {
	fakeBackend
	entered chan struct{}
	gate    chan struct{}
}

func (g *gatedBackend) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	g.entered <- struct{}{}
	<-g.gate
	return g.fakeBackend.Search(ctx, req)
}

// startServe runs s.Serve on a free port and returns its address and the
// channel that receives Serve's result.
func startServe(t *testing.T, ctx context.Context, s *Server) (string, <-chan error) {
	t.Helper()
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	select {
	case a := <-addrc:
		return "http://" + a.String(), done
	case err := <-done:
		t.Fatalf("Serve returned before listening: %v", err)
		return "", nil
	}
}

func get(t *testing.T, url string) (int, error) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestServeStopsWhenCancelled(t *testing.T) {
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	base, done := startServe(t, ctx, s)

	code, err := get(t, base+"/healthz")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /healthz = %d, %v; want 200", code, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel = %v, want nil", err)
	}
	if _, err := get(t, base+"/healthz"); err == nil {
		t.Error("the server still answers after Serve returned")
	}
}

func TestServeDrainsRequestsInFlight(t *testing.T) {
	gb := &gatedBackend{entered: make(chan struct{}, 1), gate: make(chan struct{})}
	s, _ := newTestServer(t, gb, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	base, done := startServe(t, ctx, s)

	type result struct {
		code int
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		code, err := get(t, base+"/api/v1/search?q=x")
		resc <- result{code, err}
	}()
	<-gb.entered // the request is inside the backend
	cancel()     // shutdown begins while it is in flight
	close(gb.gate)

	if r := <-resc; r.err != nil || r.code != http.StatusOK {
		t.Errorf("request in flight during shutdown = %d, %v; want 200", r.code, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
}

func TestServeListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	called := false
	err = s.Serve(t.Context(), ln.Addr().String(), func(net.Addr) { called = true })
	if err == nil {
		t.Fatal("Serve on a port in use = nil, want an error")
	}
	if called {
		t.Error("ready was called although Serve could not listen")
	}
}
