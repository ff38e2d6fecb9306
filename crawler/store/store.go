package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	bolt "go.etcd.io/bbolt"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// FileName is the name of the database file inside the store directory.
const FileName = "crawl.db"

// DefaultTimeout is how long Open waits for the file lock by default.
const DefaultTimeout = 2 * time.Second

// Sentinel errors.
var (
	// ErrNotFound is returned by Get, Raw and URLForHash when nothing matches.
	ErrNotFound = errors.New("store: not found")
	// ErrBusy is returned by Open when another process holds the store.
	ErrBusy = errors.New("store is in use by another process")
	// ErrReadOnly is returned by Put on a store opened read-only.
	ErrReadOnly = errors.New("store: opened read-only")
	// ErrInvalid is returned for a record or hash that cannot be stored.
	ErrInvalid = errors.New("store: invalid input")
	// ErrCorrupt is returned when the store file is damaged: bbolt found a
	// bad page or meta page, or a record no longer decodes. See Check and
	// Salvage.
	ErrCorrupt = errors.New("crawl store is corrupted")
)

var (
	bucketRecords = []byte("records") // url -> JSON Record
	bucketRaw     = []byte("raw")     // hash -> raw bytes
	bucketByHash  = []byte("byhash")  // hash 0x00 url -> empty
	bucketMeta    = []byte("meta")    // id, seq
	keyID         = []byte("id")
	keySeq        = []byte("seq")
	keySchema     = []byte("schema")
	keyHeads      = []byte("heads") // headsCurrent once every record has a current head
)

const schemaVersion = "1"

// Options configure Open. The zero value opens read-write with the default
// lock timeout.
type Options struct {
	// ReadOnly opens the store for reading; it must already exist.
	ReadOnly bool
	// Timeout bounds the wait for the file lock (default 2s); past it Open
	// fails with ErrBusy.
	Timeout time.Duration
}

// Stats counts what the store holds.
type Stats struct {
	Records   int `json:"records"`
	Indexable int `json:"indexable"`
	Gone      int `json:"gone"`
	Failed    int `json:"failed"` // records whose last fetch or extraction failed
	// FailedBy counts the failed records by reason (Record.ErrReason).
	FailedBy   map[extract.Reason]int `json:"failed_by"`
	Duplicates int                    `json:"duplicates"` // records marked DuplicateOf another
	RawObjects int                    `json:"raw_objects"`
	RawBytes   int64                  `json:"raw_bytes"`
}

// Store is an open crawl store. It is safe for concurrent use.
type Store struct {
	db       *bolt.DB
	readOnly bool
	path     string // of the bbolt file, for errors
}

// Open opens (creating unless read-only) the store in dir.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, fmt.Errorf("store: open: %w: empty directory", ErrInvalid)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	path := filepath.Join(dir, FileName)
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("store: open %s read-only: %w", path, err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	var db *bolt.DB
	var file *os.File
	bopts := &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		}}
	err := guard(path, func() error {
		var err error
		db, err = bolt.Open(path, 0o644, bopts)
		return err
	})
	if err != nil {
		if file != nil {
			// bbolt closes it on an error but not on a panic; the
			// file's lock goes with it.
			file.Close()
		}
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("store: open %s: %w", path, ErrBusy)
		}
		if isBoltCorrupt(err) {
			err = corruptf(path, "%v", err)
		}
		return nil, fmt.Errorf("store: open: %w", err)
	}
	s := &Store{db: db, readOnly: opts.ReadOnly, path: path}
	err = s.view(s.checkSize)
	if err == nil && opts.ReadOnly {
		err = s.view(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketRecords, bucketRaw, bucketByHash, bucketMeta} {
				if tx.Bucket(b) == nil {
					return fmt.Errorf("store: open %s: not a crawl store (no %q bucket)", path, b)
				}
			}
			return nil
		})
	} else if err == nil {
		err = s.update(initBuckets)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func initBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketRecords, bucketRaw, bucketByHash, bucketMeta, bucketQueue, bucketSeen, bucketTrans, bucketHead} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("store: init: %w", err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keySchema); v != nil && string(v) != schemaVersion {
		return fmt.Errorf("store: init: unsupported schema version %q", v)
	}
	if meta.Get(keyID) == nil {
		var id [8]byte
		if _, err := rand.Read(id[:]); err != nil {
			return fmt.Errorf("store: init: %w", err)
		}
		if err := meta.Put(keyID, []byte(hex.EncodeToString(id[:]))); err != nil {
			return err
		}
		if err := meta.Put(keySchema, []byte(schemaVersion)); err != nil {
			return err
		}
	}
	if v := meta.Get(keyHeads); string(v) != headsCurrent {
		if err := rewriteHeads(tx); err != nil {
			return fmt.Errorf("store: init: %w", err)
		}
		if err := meta.Put(keyHeads, []byte(headsCurrent)); err != nil {
			return err
		}
	}
	return nil
}

