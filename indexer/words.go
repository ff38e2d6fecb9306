package indexer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
)

// The completion dictionary (the words of titles and bodies as written,
// with the documents holding each) is a file of the generation beside the
// index, not a bleve field: as a field, bleve indexed every word of every
// document a second time (frequencies, norms, merges), about a third of a
// build's work, for lists that completion only counts and intersects.
//
// File layout: a magic string; uvarint document count, then per document
// in the order the Writer added them (its ordinal) uvarint id length and
// id; uvarint word count, then per word in byte order: uvarint length,
// the word, uvarint document count, uvarint bitmap length, the bitmap of
// the ordinals holding it (roaring's portable format); then a CRC-less
// end marker, 8 bytes: the word count again, little-endian, so that a
// file cut short is seen.
const (
	wordsFile  = "words"
	wordsMagic = "kbsearch-words-1\n"
)

// wordsWriter collects the words of the documents a Writer adds and
// writes the completion dictionary at the end. Words are numbered as they
// are first seen (intern, safe for the Writer's analysis goroutines), so
// that a document's distinct words are a sorted list of numbers and add,
// which runs in the Writer's order, touches no string: a 100k-document
// build adds some 25 million (word, document) pairs.
type wordsWriter struct {
	mu    sync.RWMutex
	index map[string]uint32 // word -> number
	names []string          // number -> word

	ids  []string   // ordinal -> document id
	docs []wordDocs // number -> ordinals of the documents holding it
}

// wordDocs holds the ordinals of a word's documents: a bitmap and, in
// order after it, the last few, added to the bitmap in bulk (roaring's
// Add finds the container for each value; AddMany once per run).
type wordDocs struct {
	bm   *roaring.Bitmap
	pend []uint32
}

const wordsPending = 64

func newWordsWriter() *wordsWriter {
	return &wordsWriter{index: map[string]uint32{}}
}

// intern returns the numbers of the terms of ts, each once, in no
// particular order.
func (ww *wordsWriter) intern(ts analysis.TokenStream) []uint32 {
	nums := make([]uint32, 0, len(ts))
	var missed []int // indexes into ts of terms not numbered yet
	ww.mu.RLock()
	for i, t := range ts {
		if n, ok := ww.index[string(t.Term)]; ok {
			nums = append(nums, n)
		} else {
			missed = append(missed, i)
		}
	}
	ww.mu.RUnlock()
	if len(missed) > 0 {
		ww.mu.Lock()
		for _, i := range missed {
			w := string(ts[i].Term)
			n, ok := ww.index[w]
			if !ok {
				n = uint32(len(ww.names))
				ww.index[w] = n
				ww.names = append(ww.names, w)
			}
			nums = append(nums, n)
		}
		ww.mu.Unlock()
	}
	return dedupe(nums)
}

// seenSets are bit sets by word number for dedupe, one per goroutine at a
// time; dedupe clears the bits it set before putting one back.
var seenSets = sync.Pool{New: func() any { return new([]uint64) }}

// dedupe keeps the first of each number of nums, in place: a bit set
// instead of sorting (sorting a document's words was a quarter of intern's
// cost, at 100k documents 1.9 s of CPU).
func dedupe(nums []uint32) []uint32 {
	sp := seenSets.Get().(*[]uint64)
	seen := *sp
	out := nums[:0]
	for _, n := range nums {
		w := int(n >> 6)
		if w >= len(seen) {
			seen = append(seen, make([]uint64, w+1-len(seen)+len(seen)/4)...)
		}
		if bit := uint64(1) << (n & 63); seen[w]&bit == 0 {
			seen[w] |= bit
			out = append(out, n)
		}
	}
	for _, n := range out {
		seen[n>>6] = 0
	}
	*sp = seen
	seenSets.Put(sp)
	return out
}

// add records document id, next in order, as holding the words numbered
// nums (from intern: each once, in any order).
func (ww *wordsWriter) add(id string, nums []uint32) {
	ord := uint32(len(ww.ids))
	ww.ids = append(ww.ids, id)
	if len(nums) > 0 && int(slices.Max(nums)) >= len(ww.docs) {
		ww.mu.RLock()
		n := len(ww.names)
		ww.mu.RUnlock()
		ww.docs = slices.Grow(ww.docs, n-len(ww.docs))[:n]
	}
	for _, n := range nums {
		d := &ww.docs[n]
		d.pend = append(d.pend, ord)
		if len(d.pend) == wordsPending {
			d.flush()
		}
	}
}

func (d *wordDocs) flush() {
	if len(d.pend) == 0 {
		return
	}
	if d.bm == nil {
		d.bm = roaring.New()
	}
	d.bm.AddMany(d.pend)
	d.pend = d.pend[:0]
}

// complete adds every word's pending documents to its bitmap. After it,
// and once no document is added, docFreq and write only read ww, and may
// run at once.
func (ww *wordsWriter) complete() {
	for n := range ww.docs {
		ww.docs[n].flush()
	}
}

