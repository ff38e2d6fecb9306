package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The contract (openapi.json) is checked three ways:
//   - every exchange of this package's tests (do, contractHandler) is
//     validated with kin-openapi's openapi3filter: the request against the
//     operation's parameters, the response against its documented statuses,
//     headers and body schema (checkExchange);
//   - every route gin serves is in the document and every operation of
//     the document is a route (TestContractRoutes);
//   - every operation of the document is exercised by at least one
//     validated exchange when the whole suite runs (TestMain).

// contract is the document as the server embeds it, loaded and checked
// once, with its router.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	// The export's RIS and the feed's Atom are text, checked against the
	// document's patterns as text.
	for _, mt := range []string{"application/x-research-info-systems", "application/atom+xml"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.PlainBodyDecoder)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiJSON)
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.json: router: %w", err)
	}
	return &contract{doc: doc, router: router}, nil
})

func mustContract(t testing.TB) *contract {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exercised records the operations (by operationId) that a validated
// exchange reached, for TestMain's coverage check.
var exercised sync.Map

// semantic400 are the messages of the 400 answers that a request valid by
// the document's schemas may get: checks across parameters or against the
// index's content, which the document states in words.
var semantic400 = []string{
	"is after to",         // from after to
	"is not a valid date", // 2017-02-30: the pattern allows it
	"unknown theme",       // not in the taxonomy
	"too many clauses",    // the query language's own bounds
	"too many phrases",
	"query is too long",             // 4096 bytes of UTF-8: the schema counts characters
	"too long (",                    // a filter value over 200 characters
	"more than 50 values",           // a filter with too many values
	"not a cursor this server made", // a cursor altered: the checksum fails
	"belongs to another search",     // a cursor sent with other parameters
	`give "page" or "cursor"`,
	"want a half-life of 1d to 100y", // recency=1000y
}

// checkExchange validates one exchange, req as sent and the response
// recorded, against the contract and returns what does not hold.
func checkExchange(c *contract, req *http.Request, status int, header http.Header, body []byte) []error {
	if header.Get("Content-Encoding") == "gzip" && len(body) > 0 {
		// The contract describes the content; gzip is a transfer choice.
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			return []error{fmt.Errorf("%s %s: gzip: %w", req.Method, req.URL, err)}
		}
		header = header.Clone()
		header.Del("Content-Encoding")
	}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s %s → %d: %s", req.Method, req.URL.RequestURI(), status, fmt.Sprintf(format, args...)))
	}
	// The router matches on the URL as a client sends it.
	r := req.Clone(context.Background())
	r.URL = &url.URL{Scheme: "http", Host: "kbsearch.test", Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	r.Host = r.URL.Host
	r.RequestURI = ""

	route, pathParams, err := c.router.FindRoute(r)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		// Outside the contract: the page, its assets, /metrics; an
		// unknown path under /api/v1/ must be a 404 error body.
		if strings.HasPrefix(req.URL.Path, "/api/") && status != http.StatusNotFound {
			fail("a path the document does not have must be answered 404")
		}
		if strings.HasPrefix(req.URL.Path, "/api/") || status >= 400 && req.Method != http.MethodHead &&
			strings.HasPrefix(header.Get("Content-Type"), "application/json") {
			errs = append(errs, checkErrorBody(c, req, status, header, body)...)
		}
		return errs
	case errors.Is(err, routers.ErrMethodNotAllowed):
		if req.Method == http.MethodOptions && status == http.StatusNoContent && len(body) == 0 {
			return errs // a CORS preflight of an allowed origin
		}
		if status != http.StatusMethodNotAllowed {
			fail("a method the document does not have must be answered 405")
		}
		if header.Get("Allow") == "" {
			fail("405 without Allow")
		}
		return append(errs, checkErrorBody(c, req, status, header, body)...)
	case err != nil:
		fail("find route: %v", err)
		return errs
	}
	exercised.Store(route.Operation.OperationID, true)

	// The request.
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options:    &openapi3filter.Options{SkipSettingDefaults: true, MultiError: true},
	}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if reqErr == nil {
		reqErr = checkQueryParams(route.Operation, r.URL.Query())
	}
	var undeclared *undeclaredParamError
	if errors.As(reqErr, &undeclared) {
		fail("%v: document it or drop it from the test", reqErr)
	}
	switch {
	case reqErr != nil && status < 400:
		fail("the document rejects the request (%v) but the server accepted it", reqErr)
	case reqErr == nil && status == http.StatusBadRequest:
		var eb errorBody
		_ = json.Unmarshal(body, &eb)
		if !slices.ContainsFunc(semantic400, func(s string) bool { return strings.Contains(eb.Error.Message, s) }) {
			fail("the document accepts the request but the server rejected it: %s", body)
		}
	}

	// The response. The body of a HEAD answer is net/http's to drop (a
	// recorder keeps it).
	if req.Method == http.MethodHead {
		if route.Operation.Responses.Status(status) == nil {
			fail("status %d is not documented for HEAD", status)
		}
		return errs
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		fail("response does not match the document: %v\nbody: %.300s", err, body)
	}
	return errs
}

