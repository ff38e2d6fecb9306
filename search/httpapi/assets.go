package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/js"
	"golang.org/x/net/html"

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

// defaultLang is the language of the pages when the reader's is not one
// of the tables of strings, and the only one when there are none.
const defaultLang = "en"

// assetSet is what buildAssets makes: the served files by path, and the
// languages the pages are translated into (defaultLang first).
type assetSet struct {
	files map[string]asset
	langs []string
}

// pageKey is the key in assetSet.files of the page name in lang.
func pageKey(lang, name string) string { return lang + "/" + name }

// loadAssets reads the embedded files of package web (see buildAssets).
func loadAssets(log *slog.Logger) assetSet {
	a, err := buildAssets(web.FS, web.Bundles)
	if err != nil {
		// Only a broken build can get here; the API still works without the page.
		log.Error("httpapi: read embedded assets", slog.String("error", err.Error()))
	}
	return a
}

// buildAssets makes the served files of fsys, laid out as package web
// describes. Every file under static/ and every bundle (made from its
// sources, once per language for a name with {lang}) is served twice:
// under its own name ("static/embed.js", kept five minutes) and under a
// name holding the hash of its content ("static/app.en.1a2b3c4d5e6f.js",
// kept a year: its content never changes). Each page at the root is made
// once per language: its data-t texts translated, {lang} replaced, and its
// references to static files rewritten to the hashed names; pages are
// revalidated on every load. So a new release's page always loads that
// release's script and style sheet, and an unchanged file keeps its URL
// and its place in the browser's cache.
func buildAssets(fsys fs.FS, bundles map[string][]string) (assetSet, error) {
	set := assetSet{files: make(map[string]asset), langs: []string{defaultLang}}
	tables, err := readStrings(fsys)
	if err != nil {
		return set, err
	}
	for _, l := range slices.Sorted(maps.Keys(tables)) {
		if l != defaultLang {
			set.langs = append(set.langs, l)
		}
	}
	hashed := make(map[string]string) // "static/app.js" -> "static/app.1a2b3c4d5e6f.js"
	add := func(name string, data []byte) {
		a := newAsset(name, data, plainNameCacheControl)
		set.files[name] = a
		h := hashedName(name, a.data)
		hashed[name] = h
		a.cacheControl = hashedCacheControl
		set.files[h] = a
	}
	var pages []string
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || d.IsDir():
			return err
		case strings.HasPrefix(name, "static/"):
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			add(name, data)
		case !strings.Contains(name, "/"):
			pages = append(pages, name)
		}
		return nil
	})
	if err != nil {
		return set, err
	}
	for _, name := range slices.Sorted(maps.Keys(bundles)) {
		langs := []string{""}
		if strings.Contains(name, "{lang}") {
			langs = set.langs
		}
		for _, l := range langs {
			data, err := bundle(fsys, name, bundles[name], l, tables)
			if err != nil {
				return set, err
			}
			add(strings.ReplaceAll(name, "{lang}", l), data)
		}
	}
	for _, name := range pages {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return set, err
		}
		for _, l := range set.langs {
			out := data
			if path.Ext(name) == ".html" {
				if out, err = translatePage(data, l, tables[l]); err != nil {
					return set, fmt.Errorf("%s: %w", name, err)
				}
				out = rewriteRefs(out, hashed)
			}
			set.files[pageKey(l, name)] = newAsset(name, out, pageCacheControl)
		}
	}
	return set, nil
}

// stringTable is one language's strings: "shared" ones (the box and the
// pages) and "page" ones (the pages only), by key. A value is a string or,
// for a text that depends on a number, a list of its plural forms.
type stringTable struct {
	Shared map[string]any `json:"shared"`
	Page   map[string]any `json:"page"`
}

// readStrings reads src/strings/LANG.json, by language; none is no error.
func readStrings(fsys fs.FS) (map[string]stringTable, error) {
	names, err := fs.Glob(fsys, "src/strings/*.json")
	if err != nil {
		return nil, err
	}
	out := make(map[string]stringTable, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var t stringTable
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".json")] = t
	}
	return out, nil
}

