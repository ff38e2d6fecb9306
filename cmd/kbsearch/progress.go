package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how a long command advances: a live bar on stderr when
// stderr is a terminal, else an info log line every interval (and one at
// the end). It is safe for concurrent use. Any command can use it:
//
//	p := newProgress(g, "index", total, 10*time.Second) // total -1: unknown
//	defer p.finish()
//	p.update(done, total, failed, 0)                    // after each item
type progress struct {
	mu      sync.Mutex
	label   string
	bar     *progressbar.ProgressBar
	log     *slog.Logger
	every   time.Duration
	start   time.Time
	last    time.Time
	done    int
	total   int
	failed  int
	request int
}

func newProgress(g *globals, label string, total int, every time.Duration) *progress {
	p := &progress{label: label, log: g.log, every: every, start: time.Now(), total: total}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if p.every <= 0 {
		p.every = 10 * time.Second
	}
	p.last = p.start
	if f, ok := g.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// update reports done items of total (-1: unknown), failed among them, and
// requests made (0 if not applicable).
func (p *progress) update(done, total, failed, requests int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total, p.failed, p.request = done, total, failed, requests
	rate := float64(done) / max(time.Since(p.start).Seconds(), 1e-3)
	if p.bar != nil {
		// The bar must not reach its end before finish: it would stop
		// drawing. A crawl's total grows as links are found.
		if m := max(total, done+1); total >= 0 && m != p.bar.GetMax() {
			p.bar.ChangeMax(m)
		}
		if total >= 0 {
			p.bar.Describe(fmt.Sprintf("%s: %d queued, %d failed, %.1f/s", p.label, max(total-done, 0), failed, rate))
		} else {
			p.bar.Describe(fmt.Sprintf("%s: %d failed, %.1f/s", p.label, failed, rate))
		}
		p.bar.Set(done)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		p.logLine("progress", rate)
	}
}

func (p *progress) logLine(msg string, rate float64) {
	attrs := []any{"done", p.done, "failed", p.failed, "per_second", fmt.Sprintf("%.1f", rate)}
	if p.total >= 0 {
		attrs = append(attrs, "queued", max(p.total-p.done, 0))
	}
	if p.request > 0 {
		attrs = append(attrs, "requests", p.request)
	}
	p.log.Info(p.label+" "+msg, attrs...)
}

// finish clears the bar (or logs a last line).
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
		return
	}
	if p.done > 0 {
		p.logLine("done", float64(p.done)/max(time.Since(p.start).Seconds(), 1e-3))
	}
}
