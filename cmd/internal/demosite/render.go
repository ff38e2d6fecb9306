package demosite

import (
	"bytes"
	"fmt"
	"html/template"
)

// groupName is the working group's full name, on every page and PDF.
const groupName = "Working Group on Digital Skills and Competences"

// link is one entry of a list of links.
type link struct {
	Href string
	Text string
	Note string // shown after the link, e.g. "(PDF, 14 KB)"
}

// calendarYear groups the calendar entries of one year.
type calendarYear struct {
	Year    int
	Entries []calendarEntry
}

type calendarEntry struct {
	Date    string // ISO first day, for <time datetime>
	Dates   string
	Label   string // kind of meeting
	Meeting link
	Docs    []link
}

// page is what the layout template renders.
type page struct {
	Lang        string // the <html lang>; "" for English
	Title       string
	Description string
	Date        string // dcterms.date, YYYY-MM-DD; empty for none
	Up          *link  // a link back up, outside <main>

	// One of these is set, depending on the kind of page.
	Doc     *docView
	Meeting *meetingView
	Home    *homeView
	Message []block // 404 and other short pages
}

type docView struct {
	Group  bool     // show the group's name above the <h1>
	Lines  []string // the title block under the <h1>
	Blocks []block
}

type meetingView struct {
	Lines  []string
	Blocks []block
	Docs   []link
}

type homeView struct {
	Blocks      []block
	KeyMessages []link
	Calendar    []calendarYear
	More        []link
}

const layoutHTML = `{{define "layout"}}<!DOCTYPE html>
<html lang="{{if .Lang}}{{.Lang}}{{else}}en{{end}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{- with .Description}}
<meta name="description" content="{{.}}">{{end}}
{{- with .Date}}
<meta name="dcterms.date" content="{{.}}">{{end}}
<style>
body{font-family:Arial,Helvetica,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem;color:#222}
header,footer{background:#039;color:#fff;padding:.5rem 1rem}header a,footer a{color:#fff}
nav ul{list-style:none;padding:0;display:flex;gap:1rem}.cookie-banner{background:#ffd;padding:.5rem;border:1px solid #cc9}
.meta{color:#555}
</style>
</head>
<body>
<div id="cookie-banner" class="cookie-banner" role="region" aria-label="Cookie notice">
<p>This portal uses a single cookie to remember that you have read this notice. No tracking, no advertising.
<button type="button">I understand</button></p>
</div>
<header>
<p class="site-name"><a href="/">Education and Training &#8211; Expert groups</a></p>
<p class="site-tagline">Strategic framework for European cooperation in education and training</p>
</header>
<nav aria-label="Main">
<ul>
<li><a href="/">Working group home</a></li>
<li><a href="/about/mandate.html">Mandate</a></li>
<li><a href="/about/members.html">Members</a></li>
<li><a href="/#calendar">Meetings</a></li>
</ul>
</nav>
<main id="content">
{{- if .Doc}}{{template "doc" .}}{{else if .Meeting}}{{template "meeting" .}}{{else if .Home}}{{template "home" .}}{{else}}{{template "message" .}}{{end}}
</main>
{{- with .Up}}
<nav class="up" aria-label="Up"><p><a href="{{.Href}}">{{.Text}}</a></p></nav>{{end}}
<footer>
<p>Demonstration copy of an expert group's portal, built for testing kbsearch. It is not an official site of the European Union.</p>
<p><a href="/sitemap.xml">Sitemap</a> &#183; <a href="/about/mandate.html">About the group</a></p>
</footer>
</body>
</html>
{{end}}

{{define "blocks"}}{{range .}}
{{- if eq .Kind "h"}}
<h2>{{.Text}}</h2>
{{- else if eq .Kind "p"}}
<p>{{.Text}}</p>
{{- else if eq .Kind "ul"}}
<ul>
{{- range .Items}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}{{end}}{{end}}

{{define "titleblock"}}
{{- if .Group}}
<p class="group">` + groupName + `</p>{{end}}
<h1>{{.Title}}</h1>
{{- range .Lines}}
<p class="meta">{{.}}</p>
{{- end}}{{end}}

{{define "links"}}
<ul>
{{- range .}}
<li><a href="{{.Href}}">{{.Text}}</a>{{with .Note}} <span class="note">{{.}}</span>{{end}}</li>
{{- end}}
</ul>{{end}}

{{define "doc"}}
<article>
{{- template "titleblock" (titleBlock .Doc.Group .Title .Doc.Lines)}}
{{- template "blocks" .Doc.Blocks}}
</article>{{end}}

{{define "meeting"}}
<article>
{{- template "titleblock" (titleBlock true .Title .Meeting.Lines)}}
{{- template "blocks" .Meeting.Blocks}}
<h2>Documents</h2>
{{- if .Meeting.Docs}}{{template "links" .Meeting.Docs}}{{else}}
<p>No documents have been published for this meeting yet.</p>{{end}}
</article>{{end}}

{{define "home"}}
<h1>{{.Title}}</h1>
{{- template "blocks" .Home.Blocks}}
<h2 id="key-messages">Key policy messages</h2>
<p>After several of its meetings the group agreed a short set of key policy messages:</p>
{{- template "links" .Home.KeyMessages}}
<h2 id="calendar">Meeting calendar</h2>
{{- range .Home.Calendar}}
<h3>{{.Year}}</h3>
<ul class="calendar">
{{- range .Entries}}
<li><time datetime="{{.Date}}">{{.Dates}}</time> &#8211; {{.Label}}: <a href="{{.Meeting.Href}}">{{.Meeting.Text}}</a>
{{- range .Docs}} &#183; <a href="{{.Href}}">{{.Text}}</a>{{end}}</li>
{{- end}}
</ul>
{{- end}}
<h2>See also</h2>
{{- template "links" .Home.More}}{{end}}

{{define "message"}}
<h1>{{.Title}}</h1>
{{- template "blocks" .Message}}{{end}}
`

type titleBlockData struct {
	Group bool
	Title string
	Lines []string
}

var layout = template.Must(template.New("site").Funcs(template.FuncMap{
	"titleBlock": func(group bool, title string, lines []string) titleBlockData {
		return titleBlockData{Group: group, Title: title, Lines: lines}
	},
}).Parse(layoutHTML))

// renderHTML renders one page with the site's layout.
func renderHTML(p page) ([]byte, error) {
	var buf bytes.Buffer
	if err := layout.ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, fmt.Errorf("demosite: render %q: %w", p.Title, err)
	}
	return buf.Bytes(), nil
}
