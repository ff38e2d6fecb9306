package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// RefreshStatus is the state of the scheduled re-crawl and re-index of a
// server that keeps its index fresh itself (kbsearch serve --refresh), as
// GET /api/v1/refresh shows it. Options.Refresh supplies it.
type RefreshStatus struct {
	// Enabled is false when the server does not refresh its index; the
	// other fields are then empty.
	Enabled bool `json:"enabled"`
	// Interval is the time between the end of one run and the start of
	// the next, before jitter ("24h0m0s").
	Interval string `json:"interval,omitempty"`
	// Running is true while a run crawls or indexes.
	Running bool `json:"running"`
	// Runs and Failures count the runs since the server started, and
	// those of them that failed.
	Runs     int `json:"runs"`
	Failures int `json:"failures"`
	// Next is when the next run starts (zero while one runs).
	Next time.Time `json:"next,omitzero"`
	// LastSuccess is when the last run that did not fail finished.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Last is the last finished run, nil before the first.
	Last *RefreshRun `json:"last,omitempty"`
}

// RefreshRun is one run of a RefreshStatus.
type RefreshRun struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// What the crawl did: requests made, and documents new, changed,
	// unchanged, gone and failed (as kbsearch crawl counts them).
	Fetched   int `json:"fetched"`
	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Gone      int `json:"gone"`
	Failed    int `json:"failed"`
	// IndexBuilt is true when the run built a new index generation (it
	// does not when nothing changed or the run failed); Generation is the
	// generation served after the run, Documents its documents.
	IndexBuilt bool   `json:"index_built"`
	Generation string `json:"generation,omitempty"`
	Documents  int    `json:"documents,omitempty"`
	// Error says why the run failed; "" when it did not. A failed run
	// leaves the index served as it was.
	Error string `json:"error,omitempty"`
}

// handleRefresh serves GET /api/v1/refresh: the RefreshStatus of
// Options.Refresh, or {"enabled":false} without one.
func (s *Server) handleRefresh(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	st := RefreshStatus{}
	if s.refresh != nil {
		st = s.refresh()
	}
	s.writeJSON(c, http.StatusOK, st)
}
