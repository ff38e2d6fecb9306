package crawler

import (
	"context"
	"fmt"
	"net/url"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// passChunk is how many stored heads the revalidation pass reads at once.
const passChunk = 256

// passItems returns the next stored URLs to revalidate, and whether the
// pass is over. This revalidation pass hands out, whenever the queue is
// empty, each stored URL that this run has not queued or fetched yet, at
// its stored depth, with its stored head: every URL of an earlier crawl is
// requested again (conditionally), including pages no longer linked (so
// that a removed page is noticed as gone), redirects, failures and pages
// already gone (which may come back). Unless r.followUnchanged, the links
// of a page that turns out unchanged are not followed again: the last
// finished run, with the same options, followed them to URLs that are
// stored, and so are in the pass. A re-crawl thus neither waits for
// commits to find its next URL nor queues each URL on disk. The links of
// new and changed pages are queued as usual.
func (r *run) passItems(ctx context.Context) ([]store.QueueItem, bool, error) {
	for {
		var items []store.QueueItem
		// The item is not queued nor marked seen on disk until its commit
		// marks it done, so it is held in the pending set, which links go
		// through too, until then: the pass and a link cannot both take a
		// URL. The seen-set read and the pending set agree between two
		// commits: a URL is either committed (seen) or still pending.
		var last string
		var err error
		r.writer.between(func() {
			last, err = r.st.Unseen(ctx, r.passAfter, passChunk, func(rec *store.Record) {
				if it, ok := r.revalidation(rec); ok && r.pending.hold(it.URL) {
					r.known.add(it.URL)
					items = append(items, it)
				}
			})
		})
		if err != nil {
			return nil, false, fmt.Errorf("crawler: revalidation pass: %w", err)
		}
		r.passAfter = last
		if len(items) > 0 || last == "" {
			return items, last == "", nil
		}
	}
}

// revalidation returns the queue item revalidating rec, if its URL is
// still within the crawl's depth and scope (or an off-site document).
func (r *run) revalidation(rec *store.Record) (store.QueueItem, bool) {
	if rec.Depth > r.opts.MaxDepth {
		return store.QueueItem{}, false
	}
	// Stored URLs are normalised (they are the keys the crawler wrote).
	u, err := url.Parse(rec.URL)
	if err != nil {
		return store.QueueItem{}, false
	}
	it := store.QueueItem{URL: rec.URL, Depth: rec.Depth, Prev: rec}
	if !r.c.scope.allows(u) {
		if !r.offsiteDocument(u) {
			return store.QueueItem{}, false
		}
		it.Leaf = true
	}
	return it, true
}
