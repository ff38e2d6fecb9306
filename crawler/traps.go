package crawler

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// Reasons a found URL is not queued: crawler traps. Each URL refused is
// counted once per run in Summary.Failed.
const (
	ReasonURLTooLong    extract.Reason = "trap-url-length" // longer than MaxURLLength
	ReasonRepeatingPath extract.Reason = "trap-repeating-path"
	ReasonCalendar      extract.Reason = "trap-calendar" // a date (year and month at least) outside the plausible range
)

// trap returns the reason u looks like a crawler trap, or "".
func (o *Options) trap(u *url.URL, now time.Time) extract.Reason {
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
	// Only dates are checked: a year with a month ("/cal/2091/01",
	// "?month=2091-01") or a full date ("?day=20910105"). A number alone
	// is not a year ("/node/1024", "?page=1200"), and neither is a number
	// inside a segment ("/doc/2-1899.pdf").
	maxYear := now.Year() + o.MaxFutureYears
	bad := func(y int) bool { return y > maxYear || y < minCalendarYear }
	for i, seg := range segs {
		y, ok := dateYear(seg)
		if !ok && i+1 < len(segs) {
			y, ok = yearMonth(seg, segs[i+1])
		}
		if ok && bad(y) {
			return ReasonCalendar
		}
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if y, ok := dateYear(v); ok && bad(y) {
				return ReasonCalendar
			}
		}
	}
	return ""
}

// minCalendarYear is the earliest year of a date in a URL that is not
// taken for a calendar trap.
const minCalendarYear = 1990

var (
	// dateLike matches a year and month, or a full date, with separators,
	// alone: "2091-01", "2091/01/05", "2091_01".
	dateLike = regexp.MustCompile(`^[12][0-9]{3}[-_/.](?:0[1-9]|1[0-2])(?:[-_/.](?:0[1-9]|[12][0-9]|3[01]))?$`)
	// compactDate matches a full date without separators: "20910105".
	compactDate = regexp.MustCompile(`^[12][0-9]{3}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])$`)
	yearOnly    = regexp.MustCompile(`^[12][0-9]{3}$`)
	monthOnly   = regexp.MustCompile(`^(?:0[1-9]|1[0-2])$`)
)

// dateYear returns the year of s if s is a date with at least a month.
func dateYear(s string) (int, bool) {
	s = unescape(s)
	if !dateLike.MatchString(s) && !compactDate.MatchString(s) {
		return 0, false
	}
	y, err := strconv.Atoi(s[:4])
	return y, err == nil
}

// yearMonth returns the year of two path segments that are a year and a
// two-digit month ("2091", "01").
func yearMonth(year, month string) (int, bool) {
	year, month = unescape(year), unescape(month)
	if !yearOnly.MatchString(year) || !monthOnly.MatchString(month) {
		return 0, false
	}
	y, err := strconv.Atoi(year)
	return y, err == nil
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
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