// headsCurrent, under keyHeads, says that every record has a head in the
// current (binary) form.
const headsCurrent = "2"

// rewriteHeads writes the head of every record of a store written before
// heads existed or when they were JSON.
func rewriteHeads(tx *bolt.Tx) error {
	heads := tx.Bucket(bucketHead)
	var stale [][]byte
	err := tx.Bucket(bucketRecords).ForEach(func(k, _ []byte) error {
		if h := heads.Get(k); len(h) == 0 || h[0] != headVersion {
			stale = append(stale, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		rec, err := decode(tx.Bucket(bucketRecords).Get(k))
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		h, err := headOf(rec)
		if err != nil {
			return err
		}
		if err := heads.Put(k, h); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the store.
func (s *Store) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	return s.db.Close()
}

// Get returns the record of url, or ErrNotFound.
func (s *Store) Get(ctx context.Context, url string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var rec *Record
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRecords).Get([]byte(url))
		if v == nil {
			return ErrNotFound
		}
		var err error
		rec, err = decode(v)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("store: get %s: %w", url, ErrNotFound)
		}
		return nil, fmt.Errorf("store: get %s: %w", url, err)
	}
	return rec, nil
}

// Peek returns the record of url without the text of its page (see
// Record.Partial), or ErrNotFound: the cheap read a re-crawl needs.
func (s *Store) Peek(ctx context.Context, url string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var rec *Record
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		rec, err = peekTx(tx, []byte(url))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: peek %s: %w", url, err)
	}
	return rec, nil
}

// peekTx reads the head of key: the record without its text, kept beside
// it so that a re-crawl reads a few hundred bytes per URL, not the page.
func peekTx(tx *bolt.Tx, key []byte) (*Record, error) {
	if v := tx.Bucket(bucketHead).Get(key); v != nil {
		return decodeHead(v, true)
	}
	// A store written before heads existed, opened read-only (a writable
	// open backfills them): decode the record itself, dropping its text.
	v := tx.Bucket(bucketRecords).Get(key)
	if v == nil {
		return nil, ErrNotFound
	}
	return decodeJSONHead(v, true)
}

// Put stores rec under rec.URL, replacing any previous record, and raw
// under rec.Hash, all in one transaction. raw may be nil: the raw bytes
// already stored for rec.Hash (if any) are kept. When raw is given,
// rec.Hash is set to its sha256 if empty, and must match it otherwise.
func (s *Store) Put(ctx context.Context, rec *Record, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly {
		return ErrReadOnly
	}
	if rec == nil || rec.URL == "" {
		return fmt.Errorf("store: put: %w: record without URL", ErrInvalid)
	}
	if err := checkRecord(rec, raw); err != nil {
		return err
	}
	if rec.partial {
		return fmt.Errorf("store: put %s: %w: a partial record (from Peek)", rec.URL, ErrInvalid)
	}
	err := s.update(func(tx *bolt.Tx) error { return putTx(tx, rec, raw) })
	if err != nil {
		return fmt.Errorf("store: put %s: %w", rec.URL, err)
	}
	return nil
}

// checkRecord validates rec and sets its hash from raw if empty.
func checkRecord(rec *Record, raw []byte) error {
	if rec == nil || rec.URL == "" {
		return fmt.Errorf("store: put: %w: record without URL", ErrInvalid)
	}
	if rec.partial {
		return fmt.Errorf("store: put %s: %w: a partial record (from Peek)", rec.URL, ErrInvalid)
	}
	if raw != nil {
		sum := sha256.Sum256(raw)
		h := hex.EncodeToString(sum[:])
		switch rec.Hash {
		case "":
			rec.Hash = h
		case h:
		default:
			return fmt.Errorf("store: put %s: %w: hash %s does not match the raw bytes (%s)", rec.URL, ErrInvalid, rec.Hash, h)
		}
	}
	return nil
}

