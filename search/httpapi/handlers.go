package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kbsearch/kbsearch/search"
)

// errNoBackend answers every call while the server has no Backend.
var errNoBackend = search.Errorf(search.KindUnavailable, "no search index is available yet")

// ready answers c with paramErr, a bad parameter, or with 503 when there
// is no backend, and reports whether neither happened.
func (s *Server) ready(c *gin.Context, paramErr error) bool {
	switch {
	case paramErr != nil:
		s.writeError(c, paramErr)
	case s.backend == nil:
		s.writeError(c, errNoBackend)
	default:
		return true
	}
	return false
}

// handleSearch serves GET /api/v1/search.
func (s *Server) handleSearch(c *gin.Context) {
	req, err := parseSearchRequest(c.Request.URL.RawQuery)
	if !s.ready(c, err) {
		return
	}
	res, err := s.backend.Search(c.Request.Context(), req)
	if err == nil && res == nil {
		err = search.Errorf(search.KindInternal, "backend returned no result")
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.countSearch(res.Total, res.DidYouMean != "")
	s.writeJSON(c, http.StatusOK, normalizeResult(res))
}

// normalizeResult returns a copy of res whose lists are never null in JSON
// (hits, each hit's themes and snippets, every facet of search.FacetNames),
// so that clients need no null checks. res itself is not modified.
func normalizeResult(res *search.Result) *search.Result {
	out := *res
	out.Hits = make([]search.Hit, len(res.Hits))
	for i, h := range res.Hits {
		if h.Themes == nil {
			h.Themes = []string{}
		}
		if h.Snippets == nil {
			h.Snippets = []string{}
		}
		out.Hits[i] = h
	}
	out.Facets = make(map[string][]search.Facet, len(search.FacetNames))
	for name, list := range res.Facets {
		if list == nil {
			list = []search.Facet{}
		}
		out.Facets[name] = list
	}
	for _, name := range search.FacetNames {
		if _, ok := out.Facets[name]; !ok {
			out.Facets[name] = []search.Facet{}
		}
	}
	return &out
}

// handleDocument serves GET /api/v1/documents/:id.
func (s *Server) handleDocument(c *gin.Context) {
	id := c.Param("id")
	if !s.ready(c, search.CheckID(id)) {
		return
	}
	doc, err := s.backend.Document(c.Request.Context(), id)
	if err == nil && doc == nil {
		err = search.Errorf(search.KindNotFound, "no document with id %q", id)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	if doc.Themes == nil {
		d := *doc
		d.Themes = []string{}
		doc = &d
	}
	s.writeJSON(c, http.StatusOK, doc)
}

// themesBody is the JSON of GET /api/v1/themes.
type themesBody struct {
	Themes []search.ThemeCount `json:"themes"`
}

// handleThemes serves GET /api/v1/themes.
func (s *Server) handleThemes(c *gin.Context) {
	if !s.ready(c, nil) {
		return
	}
	themes, err := s.backend.Themes(c.Request.Context())
	if err != nil {
		s.writeError(c, err)
		return
	}
	if themes == nil {
		themes = []search.ThemeCount{}
	}
	s.writeJSON(c, http.StatusOK, themesBody{Themes: themes})
}

// healthBody is the JSON of GET /healthz.
type healthBody struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
}

// handleHealth serves GET /healthz: the process is alive and serving
// HTTP, whatever the state of the index (that is /readyz).
func (s *Server) handleHealth(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	s.writeJSON(c, http.StatusOK, healthBody{Status: "ok", Version: s.version})
}

// handleNoRoute answers unknown paths with a 404 JSON error.
func (s *Server) handleNoRoute(c *gin.Context) {
	s.writeErrorBody(c, http.StatusNotFound, search.KindNotFound.String(),
		"no such resource: "+c.Request.URL.Path)
}

// handleNoMethod answers a known path asked with the wrong method with a
// 405 JSON error; gin has set the Allow header.
func (s *Server) handleNoMethod(c *gin.Context) {
	s.writeErrorBody(c, http.StatusMethodNotAllowed, "method_not_allowed",
		"method "+c.Request.Method+" is not allowed on "+c.Request.URL.Path)
}

type suggestBody struct {
	Query       string              `json:"query"`
	Suggestions []search.Suggestion `json:"suggestions"`
}

// handleSuggest serves GET /api/v1/suggest: completions of q for a search
// box.
func (s *Server) handleSuggest(c *gin.Context) {
	q, size, err := parseSuggestRequest(c.Request.URL.RawQuery)
	if !s.ready(c, err) {
		return
	}
	list, err := s.backend.Suggest(c.Request.Context(), q, size)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if list == nil {
		list = []search.Suggestion{}
	}
	s.writeJSON(c, http.StatusOK, suggestBody{Query: q, Suggestions: list})
}

// handleExport serves GET /api/v1/export: the hits of a search (the same
// parameters; page and size ignored), up to limit (default and most
// search.MaxExport), as a CSV download. The rows are written as the
// backend hands them on, search.ExportChunk at a time, and flushed: the
// server holds one chunk of an export, never the whole file. An error
// before the first row is the usual JSON error; after it, the status is
// sent, so the connection is cut (the client sees a truncated chunked body,
// not a short file that looks whole).
func (s *Server) handleExport(c *gin.Context) {
	req, limit, err := parseExportRequest(c.Request.URL.RawQuery)
	if !s.ready(c, err) {
		return
	}
	var cw *search.CSVWriter
	err = s.backend.Export(c.Request.Context(), req, limit, func(total uint64, hits []search.Hit) error {
		if cw == nil {
			h := c.Writer.Header()
			h.Set("Content-Type", "text/csv; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="`+exportName(req.Query)+`"`)
			h.Set("X-Total-Count", strconv.FormatUint(total, 10))
			h.Set("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			cw = search.NewCSVWriter(c.Writer, s.backend.Label)
		}
		if err := cw.Write(hits); err != nil {
			return err
		}
		c.Writer.Flush()
		return nil
	})
	switch {
	case err == nil:
	case cw == nil:
		s.writeError(c, err)
	default:
		level := slog.LevelWarn
		if c.Request.Context().Err() == context.Canceled {
			level = slog.LevelDebug // the client went away
		}
		s.log.Log(c.Request.Context(), level, "httpapi: export cut short",
			slog.String("request_id", requestID(c)),
			slog.Int("rows_written", cw.Rows()),
			slog.String("error", err.Error()))
		panic(http.ErrAbortHandler)
	}
}

// exportName is the file name of an export of query: "kbsearch-" and the
// query's letters and digits, at most 40 of them.
func exportName(query string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(query) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		switch {
		case ok && b.Len() < 40:
			b.WriteRune(r)
			dash = false
		case !ok && !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "all"
	}
	return "kbsearch-" + name + ".csv"
}
