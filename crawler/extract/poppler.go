package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// errNoPoppler reports that pdftotext is not installed: the caller falls
// back to the built-in parser.
var errNoPoppler = errors.New("pdftotext not found")

// popplerPDF extracts a PDF with poppler's pdftotext (text, one page per
// form feed) and pdfinfo (title and creation date); data starts at
// "%PDF-". Both read the document from stdin and are killed at
// opts.PDFTimeout. In a worker they inherit its memory limit.
func popplerPDF(ctx context.Context, data []byte, opts Options) (*Page, error) {
	prog := opts.Pdftotext
	if prog == "" {
		prog = "pdftotext"
	}
	path, err := exec.LookPath(prog)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoPoppler, err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.PDFTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-enc", "UTF-8", "-l", strconv.Itoa(opts.MaxPages), "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	stdout := &cappedBuffer{max: 4*opts.MaxText + 64<<10}
	stderr := &cappedBuffer{max: 16 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, &Error{Reason: ReasonTimeout, Err: fmt.Errorf("pdftotext: %w", ctx.Err())}
	case err != nil:
		msg := firstLines(stderr.buf.String(), 3)
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			low := strings.ToLower(msg)
			switch {
			case strings.Contains(low, "password") || ee.ExitCode() == 3:
				return nil, &Error{Reason: ReasonEncrypted, Err: fmt.Errorf("pdftotext: %s", msg)}
			case strings.Contains(low, "out of memory") || strings.Contains(low, "bad_alloc"):
				return nil, &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("pdftotext: %s", msg)}
			}
		}
		return nil, &Error{Reason: ReasonMalformed, Err: fmt.Errorf("pdftotext: %w: %s", err, msg)}
	}

	out := strings.ToValidUTF8(stdout.buf.String(), "")
	pages := strings.Split(out, "\f")
	if len(pages) > 1 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1] // every page ends with a form feed
	}
	p := &Page{PageTexts: make([]string, 0, len(pages))}
	var parts []string
	runes := 0
	for _, pg := range pages {
		text := tidyPDFText(cleanText(pg))
		full := false
		if c := utf8.RuneCountInString(text); runes+c >= opts.MaxText {
			text = truncateText(text, max(opts.MaxText-runes, 0))
			full = true
		} else {
			runes += c + 2
		}
		p.PageTexts = append(p.PageTexts, text)
		parts = appendNonEmpty(parts, text)
		if full || len(p.PageTexts) == opts.MaxPages {
			break
		}
	}
	p.PageCount = len(p.PageTexts)
	p.Text = truncateText(strings.Join(parts, "\n\n"), opts.MaxText)
	if p.Text == "" {
		return nil, &Error{Reason: ReasonNoText, Err: fmt.Errorf("none of %d pages has a text layer", p.PageCount)}
	}
	popplerInfo(ctx, filepath.Join(filepath.Dir(path), "pdfinfo"), data, p)
	if p.Title == "" && len(p.PageTexts) > 0 {
		p.Title = titleFromText(p.PageTexts[0])
	}
	return p, nil
}

// popplerInfo fills the title and date of p from pdfinfo, if installed
// beside pdftotext; best effort.
func popplerInfo(ctx context.Context, pdfinfo string, data []byte, p *Page) {
	if _, err := exec.LookPath(pdfinfo); err != nil {
		return
	}
	cmd := exec.CommandContext(ctx, pdfinfo, "-enc", "UTF-8", "-isodates", "-")
	cmd.Stdin = bytes.NewReader(data)
	stdout := &cappedBuffer{max: 64 << 10}
	cmd.Stdout = stdout
	cmd.WaitDelay = time.Second
	if cmd.Run() != nil {
		return
	}
	for _, ln := range strings.Split(stdout.buf.String(), "\n") {
		k, v, ok := strings.Cut(ln, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Title":
			p.Title = pdfTitle(v)
		case "CreationDate":
			p.Published, _ = parseDate(v)
		}
	}
}