// undeclaredParamError is a query parameter the operation does not
// declare.
type undeclaredParamError struct{ name string }

func (e *undeclaredParamError) Error() string {
	return fmt.Sprintf("query parameter %q is not in the document", e.name)
}

// checkQueryParams checks what openapi3filter does not: a parameter the
// operation does not declare, a scalar parameter given twice (the server
// rejects it; the validator reads the first), and a value that is not
// UTF-8 (not a JSON Schema string).
func checkQueryParams(op *openapi3.Operation, q url.Values) error {
	declared := map[string]*openapi3.Parameter{}
	for _, p := range op.Parameters {
		if p.Value.In == openapi3.ParameterInQuery {
			declared[p.Value.Name] = p.Value
		}
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p, ok := declared[name]
		if !ok {
			return &undeclaredParamError{name}
		}
		if len(q[name]) > 1 && !p.Schema.Value.Type.Is(openapi3.TypeArray) {
			return fmt.Errorf("query parameter %q given %d times", name, len(q[name]))
		}
		for _, v := range q[name] {
			if !utf8.ValidString(v) {
				return fmt.Errorf("query parameter %q is not UTF-8", name)
			}
		}
	}
	return nil
}

// checkErrorBody checks a response that is not an operation's: it must be
// the JSON error body.
func checkErrorBody(c *contract, req *http.Request, status int, header http.Header, body []byte) []error {
	if req.Method == http.MethodHead {
		return nil
	}
	fail := func(format string, args ...any) []error {
		return []error{fmt.Errorf("%s %s → %d: %s", req.Method, req.URL.RequestURI(), status, fmt.Sprintf(format, args...))}
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fail("Content-Type %q, want the JSON error body", ct)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fail("error body %q: %v", body, err)
	}
	schema := c.doc.Components.Schemas["Error"].Value
	if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()); err != nil {
		return fail("error body does not match the Error schema: %v", err)
	}
	return nil
}

// checkContract reports on t what checkExchange finds. The error answers
// of a test that injects errors (injectsErrors) are only checked to be the
// error body.
func checkContract(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	c := mustContract(t)
	errs := checkExchange(c, req, status, header, body)
	if status >= 400 && injecting(t.Name()) {
		errs = checkErrorBody(c, req, status, header, body)
	}
	for _, err := range errs {
		t.Error(err)
	}
}

// injected holds the names of the tests whose backend answers errors that
// the real one cannot give on that route (not_found from themes).
var injected sync.Map

// injectsErrors says that t and its subtests inject errors into routes
// that cannot really give them: their error answers are held to the
// error body only, not to each operation's documented statuses.
func injectsErrors(t testing.TB) {
	injected.Store(t.Name(), true)
	t.Cleanup(func() { injected.Delete(t.Name()) })
}

func injecting(name string) bool {
	for {
		if _, ok := injected.Load(name); ok {
			return true
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return false
		}
		name = name[:i]
	}
}

// contractHandler serves h and validates every exchange against the
// contract, for tests that go through a real listener.
func contractHandler(t testing.TB, h http.Handler) http.Handler {
	c := mustContract(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &recorder{ResponseWriter: w, status: http.StatusOK}
		sent := r.Clone(context.Background())
		h.ServeHTTP(rw, r)
		if errs := checkExchange(c, sent, rw.status, w.Header(), rw.body.Bytes()); len(errs) > 0 {
			t.Error(errors.Join(errs...))
		}
	})
}

