package search

import (
	"container/list"
	"sync"

	"github.com/kbsearch/kbsearch/indexer"
)

// phraseCacheBytes bounds the memory of the phrase cache.
const phraseCacheBytes = 64 << 20

// phraseCache keeps the documents of the phrases read recently, for one
// Reader (an index generation never changes, so an entry stays exact until
// the generation goes). Phrases are the costliest clauses (positions of
// every candidate document), and a portal's searches repeat them: theme
// names and their synonyms. Least recently used entries go first.
type phraseCache struct {
	mu    sync.Mutex
	r     *indexer.Reader
	bytes int
	ll    *list.List
	items map[string]*list.Element
}

type phraseEntry struct {
	key string
	pd  *phraseDocs
}

func (pd *phraseDocs) size() int {
	return 12*len(pd.docs) + int(pd.bm.GetSizeInBytes()) + 64
}

func (c *phraseCache) get(r *indexer.Reader, key string) *phraseDocs {
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
	return el.Value.(*phraseEntry).pd
}

func (c *phraseCache) put(r *indexer.Reader, key string, pd *phraseDocs) {
	n := pd.size() + len(key)
	if n > phraseCacheBytes/8 {
		return // one phrase may not take the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.r != r || c.items == nil {
		c.r, c.bytes, c.ll, c.items = r, 0, list.New(), map[string]*list.Element{}
	}
	if _, ok := c.items[key]; ok {
		return
	}
	c.items[key] = c.ll.PushFront(&phraseEntry{key: key, pd: pd})
	c.bytes += n
	for c.bytes > phraseCacheBytes {
		el := c.ll.Back()
		e := el.Value.(*phraseEntry)
		c.ll.Remove(el)
		delete(c.items, e.key)
		c.bytes -= e.pd.size() + len(e.key)
	}
}
