package crawler

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// process fetches one queue item and returns what came of it, for the
// writer; nil leaves the item queued (the run is stopping). It returns
// only errors that must end the run.
func (r *run) process(ctx context.Context, it store.QueueItem) (out *work, err error) {
	w := &work{item: it, c: store.Commit{Done: it.Key}}
	defer func() {
		if out == nil { // the links w reserved room for are not pushed
			r.front.unreserve(len(w.c.Push))
		}
	}()
	if it.Prev != nil { // from the revalidation pass: not in the queue, held
		w.c.DoneURLs = []string{it.URL}
		w.held = []string{it.URL}
	}
	u, err := url.Parse(it.URL)
	if err != nil { // cannot happen: items are normalised
		r.front.refund()
		return w, nil
	}
	if !r.tally.hostQuota(u.Host, r.opts.MaxPagesPerHost) {
		r.front.refund()
		w.count(outFailed, ReasonHostLimit)
		return w, nil
	}
	rules := r.robots(ctx, u)
	if ctx.Err() != nil {
		return nil, nil
	}
	if !rules.allowed(u) {
		r.front.refund()
		r.debug(it, "disallowed by robots.txt")
		w.count(outFailed, ReasonRobots)
		return w, nil
	}
	prev := it.Prev // the pass's head, without links
	if prev == nil || r.followUnchanged {
		if prev, err = r.lookup(ctx, it.URL); err != nil {
			return r.stopped(ctx, err)
		}
	}
	w.progress = true
	if fresh(prev, it.Lastmod) {
		r.front.refund()
		r.debug(it, "unchanged since the sitemap's lastmod: not requested")
		w.count(outUnchanged, "")
		if r.followUnchanged {
			r.follow(w, prev, it.Depth)
		}
		return w, nil
	}
	res := r.fetch(ctx, u, prev, it.Leaf)
	if ctx.Err() != nil {
		return nil, nil
	}
	if res.storeErr != nil {
		return nil, res.storeErr
	}
	w.c.DoneURLs = append(w.c.DoneURLs, res.claimed...)
	if err := r.record(ctx, w, it, u, prev, res); err != nil {
		return r.stopped(ctx, err)
	}
	if ctx.Err() != nil {
		return nil, nil
	}
	return w, nil
}

// stopped returns what process returns for err: nothing if the run is
// stopping (err is then most likely its doing), else err.
func (r *run) stopped(ctx context.Context, err error) (*work, error) {
	if ctx.Err() != nil {
		return nil, nil
	}
	return nil, err
}

// debug logs a line about it. (Logger.With would allocate for every URL,
// though debug lines are rarely enabled.)
func (r *run) debug(it store.QueueItem, msg string, args ...any) {
	r.opts.Logger.Debug(msg, append([]any{"url", it.URL, "depth", it.Depth}, args...)...)
}

// record adds to w what the fetch of it (the URL u, stored as prev) does
// to the stored records: the records of the redirecting URLs, and of the
// URL holding the content.
func (r *run) record(ctx context.Context, w *work, it store.QueueItem, u *url.URL, prev *store.Record, res *fetchResult) error {
	now := time.Now().UTC()
	if res.reason != "" {
		r.debug(it, "fetch failed", "reason", res.reason, "err", res.err)
		in := response{url: u, depth: it.Depth, now: now, reason: res.reason, err: res.err, status: res.status}
		return r.apply(ctx, w, prev, in, transition(prev, in))
	}
	if n := len(res.hops); n > 1 || res.stopAt != "" {
		target := res.stopAt
		redirecting := res.hops
		if target == "" {
			target = res.final.String()
			redirecting = res.hops[:n-1]
		}
		for i, h := range redirecting {
			hp := prev
			if i > 0 {
				var err error
				if hp, err = r.lookup(ctx, h.String()); err != nil {
					return err
				}
			}
			in := response{url: h, depth: it.Depth, now: now, redirect: target, status: res.status}
			if err := r.apply(ctx, w, hp, in, transition(hp, in)); err != nil {
				return err
			}
		}
		r.debug(it, "redirected", "to", target)
		if res.stopAt != "" {
			return nil
		}
	}
	in := response{url: res.final, depth: it.Depth, leaf: it.Leaf, now: now, status: res.status,
		header: res.header, body: res.body, rediscover: r.followUnchanged}
	if in.status >= 200 && in.status <= 299 {
		in.hash = contentHash(in.body)
	}
	ch := transition(res.prev, in)
	if ch.extract {
		in.page, in.extractErr = extract.Extract(ctx, in.body, in.header.Get("Content-Type"), in.url, r.opts.Extract)
		if ctx.Err() != nil {
			return nil
		}
		in.extracted = true
		ch = transition(res.prev, in)
	}
	if ch.out == outFailed && in.extractErr != nil {
		r.opts.Logger.Debug("extraction failed", "url", in.url.String(), "reason", ch.reason, "err", in.extractErr)
	} else if ch.rec != nil && ch.raw {
		r.opts.Logger.Debug("fetched", "url", in.url.String(), "status", in.status, "bytes", len(in.body), "outcome", ch.out)
	}
	return r.apply(ctx, w, res.prev, in, ch)
}

// apply carries out ch, the change in makes to prev, in w: it counts the
// outcome, queues the links and adds the record to the commit. Where ch
// keeps the stored record and prev is only its head, the record is read
// whole and the change made again from it.
func (r *run) apply(ctx context.Context, w *work, prev *store.Record, in response, ch change) error {
	if ch.rec != nil && ch.wholePage && prev.Partial() {
		whole, err := r.st.Get(ctx, prev.URL)
		if err != nil {
			return err
		}
		prev, ch = whole, transition(whole, in)
	}
	w.count(ch.out, ch.reason)
	rec := ch.rec
	if ch.follow {
		if rec != nil {
			r.follow(w, rec, in.depth)
		} else {
			r.follow(w, prev, in.depth)
		}
	}
	if rec == nil {
		return nil
	}
	var raw []byte
	if ch.raw {
		raw = in.body
	}
	if ch.dedupe {
		r.dedupe(w, rec, raw)
		return nil
	}
	w.put(rec, raw, false)
	return nil
}

// dedupe sets rec.DuplicateOf to a declared canonical URL in scope (and
// queues it), or asks the commit to point it at another live URL holding
// the same bytes, and adds rec to the commit.
func (r *run) dedupe(w *work, rec *store.Record, raw []byte) {
	rec.DuplicateOf = ""
	if rec.Canonical != "" && rec.Canonical != rec.URL && rec.Canonical != rec.FinalURL {
		if cu, ok := r.inScope(rec.Canonical); ok {
			rec.DuplicateOf = cu.String()
			r.push(w, store.QueueItem{URL: rec.DuplicateOf, Depth: rec.Depth})
		}
	}
	w.put(rec, raw, rec.Hash != "")
}

// lookup returns the stored record of u without its text (store.Peek),
// or nil.
func (r *run) lookup(ctx context.Context, u string) (*store.Record, error) {
	rec, err := r.st.Peek(ctx, u)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return rec, err
}
