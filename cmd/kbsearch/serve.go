package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

type serveFlags struct {
	addr    string
	taxFile string
	origins []string

	searchTimeout time.Duration // 0: no deadline
	noFeedback    bool
	recency       string // the default half-life of the recency boost; "" for none
	maxInFlight   int
	maxExports    int
	maxConns      int           // 0: httpapi's default, under the open-file limit
	connsPerIP    int           // 0: no bound
	idleTimeout   time.Duration // of a keep-alive connection
	rateLimit     float64       // requests a second per client address; 0: off
	rateBurst     int
	proxies       []string      // trusted proxies, CIDR or address
	queueWait     time.Duration // 0: no wait
	pprof         string        // loopback address of the pprof listener; "" for none
	refresh       refreshFlags  // scheduled re-crawl and re-index (refresh.go)
}

// defaultServeFlags are the flags' defaults, for the commands that serve
// without asking (demo).
func defaultServeFlags() serveFlags {
	return serveFlags{
		addr:          "127.0.0.1:8080",
		searchTimeout: httpapi.DefaultSearchTimeout,
		maxInFlight:   httpapi.DefaultMaxInFlight(),
		maxExports:    httpapi.DefaultMaxExports,
		connsPerIP:    httpapi.DefaultMaxConnsPerClient,
		idleTimeout:   httpapi.DefaultIdleTimeout,
		rateBurst:     httpapi.DefaultRateBurst,
		queueWait:     httpapi.DefaultQueueWait,
		refresh:       defaultRefreshFlags(),
	}
}

// check rejects values that cannot work, before anything is opened.
func (f serveFlags) check() error {
	if f.searchTimeout < 0 {
		return fmt.Errorf("--search-timeout %s: must not be negative (0 for no deadline)", f.searchTimeout)
	}
	if f.queueWait < 0 {
		return fmt.Errorf("--queue-wait %s: must not be negative (0 for no wait)", f.queueWait)
	}
	if f.maxInFlight < 1 {
		return fmt.Errorf("--max-inflight %d: must be at least 1", f.maxInFlight)
	}
	if f.maxExports < 1 {
		return fmt.Errorf("--max-exports %d: must be at least 1", f.maxExports)
	}
	if f.maxConns < 0 {
		return fmt.Errorf("--max-conns %d: must not be negative (0 for the default under the open-file limit)", f.maxConns)
	}
	if f.connsPerIP < 0 {
		return fmt.Errorf("--max-conns-per-client %d: must not be negative (0 for no bound)", f.connsPerIP)
	}
	if f.idleTimeout <= 0 {
		return fmt.Errorf("--idle-timeout %s: must be positive", f.idleTimeout)
	}
	if f.rateLimit < 0 {
		return fmt.Errorf("--rate-limit %g: must not be negative (0 for no limit)", f.rateLimit)
	}
	if f.rateBurst < 1 {
		return fmt.Errorf("--rate-burst %d: must be at least 1", f.rateBurst)
	}
	for _, p := range f.proxies {
		if _, err := httpapi.ParseProxy(strings.TrimSpace(p)); err != nil {
			return fmt.Errorf("--trusted-proxy %q: not a CIDR prefix or an address", p)
		}
	}
	if f.pprof != "" {
		if err := checkLoopback(f.pprof); err != nil {
			return err
		}
	}
	if _, err := f.recencyHalfLife(); err != nil {
		return err
	}
	return f.refresh.check()
}

// recencyHalfLife returns the default half-life of the recency boost, 0
// for none.
func (f serveFlags) recencyHalfLife() (time.Duration, error) {
	if f.recency == "" {
		return 0, nil
	}
	d, err := search.ParseRecency(f.recency)
	if err != nil {
		return 0, fmt.Errorf("--recency: %w", err)
	}
	return max(d, 0), nil
}

