package search

import (
	"context"
	"time"

	"github.com/kbsearch/kbsearch/indexer"
)

// Stats is what the index being served holds and where it came from. Its
// JSON form is the API's stats object.
type Stats struct {
	// Documents is the number of documents searched.
	Documents uint64 `json:"documents"`
	// Facets counts the documents by every facet of FacetNames (type,
	// theme, year, language, place, kind), as a search of everything
	// does, in the same order.
	Facets map[string][]Facet `json:"facets"`
	// Generation describes the index generation being served; nil for an
	// index that is not a generation (one built in memory).
	Generation *Generation `json:"generation,omitempty"`
}

// Generation is an index generation as its build recorded it.
type Generation struct {
	Name         string    `json:"name"`
	BuiltAt      time.Time `json:"built_at"`
	Documents    int       `json:"documents"`
	BuildSeconds float64   `json:"build_seconds"`
	// Reason says why it was built: "first build", "forced", or what
	// changed since the previous generation ("the crawl store changed
	// since", "built with another taxonomy", ...). Empty when the build
	// did not record it.
	Reason string `json:"reason,omitempty"`
	// Previous is the generation it replaced, when there was one.
	Previous *PreviousGeneration `json:"previous,omitempty"`
	// Crawl is the last crawl run that had finished when it was built:
	// the crawl its documents come from.
	Crawl *CrawlRun `json:"crawl,omitempty"`
}

// PreviousGeneration is the generation a build replaced.
type PreviousGeneration struct {
	Name      string `json:"name"`
	Documents int    `json:"documents"`
}

// CrawlRun is one run of the crawler.
type CrawlRun struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Seeds    []string  `json:"seeds"`
}

// Stats returns the counts of the index being served and its build
// information. The counts are the facets of the empty query, which the
// Searcher keeps for each generation (the landing page's), so only the
// first call after a swap counts the documents' columns.
func (s *Searcher) Stats(ctx context.Context) (*Stats, error) {
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	req := Request{Sort: SortRelevance, Page: 1, Size: 1}
	p, err := s.prepare(r, &req)
	if err != nil {
		return nil, s.wrap(err)
	}
	_, cnt, sc, err := s.newRun(ctx, r).rankAll(p, req, 1, true)
	if sc != nil {
		sc.release()
	}
	if err != nil {
		return nil, s.wrap(err)
	}
	out := &Stats{Documents: cnt.total, Facets: cnt.cached, Generation: generationOf(r.Manifest())}
	if out.Facets == nil {
		out.Facets = make(map[string][]Facet, len(FacetNames))
		for _, name := range FacetNames {
			out.Facets[name] = s.facetList(r, name, cnt.facets[name])
		}
	}
	return out, nil
}

// generationOf returns the API's view of m; nil for nil.
func generationOf(m *indexer.Manifest) *Generation {
	if m == nil {
		return nil
	}
	g := &Generation{Name: m.Generation, BuiltAt: m.BuiltAt, Documents: m.Documents,
		BuildSeconds: m.Seconds, Reason: m.Reason}
	if m.Previous != "" {
		g.Previous = &PreviousGeneration{Name: m.Previous, Documents: m.PreviousDocuments}
	}
	if c := m.Crawl; c != nil {
		g.Crawl = &CrawlRun{Started: c.Started, Finished: c.Finished, Seeds: c.Seeds}
		if g.Crawl.Seeds == nil {
			g.Crawl.Seeds = []string{}
		}
	}
	return g
}
