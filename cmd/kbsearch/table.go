package main

import (
	"fmt"
	"html"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
	"golang.org/x/term"

	"github.com/kbsearch/kbsearch/search"
)

// Table widths, in terminal columns.
const (
	defaultWidth = 80 // when neither the terminal nor $COLUMNS says
	minWidth     = 40 // narrower is drawn at this width
	minTitle     = 20 // below this the type column moves under the title
	maxTypeWidth = 19 // "Key policy messages"
	gap          = 2  // between columns
)

// ANSI styles, used only when colour is allowed.
const (
	ansiDim    = "\x1b[2m"
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiNormal = "\x1b[22m" // bold off
)

// snippetLines is the most lines a hit's passage takes in the table.
const snippetLines = 3

// tableStyle is how printTable draws: the width to fit and whether it may
// use colour.
type tableStyle struct {
	width int
	color bool
}

// outputStyle works out the style for out: the terminal's width when out
// is a terminal (golang.org/x/term), else $COLUMNS, else 80; colour only on
// a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is
// dumb.
func outputStyle(out io.Writer, getenv func(string) string) tableStyle {
	st := tableStyle{width: defaultWidth}
	tty := false
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			st.width = w
		}
	} else if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		st.width = n
	}
	st.color = colorAllowed(tty, getenv)
	return st
}