// recorder keeps the status and a copy of the body of a response while
// passing it on.
type recorder struct {
	http.ResponseWriter
	status  int
	written bool
	body    bytes.Buffer
}

func (w *recorder) WriteHeader(code int) {
	if !w.written {
		w.status, w.written = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	w.written = true
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestMain checks, after a run of the whole suite, that every operation
// of the contract was exercised by a validated exchange, so that an
// operation cannot be documented and never held to its document.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code != 0 || flag.Lookup("test.run").Value.String() != "" || flag.Lookup("test.skip").Value.String() != "" {
		os.Exit(code)
	}
	c, err := loadContract()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var missing []string
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if _, ok := exercised.Load(op.OperationID); !ok {
				missing = append(missing, method+" "+path+" ("+op.OperationID+")")
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		fmt.Fprintf(os.Stderr, "FAIL: operations of openapi.json no test exercised:\n\t%s\n", strings.Join(missing, "\n\t"))
		os.Exit(1)
	}
	os.Exit(code)
}

func TestContractDocument(t *testing.T) {
	t.Parallel()
	c := mustContract(t)
	if !c.doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi %q, want 3.1", c.doc.OpenAPI)
	}
	// The document is ours: valid JSON, indented as written, no
	// operation without an id (the coverage check names them).
	var v any
	if err := json.Unmarshal(openapiJSON, &v); err != nil {
		t.Fatal(err)
	}
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
		}
	}
}

// ginPath turns a gin route pattern into an OpenAPI path.
func ginPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// outsideContract are the routes that are not JSON API: the search page,
// its assets and the Prometheus metrics.
var outsideContract = []string{"/", "/static/{file}", "/metrics"}

// TestContractRoutes fails when gin serves a route the document does not
// have, or the document has an operation gin does not serve.
func TestContractRoutes(t *testing.T) {
	t.Parallel()
	c := mustContract(t)
	s, _ := newTestServer(t, &fakeBackend{}, Options{Metrics: nil})
	served := map[string]bool{}
	for _, r := range s.engine.Routes() {
		path := ginPath(r.Path)
		key := r.Method + " " + path
		served[key] = true
		if slices.Contains(outsideContract, path) {
			continue
		}
		item := c.doc.Paths.Find(path)
		if item == nil {
			t.Errorf("%s is served but openapi.json has no path %s", key, path)
			continue
		}
		if item.GetOperation(r.Method) == nil {
			t.Errorf("%s is served but openapi.json has no %s operation on %s", key, r.Method, path)
		}
	}
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			if !served[method+" "+path] {
				t.Errorf("openapi.json has %s %s, which the server does not serve", method, path)
			}
		}
	}
}

// TestContractGoldens validates the golden answers of testdata against
// the schema each stands for.
func TestContractGoldens(t *testing.T) {
	t.Parallel()
	c := mustContract(t)
	schemaOf := map[string]string{
		"search_response.golden.json": "SearchResult",
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			name, ok := schemaOf[filepath.Base(f)]
			if !ok {
				t.Fatalf("no schema named for %s: add it to schemaOf", f)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			if err := c.doc.Components.Schemas[name].Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()); err != nil {
				t.Errorf("%s does not match %s: %v", f, name, err)
			}
		})
	}
}

func TestOpenAPIServed(t *testing.T) {
	s, _ := newTestServer(t, nil, Options{})
	h := s.Handler()
	rec := do(t, h, http.MethodGet, "/api/v1/openapi.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	if !bytes.Equal(rec.Body.Bytes(), openapiJSON) {
		t.Error("the body is not the embedded document")
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if again := do(t, h, http.MethodGet, "/api/v1/openapi.json", "If-None-Match", etag); again.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", again.Code)
	}
	if head := do(t, h, http.MethodHead, "/api/v1/openapi.json"); head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d bytes; want 200 and none", head.Code, head.Body.Len())
	}
	if head := do(t, h, http.MethodHead, "/healthz"); head.Code != http.StatusOK {
		t.Errorf("HEAD /healthz: status %d, want 200", head.Code)
	}
}

