package crawler

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// robotsRules is what a run knows of one host's robots.txt, read as RFC
// 9309 says: the groups naming our product token (else the "*" groups)
// apply, merged; the longest matching Allow or Disallow pattern wins, Allow
// on a tie; "*" matches any run of characters and a final "$" anchors the
// end of the path.
type robotsRules struct {
	rules    []robotsRule
	deny     bool          // unreachable or 5xx: disallow all (RFC 9309 2.3.1.4)
	delay    time.Duration // Crawl-delay of our group (not in RFC 9309, widely used)
	sitemaps []string
}

type robotsRule struct {
	allow   bool
	pattern string // percent-encoding normalised
}

// allowed reports whether u may be fetched.
func (r *robotsRules) allowed(u *url.URL) bool {
	if r.deny {
		return false
	}
	if strings.EqualFold(u.EscapedPath(), "/robots.txt") {
		return true
	}
	path := normalizeRobotsPath(u.RequestURI())
	best, allow := -1, true
	for _, rule := range r.rules {
		if len(rule.pattern) < best || (len(rule.pattern) == best && !rule.allow) {
			continue
		}
		if robotsMatch(rule.pattern, path) {
			best, allow = len(rule.pattern), rule.allow
		}
	}
	return allow
}

// robotsMatch reports whether pattern matches path from its start: "*"
// matches any sequence, a final "$" the end of the path; otherwise a
// pattern matches every path it is a prefix of.
func robotsMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	if !anchored {
		pattern += "*"
	}
	// Iterative glob matching with backtracking to the last star.
	p, s, star, mark := 0, 0, -1, 0
	for s < len(path) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && pattern[p] == path[s]:
			p++
			s++
		case star >= 0:
			p = star + 1
			mark++
			s = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// normalizeRobotsPath upper-cases percent escapes and decodes those of
// unreserved characters, so that "/a%7eb", "/a%7Eb" and "/a~b" compare equal
// (RFC 9309 2.2.2).
func normalizeRobotsPath(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			v, _ := strconv.ParseUint(p[i+1:i+3], 16, 8)
			c := byte(v)
			if isUnreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteString(strings.ToUpper(p[i : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// parseRobots interprets a robots.txt response (status 0: not reachable)
// for the product token agent.
func parseRobots(status int, body []byte, agent string) *robotsRules {
	switch {
	case status == 0 || status >= 500:
		return &robotsRules{deny: true}
	case status >= 400:
		return &robotsRules{} // "unavailable": allow all
	case status < 200 || status >= 300:
		// Still a redirect after the hop limit: unavailable, so allow all.
		return &robotsRules{}
	}
	type group struct {
		agents []string
		rules  []robotsRule
		delay  time.Duration
		hasDly bool
	}
	var groups []*group
	var cur *group
	inAgents := false
	out := &robotsRules{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxRobotsBytes)
	sc.Split(scanRobotsLines)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if !inAgents || cur == nil {
				cur = &group{}
				groups = append(groups, cur)
			}
			inAgents = true
			cur.agents = append(cur.agents, strings.ToLower(val))
		case "allow", "disallow":
			inAgents = false
			if cur == nil || val == "" { // an empty Disallow allows all
				continue
			}
			cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: normalizeRobotsPath(val)})
		case "crawl-delay":
			inAgents = false
			if cur == nil {
				continue
			}
			if f, err := strconv.ParseFloat(val, 64); err == nil && f >= 0 && f < 86400 {
				cur.delay, cur.hasDly = time.Duration(f*float64(time.Second)), true
			}
		case "sitemap":
			if val != "" {
				out.sitemaps = append(out.sitemaps, val) // not part of any group
			}
		default:
			// Other records end a run of user-agent lines too.
			if inAgents && cur != nil && len(cur.agents) > 0 {
				inAgents = false
			}
		}
	}
	// Groups naming our product token apply; else the "*" groups. Groups
	// for the same agent are merged (RFC 9309 2.2.1).
	pick := func(match func(string) bool) bool {
		found := false
		for _, g := range groups {
			for _, a := range g.agents {
				if match(a) {
					out.rules = append(out.rules, g.rules...)
					if g.hasDly && g.delay > out.delay {
						out.delay = g.delay
					}
					found = true
					break
				}
			}
		}
		return found
	}
	if !pick(func(a string) bool { return a == agent }) {
		pick(func(a string) bool { return a == "*" })
	}
	return out
}

// scanRobotsLines splits on LF, CR or CRLF.
func scanRobotsLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		adv := i + 1
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			adv++
		} else if data[i] == '\r' && i+1 == len(data) && !atEOF {
			return 0, nil, nil // wait to see whether LF follows
		}
		return adv, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
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
func (r *run) robots(ctx context.Context, u *url.URL) *robotsRules {
	key := hostKey(u)
	r.robotsCache.mu.Lock()
	e := r.robotsCache.entries[key]
	if e == nil {
		e = &robotsEntry{}
		r.robotsCache.entries[key] = e
	}
	r.robotsCache.mu.Unlock()
	e.once.Do(func() {
		e.rules = r.fetchRobots(ctx, u)
		r.hosts.get(u.Host).setDelay(max(r.opts.Delay, e.rules.delay))
	})
	return e.rules
}

func (r *run) fetchRobots(ctx context.Context, u *url.URL) *robotsRules {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	log := r.opts.Logger.With("url", ru.String())
	h := r.hosts.get(u.Host)
	release, err := r.acquire(ctx, h)
	if err != nil {
		return &robotsRules{deny: true}
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, ru.String(), nil)
	if err != nil {
		return &robotsRules{deny: true}
	}
	req.Header.Set("User-Agent", r.opts.UserAgent)
	resp, err := r.c.robotsClient.Do(req)
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
	rules := parseRobots(resp.StatusCode, body, r.c.agent)
	log.Debug("robots.txt", "status", resp.StatusCode, "deny", rules.deny, "rules", len(rules.rules),
		"crawl_delay", rules.delay, "sitemaps", len(rules.sitemaps))
	return rules
}
