package crawler

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// outcome is how one document ended.
type outcome int

func (o outcome) String() string {
	return [...]string{"new", "changed", "unchanged", "gone", "failed"}[o]
}

const (
	outNew outcome = iota
	outChanged
	outUnchanged
	outGone
	outFailed
)

// response is what requesting one URL came to: the input of transition.
// Exactly one of reason (the request failed), redirect (the URL
// redirects) or status with its header and body (the final response)
// describes it.
type response struct {
	url   *url.URL // the URL whose record changes
	depth int
	leaf  bool // an off-site document: its links are not followed
	now   time.Time

	// reason says why the request failed (retries, redirects and limits
	// included); err is its cause. status is then the last HTTP status
	// received, if any.
	reason extract.Reason
	err    error

	// redirect is the URL that url redirects to, directly or through
	// other hops; status is then the final response's.
	redirect string

	status int
	header http.Header
	body   []byte // of a 2xx response, within MaxBodyBytes
	hash   string // contentHash(body)

	// extracted is set, with page or extractErr, once transition asked
	// for the body's extraction (change.extract).
	extracted  bool
	page       *extract.Page
	extractErr error

	// rediscover follows the links of unchanged documents too (see
	// Options.Rediscover).
	rediscover bool
}

// change is what a response does to the stored record of its URL.
type change struct {
	// rec is the record to write; nil when the stored record still holds.
	rec *store.Record
	// raw writes the response's body as rec's raw bytes.
	raw bool
	// wholePage: rec keeps the stored record's page, of which prev may be
	// only the head (store.Record.Partial): such a prev must be read whole
	// and the transition made again from it.
	wholePage bool
	// dedupe: rec may be a duplicate, by its canonical link (queued) or
	// its hash (checked by the commit, store.Put.Dedupe).
	dedupe bool
	// follow queues the links of rec's page, or of prev's when rec is nil.
	follow bool
	out    outcome
	reason extract.Reason // why, when out is outFailed
	// extract asks for the body's extraction: call transition again with
	// response.extracted set. Nothing else is set.
	extract bool
}

// contentHash is the store's key of a body: its SHA-256, in hex.
func contentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// transition decides what in does to prev, the stored record of in.url
// (nil for a URL never stored): the record to write and how the document
// counts. It is pure (no I/O, no clock, no shared state): the table in
// record_test.go lists every case.
//
//   - A failed request counts as failed; a record that held a document
//     keeps it and notes the error (its links still followed), else a
//     record of the failure replaces it.
//   - A redirect stores a record pointing at its target, counted new,
//     changed or, when the stored one already said so, unchanged and not
//     written.
//   - 304 keeps the stored document (unchanged), rewritten only if its
//     validators or an error note changed; without a stored document it
//     is a failure ("http-304").
//   - 404 and 410 mark a stored document gone; one already gone stays so
//     (unchanged); a URL that never held a document fails ("http-404").
//   - Any other status outside 2xx fails ("http-NNN").
//   - A 2xx body is new or changed, and extracted first (change.extract);
//     an extraction failure is stored with the body and counts as failed
//     by extract's reason. A body with the stored hash keeps the stored
//     page (unchanged). An off-site link that turns out to be a web page
//     fails (ReasonOffsitePage). A page's robots meta rides on the page
//     (NoIndex keeps it out of the index, NoFollow stops follow).
//
// Links are followed for new and changed documents, and for unchanged ones
// only with in.rediscover; never for a leaf (an off-site document).
func transition(prev *store.Record, in response) change {
	switch {
	case in.reason != "":
		return failed(prev, in, in.reason, in.err)
	case in.redirect != "":
		return redirected(prev, in)
	case in.status == http.StatusNotModified:
		return notModified(prev, in)
	case in.status == http.StatusNotFound || in.status == http.StatusGone:
		return gone(prev, in)
	case in.status < 200 || in.status > 299:
		return failed(prev, in, reasonHTTP(in.status), nil)
	}
	return fetched(prev, in)
}

// failed records a failure for reason. A record holding a document keeps
// it, with the error noted.
func failed(prev *store.Record, in response, reason extract.Reason, cause error) change {
	msg := string(reason)
	if cause != nil {
		msg = cause.Error()
	}
	ch := change{out: outFailed, reason: reason}
	if prev != nil && prev.Page != nil && !prev.Gone {
		rec := *prev
		rec.Err, rec.ErrReason = msg, reason
		ch.rec, ch.wholePage, ch.follow = &rec, true, true
		return ch
	}
	ch.rec = &store.Record{URL: in.url.String(), Depth: in.depth, FetchedAt: in.now, Status: in.status,
		Err: msg, ErrReason: reason}
	return ch
}

