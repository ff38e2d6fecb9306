package httpapi

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// TestBuildAssetsHashes checks the hashed names: the page links to them,
// a file's hash changes with its content and only then, and each name has
// its cache policy.
func TestBuildAssetsHashes(t *testing.T) {
	t.Parallel()
	site := func(app string) fstest.MapFS {
		return fstest.MapFS{
			"index.html": {Data: []byte(`<link rel="stylesheet" href="static/style.css">` +
				`<script src="/static/app.js" defer></script><img src="static/missing.png"><a href="static/app.js?x">`)},
			"static/app.js":    {Data: []byte(app)},
			"static/style.css": {Data: []byte("mark { color: black }")},
			"static/embed.js":  {Data: []byte("/* the box */")},
		}
	}
	v1, err := buildAssets(site("console.log(1)"), nil)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := buildAssets(site("console.log(2)"), nil)
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	links := func(m assetSet) []string {
		var out []string
		for _, sm := range refs.FindAllStringSubmatch(string(m.files[pageKey(defaultLang, "index.html")].data), -1) {
			out = append(out, sm[1])
		}
		return out
	}
	l1, l2 := links(v1), links(v2)
	hashedCSS := regexp.MustCompile(`^static/style\.[0-9a-f]{12}\.css$`)
	hashedJS := regexp.MustCompile(`^/static/app\.[0-9a-f]{12}\.js$`)
	if len(l1) != 4 || !hashedCSS.MatchString(l1[0]) || !hashedJS.MatchString(l1[1]) {
		t.Fatalf("page links %q, want the style sheet and the script by hashed name", l1)
	}
	if l1[2] != "static/missing.png" || l1[3] != "static/app.js?x" {
		t.Errorf("links to no file or with a query changed: %q", l1[2:])
	}
	if l1[1] == l2[1] {
		t.Errorf("the script changed and kept its URL %s", l1[1])
	}
	if l1[0] != l2[0] {
		t.Errorf("the style sheet did not change and its URL did: %s, %s", l1[0], l2[0])
	}
	for name, want := range map[string]string{
		"en/index.html":                pageCacheControl,
		"static/app.js":                plainNameCacheControl,
		"static/embed.js":              plainNameCacheControl,
		strings.TrimPrefix(l1[1], "/"): hashedCacheControl,
		l1[0]:                          hashedCacheControl,
	} {
		a, ok := v1.files[name]
		if !ok {
			t.Errorf("%s not served", name)
			continue
		}
		if a.cacheControl != want {
			t.Errorf("%s: Cache-Control %q, want %q", name, a.cacheControl, want)
		}
	}
	if a, h := v1.files["static/app.js"], v1.files[strings.TrimPrefix(l1[1], "/")]; !bytes.Equal(a.data, h.data) || a.etag != h.etag {
		t.Errorf("the hashed script differs from the plain one")
	}
}

// TestHashedAssetHeaders follows the served page's links: hashed assets
// are cached for a year as immutable, the page and the embeddable box's
// script (whose URL portals embed) are revalidated, all carry ETags, and
// a hash of no current file is 404.
func TestHashedAssetHeaders(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	h := s.Handler()
	page := do(t, h, http.MethodGet, "/")
	if cc := page.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("page Cache-Control %q, want no-cache", cc)
	}
	links := regexp.MustCompile(`(?:src|href)="(static/[^"]+)"`).FindAllStringSubmatch(page.Body.String(), -1)
	if len(links) < 3 {
		t.Fatalf("page links to %d assets", len(links))
	}
	hashed := regexp.MustCompile(`\.[0-9a-f]{12}\.[a-z]+$`)
	for _, l := range links {
		target := "/" + l[1]
		t.Run(target, func(t *testing.T) {
			if !hashed.MatchString(target) {
				t.Fatalf("page links to %s, not a hashed name", target)
			}
			rec := do(t, h, http.MethodGet, target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control %q, want a year, immutable", cc)
			}
			etag := rec.Header().Get("ETag")
			if again := do(t, h, http.MethodGet, target, "If-None-Match", etag); etag == "" || again.Code != http.StatusNotModified {
				t.Errorf("ETag %q; conditional GET status %d, want 304", etag, again.Code)
			}
		})
	}
	t.Run("box script", func(t *testing.T) {
		rec := do(t, h, http.MethodGet, "/static/embed.js")
		if cc := rec.Header().Get("Cache-Control"); rec.Code != http.StatusOK || cc != "public, max-age=300" {
			t.Errorf("status %d, Cache-Control %q; want 200, public, max-age=300", rec.Code, cc)
		}
		etag := rec.Header().Get("ETag")
		if again := do(t, h, http.MethodGet, "/static/embed.js", "If-None-Match", etag); etag == "" || again.Code != http.StatusNotModified {
			t.Errorf("ETag %q; conditional GET status %d, want 304", etag, again.Code)
		}
	})
	t.Run("stale hash", func(t *testing.T) {
		if rec := do(t, h, http.MethodGet, "/static/app.000000000000.js"); rec.Code != http.StatusNotFound {
			t.Errorf("status %d, want 404", rec.Code)
		}
	})
}
