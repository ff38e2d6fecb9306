package httpapi

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
	"github.com/kbsearch/kbsearch/search"
)

// Limits on the search parameters, so that one request cannot make the
// backend build an arbitrarily large query.
// The query itself is bounded by the search package's own limits
// (search.MaxQueryBytes and the rest): a pasted paragraph fits.
const (
	maxFilterVals  = 50  // values of one filter parameter
	maxFilterRunes = 200 // one filter value
	maxCursorLen   = 512 // a cursor, in bytes: more than any next_cursor
)

var (
	yearRe = regexp.MustCompile(`^[0-9]{4}$`)
	dateRe = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)
	langRe = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)

	knownTypes = []string{indexer.TypeMinutes, indexer.TypeKeyMessages, indexer.TypeReport,
		indexer.TypeAgenda, indexer.TypePage}
	knownKinds = []string{indexer.KindPlenary, indexer.KindPeerLearning, indexer.KindAdHoc,
		indexer.KindOnline}
	knownSorts = []string{search.SortRelevance, search.SortNewest, search.SortOldest}
	// knownExtraFacets are the values of the facets parameter: extra
	// counts a search may ask for (year_theme: Result.YearTheme).
	knownExtraFacets = []string{"year_theme"}

	// singleParams may be given at most once.
	singleParams = []string{"q", "from", "to", "sort", "page", "size", "cursor", "recency"}

	cursorRe = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
)

// invalidParam is the error for a bad value of the parameter name.
func invalidParam(name, format string, args ...any) *search.Error {
	return search.Errorf(search.KindInvalid, "parameter %q: %s", name, fmt.Sprintf(format, args...))
}

// parseSearchRequest turns the raw query string of GET /api/v1/search into
// a search.Request. Every error is a *search.Error of KindInvalid whose
// message names the offending parameter. Unknown parameters are ignored.
func parseSearchRequest(rawQuery string) (search.Request, error) {
	var req search.Request
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return req, search.Errorf(search.KindInvalid, "malformed query string: %v", err)
	}
	for _, name := range singleParams {
		if len(vals[name]) > 1 {
			return req, invalidParam(name, "given %d times, want at most once", len(vals[name]))
		}
	}

	req.Query = strings.TrimSpace(vals.Get("q"))
	if err := checkQuery(req.Query); err != nil {
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

	if req.From, err = parseDate("from", vals.Get("from"), false); err != nil {
		return req, err
	}
	if req.To, err = parseDate("to", vals.Get("to"), true); err != nil {
		return req, err
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.From.After(req.To) {
		return req, invalidParam("from", "%s is after to=%s", vals.Get("from"), vals.Get("to"))
	}

	req.Sort = search.SortRelevance
	if s := strings.ToLower(strings.TrimSpace(vals.Get("sort"))); s != "" {
		if !slices.Contains(knownSorts, s) {
			return req, invalidParam("sort", "%q is not one of %s", s, strings.Join(knownSorts, ", "))
		}
		req.Sort = s
	}

	if req.Page, err = parseInt("page", vals.Get("page"), 1, 1, search.MaxPage); err != nil {
		return req, err
	}
	if req.Size, err = parseInt("size", vals.Get("size"), search.DefaultSize, 1, search.MaxSize); err != nil {
		return req, err
	}
	if c := vals.Get("cursor"); c != "" {
		if len(c) > maxCursorLen || !cursorRe.MatchString(c) {
			return req, invalidParam("cursor", "not a cursor this server made (a next_cursor is at most %d characters of A-Z, a-z, 0-9, - and _)", maxCursorLen)
		}
		if vals.Get("page") != "" && req.Page != 1 {
			return req, invalidParam("cursor", `give "page" or "cursor", not both`)
		}
		req.Cursor = c
	}
	if v := strings.TrimSpace(vals.Get("recency")); v != "" {
		if req.Recency, err = search.ParseRecency(v); err != nil {
			return req, invalidParam("recency", "%q: want a half-life of 1d to 100y such as 90d, 6w or 5y (days, weeks, years), or off", v)
		}
	}
	extra, err := filterValues("facets", vals["facets"], oneOf("facets", knownExtraFacets))
	if err != nil {
		return req, err
	}
	req.YearTheme = slices.Contains(extra, "year_theme")
	return req, nil
}

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
			if err := checkText(name, v, maxFilterRunes); err != nil {
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
			if len(out) == maxFilterVals {
				return nil, invalidParam(name, "more than %d values", maxFilterVals)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// checkText rejects invalid UTF-8, control characters and overlong values.
func checkText(name, v string, maxRunes int) error {
	if !utf8.ValidString(v) {
		return invalidParam(name, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > maxRunes {
		return invalidParam(name, "too long (%d characters, at most %d)", n, maxRunes)
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return invalidParam(name, "contains control characters")
	}
	return nil
}

// checkQuery checks the text of q: valid UTF-8, at most
// search.MaxQueryBytes bytes, and no control characters but the white
// space a pasted text holds (tabs and line breaks, which separate words).
func checkQuery(q string) error {
	if !utf8.ValidString(q) {
		return invalidParam("q", "not valid UTF-8")
	}
	if len(q) > search.MaxQueryBytes {
		return invalidParam("q", "too long (%d bytes, at most %d)", len(q), search.MaxQueryBytes)
	}
	if strings.ContainsFunc(q, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) {
		return invalidParam("q", "contains control characters")
	}
	return nil
}

// oneOf accepts the values of allowed, case-insensitively.
func oneOf(name string, allowed []string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(v)
		if !slices.Contains(allowed, lv) {
			return "", invalidParam(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
		return lv, nil
	}
}

// matching accepts lower-cased values that match re.
func matching(name string, re *regexp.Regexp, hint string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(v)
		if !re.MatchString(lv) {
			return "", invalidParam(name, "%q: %s", v, hint)
		}
		return lv, nil
	}
}

// parseDate parses YYYY, YYYY-MM or YYYY-MM-DD with search.ParseDateBound:
// the first instant of that period, or its last when end is set, so that
// an inclusive "to" covers the whole year, month or day. Empty gives zero.
func parseDate(name, v string, end bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if !dateRe.MatchString(v) {
		return time.Time{}, invalidParam(name, "%q: want YYYY, YYYY-MM or YYYY-MM-DD", v)
	}
	t, err := search.ParseDateBound(v, end)
	if err != nil {
		return time.Time{}, invalidParam(name, "%q is not a valid date", v)
	}
	return t, nil
}

// parseInt parses a decimal integer in [lo, hi]; empty gives def.
func parseInt(name, v string, def, lo, hi int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidParam(name, "%q is not a whole number", v)
	}
	if n < lo || n > hi {
		return 0, invalidParam(name, "%d is out of range %d..%d", n, lo, hi)
	}
	return n, nil
}

// parseSuggestRequest reads the parameters of GET /api/v1/suggest: q as
// typed (a final space says the last word is complete) and size.
func parseSuggestRequest(rawQuery string) (q string, size int, err error) {
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", 0, search.Errorf(search.KindInvalid, "malformed query string: %v", err)
	}
	for _, name := range []string{"q", "size"} {
		if len(vals[name]) > 1 {
			return "", 0, invalidParam(name, "given %d times, want at most once", len(vals[name]))
		}
	}
	q = vals.Get("q")
	if err := checkQuery(q); err != nil {
		return "", 0, err
	}
	size, err = parseInt("size", vals.Get("size"), search.DefaultSuggest, 1, search.MaxSuggest)
	return q, size, err
}
