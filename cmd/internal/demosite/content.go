package demosite

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Document types, as the content headers and the indexer spell them.
const (
	typeMinutes     = "minutes"
	typeKeyMessages = "key-messages"
	typeAgenda      = "agenda"
	typeReport      = "report"
	typePage        = "page"
)

var docTypes = []string{typeMinutes, typeKeyMessages, typeAgenda, typeReport, typePage}

// themeIDs are the taxonomy ids a content header may name.
var themeIDs = []string{
	"oer", "coding", "learning-analytics", "byod", "teacher-training", "digital-assessment",
	"skills-gap", "leadership", "quality-assurance", "digital-content", "emerging-tech", "policy",
	"social-inclusion", "mobile-learning", "self-assessment",
}

// pageBreak on a line of its own starts a new PDF page.
const pageBreak = "---page---"

// Block kinds of a parsed body.
const (
	blockHeading   = "h"
	blockParagraph = "p"
	blockList      = "ul"
	blockPage      = "page"
)

// block is one unit of a body: a heading, a paragraph, a bullet list or
// a page break.
type block struct {
	Kind  string
	Text  string   // heading or paragraph text
	Items []string // list items
}

// source is one parsed content file.
type source struct {
	File    string // file name under content/
	Title   string
	Meeting string // meeting slug; empty for about pages and the home page
	Type    string
	Format  string    // "html" or "pdf"
	Date    time.Time // zero if the header has none
	Themes  []string
	Blocks  []block
	// Lang is the document's language ("fr", "de") from a "lang:" header;
	// "" for English. A document in another language is a version of its
	// meeting's document of the same type: its file and URL end in "_xx".
	Lang string
}

var errNoTitle = errors.New("no title")

// parseSource parses one content file: "key: value" header lines up to
// the first blank line, then the body.
func parseSource(name string, data []byte) (*source, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("demosite: %s: %s", name, fmt.Sprintf(format, args...))
	}
	if !utf8.Valid(data) {
		return nil, fail("not valid UTF-8")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	head, body, _ := strings.Cut(text, "\n\n")
	src := &source{File: name}
	seen := map[string]bool{}
	for i, line := range strings.Split(head, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fail("header line %d: want \"key: value\", got %q", i+1, line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if seen[key] {
			return nil, fail("header key %q given twice", key)
		}
		seen[key] = true
		switch key {
		case "title":
			src.Title = value
		case "meeting":
			src.Meeting = value
		case "type":
			if !slices.Contains(docTypes, value) {
				return nil, fail("unknown type %q (want one of %s)", value, strings.Join(docTypes, ", "))
			}
			src.Type = value
		case "format":
			if value != "html" && value != "pdf" {
				return nil, fail("unknown format %q (want html or pdf)", value)
			}
			src.Format = value
		case "date":
			d, err := time.Parse(time.DateOnly, value)
			if err != nil {
				return nil, fail("date %q is not YYYY-MM-DD", value)
			}
			src.Date = d
		case "lang":
			if !isLangCode(value) {
				return nil, fail("lang %q is not a two-letter lower-case code", value)
			}
			if value != "en" {
				src.Lang = value
			}
		case "themes":
			for _, t := range strings.Split(value, ",") {
				t = strings.TrimSpace(t)
				if t == "" {
					continue
				}
				if !slices.Contains(themeIDs, t) {
					return nil, fail("unknown theme %q", t)
				}
				src.Themes = append(src.Themes, t)
			}
		default:
			return nil, fail("unknown header key %q", key)
		}
	}
	if src.Title == "" {
		return nil, fail("%v", errNoTitle)
	}
	if src.Format == "" {
		src.Format = "html"
	}
	src.Blocks = parseBody(body)
	if len(src.Blocks) == 0 {
		return nil, fail("empty body")
	}
	return src, nil
}

func isLangCode(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// parseBody splits a body into blocks. Paragraph lines are joined with a
// space; consecutive "- " lines make one list.
func parseBody(body string) []block {
	var blocks []block
	var para []string
	flush := func() {
		if len(para) > 0 {
			blocks = append(blocks, block{Kind: blockParagraph, Text: strings.Join(para, " ")})
			para = nil
		}
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			flush()
		case line == pageBreak:
			flush()
			blocks = append(blocks, block{Kind: blockPage})
		case strings.HasPrefix(line, "## "):
			flush()
			blocks = append(blocks, block{Kind: blockHeading, Text: strings.TrimSpace(line[3:])})
		case strings.HasPrefix(line, "- "):
			flush()
			item := strings.TrimSpace(line[2:])
			if n := len(blocks); n > 0 && blocks[n-1].Kind == blockList {
				blocks[n-1].Items = append(blocks[n-1].Items, item)
			} else {
				blocks = append(blocks, block{Kind: blockList, Items: []string{item}})
			}
		default:
			para = append(para, line)
		}
	}
	flush()
	return blocks
}

// plainText is the body as text, blocks separated by blank lines, for
// descriptions and word counts.
func plainText(blocks []block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl.Kind {
		case blockHeading, blockParagraph:
			b.WriteString(bl.Text)
		case blockList:
			b.WriteString(strings.Join(bl.Items, "\n"))
		default:
			continue
		}
		b.WriteString("\n\n")
	}
	return strings.TrimSpace(b.String())
}

// description is the first paragraph of blocks, cut to about max bytes
// at a word boundary.
func description(blocks []block, max int) string {
	for _, bl := range blocks {
		if bl.Kind != blockParagraph {
			continue
		}
		return clip(bl.Text, max)
	}
	return ""
}

func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndex(s[:max], " ")
	if cut <= 0 {
		cut = max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "..."
}
