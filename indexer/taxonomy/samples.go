package taxonomy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrBadSamples is wrapped by every error ReadSamples returns for a
// malformed labelled set.
var ErrBadSamples = errors.New("invalid labelled set")

// Sample is one labelled passage: a text and the themes a careful reader
// gives it.
type Sample struct {
	ID      string
	Title   string
	URL     string // optional; matched against URL rules like a document's URL
	Meeting string // optional; the title of the meeting page the passage belongs to
	Body    string
	Themes  []string // theme ids; empty for a passage about none of them
	Style   string   // minutes, key messages, report, web page, agenda...
	Note    string   // why a hard negative is one
}

// ReadSamples reads a labelled set. Lines starting with '#' before the first
// record are comments. Each record starts with a line "=== id", followed by
// "key: value" header lines (title, themes, url, meeting, style, note), a
// blank line and the body, which runs to the next "===" line. themes is a
// comma-separated list of theme ids and may be empty. Ids must be unique.
func ReadSamples(r io.Reader) ([]Sample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	var (
		out    []Sample
		cur    *Sample
		inBody bool
		body   bytes.Buffer
		lineNo int
		seen   = map[string]int{}
	)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: line %d: %s", ErrBadSamples, lineNo, fmt.Sprintf(format, args...))
	}
	finish := func() error {
		if cur == nil {
			return nil
		}
		cur.Body = strings.TrimSpace(body.String())
		if cur.Body == "" && cur.Title == "" {
			return fmt.Errorf("%w: sample %q has neither title nor body", ErrBadSamples, cur.ID)
		}
		out = append(out, *cur)
		body.Reset()
		return nil
	}
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "=== "); ok {
			if err := finish(); err != nil {
				return nil, err
			}
			id = strings.TrimSpace(id)
			if id == "" {
				return nil, fail("empty sample id")
			}
			if prev, dup := seen[id]; dup {
				return nil, fail("sample id %q repeated (first on line %d)", id, prev)
			}
			seen[id] = lineNo
			cur, inBody = &Sample{ID: id}, false
			continue
		}
		switch {
		case cur == nil:
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
				return nil, fail("text before the first \"=== id\" line")
			}
		case inBody:
			body.WriteString(line)
			body.WriteByte('\n')
		case strings.TrimSpace(line) == "":
			inBody = true
		default:
			key, value, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fail("sample %q: header line %q is not \"key: value\"", cur.ID, line)
			}
			value = strings.TrimSpace(value)
			switch strings.TrimSpace(key) {
			case "title":
				cur.Title = value
			case "url":
				cur.URL = value
			case "meeting":
				cur.Meeting = value
			case "style":
				cur.Style = value
			case "note":
				cur.Note = value
			case "themes":
				for _, id := range strings.Split(value, ",") {
					if id = strings.TrimSpace(id); id != "" {
						cur.Themes = append(cur.Themes, id)
					}
				}
			default:
				return nil, fail("sample %q: unknown header key %q", cur.ID, key)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("taxonomy: read samples: %w", err)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no samples", ErrBadSamples)
	}
	return out, nil
}

// LoadSamples reads the labelled set in the file at path.
func LoadSamples(path string) ([]Sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: load samples: %w", err)
	}
	defer f.Close()
	s, err := ReadSamples(f)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: load samples %s: %w", path, err)
	}
	return s, nil
}
