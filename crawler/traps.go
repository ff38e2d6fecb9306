package crawler

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Reasons a found URL is not queued: crawler traps. Each URL refused is
// counted once per run in Summary.Failed.
const (
	ReasonURLTooLong    = "trap-url-length" // longer than MaxURLLength
	ReasonRepeatingPath = "trap-repeating-path"
	ReasonCalendar      = "trap-calendar" // a date far outside the plausible range
	ReasonHostLimit     = "host-limit"    // MaxPagesPerHost reached
	ReasonHostDown      = "host-down"     // the host kept failing and was given up
	ReasonOffsitePage   = "off-site-page" // an off-site "document" that is a web page
)

// trap returns the reason u looks like a crawler trap, or "".
func (o *Options) trap(u *url.URL, now time.Time) string {
	s := u.String()
	if len(s) > o.MaxURLLength {
		return ReasonURLTooLong
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	count := map[string]int{}
	for _, seg := range segs {
		if seg == "" {
			continue
		}
		count[seg]++
		if count[seg] >= o.MaxPathRepeats {
			return ReasonRepeatingPath
		}
	}
	// Only path segments and query values that are a date are checked, so
	// "/doc/2-1899.pdf" is left alone but "/cal/2091/01" or "?month=2091-01"
	// not.
	maxYear := now.Year() + o.MaxFutureYears
	bad := func(v string) bool {
		y, ok := dateYear(v)
		return ok && (y > maxYear || y < 1990)
	}
	for _, seg := range segs {
		if bad(seg) {
			return ReasonCalendar
		}
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if bad(v) {
				return ReasonCalendar
			}
		}
	}
	return ""
}

// dateLike matches a year, a year and month or a full date, alone.
var dateLike = regexp.MustCompile(`^[12][0-9]{3}(?:[-_/.]?[01][0-9](?:[-_/.]?[0-3][0-9])?)?$`)

// dateYear returns the year of s if s is a date.
func dateYear(s string) (int, bool) {
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	if !dateLike.MatchString(s) {
		return 0, false
	}
	y, err := strconv.Atoi(s[:4])
	return y, err == nil
}

// documentExts are the path extensions of documents fetched off-site.
var documentExts = map[string]bool{".pdf": true, ".docx": true, ".odt": true, ".doc": true, ".rtf": true}

// isDocumentURL reports whether u's path names a document file.
func isDocumentURL(u *url.URL) bool {
	return documentExts[strings.ToLower(path.Ext(u.Path))]
}

// euLangs are the official languages of the EU, the locale suffixes of
// the Commission's pages ("..._en", "..._fr.pdf").
var euLangs = map[string]bool{
	"bg": true, "cs": true, "da": true, "de": true, "el": true, "en": true, "es": true, "et": true,
	"fi": true, "fr": true, "ga": true, "hr": true, "hu": true, "it": true, "lt": true, "lv": true,
	"mt": true, "nl": true, "pl": true, "pt": true, "ro": true, "sk": true, "sl": true, "sv": true,
}

// localeVariant reports the language of a URL whose last path segment ends
// in "_xx" (before any extension) with xx an EU language, and the key its
// variants share: the URL with "_xx" replaced by "_*".
func localeVariant(u *url.URL) (lang, key string) {
	p := u.EscapedPath()
	i := strings.LastIndexByte(p, '/')
	dir, last := p[:i+1], p[i+1:]
	ext := path.Ext(last)
	stem := strings.TrimSuffix(last, ext)
	if len(stem) < 4 || stem[len(stem)-3] != '_' {
		return "", ""
	}
	lang = strings.ToLower(stem[len(stem)-2:])
	if !euLangs[lang] {
		return "", ""
	}
	key = u.Scheme + "://" + u.Host + dir + stem[:len(stem)-2] + "*" + ext
	if u.RawQuery != "" {
		key += "?" + u.RawQuery
	}
	return lang, key
}