// redirected records that in.url redirects to in.redirect, which holds
// its content.
func redirected(prev *store.Record, in response) change {
	target := in.redirect
	switch {
	case prev == nil:
		return change{out: outNew, rec: redirectRecord(in)}
	case prev.FinalURL == target && prev.DuplicateOf == target && prev.ErrReason == "" && prev.Status == in.status:
		return change{out: outUnchanged} // the stored redirect still holds
	}
	return change{out: outChanged, rec: redirectRecord(in)}
}

func redirectRecord(in response) *store.Record {
	return &store.Record{URL: in.url.String(), FinalURL: in.redirect, DuplicateOf: in.redirect, Depth: in.depth,
		FetchedAt: in.now, Status: in.status}
}

// notModified keeps the stored document, with the validators the 304
// sent.
func notModified(prev *store.Record, in response) change {
	if prev == nil || prev.Page == nil {
		return failed(prev, in, reasonHTTP(in.status), errors.New("304 Not Modified without a stored copy"))
	}
	ch := change{out: outUnchanged, follow: !in.leaf && in.rediscover}
	rec := *prev
	rec.Err, rec.ErrReason = "", ""
	if v := in.header.Get("ETag"); v != "" {
		rec.ETag = v
	}
	if v := in.header.Get("Last-Modified"); v != "" {
		rec.LastModified = v
	}
	if rec.ETag == prev.ETag && rec.LastModified == prev.LastModified && prev.ErrReason == "" && prev.Err == "" {
		// Nothing to write: the stored record is still true (its
		// FetchedAt stays the time its content was last fetched).
		return ch
	}
	rec.FetchedAt, rec.Depth = in.now, in.depth
	ch.rec, ch.wholePage, ch.dedupe = &rec, true, true
	return ch
}

// gone marks a stored document gone after a 404 or 410.
func gone(prev *store.Record, in response) change {
	switch {
	case prev != nil && prev.Gone:
		if prev.Status == in.status {
			return change{out: outUnchanged} // still gone: nothing to write
		}
		rec := *prev
		rec.FetchedAt, rec.Status = in.now, in.status
		return change{out: outUnchanged, rec: &rec, wholePage: true}
	case prev != nil && (prev.Page != nil || prev.Hash != ""):
		rec := *prev
		rec.FetchedAt, rec.Status, rec.Gone = in.now, in.status, true
		rec.Err, rec.ErrReason = "", ""
		return change{out: outGone, rec: &rec, wholePage: true}
	}
	return failed(prev, in, reasonHTTP(in.status), nil)
}

// fetched stores a 2xx body: the stored page if the bytes did not change,
// else what extraction made of them.
func fetched(prev *store.Record, in response) change {
	us := in.url.String()
	rec := &store.Record{
		URL: us, FinalURL: us, Depth: in.depth, FetchedAt: in.now, Status: in.status,
		ContentType: in.header.Get("Content-Type"), ETag: in.header.Get("ETag"),
		LastModified: in.header.Get("Last-Modified"), Hash: in.hash, Size: int64(len(in.body)),
	}
	rec.Lang, rec.TranslationKey = localeVariant(in.url)
	if in.leaf && extract.Sniff(rec.ContentType, in.body) == "html" {
		return failed(prev, in, ReasonOffsitePage, errors.New("an off-site link to a web page, not a document"))
	}
	ch := change{out: outNew, rec: rec, raw: true, dedupe: true}
	if prev != nil && prev.Hash != "" {
		ch.out = outChanged
	}
	switch {
	case prev != nil && prev.Hash == in.hash && prev.Page != nil:
		rec.Page, rec.Canonical = prev.Page, prev.Canonical
		ch.out, ch.wholePage = outUnchanged, true
	case !in.extracted:
		return change{extract: true}
	case in.extractErr != nil:
		reason := extract.ReasonOf(in.extractErr)
		if reason == "" {
			reason = ReasonExtract
		}
		rec.Err, rec.ErrReason = in.extractErr.Error(), reason
		return change{out: outFailed, reason: reason, rec: rec, raw: true}
	default:
		rec.Page = in.page
		if in.page.Canonical != "" {
			if cu, err := NormalizeURL(in.page.Canonical); err == nil {
				rec.Canonical = cu
			}
		}
	}
	ch.follow = !in.leaf && (ch.out != outUnchanged || in.rediscover)
	return ch
}

// fresh reports whether prev, a stored copy, is at least as new as the
// sitemap's lastmod, so that the URL need not be requested again.
func fresh(prev *store.Record, lastmod time.Time) bool {
	return !lastmod.IsZero() && prev != nil && prev.Page != nil && !prev.Gone && prev.ErrReason == "" &&
		prev.Status == http.StatusOK && !prev.FetchedAt.Before(lastmod)
}
