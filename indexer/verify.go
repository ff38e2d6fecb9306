package indexer

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/kbsearch/kbsearch/crawler/fault"
)

// ErrCorrupt is returned when a generation's files are damaged: a segment
// whose checksum does not match, an index that does not open or holds
// another number of documents than its manifest says, or a read of a
// segment that fails or panics while serving.
var ErrCorrupt = errors.New("index generation is corrupted")

// indexPackages are the import paths whose panics on damaged bytes are
// recovered as ErrCorrupt: bleve and its segment formats, roaring, and
// the bbolt file scorch keeps its snapshots in.
var indexPackages = []string{"github.com/blevesearch/", "github.com/RoaringBitmap/", "go.etcd.io/bbolt", "github.com/golang/snappy"}

// OpenChecked opens generation name of dir as a Reader after checking it:
// every segment's checksum (zap keeps a CRC-32 of the whole file in its
// last four bytes, which bleve does not verify on open), the open itself,
// the number of documents against the manifest, and a probe that reads
// postings and stored fields the way a search does (Probe). Any failure
// wraps ErrCorrupt (an I/O error aside) and nothing stays open.
func OpenChecked(ctx context.Context, dir, name string) (*Reader, error) {
	gen := filepath.Join(dir, name)
	m, err := readManifest(gen)
	if err != nil {
		return nil, fmt.Errorf("indexer: %s: %w: %w", name, ErrCorrupt, err)
	}
	if err := checkSegments(ctx, filepath.Join(gen, "index")); err != nil {
		return nil, fmt.Errorf("indexer: %s: %w", name, err)
	}
	var r *Reader
	err = fault.Guard(indexPackages, func() error {
		var err error
		r, err = OpenReader(dir, name)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return nil, fmt.Errorf("indexer: %s: %w", name, err)
	}
	if n := r.Count(); n != m.Documents {
		r.Close()
		return nil, fmt.Errorf("indexer: %s: %w: %d documents, the manifest says %d", name, ErrCorrupt, n, m.Documents)
	}
	if err := r.Probe(ctx); err != nil {
		r.Close()
		return nil, fmt.Errorf("indexer: %s: %w", name, err)
	}
	return r, nil
}

// checkSegments compares the checksum of every zap segment under
// indexDir with the CRC-32 (IEEE) in its last four bytes.
func checkSegments(ctx context.Context, indexDir string) error {
	segs, err := filepath.Glob(filepath.Join(indexDir, "store", "*.zap"))
	if err != nil {
		return err
	}
	for _, path := range segs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := checkSegment(ctx, path); err != nil {
			return err
		}
	}
	return nil
}

func checkSegment(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	name := filepath.Base(path)
	if fi.Size() < 4 {
		return fmt.Errorf("%w: segment %s: %d bytes", ErrCorrupt, name, fi.Size())
	}
	h := crc32.NewIEEE()
	body := io.LimitReader(bufio.NewReaderSize(f, 1<<20), fi.Size()-4)
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := body.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("segment %s: %w", name, err)
		}
	}
	var tail [4]byte
	if _, err := f.ReadAt(tail[:], fi.Size()-4); err != nil {
		return fmt.Errorf("segment %s: %w", name, err)
	}
	if want := binary.BigEndian.Uint32(tail[:]); h.Sum32() != want {
		return fmt.Errorf("%w: segment %s: checksum %08x, the file says %08x", ErrCorrupt, name, h.Sum32(), want)
	}
	return nil
}

// Probe reads r the way a search does, cheaply: every text field's term
// dictionary in every segment, the postings (with positions) of a word of
// the completion dictionary, and the stored fields of the first live
// document. It fails with an error wrapping ErrCorrupt when r is damaged,
// or was found damaged by an earlier read (Err).
func (r *Reader) Probe(ctx context.Context) (err error) {
	defer r.recoverCorrupt(&err)
	if err := r.Err(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var word string
	_ = r.Words("", func(w string, _ int) bool { word = w; return false })
	for _, s := range r.segs {
		for _, l := range r.TextLangs() {
			for _, p := range []Part{Title, Body} {
				if _, err := s.seg.Dictionary(p.field(l)); err != nil {
					return err
				}
			}
		}
	}
	if word != "" {
		if _, err := r.WordBitmap(word); err != nil {
			return err
		}
		for _, l := range r.TextLangs() {
			stop := func() bool { return ctx.Err() != nil }
			err := r.EachPosting(Body, l, word, true, stop, func(*Posting) bool { return true })
			if err != nil {
				return err
			}
		}
	}
	if r.live.IsEmpty() {
		return nil
	}
	_, err = r.Hit(r.live.Minimum())
	return err
}

// Err returns the error that showed r damaged (wrapping ErrCorrupt), nil
// while no read has failed.
func (r *Reader) Err() error {
	if p := r.broken.Load(); p != nil {
		return *p
	}
	return nil
}

// recoverCorrupt, deferred by the methods that read segments, turns a
// panic raised by the index's libraries, or an error of the read, into an
// error wrapping ErrCorrupt, and marks r damaged (Err): a Live then serves
// another generation. A context's error is not damage.
func (r *Reader) recoverCorrupt(errp *error) {
	if p := recover(); p != nil {
		*errp = fault.Recovered(p, indexPackages)
	}
	err := *errp
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	if !errors.Is(err, ErrCorrupt) {
		err = fmt.Errorf("%w: %w", ErrCorrupt, err)
		*errp = err
	}
	r.broken.CompareAndSwap(nil, &err)
}
