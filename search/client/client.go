// Package client is a search.Service over HTTP: it asks a kbsearch
// server's API (search/httpapi) what a *search.Searcher answers from a
// local index, so that a caller such as `kbsearch search --server` has one
// code path for both. It writes the parameters with package search's own
// encoding (Request.Values), the one the server reads, and turns an error
// answer back into a *search.Error of the kind the server reported: a 400
// is KindInvalid, a 410 KindExpired, a 429 KindRateLimited, a 503
// KindBusy or KindUnavailable, as a local search would have returned.
//
// It imports net/http and package search only: never gin, search/httpapi
// or the index.
package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kbsearch/kbsearch/search"
)

// maxBody bounds an answer read into memory: a page of MaxSize hits with
// their facets and snippets is far smaller.
const maxBody = 32 << 20

// maxExportBody bounds an export file: MaxExport hits with their
// abstracts are a few MiB.
const maxExportBody = 64 << 20

// Client asks one kbsearch server. It is safe for concurrent use.
type Client struct {
	base string // scheme://host[/prefix], no final slash
	hc   *http.Client
}

var _ search.Service = (*Client)(nil)

// New returns a Client of the server at baseURL (such as
// "http://127.0.0.1:8080", or a prefix a proxy serves it under) that sends
// its requests with hc, or http.DefaultClient when hc is nil. baseURL
// must be an absolute http or https URL.
func New(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, search.Errorf(search.KindInvalid, "%q is not an http(s) URL", baseURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	u.RawQuery, u.Fragment = "", ""
	return &Client{base: strings.TrimRight(u.String(), "/"), hc: hc}, nil
}

// Search runs req on the server: GET /api/v1/search.
func (c *Client) Search(ctx context.Context, req search.Request) (*search.Result, error) {
	var res search.Result
	if err := c.get(ctx, "/api/v1/search", req.Values(), &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Document returns the stored document id: GET /api/v1/documents/:id.
func (c *Client) Document(ctx context.Context, id string) (*search.Document, error) {
	if err := search.CheckID(id); err != nil {
		return nil, err
	}
	var doc search.Document
	if err := c.get(ctx, "/api/v1/documents/"+url.PathEscape(id), nil, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// Similar returns the documents like the one with id, which GET
// /api/v1/documents/:id gives with the document.
func (c *Client) Similar(ctx context.Context, id string) ([]search.Related, error) {
	if err := search.CheckID(id); err != nil {
		return nil, err
	}
	var body struct {
		Similar []search.Related `json:"similar"`
	}
	if err := c.get(ctx, "/api/v1/documents/"+url.PathEscape(id), nil, &body); err != nil {
		return nil, err
	}
	return body.Similar, nil
}

// Themes returns the taxonomy's themes with their counts: GET /api/v1/themes.
func (c *Client) Themes(ctx context.Context) ([]search.ThemeCount, error) {
	var body struct {
		Themes []search.ThemeCount `json:"themes"`
	}
	if err := c.get(ctx, "/api/v1/themes", nil, &body); err != nil {
		return nil, err
	}
	return body.Themes, nil
}

// Suggest returns completions of text: GET /api/v1/suggest. size 0 is the
// server's default.
func (c *Client) Suggest(ctx context.Context, text string, size int) ([]search.Suggestion, error) {
	var body struct {
		Suggestions []search.Suggestion `json:"suggestions"`
	}
	if err := c.get(ctx, "/api/v1/suggest", search.SuggestValues(text, size), &body); err != nil {
		return nil, err
	}
	return body.Suggestions, nil
}

// Export hands on up to limit hits of req (0: search.MaxExport) in order,
// as search.Searcher.Export does. It reads them as pages of search.MaxSize
// hits, each asked with the cursor of the one before: the order of the
// server's pages, which is its export's order, and every field of a hit
// (the API's CSV export has the labels of a file instead of ids). emit is
// called at least once.
func (c *Client) Export(ctx context.Context, req search.Request, limit int, emit func(total uint64, hits []search.Hit) error) error {
	switch {
	case limit == 0:
		limit = search.MaxExport
	case limit < 0 || limit > search.MaxExport:
		return search.Errorf(search.KindInvalid, "limit must be between 1 and %d", search.MaxExport)
	}
	req.Page, req.Size, req.Cursor = 1, search.MaxSize, ""
	for n := 0; ; {
		req.Size = min(search.MaxSize, limit-n)
		res, err := c.Search(ctx, req)
		if err != nil {
			return err
		}
		n += len(res.Hits)
		if err := emit(res.Total, res.Hits); err != nil {
			return err
		}
		if res.NextCursor == "" || n >= limit || len(res.Hits) == 0 {
			return nil
		}
		req.Cursor = res.NextCursor
	}
}

// ExportFile writes the server's export of up to limit hits of req (0:
// search.MaxExport) in format ("csv", "ris": GET /api/v1/export) to w, as
// the server writes it. An error answer is returned as Search's are; an
// export the server cuts short (it failed after the first rows) is an
// error too, after what came was written.
func (c *Client) ExportFile(ctx context.Context, req search.Request, limit int, format string, w io.Writer) error {
	v := search.ExportValues(req, limit)
	v.Set("format", format)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1/export?"+v.Encode(), nil)
	if err != nil {
		return &search.Error{Kind: search.KindInvalid, Message: "bad request to " + c.base, Err: err}
	}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		return transportError(ctx, c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		return statusError(resp, body)
	}
	n, err := io.Copy(w, io.LimitReader(resp.Body, maxExportBody+1))
	if err != nil {
		return transportError(ctx, c.base, err)
	}
	if n > maxExportBody {
		return search.Errorf(search.KindInternal, "the export of %s is larger than %d MiB", c.base, maxExportBody>>20)
	}
	return nil
}

// get asks the server for path with the parameters v and decodes its JSON
// answer into out.
func (c *Client) get(ctx context.Context, path string, v url.Values, out any) error {
	u := c.base + path
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &search.Error{Kind: search.KindInvalid, Message: "bad request to " + c.base, Err: err}
	}
	hreq.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(hreq)
	if err != nil {
		return transportError(ctx, c.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return transportError(ctx, c.base, err)
	}
	if len(body) > maxBody {
		return search.Errorf(search.KindInternal, "the answer of %s is larger than %d MiB", c.base, maxBody>>20)
	}
	if resp.StatusCode != http.StatusOK {
		return statusError(resp, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &search.Error{Kind: search.KindInternal, Message: "the answer of " + c.base + " is not the API's JSON", Err: err}
	}
	return nil
}

// transportError is the error for a request that got no answer: the
// context's own end as a local search reports it (a deadline: KindBusy;
// cancelled: KindUnavailable), else the server unreachable.
func transportError(ctx context.Context, base string, err error) error {
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return &search.Error{Kind: search.KindBusy, Message: "the search took too long", Err: err}
	case context.Canceled:
		return &search.Error{Kind: search.KindUnavailable, Message: "the search was cancelled", Err: err}
	}
	return &search.Error{Kind: search.KindUnavailable, Message: "search " + base, Err: err}
}

// StatusError is an error answer of the server: a *search.Error (which
// errors.As and search.KindOf find) with what the answer adds, its HTTP
// status and, for a kind worth retrying, when to retry.
type StatusError struct {
	Status     int
	RetryAfter time.Duration // 0: not said
	err        *search.Error
}

func (e *StatusError) Error() string { return e.err.Error() }
func (e *StatusError) Unwrap() error { return e.err }

// statusError reads an error answer: its JSON body's code names the kind
// (search.Kind.String), else the status does.
func statusError(resp *http.Response, body []byte) error {
	var eb struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	e := &StatusError{Status: resp.StatusCode, err: &search.Error{}}
	kind, known := search.KindInternal, false
	if json.Unmarshal(body, &eb) == nil && eb.Error.Message != "" {
		kind, known = search.KindOfCode(eb.Error.Code)
		e.err.Message = fmt.Sprintf("server: %s (%s)", eb.Error.Message, eb.Error.Code)
	} else {
		e.err.Message = "server answered " + resp.Status
	}
	if !known {
		kind = kindOfStatus(resp.StatusCode)
	}
	e.err.Kind = kind
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

// kindOfStatus is the kind of an answer whose body names none (a proxy's
// page, a code of the server's own such as method_not_allowed): the
// reverse of search/httpapi's statusOf, 4xx left over being bad requests.
func kindOfStatus(status int) search.Kind {
	switch {
	case status == http.StatusNotFound:
		return search.KindNotFound
	case status == http.StatusGone:
		return search.KindExpired
	case status == http.StatusTooManyRequests:
		return search.KindRateLimited
	case status == http.StatusServiceUnavailable:
		return search.KindUnavailable
	case status >= 400 && status < 500:
		return search.KindInvalid
	}
	return search.KindInternal
}
