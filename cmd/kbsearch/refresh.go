package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/kbsearch/kbsearch/crawler"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// minRefresh is the shortest --refresh: a re-crawl is polite request by
// request, but a site should not be crawled without a pause.
const minRefresh = time.Minute

// refreshFlags configure serve's scheduled re-crawl (--refresh).
type refreshFlags struct {
	every  time.Duration // 0: never
	jitter time.Duration // a random wait up to this long is added to each
	// crawl is the re-crawl's configuration: crawl's defaults, with the
	// seeds, scope and politeness of the --crawl-* flags.
	crawl crawlFlags
}

func defaultRefreshFlags() refreshFlags {
	c := defaultCrawlFlags()
	c.noProgress = true
	return refreshFlags{crawl: c}
}

// addFlags adds the flags of f to fl (serve's).
func (f *refreshFlags) addFlags(fl *pflag.FlagSet) {
	fl.DurationVar(&f.every, "refresh", f.every, "re-crawl the --crawl-seed site and re-index it in the background this long after the last crawl finished, and serve the new index when something changed (0: never; at least 1m)")
	fl.DurationVar(&f.jitter, "refresh-jitter", f.jitter, "add a random wait of up to this long to each refresh, so that many servers do not crawl at once")
	fl.StringSliceVar(&f.crawl.seeds, "crawl-seed", nil, "start URL of the --refresh crawl (repeatable): the seeds of your kbsearch crawl")
	fl.StringSliceVar(&f.crawl.hosts, "crawl-allow-host", nil, "hosts in scope of the --refresh crawl (as crawl --allow-host)")
	fl.StringSliceVar(&f.crawl.prefixes, "crawl-allow-prefix", nil, "URL path prefixes in scope of the --refresh crawl (as crawl --allow-prefix)")
	fl.DurationVar(&f.crawl.delay, "crawl-delay", f.crawl.delay, "time between two request starts to one host in the --refresh crawl (as crawl --delay)")
	fl.IntVar(&f.crawl.maxPages, "crawl-max-pages", f.crawl.maxPages, "documents fetched per --refresh crawl at most (as crawl --max-pages)")
	fl.StringVar(&f.crawl.userAgent, "crawl-user-agent", "", "User-Agent of the --refresh crawl (as crawl --user-agent)")
}

// check rejects a refresh that cannot work.
func (f refreshFlags) check() error {
	switch {
	case f.every < 0:
		return fmt.Errorf("--refresh %s: must not be negative (0 for never)", f.every)
	case f.every == 0 && len(f.crawl.seeds) > 0:
		return errors.New("--crawl-seed needs --refresh: how long after a crawl to crawl again")
	case f.every == 0:
		return nil
	case f.every < minRefresh:
		return fmt.Errorf("--refresh %s: must be at least %s (0 for never)", f.every, minRefresh)
	case len(f.crawl.seeds) == 0:
		return errors.New("--refresh needs --crawl-seed URL: the site to crawl again")
	case f.jitter < 0:
		return fmt.Errorf("--refresh-jitter %s: must not be negative", f.jitter)
	}
	return nil
}

// liveIndex is what a refresher needs of the index served; *indexer.Live
// implements it.
type liveIndex interface {
	Refresh(ctx context.Context) (bool, error)
	Generation() string
}

var _ liveIndex = (*indexer.Live)(nil)

// refresher keeps the index of a server fresh: it re-crawls the site into
// the crawl store (incrementally, as kbsearch crawl does), builds a new
// index generation when the store changed (indexer.Build skips
// otherwise), and has the live index serve it. Runs are one goroutine's
// loop, so only one runs at a time; between runs the store is closed, so
// that kbsearch status, index or crawl can open it. A run that fails
// leaves the index served as it was; it is logged at WARN and shown in
// Status and the metrics.
type refresher struct {
	g    *globals
	f    refreshFlags
	tax  *taxonomy.Taxonomy
	live liveIndex
	log  *slog.Logger

	mu     sync.Mutex
	st     httpapi.RefreshStatus
	result map[string]int // runs by result: ok, failed, canceled
}

var _ prometheus.Collector = (*refresher)(nil)

func newRefresher(g *globals, f refreshFlags, tax *taxonomy.Taxonomy, live liveIndex) *refresher {
	return &refresher{g: g, f: f, tax: tax, live: live, log: g.log.With("component", "refresh"),
		st:     httpapi.RefreshStatus{Enabled: true, Interval: f.every.String()},
		result: map[string]int{"ok": 0, "failed": 0, "canceled": 0}}
}