// bitmaps returns each word's bitmap, by word (complete first).
func (ww *wordsWriter) bitmaps() map[string]*roaring.Bitmap {
	ww.complete()
	out := make(map[string]*roaring.Bitmap, len(ww.docs))
	for n := range ww.docs {
		if d := &ww.docs[n]; d.bm != nil {
			out[ww.names[n]] = d.bm
		}
	}
	return out
}

// docFreq returns the number of documents holding word.
func (ww *wordsWriter) docFreq(word string) int {
	ww.mu.RLock()
	n, ok := ww.index[word]
	ww.mu.RUnlock()
	if !ok || int(n) >= len(ww.docs) {
		return 0
	}
	d := &ww.docs[n]
	c := len(d.pend)
	if d.bm != nil {
		c += int(d.bm.GetCardinality())
	}
	return c
}

// write writes the dictionary to path, numbering the documents as order
// does (document number -> id; ww's ids in a different order, or missing
// from it, are renumbered), and syncs it.
func (ww *wordsWriter) write(path string, order []string) (err error) {
	byWord := ww.bitmaps()
	words := make([]string, 0, len(byWord))
	for word := range byWord {
		words = append(words, word)
	}
	slices.Sort(words)
	// Renumber: ordinal -> position in order.
	renum := ww.ids
	if !slices.Equal(order, ww.ids) {
		pos := make(map[string]uint32, len(order))
		for d, id := range order {
			pos[id] = uint32(d)
		}
		to := make([]uint32, len(ww.ids))
		for o, id := range ww.ids {
			d, ok := pos[id]
			if !ok {
				return fmt.Errorf("indexer: words: document %q is not in the index", id)
			}
			to[o] = d
		}
		// The new bitmaps replace those of ww (which write leaves as
		// they are), on every core: 25 million (word, document) pairs at
		// 100k documents.
		renumbered := make([]*roaring.Bitmap, len(words))
		workers := min(runtime.GOMAXPROCS(0), max(1, len(words)/1024))
		var wg sync.WaitGroup
		for k := range workers {
			wg.Go(func() {
				var buf []uint32
				for i := k; i < len(words); i += workers {
					buf = buf[:0]
					it := byWord[words[i]].Iterator()
					for it.HasNext() {
						buf = append(buf, to[it.Next()])
					}
					slices.Sort(buf)
					renumbered[i] = roaring.BitmapOf(buf...)
				}
			})
		}
		wg.Wait()
		for i, word := range words {
			byWord[word] = renumbered[i]
		}
		renum = order
	} else {
		for _, word := range words {
			byWord[word] = byWord[word].Clone() // RunOptimize below changes it
		}
	}

	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("indexer: words: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("indexer: words: %w", cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	w := bufio.NewWriterSize(f, 256<<10)
	var buf []byte
	put := func(v uint64) { buf = binary.AppendUvarint(buf[:0], v); w.Write(buf) }
	w.WriteString(wordsMagic)
	put(uint64(len(renum)))
	for _, id := range renum {
		put(uint64(len(id)))
		w.WriteString(id)
	}
	put(uint64(len(words)))
	var bm []byte
	for _, word := range words {
		b := byWord[word]
		b.RunOptimize()
		if bm, err = b.ToBytes(); err != nil {
			return fmt.Errorf("indexer: words: %w", err)
		}
		put(uint64(len(word)))
		w.WriteString(word)
		put(b.GetCardinality())
		put(uint64(len(bm)))
		w.Write(bm)
	}
	var end [8]byte
	binary.LittleEndian.PutUint64(end[:], uint64(len(words)))
	w.Write(end[:])
	if err := w.Flush(); err != nil { // the first write error, kept by bufio
		return fmt.Errorf("indexer: words: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("indexer: words: %w", err)
	}
	return nil
}

// words reads a completion dictionary: the vocab in memory, the bitmaps
// read from the file when asked for.
type words struct {
	f *os.File
	// ord maps an ordinal to the Reader's document number; nil when they
	// are the same, -1 for a document the index no longer holds.
	ord []int32
	// dead holds the ordinals of documents the index no longer holds;
	// nil when there are none.
	dead *roaring.Bitmap
}

// openWords reads the dictionary at path for a Reader whose document
// numbers hold ids (by number; "" for a deleted document): it returns the
// vocab with each word's live document count. nil, nil, nil when there
// is no file.
func openWords(path string, ids []string) (*words, *vocab, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	ws, v, err := readWords(f, ids)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("words %s: %w", path, err)
	}
	return ws, v, nil
}

func readWords(f *os.File, ids []string) (*words, *vocab, error) {
	cr := &countingReader{r: bufio.NewReaderSize(f, 256<<10)}
	magic := make([]byte, len(wordsMagic))
	if _, err := io.ReadFull(cr, magic); err != nil || string(magic) != wordsMagic {
		return nil, nil, errors.New("not a words file")
	}
	uv := func() (uint64, error) {
		v, err := binary.ReadUvarint(cr)
		if err != nil {
			return 0, fmt.Errorf("truncated at byte %d: %w", cr.n, err)
		}
		return v, nil
	}
	bytesOf := func(n, limit uint64) ([]byte, error) {
		if n > limit {
			return nil, fmt.Errorf("bad length %d at byte %d", n, cr.n)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(cr, b); err != nil {
			return nil, fmt.Errorf("truncated at byte %d: %w", cr.n, err)
		}
		return b, nil
	}

	// Ordinals to document numbers, through the ids.
	nDocs, err := uv()
	if err != nil {
		return nil, nil, err
	}
	if nDocs > 1<<32 {
		return nil, nil, fmt.Errorf("bad document count %d", nDocs)
	}
	byID := make(map[string]int32, len(ids))
	for d, id := range ids {
		if id != "" {
			byID[id] = int32(d)
		}
	}
	ws := &words{f: f, ord: make([]int32, nDocs)}
	identity := int(nDocs) == len(ids)
	for i := range ws.ord {
		n, err := uv()
		if err != nil {
			return nil, nil, err
		}
		id, err := bytesOf(n, 1<<16)
		if err != nil {
			return nil, nil, err
		}
		d, ok := byID[string(id)]
		if !ok {
			d = -1
			if ws.dead == nil {
				ws.dead = roaring.New()
			}
			ws.dead.Add(uint32(i))
		}
		ws.ord[i] = d
		identity = identity && d == int32(i)
	}
	if identity {
		ws.ord = nil
	}

	nWords, err := uv()
	if err != nil {
		return nil, nil, err
	}
	if nWords > 1<<32 {
		return nil, nil, fmt.Errorf("bad word count %d", nWords)
	}
	v := &vocab{off: make([]uint32, 0, nWords+1), df: make([]uint32, 0, nWords),
		at: make([]int64, 0, nWords), size: make([]uint32, 0, nWords)}
	var text strings.Builder
	for range nWords {
		n, err := uv()
		if err != nil {
			return nil, nil, err
		}
		w, err := bytesOf(n, 1<<16)
		if err != nil {
			return nil, nil, err
		}
		df, err := uv()
		if err != nil {
			return nil, nil, err
		}
		size, err := uv()
		if err != nil {
			return nil, nil, err
		}
		at := cr.n
		if ws.dead != nil { // count the live documents only
			b, err := bytesOf(size, 1<<31)
			if err != nil {
				return nil, nil, err
			}
			bm := roaring.New()
			if _, err := bm.FromBuffer(b); err != nil {
				return nil, nil, fmt.Errorf("word %q: %w", w, err)
			}
			df = bm.GetCardinality() - bm.AndCardinality(ws.dead)
		} else if size > 1<<31 {
			return nil, nil, fmt.Errorf("bad length %d at byte %d", size, cr.n)
		} else if _, err := cr.Discard(int(size)); err != nil {
			return nil, nil, fmt.Errorf("truncated at byte %d: %w", cr.n, err)
		}
		if df == 0 {
			continue
		}
		v.off = append(v.off, uint32(text.Len()))
		text.Write(w)
		v.df = append(v.df, uint32(df))
		v.at = append(v.at, at)
		v.size = append(v.size, uint32(size))
	}
	var end [8]byte
	if _, err := io.ReadFull(cr, end[:]); err != nil || binary.LittleEndian.Uint64(end[:]) != nWords {
		return nil, nil, errors.New("truncated: no end marker")
	}
	v.off = append(v.off, uint32(text.Len()))
	v.text = text.String()
	return ws, v, nil
}

// bitmap returns the document numbers holding word i of v.
func (ws *words) bitmap(v *vocab, i int) (*roaring.Bitmap, error) {
	b := make([]byte, v.size[i])
	if _, err := ws.f.ReadAt(b, v.at[i]); err != nil {
		return nil, fmt.Errorf("words: %w", err)
	}
	// The bitmap's containers are the bytes just read (no copy: they
	// are this call's own); a completion reads several such bitmaps a
	// keystroke, and copying them was a third of what it allocated.
	bm := roaring.New()
	if _, err := bm.FromBuffer(b); err != nil {
		return nil, fmt.Errorf("words: %q: %w", v.word(i), err)
	}
	if ws.ord == nil {
		return bm, nil
	}
	out := roaring.New()
	it := bm.Iterator()
	for it.HasNext() {
		if d := ws.ord[it.Next()]; d >= 0 {
			out.Add(uint32(d))
		}
	}
	return out, nil
}

func (ws *words) close() error { return ws.f.Close() }

// countingReader counts the bytes read through it.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

func (c *countingReader) Discard(n int) (int, error) {
	d, err := c.r.Discard(n)
	c.n += int64(d)
	return d, err
}
