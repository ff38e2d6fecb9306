package indexer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Writer writes Documents into a new index directory as a Reader reads it:
// the bleve index (DIR/index), the text store (DIR/texts) and the
// collection statistics. Build uses it for each generation; OpenDir opens
// the result.
type Writer struct {
	dir   string
	im    mapping.IndexMapping
	idx   bleve.Index
	texts *TextWriter
	batch *bleve.Batch
	size  int
	stats Stats
	n     int
}

// NewWriter creates dir (which must not hold an index) and an empty index
// in it; batchSize is the documents per bleve batch (default 500).
func NewWriter(dir string, batchSize int) (*Writer, error) {
	if batchSize <= 0 {
		batchSize = 500
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	im, err := NewMapping()
	if err != nil {
		return nil, err
	}
	idx, err := bleve.New(filepath.Join(dir, "index"), im)
	if err != nil {
		return nil, fmt.Errorf("indexer: create index: %w", err)
	}
	tw, err := CreateTexts(filepath.Join(dir, textsFile))
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &Writer{dir: dir, im: im, idx: idx, texts: tw, batch: idx.NewBatch(), size: batchSize}, nil
}

// Mapping returns the index mapping the Writer indexes with.
func (w *Writer) Mapping() mapping.IndexMapping { return w.im }

// Add indexes d (filling its token counts); flushed says whether a batch
// was written. It checks ctx before each batch (bleve's Batch takes none).
func (w *Writer) Add(ctx context.Context, d *Document) (flushed bool, err error) {
	if err := w.batch.Index(d.ID, IndexFields(w.im, d)); err != nil {
		return false, fmt.Errorf("indexer: add %s: %w", d.URL, err)
	}
	if err := w.texts.Add(d.ID, d.Body); err != nil {
		return false, err
	}
	w.stats.Add(d)
	w.n++
	if w.batch.Size() < w.size {
		return false, nil
	}
	return true, w.flush(ctx)
}

// Documents returns the number of documents added.
func (w *Writer) Documents() int { return w.n }

func (w *Writer) flush(ctx context.Context) error {
	if w.batch.Size() == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.idx.Batch(w.batch); err != nil {
		return fmt.Errorf("indexer: batch: %w", err)
	}
	w.batch.Reset()
	return nil
}

// Close writes what is left, the statistics and the text store's index,
// and closes the files. The directory is complete only when Close
// succeeds.
func (w *Writer) Close(ctx context.Context) error {
	err := w.flush(ctx)
	if err == nil {
		err = WriteStats(w.idx, w.stats)
	}
	if cerr := w.idx.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("indexer: close index: %w", cerr)
	}
	if err != nil {
		w.texts.Abort()
		return err
	}
	return w.texts.Close()
}

// Abort closes a Writer whose directory will be thrown away.
func (w *Writer) Abort() {
	w.idx.Close()
	w.texts.Abort()
}

// OpenDir opens an index directory that a Writer made (a generation's
// directory) read-only, as a Reader that owns it.
func OpenDir(dir string) (*Reader, error) {
	idx, err := bleve.OpenUsing(filepath.Join(dir, "index"), map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", dir, err)
	}
	r, err := newReader(idx, filepath.Join(dir, textsFile), true)
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("indexer: open %s: %w", dir, err)
	}
	return r, nil
}
