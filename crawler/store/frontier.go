package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The frontier of a crawl run lives in the store beside the records, so
// that a run's memory does not grow with the site and a killed run can be
// resumed: the queue of URLs still to fetch, ordered by depth then by the
// order they were found, and the run's seen-set (every URL queued, fetched
// or rejected in the run). A URL leaves the queue in the same transaction
// that stores what came of it (Commit), so after a crash a URL is either
// done, with its record and the links it led to queued, or still queued.

var (
	bucketQueue = []byte("queue")   // depth(4) seq(8) -> JSON QueueItem
	bucketSeen  = []byte("seen")    // url -> seen state
	bucketTrans = []byte("trans")   // translation key 0x00 url -> empty
	bucketHead  = []byte("head")    // url -> JSON record without the page's text (Peek)
	keyRun      = []byte("run")     // JSON RunInfo while a run is unfinished
	keyLastRun  = []byte("lastrun") // JSON RunInfo of the last finished run
)

// Seen states of a URL in the current run.
const (
	seenQueued   = 'q'
	seenDone     = 'd'
	seenRejected = 'r'
)

// QueueItem is one URL waiting in the frontier.
type QueueItem struct {
	URL   string `json:"u"`
	Depth int    `json:"d"`
	// Leaf marks a document fetched one hop off-site: its links are not
	// followed.
	Leaf bool `json:"l,omitempty"`
	// Lastmod is the sitemap's <lastmod> for the URL, if any.
	Lastmod time.Time `json:"m,omitzero"`
	// Key is the item's queue position, set by the store; nil for an item
	// that is not in the queue.
	Key []byte `json:"-"`
	// Prev is the stored record of an item not in the queue, as Unseen
	// gives it (partial, without links).
	Prev *Record `json:"-"`
}

// RunInfo describes the unfinished run recorded in a store.
type RunInfo struct {
	Started time.Time `json:"started"`
	Seeds   []string  `json:"seeds"`
	// Discovery identifies the crawler options that decide which URLs
	// are reachable (opaque to the store).
	Discovery string `json:"discovery,omitempty"`
	// Finished is set by EndRun (LastRun).
	Finished time.Time `json:"finished,omitzero"`
}

// BeginRun starts a crawl run. If the previous run did not finish (it
// was killed or stopped early), its frontier and seen-set are kept and
// resumed is true; otherwise they start empty and info is recorded.
func (s *Store) BeginRun(ctx context.Context, info RunInfo) (resumed bool, err error) {
	if err := s.writable(ctx); err != nil {
		return false, err
	}
	b, err := json.Marshal(info)
	if err != nil {
		return false, fmt.Errorf("store: begin run: %w", err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyRun) != nil {
			resumed = true
			return nil
		}
		if err := resetFrontier(tx); err != nil {
			return err
		}
		return meta.Put(keyRun, b)
	})
	if err != nil {
		return false, fmt.Errorf("store: begin run: %w", err)
	}
	return resumed, nil
}

// EndRun marks the current run finished (LastRun returns it from now on)
// and empties its frontier and seen-set.
func (s *Store) EndRun(ctx context.Context) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		if err := resetFrontier(tx); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyRun); v != nil {
			var info RunInfo
			if err := json.Unmarshal(v, &info); err != nil {
				return fmt.Errorf("decode run: %w: %w", ErrCorrupt, err)
			}
			info.Finished = time.Now().UTC()
			b, err := json.Marshal(info)
			if err != nil {
				return err
			}
			if err := meta.Put(keyLastRun, b); err != nil {
				return err
			}
		}
		return meta.Delete(keyRun)
	})
	if err != nil {
		return fmt.Errorf("store: end run: %w", err)
	}
	return nil
}

// UnfinishedRun returns the run a crawl left unfinished, if any.
func (s *Store) UnfinishedRun(ctx context.Context) (*RunInfo, error) {
	return s.runInfo(ctx, keyRun)
}

// LastRun returns the last run that finished, if any.
func (s *Store) LastRun(ctx context.Context) (*RunInfo, error) {
	return s.runInfo(ctx, keyLastRun)
}

func (s *Store) runInfo(ctx context.Context, key []byte) (*RunInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var info *RunInfo
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(key)
		if v == nil {
			return nil
		}
		info = &RunInfo{}
		if err := json.Unmarshal(v, info); err != nil {
			return fmt.Errorf("decode run: %w: %w", ErrCorrupt, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: run info: %w", err)
	}
	return info, nil
}

func resetFrontier(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketQueue, bucketSeen} {
		if tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) writable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly {
		return ErrReadOnly
	}
	return nil
}

