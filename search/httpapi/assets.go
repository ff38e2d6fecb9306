package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/kbsearch/kbsearch/search/web"
)

// asset is one file served from memory, made once at start.
type asset struct {
	data         []byte
	contentType  string
	etag         string // weak: the same for the gzip and the plain body
	cacheControl string
}

// hashLen is the number of hex digits of a content hash in an asset's
// name: 48 bits, no collision among a handful of files and their releases.
const hashLen = 12

// loadAssets reads the embedded files of package web (see buildAssets).
func loadAssets(log *slog.Logger) map[string]asset {
	m, err := buildAssets(web.FS)
	if err != nil {
		// Only a broken build can get here; the API still works without the page.
		log.Error("httpapi: read embedded assets", slog.String("error", err.Error()))
	}
	return m
}

// buildAssets makes the served files of fsys, keyed by path: every file
// under static/ twice, under its own name ("static/app.js", kept five
// minutes) and under a name holding the hash of its content
// ("static/app.1a2b3c4d5e6f.js", kept a year: its content never changes);
// and index.html with its references to static files rewritten to the
// hashed names, revalidated on every load. So a new release's page always
// loads that release's script and style sheet, and an unchanged file keeps
// its URL and its place in the browser's cache.
func buildAssets(fsys fs.FS) (map[string]asset, error) {
	m := make(map[string]asset)
	hashed := make(map[string]string) // "static/app.js" -> "static/app.1a2b3c4d5e6f.js"
	var pages []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasPrefix(name, "static/") {
			pages = append(pages, name)
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		a := newAsset(name, data, plainNameCacheControl)
		m[name] = a
		h := hashedName(name, a.data)
		hashed[name] = h
		a.cacheControl = hashedCacheControl
		m[h] = a
		return nil
	})
	if err != nil {
		return m, err
	}
	for _, name := range pages {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return m, err
		}
		if path.Ext(name) == ".html" {
			data = rewriteRefs(data, hashed)
		}
		m[name] = newAsset(name, data, pageCacheControl)
	}
	return m, nil
}

// newAsset makes the asset of the file name holding data.
func newAsset(name string, data []byte, cacheControl string) asset {
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	sum := sha256.Sum256(data)
	return asset{data: data, contentType: ct, etag: `W/"` + hex.EncodeToString(sum[:8]) + `"`, cacheControl: cacheControl}
}

// hashedName puts the hash of data in name before its extension:
// static/app.js becomes static/app.1a2b3c4d5e6f.js.
func hashedName(name string, data []byte) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])[:hashLen]
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + h + ext
}

// assetRef matches a page's reference to a static file: the value of an
// src or href attribute, relative ("static/app.js") or from the root
// ("/static/app.js").
var assetRef = regexp.MustCompile(`\b(src|href)="(/?)(static/[^"?#]+)"`)

// rewriteRefs replaces the references of page to the files of hashed by
// their hashed names; references to other files stay as they are.
func rewriteRefs(page []byte, hashed map[string]string) []byte {
	return assetRef.ReplaceAllFunc(page, func(ref []byte) []byte {
		sm := assetRef.FindSubmatch(ref)
		h, ok := hashed[string(sm[3])]
		if !ok {
			return ref
		}
		return []byte(string(sm[1]) + `="` + string(sm[2]) + h + `"`)
	})
}