// bundle joins the sources of the served file name (see web.Bundles) for
// lang ("" for a file made once).
func bundle(fsys fs.FS, name string, sources []string, lang string, tables map[string]stringTable) ([]byte, error) {
	script := path.Ext(name) == ".js"
	var b bytes.Buffer
	if script {
		b.WriteString("'use strict';\n(function () {\n")
	}
	for _, src := range sources {
		if src == "strings" {
			all := make(map[string]map[string]any)
			for l, t := range tables {
				switch {
				case lang == "":
					all[l] = t.Shared
				case l == lang:
					m := maps.Clone(t.Shared)
					maps.Copy(m, t.Page)
					all[l] = m
				}
			}
			js, err := json.Marshal(all)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "const STRINGS = %s;\n", js)
			continue
		}
		data, err := fs.ReadFile(fsys, src)
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
		if script && path.Ext(src) == ".css" {
			js, err := json.Marshal(string(data))
			if err != nil {
				return nil, err
			}
			constName := strings.ToUpper(strings.TrimSuffix(path.Base(src), ".css")) + "_CSS"
			fmt.Fprintf(&b, "const %s = %s;\n", constName, js)
			continue
		}
		b.Write(data)
		if !bytes.HasSuffix(data, []byte("\n")) {
			b.WriteByte('\n')
		}
	}
	if script {
		b.WriteString("})();\n")
	}
	return minifyAsset(name, b.Bytes())
}

// minifier shrinks the bundles: their sources keep their comments and
// layout for people, the browser gets neither (a third less to download,
// gzipped).
var minifier = func() *minify.M {
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("application/javascript", js.Minify)
	return m
}()

// minifyAsset minifies the script or style sheet data of the served file name.
func minifyAsset(name string, data []byte) ([]byte, error) {
	mediatype := map[string]string{".js": "application/javascript", ".css": "text/css"}[path.Ext(name)]
	if mediatype == "" {
		return data, nil
	}
	out, err := minifier.Bytes(mediatype, data)
	if err != nil {
		return nil, fmt.Errorf("minify %s: %w", name, err)
	}
	return out, nil
}

// translatePage makes the page of lang: {lang} replaced, the html
// element's lang set, and the text of each element with data-t="key", and
// the attribute attr of each with data-t-attr="key", set to that string
// of t. A key t lacks leaves the text as written (in English).
func translatePage(page []byte, lang string, t stringTable) ([]byte, error) {
	// Parsed as a browser without scripts would, so that the content of
	// noscript is elements to translate, not text.
	doc, err := html.ParseWithOptions(bytes.NewReader(bytes.ReplaceAll(page, []byte("{lang}"), []byte(lang))), html.ParseOptionEnableScripting(false))
	if err != nil {
		return nil, err
	}
	text := func(key string) (string, bool) {
		v, ok := t.Page[key]
		if !ok {
			v, ok = t.Shared[key]
		}
		s, isString := v.(string)
		return s, ok && isString
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			var kept []html.Attribute
			var setText string
			set := map[string]string{}
			for _, a := range n.Attr {
				switch {
				case a.Key == "data-t":
					setText, _ = text(a.Val)
				case strings.HasPrefix(a.Key, "data-t-"):
					if s, ok := text(a.Val); ok {
						set[strings.TrimPrefix(a.Key, "data-t-")] = s
					}
				default:
					kept = append(kept, a)
				}
			}
			if n.Data == "html" {
				set["lang"] = lang
			}
			for i, a := range kept {
				if v, ok := set[a.Key]; ok {
					kept[i].Val = v
					delete(set, a.Key)
				}
			}
			for _, k := range slices.Sorted(maps.Keys(set)) {
				kept = append(kept, html.Attribute{Key: k, Val: set[k]})
			}
			n.Attr = kept
			if setText != "" {
				for c := n.FirstChild; c != nil; c = n.FirstChild {
					n.RemoveChild(c)
				}
				n.AppendChild(&html.Node{Type: html.TextNode, Data: setText})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
// src or href attribute, relative ("static/app.js", "../static/app.js")
// or from the root ("/static/app.js").
var assetRef = regexp.MustCompile(`\b(src|href)="((?:\.\./)*|/?)(static/[^"?#]+)"`)

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