// Enqueue adds the items whose URL was not seen yet in this run to the
// queue and returns how many it added; reject lists URLs to mark seen
// without queueing them (refused by a trap guard, say), and rejected
// reports which of them were new to the run.
func (s *Store) Enqueue(ctx context.Context, items []QueueItem, urls []string) (added int, rejected []string, err error) {
	if err := s.writable(ctx); err != nil {
		return 0, nil, err
	}
	if len(items) == 0 && len(urls) == 0 {
		return 0, nil, nil
	}
	// Update, not Batch: Batch waits up to 10 ms for other callers, and
	// Enqueue and Claim are called by one goroutine at a time.
	err = s.update(func(tx *bolt.Tx) error {
		added, rejected = 0, rejected[:0]
		n, err := enqueue(tx, items)
		if err != nil {
			return err
		}
		added = n
		rejected, err = reject(tx, urls, rejected)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("store: enqueue: %w", err)
	}
	return added, rejected, nil
}

func enqueue(tx *bolt.Tx, items []QueueItem) (int, error) {
	queue, seen := tx.Bucket(bucketQueue), tx.Bucket(bucketSeen)
	added := 0
	for _, it := range items {
		if it.URL == "" || it.Depth < 0 {
			return 0, fmt.Errorf("%w: queue item %+v", ErrInvalid, it)
		}
		if seen.Get([]byte(it.URL)) != nil {
			continue
		}
		seq, err := queue.NextSequence()
		if err != nil {
			return 0, err
		}
		v, err := json.Marshal(it)
		if err != nil {
			return 0, err
		}
		if err := queue.Put(queueKey(it.Depth, seq), v); err != nil {
			return 0, err
		}
		if err := seen.Put([]byte(it.URL), []byte{seenQueued}); err != nil {
			return 0, err
		}
		added++
	}
	return added, nil
}

func reject(tx *bolt.Tx, urls, out []string) ([]string, error) {
	seen := tx.Bucket(bucketSeen)
	for _, u := range urls {
		if seen.Get([]byte(u)) != nil {
			continue
		}
		if err := seen.Put([]byte(u), []byte{seenRejected}); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func queueKey(depth int, seq uint64) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint32(k, uint32(depth))
	binary.BigEndian.PutUint64(k[4:], seq)
	return k
}

// Next returns up to n queued items in queue order (shallowest first),
// skipping those whose key skip reports true (items already handed out).
// Items stay queued until a Commit names them done.
func (s *Store) Next(ctx context.Context, n int, skip func(key []byte) bool) ([]QueueItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []QueueItem
	err := s.view(func(tx *bolt.Tx) error {
		q := tx.Bucket(bucketQueue)
		if q == nil {
			return nil
		}
		c := q.Cursor()
		for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
			if skip != nil && skip(k) {
				continue
			}
			var it QueueItem
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("decode queue item: %w: %w", ErrCorrupt, err)
			}
			it.Key = bytes.Clone(k)
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: next: %w", err)
	}
	return out, nil
}

// QueueLen counts the queued items.
func (s *Store) QueueLen(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		if q := tx.Bucket(bucketQueue); q != nil {
			n = q.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// Seen reports whether url was queued, fetched or rejected in this run.
func (s *Store) Seen(ctx context.Context, url string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var ok bool
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSeen); b != nil {
			ok = b.Get([]byte(url)) != nil
		}
		return nil
	})
	return ok, err
}

// Claim marks url done in this run unless it was already seen, and
// reports whether it was new: a redirect target fetched in passing.
func (s *Store) Claim(ctx context.Context, url string) (bool, error) {
	if err := s.writable(ctx); err != nil {
		return false, err
	}
	var ok bool
	err := s.update(func(tx *bolt.Tx) error {
		seen := tx.Bucket(bucketSeen)
		ok = seen.Get([]byte(url)) == nil
		if !ok {
			return nil
		}
		return seen.Put([]byte(url), []byte{seenDone})
	})
	if err != nil {
		return false, fmt.Errorf("store: claim: %w", err)
	}
	return ok, nil
}

// Commit is what came of one queue item, written in one transaction.
type Commit struct {
	// Records to store, in order, each with its raw bytes (or nil).
	Records []Put
	// Done is the queue key of the item finished (nil for none).
	Done []byte
	// DoneURLs are marked done in the run's seen-set.
	DoneURLs []string
	// Push lists the links found, queued unless seen.
	Push []QueueItem
	// Reject lists URLs found and refused (by a trap guard): they are
	// marked seen so that each is reported once per run.
	Reject []string
}

// Put is one record of a Commit.
type Put struct {
	Record *Record
	Raw    []byte
	// Dedupe sets Record.DuplicateOf to another live URL holding the same
	// hash, if DuplicateOf is empty, inside the transaction.
	Dedupe bool
}

// Commit stores c atomically: records (with their raw bytes and index
// entries), the item's removal from the queue and the new links. It
// returns how many links were newly queued and which rejected URLs were
// new to the run.
func (s *Store) Commit(ctx context.Context, c *Commit) (added int, rejected []string, err error) {
	res, err := s.CommitAll(ctx, []*Commit{c})
	if err != nil {
		return 0, nil, err
	}
	return res[0].Added, res[0].Rejected, nil
}

// CommitResult is what CommitAll did with one Commit.
type CommitResult struct {
	Added    int      // links newly queued
	Rejected []string // rejected URLs new to the run
}

// CommitAll stores several Commits in one transaction (one disk sync), in
// order: all of them or none.
func (s *Store) CommitAll(ctx context.Context, cs []*Commit) ([]CommitResult, error) {
	if err := s.writable(ctx); err != nil {
		return nil, err
	}
	for _, c := range cs {
		for _, p := range c.Records {
			if err := checkRecord(p.Record, p.Raw); err != nil {
				return nil, err
			}
		}
	}
	out := make([]CommitResult, len(cs))
	err := s.update(func(tx *bolt.Tx) error {
		for i, c := range cs {
			r, err := commitTx(tx, c)
			if err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	return out, nil
}

func commitTx(tx *bolt.Tx, c *Commit) (CommitResult, error) {
	var res CommitResult
	for _, p := range c.Records {
		rec := p.Record
		if p.Dedupe && rec.DuplicateOf == "" && rec.Hash != "" {
			other, err := urlForHash(tx, rec.Hash, rec.URL)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return res, err
			}
			if other != "" && preferURL(rec.URL, other) {
				// rec's URL is the better name for these bytes: the
				// other holder becomes the duplicate, so which URL is
				// kept does not depend on the order of fetching.
				if err := demote(tx, other, rec.URL); err != nil {
					return res, err
				}
				other = ""
			}
			rec.DuplicateOf = other
		}
		if err := putTx(tx, rec, p.Raw); err != nil {
			return res, err
		}
	}
	if c.Done != nil {
		if err := tx.Bucket(bucketQueue).Delete(c.Done); err != nil {
			return res, err
		}
	}
	seen := tx.Bucket(bucketSeen)
	for _, u := range c.DoneURLs {
		if err := seen.Put([]byte(u), []byte{seenDone}); err != nil {
			return res, err
		}
	}
	n, err := enqueue(tx, c.Push)
	if err != nil {
		return res, err
	}
	res.Added = n
	res.Rejected, err = reject(tx, c.Reject, nil)
	return res, err
}

// Unseen calls fn with up to n records after the URL after (in URL order)
// that were not seen in this run, and returns the last URL looked at ("" at
// the end). The records are partial, as from Peek, and without the page's
// links. It reads in short transactions so that
// the caller may write between calls.
func (s *Store) Unseen(ctx context.Context, after string, n int, fn func(*Record)) (last string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	err = s.view(func(tx *bolt.Tx) error {
		seen := tx.Bucket(bucketSeen)
		c := tx.Bucket(bucketHead).Cursor()
		var k, v []byte
		if after == "" {
			k, v = c.First()
		} else {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		for i := 0; k != nil && i < n; k, v = c.Next() {
			i++
			last = string(k)
			if seen != nil && seen.Get(k) != nil {
				continue
			}
			rec, err := decodeHead(v, false)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			fn(rec)
		}
		if k == nil {
			last = "" // the end
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: unseen: %w", err)
	}
	return last, nil
}

// Translations returns the URLs of the records whose TranslationKey is key,
// in URL order.
func (s *Store) Translations(ctx context.Context, key string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if key == "" {
		return nil, nil
	}
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTrans)
		if b == nil {
			return nil
		}
		prefix := hashKey(key, "")
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: translations: %w", err)
	}
	return out, nil
}

// preferURL reports whether a is a better name than b for one document
// served under both: the shorter URL (a mirror or legacy path is usually
// longer), then the lexically smaller one.
func preferURL(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// demote marks the record at u as a duplicate of original.
func demote(tx *bolt.Tx, u, original string) error {
	v := tx.Bucket(bucketRecords).Get([]byte(u))
	if v == nil {
		return nil
	}
	rec, err := decode(v)
	if err != nil {
		return err
	}
	rec.DuplicateOf = original
	return putTx(tx, rec, nil)
}
