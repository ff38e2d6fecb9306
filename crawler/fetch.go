package crawler

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// Failure reasons of fetching. They share extract's Reason type, so that
// one closed set names every failure in store.Record.ErrReason and
// Summary.Failed: these, the trap guards' (traps.go), extract's own, and
// "http-NNN" for a status that is not a document (reasonHTTP).
const (
	ReasonRobots           extract.Reason = "robots"               // disallowed by robots.txt (never requested)
	ReasonTooLarge                        = extract.ReasonTooLarge // body over MaxBodyBytes (as extraction's limit)
	ReasonTimeout                         = extract.ReasonTimeout  // the request did not finish within Timeout
	ReasonNetwork          extract.Reason = "network"              // connection or protocol error
	ReasonRedirectLoop     extract.Reason = "redirect-loop"        // a redirect back to a URL of the same chain
	ReasonTooManyRedirects extract.Reason = "too-many-redirects"   // more than MaxRedirects hops
	ReasonBadRedirect      extract.Reason = "bad-redirect"         // a redirect without a usable Location
	ReasonOutOfScope       extract.Reason = "out-of-scope"         // a redirect leaving the allowed hosts or prefixes
	ReasonHostLimit        extract.Reason = "host-limit"           // MaxPagesPerHost reached
	ReasonHostDown         extract.Reason = "host-down"            // the host kept failing and was given up
	ReasonOffsitePage      extract.Reason = "off-site-page"        // an off-site "document" that is a web page
	// ReasonExtract names an extraction error that carries no Reason of
	// its own (extract returns typed errors, so this is a safety net).
	ReasonExtract extract.Reason = "extract"
)

// reasonHTTP is the failure reason of a response with status: "http-404".
func reasonHTTP(status int) extract.Reason { return extract.Reason(fmt.Sprintf("http-%d", status)) }

// fetchResult is the outcome of requesting a URL and following its
// redirects.
type fetchResult struct {
	hops    []*url.URL    // URLs requested, in order
	claimed []string      // redirect targets claimed for this item in the run's seen-set
	final   *url.URL      // the last URL requested
	prev    *store.Record // the stored record of final
	stopAt  string        // a redirect target already seen in this run, not requested
	status  int
	header  http.Header
	body    []byte
	reason  extract.Reason // set when the fetch failed
	err     error          // the cause of reason
	// storeErr is a store read or claim that failed: the run must end.
	storeErr error
}

