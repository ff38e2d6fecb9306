package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kbsearch/kbsearch/search/web"
)

// Cache lifetimes. The page itself is revalidated on every load so that a
// new release shows at once; assets are kept an hour, then revalidated by
// their ETag.
const (
	pageCacheControl   = "no-cache"
	staticCacheControl = "public, max-age=3600"
)

// pageCSP is the Content-Security-Policy of the search page: everything
// from this server, no inline script, nothing from elsewhere.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"

// asset is one embedded file, read once at start.
type asset struct {
	data        []byte
	contentType string
	etag        string
}

// loadAssets reads every file of web.FS.
func loadAssets(log *slog.Logger) map[string]asset {
	m := make(map[string]asset)
	err := fs.WalkDir(web.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(web.FS, name)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = http.DetectContentType(data)
		}
		sum := sha256.Sum256(data)
		m[name] = asset{data: data, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		// Only a broken build can get here; the API still works without the page.
		log.Error("httpapi: read embedded assets", slog.String("error", err.Error()))
	}
	return m
}

// handlePage serves the search page at /.
func (s *Server) handlePage(c *gin.Context) {
	c.Header("Content-Security-Policy", s.pageCSP())
	s.serveAsset(c, "index.html", pageCacheControl)
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
	s.serveAsset(c, "static/"+name, staticCacheControl)
}

// serveAsset writes an embedded file with its type, cache policy and
// ETag; http.ServeContent answers conditional and range requests.
func (s *Server) serveAsset(c *gin.Context, name, cacheControl string) {
	a, ok := s.assets[name]
	if !ok {
		s.handleNoRoute(c)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", a.etag)
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(a.data))
}
