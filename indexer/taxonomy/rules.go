package taxonomy

import (
	"net/url"
	"strings"
)

// urlRule is one compiled URL rule of a theme.
type urlRule struct {
	theme   int
	pattern string // lower-cased
	text    string // as written in the taxonomy
}

// validRule reports why a URL rule is not acceptable, or "" if it is: a
// rule is a glob over the URL path, so it starts with '/' or '*'.
func validRule(r string) string {
	switch {
	case strings.TrimSpace(r) == "":
		return "is empty"
	case r[0] != '/' && r[0] != '*':
		return "must start with / or * (it is matched against the URL path)"
	case strings.Trim(r, "*") == "":
		return "matches every URL"
	}
	return ""
}

// urlPath returns the lower-cased, unescaped path of u: u may be an absolute
// URL or a path. Anything unparsable is used as it is.
func urlPath(u string) string {
	if pu, err := url.Parse(u); err == nil {
		if pu.Path == "" {
			return "/"
		}
		return strings.ToLower(pu.Path)
	}
	return strings.ToLower(u)
}

// globMatch reports whether the whole of s matches pattern, in which '*'
// stands for any run of characters, '/' included, and '?' for one byte.
// It runs in O(len(pattern) * len(s)) at worst: after a mismatch it
// retries from the last star only.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
