package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// A head is the record of a URL without its page's text, kept in its own
// bucket beside the record: what a re-crawl reads for every URL it
// revalidates (validators, hash, depth, flags and the page's links). It is
// read far more often than it is written, so it has a compact binary form
// whose decoding makes one string for all its fields: a re-crawl of an
// unchanged site spent more time decoding JSON heads than on anything but
// its HTTP requests.
//
// Layout: headVersion, then uvarint-prefixed strings and uvarints in the
// order of encodeHead. Heads written by older versions are JSON (they start
// with '{') and are still read; a writable Open rewrites them.
const headVersion = 1

var errHead = fmt.Errorf("%w: malformed record head", ErrCorrupt)

// headFlags
const (
	headGone = 1 << iota
	headPage
	headNoIndex
	headNoFollow
)

func headOf(rec *Record) ([]byte, error) {
	n := 64 + len(rec.URL) + len(rec.FinalURL) + len(rec.Canonical) + len(rec.ContentType) + len(rec.ETag) +
		len(rec.LastModified) + len(rec.Hash) + len(rec.DuplicateOf) + len(rec.Err) + len(rec.ErrReason) +
		len(rec.Lang) + len(rec.TranslationKey)
	if p := rec.Page; p != nil {
		n += len(p.Canonical)
		for _, l := range p.Links {
			n += len(l) + 2
		}
	}
	b := make([]byte, 0, n)
	b = append(b, headVersion)
	for _, s := range [...]string{rec.URL, rec.FinalURL, rec.Canonical, rec.ContentType, rec.ETag,
		rec.LastModified, rec.Hash, rec.DuplicateOf, rec.Err, string(rec.ErrReason), rec.Lang, rec.TranslationKey} {
		b = appendString(b, s)
	}
	var fetched int64
	if !rec.FetchedAt.IsZero() {
		fetched = rec.FetchedAt.UnixNano()
	}
	if rec.Depth < 0 || rec.Status < 0 || rec.Size < 0 {
		return nil, fmt.Errorf("%w: negative depth, status or size in %s", ErrInvalid, rec.URL)
	}
	b = binary.AppendUvarint(b, uint64(rec.Depth))
	b = binary.AppendUvarint(b, uint64(rec.Status))
	b = binary.AppendUvarint(b, uint64(rec.Size))
	b = binary.AppendVarint(b, fetched)
	var flags byte
	if rec.Gone {
		flags |= headGone
	}
	p := rec.Page
	if p != nil {
		flags |= headPage
		if p.NoIndex {
			flags |= headNoIndex
		}
		if p.NoFollow {
			flags |= headNoFollow
		}
	}
	b = append(b, flags)
	if p != nil {
		b = appendString(b, p.Canonical)
		b = binary.AppendUvarint(b, uint64(len(p.Links)))
		for _, l := range p.Links {
			b = appendString(b, l)
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeHead reads a head (binary or JSON) into a partial record; with
// links false it leaves out the page's links.
func decodeHead(v []byte, links bool) (*Record, error) {
	if len(v) > 0 && v[0] == '{' {
		return decodeJSONHead(v, links)
	}
	if len(v) == 0 || v[0] != headVersion {
		return nil, errHead
	}
	d := headDecoder{s: string(v), i: 1}
	rec := &Record{partial: true}
	var reason string
	for _, f := range [...]*string{&rec.URL, &rec.FinalURL, &rec.Canonical, &rec.ContentType, &rec.ETag,
		&rec.LastModified, &rec.Hash, &rec.DuplicateOf, &rec.Err, &reason, &rec.Lang, &rec.TranslationKey} {
		*f = d.str()
	}
	rec.ErrReason = extract.Reason(reason)
	rec.Depth = int(d.uvarint())
	rec.Status = int(d.uvarint())
	rec.Size = int64(d.uvarint())
	if t := d.varint(); t != 0 {
		rec.FetchedAt = time.Unix(0, t).UTC()
	}
	flags := d.byte()
	rec.Gone = flags&headGone != 0
	if flags&headPage != 0 {
		rec.Page = &extract.Page{Canonical: d.str(), NoIndex: flags&headNoIndex != 0, NoFollow: flags&headNoFollow != 0}
		if links {
			n := d.uvarint()
			if n > uint64(len(d.s)) {
				d.bad = true
			} else if n > 0 {
				rec.Page.Links = make([]string, n)
				for i := range rec.Page.Links {
					rec.Page.Links[i] = d.str()
				}
			}
		}
	}
	if d.bad {
		return nil, errHead
	}
	return rec, nil
}

// headDecoder reads fields from a head held in one string, so that each
// field is a substring of it (no allocation per field).
type headDecoder struct {
	s   string
	i   int
	bad bool
}

func (d *headDecoder) uvarint() uint64 {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		if d.i >= len(d.s) || shift > 63 {
			d.bad = true
			return 0
		}
		c := d.s[d.i]
		d.i++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
}

func (d *headDecoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *headDecoder) byte() byte {
	if d.i >= len(d.s) {
		d.bad = true
		return 0
	}
	d.i++
	return d.s[d.i-1]
}

func (d *headDecoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.s)-d.i) {
		d.bad = true
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
}

// jsonHead is the JSON form of heads written before the binary one.
type jsonHead struct {
	Record
	Page *struct {
		Canonical string   `json:"canonical,omitempty"`
		Links     []string `json:"links,omitempty"`
		NoIndex   bool     `json:"noindex,omitempty"`
		NoFollow  bool     `json:"nofollow,omitempty"`
	} `json:"page,omitempty"`
}

// decodeJSONHead reads a JSON head, or a whole JSON record (its text is
// skipped), into a partial record.
func decodeJSONHead(v []byte, links bool) (*Record, error) {
	var h jsonHead
	if err := json.Unmarshal(v, &h); err != nil {
		return nil, fmt.Errorf("decode record head: %w: %w", ErrCorrupt, err)
	}
	rec := &h.Record
	rec.partial = true
	if h.Page != nil {
		rec.Page = &extract.Page{Canonical: h.Page.Canonical, NoIndex: h.Page.NoIndex, NoFollow: h.Page.NoFollow}
		if links {
			rec.Page.Links = h.Page.Links
		}
	}
	return rec, nil
}
