package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kbsearch/kbsearch/crawler/durable"
)

// maxLost bounds the lost URLs a SalvageReport lists.
const maxLost = 100

// SalvageReport says what Salvage copied into the new store and what it
// could not.
type SalvageReport struct {
	Path    string `json:"path"`    // the store file, now the salvaged copy
	Damaged string `json:"damaged"` // where the damaged file was kept
	Records int    `json:"records"` // records copied
	// FromScan counts the records among them found only by reading the
	// file's pages one by one (their page in the tree was damaged).
	FromScan int `json:"from_scan"`
	Raw      int `json:"raw"` // raw bodies copied
	// LostRecords counts the URLs the store named (in a record head or the
	// hash index) whose record could not be read; Lost lists up to 100.
	LostRecords int      `json:"lost_records"`
	Lost        []string `json:"lost,omitempty"`
	// LostRaw counts the records copied without their raw body (it was
	// damaged or unreadable); the text extracted from it is kept.
	LostRaw int `json:"lost_raw"`
	// TreeDamage describes why a walk of the store's tree stopped, if one
	// did (then the pages were read one by one).
	TreeDamage []string `json:"tree_damage,omitempty"`
}

// Salvage copies every record and raw body it can still read from the
// store in dir into a new store file, then puts the new file in place of
// the old one, which is kept beside it as crawl.db.damaged-<time>. Records
// are read through bbolt's tree where it holds, and by reading every page
// of the file where it does not (so a store whose meta pages are gone is
// salvaged too); a record is taken only if it decodes and names the URL it
// is stored under, a raw body only if its bytes match its hash. The new
// store has a new identity (so the next index rebuilds) and no frontier
// (the next crawl starts a new run). No crawl must run meanwhile: while
// the old file opens, its lock keeps writers out.
func Salvage(ctx context.Context, dir string, opts Options) (*SalvageReport, error) {
	path := filepath.Join(dir, FileName)
	rep := &SalvageReport{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	opts.ReadOnly = true
	old, err := Open(ctx, dir, opts)
	switch {
	case errors.Is(err, ErrCorrupt):
		rep.TreeDamage = append(rep.TreeDamage, err.Error())
		old = nil
	case err != nil:
		return nil, fmt.Errorf("store: salvage: %w", err)
	default:
		defer old.Close()
	}

	tmp, err := os.MkdirTemp(dir, ".salvage-")
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	defer os.RemoveAll(tmp)
	dst, err := Open(ctx, tmp, Options{})
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	defer dst.Close()
	w := &salvageWriter{ctx: ctx, dst: dst, copied: map[string]string{}}

	known := map[string]bool{}
	if old != nil {
		rep.TreeDamage = append(rep.TreeDamage, old.salvageTree(ctx, w, known)...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	defer f.Close()
	scan, err := scanPages(ctx, f, fi.Size(), w.copied)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	for u := range scan.known {
		known[u] = true
	}
	for _, u := range slices.Sorted(mapKeys(scan.recs)) {
		if err := w.add(scan.recs[u].rec); err != nil {
			return nil, err
		}
		rep.FromScan++
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	rep.Records = len(w.copied)
	for u := range known {
		if _, ok := w.copied[u]; !ok {
			rep.LostRecords++
			rep.Lost = append(rep.Lost, u)
		}
	}
	slices.Sort(rep.Lost)
	if len(rep.Lost) > maxLost {
		rep.Lost = rep.Lost[:maxLost]
	}

	// The raw bodies the copied records hold: through the tree, then from
	// the pages read one by one.
	need := map[string]bool{}
	for _, h := range w.copied {
		if h != "" {
			need[h] = true
		}
	}
	raws := &rawWriter{ctx: ctx, dst: dst}
	if old != nil {
		if err := old.salvageRaw(ctx, raws, need, &rep.Raw); err != nil {
			return nil, err
		}
	}
	for h, e := range scan.raws {
		if !need[h] {
			continue
		}
		b := make([]byte, e.n)
		if _, err := f.ReadAt(b, e.off); err != nil || !hashIs(b, h) {
			continue
		}
		if err := raws.add(h, b); err != nil {
			return nil, err
		}
		delete(need, h)
		rep.Raw++
	}
	if err := raws.flush(); err != nil {
		return nil, err
	}
	for _, h := range w.copied {
		if need[h] {
			rep.LostRaw++
		}
	}
	if err := dst.Close(); err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}

	// The old file is kept under a new name (a hard link where the file
	// system has them), then the new one replaces it in one rename.
	rep.Damaged = path + ".damaged-" + time.Now().UTC().Format("20060102T150405Z")
	if err := os.Link(path, rep.Damaged); err != nil {
		if err := os.Rename(path, rep.Damaged); err != nil {
			return nil, fmt.Errorf("store: salvage: keep the damaged file: %w", err)
		}
	}
	if err := os.Rename(filepath.Join(tmp, FileName), path); err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return nil, fmt.Errorf("store: salvage: %w", err)
	}
	return rep, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// salvageWriter copies records into the new store in batches.
type salvageWriter struct {
	ctx    context.Context
	dst    *Store
	batch  []*Commit
	copied map[string]string // URL -> hash of the records copied
}

func (w *salvageWriter) add(rec *Record) error {
	rec.partial = false
	w.batch = append(w.batch, &Commit{Records: []Put{{Record: rec}}})
	w.copied[rec.URL] = rec.Hash
	if len(w.batch) >= 256 {
		return w.flush()
	}
	return nil
}

func (w *salvageWriter) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	_, err := w.dst.CommitAll(w.ctx, w.batch)
	w.batch = w.batch[:0]
	if err != nil {
		return fmt.Errorf("store: salvage: %w", err)
	}
	return nil
}

// salvageTree copies the records bbolt's tree still yields and notes the
// URLs named by heads and the hash index; it returns why walks stopped.
func (s *Store) salvageTree(ctx context.Context, w *salvageWriter, known map[string]bool) []string {
	var damage []string
	walk := func(bucket []byte, fn func(k, v []byte) error) {
		err := s.view(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := fn(k, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil && ctx.Err() == nil {
			damage = append(damage, fmt.Sprintf("bucket %s: %v", bucket, err))
		}
	}
	walk(bucketHead, func(k, _ []byte) error { known[string(k)] = true; return nil })
	walk(bucketByHash, func(k, _ []byte) error {
		if i := bytes.IndexByte(k, 0); i >= 0 {
			known[string(k[i+1:])] = true
		}
		return nil
	})
	walk(bucketRecords, func(k, v []byte) error {
		known[string(k)] = true
		rec, err := decode(v)
		if err != nil || rec.URL != string(k) {
			return nil // lost; the page scan may find an older version
		}
		return w.add(rec)
	})
	if err := w.flush(); err != nil {
		damage = append(damage, err.Error())
	}
	return damage
}

// salvageRaw copies the raw bodies in need that the tree yields and whose
// bytes match their hash, deleting them from need.
func (s *Store) salvageRaw(ctx context.Context, dst *rawWriter, need map[string]bool, n *int) error {
	var werr error
	_ = s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRaw).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			h := string(k)
			if !need[h] || !hashIs(v, h) {
				continue
			}
			if werr = dst.add(h, bytes.Clone(v)); werr != nil {
				return werr
			}
			delete(need, h)
			*n++
		}
		return nil
	})
	return werr
}

