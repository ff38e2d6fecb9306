package crawler

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrInvalidURL is wrapped by NormalizeURL for input it cannot normalise.
var ErrInvalidURL = errors.New("crawler: invalid url")

// trackingParams are query parameters that identify a visit, not a
// document; NormalizeURL drops them (and every utm_* parameter).
var trackingParams = map[string]bool{
	"gclid": true, "dclid": true, "fbclid": true, "msclkid": true, "yclid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "igshid": true,
	"_hsenc": true, "_hsmi": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "wt.mc_id": true, "ref_src": true,
}

// NormalizeURL returns the canonical spelling of an absolute URL used as a
// key in the store: scheme and host lower-cased, the default port and a
// trailing dot of the host dropped, dot segments resolved, an empty path
// made "/", the fragment and tracking parameters (utm_*, gclid, fbclid and
// the like) removed. The remaining query parameters keep their order and
// spelling.
func NormalizeURL(raw string) (string, error) {
	u, err := normalize(raw)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// normalize is NormalizeURL returning the parsed URL, for callers that need
// both (one parse per link instead of two).
func normalize(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: %q is not an absolute URL with a host", ErrInvalidURL, raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := u.Hostname(), u.Port()
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return nil, fmt.Errorf("%w: %q has an empty host", ErrInvalidURL, raw)
	}
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	// Resolving the URL against itself removes dot segments (RFC 3986 5.2.4).
	u = u.ResolveReference(&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, ForceQuery: u.ForceQuery})
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	return u, nil
}

// cleanQuery drops tracking parameters and empty pairs, keeping the order
// and encoding of the rest.
func cleanQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name := p
		if i := strings.IndexByte(p, '='); i >= 0 {
			name = p[:i]
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		name = strings.ToLower(name)
		if strings.HasPrefix(name, "utm_") || trackingParams[name] {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// scope decides which URLs a run may fetch.
type scope struct {
	hosts    map[string]bool // host[:port] and bare host names, lower-case
	prefixes []string
}

func newScope(seeds, hosts, prefixes []string) (*scope, error) {
	s := &scope{hosts: map[string]bool{}, prefixes: prefixes}
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
		if h == "" {
			continue
		}
		if u, err := url.Parse(h); err == nil && u.Host != "" { // a URL given as a host
			h = strings.ToLower(u.Host)
		}
		s.hosts[h] = true
	}
	if len(s.hosts) == 0 {
		for _, seed := range seeds {
			u, err := url.Parse(seed)
			if err != nil {
				return nil, err
			}
			s.hosts[u.Host] = true
		}
	}
	for i, p := range s.prefixes {
		if !strings.HasPrefix(p, "/") {
			s.prefixes[i] = "/" + p
		}
	}
	return s, nil
}

// allows reports whether the normalised URL u is in scope.
func (s *scope) allows(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if !s.hosts[u.Host] && !s.hosts[u.Hostname()] {
		return false
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	for _, pre := range s.prefixes {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}