// fetch requests u (conditionally if prev holds a copy) and follows
// redirects by hand, checking each hop's scope and robots.txt. A leaf (an
// off-site document) may be redirected to any host.
func (r *run) fetch(ctx context.Context, u *url.URL, prev *store.Record, leaf bool) *fetchResult {
	res := &fetchResult{}
	chain := map[string]bool{u.String(): true}
	cur, curPrev := u, prev
	for hop := 0; ; hop++ {
		res.hops = append(res.hops, cur)
		res.final, res.prev = cur, curPrev
		status, header, body, reason, err := r.request(ctx, cur, curPrev)
		res.status, res.header, res.body = status, header, body
		if reason != "" {
			res.reason, res.err = reason, err
			return res
		}
		if !isRedirect(status) {
			return res
		}
		loc := header.Get("Location")
		next, ok := (*url.URL)(nil), false
		if loc != "" {
			if ref, err := cur.Parse(loc); err == nil {
				if norm, err := NormalizeURL(ref.String()); err == nil {
					next, _ = url.Parse(norm)
					ok = next != nil
				}
			}
		}
		inScope := ok && r.c.scope.allows(next)
		if ok && leaf && !inScope {
			inScope = next.Scheme == "http" || next.Scheme == "https"
		}
		switch {
		case !ok:
			res.reason, res.err = ReasonBadRedirect, fmt.Errorf("status %d with Location %q", status, loc)
		case chain[next.String()]:
			res.reason, res.err = ReasonRedirectLoop, fmt.Errorf("%s redirects back to %s", cur, next)
		case hop+1 > r.opts.MaxRedirects:
			res.reason, res.err = ReasonTooManyRedirects, fmt.Errorf("more than %d redirects", r.opts.MaxRedirects)
		case !inScope:
			res.reason, res.err = ReasonOutOfScope, fmt.Errorf("redirect to %s", next)
		case !r.robots(ctx, next).allowed(next):
			res.reason, res.err = ReasonRobots, fmt.Errorf("redirect to %s", next)
		}
		if res.reason != "" {
			return res
		}
		claimed, err := r.st.Claim(ctx, next.String())
		if err != nil {
			res.storeErr = err
			return res
		}
		if !claimed {
			res.stopAt = next.String()
			return res
		}
		res.claimed = append(res.claimed, next.String())
		chain[next.String()] = true
		p, err := r.lookup(ctx, next.String())
		if err != nil {
			res.storeErr = err
			return res
		}
		cur, curPrev = next, p
	}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// request makes a GET of u, politely, retrying what is worth retrying:
// 429 and 503 after their Retry-After (when within MaxBackoff), other
// 5xx gateway errors, timeouts and network errors after an exponential
// backoff with jitter, at most MaxRetries times. Every failure counts
// against the host, which is paused when it keeps failing.
func (r *run) request(ctx context.Context, u *url.URL, prev *store.Record) (status int, header http.Header, body []byte, reason extract.Reason, err error) {
	h := r.hosts.get(u.Host)
	for attempt := 0; ; attempt++ {
		status, header, body, reason, err = r.attempt(ctx, h, u, prev)
		if ctx.Err() != nil || !retryable(status, reason) {
			if reason == "" && status < 500 && status != http.StatusTooManyRequests {
				h.succeeded()
			}
			return status, header, body, reason, err
		}
		wait := r.opts.backoff(attempt)
		ra, hasRA := retryAfter(header, r.now())
		tooLong := hasRA && ra > r.opts.MaxBackoff
		switch {
		case tooLong:
			wait = r.opts.MaxBackoff
		case hasRA:
			wait = ra
		}
		paused, down := r.hosts.failed(h, r.now(), wait)
		if paused > 0 {
			r.opts.Logger.Warn("host keeps failing: pausing it", "host", u.Host, "pause", paused)
		}
		if down {
			r.opts.Logger.Warn("host keeps failing: giving it up for this run", "host", u.Host)
		}
		if tooLong || down || attempt >= r.opts.MaxRetries {
			if reason == "" {
				reason = reasonHTTP(status)
				if tooLong {
					err = fmt.Errorf("Retry-After %s is longer than the %s allowed", ra, r.opts.MaxBackoff)
				}
			}
			return status, header, nil, reason, err
		}
		r.opts.Logger.Debug("retrying", "url", u.String(), "status", status, "reason", reason, "attempt", attempt+1, "wait", wait)
	}
}

// attempt makes one GET and reads a 2xx body within MaxBodyBytes,
// decompressing a gzip Content-Encoding itself so that the limit holds
// for the decompressed bytes (a gzip bomb stops at the limit).
func (r *run) attempt(ctx context.Context, h *host, u *url.URL, prev *store.Record) (status int, header http.Header, body []byte, reason extract.Reason, err error) {
	release, err := r.acquire(ctx, h)
	if err != nil {
		if errors.Is(err, errHostDown) {
			return 0, nil, nil, ReasonHostDown, err
		}
		return 0, nil, nil, ReasonTimeout, err
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, nil, ReasonNetwork, err
	}
	req.Header.Set("User-Agent", r.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip")
	if prev != nil && prev.Page != nil && !prev.Gone && prev.Hash != "" {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	r.tally.request()
	resp, err := r.c.client.Do(req)
	if err != nil {
		return 0, nil, nil, classify(err), err
	}
	defer resp.Body.Close()
	status, header = resp.StatusCode, resp.Header
	if status < 200 || status > 299 {
		io.CopyN(io.Discard, resp.Body, 64<<10) // lets the connection be reused
		return status, header, nil, "", nil
	}
	var src io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		if resp.ContentLength > r.opts.MaxBodyBytes {
			return status, header, nil, ReasonTooLarge, fmt.Errorf("Content-Length %d over the limit of %d bytes", resp.ContentLength, r.opts.MaxBodyBytes)
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return status, header, nil, ReasonNetwork, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		src = zr
	default:
		return status, header, nil, ReasonNetwork, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	body, err = io.ReadAll(io.LimitReader(src, r.opts.MaxBodyBytes+1))
	if int64(len(body)) > r.opts.MaxBodyBytes {
		return status, header, nil, ReasonTooLarge, fmt.Errorf("body over the limit of %d bytes", r.opts.MaxBodyBytes)
	}
	if err != nil {
		return status, header, nil, classify(err), err
	}
	return status, header, body, "", nil
}

// classify names a request error: ReasonTimeout or ReasonNetwork.
func classify(err error) extract.Reason {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return ReasonTimeout
	}
	return ReasonNetwork
}
