package search

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kbsearch/kbsearch/indexer"
)

// A cursor is the place of a page's last hit in its search's order (its
// sort keys: date, score, id), so that the next page is the hits that
// follow it (search after): a bounded heap whatever the depth, where a
// page N of Size costs a heap of N x Size.
//
// On the wire it is base64url of a small binary record ending in a CRC-32
// of the rest: a cursor altered or cut short fails the check and is a 400,
// never read as keys. It is not secret and not signed (it holds nothing a
// client could not learn from the answers): the checksum tells damage
// from a cursor, and the fingerprint of the search it belongs to tells a
// cursor pasted onto another search.
//
// A cursor names the index generation it was made on. Scores depend on
// the generation's statistics, so a cursor whose order compares scores
// (relevance with a query, or a date order with a query, whose ties fall
// to the score) expires when another generation is served: KindExpired.
// One whose order compares only dates and ids (no scoring words) goes on
// across a swap from where it stopped: documents added since before it
// are not shown, those after it are.

// cursorVersion is the first byte of a cursor's record.
const cursorVersion = 1

// MaxCursorBytes bounds a cursor as sent: far more than one this server
// makes (an id of up to 255 bytes), so a longer one is refused unread.
const MaxCursorBytes = 512

const (
	cursorScored = 1 << iota // the order compares scores
)

// cursor is the decoded record.
type cursor struct {
	sort   byte   // sortCode
	flags  byte   // cursorScored
	gen    uint64 // fnv-64a of the generation's Identity
	search uint64 // fingerprint of the search (searchFingerprint)
	page   uint32 // the page this cursor opens
	date   int64
	score  float64
	id     string
}

// sortCode numbers the sort orders in a cursor.
func sortCode(sortBy string) byte {
	switch sortBy {
	case SortNewest:
		return 1
	case SortOldest:
		return 2
	}
	return 0
}

func (c *cursor) encode() string {
	b := make([]byte, 0, 48+len(c.id))
	b = append(b, cursorVersion, c.sort, c.flags)
	b = binary.BigEndian.AppendUint64(b, c.gen)
	b = binary.BigEndian.AppendUint64(b, c.search)
	b = binary.AppendUvarint(b, uint64(c.page))
	b = binary.BigEndian.AppendUint64(b, uint64(c.date))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(c.score))
	b = append(b, byte(len(c.id)))
	b = append(b, c.id...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

// errBadCursor answers a cursor that is not one of ours, or damaged.
var errBadCursor = Errorf(KindInvalid, `parameter "cursor": not a cursor this server made, or altered; start again without it`)

func decodeCursor(s string) (*cursor, error) {
	if len(s) > MaxCursorBytes {
		return nil, errBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 3+8+8+1+8+8+1+4 {
		return nil, errBadCursor
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum || body[0] != cursorVersion || body[1] > 2 || body[2]&^cursorScored != 0 {
		return nil, errBadCursor
	}
	c := &cursor{sort: body[1], flags: body[2]}
	rest := body[3:]
	c.gen, c.search = binary.BigEndian.Uint64(rest), binary.BigEndian.Uint64(rest[8:])
	rest = rest[16:]
	page, n := binary.Uvarint(rest)
	if n <= 0 || page < 2 || page > math.MaxUint32 {
		return nil, errBadCursor
	}
	c.page, rest = uint32(page), rest[n:]
	if len(rest) < 8+8+1 {
		return nil, errBadCursor
	}
	c.date, c.score = int64(binary.BigEndian.Uint64(rest)), math.Float64frombits(binary.BigEndian.Uint64(rest[8:]))
	rest = rest[16:]
	if int(rest[0]) != len(rest)-1 || math.IsNaN(c.score) || math.IsInf(c.score, 0) {
		return nil, errBadCursor
	}
	c.id = string(rest[1:])
	return c, nil
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// searchFingerprint is what a cursor must be used with: the normalized
// query, filters, order and recency of req (not its page or size).
func searchFingerprint(req Request, recency time.Duration) uint64 {
	var b strings.Builder
	b.WriteString(req.Query)
	for _, vs := range [][]string{req.Themes, req.Types, req.Years, req.Places, req.Kinds, req.Langs} {
		b.WriteByte(0)
		vs = slices.Clone(vs)
		slices.Sort(vs)
		b.WriteString(strings.Join(slices.Compact(vs), "\x01"))
	}
	for _, t := range []time.Time{req.From, req.To} {
		b.WriteByte(0)
		if !t.IsZero() {
			b.WriteString(strconv.FormatInt(t.UnixNano(), 10))
		}
	}
	b.WriteByte(0)
	b.WriteString(req.Sort)
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(int64(recency), 10))
	return hash64(b.String())
}

// sortKey is a document's place in a search's order: what order compares.
type sortKey struct {
	date  int64   // indexer.NoDate for none
	score float64 // 0 without scores
	// rank is 2 x IDRank + 1 for a document; a cursor's id that no
	// document of the Reader has falls between two, on an even number.
	rank uint64
}

// after resolves a cursor against r: the key every hit of the next page
// must follow. It fails with KindInvalid for a cursor of another search,
// KindExpired for one whose keys the served generation cannot compare.
func (c *cursor) after(r *indexer.Reader, req Request, recency time.Duration, scored bool) (sortKey, error) {
	if c.search != searchFingerprint(req, recency) || c.sort != sortCode(req.Sort) || (c.flags&cursorScored != 0) != scored {
		return sortKey{}, Errorf(KindInvalid, `parameter "cursor": the cursor belongs to another search (its query, filters, sort or recency differ); send it with the parameters of the page it came with`)
	}
	if scored && c.gen != hash64(r.Identity()) {
		return sortKey{}, Errorf(KindExpired, "the cursor expired: the index was rebuilt since it was given, and its scores changed; start again from the first page")
	}
	k := sortKey{date: c.date, score: c.score}
	bound, found := r.IDBound(c.id)
	k.rank = 2 * uint64(bound)
	if found {
		k.rank++
	}
	return k, nil
}

// next returns the cursor of the page after the one ending with key k of
// document id.
func nextCursor(r *indexer.Reader, req Request, recency time.Duration, scored bool, page int, k sortKey, id string) string {
	if len(id) > math.MaxUint8 || page >= math.MaxUint32 {
		return "" // not an id of ours: no cursor rather than a wrong one
	}
	c := cursor{sort: sortCode(req.Sort), gen: hash64(r.Identity()), search: searchFingerprint(req, recency),
		page: uint32(page + 1), date: k.date, score: k.score, id: id}
	if scored {
		c.flags |= cursorScored
	}
	return c.encode()
}

// compareKeys compares two places in an order of sortBy's code: -1 when a
// comes first. By date (undated last), then by score (higher first), then
// by id.
func compareKeys(by byte, a, b sortKey) int {
	if by != 0 && a.date != b.date {
		return compareDates(by, a.date, b.date)
	}
	if a.score != b.score {
		return cmp.Compare(b.score, a.score)
	}
	return cmp.Compare(a.rank, b.rank)
}

// compareDates compares two different dates in a date order (sortCode 1,
// newest first, or 2): an undated document comes last in both.
func compareDates(by byte, a, b int64) int {
	switch {
	case a == indexer.NoDate:
		return 1
	case b == indexer.NoDate:
		return -1
	case by == 1:
		return cmp.Compare(b, a)
	}
	return cmp.Compare(a, b)
}
