package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/crawler"
	"github.com/kbsearch/kbsearch/crawler/store"
)

type crawlFlags struct {
	seeds       []string
	hosts       []string
	prefixes    []string
	delay       time.Duration
	maxPages    int
	maxDepth    int
	concurrency int
	timeout     time.Duration
	userAgent   string
	summary     string
}

func newCrawlCmd(g *globals) *cobra.Command {
	var f crawlFlags
	cmd := &cobra.Command{
		Use:   "crawl --seed URL [--seed URL]...",
		Short: "Fetch a portal's pages and documents into the crawl store",
		Long: `crawl fetches the seed pages and everything in scope they link to (and
their sitemaps), honouring robots.txt and a per-host delay, and keeps each
response and its extracted text in the crawl store under --data. A second
crawl sends conditional requests and only re-extracts what changed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(f.seeds) == 0 {
				return errors.New("crawl needs at least one --seed URL (or KBSEARCH_SEED)")
			}
			sum, err := runCrawl(cmd.Context(), g, f)
			if sum != nil {
				printSummary(g, sum)
				if f.summary != "" {
					b, _ := json.MarshalIndent(sum, "", "  ")
					if werr := os.WriteFile(f.summary, append(b, '\n'), 0o644); werr != nil {
						return fmt.Errorf("write summary: %w", werr)
					}
				}
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.seeds, "seed", nil, "start URL (repeatable)")
	fl.StringSliceVar(&f.hosts, "allow-host", nil, "hosts in scope (default: the seeds' hosts)")
	fl.StringSliceVar(&f.prefixes, "allow-prefix", nil, "URL path prefixes in scope (default: /)")
	fl.DurationVar(&f.delay, "delay", time.Second, "delay between two requests to one host (robots.txt Crawl-delay wins if longer)")
	fl.IntVar(&f.maxPages, "max-pages", 10000, "documents fetched per run at most")
	fl.IntVar(&f.maxDepth, "max-depth", 10, "link depth from the seeds at most")
	fl.IntVar(&f.concurrency, "concurrency", 4, "requests in flight at most")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout of one request")
	fl.StringVar(&f.userAgent, "user-agent", "", "User-Agent header (default names kbsearch and its home page)")
	fl.StringVar(&f.summary, "summary", "", "also write the run's summary as JSON to this file")
	return cmd
}

func runCrawl(ctx context.Context, g *globals, f crawlFlags) (*crawler.Summary, error) {
	st, err := store.Open(ctx, g.storeDir(), store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	delay := f.delay
	if delay <= 0 {
		delay = crawler.NoDelay // --delay 0s: no pause between requests (a local site)
	}
	c, err := crawler.New(st, crawler.Options{
		Seeds:           f.seeds,
		AllowedHosts:    f.hosts,
		AllowedPrefixes: f.prefixes,
		MaxDepth:        f.maxDepth,
		MaxPages:        f.maxPages,
		Delay:           delay,
		Concurrency:     f.concurrency,
		Timeout:         f.timeout,
		UserAgent:       f.userAgent,
		Logger:          g.log,
	})
	if err != nil {
		return nil, err
	}
	return c.Run(ctx)
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
	fmt.Fprintln(g.stdout)
}
