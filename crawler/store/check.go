package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// maxProblems bounds the problems a CheckReport lists; the counts go on.
const maxProblems = 20

// CheckReport is what Check found in a store.
type CheckReport struct {
	Path      string `json:"path"`
	Records   int    `json:"records"`     // records that decode
	BadRecord int    `json:"bad_records"` // records (or their heads) that do not
	Raw       int    `json:"raw"`         // raw bodies whose bytes match their hash
	BadRaw    int    `json:"bad_raw"`     // raw bodies that do not
	// Problems describes the first damage found: bbolt's own checks
	// (Tx.Check: pages unreachable, freed twice, keys out of order) and
	// ours, at most 20 of them.
	Problems []string `json:"problems,omitempty"`
	// More counts the problems past those listed.
	More int `json:"more,omitempty"`
}

// OK reports whether Check found no damage.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

func (r *CheckReport) problem(format string, args ...any) {
	if len(r.Problems) >= maxProblems {
		r.More++
		return
	}
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Check verifies the store in dir without changing it: every bucket
// walked, every record and head decoded and every raw body's hash
// compared, then bbolt's consistency check of every page (Tx.Check). Damage is reported in the CheckReport, not as an error; the
// error is for a store that could not be checked at all (missing, busy, or
// too damaged to open: then it wraps ErrCorrupt and the report says why).
func Check(ctx context.Context, dir string, opts Options) (*CheckReport, error) {
	rep := &CheckReport{Path: filepath.Join(dir, FileName)}
	opts.ReadOnly = true
	s, err := Open(ctx, dir, opts)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			rep.problem("%v", err)
		}
		return rep, err
	}
	defer s.Close()
	damagedTree := false
	// Each bucket is walked in its own transaction, so that a panic in one
	// (a damaged page) still lets the others be checked.
	walks := []struct {
		bucket []byte
		fn     func(k, v []byte)
	}{
		{bucketRecords, func(k, v []byte) {
			if rec, err := decode(v); err != nil {
				rep.BadRecord++
				rep.problem("record %q: %v", k, err)
			} else if rec.URL != string(k) {
				rep.BadRecord++
				rep.problem("record %q holds the URL %q", k, rec.URL)
			} else {
				rep.Records++
			}
		}},
		{bucketHead, func(k, v []byte) {
			if rec, err := decodeHead(v, true); err != nil || rec.URL != string(k) {
				rep.BadRecord++
				rep.problem("head of %q does not decode", k)
			}
		}},
		{bucketQueue, func(k, v []byte) {}},
		{bucketSeen, func(k, v []byte) {}},
		{bucketTrans, func(k, v []byte) {}},
		{bucketByHash, func(k, v []byte) {}},
		{bucketMeta, func(k, v []byte) {}},
		{bucketRaw, func(k, v []byte) {
			sum := sha256.Sum256(v)
			if hex.EncodeToString(sum[:]) != string(k) {
				rep.BadRaw++
				rep.problem("raw body %s: its bytes do not match the hash", k)
			} else {
				rep.Raw++
			}
		}},
	}
	for _, w := range walks {
		err := s.view(func(tx *bolt.Tx) error {
			b := tx.Bucket(w.bucket)
			if b == nil {
				return nil // Open checked the buckets a store must have
			}
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				w.fn(k, v)
			}
			return nil
		})
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if err != nil {
			rep.problem("bucket %s: %v", w.bucket, err)
			damagedTree = true
		}
	}
	// bbolt's own check runs on a goroutine of its own, where a read past
	// the mapped file would crash the process: it runs only once every
	// page of the tree was read safely above.
	if damagedTree {
		rep.problem("bbolt's page check skipped: the tree of pages is damaged")
		return rep, nil
	}
	err = s.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			rep.problem("bbolt: %v", err)
		}
		return nil
	})
	if err != nil {
		rep.problem("bbolt check: %v", err)
	}
	return rep, ctx.Err()
}
