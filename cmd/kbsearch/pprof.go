package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// checkLoopback accepts a host:port whose host is a loopback address or
// "localhost": the profiles show the process's memory and let anyone make
// it work for a profile's duration, so they are for the operator only.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--pprof %q: not a loopback address; profiles are for this machine only: use 127.0.0.1:PORT, [::1]:PORT or localhost:PORT", addr)
}

// startPprof serves the runtime profiles under /debug/pprof/ on addr, a
// listener of their own beside the API's, until ctx is done, and returns
// the bound address. addr must pass checkLoopback.
func startPprof(ctx context.Context, addr string, log *slog.Logger) (net.Addr, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof: listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof: serve", slog.String("error", err.Error()))
		}
	}()
	go func() {
		<-ctx.Done()
		srv.Close() // a profile in progress is cut: it is no request to drain
	}()
	log.Info("pprof: listening", slog.String("addr", ln.Addr().String()))
	return ln.Addr(), nil
}
