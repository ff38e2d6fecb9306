package httpapi

import (
	"net/url"

	"github.com/kbsearch/kbsearch/search"
)

// The parameters themselves are read and checked by package search
// (search.ParseValues and its siblings), which search/client shares to
// write them; this file reads the raw query string. Every error is a
// *search.Error of KindInvalid whose message names the offending
// parameter: a 400.

// parseQuery parses a raw query string.
func parseQuery(rawQuery string) (url.Values, error) {
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		// The parser's words go to the client as the message (%v): the
		// cause is the client's own query string, nothing to unwrap.
		return nil, search.Errorf(search.KindInvalid, "malformed query string: %v", err)
	}
	return vals, nil
}

// parseSearchRequest turns the raw query string of GET /api/v1/search into
// a search.Request. Unknown parameters are ignored.
func parseSearchRequest(rawQuery string) (search.Request, error) {
	vals, err := parseQuery(rawQuery)
	if err != nil {
		return search.Request{}, err
	}
	return search.ParseValues(vals)
}

// parseExportRequest reads the parameters of GET /api/v1/export: those of
// a search, and limit.
func parseExportRequest(rawQuery string) (search.Request, int, error) {
	vals, err := parseQuery(rawQuery)
	if err != nil {
		return search.Request{}, 0, err
	}
	return search.ParseExportValues(vals)
}

// parseSuggestRequest reads the parameters of GET /api/v1/suggest: q as
// typed (a final space says the last word is complete) and size.
func parseSuggestRequest(rawQuery string) (q string, size int, err error) {
	vals, err := parseQuery(rawQuery)
	if err != nil {
		return "", 0, err
	}
	return search.ParseSuggestValues(vals)
}
