package httpapi

import (
	"bytes"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Cache lifetimes. The page itself is revalidated on every load so that a
// new release shows at once. It names its assets by content hash
// (/static/app.<hash>.js, assets.go), so a hashed URL's content never
// changes and is kept a year. An asset under its plain name (embed.js,
// which portals embed by that URL, or an app.js asked for by hand) is kept
// five minutes, then revalidated by its ETag: a release reaches the
// portals' boxes within five minutes, and HTML and script never mix.
const (
	pageCacheControl      = "no-cache"
	hashedCacheControl    = "public, max-age=31536000, immutable"
	plainNameCacheControl = "public, max-age=300"
)

// pageCSP is the Content-Security-Policy of the search page: everything
// from this server, no inline script, nothing from elsewhere.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"

// handlePage serves the search page at /.
func (s *Server) handlePage(c *gin.Context) {
	c.Header("Content-Security-Policy", s.pageCSP())
	s.serveAsset(c, "index.html")
}

// pageCSP adds the allowed origins as frame ancestors, so that a site
// allowed to call the API may also frame the page.
func (s *Server) pageCSP() string {
	anc := append([]string{"'self'"}, slices.Sorted(maps.Keys(s.origins))...)
	return pageCSP + "; frame-ancestors " + strings.Join(anc, " ")
}

// handleStatic serves GET /static/*file.
func (s *Server) handleStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	if name == "" || !fs.ValidPath(name) {
		s.handleNoRoute(c)
		return
	}
	s.serveAsset(c, "static/"+name)
}

// serveAsset writes an embedded file with its type, cache policy and
// ETag; http.ServeContent answers conditional and range requests.
func (s *Server) serveAsset(c *gin.Context, name string) {
	a, ok := s.assets[name]
	if !ok {
		s.handleNoRoute(c)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", a.cacheControl)
	h.Set("ETag", a.etag)
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(a.data))
}
