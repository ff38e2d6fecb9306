package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kbsearch/kbsearch/search"
)

// statsSource is what GET /api/v1/stats asks of a backend that can tell;
// *search.Searcher implements it.
type statsSource interface {
	Stats(ctx context.Context) (*search.Stats, error)
}

var _ statsSource = (*search.Searcher)(nil)

// errNoStats answers /api/v1/stats over a backend that keeps none.
var errNoStats = search.Errorf(search.KindUnavailable, "this server keeps no statistics")

// handleStats serves GET /api/v1/stats: the documents by facet (type,
// theme, year, language, place, kind) and the generation being served,
// with when it was built, from which crawl, and what changed since the
// one before.
func (s *Server) handleStats(c *gin.Context) {
	if !s.ready(c, nil) {
		return
	}
	src, ok := s.backend.(statsSource)
	if !ok {
		s.writeError(c, errNoStats)
		return
	}
	st, err := src.Stats(c.Request.Context())
	if err == nil && st == nil {
		err = search.Errorf(search.KindInternal, "backend returned no statistics")
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := *st
	out.Facets = make(map[string][]search.Facet, len(search.FacetNames))
	for _, name := range search.FacetNames {
		list := st.Facets[name]
		if list == nil {
			list = []search.Facet{}
		}
		out.Facets[name] = list
	}
	c.Header("Cache-Control", "no-cache")
	s.writeJSON(c, http.StatusOK, &out)
}
