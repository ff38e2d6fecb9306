//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// releaseMapped does nothing here (see release_linux.go).
func releaseMapped(db *bolt.DB, size int64) {}
