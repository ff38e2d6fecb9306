package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:6060", true},
		{"127.0.0.2:6060", true},
		{"[::1]:6060", true},
		{"localhost:6060", true},
		{"127.0.0.1:0", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"[::]:6060", false},
		{"192.168.1.10:6060", false},
		{"example.org:6060", false},
		{"6060", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := checkLoopback(tt.addr)
			if (err == nil) != tt.ok {
				t.Errorf("checkLoopback(%q) = %v, want ok %v", tt.addr, err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), tt.addr) {
				t.Errorf("checkLoopback(%q) = %v, which does not name the address", tt.addr, err)
			}
		})
	}
}

// TestServeRefusesBadBounds: serve refuses a pprof address open to the
// network and bounds that cannot work, from a flag or from the
// environment, before it opens anything.
func TestServeRefusesBadBounds(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{name: "pprof on all interfaces", args: []string{"--pprof", "0.0.0.0:6060"},
			wantErr: `--pprof "0.0.0.0:6060": not a loopback address`},
		{name: "pprof from the environment", env: map[string]string{"KBSEARCH_PPROF": ":6060"},
			wantErr: `--pprof ":6060": not a loopback address`},
		{name: "no slot", args: []string{"--max-inflight", "0"}, wantErr: "--max-inflight 0: must be at least 1"},
		{name: "no slot from the environment", env: map[string]string{"KBSEARCH_MAX_INFLIGHT": "0"},
			wantErr: "--max-inflight 0: must be at least 1"},
		{name: "negative timeout", env: map[string]string{"KBSEARCH_SEARCH_TIMEOUT": "-1s"},
			wantErr: "--search-timeout -1s: must not be negative"},
		{name: "flag beats env", env: map[string]string{"KBSEARCH_QUEUE_WAIT": "1s"}, args: []string{"--queue-wait", "-2s"},
			wantErr: "--queue-wait -2s: must not be negative"},
		{name: "bad duration in env", env: map[string]string{"KBSEARCH_QUEUE_WAIT": "soon"}, wantErr: "KBSEARCH_QUEUE_WAIT"},
		{name: "no export slot", args: []string{"--max-exports", "0"}, wantErr: "--max-exports 0: must be at least 1"},
		{name: "negative connection cap", args: []string{"--max-conns", "-1"}, wantErr: "--max-conns -1: must not be negative"},
		{name: "negative per-client cap", args: []string{"--max-conns-per-client", "-5"}, wantErr: "--max-conns-per-client -5"},
		{name: "no idle time", args: []string{"--idle-timeout", "0s"}, wantErr: "--idle-timeout 0s: must be positive"},
		{name: "negative rate", args: []string{"--rate-limit", "-1"}, wantErr: "--rate-limit -1: must not be negative"},
		{name: "no burst", args: []string{"--rate-limit", "5", "--rate-burst", "0"}, wantErr: "--rate-burst 0: must be at least 1"},
		{name: "malformed proxy", args: []string{"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "proxy.local"},
			wantErr: `--trusted-proxy "proxy.local": not a CIDR prefix or an address`},
		{name: "recency in hours", env: map[string]string{"KBSEARCH_RECENCY": "5h"}, wantErr: `--recency: recency "5h"`},
		{name: "malformed proxy from the environment", env: map[string]string{"KBSEARCH_TRUSTED_PROXY": "10.0.0.0/8,10.0.0.0/99"},
			wantErr: `--trusted-proxy "10.0.0.0/99"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			args := append([]string{"serve", "--log-level", "error", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, tt.args...)
			if code := run(context.Background(), args, &stdout, &stderr); code == 0 {
				t.Fatalf("serve %v succeeded", tt.args)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.wantErr)
			}
			if stdout.Len() > 0 {
				t.Errorf("serve started before refusing: %q", stdout.String())
			}
		})
	}
}

// TestStartPprof: the profiles are served on a listener of their own,
// which closes with the context.
func TestStartPprof(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := startPprof(ctx, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	url := "http://" + a.String() + "/debug/pprof/cmdline"
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "kbsearch") && !strings.Contains(string(body), ".test") {
		t.Errorf("GET %s: %d %q, want 200 and the command line", url, resp.StatusCode, body)
	}
	if _, err := startPprof(ctx, "0.0.0.0:0", slog.New(slog.DiscardHandler)); err == nil {
		t.Error("startPprof on all interfaces: no error")
	}
	cancel()
	closed := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !closed; time.Sleep(time.Millisecond) {
		if resp, err := client.Get(url); err != nil {
			closed = true
		} else {
			resp.Body.Close()
		}
	}
	if !closed {
		t.Errorf("%s still answers after the context ended", url)
	}
}

// The flags reach the server's options: the per-client cap's 0 (none) is
// httpapi's negative, the rest as given.
func TestServeFlagsOptions(t *testing.T) {
	f := defaultServeFlags()
	f.connsPerIP, f.rateLimit, f.rateBurst, f.proxies, f.maxExports = 0, 5, 10, []string{"10.0.0.0/8"}, 3
	o := f.httpOptions()
	if o.MaxConnsPerClient != -1 || o.RateLimit != 5 || o.RateBurst != 10 || len(o.TrustedProxies) != 1 || o.MaxExports != 3 || o.MaxConns != 0 {
		t.Errorf("options %+v", o)
	}
	if d := defaultServeFlags().httpOptions(); d.RateLimit != 0 || len(d.TrustedProxies) != 0 {
		t.Errorf("default options limit the rate or trust a proxy: %+v", d)
	}
}
