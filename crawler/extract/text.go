package extract

import (
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// cleanText makes s valid UTF-8 without U+FFFD, byte-order marks or control
// characters other than '\n': carriage returns and line separators become
// '\n', tabs and other blank controls become ' ', the rest is dropped.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	clean := true
	for _, r := range s {
		if r == '\n' || r == ' ' {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError || r == '\ufeff' || r == '\u2028' || r == '\u2029' || r == '\ufffe' || r == '\uffff' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteByte('\n')
		case r == '\t' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == utf8.RuneError || r == '\ufeff' || r == '\ufffe' || r == '\uffff':
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleanInline is cleanText with every run of white space, line breaks
// included, collapsed to one space and the ends trimmed.
func cleanInline(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// tidyParagraphs trims each line, collapses spaces inside lines and keeps
// at most one blank line between paragraphs.
func tidyParagraphs(s string) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s))
	blank := false
	for _, ln := range lines {
		ln = strings.Join(strings.Fields(ln), " ")
		if ln == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			if blank {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(ln)
	}
	return b.String()
}

// truncateText cuts s to at most max characters (runes), on a rune boundary.
// maxTitleRunes caps a page's title, whatever its source (an HTML
// <title>, a PDF's Info, an office file's properties or first heading): a
// title is shown on every hit and indexed with a weight, and a hostile page
// can make its <title> megabytes long.
const maxTitleRunes = 200

// capTitle cuts a title to maxTitleRunes runes, at the last space of its
// final 30 runes when there is one.
func capTitle(t string) string {
	if utf8.RuneCountInString(t) <= maxTitleRunes {
		return t
	}
	t = truncateText(t, maxTitleRunes)
	if i := strings.LastIndexByte(t, ' '); i > 0 && utf8.RuneCountInString(t[i:]) <= 30 {
		t = t[:i]
	}
	return strings.TrimSpace(t)
}

func truncateText(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// parseContentType splits a Content-Type value into its lower-case media
// type and parameters; ok is false when there is none.
func parseContentType(contentType string) (string, map[string]string, bool) {
	if strings.TrimSpace(contentType) == "" {
		return "", nil, false
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Lenient fallback for values such as "text/html; charset=" that
		// the strict parser rejects.
		parts := strings.Split(contentType, ";")
		mt = parts[0]
		params = map[string]string{}
		for _, p := range parts[1:] {
			k, v, ok := strings.Cut(p, "=")
			if ok {
				params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
	}
	return strings.ToLower(strings.TrimSpace(mt)), params, true
}

// looksText reports whether the start of body reads as text: valid UTF-8
// (a rune cut at the window's end aside) without NUL bytes.
func looksText(body []byte) bool {
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	for _, c := range head {
		if c == 0 {
			return false
		}
	}
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size <= 1 {
			return len(head) < utf8.UTFMax && len(body) > 1024
		}
		head = head[size:]
	}
	return true
}

// plainText extracts a text/plain body: decoded, cleaned, paragraphs kept;
// the title is its first line if that is short.
func plainText(body []byte, contentType string) (*Page, error) {
	s, err := decodeBytes(body, contentType, false)
	if err != nil {
		return nil, &Error{Reason: ReasonMalformed, Err: err}
	}
	p := &Page{PageCount: 1, Text: tidyParagraphs(s)}
	first, _, _ := strings.Cut(p.Text, "\n")
	if utf8.RuneCountInString(first) <= 200 {
		p.Title = first
	}
	return p, nil
}

// parseDate reads a publication date: RFC 3339 (with or without zone or
// seconds), YYYY-MM-DD, YYYY-MM, or the same with slashes. The result is UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 7 || len(s) > 40 {
		return time.Time{}, false
	}
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05Z07",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05",
		"2006-01-02",
		"2006-01",
		"2006/01/02",
		"2006/01",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1000 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Block levels: how much white space an element puts around its text.
const (
	brkNone = iota
	brkSpace
	brkLine
	brkPara
)

// blockLevel maps elements to the break they make around themselves.
var blockLevel = map[atom.Atom]int{
	atom.P: brkPara, atom.H1: brkPara, atom.H2: brkPara, atom.H3: brkPara, atom.H4: brkPara,
	atom.H5: brkPara, atom.H6: brkPara, atom.Ul: brkPara, atom.Ol: brkPara, atom.Dl: brkPara,
	atom.Table: brkPara, atom.Blockquote: brkPara, atom.Pre: brkPara, atom.Section: brkPara,
	atom.Article: brkPara, atom.Header: brkPara, atom.Footer: brkPara, atom.Main: brkPara,
	atom.Figure: brkPara, atom.Hr: brkPara, atom.Address: brkPara, atom.Details: brkPara,
	atom.Fieldset: brkPara, atom.Menu: brkPara, atom.Hgroup: brkPara,

	atom.Div: brkLine, atom.Li: brkLine, atom.Dt: brkLine, atom.Dd: brkLine, atom.Tr: brkLine,
	atom.Caption: brkLine, atom.Figcaption: brkLine, atom.Summary: brkLine, atom.Legend: brkLine,
	atom.Option: brkLine, atom.Br: brkLine, atom.Body: brkLine, atom.Center: brkLine,
	atom.Thead: brkLine, atom.Tbody: brkLine, atom.Tfoot: brkLine, atom.Nav: brkLine,
	atom.Aside: brkLine, atom.Form: brkLine, atom.Label: brkSpace,

	atom.Td: brkSpace, atom.Th: brkSpace, atom.Img: brkSpace, atom.Input: brkSpace,
}

// droppedTags never hold main text.
var droppedTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Aside: true, atom.Iframe: true, atom.Svg: true, atom.Math: true,
	atom.Canvas: true, atom.Object: true, atom.Embed: true, atom.Select: true,
	atom.Button: true, atom.Dialog: true, atom.Head: true, atom.Title: true,
	atom.Audio: true, atom.Video: true, atom.Map: true,
}

// isBoilerplate reports whether n and its subtree are dropped from the main
// text: scripts and the like, navigation, page header and footer, forms,
// hidden elements, and cookie or consent banners. A <header> inside an
// <article> or <main> is the article's own heading and is kept, and a
// <form> that wraps the page's content (ASP.NET pages do) is kept too.
func isBoilerplate(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if droppedTags[n.DataAtom] {
		return true
	}
	switch n.DataAtom {
	case atom.Header:
		if !hasAncestor(n, atom.Article, atom.Main) {
			return true
		}
	case atom.Footer:
		return true
	case atom.Form:
		if !hasDescendant(n, atom.Main, atom.Article, atom.H1, atom.H2) {
			return true
		}
	}
	if _, ok := attr(n, "hidden"); ok {
		return true
	}
	if v, ok := attr(n, "aria-hidden"); ok && strings.EqualFold(strings.TrimSpace(v), "true") {
		return true
	}
	if v, ok := attr(n, "role"); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "navigation", "banner", "contentinfo":
			return true
		}
	}
	if v, ok := attr(n, "style"); ok {
		v = strings.ToLower(strings.Join(strings.Fields(v), ""))
		if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
			return true
		}
	}
	switch n.DataAtom {
	case atom.Html, atom.Body, atom.Main, atom.Article:
		// Never drop the page's frame for a "cookie-banner-open" class.
	default:
		id, _ := attr(n, "id")
		class, _ := attr(n, "class")
		idc := strings.ToLower(id + " " + class)
		if strings.Contains(idc, "cookie") || strings.Contains(idc, "consent") {
			return true
		}
		// Navigation built from divs and tables rather than <nav>, named
		// by a whole id or class token (DocBook's navheader/navfooter,
		// breadcrumbs, skip links); a token, so "navigation-guide" text
		// containers are not caught by a substring.
		for _, tok := range strings.Fields(idc) {
			if navTokens[tok] {
				return true
			}
		}
	}
	return false
}

