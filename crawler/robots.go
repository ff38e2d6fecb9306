package crawler

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsRules is what a run knows of one host's robots.txt.
type robotsRules struct {
	data     *robotstxt.RobotsData // nil: allow all
	deny     bool                  // unreachable or 5xx: disallow all (RFC 9309)
	delay    time.Duration         // Crawl-delay of our group
	sitemaps []string
}

// allowed reports whether u may be fetched by agent.
func (r *robotsRules) allowed(u *url.URL, agent string) bool {
	if r.deny {
		return false
	}
	if r.data == nil {
		return true
	}
	if strings.EqualFold(u.EscapedPath(), "/robots.txt") {
		return true
	}
	// TestAgent wants the path and query, not the full URL.
	return r.data.TestAgent(u.RequestURI(), agent)
}

// parseRobots interprets a robots.txt response (status 0: not reachable).
func parseRobots(status int, body []byte, agent string) *robotsRules {
	switch {
	case status == 0 || status >= 500:
		return &robotsRules{deny: true}
	case status >= 400:
		return &robotsRules{}
	case status < 200 || status >= 300:
		// Still a redirect after the hop limit: unavailable, so allow all.
		return &robotsRules{}
	}
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		// A file we cannot parse restricts nothing we can read.
		return &robotsRules{}
	}
	r := &robotsRules{data: data, sitemaps: data.Sitemaps}
	if g := data.FindGroup(agent); g != nil {
		r.delay = g.CrawlDelay
	}
	return r
}

// agentToken is the product token of a User-Agent ("kbsearch" of
// "kbsearch/0.1 (+...)"), which robots.txt groups are matched against.
func agentToken(ua string) string {
	tok := ua
	if i := strings.IndexAny(tok, "/ "); i >= 0 {
		tok = tok[:i]
	}
	if tok == "" {
		return "*"
	}
	return strings.ToLower(tok)
}

type robotsEntry struct {
	once  sync.Once
	rules *robotsRules
}

// robotsCache fetches each host's robots.txt once per run.
type robotsCache struct {
	mu      sync.Mutex
	entries map[string]*robotsEntry // scheme://host
}

func hostKey(u *url.URL) string { return u.Scheme + "://" + u.Host }

// robots returns the rules for u's host, fetching robots.txt on first use.
func (c *run) robots(ctx context.Context, u *url.URL) *robotsRules {
	key := hostKey(u)
	c.robotsCache.mu.Lock()
	e := c.robotsCache.entries[key]
	if e == nil {
		e = &robotsEntry{}
		c.robotsCache.entries[key] = e
	}
	c.robotsCache.mu.Unlock()
	e.once.Do(func() { e.rules = c.fetchRobots(ctx, u) })
	return e.rules
}

func (c *run) fetchRobots(ctx context.Context, u *url.URL) *robotsRules {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	log := c.opts.Logger.With("url", ru.String())
	release, err := c.gates.acquire(ctx, u.Host, c.opts.Delay)
	if err != nil {
		return &robotsRules{deny: true}
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, ru.String(), nil)
	if err != nil {
		return &robotsRules{deny: true}
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.robotsClient.Do(req)
	if err != nil {
		log.Debug("robots.txt unreachable: disallowing the host", "err", err)
		return &robotsRules{deny: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobotsBytes))
	if err != nil && !errors.Is(err, io.EOF) {
		log.Debug("robots.txt read failed: disallowing the host", "err", err)
		return &robotsRules{deny: true}
	}
	r := parseRobots(resp.StatusCode, body, c.agent)
	log.Debug("robots.txt", "status", resp.StatusCode, "deny", r.deny, "crawl_delay", r.delay, "sitemaps", len(r.sitemaps))
	return r
}

// hostDelay is the delay between two requests to u's host: the larger of
// Options.Delay and the robots.txt Crawl-delay.
func (c *run) hostDelay(ctx context.Context, u *url.URL) time.Duration {
	d := c.opts.Delay
	if r := c.robots(ctx, u); r.delay > d {
		d = r.delay
	}
	return d
}

// gates spaces requests to each host: with a delay, one request at a time
// per host, each starting at least delay after the previous one ended.
type gates struct {
	mu    sync.Mutex
	hosts map[string]*gate
}

type gate struct {
	sem  chan struct{}
	next time.Time
}

func (g *gates) acquire(ctx context.Context, host string, delay time.Duration) (release func(), err error) {
	if delay <= 0 {
		return func() {}, ctx.Err()
	}
	g.mu.Lock()
	h := g.hosts[host]
	if h == nil {
		h = &gate{sem: make(chan struct{}, 1)}
		g.hosts[host] = h
	}
	g.mu.Unlock()
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if wait := time.Until(h.next); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-h.sem
			return nil, ctx.Err()
		}
	}
	return func() {
		h.next = time.Now().Add(delay)
		<-h.sem
	}, nil
}
