package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kbsearch/kbsearch/search"
)

// readiness is what /readyz asks of a backend that can tell: an index is
// open and a probe search reads it. *search.Searcher implements it; a
// backend that does not is ready when it lists the themes.
type readiness interface {
	Ready(ctx context.Context) error
}

var _ readiness = (*search.Searcher)(nil)

// readyBody is the JSON of GET /readyz.
type readyBody struct {
	Status string `json:"status"`
}

// handleReady serves GET /readyz: 200 when searches can be answered, 503
// "unavailable" otherwise (no index yet, or the one served is damaged),
// whatever the backend's error; the cause's message is shown only when it
// is an unavailable one (never an internal error's). It is not bounded by the search slots: a
// probe must not queue behind searches.
func (s *Server) handleReady(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if s.backend == nil {
		s.writeErrorBody(c, http.StatusServiceUnavailable, search.KindUnavailable.String(), errNoBackend.Message)
		return
	}
	ctx := c.Request.Context()
	var err error
	if rb, ok := s.backend.(readiness); ok {
		err = rb.Ready(ctx)
	} else {
		_, err = s.backend.Themes(ctx)
	}
	if err != nil {
		msg := "not ready"
		if k, m := classify(err); k == search.KindUnavailable {
			msg = m
		}
		// Not logged as a failed request: a probe polls, and the cause
		// was logged where it arose (a generation failing its check).
		s.writeErrorBody(c, http.StatusServiceUnavailable, search.KindUnavailable.String(), msg)
		return
	}
	s.writeJSON(c, http.StatusOK, readyBody{Status: "ready"})
}