// httpOptions returns the server options of the bounds in f; the flags'
// 0 (none) is httpapi's negative.
func (f serveFlags) httpOptions() httpapi.Options {
	o := httpapi.Options{SearchTimeout: f.searchTimeout, MaxInFlight: f.maxInFlight, MaxExports: f.maxExports, QueueWait: f.queueWait}
	if o.SearchTimeout == 0 {
		o.SearchTimeout = -1
	}
	if o.QueueWait == 0 {
		o.QueueWait = -1
	}
	o.MaxConns, o.MaxConnsPerClient, o.IdleTimeout = f.maxConns, f.connsPerIP, f.idleTimeout
	o.RateLimit, o.RateBurst, o.TrustedProxies = f.rateLimit, f.rateBurst, f.proxies
	if o.MaxConnsPerClient == 0 {
		o.MaxConnsPerClient = -1
	}
	return o
}

func newServeCmd(g *globals) *cobra.Command {
	f := defaultServeFlags()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API and the search page over the current index",
		Long: `serve answers searches over the current index generation under --data and
switches to each new generation that "kbsearch index" publishes. Each
generation is checked before it is served (segment checksums, document count,
a probe search): a damaged one is never served, and the newest older one that
passes is served instead, with a warning. /healthz says the process is alive;
/readyz answers 200 only while a sound index is served. The first
Ctrl-C drains requests for up to 10 s; a second one stops at once.

With --refresh and --crawl-seed, serve also keeps the index fresh without
cron: it re-crawls the site as "kbsearch crawl" does (politely and
incrementally), builds a new generation when something changed, and
switches to it; a run that fails leaves the index served alone.
GET /api/v1/refresh and /metrics show the last run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			tax, err := loadTaxonomy(f.taxFile)
			if err != nil {
				return err
			}
			serverProcs(g.log)
			return runServe(cmd.Context(), g, f, tax, func(a net.Addr) {
				fmt.Fprintf(g.stdout, "kbsearch: serving on http://%s/\n", a)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", f.addr, "address to listen on")
	fl.StringVar(&f.taxFile, "taxonomy", "", "theme taxonomy JSON file (labels; use the one the index was built with)")
	fl.StringSliceVar(&f.origins, "cors-origin", nil, "origins allowed to call the API from a browser (embedding)")
	fl.StringVar(&f.recency, "recency", "", "default recency boost of the relevance order: a half-life such as 5y, 6w or 90d (a request's recency=off turns it off); none by default")
	fl.BoolVar(&f.noFeedback, "no-feedback", false, "no pseudo-relevance feedback (RM3, on by default: docs/relevance.md)")
	fl.DurationVar(&f.searchTimeout, "search-timeout", f.searchTimeout, "deadline of one search, suggestion, export or document request; past it the work stops and the answer is 503 (0: none)")
	fl.IntVar(&f.maxInFlight, "max-inflight", f.maxInFlight, "searches, suggestions and document requests served at once at most (GOMAXPROCS, at least 2, unless set)")
	fl.IntVar(&f.maxExports, "max-exports", f.maxExports, "CSV exports served at once at most, apart from --max-inflight")
	fl.DurationVar(&f.queueWait, "queue-wait", f.queueWait, "how long a request waits for a free slot before a 503 (0: none)")
	fl.IntVar(&f.maxConns, "max-conns", 0, "connections held open at once at most; past it new ones wait in the accept queue (0: the open-file limit less a tenth, at least 128)")
	fl.IntVar(&f.connsPerIP, "max-conns-per-client", f.connsPerIP, "connections of one client address at most (a trusted proxy's aside); more are closed at accept (0: no bound)")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", f.idleTimeout, "how long a keep-alive connection may wait for its next request; 5s once 80% of --max-conns are open")
	fl.Float64Var(&f.rateLimit, "rate-limit", 0, "API requests a second one client address may make (a token bucket each); over it 429 with Retry-After (0: no limit)")
	fl.IntVar(&f.rateBurst, "rate-burst", f.rateBurst, "API requests one client address may make at once before --rate-limit applies")
	fl.StringSliceVar(&f.proxies, "trusted-proxy", nil, "a reverse proxy (CIDR or address; repeat or use commas) whose X-Forwarded-For names the client; none by default")
	fl.StringVar(&f.pprof, "pprof", "", "serve net/http/pprof on this loopback address (such as 127.0.0.1:6060), apart from the API; off by default")
	f.refresh.addFlags(fl)
	return cmd
}

// extraProcs is how many more processors than cores a server gives the
// Go scheduler (see serverProcs).
const extraProcs = 2

// serverProcs gives the Go scheduler extraProcs processors more than it
// has by default (one per usable core), unless GOMAXPROCS is set in the
// environment. Searches are CPU-bound and the in-flight limit
// (--max-inflight, one per core by default) lets as many run as there
// are cores; with no processor to spare, a goroutine that the network
// poller wakes to read the next request waits in the global run queue
// until a search is preempted, 10 ms at a time. At 100k documents and
// concurrency 8 that wait, invisible to the handler's own timer, was most
// of the p99 (the scheduler-latency histogram in /metrics shows it). The
// extra processors run the network and the cheap routes; the searches
// stay bounded by the in-flight limit, and the kernel shares the cores.
func serverProcs(log *slog.Logger) {
	if _, ok := os.LookupEnv("GOMAXPROCS"); ok {
		return
	}
	n := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(n + extraProcs)
	log.Debug("serve: Go processors", "cores", n, "procs", n+extraProcs)
}

// runServe serves the index of g until ctx is done.
func runServe(ctx context.Context, g *globals, f serveFlags, tax *taxonomy.Taxonomy, ready func(net.Addr)) error {
	live, err := indexer.NewLive(g.indexDir(), g.log)
	if err != nil {
		return err
	}
	defer live.Close()
	switch err := live.Ready(); {
	case live.Generation() != "":
	case errors.Is(err, indexer.ErrCorrupt):
		g.log.Error("no index generation passes its check: searches and /readyz answer 503 until `kbsearch index --force` builds a sound one", "dir", g.indexDir())
	case f.refresh.every > 0:
		g.log.Info("no index yet: searches answer 503 until the first refresh has crawled and indexed", "dir", g.indexDir())
	default:
		g.log.Warn("no index yet: searches answer 503 until `kbsearch index` builds one", "dir", g.indexDir())
	}
	go live.Watch(ctx, 2*time.Second)
	if f.pprof != "" {
		a, err := startPprof(ctx, f.pprof, g.log)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "kbsearch: profiles on http://%s/debug/pprof/\n", a)
	}
	opts := f.httpOptions()
	recency, err := f.recencyHalfLife()
	if err != nil {
		return err
	}
	opts.Backend = search.New(live, search.Options{Taxonomy: tax, Logger: g.log, Ranking: search.Ranking{NoFeedback: f.noFeedback, Recency: recency}})
	opts.Logger = g.log
	opts.AllowedOrigins = f.origins
	opts.Version = version
	opts.Metrics = serveMetrics(live)
	if f.refresh.every > 0 {
		rf := newRefresher(g, f.refresh, tax, live)
		opts.Refresh = rf.Status
		opts.Metrics.MustRegister(rf)
		stop := rf.start(ctx)
		defer stop() // a run in progress is cancelled and ends before live closes
	}
	return httpapi.New(opts).Serve(ctx, f.addr, ready)
}

// serveMetrics is the registry /metrics serves: the Go runtime's and the
// process's collectors, the index's size and generation, and what the HTTP
// server adds.
func serveMetrics(live *indexer.Live) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		// The scheduler's latency (runnable to running) is what a request
		// waits for a processor before the handler sees it: the part of
		// a client's latency that no handler timer can show.
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/sched/latencies:seconds$`)})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kbsearch_index_documents",
			Help: "Documents in the index generation being served (0 without one).",
		}, func() float64 {
			r, err := live.Acquire()
			if err != nil {
				return 0
			}
			defer r.Release()
			return float64(r.Count())
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kbsearch_index_generation",
			Help: "Number of the index generation being served (gen-000007 is 7; 0 without one).",
		}, func() float64 {
			n, _ := strconv.Atoi(strings.TrimPrefix(live.Generation(), "gen-"))
			return float64(n)
		}),
	)
	return reg
}
