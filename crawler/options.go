package crawler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	DefaultMaxRetries   = 3
	DefaultRetryBase    = time.Second
	DefaultMaxBackoff   = time.Minute
	DefaultHostFailures = 5
	DefaultHostPause    = 30 * time.Second
	DefaultHostPauses   = 3
	DefaultMaxURLLength = 2048
	// DefaultMaxQueryVariants is the number of distinct query strings
	// queued per scheme, host and path in a run.
	DefaultMaxQueryVariants = 50
	// DefaultQueuedPerPage is the frontier's default size, per page of
	// MaxPages (at least minMaxQueued).
	DefaultQueuedPerPage = 10
	minMaxQueued         = 1000
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
	Delay           time.Duration // per-host spacing of request starts; 0 means 1s, NoDelay (negative) none; robots Crawl-delay wins if larger
	Concurrency     int           // workers, default 4 (still one request at a time per host when the delay is > 0)
	Timeout         time.Duration // per request, default 30s
	MaxBodyBytes    int64         // default 64 MiB; larger bodies fail with "too-large"
	MaxRedirects    int           // default 5
	UserAgent       string        // default DefaultUserAgent
	Client          *http.Client  // optional; copied, and its CheckRedirect replaced
	Extract         extract.Options
	Logger          *slog.Logger   // default: discard
	Progress        func(Progress) // optional, called after each document, never concurrently

	// HostConcurrency is the number of requests in flight to one host:
	// default 1 when there is a delay, else Concurrency.
	HostConcurrency int
	// MaxRetries is the number of retries of a request that failed in a
	// way worth retrying (429, 500, 502, 503, 504, timeout, network):
	// default 3, negative for none.
	MaxRetries int
	// RetryBase is the first backoff (default 1s), doubled per retry with
	// jitter and capped at MaxBackoff (default 1 min). A Retry-After of 429
	// or 503 is honoured when it is within MaxBackoff; a longer one fails
	// the request and pauses the host for MaxBackoff.
	RetryBase  time.Duration
	MaxBackoff time.Duration
	// HostFailures consecutive failures (default 5) pause a host for
	// HostPause (default 30s, doubled at each pause); after HostPauses
	// pauses (default 3) the host is given up for the run ("host-down").
	HostFailures int
	HostPause    time.Duration
	HostPauses   int

	// OffsiteDocuments lets links from in-scope pages to documents (PDF,
	// DOCX, ODT, DOC, RTF by their path) on other hosts be fetched, one hop
	// and without following anything from them; DocumentHosts, if set,
	// lists the only hosts they may come from.
	OffsiteDocuments bool
	DocumentHosts    []string

	// Trap guards: URLs longer than MaxURLLength (default 2048) are not
	// fetched, nor URLs with a path segment repeated MaxPathRepeats times
	// (default 3), nor calendar-like URLs: a date with at least a month
	// (path segments "2091/01", a segment or query value "2091-01" or
	// "20910105") whose year is more than MaxFutureYears (default 2)
	// ahead or before 1990; a number alone ("/node/2500") is not a date.
	// MaxPagesPerHost
	// caps the documents fetched per host and run (default: no cap beyond
	// MaxPages).
	MaxURLLength    int
	MaxPathRepeats  int
	MaxFutureYears  int
	MaxPagesPerHost int

	// Bounds of the frontier. MaxQueued caps the URLs waiting in the
	// queue (default DefaultQueuedPerPage x MaxPages, at least 1,000): a
	// link found while it is full is not queued. MaxQueryVariants caps the
	// distinct query strings queued per scheme, host and path in a run
	// (default 50): "/list?page=51" is not queued once 50 other variants
	// of "/list" were. Both are counted in Summary.Capped.
	MaxQueued        int
	MaxQueryVariants int

	// Rediscover follows the links of unchanged pages again. A run does
	// so anyway when the options that decide what is reachable (seeds,
	// scope, depth, trap guards, off-site documents, user agent) differ
	// from the last finished run's; otherwise the links of a page that did
	// not change are known, and the stored URLs they led to are revalidated
	// without following them. Set it to find pages that only a changed
	// robots.txt now allows.
	Rediscover bool
}

// discoveryKey identifies the options that decide which URLs a crawl can
// reach from its seeds.
func (o Options) discoveryKey() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q %d %v %q %d %d %d %d %q", o.Seeds, o.AllowedHosts, o.AllowedPrefixes, o.MaxDepth,
		o.OffsiteDocuments, o.DocumentHosts, o.MaxURLLength, o.MaxPathRepeats, o.MaxFutureYears,
		o.MaxPagesPerHost, agentToken(o.UserAgent))
	if o.MaxQueryVariants != DefaultMaxQueryVariants {
		// Only when set otherwise, so that stores crawled before the cap
		// existed keep their key.
		fmt.Fprintf(h, " %d", o.MaxQueryVariants)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Progress is reported after each document.
type Progress struct {
	Resumed  bool          // the run continues an unfinished one
	Requests int           // HTTP requests for documents so far
	Fetched  int           // documents handled so far
	Queued   int           // URLs waiting in the frontier
	Failed   int           // documents that failed so far
	Elapsed  time.Duration // since Run started
}

// Summary counts what a run did. Each document handled counts once in New,
// Changed, Unchanged, Gone or Failed.
type Summary struct {
	Fetched   int                    `json:"fetched"` // HTTP requests made for documents (redirect hops included)
	New       int                    `json:"new"`
	Changed   int                    `json:"changed"`
	Unchanged int                    `json:"unchanged"`
	Gone      int                    `json:"gone"`
	Failed    map[extract.Reason]int `json:"failed"` // reason -> count
	// Capped counts what a bound of the run left out, by bound: links
	// not queued (CapFrontier, CapQueryVariants) and sitemap files cut
	// short (CapSitemapSize).
	Capped  map[string]int `json:"capped,omitempty"`
	Seconds float64        `json:"seconds"`
}

// The bounds counted in Summary.Capped.
const (
	CapFrontier      = "frontier-full"     // a link found while MaxQueued URLs were queued
	CapQueryVariants = "query-variants"    // a link whose path had MaxQueryVariants query strings queued
	CapSitemapSize   = "sitemap-too-large" // a sitemap file over 50 MiB, read up to there
)

// CappedTotal is the sum of Capped.
func (s *Summary) CappedTotal() int {
	n := 0
	for _, v := range s.Capped {
		n += v
	}
	return n
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
	if o.HostConcurrency <= 0 {
		o.HostConcurrency = 1
		if o.Delay == 0 {
			o.HostConcurrency = o.Concurrency
		}
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.HostFailures <= 0 {
		o.HostFailures = DefaultHostFailures
	}
	if o.HostPause <= 0 {
		o.HostPause = DefaultHostPause
	}
	if o.HostPauses <= 0 {
		o.HostPauses = DefaultHostPauses
	}
	if o.MaxURLLength <= 0 {
		o.MaxURLLength = DefaultMaxURLLength
	}
	if o.MaxPathRepeats <= 0 {
		o.MaxPathRepeats = 3
	}
	if o.MaxFutureYears <= 0 {
		o.MaxFutureYears = 2
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = max(DefaultQueuedPerPage*o.MaxPages, minMaxQueued)
	}
	if o.MaxQueryVariants <= 0 {
		o.MaxQueryVariants = DefaultMaxQueryVariants
	}
	return o
}