// putTx writes rec, its raw bytes and its index entries in tx.
func putTx(tx *bolt.Tx, rec *Record, raw []byte) error {
	val, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("put %s: %w", rec.URL, err)
	}
	key := []byte(rec.URL)
	records := tx.Bucket(bucketRecords)
	byHash := tx.Bucket(bucketByHash)
	trans := tx.Bucket(bucketTrans)
	changed := true
	if old := records.Get(key); old != nil {
		prev, err := decode(old)
		if err != nil {
			return err
		}
		changed = contentChanged(prev, rec)
		if prev.Hash != "" && prev.Hash != rec.Hash {
			if err := byHash.Delete(hashKey(prev.Hash, rec.URL)); err != nil {
				return err
			}
			if err := dropUnreferenced(tx, prev.Hash); err != nil {
				return err
			}
		}
		if prev.TranslationKey != "" && prev.TranslationKey != rec.TranslationKey {
			if err := trans.Delete(hashKey(prev.TranslationKey, rec.URL)); err != nil {
				return err
			}
		}
	}
	if err := records.Put(key, val); err != nil {
		return err
	}
	head, err := headOf(rec)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketHead).Put(key, head); err != nil {
		return err
	}
	if rec.Hash != "" {
		if err := byHash.Put(hashKey(rec.Hash, rec.URL), nil); err != nil {
			return err
		}
	}
	if rec.TranslationKey != "" {
		if err := trans.Put(hashKey(rec.TranslationKey, rec.URL), nil); err != nil {
			return err
		}
	}
	if raw != nil {
		rb := tx.Bucket(bucketRaw)
		if rb.Get([]byte(rec.Hash)) == nil {
			if err := rb.Put([]byte(rec.Hash), raw); err != nil {
				return err
			}
		}
	}
	if changed {
		return bumpSeq(tx)
	}
	return nil
}

// contentChanged reports whether b differs from a in anything but FetchedAt
// and Depth (which depends on the order links were found in), so that a
// re-crawl which finds every page unchanged leaves the fingerprint alone.
func contentChanged(a, b *Record) bool {
	x, y := *a, *b
	x.FetchedAt, y.FetchedAt = time.Time{}, time.Time{}
	x.Depth, y.Depth = 0, 0
	xb, err1 := json.Marshal(&x)
	yb, err2 := json.Marshal(&y)
	return err1 != nil || err2 != nil || !bytes.Equal(xb, yb)
}

func bumpSeq(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(keySeq); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n+1)
	return meta.Put(keySeq, buf[:])
}

func hashKey(hash, url string) []byte {
	k := make([]byte, 0, len(hash)+1+len(url))
	k = append(k, hash...)
	k = append(k, 0)
	return append(k, url...)
}

// dropUnreferenced deletes the raw bytes of hash once no record holds
// them: the old body of a page that changed. (bbolt reuses the freed pages;
// the file does not shrink.)
func dropUnreferenced(tx *bolt.Tx, hash string) error {
	prefix := hashKey(hash, "")
	if k, _ := tx.Bucket(bucketByHash).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
		return nil
	}
	return tx.Bucket(bucketRaw).Delete([]byte(hash))
}

// Raw returns a copy of the raw bytes stored under hash, or ErrNotFound.
func (s *Store) Raw(ctx context.Context, hash string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRaw).Get([]byte(hash))
		if v == nil {
			return ErrNotFound
		}
		out = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: raw %s: %w", hash, err)
	}
	return out, nil
}

