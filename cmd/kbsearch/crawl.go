package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/crawler"
	"github.com/kbsearch/kbsearch/crawler/durable"
	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

type crawlFlags struct {
	seeds         []string
	hosts         []string
	prefixes      []string
	delay         time.Duration
	maxPages      int
	maxDepth      int
	concurrency   int
	hostConc      int
	timeout       time.Duration
	userAgent     string
	summary       string
	maxRetries    int
	offsiteDocs   bool
	rediscover    bool
	docHosts      []string
	maxPerHost    int
	maxURLLength  int
	maxQueued     int
	maxVariants   int
	progressEvery time.Duration
	noProgress    bool
	inProcess     bool
	pdftotext     bool
	cpuProfile    string
	memProfile    string
	heapLog       string
	heapEvery     time.Duration
}

// defaultCrawlFlags are the flags' defaults, for the commands that crawl
// without asking (eval --path).
func defaultCrawlFlags() crawlFlags {
	return crawlFlags{
		delay:         time.Second,
		maxPages:      crawler.DefaultMaxPages,
		maxDepth:      crawler.DefaultMaxDepth,
		concurrency:   crawler.DefaultConcurrency,
		timeout:       crawler.DefaultTimeout,
		maxRetries:    crawler.DefaultMaxRetries,
		maxURLLength:  crawler.DefaultMaxURLLength,
		maxVariants:   crawler.DefaultMaxQueryVariants,
		progressEvery: 10 * time.Second,
		heapEvery:     time.Second,
	}
}