// navTokens are id and class names that mark navigation blocks.
var navTokens = map[string]bool{
	"nav": true, "navbar": true, "navheader": true, "navfooter": true, "navigation": true,
	"breadcrumb": true, "breadcrumbs": true, "skip-link": true, "skiplink": true, "pagination": true,
}

func hasAncestor(n *html.Node, atoms ...atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		for _, a := range atoms {
			if p.Type == html.ElementNode && p.DataAtom == a {
				return true
			}
		}
	}
	return false
}

func hasDescendant(n *html.Node, atoms ...atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			for _, a := range atoms {
				if c.DataAtom == a {
					return true
				}
			}
		}
		if hasDescendant(c, atoms...) {
			return true
		}
	}
	return false
}

// textWriter accumulates text, turning requested breaks into a space, a
// newline or a blank line just before the next text, so that the result
// never starts or ends with white space and has one blank line at most.
type textWriter struct {
	b       strings.Builder
	pending int
}

func (w *textWriter) brk(level int) {
	if level > w.pending {
		w.pending = level
	}
}

func (w *textWriter) word(s string) {
	if w.b.Len() > 0 {
		switch w.pending {
		case brkSpace:
			w.b.WriteByte(' ')
		case brkLine:
			w.b.WriteByte('\n')
		case brkPara:
			w.b.WriteString("\n\n")
		}
	}
	w.pending = brkNone
	w.b.WriteString(s)
}