// TestContractCatchesDrift feeds the checker exchanges that break the
// contract, so that a checker that lets everything through fails.
func TestContractCatchesDrift(t *testing.T) {
	t.Parallel()
	c := mustContract(t)
	okHeader := func(ct string) http.Header {
		return http.Header{"Content-Type": {ct}, "X-Request-Id": {"r-1"}}
	}
	jsonCT := "application/json; charset=utf-8"
	tests := []struct {
		name   string
		method string
		target string
		status int
		header http.Header
		body   string
		want   string // in the error; "" for none
	}{
		{"valid search", "GET", "/api/v1/search?q=x&size=5", 200, okHeader(jsonCT),
			`{"query":"x","total":0,"page":1,"size":5,"took_ms":0.1,"hits":[],"facets":{"theme":[],"type":[],"year":[],"place":[],"kind":[],"lang":[]}}`, ""},
		{"field missing", "GET", "/api/v1/search?q=x", 200, okHeader(jsonCT),
			`{"query":"x","total":0,"page":1,"size":10,"hits":[],"facets":{"theme":[],"type":[],"year":[],"place":[],"kind":[],"lang":[]}}`, "took_ms"},
		{"field not documented", "GET", "/api/v1/themes", 200, okHeader(jsonCT), `{"themes":[],"cursor":"x"}`, "cursor"},
		{"null list", "GET", "/api/v1/themes", 200, okHeader(jsonCT), `{"themes":null}`, "doesn't match"},
		{"status not documented", "GET", "/api/v1/themes", 404, okHeader(jsonCT), `{"error":{"code":"not_found","message":"x"}}`, "status is not supported"},
		{"error code not in the set", "GET", "/api/v1/themes", 500, okHeader(jsonCT), `{"error":{"code":"oops","message":"x"}}`, "doesn't match"},
		{"no request id", "GET", "/api/v1/themes", 200, http.Header{"Content-Type": {jsonCT}}, `{"themes":[]}`, "X-Request-ID"},
		{"looser than the document", "GET", "/api/v1/search?size=500", 200, okHeader(jsonCT),
			`{"query":"","total":0,"page":1,"size":500,"took_ms":0,"hits":[],"facets":{"theme":[],"type":[],"year":[],"place":[],"kind":[],"lang":[]}}`, "server accepted it"},
		{"stricter than the document", "GET", "/api/v1/search?size=50", 400, okHeader(jsonCT),
			`{"error":{"code":"invalid_argument","message":"parameter \"size\": 50 is out of range 1..20"}}`, "server rejected it"},
		{"parameter not documented", "GET", "/api/v1/search?scroll=abc", 200, okHeader(jsonCT),
			`{"query":"","total":0,"page":1,"size":10,"took_ms":0,"hits":[],"facets":{"theme":[],"type":[],"year":[],"place":[],"kind":[],"lang":[]}}`, "not in the document"},
		{"scalar given twice", "GET", "/api/v1/search?q=a&q=b", 200, okHeader(jsonCT),
			`{"query":"a","total":0,"page":1,"size":10,"took_ms":0,"hits":[],"facets":{"theme":[],"type":[],"year":[],"place":[],"kind":[],"lang":[]}}`, "server accepted it"},
		{"unknown API path not 404", "GET", "/api/v1/nope", 200, okHeader(jsonCT), `{}`, "answered 404"},
		{"plain-text 404", "GET", "/api/v1/nope", 404, okHeader("text/plain"), `404 page not found`, "JSON error body"},
		{"405 without Allow", "POST", "/api/v1/search", 405, okHeader(jsonCT), `{"error":{"code":"method_not_allowed","message":"x"}}`, "Allow"},
		{"CSV without its header line", "GET", "/api/v1/export?q=x", 200,
			http.Header{"Content-Type": {"text/csv; charset=utf-8"}, "X-Request-Id": {"r-1"}, "X-Total-Count": {"0"},
				"Content-Disposition": {`attachment; filename="kbsearch-x.csv"`}}, "1,a,b\n", "doesn't match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			errs := checkExchange(c, req, tt.status, tt.header, []byte(tt.body))
			got := errors.Join(errs...)
			switch {
			case tt.want == "" && got != nil:
				t.Errorf("unexpected: %v", got)
			case tt.want != "" && got == nil:
				t.Errorf("passed; want an error about %q", tt.want)
			case tt.want != "" && !strings.Contains(got.Error(), tt.want):
				t.Errorf("error %v; want one about %q", got, tt.want)
			}
		})
	}
}