// colorAllowed reports whether output to a terminal (tty) or elsewhere may
// use colour: only a terminal, unless NO_COLOR is set (https://no-color.org)
// or TERM is dumb.
func colorAllowed(tty bool, getenv func(string) string) bool {
	return tty && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// resultLabels returns the label of a facet value: the one the result's
// facets carry (a server's labels), else fallback's (the taxonomy's).
func resultLabels(res *search.Result, fallback func(facet, value string) string) func(facet, value string) string {
	known := make(map[string]string)
	for facet, list := range res.Facets {
		for _, f := range list {
			if f.Label != "" {
				known[facet+"\x00"+f.Value] = f.Label
			}
		}
	}
	return func(facet, value string) string {
		if l, ok := known[facet+"\x00"+value]; ok {
			return l
		}
		return fallback(facet, value)
	}
}

// printTable prints res to fit st.width: a line per hit with its number,
// title, date and type (the type goes under the title when the width is
// too small for it), the hit's themes as labels on the next line, its
// best passage (the snippet, matched words in bold when st.color, at most
// snippetLines lines), then its URL on a line of its own (dimmed when st.color), never cut, so that it
// can be opened. A URL wider than the table is the one line that may pass
// st.width. The footer counts the results by theme; themes are the --theme
// values of the request, whose counts are the only ones about these
// results.
func printTable(w io.Writer, res *search.Result, label func(facet, value string) string, themes []string, st tableStyle) error {
	width := max(st.width, minWidth)
	p := &printer{w: w}
	if res.Notice != "" {
		p.wrap("Note: "+res.Notice, width, "      ")
	}
	if res.DidYouMean != "" {
		p.wrap(fmt.Sprintf("Did you mean %q?", res.DidYouMean), width, "")
	}
	first := (res.Page-1)*res.Size + 1
	switch {
	case res.Total == 0:
		p.wrap(fmt.Sprintf("No results for %q.", res.Query), width, "")
		return p.err
	case len(res.Hits) == 0:
		p.wrap(fmt.Sprintf("%d results for %q; page %d is past the end.", res.Total, res.Query, res.Page), width, "")
		return p.err
	}
	results := "results"
	if res.Total == 1 {
		results = "result"
	}
	p.wrap(fmt.Sprintf("%d %s for %q (%.1f ms), %d-%d:", res.Total, results, res.Query, res.TookMS, first, first+len(res.Hits)-1), width, "")
	p.line("")

	// Column widths.
	numW := len(strconv.Itoa(first + len(res.Hits) - 1))
	dateW, typeW := len("DATE"), len("TYPE")
	for _, h := range res.Hits {
		dateW = max(dateW, uniseg.StringWidth(h.Date))
		typeW = max(typeW, uniseg.StringWidth(label("type", h.Type)))
	}
	typeW = min(typeW, maxTypeWidth)
	titleW := width - numW - gap - gap - dateW - gap - typeW
	typeCol := titleW >= minTitle
	if !typeCol {
		titleW = width - numW - gap - gap - dateW
	}
	indent := strings.Repeat(" ", numW+gap)

	row := func(num, title, date, typ string) {
		s := pad(num, numW) + "  " + pad(clip(title, titleW), titleW) + "  " + pad(date, dateW)
		if typeCol {
			s += "  " + clip(typ, typeW)
		}
		p.line(strings.TrimRight(s, " "))
	}
	row("#", "TITLE", "DATE", "TYPE")
	for i, h := range res.Hits {
		typ := label("type", h.Type)
		row(strconv.Itoa(first+i), h.Title, h.Date, typ)
		labels := make([]string, len(h.Themes))
		for j, t := range h.Themes {
			labels[j] = label("theme", t)
		}
		about := strings.Join(labels, ", ")
		if !typeCol {
			about = strings.Join(slices.DeleteFunc([]string{typ, about}, func(s string) bool { return s == "" }), " · ")
		}
		if about != "" {
			p.wrap(indent+about, width, indent)
		}
		if len(h.Snippets) > 0 {
			p.marked(h.Snippets[0], width, indent, st.color)
		}
		u := h.URL
		if h.Page > 0 {
			u += "#page=" + strconv.Itoa(h.Page)
		}
		if uniseg.StringWidth(indent+u) <= width {
			u = indent + u
		}
		if st.color {
			u = ansiDim + u + ansiReset
		}
		p.line(u)
	}
	p.line("")
	if counts := themeCounts(res.Facets["theme"], themes); len(counts) > 0 {
		p.wrapWords("By theme (--theme ID):", counts, width, "  ")
	}
	if res.NextCursor != "" {
		p.line("Next page: --cursor " + res.NextCursor)
	}
	return p.err
}

// themeCounts lists "id count," for the theme facet (the last without the
// comma). With a theme filter, the facet's counts of the other themes are
// what choosing them instead would give (facets are disjunctive), not
// counts of these results: only the chosen themes are listed.
func themeCounts(facet []search.Facet, chosen []string) []string {
	var parts []string
	for _, f := range facet {
		if len(chosen) > 0 && !slices.Contains(chosen, f.Value) {
			continue
		}
		parts = append(parts, f.Value+" "+strconv.Itoa(f.Count)+",")
	}
	if n := len(parts); n > 0 {
		parts[n-1] = strings.TrimSuffix(parts[n-1], ",")
	}
	return parts
}

// printer writes lines and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s+"\n")
	}
}

// wrap writes s in lines of at most width columns, breaking between words
// (its leading spaces kept); the lines after the first start with indent.
// A word wider than a line is cut.
func (p *printer) wrap(s string, width int, indent string) {
	lead := s[:len(s)-len(strings.TrimLeft(s, " "))]
	p.wrapWords(lead, strings.Fields(s), width, indent)
}

// wrapWords writes words separated by spaces after lead, in lines of at
// most width columns; the lines after the first start with indent. A word
// may hold spaces: it is never broken, but cut when wider than a line.
func (p *printer) wrapWords(lead string, words []string, width int, indent string) {
	line, lineW, empty := lead, uniseg.StringWidth(lead), strings.TrimSpace(lead) == ""
	for _, word := range words {
		ww := uniseg.StringWidth(word)
		if !empty && lineW+1+ww > width {
			p.line(line)
			line, lineW, empty = indent, uniseg.StringWidth(indent), true
		}
		sep := " "
		if empty {
			sep = ""
		}
		if room := width - lineW - len(sep); ww > room {
			word = clip(word, room)
			ww = uniseg.StringWidth(word)
		}
		line += sep + word
		lineW += len(sep) + ww
		empty = false
	}
	p.line(line)
}

