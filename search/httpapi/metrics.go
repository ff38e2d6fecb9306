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
	rejected *prometheus.CounterVec
	limited  prometheus.Counter
}

// Reasons a bounded request is turned away, the values of the label
// "reason" of kbsearch_http_rejected_total.
const (
	rejectDeadline = "deadline" // the search deadline passed while it worked
	rejectBusy     = "busy"     // no slot of the in-flight limit in time
	rejectCanceled = "canceled" // the client went away first
)

func newMetrics(reg prometheus.Registerer, l *limiter, cl *connLimits, rl *rateLimiter) *metrics {
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
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kbsearch_http_rejected_total",
			Help: `Search, suggestion, export and document requests turned away, by reason: "deadline" (the search deadline passed), "busy" (no slot of the in-flight or export limit within the queue wait), "canceled" (the client went away).`,
		}, []string{"reason"}),
	}
	for _, r := range []string{rejectDeadline, rejectBusy, rejectCanceled} {
		m.rejected.WithLabelValues(r) // every reason is shown, from 0
	}
	inflight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kbsearch_http_inflight",
		Help: "Search, suggestion and document requests being served (holding a slot of the in-flight limit).",
	}, func() float64 { return float64(len(l.all)) })
	queued := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kbsearch_http_queued",
		Help: "Requests waiting for a slot of the in-flight limit.",
	}, func() float64 { return float64(l.queued.Load()) })
	limit := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kbsearch_http_inflight_limit",
		Help: "The most search, suggestion and document requests served at once.",
	})
	limit.Set(float64(cap(l.all)))
	exports := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kbsearch_http_exports_inflight",
		Help: "Exports being served (holding a slot of the export limit).",
	}, func() float64 { return float64(len(l.export)) })
	exportLimit := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kbsearch_http_exports_limit",
		Help: "The most exports served at once.",
	})
	exportLimit.Set(float64(cap(l.export)))
	reg.MustRegister(m.requests, m.duration, m.searches, m.rejected, inflight, queued, limit, exports, exportLimit)
	m.limited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kbsearch_http_rate_limited_total",
		Help: "API requests answered 429: their client address was over --rate-limit.",
	})
	reg.MustRegister(m.limited)
	if rl != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kbsearch_http_rate_clients",
			Help: "Client addresses whose rate-limit buckets are kept (at most --rate-clients).",
		}, func() float64 { return float64(rl.size()) }))
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kbsearch_http_conns_open",
			Help: "Connections open (accepted and not closed).",
		}, func() float64 { cl.mu.Lock(); defer cl.mu.Unlock(); return float64(cl.open) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kbsearch_http_conns_limit",
			Help: "The most connections held open at once (--max-conns); past it new ones wait in the accept queue.",
		}, func() float64 { return float64(cl.total) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "kbsearch_http_conns_refused_total",
			Help: "Connections closed at accept: their client address held --max-conns-per-client already.",
		}, func() float64 { return float64(cl.refused.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "kbsearch_http_conns_idle_closed_total",
			Help: "Keep-alive connections closed after 5 s idle because 80% of --max-conns were open.",
		}, func() float64 { return float64(cl.reaped.Load()) }),
	)
	return m
}

// countRateLimited records a request over its client's rate.
func (s *Server) countRateLimited() {
	if s.metrics != nil {
		s.metrics.limited.Inc()
	}
}

// countRejected records a bounded request turned away.
func (s *Server) countRejected(reason string) {
	if s.metrics != nil {
		s.metrics.rejected.WithLabelValues(reason).Inc()
	}
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
