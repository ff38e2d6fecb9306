package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/text/language"

	"github.com/kbsearch/kbsearch/search"
)

// Backend is what the API needs from the search layer; *search.Searcher
// implements it. Errors should be *search.Error values so that they map to
// the right status; any other error is an internal one.
type Backend interface {
	search.Service
	// Label names a facet's value for people (a theme's label), for the
	// CSV export.
	Label(facet, value string) string
	// Abstracts returns the opening text of documents by id, for the
	// RIS export and the feed; see search.Searcher.Abstracts.
	Abstracts(ctx context.Context, ids []string) (map[string]string, error)
}

// Options configure a Server.
type Options struct {
	// Backend answers the queries. A nil Backend makes every API call and
	// the readiness check answer 503.
	Backend Backend
	// Logger receives access and error logs; nil discards them.
	Logger *slog.Logger
	// AllowedOrigins are the exact origins ("https://example.org", scheme
	// and host, no path) allowed to call the API from a browser, for an
	// embedded search box. Empty allows none. Malformed entries are
	// ignored with a warning.
	AllowedOrigins []string
	// Version is reported by /healthz.
	Version string
	// Metrics, when set, receives the server's Prometheus metrics (requests
	// by route, method and status; their durations; searches with and
	// without results), and GET /metrics serves everything it holds.
	Metrics *prometheus.Registry

	// SearchTimeout bounds the work of one search, suggestion, export or
	// document request: past it the backend's work stops and the client
	// gets 503 "busy" with Retry-After. 0 is DefaultSearchTimeout;
	// negative, no deadline (the client's going away still stops it).
	SearchTimeout time.Duration
	// MaxInFlight bounds the searches, suggestions and document requests
	// served at once. 0 is DefaultMaxInFlight(); below 1 otherwise, 1.
	MaxInFlight int
	// MaxExports bounds the exports served at once, apart from
	// MaxInFlight. 0 is DefaultMaxExports; below 1 otherwise, 1.
	MaxExports int
	// QueueWait is how long a request waits for a slot before it is
	// answered 503 "busy" with Retry-After. 0 is DefaultQueueWait;
	// negative, no wait.
	QueueWait time.Duration

	// MaxConns bounds the connections Serve holds open at once; past it a
	// new connection waits in the kernel's accept queue until one closes.
	// 0 is DefaultMaxConns(), which leaves room under the open-file limit.
	MaxConns int
	// MaxConnsPerClient bounds the connections of one client address (a
	// trusted proxy's aside): an excess one is closed at accept. 0 is
	// DefaultMaxConnsPerClient; negative, no bound.
	MaxConnsPerClient int
	// IdleTimeout is how long a keep-alive connection waits for its next
	// request; with 80% of MaxConns open, 5 s. 0 is DefaultIdleTimeout.
	IdleTimeout time.Duration
	// RateLimit is the requests a second one client address may make to
	// /api/v1 (a token bucket per address; see RateBurst); over it the
	// answer is 429 with Retry-After. 0 is no limit.
	RateLimit float64
	// RateBurst is the requests one client address may make at once
	// before RateLimit applies. 0 is DefaultRateBurst.
	RateBurst int
	// RateClients bounds the client addresses whose buckets are kept. 0 is
	// DefaultRateClients.
	RateClients int
	// TrustedProxies are the addresses (CIDR prefixes, or single addresses)
	// of reverse proxies whose X-Forwarded-For and X-Real-IP name the
	// client. Empty trusts none: the client is the connection's peer,
	// whatever the headers say. Malformed entries are ignored with a
	// warning.
	TrustedProxies []string
	// Refresh, when set, reports the scheduled re-crawl and re-index
	// that GET /api/v1/refresh shows; it must be safe for concurrent use
	// and quick. Without it the route answers {"enabled":false}.
	Refresh func() RefreshStatus
}

// Timeouts of the http.Server made by Serve.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	shutdownTimeout   = 10 * time.Second
	// maxHeaderBytes bounds a request's header (request line included):
	// over it, limitHeaders answers 431 with the JSON error body. net/http
	// answers 431 itself, as text/plain and before any handler runs, only
	// past serverMaxHeaderBytes (plus its own 4 KiB of slack), so that
	// only a header of more than 260 KiB gets a plain-text answer.
	maxHeaderBytes       = 64 << 10
	serverMaxHeaderBytes = 4 * maxHeaderBytes
)

