package indexer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/golang/snappy"
)

// The text store keeps each document's body outside bleve, in a file of
// the generation, in blocks compressed one by one, so that a part of a
// text (a snippet's window) can be read without reading the rest: bleve
// keeps a document's stored fields in one compressed block, and a snippet
// of a 300-page report would unpack all of it.
//
// File layout: a magic string, then one record per document:
//
//	uvarint text length, uvarint block count, block count x uvarint
//	compressed block length, the blocks (snappy, textBlock bytes of text
//	each, the last shorter)
//
// then the index: per document, uvarint id length, id, uvarint record
// offset, uvarint text length; then 8 bytes: the index's offset,
// little-endian.
const (
	textsFile  = "texts"
	textsMagic = "kbsearch-texts-1\n"
	textBlock  = 16 << 10
)

// TextWriter writes a text store. It is not safe for concurrent use.
type TextWriter struct {
	f     *os.File
	w     *bufio.Writer
	off   int64
	index []byte
	buf   []byte
	hdr   []byte
}

// CreateTexts creates a text store at path.
func CreateTexts(path string) (*TextWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("indexer: texts: %w", err)
	}
	tw := &TextWriter{f: f, w: bufio.NewWriterSize(f, 256<<10)}
	if _, err := tw.w.WriteString(textsMagic); err != nil {
		f.Close()
		return nil, fmt.Errorf("indexer: texts: %w", err)
	}
	tw.off = int64(len(textsMagic))
	return tw, nil
}

// Add writes the text of document id.
func (tw *TextWriter) Add(id, text string) error {
	tw.index = binary.AppendUvarint(tw.index, uint64(len(id)))
	tw.index = append(tw.index, id...)
	tw.index = binary.AppendUvarint(tw.index, uint64(tw.off))
	tw.index = binary.AppendUvarint(tw.index, uint64(len(text)))
	n := (len(text) + textBlock - 1) / textBlock
	tw.hdr = binary.AppendUvarint(tw.hdr[:0], uint64(len(text)))
	tw.hdr = binary.AppendUvarint(tw.hdr, uint64(n))
	blocks := tw.buf[:0]
	for i := 0; i < n; i++ {
		chunk := text[i*textBlock : min(len(text), (i+1)*textBlock)]
		start := len(blocks)
		blocks = append(blocks, make([]byte, snappy.MaxEncodedLen(len(chunk)))...)
		enc := snappy.Encode(blocks[start:], []byte(chunk))
		blocks = blocks[:start+len(enc)]
		tw.hdr = binary.AppendUvarint(tw.hdr, uint64(len(enc)))
	}
	tw.buf = blocks
	if _, err := tw.w.Write(tw.hdr); err != nil {
		return fmt.Errorf("indexer: texts: %w", err)
	}
	if _, err := tw.w.Write(blocks); err != nil {
		return fmt.Errorf("indexer: texts: %w", err)
	}
	tw.off += int64(len(tw.hdr) + len(blocks))
	if cap(tw.buf) > 4<<20 {
		tw.buf = nil
	}
	return nil
}

// Close writes the index, syncs and closes the file.
func (tw *TextWriter) Close() error {
	var tail [8]byte
	binary.LittleEndian.PutUint64(tail[:], uint64(tw.off))
	_, err := tw.w.Write(tw.index)
	if err == nil {
		_, err = tw.w.Write(tail[:])
	}
	if err == nil {
		err = tw.w.Flush()
	}
	if err == nil {
		err = tw.f.Sync()
	}
	if cerr := tw.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("indexer: texts: %w", err)
	}
	return nil
}

// Abort closes and removes a store being written.
func (tw *TextWriter) Abort() {
	tw.f.Close()
	os.Remove(tw.f.Name())
}

// texts reads a text store.
type texts struct {
	f    *os.File
	size int64
	// read counts the bytes read from the file: texts are read by range,
	// and this is how a test sees that a range costs what it spans.
	read atomic.Int64
}

// textEntry is where a document's record is, and its text's length.
type textEntry struct {
	off    int64
	length int
}

