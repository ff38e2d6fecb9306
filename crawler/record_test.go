package crawler

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// TestTransition lists every transition of a stored record: what each kind
// of response does to each kind of stored record.
func TestTransition(t *testing.T) {
	const (
		u      = "https://example.org/a.html"
		target = "https://example.org/b.html"
	)
	pu, _ := url.Parse(u)
	then := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	body := []byte("<html><title>A</title><p>text</p></html>")
	hash := contentHash(body)
	page := &extract.Page{Title: "A", Text: "text", Links: []string{target}}

	// Stored records, one of each kind.
	good := &store.Record{URL: u, FinalURL: u, Depth: 1, FetchedAt: then, Status: 200, ContentType: "text/html",
		ETag: `"v1"`, LastModified: "Thu, 02 Jan 2025 03:04:05 GMT", Hash: "old", Size: 10,
		Page: &extract.Page{Title: "Old", Text: "old text", Links: []string{target}}}
	with := func(r *store.Record, f func(*store.Record)) *store.Record {
		c := *r
		f(&c)
		return &c
	}
	sameBody := with(good, func(r *store.Record) { r.Hash = hash; r.Canonical = "https://example.org/c.html" })
	noted := with(good, func(r *store.Record) { r.Err, r.ErrReason = "http-503", "http-503" })
	gone404 := with(good, func(r *store.Record) { r.Gone, r.Status = true, 404 })
	failedRec := &store.Record{URL: u, Depth: 1, FetchedAt: then, Status: 500, Err: "http-500", ErrReason: "http-500"}
	unreadable := &store.Record{URL: u, FinalURL: u, Depth: 1, FetchedAt: then, Status: 200, Hash: "old",
		Err: "extract: malformed", ErrReason: extract.ReasonMalformed}
	redirect := &store.Record{URL: u, FinalURL: target, DuplicateOf: target, Depth: 1, FetchedAt: then, Status: 200}

	// Responses.
	resp := func(status int, f func(*response)) response {
		in := response{url: pu, depth: 2, now: now, status: status, header: http.Header{}}
		if status >= 200 && status <= 299 {
			in.header.Set("Content-Type", "text/html")
			in.header.Set("ETag", `"v2"`)
			in.body, in.hash = body, hash
		}
		if f != nil {
			f(&in)
		}
		return in
	}
	extracted := func(p *extract.Page, err error) func(*response) {
		return func(in *response) { in.extracted, in.page, in.extractErr = true, p, err }
	}
	// fresh is the record a 2xx response makes.
	fresh := func(f func(*store.Record)) *store.Record {
		r := &store.Record{URL: u, FinalURL: u, Depth: 2, FetchedAt: now, Status: 200, ContentType: "text/html",
			ETag: `"v2"`, Hash: hash, Size: int64(len(body)), Page: page}
		if f != nil {
			f(r)
		}
		return r
	}
	failure := func(status int, reason extract.Reason, msg string) *store.Record {
		return &store.Record{URL: u, Depth: 2, FetchedAt: now, Status: status, Err: msg, ErrReason: reason}
	}

	tests := []struct {
		name string
		prev *store.Record
		in   response
		want change
	}{
		// A failed request.
		{"network failure, new URL", nil, resp(0, func(in *response) { in.reason, in.err = ReasonNetwork, errors.New("reset") }),
			change{out: outFailed, reason: ReasonNetwork, rec: failure(0, ReasonNetwork, "reset")}},
		{"too large keeps the stored document", good, resp(200, func(in *response) { in.reason, in.body = ReasonTooLarge, nil }),
			change{out: outFailed, reason: ReasonTooLarge, wholePage: true, follow: true,
				rec: with(good, func(r *store.Record) { r.Err, r.ErrReason = "too-large", ReasonTooLarge })}},
		{"failure after a failure", failedRec, resp(0, func(in *response) { in.reason = ReasonTimeout }),
			change{out: outFailed, reason: ReasonTimeout, rec: failure(0, ReasonTimeout, "timeout")}},
		{"failure of a gone URL", gone404, resp(0, func(in *response) { in.reason = ReasonRobots }),
			change{out: outFailed, reason: ReasonRobots, rec: failure(0, ReasonRobots, "robots")}},

		// Redirects.
		{"redirect, new URL", nil, resp(200, func(in *response) { in.redirect = target }),
			change{out: outNew, rec: &store.Record{URL: u, FinalURL: target, DuplicateOf: target, Depth: 2, FetchedAt: now, Status: 200}}},
		{"redirect as stored", redirect, resp(200, func(in *response) { in.redirect = target }),
			change{out: outUnchanged}},
		{"redirect elsewhere", redirect, resp(200, func(in *response) { in.redirect = "https://example.org/d.html" }),
			change{out: outChanged, rec: &store.Record{URL: u, FinalURL: "https://example.org/d.html",
				DuplicateOf: "https://example.org/d.html", Depth: 2, FetchedAt: now, Status: 200}}},
		{"a document now redirects", good, resp(200, func(in *response) { in.redirect = target }),
			change{out: outChanged, rec: &store.Record{URL: u, FinalURL: target, DuplicateOf: target, Depth: 2, FetchedAt: now, Status: 200}}},

		// 304 Not Modified.
		{"304, validators as stored", good, resp(304, nil), change{out: outUnchanged}},
		{"304, rediscover follows", good, resp(304, func(in *response) { in.rediscover = true }),
			change{out: outUnchanged, follow: true}},
		{"304 of a leaf never follows", good, resp(304, func(in *response) { in.rediscover, in.leaf = true, true }),
			change{out: outUnchanged}},
		{"304 with a new ETag", good, resp(304, func(in *response) { in.header.Set("ETag", `"v2"`) }),
			change{out: outUnchanged, wholePage: true, dedupe: true,
				rec: with(good, func(r *store.Record) { r.ETag, r.FetchedAt, r.Depth = `"v2"`, now, 2 })}},
		{"304 clears an error note", noted, resp(304, nil),
			change{out: outUnchanged, wholePage: true, dedupe: true,
				rec: with(good, func(r *store.Record) { r.FetchedAt, r.Depth = now, 2 })}},
		{"304 without a stored copy", nil, resp(304, nil),
			change{out: outFailed, reason: "http-304", rec: failure(304, "http-304", "304 Not Modified without a stored copy")}},
		{"304 of a failure", failedRec, resp(304, nil),
			change{out: outFailed, reason: "http-304", rec: failure(304, "http-304", "304 Not Modified without a stored copy")}},

		// 404 and 410.
		{"404 of a document: gone", good, resp(404, nil),
			change{out: outGone, wholePage: true, rec: with(good, func(r *store.Record) { r.Gone, r.Status, r.FetchedAt = true, 404, now })}},
		{"410 of a noted document: gone, note cleared", noted, resp(410, nil),
			change{out: outGone, wholePage: true, rec: with(good, func(r *store.Record) { r.Gone, r.Status, r.FetchedAt = true, 410, now })}},
		{"404 of an unreadable body: gone", unreadable, resp(404, nil),
			change{out: outGone, wholePage: true, rec: with(unreadable, func(r *store.Record) {
				r.Gone, r.Status, r.FetchedAt, r.Err, r.ErrReason = true, 404, now, "", ""
			})}},
		{"still gone", gone404, resp(404, nil), change{out: outUnchanged}},
		{"gone, now 410", gone404, resp(410, nil),
			change{out: outUnchanged, wholePage: true, rec: with(gone404, func(r *store.Record) { r.Status, r.FetchedAt = 410, now })}},
		{"404, never a document", nil, resp(404, nil),
			change{out: outFailed, reason: "http-404", rec: failure(404, "http-404", "http-404")}},
		{"404 after a failure", failedRec, resp(404, nil),
			change{out: outFailed, reason: "http-404", rec: failure(404, "http-404", "http-404")}},

		// Other statuses.
		{"500, new URL", nil, resp(500, nil), change{out: outFailed, reason: "http-500", rec: failure(500, "http-500", "http-500")}},
		{"403 keeps the stored document", good, resp(403, nil),
			change{out: outFailed, reason: "http-403", wholePage: true, follow: true,
				rec: with(good, func(r *store.Record) { r.Err, r.ErrReason = "http-403", "http-403" })}},

		// 2xx bodies.
		{"200, new: extract first", nil, resp(200, nil), change{extract: true}},
		{"200, changed: extract first", good, resp(200, nil), change{extract: true}},
		{"200, new", nil, resp(200, extracted(page, nil)),
			change{out: outNew, rec: fresh(nil), raw: true, dedupe: true, follow: true}},
		{"200, changed", good, resp(200, extracted(page, nil)),
			change{out: outChanged, rec: fresh(nil), raw: true, dedupe: true, follow: true}},
		{"200 after an unreadable body", unreadable, resp(200, extracted(page, nil)),
			change{out: outChanged, rec: fresh(nil), raw: true, dedupe: true, follow: true}},
		{"200 after a failure: new", failedRec, resp(200, extracted(page, nil)),
			change{out: outNew, rec: fresh(nil), raw: true, dedupe: true, follow: true}},
		{"200, same bytes: unchanged", sameBody, resp(200, nil),
			change{out: outUnchanged, wholePage: true, raw: true, dedupe: true, rec: fresh(func(r *store.Record) {
				r.Page, r.Canonical = sameBody.Page, sameBody.Canonical
			})}},
		{"200, same bytes, rediscover follows", sameBody, resp(200, func(in *response) { in.rediscover = true }),
			change{out: outUnchanged, wholePage: true, raw: true, dedupe: true, follow: true, rec: fresh(func(r *store.Record) {
				r.Page, r.Canonical = sameBody.Page, sameBody.Canonical
			})}},
		{"200, a canonical link is normalised", nil, resp(200, extracted(&extract.Page{Canonical: "HTTPS://Example.org/c.html#top"}, nil)),
			change{out: outNew, raw: true, dedupe: true, follow: true, rec: fresh(func(r *store.Record) {
				r.Page, r.Canonical = &extract.Page{Canonical: "HTTPS://Example.org/c.html#top"}, "https://example.org/c.html"
			})}},
		{"200, robots noindex: stored, not indexable", nil, resp(200, extracted(&extract.Page{NoIndex: true, NoFollow: true}, nil)),
			change{out: outNew, raw: true, dedupe: true, follow: true, rec: fresh(func(r *store.Record) {
				r.Page = &extract.Page{NoIndex: true, NoFollow: true}
			})}},
		{"200, extraction failed", good, resp(200, extracted(nil, &extract.Error{Reason: extract.ReasonNoText})),
			change{out: outFailed, reason: extract.ReasonNoText, raw: true, rec: fresh(func(r *store.Record) {
				r.Page, r.Err, r.ErrReason = nil, "extract: no-text", extract.ReasonNoText
			})}},
		{"200, extraction failed without a reason", nil, resp(200, extracted(nil, errors.New("boom"))),
			change{out: outFailed, reason: ReasonExtract, raw: true, rec: fresh(func(r *store.Record) {
				r.Page, r.Err, r.ErrReason = nil, "boom", ReasonExtract
			})}},
		{"200 of a leaf: stored, links not followed", nil, resp(200, func(in *response) {
			in.leaf = true
			in.header.Set("Content-Type", "application/pdf")
			extracted(page, nil)(in)
		}), change{out: outNew, raw: true, dedupe: true, rec: fresh(func(r *store.Record) { r.ContentType = "application/pdf" })}},
		{"200 of a leaf that is a web page", nil, resp(200, func(in *response) { in.leaf = true }),
			change{out: outFailed, reason: ReasonOffsitePage,
				rec: failure(200, ReasonOffsitePage, "an off-site link to a web page, not a document")}},
		{"a locale variant", nil, resp(200, func(in *response) {
			in.url, _ = url.Parse("https://example.org/a_fr.html")
			extracted(page, nil)(in)
		}), change{out: outNew, raw: true, dedupe: true, follow: true, rec: fresh(func(r *store.Record) {
			r.URL, r.FinalURL = "https://example.org/a_fr.html", "https://example.org/a_fr.html"
			r.Lang, r.TranslationKey = "fr", "https://example.org/a_*.html"
		})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before store.Record
			if tc.prev != nil {
				before = *tc.prev
			}
			got := transition(tc.prev, tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("transition (-want +got):\n-%+v\n+%+v", tc.want, got)
				if got.rec != nil && tc.want.rec != nil {
					t.Errorf("record (-want +got):\n-%+v\n+%+v", *tc.want.rec, *got.rec)
				}
			}
			if tc.prev != nil && !reflect.DeepEqual(before, *tc.prev) {
				t.Errorf("transition changed prev:\n-%+v\n+%+v", before, *tc.prev)
			}
		})
	}
}

func TestFresh(t *testing.T) {
	fetched := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	good := &store.Record{Status: 200, FetchedAt: fetched, Page: &extract.Page{}}
	tests := []struct {
		name    string
		prev    *store.Record
		lastmod time.Time
		want    bool
	}{
		{"lastmod before the fetch", good, fetched.Add(-time.Hour), true},
		{"lastmod at the fetch", good, fetched, true},
		{"lastmod after the fetch", good, fetched.Add(time.Hour), false},
		{"no lastmod", good, time.Time{}, false},
		{"never stored", nil, fetched, false},
		{"gone", &store.Record{Status: 404, Gone: true, FetchedAt: fetched, Page: &extract.Page{}}, fetched, false},
		{"noted error", &store.Record{Status: 200, FetchedAt: fetched, Page: &extract.Page{}, ErrReason: "http-503"}, fetched, false},
		{"no page", &store.Record{Status: 200, FetchedAt: fetched}, fetched, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := fresh(tc.prev, tc.lastmod); got != tc.want {
				t.Errorf("fresh = %v, want %v", got, tc.want)
			}
		})
	}
}
