package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
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
type Live struct {
	dir string
	log *slog.Logger

	mu   sync.Mutex
	name string
	r    *Reader
}

// NewLive returns a Live over dir with the current generation open, if any.
// An index directory with no generation yet is not an error: Acquire
// answers ErrNoIndex until a build publishes one.
func NewLive(dir string, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l := &Live{dir: dir, log: log}
	if _, err := l.Refresh(); err != nil && !errors.Is(err, ErrNoIndex) {
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

// Refresh swaps in the current generation if it changed and reports whether
// it did. The old generation is closed once no search uses it.
func (l *Live) Refresh() (bool, error) {
	name, _, err := Current(l.dir)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	same := name == l.name
	l.mu.Unlock()
	if same {
		return false, nil
	}
	start := time.Now()
	r, err := OpenReader(l.dir, name)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	old, prev := l.r, l.name
	l.r, l.name = r, name
	l.mu.Unlock()
	if old != nil {
		if err := old.Close(); err != nil {
			l.log.Warn("closing old index generation", "generation", prev, "err", err)
		}
	}
	l.log.Info("serving index generation", "generation", name, "previous", prev,
		"documents", r.Count(), "open_ms", time.Since(start).Milliseconds())
	return true, nil
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
			if _, err := l.Refresh(); err != nil && !errors.Is(err, ErrNoIndex) {
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
