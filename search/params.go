package search

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kbsearch/kbsearch/indexer"
)

// The query-string form of a Request, the parameters of the API's search
// and export (see search/httpapi's doc): Values writes it, ParseValues
// reads and checks it. The server and search/client share them, so that
// the two ends cannot disagree on a name or a format.

// Bounds on the parameters, so that one request cannot make the backend
// build an arbitrarily large query. The query itself is bounded by
// MaxQueryBytes and the query language's own limits: a pasted paragraph
// fits.
const (
	MaxFilterValues = 50  // values of one filter parameter
	MaxFilterRunes  = 200 // one filter value, in characters
	MaxIDRunes      = 512 // a document id, in characters
)

var (
	dateRe   = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)
	langRe   = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)
	cursorRe = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

	knownTypes = []string{indexer.TypeMinutes, indexer.TypeKeyMessages, indexer.TypeReport,
		indexer.TypeAgenda, indexer.TypePage}
	knownKinds = []string{indexer.KindPlenary, indexer.KindPeerLearning, indexer.KindAdHoc,
		indexer.KindOnline}
	knownSorts = []string{SortRelevance, SortNewest, SortOldest}
	// knownExtraFacets are the values of the facets parameter: extra
	// counts a search may ask for (year_theme: Result.YearTheme).
	knownExtraFacets = []string{"year_theme"}

	// singleParams may be given at most once.
	singleParams = []string{"q", "from", "to", "sort", "page", "size", "cursor", "recency"}
)

// Values returns r as the API's query parameters, which ParseValues reads
// back as r (once r is in the form ParseValues gives: Page and Size set,
// Sort named, filter values checked). Fields at their zero value are left
// out, so that the server applies its defaults.
func (r Request) Values() url.Values {
	v := url.Values{}
	v.Set("q", r.Query)
	add := func(k string, vs []string) {
		for _, x := range vs {
			v.Add(k, x)
		}
	}
	add("theme", r.Themes)
	add("type", r.Types)
	add("year", r.Years)
	add("place", r.Places)
	add("kind", r.Kinds)
	add("lang", r.Langs)
	if !r.From.IsZero() {
		v.Set("from", r.From.Format(time.DateOnly))
	}
	if !r.To.IsZero() {
		v.Set("to", r.To.Format(time.DateOnly))
	}
	if r.Sort != "" {
		v.Set("sort", r.Sort)
	}
	if r.Page > 1 {
		v.Set("page", strconv.Itoa(r.Page))
	}
	if r.Size > 0 {
		v.Set("size", strconv.Itoa(r.Size))
	}
	if r.Cursor != "" {
		v.Set("cursor", r.Cursor)
	}
	switch {
	case r.Recency < 0:
		v.Set("recency", "off")
	case r.Recency > 0:
		v.Set("recency", FormatRecency(r.Recency))
	}
	if r.YearTheme {
		v.Set("facets", "year_theme")
	}
	return v
}

// InvalidParam is the error for a bad value of the parameter name: a
// KindInvalid *Error whose message names it.
func InvalidParam(name, format string, args ...any) *Error {
	return Errorf(KindInvalid, "parameter %q: %s", name, fmt.Sprintf(format, args...))
}

