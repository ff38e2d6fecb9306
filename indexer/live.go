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

// Live serves the current generation of an index directory through a bleve
// alias and swaps in each new generation as builds publish them, so a server
// keeps answering while another process re-indexes.
type Live struct {
	dir   string
	log   *slog.Logger
	alias bleve.IndexAlias

	mu   sync.Mutex
	name string
	idx  bleve.Index
}

// NewLive returns a Live over dir with the current generation open, if any.
// An index directory with no generation yet is not an error: searches answer
// unavailable until a build publishes one.
func NewLive(dir string, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l := &Live{dir: dir, log: log, alias: bleve.NewIndexAlias()}
	if _, err := l.Refresh(); err != nil && !errors.Is(err, ErrNoIndex) {
		return nil, err
	}
	return l, nil
}

// Index returns the alias that always points at the current generation.
func (l *Live) Index() bleve.Index { return l.alias }

// Generation returns the name of the generation being served, "" if none.
func (l *Live) Generation() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.name
}

// Refresh swaps in the current generation if it changed and reports whether
// it did. The old generation is closed once no search uses it (Swap waits for
// searches in flight).
func (l *Live) Refresh() (bool, error) {
	name, _, err := Current(l.dir)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if name == l.name {
		return false, nil
	}
	idx, err := OpenGeneration(l.dir, name)
	if err != nil {
		return false, err
	}
	var out []bleve.Index
	if l.idx != nil {
		out = []bleve.Index{l.idx}
	}
	l.alias.Swap([]bleve.Index{idx}, out)
	if l.idx != nil {
		if err := l.idx.Close(); err != nil {
			l.log.Warn("closing old index generation", "generation", l.name, "err", err)
		}
	}
	l.log.Info("serving index generation", "generation", name, "previous", l.name)
	l.idx, l.name = idx, name
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

// Close closes the generation being served.
func (l *Live) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.idx == nil {
		return nil
	}
	l.alias.Remove(l.idx)
	err := l.idx.Close()
	l.idx, l.name = nil, ""
	return err
}
