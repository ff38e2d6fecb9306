// Package crawler owns fetching documents over HTTP for the crawl store:
// the frontier (seeds, sitemaps, followed links), scope, robots.txt,
// per-host politeness, redirects, conditional re-fetching and duplicate
// detection. Each fetched document is extracted with crawler/extract and
// written to crawler/store as soon as it is fetched.
//
// A run is breadth-first by depth and fetches each URL at most once:
//
//	st, _ := store.Open(ctx, dir, store.Options{})
//	c, _ := crawler.New(st, crawler.Options{Seeds: []string{"https://example.org/"}})
//	sum, err := c.Run(ctx)
//
// A URL already in the store is requested conditionally (If-None-Match,
// If-Modified-Since); a 304 or an identical body counts as unchanged and
// the stored links are still followed, so an unchanged site is walked
// whole. A stored URL that now answers 404 or 410 is marked gone; stored
// URLs no longer reached from the seeds are re-checked at the end of a run
// so that pages removed from a site are noticed too.
//
// This package must not import bleve, gin, indexer or search.
package crawler
