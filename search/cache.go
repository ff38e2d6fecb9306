package search

import (
	"github.com/RoaringBitmap/roaring/v2"

	"container/list"
	"math"
	"sync"

	"github.com/kbsearch/kbsearch/indexer"
)

// cacheBytes bounds the memory of a Searcher's cache; docCacheBytes that
// of its cache of the words of documents (docTerms, about 2 KB each).
const (
	cacheBytes    = 128 << 20
	docCacheBytes = 32 << 20
)

// cache keeps what the costliest steps of recent searches read, for one
// Reader (an index generation never changes, so an entry stays exact until
// the generation goes): the documents of phrases (positions of every
// candidate document) and the BM25F contributions of common terms (a pass
// over long postings lists). A portal's searches repeat them: theme names,
// their synonyms, the words of its subject. Least recently used entries go
// first; an entry is computed the same way whether it is then kept or not,
// so a cached search ranks exactly as an uncached one.
type cache struct {
	limit int // bytes; 0: cacheBytes
	mu    sync.Mutex
	r     *indexer.Reader
	bytes int
	ll    *list.List
	items map[string]*list.Element
	// dfs are document frequencies by key (part, language, term), apart
	// from the list: feedback asks for those of a few hundred words a
	// query, each a dictionary lookup and a postings header per segment,
	// and a portal's best documents share their words.
	dfs map[string]int32
}

// maxCachedDFs bounds the document frequencies kept (about 40 bytes each):
// past it they are dropped all at once.
const maxCachedDFs = 1 << 18

func (c *cache) df(r *indexer.Reader, key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.r != r {
		return 0, false
	}
	n, ok := c.dfs[key]
	return int(n), ok
}

func (c *cache) putDF(r *indexer.Reader, key string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.r != r || c.items == nil {
		c.reset(r)
	}
	if c.dfs == nil || len(c.dfs) >= maxCachedDFs {
		c.dfs = map[string]int32{}
	}
	c.dfs[key] = int32(min(n, math.MaxInt32))
}

// reset empties the cache for r. The caller holds mu.
func (c *cache) reset(r *indexer.Reader) {
	c.r, c.bytes, c.ll, c.items, c.dfs = r, 0, list.New(), map[string]*list.Element{}, nil
}

type sized interface{ size() int }

type cacheEntry struct {
	key string
	v   sized
}

func (c *cache) get(r *indexer.Reader, key string) sized {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.r != r || c.items == nil {
		return nil
	}
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.ll.MoveToFront(el)
	return el.Value.(*cacheEntry).v
}

func (c *cache) put(r *indexer.Reader, key string, v sized) {
	n := v.size() + len(key)
	limit := c.limit
	if limit == 0 {
		limit = cacheBytes
	}
	if n > limit/8 {
		return // one entry may not take the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.r != r || c.items == nil {
		c.reset(r)
	}
	if _, ok := c.items[key]; ok {
		return
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key: key, v: v})
	c.bytes += n
	for c.bytes > limit {
		el := c.ll.Back()
		e := el.Value.(*cacheEntry)
		c.ll.Remove(el)
		delete(c.items, e.key)
		c.bytes -= e.v.size() + len(e.key)
	}
}

func (pd *phraseDocs) size() int {
	return 12*len(pd.docs) + int(pd.bm.GetSizeInBytes()) + 64
}

// termScores are one term's BM25F pseudo-frequency contributions in one
// part: weight * tf / (1 - b + b * length/avg), by document.
type termScores struct {
	docs []uint32
	v    []float64
}

func (ts *termScores) size() int { return 12*len(ts.docs) + 64 }

// cachedBitmap is a long postings list's documents.
type cachedBitmap struct{ bm *roaring.Bitmap }

func (c cachedBitmap) size() int { return int(c.bm.GetSizeInBytes()) + 32 }

// bitmap returns the bitmap under key from the cache, or read's, kept
// (run-optimised) when it holds minCachedPostings documents or more. The
// caller must not modify it.
func (c *cache) bitmap(r *indexer.Reader, key string, read func() (*roaring.Bitmap, error)) (*roaring.Bitmap, error) {
	if v := c.get(r, key); v != nil {
		return v.(cachedBitmap).bm, nil
	}
	b, err := read()
	if err != nil {
		return nil, err
	}
	if b.GetCardinality() >= minCachedPostings {
		b.RunOptimize()
		c.put(r, key, cachedBitmap{b})
	}
	return b, nil
}

// minCachedPostings is the shortest postings list whose contributions are
// cached: shorter ones cost little to read again.
const minCachedPostings = 2048
