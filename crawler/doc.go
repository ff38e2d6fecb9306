// Package crawler owns fetching documents over HTTP for the crawl store:
// the frontier (seeds, sitemaps, followed links), scope, robots.txt,
// per-host politeness, redirects, conditional re-fetching and duplicate
// detection. Each fetched document is extracted with crawler/extract and
// written to crawler/store as soon as it is fetched.
//
// A run is breadth-first by depth and fetches each URL at most once. Its
// frontier (the queue and the seen-set) lives in the store, so memory does
// not grow with the site, and a run that was killed or canceled is resumed
// by the next Run on the same store without fetching again what it stored:
//
//	st, _ := store.Open(ctx, dir, store.Options{})
//	c, _ := crawler.New(st, crawler.Options{Seeds: []string{"https://example.org/"}})
//	sum, err := c.Run(ctx)
//
// Workers fetch and extract; one writer commits each result (record, raw
// bytes, the URL's removal from the queue, the links it led to) in one
// transaction, grouping results so that a disk sync serves many. What a
// response does to a URL's stored record (new, changed, unchanged, gone,
// failed; kept, replaced or left alone) is decided by one pure function,
// transition (record.go), apart from the fetching and the store.
//
// Failures are named by extract.Reason: extract's reasons, the crawler's
// (ReasonRobots, ReasonTimeout, the trap guards' ...) and "http-NNN".
//
// A URL already in the store is requested conditionally (If-None-Match,
// If-Modified-Since); a 304 or an identical body counts as unchanged and
// the stored links are still followed, so an unchanged site is walked
// whole; a sitemap <lastmod> older than the stored copy skips the request.
// A stored URL that now answers 404 or 410 is marked gone; stored URLs no
// longer reached from the seeds are re-checked at the end of a run so that
// pages removed from a site are noticed too.
//
// Manners: robots.txt read as RFC 9309 says (our own parser: groups,
// longest match, Allow on ties, "*" and "$", 4xx allows and 5xx forbids
// all), its Crawl-delay, a per-host rate limiter and concurrency cap,
// retries with exponential backoff and jitter, Retry-After on 429 and 503,
// hosts that keep failing paused then given up. Trap guards refuse URLs
// that are too long, repeat a path segment or wander into far years of a
// calendar. Bodies are capped after decompression (gzip bombs stop at
// MaxBodyBytes). Documents linked on other hosts may be fetched one hop
// off-site (Options.OffsiteDocuments); locale variants ("..._en",
// "..._fr") are recorded with store.Record.Lang and TranslationKey.
//
// This package must not import bleve, gin, indexer or search.
package crawler
