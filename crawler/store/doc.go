// Package store owns the on-disk crawl store: one bbolt file (crawl.db) in a
// directory, holding a Record per normalised URL and the raw bytes of every
// fetched body, stored once per content hash.
//
// Every write is a single bbolt transaction, so a process killed mid-crawl
// leaves either the old record or the new one, never half of either. Raw
// bytes that no record references any more (a page whose content changed)
// are left in place; they cost disk space, not correctness.
//
// The store also holds the frontier of the current crawl run (a queue
// ordered by depth and a seen-set, see BeginRun, Enqueue, Next, Commit,
// EndRun), so that a crawl's memory does not grow with the site and a
// killed crawl can be resumed; Commit writes a URL's records, its removal
// from the queue and the links it led to in one transaction. A small copy
// of each record without its text (Peek) serves re-crawls, and locale
// variants of a document are indexed by their TranslationKey.
//
// A Store may be opened read-write by one process at a time; further opens
// (read-write or read-only) wait up to Options.Timeout and then fail with
// ErrBusy. Fingerprint gives a cheap token that changes whenever a record's
// content changes, so the indexer can skip rebuilding from an unchanged store.
//
// A damaged file (a bad page, meta pages overwritten, a file cut short, a
// record that no longer decodes) is reported as an error wrapping
// ErrCorrupt, never as a panic: bbolt panics on some damage, and every call
// into it recovers such a panic, only when raised inside bbolt itself (see
// internal/fault). Check verifies a store (bbolt's Tx.Check and our own
// decoding); Salvage copies every record it can still read into a new
// store file, by the tree where it holds and page by page where it does
// not, and keeps the damaged file beside it.
//
// This package must not import bleve or net/http: it knows records, not
// fetching or indexing.
package store
