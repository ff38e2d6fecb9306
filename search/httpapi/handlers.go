package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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
	similar, err := s.backend.Similar(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if similar == nil {
		similar = []search.Related{}
	}
	s.writeJSON(c, http.StatusOK, documentBody{Document: doc, Similar: similar})
}

// documentBody is the JSON of GET /api/v1/documents/:id: the document and
// the documents like it.
type documentBody struct {
	*search.Document
	Similar []search.Related `json:"similar"`
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

// exportFormats are the formats of an export: the file's media type and
// extension.
var exportFormats = map[string]struct{ mediaType, ext string }{
	"csv": {"text/csv; charset=utf-8", ".csv"},
	"ris": {"application/x-research-info-systems; charset=utf-8", ".ris"},
}

// rowWriter writes the rows of an export in one format.
type rowWriter interface {
	write(ctx context.Context, hits []search.Hit) error
	rows() int
}

type csvRows struct{ *search.CSVWriter }

func (w csvRows) write(_ context.Context, hits []search.Hit) error { return w.Write(hits) }
func (w csvRows) rows() int                                        { return w.Rows() }

type risRows struct {
	*search.RISWriter
	b Backend
}

func (w risRows) write(ctx context.Context, hits []search.Hit) error {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	abs, err := w.b.Abstracts(ctx, ids)
	if err != nil {
		return err
	}
	return w.Write(hits, abs)
}
func (w risRows) rows() int { return w.Rows() }

// handleExport serves GET /api/v1/export: the hits of a search (the same
// parameters; page and size ignored), up to limit (default and most
// search.MaxExport), as a CSV download, or with format=ris as RIS records
// for a reference manager. The rows are written as the
// backend hands them on, search.ExportChunk at a time, and flushed: the
// server holds one chunk of an export, never the whole file. An error
// before the first row is the usual JSON error; after it, the status is
// sent, so the connection is cut (the client sees a truncated chunked body,
// not a short file that looks whole).
func (s *Server) handleExport(c *gin.Context) {
	req, limit, err := parseExportRequest(c.Request.URL.RawQuery)
	format := "csv"
	if err == nil {
		format, err = parseChoice(c.Request.URL.RawQuery, "format", "csv", exportFormats)
	}
	if !s.ready(c, err) {
		return
	}
	var cw rowWriter
	err = s.backend.Export(c.Request.Context(), req, limit, func(total uint64, hits []search.Hit) error {
		if cw == nil {
			f := exportFormats[format]
			h := c.Writer.Header()
			h.Set("Content-Type", f.mediaType)
			h.Set("Content-Disposition", `attachment; filename="`+exportName(req.Query)+f.ext+`"`)
			h.Set("X-Total-Count", strconv.FormatUint(total, 10))
			h.Set("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			if format == "ris" {
				cw = risRows{search.NewRISWriter(c.Writer, s.backend.Label), s.backend}
			} else {
				cw = csvRows{search.NewCSVWriter(c.Writer, s.backend.Label)}
			}
		}
		if err := cw.write(c.Request.Context(), hits); err != nil {
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
			slog.Int("rows_written", cw.rows()),
			slog.String("error", err.Error()))
		panic(http.ErrAbortHandler)
	}
}

// parseChoice returns the value of the parameter name of a raw query
// string, one of choices' keys (lower-cased), or def when absent.
func parseChoice[V any](rawQuery, name, def string, choices map[string]V) (string, error) {
	vals, err := parseQuery(rawQuery)
	if err != nil {
		return "", err
	}
	switch len(vals[name]) {
	case 0:
		return def, nil
	case 1:
	default:
		return "", search.InvalidParam(name, "given %d times, want at most once", len(vals[name]))
	}
	v := strings.ToLower(strings.TrimSpace(vals.Get(name)))
	if _, ok := choices[v]; !ok {
		keys := slices.Sorted(maps.Keys(choices))
		return "", search.InvalidParam(name, "%q is not one of %s", v, strings.Join(keys, ", "))
	}
	return v, nil
}

// handleFeed serves GET /api/v1/feed: an Atom feed of a search (its
// parameters; sort, page and size ignored): its newest dated documents,
// search.MaxFeed at most, so that a reader can subscribe to a theme.
func (s *Server) handleFeed(c *gin.Context) {
	req, err := parseSearchRequest(c.Request.URL.RawQuery)
	if !s.ready(c, err) {
		return
	}
	req.Sort = search.SortNewest
	ctx := c.Request.Context()
	hits, _, err := collectExport(ctx, s.backend, req, search.MaxFeed)
	var abs map[string]string
	if err == nil {
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		abs, err = s.backend.Abstracts(ctx, ids)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	canon := canonicalSearch(req)
	sum := sha256.Sum256([]byte(canon))
	f := search.Feed{
		ID:      "urn:kbsearch:feed:" + hex.EncodeToString(sum[:16]),
		Title:   feedTitle(req, s.backend.Label),
		Self:    "/api/v1/feed?" + canon,
		Page:    "/?" + canon,
		Updated: time.Now(),
	}
	var b bytes.Buffer
	if err := search.WriteAtom(&b, f, hits, abs, s.backend.Label); err != nil {
		s.writeError(c, search.Errorf(search.KindInternal, "%v", err))
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", b.Bytes())
}

// collectExport returns up to limit hits of req, in its order, and the
// total number of matches.
func collectExport(ctx context.Context, b Backend, req search.Request, limit int) ([]search.Hit, uint64, error) {
	var all []search.Hit
	var total uint64
	err := b.Export(ctx, req, limit, func(t uint64, hits []search.Hit) error {
		total = t
		all = append(all, hits...)
		return nil
	})
	return all, total, err
}

// canonicalSearch returns the parameters of req that select documents as
// a query string, in a fixed order: one feed per search whatever the
// order its parameters came in.
func canonicalSearch(req search.Request) string {
	v := url.Values{}
	if req.Query != "" {
		v.Set("q", req.Query)
	}
	for name, list := range map[string][]string{"theme": req.Themes, "type": req.Types, "year": req.Years,
		"place": req.Places, "kind": req.Kinds, "lang": req.Langs} {
		if len(list) > 0 {
			l := slices.Clone(list)
			slices.Sort(l)
			v.Set(name, strings.Join(l, ","))
		}
	}
	if !req.From.IsZero() {
		v.Set("from", req.From.Format(time.DateOnly))
	}
	if !req.To.IsZero() {
		v.Set("to", req.To.Format(time.DateOnly))
	}
	return v.Encode()
}

// feedTitle names a feed by its query and filters, in labels.
func feedTitle(req search.Request, label func(facet, value string) string) string {
	var parts []string
	if req.Query != "" {
		parts = append(parts, "“"+req.Query+"”")
	}
	for _, f := range []struct {
		facet string
		list  []string
	}{{"theme", req.Themes}, {"type", req.Types}, {"place", req.Places}, {"kind", req.Kinds}, {"lang", req.Langs}, {"year", req.Years}} {
		var ls []string
		for _, v := range f.list {
			ls = append(ls, label(f.facet, v))
		}
		if len(ls) > 0 {
			parts = append(parts, strings.Join(ls, " or "))
		}
	}
	if len(parts) == 0 {
		return "kbsearch: newest documents"
	}
	return "kbsearch: " + strings.Join(parts, ", ")
}

// exportName is the file name of an export of query, without its
// extension: "kbsearch-" and the query's letters and digits, at most 40
// of them.
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
	return "kbsearch-" + name
}