// text writes a run of inline text, its white space collapsed.
func (w *textWriter) text(s string) {
	if s == "" {
		return
	}
	first, _ := utf8.DecodeRuneInString(s)
	if unicode.IsSpace(first) {
		w.brk(brkSpace)
	}
	for _, f := range strings.Fields(s) {
		w.word(f)
		w.brk(brkSpace)
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if !unicode.IsSpace(last) {
		// The next text continues this word (<b>wo</b>rd).
		w.pending = brkNone
	}
}

// preformatted writes the text of a <pre>, keeping its line breaks.
func (w *textWriter) preformatted(s string) {
	for i, ln := range strings.Split(s, "\n") {
		if i > 0 {
			w.brk(brkLine)
		}
		w.text(ln)
	}
}

// blockText returns the visible main text under the given roots, with line
// breaks at block elements and boilerplate removed.
func blockText(roots ...*html.Node) string {
	var w textWriter
	for _, r := range roots {
		if r == nil {
			continue
		}
		w.walk(r, 0, false)
		w.brk(brkPara)
	}
	return tidyParagraphs(cleanText(w.b.String()))
}

// maxDepth bounds the recursion on pathologically nested markup; deeper
// content is ignored (the HTML parser itself keeps nesting far shallower).
const maxDepth = 512

func (w *textWriter) walk(n *html.Node, depth int, pre bool) {
	if depth > maxDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		if pre {
			w.preformatted(n.Data)
		} else {
			w.text(n.Data)
		}
		return
	case html.ElementNode:
		if isBoilerplate(n) {
			// Keep the words on either side apart.
			w.brk(brkSpace)
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	level := blockLevel[n.DataAtom] // unknown (custom) elements are inline
	w.brk(level)
	if n.DataAtom == atom.Pre || n.DataAtom == atom.Textarea || n.DataAtom == atom.Listing {
		pre = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1, pre)
	}
	w.brk(level)
}

// mainContent picks the roots of the main text: the first visible <main>,
// else the outermost <article> elements, else [role=main], else <body>.
func mainContent(top *html.Node) []*html.Node {
	if top == nil {
		return nil
	}
	var mains, articles, roleMains []*html.Node
	var body *html.Node
	var find func(n *html.Node, depth int, inArticle bool)
	find = func(n *html.Node, depth int, inArticle bool) {
		if depth > maxDepth {
			return
		}
		if n.Type == html.ElementNode {
			switch {
			case n.DataAtom == atom.Body && body == nil:
				body = n
			case n.DataAtom == atom.Main && !isBoilerplate(n):
				mains = append(mains, n)
			case n.DataAtom == atom.Article && !inArticle && !isBoilerplate(n):
				articles = append(articles, n)
				inArticle = true
			}
			if v, ok := attr(n, "role"); ok && strings.EqualFold(strings.TrimSpace(v), "main") && !isBoilerplate(n) {
				roleMains = append(roleMains, n)
			}
			if n.DataAtom == atom.Script || n.DataAtom == atom.Template || n.DataAtom == atom.Style {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c, depth+1, inArticle)
		}
	}
	find(top, 0, false)
	switch {
	case len(mains) > 0:
		return mains[:1]
	case len(articles) > 0:
		return articles
	case len(roleMains) > 0:
		return roleMains[:1]
	case body != nil:
		return []*html.Node{body}
	}
	return []*html.Node{top}
}
