// Package durable writes files so that a crash or a power cut leaves
// either the old content or the new, never a half-written or empty file:
// WriteFile for a file's bytes (github.com/google/renameio/v2: a
// temporary file beside the target, fsynced, renamed over it) and SyncDir
// for what renameio leaves to its caller, making a rename in a directory
// (of that temporary file, or of a whole directory) itself durable.
//
// Every file kbsearch replaces in place goes through it: the index's
// CURRENT pointer and manifests, the crawl store's salvage, the summaries
// and profiles the commands write. It lives under crawler/, the lowest
// layer, so that the crawl store, the indexer and the commands can all
// use it; it imports nothing of kbsearch.
package durable

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// WriteFile replaces path with data atomically and durably: the data is
// synced before the rename, and the directory after it. perm applies to a
// new file; an existing file keeps its permissions.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	if err := renameio.WriteFile(path, data, perm); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir flushes dir's entries to disk, so that files created, renamed
// or removed in it stay so after a crash. File systems that cannot sync
// a directory are not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
