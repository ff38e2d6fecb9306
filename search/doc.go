// Package search answers search requests over a kbsearch index: it parses the
// user's query language, applies filters (OR within a field, AND across
// fields), sorts, highlights snippets and counts facets. The command line and
// the HTTP API share it, so there is one search path.
//
// Errors carry a Kind from a small closed set (invalid input, not found,
// unavailable, internal) that callers map to their own status codes.
//
// It must not import net/http servers or any HTTP framework; search/httpapi
// is the only package that speaks HTTP.
package search
