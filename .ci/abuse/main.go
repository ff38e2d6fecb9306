// Command abuse is the load test of fair use (issue 10): honest clients
// search at a steady pace, first alone, then while one client floods the
// API beyond its rate and another holds idle keep-alive connections. It
// prints one table row per phase: the honest clients' requests, failures
// and latency percentiles, and what the flood and the idle connections got.
//
// Each kind of client has loopback addresses of its own (127.0.1.x honest,
// 127.0.2.1 the flood, 127.0.3.1 the idle connections), so that the
// server's per-address limits tell them apart. Run it against a server
// started with a rate limit, for example:
//
//	kbsearch --data DIR serve --addr 127.0.0.1:8080 --rate-limit 10 --rate-burst 20
//	go run ./.ci/abuse -addr 127.0.0.1:8080 -queries site/queries.txt
//
// It is not part of go test: it needs a built index and a minute.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "the server")
	queries := flag.String("queries", "", "file of URL query strings for /api/v1/search, one a line")
	honest := flag.Int("honest", 8, "honest clients")
	pace := flag.Duration("pace", 200*time.Millisecond, "an honest client's pause between searches")
	flooders := flag.Int("flood", 16, "concurrent requests of the flooding client")
	idle := flag.Int("idle", 200, "idle keep-alive connections opened by one client")
	dur := flag.Duration("duration", 20*time.Second, "length of each phase")
	flag.Parse()
	qs := []string{"q=digital+education", "q=teacher+training", "q=open+educational+resources", "q=assessment"}
	if *queries != "" {
		b, err := os.ReadFile(*queries)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		qs = strings.Fields(string(b))
	}
	base := "http://" + *addr
	fmt.Println("| phase | honest requests | honest failures | honest p50 ms | honest p99 ms | flood requests | flood 429 | flood 200 | idle conns held | idle conns refused |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	run(base, "alone", qs, *honest, *pace, 0, 0, *dur)
	run(base, "under abuse", qs, *honest, *pace, *flooders, *idle, *dur)
}

// client returns an HTTP client whose connections come from the local
// address ip.
func client(ip string, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
	}}
}

func run(base, phase string, qs []string, honest int, pace time.Duration, flooders, idle int, dur time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup

	// The idle connections: one request each, then nothing.
	held, refused := 0, 0
	var idleConns []net.Conn
	for range idle {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.3.1")}}
		c, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			refused++
			continue
		}
		idleConns = append(idleConns, c)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: kb\r\n\r\n"))
		if err == nil {
			var resp *http.Response
			if resp, err = http.ReadResponse(bufio.NewReader(c), nil); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		c.SetDeadline(time.Time{})
		if err != nil {
			refused++
		} else {
			held++
		}
	}
	defer func() {
		for _, c := range idleConns {
			c.Close()
		}
	}()

	// The flood: as fast as it can, from one address.
	var flood, flood429, flood200 atomic.Int64
	fc := client("127.0.2.1", flooders)
	for range flooders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/search?"+qs[rand.IntN(len(qs))], nil)
				resp, err := fc.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				flood.Add(1)
				switch resp.StatusCode {
				case http.StatusTooManyRequests:
					flood429.Add(1)
				case http.StatusOK:
					flood200.Add(1)
				}
			}
		}()
	}
	if flooders > 0 {
		time.Sleep(time.Second) // the flood is on before the measure starts
	}

	// The honest clients, each from an address of its own.
	var mu sync.Mutex
	var lat []time.Duration
	failures := 0
	var hw sync.WaitGroup
	end := time.Now().Add(dur)
	for i := range honest {
		hw.Add(1)
		go func() {
			defer hw.Done()
			hc := client(fmt.Sprintf("127.0.1.%d", i+1), 1)
			for time.Now().Before(end) {
				start := time.Now()
				resp, err := hc.Get(base + "/api/v1/search?" + qs[rand.IntN(len(qs))])
				ok := err == nil
				if ok {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					ok = resp.StatusCode == http.StatusOK
				}
				d := time.Since(start)
				mu.Lock()
				if ok {
					lat = append(lat, d)
				} else {
					failures++
				}
				mu.Unlock()
				time.Sleep(pace)
			}
		}()
	}
	hw.Wait()
	cancel()
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	fmt.Printf("| %s | %d | %d | %.1f | %.1f | %d | %d | %d | %d | %d |\n", phase, len(lat)+failures, failures,
		pct(0.50), pct(0.99), flood.Load(), flood429.Load(), flood200.Load(), held, refused)
}