// clip cuts s to at most n columns, ending it with "…" when cut.
func clip(s string, n int) string {
	if uniseg.StringWidth(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	w, state := 0, -1
	for s != "" {
		var cluster string
		var cw int
		cluster, s, cw, state = uniseg.FirstGraphemeClusterInString(s, state)
		if w+cw > n-1 {
			break
		}
		b.WriteString(cluster)
		w += cw
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

// pad fills s with spaces to n columns.
func pad(s string, n int) string {
	if w := uniseg.StringWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// piece is a run of a word's text, matched (marked) or not.
type piece struct {
	text string
	mark bool
}

// snippetWords splits a snippet (HTML: text escaped, matches in <mark>)
// into words of pieces.
func snippetWords(snippet string) [][]piece {
	var words [][]piece
	var cur []piece
	mark := false
	flush := func() {
		if len(cur) > 0 {
			words = append(words, cur)
			cur = nil
		}
	}
	for snippet != "" {
		i := strings.IndexByte(snippet, '<')
		text := snippet
		if i >= 0 {
			text = snippet[:i]
		}
		text = html.UnescapeString(text)
		for j, f := range strings.FieldsFunc(text, unicode.IsSpace) {
			if j > 0 || strings.IndexFunc(text, unicode.IsSpace) == 0 {
				flush()
			}
			cur = append(cur, piece{f, mark})
		}
		if text != "" && strings.LastIndexFunc(text, unicode.IsSpace) == len(text)-1 {
			flush()
		}
		if i < 0 {
			break
		}
		switch {
		case strings.HasPrefix(snippet[i:], "<mark>"):
			mark, snippet = true, snippet[i+len("<mark>"):]
		case strings.HasPrefix(snippet[i:], "</mark>"):
			mark, snippet = false, snippet[i+len("</mark>"):]
		default: // no other tag is made: keep the text
			cur = append(cur, piece{"<", mark})
			snippet = snippet[i+1:]
		}
	}
	flush()
	return words
}

// marked writes a snippet in lines of at most width columns after indent,
// at most snippetLines of them (the last ends in "…" when it is cut), its
// matched words in bold when color.
func (p *printer) marked(snippet string, width int, indent string, color bool) {
	words := snippetWords(snippet)
	room := width - uniseg.StringWidth(indent)
	if len(words) == 0 || room < 10 {
		return
	}
	render := func(w []piece, max int) (string, int) {
		var b strings.Builder
		n := 0
		for _, pc := range w {
			t := pc.text
			if tw := uniseg.StringWidth(t); n+tw > max {
				t = clip(t, max-n)
			}
			n += uniseg.StringWidth(t)
			if pc.mark && color {
				b.WriteString(ansiBold + t + ansiNormal)
			} else {
				b.WriteString(t)
			}
			if n >= max {
				break
			}
		}
		return b.String(), n
	}
	lines := 0
	line, lineW := indent, 0
	for i, w := range words {
		ww := 0
		for _, pc := range w {
			ww += uniseg.StringWidth(pc.text)
		}
		sep := 0
		if lineW > 0 {
			sep = 1
		}
		capacity := room
		if lines == snippetLines-1 {
			capacity = room - 2 // room for " …"
		}
		if lineW+sep+ww > capacity && lineW > 0 {
			if lines == snippetLines-1 {
				p.line(line + " …")
				return
			}
			p.line(line)
			lines++
			line, lineW, sep = indent, 0, 0
		}
		if sep == 1 {
			line += " "
			lineW++
		}
		text, tw := render(w, room-lineW)
		line += text
		lineW += tw
		if i == len(words)-1 {
			p.line(line)
		}
	}
}