func newCrawlCmd(g *globals) *cobra.Command {
	f := defaultCrawlFlags()
	cmd := &cobra.Command{
		Use:   "crawl --seed URL [--seed URL]...",
		Short: "Fetch a portal's pages and documents into the crawl store",
		Long: `crawl fetches the seed pages and everything in scope they link to (and
their sitemaps), honouring robots.txt, a per-host rate and concurrency, and
Retry-After, and keeps each response and its extracted text in the crawl
store under --data. A second crawl sends conditional requests for every
stored URL and only re-extracts what changed; it follows the links of new
and changed pages (of all pages with --rediscover, or when the scope, depth
or trap options differ from the last crawl's). The frontier lives in the
store: a crawl that was interrupted (Ctrl-C, kill) is resumed by the next
crawl without fetching again what it already stored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(f.seeds) == 0 {
				return errors.New("crawl needs at least one --seed URL (or KBSEARCH_SEED)")
			}
			if f.cpuProfile != "" {
				pf, err := os.Create(f.cpuProfile)
				if err != nil {
					return err
				}
				defer pf.Close()
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			var hl *heapLog
			if f.heapLog != "" || f.memProfile != "" {
				var err error
				if hl, err = startHeapLog(cmd.Context(), f.heapLog, f.memProfile, f.heapEvery); err != nil {
					return err
				}
			}
			sum, err := runCrawl(cmd.Context(), g, f, hl)
			if hl != nil {
				if herr := hl.close(); herr != nil && err == nil {
					err = herr
				}
			}
			if sum != nil {
				printSummary(g, sum)
				if f.summary != "" {
					if werr := writeSummary(f.summary, sum); werr != nil {
						return werr
					}
				}
			}
			if err != nil && errors.Is(err, context.Canceled) {
				return errors.New("crawl interrupted: the store is consistent; run the same crawl again to resume")
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.seeds, "seed", nil, "start URL (repeatable)")
	fl.StringSliceVar(&f.hosts, "allow-host", nil, "hosts in scope (default: the seeds' hosts)")
	fl.StringSliceVar(&f.prefixes, "allow-prefix", nil, "URL path prefixes in scope (default: /)")
	fl.DurationVar(&f.delay, "delay", f.delay, "time between two request starts to one host (robots.txt Crawl-delay wins if longer; 0s: none)")
	fl.IntVar(&f.maxPages, "max-pages", f.maxPages, "documents fetched per run at most (an unfinished run is resumed by the next)")
	fl.IntVar(&f.maxDepth, "max-depth", f.maxDepth, "link depth from the seeds at most")
	fl.IntVar(&f.concurrency, "concurrency", f.concurrency, "requests in flight at most")
	fl.IntVar(&f.hostConc, "host-concurrency", 0, "requests in flight per host at most (default 1 with a delay, else --concurrency)")
	fl.DurationVar(&f.timeout, "timeout", f.timeout, "timeout of one request")
	fl.StringVar(&f.userAgent, "user-agent", "", "User-Agent header: name the product and a contact URL (default "+crawler.DefaultUserAgent+")")
	fl.StringVar(&f.summary, "summary", "", "also write the run's summary as JSON to this file")
	fl.IntVar(&f.maxRetries, "max-retries", f.maxRetries, "retries of a request failing with 429, 5xx, a timeout or a network error (0: none)")
	fl.BoolVar(&f.offsiteDocs, "offsite-docs", false, "fetch documents (PDF, DOCX, ODT) linked from in-scope pages on other hosts, one hop")
	fl.StringSliceVar(&f.docHosts, "doc-host", nil, "with --offsite-docs, the only hosts documents may come from")
	fl.BoolVar(&f.rediscover, "rediscover", false, "follow the links of unchanged pages again (done anyway when scope, depth or trap options changed; finds pages a changed robots.txt now allows)")
	fl.IntVar(&f.maxPerHost, "max-pages-per-host", 0, "documents fetched per host and run at most (0: no cap)")
	fl.IntVar(&f.maxURLLength, "max-url-length", f.maxURLLength, "longer URLs are not fetched")
	fl.IntVar(&f.maxQueued, "max-queued", 0, fmt.Sprintf("URLs waiting in the frontier at most; links found beyond are not queued (default %d x --max-pages, at least 1000)", crawler.DefaultQueuedPerPage))
	fl.IntVar(&f.maxVariants, "max-query-variants", f.maxVariants, "distinct query strings queued per scheme, host and path at most (/list?page=N)")
	fl.DurationVar(&f.progressEvery, "progress-every", f.progressEvery, "without a terminal, log progress at this interval")
	fl.BoolVar(&f.noProgress, "no-progress", false, "no progress bar or progress log lines")
	fl.BoolVar(&f.inProcess, "in-process-extract", false, "parse PDFs in this process instead of time- and memory-limited workers (faster, unsafe on hostile files)")
	fl.BoolVar(&f.pdftotext, "pdftotext", false, "extract PDFs with poppler's pdftotext when it is installed (reads more damaged and encrypted files)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the crawl to this file")
	fl.MarkHidden("cpuprofile")
	fl.StringVar(&f.memProfile, "memprofile", "", "write a heap profile (pprof) taken near the crawl's heap peak to this file")
	fl.MarkHidden("memprofile")
	fl.StringVar(&f.heapLog, "heap-log", "", "sample the Go heap and RSS (anonymous and file-backed) during the crawl into this file")
	fl.MarkHidden("heap-log")
	fl.DurationVar(&f.heapEvery, "heap-log-every", f.heapEvery, "interval of the --heap-log samples")
	fl.MarkHidden("heap-log-every")
	return cmd
}

func runCrawl(ctx context.Context, g *globals, f crawlFlags, hl *heapLog) (*crawler.Summary, error) {
	st, err := store.Open(ctx, g.storeDir(), store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	delay := f.delay
	if delay <= 0 {
		delay = crawler.NoDelay // --delay 0s: no pause between requests (a local site)
	}
	retries := f.maxRetries
	if retries <= 0 {
		retries = -1
	}
	var prog *progress
	if !f.noProgress {
		prog = newProgress(g, "crawl", -1, f.progressEvery)
		defer prog.finish()
	}
	opts := crawler.Options{
		Seeds:            f.seeds,
		AllowedHosts:     f.hosts,
		AllowedPrefixes:  f.prefixes,
		MaxDepth:         f.maxDepth,
		MaxPages:         f.maxPages,
		Delay:            delay,
		Concurrency:      f.concurrency,
		HostConcurrency:  f.hostConc,
		Timeout:          f.timeout,
		UserAgent:        f.userAgent,
		MaxRetries:       retries,
		OffsiteDocuments: f.offsiteDocs,
		DocumentHosts:    f.docHosts,
		Rediscover:       f.rediscover,
		MaxPagesPerHost:  f.maxPerHost,
		MaxURLLength:     f.maxURLLength,
		MaxQueued:        f.maxQueued,
		MaxQueryVariants: f.maxVariants,
		Logger:           g.log,
	}
	if !f.inProcess {
		// PDFs and office files are parsed in worker processes with a time
		// and memory budget: a hostile file can hang or exhaust the parser,
		// and only a process can be killed.
		pool := extract.NewPool(max(f.concurrency, 1))
		defer pool.Close()
		opts.Extract = extract.Options{Isolate: true, Pool: pool}
	}
	if f.pdftotext {
		opts.Extract.Backend = extract.BackendPdftotext
	}
	if prog != nil || hl != nil {
		opts.Progress = func(p crawler.Progress) {
			if hl != nil {
				hl.setPages(p.Fetched)
			}
			if prog != nil {
				prog.update(p.Fetched, p.Fetched+p.Queued, p.Failed, p.Requests)
			}
		}
	}
	c, err := crawler.New(st, opts)
	if err != nil {
		return nil, err
	}
	return c.Run(ctx)
}

func writeSummary(path string, s *crawler.Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	// Written beside the target and renamed, so that it is never half-written.
	if err := durable.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

func printSummary(g *globals, s *crawler.Summary) {
	failed := 0
	var reasons []string
	for r, n := range s.Failed {
		failed += n
		reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(reasons)
	fmt.Fprintf(g.stdout, "crawl: %d requests in %.1fs: %d new, %d changed, %d unchanged, %d gone, %d failed",
		s.Fetched, s.Seconds, s.New, s.Changed, s.Unchanged, s.Gone, failed)
	if len(reasons) > 0 {
		fmt.Fprintf(g.stdout, " (%s)", strings.Join(reasons, ", "))
	}
	if len(s.Capped) > 0 {
		var capped []string
		for k, n := range s.Capped {
			capped = append(capped, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(capped)
		fmt.Fprintf(g.stdout, "; left out by bounds: %s", strings.Join(capped, ", "))
	}
	fmt.Fprintln(g.stdout)
}