// Server is the HTTP API and search page. It is safe for concurrent use.
type Server struct {
	backend Backend
	log     *slog.Logger
	origins map[string]bool
	version string
	assets  assetSet
	// langMatcher picks the pages' language among assets.langs.
	langMatcher language.Matcher
	engine      *gin.Engine
	metrics     *metrics // nil without Options.Metrics
	limit       *limiter
	timeout     time.Duration // 0: none
	trusted     []netip.Prefix
	conns       *connLimits
	idle        time.Duration
	rate        *rateLimiter         // nil: no rate limit
	refresh     func() RefreshStatus // nil: no scheduled refresh
}

// New returns a Server for opts.
func New(opts Options) *Server {
	s := &Server{
		backend: opts.Backend,
		log:     opts.Logger,
		version: opts.Version,
		refresh: opts.Refresh,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.origins = s.checkOrigins(opts.AllowedOrigins)
	s.assets = loadAssets(s.log)
	if len(s.assets.langs) > 0 {
		tags := make([]language.Tag, len(s.assets.langs))
		for i, l := range s.assets.langs {
			tags[i] = language.Make(l)
		}
		s.langMatcher = language.NewMatcher(tags)
	}
	switch {
	case opts.SearchTimeout == 0:
		s.timeout = DefaultSearchTimeout
	case opts.SearchTimeout > 0:
		s.timeout = opts.SearchTimeout
	}
	if opts.MaxInFlight == 0 {
		opts.MaxInFlight = DefaultMaxInFlight()
	}
	if opts.QueueWait == 0 {
		opts.QueueWait = DefaultQueueWait
	}
	if opts.MaxExports == 0 {
		opts.MaxExports = DefaultMaxExports
	}
	s.limit = newLimiter(opts.MaxInFlight, opts.MaxExports, opts.QueueWait)
	s.trusted = s.checkProxies(opts.TrustedProxies)
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns()
	}
	if opts.MaxConnsPerClient == 0 {
		opts.MaxConnsPerClient = DefaultMaxConnsPerClient
	}
	s.conns = newConnLimits(opts.MaxConns, opts.MaxConnsPerClient, s.trusted, s.log)
	if opts.RateLimit > 0 {
		if opts.RateBurst <= 0 {
			opts.RateBurst = DefaultRateBurst
		}
		if opts.RateClients <= 0 {
			opts.RateClients = DefaultRateClients
		}
		s.rate = newRateLimiter(opts.RateLimit, opts.RateBurst, opts.RateClients)
	}
	s.idle = opts.IdleTimeout
	if s.idle <= 0 {
		s.idle = DefaultIdleTimeout
	}

	// gin's mode is process-wide; release mode keeps gin from printing
	// its own debug lines. Set once: servers made at once (parallel tests)
	// would race on it.
	releaseMode()
	r := gin.New()
	// gin trusts every proxy unless told otherwise: only those of
	// Options.TrustedProxies are, none by default, so that ClientIP is the
	// peer address unless the peer is a trusted proxy.
	proxies := make([]string, len(s.trusted))
	for i, p := range s.trusted {
		proxies[i] = p.String()
	}
	if err := r.SetTrustedProxies(proxies); err != nil {
		s.log.Warn("httpapi: set trusted proxies", slog.String("error", err.Error()))
	}
	r.HandleMethodNotAllowed = true
	// Every request goes through the middleware below; gin's own
	// trailing-slash redirect would bypass it.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false

	r.Use(s.withRequestID, s.logAccess)
	if opts.Metrics != nil {
		s.metrics = newMetrics(opts.Metrics, s.limit, s.conns, s.rate)
		r.Use(s.observe)
	}
	r.Use(s.recoverPanics, s.secureHeaders, s.cors, s.limitHeaders) // cors first: a browser may read the 431
	r.NoRoute(s.handleNoRoute)
	r.NoMethod(s.handleNoMethod)

	getHead := []string{http.MethodGet, http.MethodHead}
	api := r.Group("/api/v1")
	if s.rate != nil {
		api.Use(s.rateLimit)
	}
	// HEAD is answered as GET is, without the body (net/http drops it).
	api.Match(getHead, "/search", s.bounded(false), s.handleSearch)
	api.Match(getHead, "/documents/:id", s.bounded(false), s.handleDocument)
	api.Match(getHead, "/themes", s.handleThemes)
	api.Match(getHead, "/suggest", s.bounded(false), s.handleSuggest)
	api.Match(getHead, "/export", s.bounded(true), s.handleExport)
	api.Match(getHead, "/feed", s.bounded(false), s.handleFeed)
	api.Match(getHead, "/openapi.json", s.handleOpenAPI)
	api.Match(getHead, "/stats", s.bounded(false), s.handleStats)
	api.Match(getHead, "/refresh", s.handleRefresh)
	r.Match(getHead, "/healthz", s.handleHealth)
	r.Match(getHead, "/readyz", s.handleReady)
	r.Match(getHead, "/", s.handlePage)
	r.Match(getHead, "/documents/:id", s.bounded(false), s.handleDocumentPage)
	r.Match(getHead, "/static/*file", s.handleStatic)
	if opts.Metrics != nil {
		r.Match(getHead, "/metrics", metricsHandler(opts.Metrics))
	}

	s.engine = r
	return s
}