// start runs the refresh loop in the background until ctx is done or the
// returned stop is called; stop cancels a run in progress and returns
// once it has ended (the crawl store is closed and consistent then).
func (r *refresher) start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.loop(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// loop runs a refresh when it is due, then every f.every after the end of
// the last, until ctx is done.
func (r *refresher) loop(ctx context.Context) {
	wait := r.firstWait(ctx)
	r.log.Info("scheduled refresh", "seeds", r.f.crawl.seeds, "every", r.f.every, "jitter", r.f.jitter,
		"next", time.Now().Add(wait).Round(time.Second))
	for {
		r.mu.Lock()
		r.st.Next = time.Now().Add(wait).UTC()
		r.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		r.once(ctx)
		if ctx.Err() != nil {
			return
		}
		wait = r.f.every + r.randJitter()
	}
}

func (r *refresher) randJitter() time.Duration {
	if r.f.jitter <= 0 {
		return 0
	}
	return rand.N(r.f.jitter)
}

// firstWait is how long to wait for the first run: none while there is
// no index to serve or a crawl is unfinished (it resumes), else until
// f.every after the last crawl finished, so that a restart does not
// re-crawl.
func (r *refresher) firstWait(ctx context.Context) time.Duration {
	if r.live.Generation() == "" {
		return 0
	}
	st, err := store.Open(ctx, r.g.storeDir(), store.Options{ReadOnly: true})
	if err != nil {
		return 0 // no store yet, or busy: the run will say
	}
	defer st.Close()
	if run, err := st.UnfinishedRun(ctx); err != nil || run != nil {
		return 0
	}
	last, err := st.LastRun(ctx)
	if err != nil || last == nil || last.Finished.IsZero() {
		return 0
	}
	return max(0, time.Until(last.Finished.Add(r.f.every))) + r.randJitter()
}

// once runs one refresh and records it.
func (r *refresher) once(ctx context.Context) {
	run := httpapi.RefreshRun{Started: time.Now().UTC()}
	r.mu.Lock()
	r.st.Running, r.st.Next = true, time.Time{}
	r.mu.Unlock()

	err := r.crawlAndIndex(ctx, &run)

	run.Finished = time.Now().UTC()
	if run.Generation == "" {
		run.Generation = r.live.Generation()
	}
	result := "ok"
	switch {
	case err != nil && ctx.Err() != nil:
		result = "canceled"
		run.Error = "stopped by shutdown: " + err.Error()
	case err != nil:
		result = "failed"
		run.Error = err.Error()
	}
	r.mu.Lock()
	r.st.Running = false
	r.st.Runs++
	r.result[result]++
	switch result {
	case "ok":
		r.st.LastSuccess = run.Finished
	case "failed":
		r.st.Failures++
	}
	r.st.Last = &run
	r.mu.Unlock()

	args := []any{"fetched", run.Fetched, "new", run.New, "changed", run.Changed, "unchanged", run.Unchanged,
		"gone", run.Gone, "failed", run.Failed, "index_built", run.IndexBuilt, "generation", run.Generation,
		"seconds", run.Finished.Sub(run.Started).Seconds()}
	switch result {
	case "canceled":
		r.log.Info("refresh stopped by shutdown: the store is consistent and the next crawl resumes it", args...)
	case "failed":
		r.log.Warn("refresh failed: the index served is unchanged", append(args, "err", err)...)
	default:
		r.log.Info("refresh finished", args...)
	}
}

// crawlAndIndex re-crawls, then indexes and serves the result unless the
// crawl failed; it fills run as it goes.
func (r *refresher) crawlAndIndex(ctx context.Context, run *httpapi.RefreshRun) error {
	sum, err := runCrawl(ctx, r.g, r.f.crawl, nil)
	if sum != nil {
		run.Fetched, run.New, run.Changed, run.Unchanged, run.Gone, run.Failed =
			sum.Fetched, sum.New, sum.Changed, sum.Unchanged, sum.Gone, sum.FailedTotal()
	}
	if err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	if err := siteDown(sum); err != nil {
		return err
	}
	st, err := store.Open(ctx, r.g.storeDir(), store.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer st.Close()
	res, err := indexer.Build(ctx, st, r.g.indexDir(), indexer.BuildOptions{Taxonomy: r.tax, Logger: r.log})
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	run.IndexBuilt, run.Documents = !res.Skipped, res.Documents
	if _, err := r.live.Refresh(ctx); err != nil {
		return fmt.Errorf("serve %s: %w", res.Generation, err)
	}
	if gen := r.live.Generation(); gen != res.Generation {
		run.Generation = gen
		return fmt.Errorf("index: %s failed its check: still serving %s", res.Generation, gen)
	}
	run.Generation = res.Generation
	return nil
}

// siteDown returns an error when no document of a crawl could be fetched
// (the site or the network is down, or answers only errors): its records
// then only note the failures, and indexing them would change nothing
// worth a new generation.
func siteDown(sum *crawler.Summary) error {
	failed := sum.FailedTotal()
	if failed == 0 || sum.New+sum.Changed+sum.Unchanged+sum.Gone > 0 {
		return nil
	}
	var reasons []string
	for _, k := range slices.Sorted(maps.Keys(sum.Failed)) {
		reasons = append(reasons, fmt.Sprintf("%s %d", k, sum.Failed[k]))
	}
	return fmt.Errorf("crawl: every document failed (%s): the site is down or refuses the crawler", strings.Join(reasons, ", "))
}

// Status returns the refresh's state, for GET /api/v1/refresh.
func (r *refresher) Status() httpapi.RefreshStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.st
	if st.Last != nil {
		last := *st.Last
		st.Last = &last
	}
	return st
}

// The refresh's metrics, read from its status at each scrape.
var (
	refreshRunsDesc = prometheus.NewDesc("kbsearch_refresh_runs_total",
		"Scheduled refresh runs since the server started, by result (ok, failed, canceled).", []string{"result"}, nil)
	refreshRunningDesc = prometheus.NewDesc("kbsearch_refresh_running",
		"1 while a scheduled refresh crawls or indexes.", nil, nil)
	refreshStartedDesc = prometheus.NewDesc("kbsearch_refresh_last_started_timestamp_seconds",
		"When the last finished refresh started (Unix time).", nil, nil)
	refreshFinishedDesc = prometheus.NewDesc("kbsearch_refresh_last_finished_timestamp_seconds",
		"When the last refresh finished (Unix time).", nil, nil)
	refreshSuccessDesc = prometheus.NewDesc("kbsearch_refresh_last_success_timestamp_seconds",
		"When the last refresh that did not fail finished (Unix time); alert on its age.", nil, nil)
	refreshNextDesc = prometheus.NewDesc("kbsearch_refresh_next_timestamp_seconds",
		"When the next refresh starts (Unix time; 0 while one runs).", nil, nil)
	refreshFailedDesc = prometheus.NewDesc("kbsearch_refresh_last_failed",
		"1 if the last refresh failed (the index served was left as it was).", nil, nil)
	refreshBuiltDesc = prometheus.NewDesc("kbsearch_refresh_last_index_built",
		"1 if the last refresh built a new index generation.", nil, nil)
	refreshDocsDesc = prometheus.NewDesc("kbsearch_refresh_last_documents",
		"What the last refresh's crawl did: requests fetched, and documents new, changed, unchanged, gone, failed.", []string{"outcome"}, nil)
)

// Describe implements prometheus.Collector.
func (r *refresher) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{refreshRunsDesc, refreshRunningDesc, refreshStartedDesc, refreshFinishedDesc,
		refreshSuccessDesc, refreshNextDesc, refreshFailedDesc, refreshBuiltDesc, refreshDocsDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (r *refresher) Collect(ch chan<- prometheus.Metric) {
	r.mu.Lock()
	st := r.st
	runs := maps.Clone(r.result)
	r.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(runs)) {
		ch <- prometheus.MustNewConstMetric(refreshRunsDesc, prometheus.CounterValue, float64(runs[k]), k)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(refreshRunningDesc, b2f(st.Running))
	gauge(refreshNextDesc, unix(st.Next))
	gauge(refreshSuccessDesc, unix(st.LastSuccess))
	last := st.Last
	if last == nil {
		last = &httpapi.RefreshRun{}
	}
	gauge(refreshStartedDesc, unix(last.Started))
	gauge(refreshFinishedDesc, unix(last.Finished))
	gauge(refreshFailedDesc, b2f(last.Error != ""))
	gauge(refreshBuiltDesc, b2f(last.IndexBuilt))
	for _, o := range []struct {
		name string
		n    int
	}{{"fetched", last.Fetched}, {"new", last.New}, {"changed", last.Changed}, {"unchanged", last.Unchanged},
		{"gone", last.Gone}, {"failed", last.Failed}} {
		gauge(refreshDocsDesc, float64(o.n), o.name)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// unix is t in Unix seconds, 0 for the zero time.
func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