// ParseValues reads the parameters of a search (see Values) into a
// Request, checking every value: each error is an *Error of KindInvalid
// whose message names the offending parameter. Unknown parameters are
// ignored.
func ParseValues(vals url.Values) (Request, error) {
	var req Request
	for _, name := range singleParams {
		if len(vals[name]) > 1 {
			return req, InvalidParam(name, "given %d times, want at most once", len(vals[name]))
		}
	}

	req.Query = strings.TrimSpace(vals.Get("q"))
	if err := CheckQuery(req.Query); err != nil {
		return req, err
	}

	filters := []struct {
		name  string
		dst   *[]string
		check func(string) (string, error) // returns the canonical value
	}{
		{"theme", &req.Themes, nil},
		{"type", &req.Types, oneOf("type", knownTypes)},
		{"year", &req.Years, matching("year", yearRe, "want a four-digit year such as 2017")},
		{"place", &req.Places, nil},
		{"kind", &req.Kinds, oneOf("kind", knownKinds)},
		{"lang", &req.Langs, matching("lang", langRe, "want a language code such as en")},
	}
	for _, f := range filters {
		list, err := filterValues(f.name, vals[f.name], f.check)
		if err != nil {
			return req, err
		}
		*f.dst = list
	}

	var err error
	if req.From, err = parseDate("from", vals.Get("from"), false); err != nil {
		return req, err
	}
	if req.To, err = parseDate("to", vals.Get("to"), true); err != nil {
		return req, err
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.From.After(req.To) {
		return req, InvalidParam("from", "%s is after to=%s", vals.Get("from"), vals.Get("to"))
	}

	req.Sort = SortRelevance
	if s := strings.ToLower(strings.TrimSpace(vals.Get("sort"))); s != "" {
		if !slices.Contains(knownSorts, s) {
			return req, InvalidParam("sort", "%q is not one of %s", s, strings.Join(knownSorts, ", "))
		}
		req.Sort = s
	}

	if req.Page, err = ParseInt(vals, "page", 1, 1, MaxPage); err != nil {
		return req, err
	}
	if req.Size, err = ParseInt(vals, "size", DefaultSize, 1, MaxSize); err != nil {
		return req, err
	}
	if c := vals.Get("cursor"); c != "" {
		if len(c) > MaxCursorBytes || !cursorRe.MatchString(c) {
			return req, InvalidParam("cursor", "not a cursor this server made (a next_cursor is at most %d characters of A-Z, a-z, 0-9, - and _)", MaxCursorBytes)
		}
		if vals.Get("page") != "" && req.Page != 1 {
			return req, InvalidParam("cursor", `give "page" or "cursor", not both`)
		}
		req.Cursor = c
	}
	if v := strings.TrimSpace(vals.Get("recency")); v != "" {
		if req.Recency, err = ParseRecency(v); err != nil {
			return req, InvalidParam("recency", "%q: want a half-life of 1d to 100y such as 90d, 6w or 5y (days, weeks, years), or off", v)
		}
	}
	extra, err := filterValues("facets", vals["facets"], oneOf("facets", knownExtraFacets))
	if err != nil {
		return req, err
	}
	req.YearTheme = slices.Contains(extra, "year_theme")
	return req, nil
}

// SuggestValues returns the parameters of a suggestion request: q as
// typed, and size when it is not 0 (the server's default).
func SuggestValues(q string, size int) url.Values {
	v := url.Values{"q": {q}}
	if size > 0 {
		v.Set("size", strconv.Itoa(size))
	}
	return v
}

// ParseSuggestValues reads the parameters SuggestValues writes: q as typed
// (not trimmed: a final space says the last word is complete) and size.
func ParseSuggestValues(vals url.Values) (q string, size int, err error) {
	for _, name := range []string{"q", "size"} {
		if len(vals[name]) > 1 {
			return "", 0, InvalidParam(name, "given %d times, want at most once", len(vals[name]))
		}
	}
	q = vals.Get("q")
	if err := CheckQuery(q); err != nil {
		return "", 0, err
	}
	size, err = ParseInt(vals, "size", DefaultSuggest, 1, MaxSuggest)
	return q, size, err
}

// ExportValues returns the parameters of an export of req's hits, up to
// limit (0: MaxExport): req's own but for page, size and cursor, which an
// export ignores.
func ExportValues(req Request, limit int) url.Values {
	req.Page, req.Size, req.Cursor = 0, 0, ""
	v := req.Values()
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	return v
}

// ParseExportValues reads the parameters ExportValues writes.
func ParseExportValues(vals url.Values) (Request, int, error) {
	req, err := ParseValues(vals)
	if err != nil {
		return req, 0, err
	}
	limit, err := ParseInt(vals, "limit", MaxExport, 1, MaxExport)
	return req, limit, err
}

// CheckID checks a document id as a request gives it: valid UTF-8, no
// control characters, at most MaxIDRunes characters.
func CheckID(id string) error { return checkText("id", id, MaxIDRunes) }

// filterValues splits the repeated and comma-separated values of one
// filter parameter, trims them, drops empty ones and duplicates, and
// checks each with check when it is not nil. It returns nil for no values.
func filterValues(name string, raw []string, check func(string) (string, error)) ([]string, error) {
	var out []string
	for _, r := range raw {
		for v := range strings.SplitSeq(r, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if err := checkText(name, v, MaxFilterRunes); err != nil {
				return nil, err
			}
			if check != nil {
				var err error
				if v, err = check(v); err != nil {
					return nil, err
				}
			}
			if slices.Contains(out, v) {
				continue
			}
			if len(out) == MaxFilterValues {
				return nil, InvalidParam(name, "more than %d values", MaxFilterValues)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// checkText rejects invalid UTF-8, control characters and overlong values.
func checkText(name, v string, maxRunes int) error {
	if !utf8.ValidString(v) {
		return InvalidParam(name, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > maxRunes {
		return InvalidParam(name, "too long (%d characters, at most %d)", n, maxRunes)
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return InvalidParam(name, "contains control characters")
	}
	return nil
}

// CheckQuery checks the text of a query q: valid UTF-8, at most
// MaxQueryBytes bytes, and no control characters but the white space a
// pasted text holds (tabs and line breaks, which separate words).
func CheckQuery(q string) error {
	if !utf8.ValidString(q) {
		return InvalidParam("q", "not valid UTF-8")
	}
	if len(q) > MaxQueryBytes {
		return InvalidParam("q", "too long (%d bytes, at most %d)", len(q), MaxQueryBytes)
	}
	if strings.ContainsFunc(q, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) {
		return InvalidParam("q", "contains control characters")
	}
	return nil
}

// oneOf accepts the values of allowed, case-insensitively.
func oneOf(name string, allowed []string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(v)
		if !slices.Contains(allowed, lv) {
			return "", InvalidParam(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
		return lv, nil
	}
}

// matching accepts lower-cased values that match re.
func matching(name string, re *regexp.Regexp, hint string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(v)
		if !re.MatchString(lv) {
			return "", InvalidParam(name, "%q: %s", v, hint)
		}
		return lv, nil
	}
}

// parseDate parses YYYY, YYYY-MM or YYYY-MM-DD with ParseDateBound: the
// first instant of that period, or its last when end is set, so that an
// inclusive "to" covers the whole year, month or day. Empty gives zero.
func parseDate(name, v string, end bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if !dateRe.MatchString(v) {
		return time.Time{}, InvalidParam(name, "%q: want YYYY, YYYY-MM or YYYY-MM-DD", v)
	}
	t, err := ParseDateBound(v, end)
	if err != nil {
		return time.Time{}, InvalidParam(name, "%q is not a valid date", v)
	}
	return t, nil
}

// ParseInt reads the parameter name of vals as a decimal integer in
// [lo, hi]; absent or empty gives def. Its error is KindInvalid.
func ParseInt(vals url.Values, name string, def, lo, hi int) (int, error) {
	v := strings.TrimSpace(vals.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, InvalidParam(name, "%q is not a whole number", v)
	}
	if n < lo || n > hi {
		return 0, InvalidParam(name, "%d is out of range %d..%d", n, lo, hi)
	}
	return n, nil
}
