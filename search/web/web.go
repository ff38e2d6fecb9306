// Package web holds the embedded static assets of the research search
// page: index.html, served at /, and the files under static/ (script,
// style sheet, icon), served under /static/ by package httpapi.
//
// The page is plain HTML, CSS and JavaScript with no build step, no
// framework and nothing loaded from another site. It talks only to the
// JSON API (/api/v1/search, /api/v1/themes) and keeps its state in the
// page URL, so a search can be bookmarked and back/forward work.
//
// This package holds files only: no Go logic beyond the embed directive.
// It must not import anything of kbsearch.
package web

import "embed"

// FS is the tree of assets: index.html at the root, the rest in static/.
//
//go:embed index.html static
var FS embed.FS
