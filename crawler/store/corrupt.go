package store

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/kbsearch/kbsearch/crawler/fault"
)

// bbolt trusts the pages it maps: on a damaged page it panics ("assertion
// failed: Page expected to be ...", an index out of range) rather than
// returning an error, and reading a page past the end of a file cut short
// faults. Every call into bbolt goes through guard, which turns such a
// panic, raised inside bbolt, into an error wrapping ErrCorrupt; a panic
// of our own (in a callback of Each, say) is not caught.

// boltPackages are the import paths whose panics guard recovers.
var boltPackages = []string{"go.etcd.io/bbolt"}

// guard runs fn, a call into bbolt on the file at path, and turns a panic
// bbolt raises into an error wrapping ErrCorrupt.
func guard(path string, fn func() error) error {
	err := fault.Guard(boltPackages, fn)
	var fe *fault.Error
	if errors.As(err, &fe) {
		return corruptf(path, "%v", fe)
	}
	return err
}

// corruptf returns an error wrapping ErrCorrupt that names the file.
func corruptf(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrCorrupt, path, fmt.Sprintf(format, args...))
}

// isBoltCorrupt reports whether err, from bolt.Open, says the file is not
// a sound bbolt file (both meta pages invalid, a bad checksum).
func isBoltCorrupt(err error) bool {
	return errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) ||
		errors.Is(err, bolterrors.ErrVersionMismatch) || errors.Is(err, bolterrors.ErrInvalidMapping)
}

// view runs fn in a read transaction, guarded.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return guard(s.path, func() error { return s.db.View(fn) })
}

// update runs fn in a write transaction, guarded. A panic rolls the
// transaction back (bbolt's Update does so on the way out): nothing of it
// is written.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return guard(s.path, func() error { return s.db.Update(fn) })
}

// checkSize fails when the file is shorter than the pages its meta page
// counts: a file cut short, whose missing pages bbolt would read past the
// end of the file (a fault, not an error).
func (s *Store) checkSize(tx *bolt.Tx) error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if fi.Size() < tx.Size() {
		return corruptf(s.path, "the file is cut short: %d bytes of %d", fi.Size(), tx.Size())
	}
	return nil
}
