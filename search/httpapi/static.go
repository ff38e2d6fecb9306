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
	"golang.org/x/text/language"

	"github.com/kbsearch/kbsearch/search"
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

// handlePage serves the search page at /, in the reader's language.
func (s *Server) handlePage(c *gin.Context) {
	s.servePage(c, "index.html", http.StatusOK)
}

// handleDocumentPage serves /documents/:id, the page of one document: the
// page's script asks the API for the document. An id no document has gets
// the page with 404 (which says so); an id the API would refuse, 404.
func (s *Server) handleDocumentPage(c *gin.Context) {
	id := c.Param("id")
	status := http.StatusOK
	if search.CheckID(id) != nil {
		status = http.StatusNotFound
	} else if s.backend != nil {
		_, err := s.backend.Document(c.Request.Context(), id)
		switch search.KindOf(err) {
		case search.KindNotFound:
			status = http.StatusNotFound
		case search.KindUnavailable:
			// The page says so when its script asks.
		default:
			if err != nil {
				s.writeError(c, err)
				return
			}
		}
	}
	s.servePage(c, "document.html", status)
}

// servePage writes the page name in the language of the request (see
// pageLang) with status: 200 through serveAsset (conditional requests),
// any other as it is.
func (s *Server) servePage(c *gin.Context, name string, status int) {
	lang := s.pageLang(c.Request)
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", s.pageCSP())
	h.Add("Vary", "Accept-Language")
	h.Set("Content-Language", lang)
	key := pageKey(lang, name)
	if status == http.StatusOK {
		s.serveAsset(c, key)
		return
	}
	a, ok := s.assets.files[key]
	if !ok {
		s.handleNoRoute(c)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-store")
	c.Status(status)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(a.data)
	}
}

// langParam is the query parameter choosing the language of the pages'
// interface ("lang" filters the documents by theirs).
const langParam = "hl"

// pageLang is the language of the interface for r: its hl parameter when
// the pages speak it, else the best of its Accept-Language that they
// speak, else defaultLang.
func (s *Server) pageLang(r *http.Request) string {
	langs := s.assets.langs
	if len(langs) == 0 {
		return defaultLang
	}
	if hl := strings.ToLower(r.URL.Query().Get(langParam)); slices.Contains(langs, hl) {
		return hl
	}
	if s.langMatcher == nil {
		return langs[0]
	}
	pref, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(pref) == 0 {
		return langs[0]
	}
	_, i, conf := s.langMatcher.Match(pref...)
	if conf == language.No {
		return langs[0]
	}
	return langs[i]
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
	a, ok := s.assets.files[name]
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
