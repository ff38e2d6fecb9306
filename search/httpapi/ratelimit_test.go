package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// from performs GET target against h as if from the peer remote
// ("ip:port"); header holds alternating names and values.
func from(h http.Handler, remote, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A client over its rate gets 429 with Retry-After and the JSON error;
// another client, and the routes outside /api/v1, are not affected.
func TestRateLimit(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, _ := newTestServer(t, &fakeBackend{}, Options{RateLimit: 0.5, RateBurst: 3, Metrics: reg})
	h := s.Handler()
	for i := range 3 {
		if rec := from(h, "198.51.100.7:4000", "/api/v1/search?q=x"); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: status %d", i+1, rec.Code)
		}
	}
	rec := from(h, "198.51.100.7:4001", "/api/v1/search?q=x")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("over the burst: status %d, want 429", rec.Code)
	}
	if ra := rec.Header().Get("Retry-After"); ra != "2" { // a token every 2 s
		t.Errorf("Retry-After %q, want 2", ra)
	}
	if e := decodeError(t, rec); e.Code != "rate_limited" || !strings.Contains(e.Message, "too many requests") {
		t.Errorf("error %+v", e)
	}
	if rec := from(h, "198.51.100.8:4000", "/api/v1/search?q=x"); rec.Code != http.StatusOK {
		t.Errorf("another client: status %d, want 200", rec.Code)
	}
	for _, target := range []string{"/healthz", "/readyz", "/metrics"} {
		if rec := from(h, "198.51.100.7:4000", target); rec.Code == http.StatusTooManyRequests {
			t.Errorf("%s: rate limited", target)
		}
	}
	if m := gather(t, reg); !strings.Contains(m, "kbsearch_http_rate_limited_total 1") {
		t.Errorf("/metrics lacks the limited request:\n%s", m)
	}
	// Off by default.
	s, _ = newTestServer(t, &fakeBackend{}, Options{})
	for i := range 50 {
		if rec := from(s.Handler(), "198.51.100.7:4000", "/api/v1/search?q=x"); rec.Code != http.StatusOK {
			t.Fatalf("no rate limit, request %d: status %d", i+1, rec.Code)
		}
	}
}

// X-Forwarded-For names the client only when the peer is a trusted proxy:
// otherwise a client cannot take a fresh bucket by forging it.
func TestRateLimitTrustedProxy(t *testing.T) {
	for _, tt := range []struct {
		name    string
		trusted []string
		// whether a new X-Forwarded-For per request gets a fresh bucket
		fresh bool
	}{
		{name: "none trusted", fresh: false},
		{name: "another proxy trusted", trusted: []string{"203.0.113.0/24"}, fresh: false},
		{name: "the peer trusted", trusted: []string{"192.0.2.0/24"}, fresh: true},
		{name: "the peer trusted by address", trusted: []string{"192.0.2.1"}, fresh: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, &fakeBackend{}, Options{RateLimit: 0.001, RateBurst: 1, TrustedProxies: tt.trusted})
			limited := 0
			for i := range 5 {
				rec := from(s.Handler(), "192.0.2.1:5000", "/api/v1/search?q=x", "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
				if rec.Code == http.StatusTooManyRequests {
					limited++
				}
			}
			if want := map[bool]int{true: 0, false: 4}[tt.fresh]; limited != want {
				t.Errorf("%d of 5 requests limited, want %d", limited, want)
			}
		})
	}
	// The forwarded client is limited as a client of its own.
	s, _ := newTestServer(t, &fakeBackend{}, Options{RateLimit: 0.001, RateBurst: 1, TrustedProxies: []string{"192.0.2.1"}})
	from(s.Handler(), "192.0.2.1:5000", "/api/v1/search?q=x", "X-Forwarded-For", "10.0.0.9")
	if rec := from(s.Handler(), "192.0.2.1:5001", "/api/v1/search?q=x", "X-Forwarded-For", "10.0.0.9"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a forwarded client over its rate: status %d, want 429", rec.Code)
	}
}

// The buckets are bounded: a flood of distinct addresses keeps at most
// the limit, and refilled buckets go first.
func TestRateLimiterBounded(t *testing.T) {
	rl := newRateLimiter(1, 2, 100)
	now := time.Unix(1e9, 0)
	for i := range 10_000 {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		rl.allow(ip, now)
		if n := rl.size(); n > 100 {
			t.Fatalf("%d buckets after %d addresses, want at most 100", n, i+1)
		}
	}
	// Two seconds later every bucket has refilled: the next new address
	// drops them all rather than arbitrary ones.
	before := rl.evicted
	rl.allow(netip.MustParseAddr("192.0.2.1"), now.Add(2*time.Second))
	if n := rl.size(); n != 1 || rl.evicted != before {
		t.Errorf("%d buckets kept, %d dropped in use; want 1 and none", n, rl.evicted-before)
	}
	// A client keeps its bucket while it is in use.
	ip := netip.MustParseAddr("192.0.2.1")
	if ok, _ := rl.allow(ip, now.Add(2*time.Second)); !ok {
		t.Error("second request of a burst of 2 refused")
	}
	if ok, wait := rl.allow(ip, now.Add(2*time.Second)); ok || wait != time.Second {
		t.Errorf("third request: allowed %v, wait %s; want refused, 1s", ok, wait)
	}
}

// An IPv6 client is one bucket per /64.
func TestRateKey(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"192.0.2.1", "::ffff:192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
	} {
		a, b := rateKey(netip.MustParseAddr(tt.a)), rateKey(netip.MustParseAddr(tt.b))
		if (a == b) != tt.same {
			t.Errorf("%s and %s: same bucket %v, want %v", tt.a, tt.b, a == b, tt.same)
		}
	}
}
