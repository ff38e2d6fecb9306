package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbsearch/kbsearch/search"
)

func TestMetrics(t *testing.T) {
	b := &fakeBackend{result: &search.Result{Query: "x", Page: 1, Size: 10}}
	s, _ := newTestServer(t, b, Options{Metrics: prometheus.NewRegistry()})
	h := s.Handler()
	do(t, h, http.MethodGet, "/api/v1/search?q=x")                     // no hits
	do(t, h, http.MethodGet, "/api/v1/search?q=x")                     // no hits
	do(t, h, http.MethodGet, "/api/v1/documents/abc")                  // 404 from the backend
	do(t, h, http.MethodGet, "/nowhere/"+strings.Repeat("x", 20))      // no route
	do(t, h, http.MethodGet, "/api/v1/search?q=y&size=0")              // 400
	b.result = &search.Result{Query: "z", Total: 3, Page: 1, Size: 10} // some hits
	do(t, h, http.MethodGet, "/api/v1/search?q=z")
	b.result = &search.Result{Query: "w", Total: 3, Page: 1, Size: 10, DidYouMean: "v"}
	do(t, h, http.MethodGet, "/api/v1/search?q=w")

	rec := do(t, h, http.MethodGet, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`kbsearch_http_requests_total{code="200",method="GET",route="/api/v1/search"} 4`,
		`kbsearch_http_requests_total{code="400",method="GET",route="/api/v1/search"} 1`,
		`kbsearch_http_requests_total{code="404",method="GET",route="/api/v1/documents/:id"} 1`,
		`kbsearch_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`kbsearch_http_request_duration_seconds_count{route="/api/v1/search"} 5`,
		`kbsearch_searches_total{result="none"} 2`,
		`kbsearch_searches_total{result="hits"} 1`,
		`kbsearch_searches_total{result="corrected"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "nowhere") {
		t.Errorf("a request path became a label value:\n%s", body)
	}

	// Without a registry there is no /metrics.
	s2, _ := newTestServer(t, &fakeBackend{}, Options{})
	if rec := do(t, s2.Handler(), http.MethodGet, "/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("/metrics without a registry: status %d, want 404", rec.Code)
	}
}
