package indexer

import (
	"bytes"
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/registry"
)

// elisionName is the token filter of the words analyzer that strips French
// and Italian elided articles ("l'", "dell'"), as bleve's two elision
// filters in a row do, looking only at the tokens that hold an apostrophe:
// bleve's filters decode every rune of every token, and few tokens hold
// one. TestWordsAnalyzerElision checks the terms are the same.
const elisionName = "kb_elision"

func init() {
	registry.RegisterTokenFilter(elisionName, func(_ map[string]any, c *registry.Cache) (analysis.TokenFilter, error) {
		var f apostropheFilter
		for _, name := range []string{fr.ElisionName, it.ElisionName} {
			g, err := c.TokenFilterNamed(name)
			if err != nil {
				return nil, fmt.Errorf("indexer: %s: %w", elisionName, err)
			}
			f = append(f, g)
		}
		return f, nil
	})
}

// apostropheFilter runs its filters, in order, on the tokens that hold an
// apostrophe (U+0027 or U+2019), the only ones an elision filter changes.
// The filters must rewrite tokens in place and keep them all, as bleve's
// elision filters do.
type apostropheFilter []analysis.TokenFilter

var rightQuote = []byte("\u2019")

func (f apostropheFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	var some analysis.TokenStream
	for _, t := range input {
		if bytes.IndexByte(t.Term, '\'') >= 0 || bytes.Contains(t.Term, rightQuote) {
			some = append(some, t)
		}
	}
	if len(some) > 0 {
		for _, g := range f {
			g.Filter(some)
		}
	}
	return input
}