// releaseMode puts gin in release mode, once for the process.
var releaseMode = sync.OnceFunc(func() { gin.SetMode(gin.ReleaseMode) })

// Handler returns the http.Handler serving all routes, their responses
// compressed when the client accepts it (compress.go).
func (s *Server) Handler() http.Handler { return compress(s.engine) }

// Serve listens on addr (such as "127.0.0.1:8080", or port 0 for any free
// port) and serves until ctx is done; then it stops accepting connections
// and waits up to 10 seconds for requests in flight before closing them.
// It holds at most Options.MaxConns connections, Options.MaxConnsPerClient
// of one client address, and closes idle ones early near the limit.
// Once listening it calls ready, when not nil, with the bound address. It
// returns nil after a shutdown caused by ctx, an error otherwise.
func (s *Server) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("httpapi: listen %s: %w", addr, err)
	}
	addrs := ln.Addr()
	ln = s.conns.listener(ln)
	rctx, stopReap := context.WithCancel(ctx)
	defer stopReap()
	go s.conns.reap(rctx)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       s.idle,
		ConnState:         s.conns.connState,
		MaxHeaderBytes:    serverMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(addrs)
	}
	s.log.Info("httpapi: listening", slog.String("addr", addrs.String()),
		slog.Int("max_conns", s.conns.total), slog.Int("max_conns_per_client", s.conns.perClient))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		// srv.Serve only returns early on a listener failure.
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}

	s.log.Info("httpapi: shutting down", slog.Duration("drain", shutdownTimeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		closeErr := srv.Close()
		<-errc
		return fmt.Errorf("httpapi: shutdown: %w", errors.Join(err, closeErr))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: serve: %w", err)
	}
	return nil
}

// checkProxies parses the trusted proxies of list: CIDR prefixes, or
// single addresses.
func (s *Server) checkProxies(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range list {
		p = strings.TrimSpace(p)
		pfx, err := ParseProxy(p)
		if err != nil {
			s.log.Warn("httpapi: ignoring malformed trusted proxy", slog.String("proxy", p))
			continue
		}
		out = append(out, pfx)
	}
	return out
}

// ParseProxy parses a trusted proxy: a CIDR prefix ("10.0.0.0/8") or a
// single address ("192.0.2.7", as /32 or /128).
func ParseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// checkOrigins keeps the well-formed origins of list: http or https,
// a host, nothing after it.
func (s *Server) checkOrigins(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, o := range list {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			s.log.Warn("httpapi: ignoring malformed allowed origin", slog.String("origin", o))
			continue
		}
		m[u.Scheme+"://"+strings.ToLower(u.Host)] = true
	}
	return m
}
