package crawler

import (
	"hash/maphash"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// follow queues the links of rec's page one level deeper: those in
// scope, and documents one hop off-site if allowed; trap-like URLs are
// refused.
func (r *run) follow(w *work, rec *store.Record, depth int) {
	if rec.Page == nil || rec.Page.NoFollow || depth+1 > r.opts.MaxDepth {
		return
	}
	now := time.Now()
	for _, l := range rec.Page.Links {
		if !r.known.add(l) {
			continue // this very link was followed already in this run
		}
		u, err := normalize(l)
		if err != nil {
			continue
		}
		norm := u.String()
		if norm != l && !r.known.add(norm) {
			continue // handed to the frontier already in this run
		}
		leaf := false
		if !r.c.scope.allows(u) {
			if !r.offsiteDocument(u) {
				continue
			}
			leaf = true
		}
		if reason := r.opts.trap(u, now); reason != "" {
			r.opts.Logger.Debug("link refused", "url", norm, "reason", reason)
			w.reject(norm, reason)
			continue
		}
		if !r.variants.allow(u) {
			r.capVariant(u)
			continue
		}
		r.push(w, store.QueueItem{URL: norm, Depth: depth + 1, Leaf: leaf})
	}
}

// push adds it to w's links to queue, unless its URL is pending (handed
// out by the revalidation pass or pushed by another work, and not
// committed yet) or the frontier is full. w holds the URL, and its room
// in the frontier, until its commit.
func (r *run) push(w *work, it store.QueueItem) {
	if !r.pending.hold(it.URL) {
		return
	}
	if !r.front.reserve() {
		r.pending.release([]string{it.URL})
		r.capFrontier(1)
		return
	}
	w.held = append(w.held, it.URL)
	w.c.Push = append(w.c.Push, it)
}

// capFrontier counts n URLs not queued because the frontier was full,
// saying so at INFO the first time.
func (r *run) capFrontier(n int) {
	if r.tally.capped(CapFrontier, n) {
		r.opts.Logger.Info("frontier full: links found are not queued until it drains", "max_queued", r.opts.MaxQueued)
	}
}

// capVariant counts a URL not queued because its path had
// MaxQueryVariants query strings queued, saying so at INFO the first time
// of the run.
func (r *run) capVariant(u *url.URL) {
	if r.tally.capped(CapQueryVariants, 1) {
		r.opts.Logger.Info("query variants capped: more query strings of a path are not queued",
			"path", u.Scheme+"://"+u.Host+u.EscapedPath(), "max_query_variants", r.opts.MaxQueryVariants)
	}
}

// variants remembers, per scheme, host and path, the distinct query
// strings queued in the run, up to max: one more is refused. It holds a
// 64-bit hash per path that has a query string and per variant, so it
// grows with the site's paths that have query strings, by at most max
// words each.
type variants struct {
	mu   sync.Mutex
	seed maphash.Seed
	max  int
	m    map[uint64][]uint64
}

// allow reports whether u may be queued: it has no query string, its
// query string was allowed before, or its path has fewer than max.
func (v *variants) allow(u *url.URL) bool {
	if u.RawQuery == "" {
		return true
	}
	p := maphash.String(v.seed, u.Scheme+"://"+u.Host+u.EscapedPath())
	q := maphash.String(v.seed, u.RawQuery)
	v.mu.Lock()
	defer v.mu.Unlock()
	qs := v.m[p]
	if slices.Contains(qs, q) {
		return true
	}
	if len(qs) >= v.max {
		return false
	}
	v.m[p] = append(qs, q)
	return true
}

// linkCache remembers, in a fixed-size table, hashes of the links this
// run has already handed to the frontier, so that links met again (the
// stored links of unchanged pages, the menu on every page) are neither
// parsed again nor sent through the store. It is only a cache: a URL it
// forgot (its slot taken by another) is looked up in the store's seen-set
// again, and the pending set, not the cache, keeps a URL from being taken
// twice. Its memory does not depend on the site: linkCacheSlots words.
type linkCache struct {
	mu    sync.Mutex
	seed  maphash.Seed
	slots []uint64 // a power of two
}

// linkCacheSlots is the size of a run's linkCache: 1 MiB.
const linkCacheSlots = 1 << 17

// newLinkCache returns a cache of n slots, a power of two.
func newLinkCache(n int) *linkCache {
	return &linkCache{seed: maphash.MakeSeed(), slots: make([]uint64, n)}
}

// add records u and reports whether it was not remembered. Two URLs are
// taken for one only if their 64-bit hashes are equal.
func (k *linkCache) add(u string) bool {
	h := maphash.String(k.seed, u) | 1 // 0 is an empty slot
	i := h & uint64(len(k.slots)-1)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.slots[i] == h {
		return false
	}
	k.slots[i] = h
	return true
}

// pendingSet holds the URLs that the revalidation pass handed out or that
// a work pushes, until the commit that marks them seen in the store:
// between the two, the store alone cannot tell that the URL is taken. It
// holds only URLs of work in progress (read ahead, being fetched, waiting
// for the writer), so its size follows the concurrency and the write
// queue, not the site.
type pendingSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

// hold takes u and reports whether it was not held already.
func (p *pendingSet) hold(u string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[u]; ok {
		return false
	}
	p.m[u] = struct{}{}
	return true
}

// release lets go of urls, held by one work.
func (p *pendingSet) release(urls []string) {
	if len(urls) == 0 {
		return
	}
	p.mu.Lock()
	for _, u := range urls {
		delete(p.m, u)
	}
	p.mu.Unlock()
}
