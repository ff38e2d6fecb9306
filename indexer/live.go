package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// OpenGeneration opens one generation of dir read-only. Read-only opens of
// one generation can coexist across processes.
func OpenGeneration(dir, name string) (bleve.Index, error) {
	idx, err := bleve.OpenUsing(filepath.Join(dir, name, "index"), map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", name, err)
	}
	return idx, nil
}

// OpenCurrent opens the current generation of dir read-only. It returns
// ErrNoIndex if none has been built.
func OpenCurrent(dir string) (bleve.Index, string, error) {
	name, _, err := Current(dir)
	if err != nil {
		return nil, "", err
	}
	idx, err := OpenGeneration(dir, name)
	if err != nil {
		return nil, "", err
	}
	return idx, name, nil
}

// OpenReader opens generation name of dir read-only as a Reader that owns
// its index: closing the Reader closes it.
func OpenReader(dir, name string) (*Reader, error) {
	return OpenDir(filepath.Join(dir, name))
}

// OpenCurrentReader opens the current generation of dir as a Reader. It
// returns ErrNoIndex if none has been built.
func OpenCurrentReader(dir string) (*Reader, string, error) {
	name, _, err := Current(dir)
	if err != nil {
		return nil, "", err
	}
	r, err := OpenReader(dir, name)
	return r, name, err
}

// Live serves the current generation of an index directory and swaps in
// each new generation as builds publish them, so a server keeps answering
// while another process re-indexes. Searches in flight keep the Reader
// they acquired; the old generation closes when the last one releases it.
//
// Every generation is checked before it is served (OpenChecked). One that
// fails is never served: at start Live falls back to the newest older
// generation that passes; while serving, a new generation that fails does
// not replace the one served; and when a read of the served generation
// fails (Reader.Err), the next Refresh falls back to the newest other
// generation that passes. Each failure is logged once, at WARN.
type Live struct {
	dir string
	log *slog.Logger

	// refreshing serializes Refresh: Watch and a server's own refresh
	// (after it builds) may both find a new generation, which is opened
	// and checked once.
	refreshing sync.Mutex

	mu   sync.Mutex
	name string
	r    *Reader
	bad  map[string]error // generations that failed their check: never retried (a generation does not change)
}

// NewLive returns a Live over dir with the newest sound generation open,
// if any. An index directory with no generation yet, or none that passes
// its check, is not an error: Acquire answers ErrNoIndex (Ready says why)
// until a build publishes one.
func NewLive(dir string, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l := &Live{dir: dir, log: log, bad: map[string]error{}}
	if _, err := l.Refresh(context.Background()); err != nil && !errors.Is(err, ErrNoIndex) && !errors.Is(err, ErrCorrupt) {
		return nil, err
	}
	return l, nil
}

// Acquire returns the Reader of the generation being served; Release it
// after use. It returns ErrNoIndex while there is none.
func (l *Live) Acquire() (*Reader, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r == nil {
		return nil, ErrNoIndex
	}
	return l.r.Acquire()
}

// Generation returns the name of the generation being served, "" if none.
func (l *Live) Generation() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.name
}

// Ready returns nil when a generation is served and no read of it has
// failed; otherwise why not (ErrNoIndex, or an error wrapping ErrCorrupt).
func (l *Live) Ready() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r == nil {
		if len(l.bad) > 0 {
			return fmt.Errorf("%w: no generation passes its check", ErrCorrupt)
		}
		return ErrNoIndex
	}
	return l.r.Err()
}

// Refresh serves the generation CURRENT names if it changed and passes its
// check, or, when the generation served was found damaged or none is
// served, the newest generation that passes; it reports whether it
// swapped. The old generation is closed once no search uses it. It
// returns an error wrapping ErrCorrupt when no generation could be served
// for damage. Concurrent calls run one after the other.
func (l *Live) Refresh(ctx context.Context) (bool, error) {
	l.refreshing.Lock()
	defer l.refreshing.Unlock()
	cur, _, err := Current(l.dir)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	served, r := l.name, l.r
	l.mu.Unlock()
	damaged := r != nil && r.Err() != nil
	if damaged {
		l.markBad(served, r.Err())
	}
	if r != nil && !damaged && (cur == served || l.isBad(cur)) {
		return false, nil
	}
	cands, err := l.candidates(cur)
	if err != nil {
		return false, err
	}
	start := time.Now()
	for _, name := range cands {
		if name == served && !damaged {
			return false, nil // the newest sound one is the one served
		}
		nr, err := OpenChecked(ctx, l.dir, name)
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			l.markBad(name, err)
			continue
		}
		l.swap(nr, name, cur, start)
		return true, nil
	}
	if r != nil && !damaged {
		return false, nil
	}
	return false, fmt.Errorf("indexer: %s: %w: no generation passes its check", l.dir, ErrCorrupt)
}

// candidates lists the generations Refresh may serve, best first: the one
// CURRENT names, then the older ones, newest first, without those known bad.
func (l *Live) candidates(cur string) ([]string, error) {
	gens, err := generations(l.dir)
	if err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	curSeq, _ := genSeq(cur)
	out := []string{cur}
	for i := len(gens) - 1; i >= 0; i-- {
		if seq, _ := genSeq(gens[i]); seq < curSeq {
			out = append(out, gens[i])
		}
	}
	return slices.DeleteFunc(out, l.isBad), nil
}

func (l *Live) isBad(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.bad[name]
	return ok
}

// markBad records that generation name failed, logging it the first time.
func (l *Live) markBad(name string, err error) {
	l.mu.Lock()
	_, seen := l.bad[name]
	l.bad[name] = err
	served := l.name
	l.mu.Unlock()
	if !seen {
		l.log.Warn("index generation failed its check: not serving it", "generation", name,
			"serving", served, "err", err)
	}
}

// swap serves r, generation name, in place of the one served.
func (l *Live) swap(r *Reader, name, cur string, start time.Time) {
	l.mu.Lock()
	old, prev := l.r, l.name
	l.r, l.name = r, name
	l.mu.Unlock()
	if old != nil {
		if err := old.Close(); err != nil {
			l.log.Warn("closing old index generation", "generation", prev, "err", err)
		}
	}
	if name != cur {
		l.log.Warn("serving an older index generation: the current one failed its check",
			"generation", name, "current", cur, "previous", prev, "documents", r.Count())
		return
	}
	l.log.Info("serving index generation", "generation", name, "previous", prev,
		"documents", r.Count(), "open_ms", time.Since(start).Milliseconds())
}

// Watch calls Refresh every interval until ctx is done.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.Refresh(ctx); err != nil && !errors.Is(err, ErrNoIndex) && !errors.Is(err, ErrCorrupt) {
				l.log.Warn("index refresh failed", "err", err)
			}
		}
	}
}

// Close closes the generation being served once searches in flight end.
func (l *Live) Close() error {
	l.mu.Lock()
	r := l.r
	l.r, l.name = nil, ""
	l.mu.Unlock()
	if r == nil {
		return nil
	}
	return r.Close()
}