// rawWriter copies raw bodies into the new store, some megabytes a
// transaction.
type rawWriter struct {
	ctx   context.Context
	dst   *Store
	batch map[string][]byte
	size  int
}

func (w *rawWriter) add(hash string, raw []byte) error {
	if w.batch == nil {
		w.batch = map[string][]byte{}
	}
	w.batch[hash] = raw
	if w.size += len(raw); w.size >= 16<<20 {
		return w.flush()
	}
	return nil
}

func (w *rawWriter) flush() error {
	if err := w.dst.writable(w.ctx); err != nil {
		return err
	}
	err := w.dst.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRaw)
		for h, raw := range w.batch {
			if err := b.Put([]byte(h), raw); err != nil {
				return err
			}
		}
		return nil
	})
	w.batch, w.size = nil, 0
	if err != nil {
		return fmt.Errorf("store: salvage: raw bodies: %w", err)
	}
	return nil
}

func hashIs(b []byte, hash string) bool {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) == hash
}

// The page scan reads bbolt's file layout directly (go.etcd.io/bbolt's
// internal/common): pages of pageSize bytes, each with a 16-byte header
// (id uint64, flags uint16, count uint16, overflow uint32, in the
// machine's byte order: little-endian on every platform we build for); a
// leaf page (flags 0x02) has count 16-byte elements (flags, pos, ksize,
// vsize uint32), its key at the element's address + pos and its value
// right after. Page 0 is a meta page: magic 0xED0CDAED, then the page size.
const (
	pageHeaderSize = 16
	leafElemSize   = 16
	leafPageFlag   = 0x02
	bucketLeafFlag = 0x01
	boltMagic      = 0xED0CDAED
)