// openTexts opens the store at path and returns it with its index; nil,
// nil, nil when there is no store.
func openTexts(path string) (*texts, map[string]textEntry, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	t := &texts{f: f}
	fail := func(err error) (*texts, map[string]textEntry, error) {
		f.Close()
		return nil, nil, fmt.Errorf("texts %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	t.size = st.Size()
	if t.size < int64(len(textsMagic))+8 {
		return fail(errors.New("truncated"))
	}
	var tail [8]byte
	if _, err := f.ReadAt(tail[:], t.size-8); err != nil {
		return fail(err)
	}
	at := int64(binary.LittleEndian.Uint64(tail[:]))
	if at < int64(len(textsMagic)) || at > t.size-8 {
		return fail(errors.New("bad index offset"))
	}
	idx := make([]byte, t.size-8-at)
	if _, err := f.ReadAt(idx, at); err != nil {
		return fail(err)
	}
	offsets := map[string]textEntry{}
	for len(idx) > 0 {
		n, k := binary.Uvarint(idx)
		if k <= 0 || uint64(len(idx)-k) < n {
			return fail(errors.New("bad index"))
		}
		id := string(idx[k : k+int(n)])
		idx = idx[k+int(n):]
		off, k := binary.Uvarint(idx)
		if k <= 0 || int64(off) >= at {
			return fail(errors.New("bad index"))
		}
		idx = idx[k:]
		length, k := binary.Uvarint(idx)
		if k <= 0 || length > 1<<40 {
			return fail(errors.New("bad index"))
		}
		idx = idx[k:]
		offsets[id] = textEntry{off: int64(off), length: int(length)}
	}
	return t, offsets, nil
}

func (t *texts) close() error { return t.f.Close() }

// header reads the record at off: the text's length and its blocks'
// offsets in the file (len(blocks) = block count + 1).
func (t *texts) header(off int64) (int, []int64, error) {
	// A header holds at most 2 + 512 uvarints for an 8 MiB text: read a
	// little, then the rest if the text has many blocks.
	buf := make([]byte, 64)
	n, err := t.f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, nil, err
	}
	t.read.Add(int64(n))
	buf = buf[:n]
	length, k1 := binary.Uvarint(buf)
	count, k2 := binary.Uvarint(buf[max(k1, 0):])
	if k1 <= 0 || k2 <= 0 || count > uint64(length)/textBlock+1 {
		return 0, nil, errors.New("indexer: texts: bad record")
	}
	need := k1 + k2 + int(count)*binary.MaxVarintLen64
	if need > len(buf) {
		buf = make([]byte, need)
		n, err := t.f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, nil, err
		}
		t.read.Add(int64(n))
		buf = buf[:n]
	}
	p := k1 + k2
	sizes := make([]uint64, count)
	for i := range sizes {
		v, k := binary.Uvarint(buf[p:])
		if k <= 0 {
			return 0, nil, errors.New("indexer: texts: bad record")
		}
		sizes[i], p = v, p+k
	}
	blocks := make([]int64, count+1)
	blocks[0] = off + int64(p)
	for i, s := range sizes {
		blocks[i+1] = blocks[i] + int64(s)
	}
	if blocks[count] > t.size {
		return 0, nil, errors.New("indexer: texts: bad record")
	}
	return int(length), blocks, nil
}

// textRange returns bytes [from, to) of the text of the record at off (cut
// to the text's length) and the text's length, reading only the blocks
// the range spans.
func (t *texts) textRange(off int64, from, to int) (string, int, error) {
	length, blocks, err := t.header(off)
	if err != nil {
		return "", 0, err
	}
	from, to = max(0, min(from, length)), max(0, min(to, length))
	if from >= to {
		return "", length, nil
	}
	first, last := from/textBlock, (to-1)/textBlock
	buf, _ := textBufs.Get().(*textBuf)
	if buf == nil {
		buf = &textBuf{}
	}
	defer buf.release()
	comp := grow(&buf.comp, int(blocks[last+1]-blocks[first]))
	if _, err := t.f.ReadAt(comp, blocks[first]); err != nil {
		return "", 0, err
	}
	t.read.Add(int64(len(comp)))
	out := grow(&buf.out, (last-first+1)*textBlock)
	n := 0
	for b := first; b <= last; b++ {
		c := comp[blocks[b]-blocks[first] : blocks[b+1]-blocks[first]]
		size, err := snappy.DecodedLen(c)
		if err != nil {
			return "", 0, fmt.Errorf("indexer: texts: %w", err)
		}
		if size > textBlock {
			return "", 0, errors.New("indexer: texts: bad block")
		}
		dec, err := snappy.Decode(out[n:n+size], c)
		if err != nil {
			return "", 0, fmt.Errorf("indexer: texts: %w", err)
		}
		n += len(dec)
	}
	base := first * textBlock
	if to-base > n {
		return "", 0, errors.New("indexer: texts: bad record")
	}
	return string(out[from-base : to-base]), length, nil
}

// textBuf holds what textRange reads and decodes, kept for the next read
// (textBufs): it returns a copy of the range asked for, a snippet's few
// hundred bytes of 16-32 KiB of blocks, which were 40% of the bytes a
// search allocated at 100,000 documents.
type textBuf struct{ comp, out []byte }

var textBufs sync.Pool

// maxPooledText bounds the buffers kept: a read of a long range (a
// document's whole text) leaves its own to the collector.
const maxPooledText = 256 << 10

func (b *textBuf) release() {
	if cap(b.comp)+cap(b.out) <= maxPooledText {
		textBufs.Put(b)
	}
}

// grow returns (*b)[:n], reallocated if shorter.
func grow(b *[]byte, n int) []byte {
	if cap(*b) < n {
		*b = make([]byte, n)
	}
	return (*b)[:n]
}
