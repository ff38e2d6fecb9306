package crawler

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sitemapDoc is either a <urlset> or a <sitemapindex>.
type sitemapDoc struct {
	XMLName  xml.Name
	URLs     []sitemapLoc `xml:"url"`
	Sitemaps []sitemapLoc `xml:"sitemap"`
}

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

// parseSitemap reads one sitemap file (plain or gzip-compressed XML) of at
// most maxSitemapBytes once decompressed and returns its page URLs and the
// sitemaps it lists.
func parseSitemap(r io.Reader) (pages []sitemapURL, sitemaps []string, err error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("sitemap: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	lr := &io.LimitedReader{R: src, N: maxSitemapBytes + 1}
	var doc sitemapDoc
	if err := xml.NewDecoder(lr).Decode(&doc); err != nil {
		if lr.N <= 0 {
			return nil, nil, fmt.Errorf("sitemap: larger than %d bytes", maxSitemapBytes)
		}
		return nil, nil, fmt.Errorf("sitemap: %w", err)
	}
	switch doc.XMLName.Local {
	case "urlset", "sitemapindex":
	default:
		return nil, nil, fmt.Errorf("sitemap: unexpected root element <%s>", doc.XMLName.Local)
	}
	for _, l := range doc.URLs {
		if s := strings.TrimSpace(l.Loc); s != "" {
			pages = append(pages, sitemapURL{s, parseLastmod(l.Lastmod)})
		}
	}
	for _, l := range doc.Sitemaps {
		if s := strings.TrimSpace(l.Loc); s != "" {
			sitemaps = append(sitemaps, s)
		}
	}
	return pages, sitemaps, nil
}

// sitemapURLs collects the in-scope page URLs of the sitemaps named in the
// seeds' robots.txt files and at /sitemap.xml of each seed host, following
// sitemap indexes up to maxSitemapDepth.
func (c *run) sitemapURLs(ctx context.Context, seeds []*url.URL) []sitemapURL {
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
		for _, sm := range c.robots(ctx, s).sitemaps {
			queue = append(queue, item{sm, 0})
		}
		queue = append(queue, item{hostKey(s) + "/sitemap.xml", 0})
	}
	var out []sitemapURL
	seen := map[string]bool{}
	files := 0
	for len(queue) > 0 && files < maxSitemapFiles && len(out) < maxSitemapURLs {
		if ctx.Err() != nil {
			return out
		}
		it := queue[0]
		queue = queue[1:]
		norm, err := NormalizeURL(it.url)
		if err != nil || seen[norm] {
			continue
		}
		seen[norm] = true
		u, _ := url.Parse(norm)
		if !c.scope.hosts[u.Host] && !c.scope.hosts[u.Hostname()] {
			continue // a sitemap on another host is not ours to read
		}
		if !c.robots(ctx, u).allowed(u) {
			continue
		}
		files++
		pages, subs, err := c.fetchSitemap(ctx, u)
		if err != nil {
			c.opts.Logger.Debug("sitemap skipped", "url", norm, "err", err)
			continue
		}
		out = append(out, pages...)
		if it.depth < maxSitemapDepth {
			for _, s := range subs {
				queue = append(queue, item{s, it.depth + 1})
			}
		}
	}
	if len(out) > maxSitemapURLs {
		out = out[:maxSitemapURLs]
	}
	return out
}

func (c *run) fetchSitemap(ctx context.Context, u *url.URL) (pages []sitemapURL, subs []string, err error) {
	c.robots(ctx, u)
	release, err := c.acquire(ctx, c.hosts.get(u.Host))
	if err != nil {
		return nil, nil, err
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.client.Do(req) // redirects are not followed for sitemaps
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return parseSitemap(resp.Body)
}
