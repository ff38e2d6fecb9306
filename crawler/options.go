package crawler

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// Defaults applied by New to unset Options fields.
const (
	DefaultMaxDepth     = 10
	DefaultMaxPages     = 10000
	DefaultDelay        = time.Second
	DefaultConcurrency  = 4
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 64 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "kbsearch/0.1 (+https://github.com/kbsearch/kbsearch)"
)

// NoDelay, as Options.Delay, disables the per-host delay (a zero Delay
// means DefaultDelay). A robots.txt Crawl-delay still applies.
const NoDelay time.Duration = -1

// Limits on robots.txt and sitemaps, which are not documents.
const (
	maxRobotsBytes     = 512 << 10 // RFC 9309 asks crawlers to parse at least 500 KiB
	maxSitemapBytes    = 50 << 20  // per sitemap file, uncompressed (sitemaps.org limit)
	maxSitemapURLs     = 50000     // URLs taken from all sitemaps of a run
	maxSitemapFiles    = 100       // sitemap files fetched per run
	maxSitemapDepth    = 2         // sitemap index nesting
	maxRobotsRedirects = 5
)

// Options configure a Crawler. Only Seeds is required.
type Options struct {
	Seeds           []string
	AllowedHosts    []string      // default: the seeds' hosts
	AllowedPrefixes []string      // URL path prefixes in scope; default "/"
	MaxDepth        int           // default 10
	MaxPages        int           // default 10000; documents fetched per run at most
	Delay           time.Duration // per-host delay between requests; 0 means 1s, NoDelay (negative) none; robots Crawl-delay wins if larger
	Concurrency     int           // workers, default 4 (still one request at a time per host when the delay is > 0)
	Timeout         time.Duration // per request, default 30s
	MaxBodyBytes    int64         // default 64 MiB; larger bodies fail with "too-large"
	MaxRedirects    int           // default 5
	UserAgent       string        // default DefaultUserAgent
	Client          *http.Client  // optional; copied, and its CheckRedirect replaced
	Extract         extract.Options
	Logger          *slog.Logger   // default: discard
	Progress        func(Progress) // optional, called after each document, never concurrently
}

// Progress is reported after each document.
type Progress struct {
	Fetched int           // documents handled so far
	Queued  int           // URLs waiting in the frontier
	Failed  int           // documents that failed so far
	Elapsed time.Duration // since Run started
}

// Summary counts what a run did. Each document handled counts once in New,
// Changed, Unchanged, Gone or Failed.
type Summary struct {
	Fetched   int            `json:"fetched"` // HTTP requests made for documents (redirect hops included)
	New       int            `json:"new"`
	Changed   int            `json:"changed"`
	Unchanged int            `json:"unchanged"`
	Gone      int            `json:"gone"`
	Failed    map[string]int `json:"failed"` // reason -> count
	Seconds   float64        `json:"seconds"`
}

// FailedTotal is the sum of Failed.
func (s *Summary) FailedTotal() int {
	n := 0
	for _, v := range s.Failed {
		n += v
	}
	return n
}

func (o Options) withDefaults() Options {
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	switch {
	case o.Delay == 0:
		o.Delay = DefaultDelay
	case o.Delay < 0:
		o.Delay = 0
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if len(o.AllowedPrefixes) == 0 {
		o.AllowedPrefixes = []string{"/"}
	}
	return o
}
