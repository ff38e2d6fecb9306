package indexer

import (
	"bytes"
	"hash/maphash"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/go-porterstemmer"
)

// stemCacheName is the token filter that stems English terms as bleve's
// porter filter does, remembering the stems of recent terms: a build
// stems some 60 million tokens of 100,000 documents, most of them a few
// thousand frequent words, and bleve's filter converts each term to runes
// and back (6-8% of a build's CPU).
const stemCacheName = "kb_porter_cached"

func init() {
	registry.RegisterTokenFilter(stemCacheName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return newStemCache(), nil
	})
}

const (
	stemSlots   = 1 << 16 // direct-mapped: a term's hash picks its one slot
	stemMaxTerm = 32      // longer terms are rare: stemmed, not remembered
)

// stemCache is safe for concurrent use: each slot holds an immutable
// entry, replaced whole. A stemmed term's bytes are the entry's, shared by
// every token that hits it: a filter after this one must not rewrite
// terms in place (none does in the analyzers of this package; it comes
// last).
type stemCache struct {
	seed  maphash.Seed
	slots []atomic.Pointer[stemEntry]
}

type stemEntry struct {
	term string
	stem []byte
}

func newStemCache() *stemCache {
	return &stemCache{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[stemEntry], stemSlots)}
}

func (c *stemCache) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		if tok.KeyWord {
			continue
		}
		if len(tok.Term) > stemMaxTerm {
			tok.Term = porterStem(tok.Term)
			continue
		}
		slot := &c.slots[maphash.Bytes(c.seed, tok.Term)&(stemSlots-1)]
		if e := slot.Load(); e != nil && e.term == string(tok.Term) {
			tok.Term = e.stem
			continue
		}
		term := string(tok.Term)
		tok.Term = porterStem(tok.Term)
		slot.Store(&stemEntry{term: term, stem: tok.Term})
	}
	return input
}

// porterStem stems term as bleve's porter filter does.
func porterStem(term []byte) []byte {
	return analysis.BuildTermFromRunes(porterstemmer.StemWithoutLowerCasing(bytes.Runes(term)))
}