// extent is where a value lies in the file.
type extent struct {
	off int64
	n   int
}

type scanned struct {
	rec *Record
	n   int // length of its value
}

// pageScan is what scanPages found.
type pageScan struct {
	recs  map[string]scanned // the best version of each record not skipped
	raws  map[string]extent  // raw bodies' values, by hash (unverified)
	known map[string]bool    // URLs that a head names
}

// scanPages reads every leaf page of the file, whatever the tree says,
// for the records (of URLs not in skip), raw bodies and heads it holds.
// A page whose id is not its place in the file is not a page (or a
// damaged one) and is passed over. Freed pages hold older versions of
// records: of two versions, the later fetch is taken.
func scanPages(ctx context.Context, f io.ReaderAt, size int64, skip map[string]string) (*pageScan, error) {
	ps := int64(os.Getpagesize())
	var meta [32]byte
	if _, err := f.ReadAt(meta[:], 0); err == nil && binary.LittleEndian.Uint32(meta[16:]) == boltMagic {
		if v := int64(binary.LittleEndian.Uint32(meta[24:])); v >= 512 && v <= 1<<20 {
			ps = v
		}
	}
	out := &pageScan{recs: map[string]scanned{}, raws: map[string]extent{}, known: map[string]bool{}}
	var hdr [pageHeaderSize]byte
	for pg, n := int64(2), 0; pg*ps < size; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		start := pg * ps
		if _, err := f.ReadAt(hdr[:], start); err != nil {
			break
		}
		id := binary.LittleEndian.Uint64(hdr[0:])
		flags := binary.LittleEndian.Uint16(hdr[8:])
		count := int(binary.LittleEndian.Uint16(hdr[10:]))
		overflow := int64(binary.LittleEndian.Uint32(hdr[12:]))
		if id != uint64(pg) || flags != leafPageFlag || start+(1+overflow)*ps > size {
			pg++
			continue
		}
		buf := make([]byte, (1+overflow)*ps)
		if _, err := f.ReadAt(buf, start); err != nil {
			pg++
			continue
		}
		for i := range count {
			e := pageHeaderSize + i*leafElemSize
			if e+leafElemSize > len(buf) {
				break
			}
			ef := binary.LittleEndian.Uint32(buf[e:])
			pos := int(binary.LittleEndian.Uint32(buf[e+4:]))
			ksize := int(binary.LittleEndian.Uint32(buf[e+8:]))
			vsize := int(binary.LittleEndian.Uint32(buf[e+12:]))
			ko := e + pos
			if ef&bucketLeafFlag != 0 || pos < 0 || ksize < 0 || vsize < 0 ||
				ko < 0 || ko+ksize+vsize > len(buf) || ko+ksize+vsize < ko {
				continue
			}
			k, v := buf[ko:ko+ksize], buf[ko+ksize:ko+ksize+vsize]
			out.classify(k, v, start+int64(ko+ksize), skip)
		}
		pg += 1 + overflow
	}
	return out, nil
}

// classify files one key and value found in a leaf page.
func (p *pageScan) classify(k, v []byte, off int64, skip map[string]string) {
	switch {
	case len(k) == sha256.Size*2 && isHex(k):
		p.raws[string(k)] = extent{off: off, n: len(v)}
	case len(v) > 0 && v[0] == '{':
		var rec Record
		if json.Unmarshal(v, &rec) != nil || rec.URL == "" || rec.URL != string(k) {
			return
		}
		p.known[rec.URL] = true
		if _, ok := skip[rec.URL]; ok {
			return
		}
		if prev, ok := p.recs[rec.URL]; ok && (prev.rec.FetchedAt.After(rec.FetchedAt) ||
			prev.rec.FetchedAt.Equal(rec.FetchedAt) && prev.n >= len(v)) {
			return
		}
		p.recs[rec.URL] = scanned{rec: &rec, n: len(v)}
	case len(v) > 0 && v[0] == headVersion:
		if rec, err := decodeHead(v, false); err == nil && rec.URL == string(k) {
			p.known[rec.URL] = true
		}
	}
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
