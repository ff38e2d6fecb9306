// Package web holds the embedded sources of the research search page, the
// document page and the embeddable search box: plain HTML, CSS and
// JavaScript with no build step, no framework and nothing loaded from
// another site. Package httpapi assembles and serves them.
//
// The layout:
//
//	index.html, document.html  the pages, with {lang} in their script names
//	                           and data-t attributes naming the strings of
//	                           their text (translated when served)
//	static/                    files served as they are (the icon)
//	src/*.js, src/*.css        the sources of the served scripts and style
//	                           sheets, joined as Bundles says
//	src/strings/LANG.json      the interface's strings, one table per
//	                           language: "shared" (the box and the pages)
//	                           and "page" (the pages only)
//
// The pages talk only to the JSON API and keep their state in the page
// URL, so a search can be bookmarked and back/forward work.
//
// This package holds files and the table of bundles: no Go logic. It must
// not import anything of kbsearch.
package web

import "embed"

// FS is the tree of sources.
//
//go:embed index.html document.html static src
var FS embed.FS

// Bundles says which sources make each served script and style sheet, in
// order. A name holding {lang} is made once per language of
// src/strings/. In a script, "strings" is the table of strings (of that
// language with its page strings, or of every language's shared strings
// for a name without {lang}), and a style sheet becomes a string constant
// named after it (src/combobox.css: COMBOBOX_CSS). Scripts are wrapped in
// one function, so their sources share one scope and leak nothing.
var Bundles = map[string][]string{
	"static/app.{lang}.js": {"strings", "src/i18n.js", "src/util.js", "src/combobox.js", "src/chart.js", "src/app.js"},
	"static/doc.{lang}.js": {"strings", "src/i18n.js", "src/util.js", "src/doc.js"},
	"static/embed.js":      {"strings", "src/i18n.js", "src/util.js", "src/combobox.css", "src/combobox.js", "src/embed.js"},
	"static/style.css":     {"src/page.css", "src/combobox.css"},
}