// Each calls fn for every record in URL order, stopping at the first error
// fn returns (which Each returns as is) or when ctx is done. fn runs inside
// a read transaction: it must not call Put on the same store.
func (s *Store) Each(ctx context.Context, fn func(*Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.view(func(tx *bolt.Tx) error {
		// The pages read leave the process's resident set every
		// releaseEvery bytes (see releaseMapped): a walk over a store of
		// 100,000 records would otherwise keep the whole file resident.
		read := 0
		defer releaseMapped(s.db, tx.Size())
		c := tx.Bucket(bucketRecords).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if read += len(v); read >= releaseEvery {
				releaseMapped(s.db, tx.Size())
				read = 0
			}
			rec, err := decode(v)
			if err != nil {
				return fmt.Errorf("store: each: %s: %w", k, err)
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// EachHead calls fn with the head of every record in URL order: the record
// without its page's text and title, its links included (a partial record,
// see Record.Partial). It reads a few hundred bytes a record where Each
// decodes the whole page: the index build's first pass over the site (which
// page links to which) needs no more.
func (s *Store) EachHead(ctx context.Context, fn func(*Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.view(func(tx *bolt.Tx) error {
		defer releaseMapped(s.db, tx.Size())
		n := 0
		return eachHeadTx(tx, true, func(_ []byte, rec *Record) error {
			if n++; n%releaseKeys == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				releaseMapped(s.db, tx.Size())
			}
			return fn(rec)
		})
	})
	if err != nil {
		return fmt.Errorf("store: each head: %w", err)
	}
	return nil
}

// eachHeadTx calls fn with the head of every record of tx in URL order
// (decodeHead; links as asked). A store written before every record had a
// head, opened read-only (so not rewritten yet), is read through its
// records, their text dropped. An error decoding a head names its key.
func eachHeadTx(tx *bolt.Tx, links bool, fn func(k []byte, rec *Record) error) error {
	bucket, read := bucketHead, decodeHead
	if string(tx.Bucket(bucketMeta).Get(keyHeads)) != headsCurrent {
		bucket, read = bucketRecords, decodeJSONHead
	}
	c := tx.Bucket(bucket).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		rec, err := read(v, links)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if err := fn(k, rec); err != nil {
			return err
		}
	}
	return nil
}

// releaseEvery is how many bytes of records Each reads between two
// releaseMapped.
var releaseEvery = 32 << 20

// releaseKeys is how many keys Stats walks between two releaseMapped: with
// fault-around, at most some 64 KB each.
const releaseKeys = 2048

// URLForHash returns the first URL, in URL order, whose live record (not
// gone, not itself a duplicate) holds content hash, or ErrNotFound.
func (s *Store) URLForHash(ctx context.Context, hash string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if hash == "" {
		return "", fmt.Errorf("store: url for hash: %w: empty hash", ErrInvalid)
	}
	var url string
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		url, err = urlForHash(tx, hash, "")
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: url for hash %s: %w", hash, err)
	}
	return url, nil
}

// urlForHash finds the first live, non-duplicate URL other than except
// holding hash.
func urlForHash(tx *bolt.Tx, hash, except string) (string, error) {
	records := tx.Bucket(bucketRecords)
	prefix := hashKey(hash, "")
	c := tx.Bucket(bucketByHash).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		u := k[len(prefix):]
		if string(u) == except {
			continue
		}
		v := records.Get(u)
		if v == nil {
			continue
		}
		rec, err := decode(v)
		if err != nil {
			return "", err
		}
		if rec.Hash == hash && !rec.Gone && rec.DuplicateOf == "" {
			return string(u), nil
		}
	}
	return "", ErrNotFound
}

// Stats counts the records and raw bytes in the store.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	if err := ctx.Err(); err != nil {
		return st, err
	}
	st.FailedBy = map[extract.Reason]int{}
	err := s.view(func(tx *bolt.Tx) error {
		// A walk maps pages into the resident set: the kernel maps up to
		// 16 neighbours of each page touched (fault-around), so a walk of
		// the 37 MB of heads of 100,000 records took the resident set to
		// 500 MB and the raw bodies' lengths to 1.2 GB. The pages leave
		// it every releaseKeys keys (see releaseMapped).
		seen := 0
		release := func() {
			if seen++; seen%releaseKeys == 0 {
				releaseMapped(s.db, tx.Size())
			}
		}
		defer releaseMapped(s.db, tx.Size())
		// The heads say all that is counted, without the pages' text.
		err := eachHeadTx(tx, false, func(_ []byte, rec *Record) error {
			release()
			st.Records++
			if rec.Indexable() {
				st.Indexable++
			}
			if rec.Gone {
				st.Gone++
			}
			if rec.ErrReason != "" || rec.Err != "" {
				st.Failed++
				reason := rec.ErrReason
				if reason == "" {
					reason = "other"
				}
				st.FailedBy[reason]++
			}
			if rec.DuplicateOf != "" {
				st.Duplicates++
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketRaw).ForEach(func(_, v []byte) error {
			release()
			st.RawObjects++
			st.RawBytes += int64(len(v))
			return nil
		})
	})
	if err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	return st, nil
}

// Fingerprint returns a token that changes whenever a record is added or
// its content changes (a change of FetchedAt alone does not count). It
// combines a random id made when the store was created with a counter
// bumped in the same transaction as the change, so two stores never share
// a fingerprint.
func (s *Store) Fingerprint(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var fp string
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var n uint64
		if v := meta.Get(keySeq); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		fp = fmt.Sprintf("%s-%d", meta.Get(keyID), n)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: fingerprint: %w", err)
	}
	return fp, nil
}

// decode reads a record as stored (JSON written by encoding/json).
//
// It decodes with the json/v2 engine under v1's semantics (the records are
// written by encoding/json): half the CPU of encoding/json's Unmarshal on
// records in the CPU's caches, which it scans twice (validation, then
// decoding). In a build, reading each record's bytes from the store's map
// for the first time costs about as much again, whatever the decoder.
func decode(v []byte) (*Record, error) {
	var rec Record
	if err := jsonv2.Unmarshal(v, &rec, jsonv1.DefaultOptionsV1()); err != nil {
		return nil, fmt.Errorf("decode record: %w: %w", ErrCorrupt, err)
	}
	return &rec, nil
}
