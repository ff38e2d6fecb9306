package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics. Labels are bounded: the
// route pattern (not the path), a known method, the status code.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	searches *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kbsearch_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kbsearch_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		searches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kbsearch_searches_total",
			Help: `Searches answered, by result: "hits", "none" (no document matched: a gap in the collection or a query to fix) or "corrected" (none or some, with a "did you mean").`,
		}, []string{"result"}),
	}
	reg.MustRegister(m.requests, m.duration, m.searches)
	return m
}

// observe records every request's route, method, status and duration.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	method := c.Request.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost:
	default:
		method = "other"
	}
	s.metrics.requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
	s.metrics.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
}

// countSearch records how a search was answered.
func (s *Server) countSearch(total uint64, corrected bool) {
	if s.metrics == nil {
		return
	}
	switch {
	case corrected:
		s.metrics.searches.WithLabelValues("corrected").Inc()
	case total == 0:
		s.metrics.searches.WithLabelValues("none").Inc()
	default:
		s.metrics.searches.WithLabelValues("hits").Inc()
	}
}

// metricsHandler serves the registry in the Prometheus text format.
func metricsHandler(g prometheus.Gatherer) gin.HandlerFunc {
	h := promhttp.HandlerFor(g, promhttp.HandlerOpts{})
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		h.ServeHTTP(c.Writer, c.Request)
	}
}
