package crawler

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type sitemapLoc struct {
	Loc     string `xml:"loc"`
	Lastmod string `xml:"lastmod"`
}

// sitemapURL is a page a sitemap lists, with its <lastmod> if valid.
type sitemapURL struct {
	loc     string
	lastmod time.Time
}

// parseLastmod reads a W3C datetime: a date, or a date and time with a
// zone, with or without seconds.
func parseLastmod(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// errSitemapTooLarge is the error of a sitemap file over its size cap.
var errSitemapTooLarge = errors.New("sitemap: too large")

// parseSitemap reads one sitemap file (plain or gzip-compressed XML) of at
// most limit bytes once decompressed, calling page with each page URL
// it lists as it reads them, until page returns false; it returns the
// sitemaps it lists. Pages read before a syntax error have been given to
// page. Nothing but one <url> at a time is held, whatever the file's size.
// A file over limit fails with errSitemapTooLarge, after the pages read
// up to there.
func parseSitemap(r io.Reader, limit int64, page func(sitemapURL) bool) (sitemaps []string, err error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("sitemap: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	lr := &io.LimitedReader{R: src, N: limit + 1}
	fail := func(err error) ([]string, error) {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: larger than %d bytes", errSitemapTooLarge, limit)
		}
		return nil, fmt.Errorf("sitemap: %w", err)
	}
	d := xml.NewDecoder(lr)
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF && root != "" {
			return sitemaps, nil
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
				if root != "urlset" && root != "sitemapindex" {
					return nil, fmt.Errorf("sitemap: unexpected root element <%s>", root)
				}
				continue
			}
			if t.Name.Local != "url" && t.Name.Local != "sitemap" {
				if err := d.Skip(); err != nil {
					return fail(err)
				}
				continue
			}
			var l sitemapLoc
			if err := d.DecodeElement(&l, &t); err != nil {
				return fail(err)
			}
			s := strings.TrimSpace(l.Loc)
			switch {
			case s == "":
			case t.Name.Local == "sitemap":
				sitemaps = append(sitemaps, s)
			case !page(sitemapURL{s, parseLastmod(l.Lastmod)}):
				return sitemaps, nil
			}
		case xml.EndElement:
			return sitemaps, nil // the root's end: what follows is ignored
		}
	}
}

// sitemapChunk is how many sitemap URLs are handed on at a time.
const sitemapChunk = 1024

// sitemapURLs reads the sitemaps named in the seeds' robots.txt files and
// at /sitemap.xml of each seed host, following sitemap indexes up to
// maxSitemapDepth, and calls fn with their page URLs, up to sitemapChunk at
// a time and maxSitemapURLs in all. It returns fn's first error.
func (r *run) sitemapURLs(ctx context.Context, seeds []*url.URL, fn func([]sitemapURL) error) error {
	type item struct {
		url   string
		depth int
	}
	var queue []item
	seenHost := map[string]bool{}
	for _, s := range seeds {
		if seenHost[hostKey(s)] {
			continue
		}
		seenHost[hostKey(s)] = true
		for _, sm := range r.robots(ctx, s).sitemaps {
			queue = append(queue, item{sm, 0})
		}
		queue = append(queue, item{hostKey(s) + "/sitemap.xml", 0})
	}
	var (
		chunk  []sitemapURL
		total  int
		fnErr  error
		seen   = map[string]bool{}
		files  = 0
		handOn = func() {
			if len(chunk) > 0 && fnErr == nil {
				fnErr = fn(chunk)
			}
			chunk = chunk[:0]
		}
	)
	for len(queue) > 0 && files < maxSitemapFiles && total < maxSitemapURLs && fnErr == nil {
		if ctx.Err() != nil {
			return nil
		}
		it := queue[0]
		queue = queue[1:]
		norm, err := NormalizeURL(it.url)
		if err != nil || seen[norm] {
			continue
		}
		seen[norm] = true
		u, _ := url.Parse(norm)
		if !r.c.scope.hosts[u.Host] && !r.c.scope.hosts[u.Hostname()] {
			continue // a sitemap on another host is not ours to read
		}
		if !r.robots(ctx, u).allowed(u) {
			continue
		}
		files++
		subs, err := r.fetchSitemap(ctx, u, func(p sitemapURL) bool {
			chunk = append(chunk, p)
			total++
			if len(chunk) == sitemapChunk {
				handOn()
			}
			return total < maxSitemapURLs && fnErr == nil
		})
		if errors.Is(err, errSitemapTooLarge) {
			// Worth an operator's eye: the pages after the cap are not
			// queued from this sitemap.
			r.tally.capped(CapSitemapSize, 1)
			r.opts.Logger.Info("sitemap larger than the cap: read up to the cap, the rest skipped", "url", norm,
				"max_bytes", r.sitemapLimit())
			continue
		}
		if err != nil {
			r.opts.Logger.Debug("sitemap skipped", "url", norm, "err", err)
			continue
		}
		if it.depth < maxSitemapDepth {
			for _, s := range subs {
				queue = append(queue, item{s, it.depth + 1})
			}
		}
	}
	handOn()
	return fnErr
}

func (r *run) fetchSitemap(ctx context.Context, u *url.URL, page func(sitemapURL) bool) (subs []string, err error) {
	r.robots(ctx, u)
	release, err := r.acquire(ctx, r.hosts.get(u.Host))
	if err != nil {
		return nil, err
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", r.opts.UserAgent)
	resp, err := r.c.client.Do(req) // redirects are not followed for sitemaps
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return parseSitemap(resp.Body, r.sitemapLimit(), page)
}

// sitemapLimit is the size cap of a sitemap file.
func (r *run) sitemapLimit() int64 { return cmp.Or(r.c.sitemapBytes, maxSitemapBytes) }
