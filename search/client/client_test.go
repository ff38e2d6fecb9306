package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/indexer/indexertest"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/client"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// live starts the real API over backend, with opts, and returns a Client
// of it.
func live(t *testing.T, backend httpapi.Backend, opts httpapi.Options) *client.Client {
	t.Helper()
	opts.Backend = backend
	srv := httptest.NewServer(httpapi.New(opts).Handler())
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL+"/", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// localAndRemote returns a Searcher over 300 synthetic documents and a
// Client of a live server over the same Searcher.
func localAndRemote(t *testing.T) (*search.Searcher, *client.Client) {
	t.Helper()
	s := search.New(indexertest.Reader(t, indexertest.SyntheticDocs(300), true), search.Options{})
	return s, live(t, s, httpapi.Options{})
}

// sameJSON reports the difference between the JSON forms of local and
// remote, if any: a field that is null or empty on one side and absent or
// empty on the other is the same (the API writes every list, even empty),
// and took_ms is left out.
func sameJSON(t *testing.T, local, remote any) {
	t.Helper()
	canon := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var x any
		if err := json.Unmarshal(b, &x); err != nil {
			t.Fatal(err)
		}
		return dropEmpty(x)
	}
	l, r := canon(local), canon(remote)
	if !reflect.DeepEqual(l, r) {
		lb, _ := json.MarshalIndent(l, "", " ")
		rb, _ := json.MarshalIndent(r, "", " ")
		t.Errorf("local and remote differ (-local +remote):\n-%s\n+%s", lb, rb)
	}
}

func dropEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = dropEmpty(e)
			if a, ok := e.([]any); e == nil || ok && len(a) == 0 || k == "took_ms" {
				delete(x, k)
				continue
			}
			x[k] = e
		}
	case []any:
		for i := range x {
			x[i] = dropEmpty(x[i])
		}
	}
	return v
}

func TestSearchAsLocal(t *testing.T) {
	t.Parallel()
	s, c := localAndRemote(t)
	ctx := context.Background()
	requests := map[string]search.Request{
		"words":           {Query: "learning analytics"},
		"match all":       {},
		"filters":         {Query: "teacher", Themes: []string{"coding", "oer"}, Types: []string{"minutes"}, Places: []string{"Tallinn"}, Kinds: []string{"peer-learning"}, Langs: []string{"en"}},
		"years and dates": {Query: "school", Years: []string{"2017"}, From: time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2017, 9, 30, 23, 59, 59, 999999999, time.UTC)},
		"newest, page 3":  {Query: "digital", Sort: search.SortNewest, Page: 3, Size: 7},
		"recency":         {Query: "tablet", Recency: 365 * 24 * time.Hour},
		"recency off":     {Query: "tablet", Recency: -1},
		"year by theme":   {Query: "open", YearTheme: true},
		"syntax":          {Query: `"open educational resources" -coding type:report`},
		"correction":      {Query: "analitics"},
	}
	same := func(t *testing.T, req search.Request) {
		t.Helper()
		want, err := s.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, want, got)
	}
	for name, req := range requests {
		t.Run(name, func(t *testing.T) { same(t, req) })
	}
	t.Run("cursor", func(t *testing.T) {
		req := search.Request{Query: "learning", Size: 20}
		first, err := c.Search(ctx, req)
		if err != nil || first.NextCursor == "" {
			t.Fatalf("first page: %v, next cursor %q", err, first.NextCursor)
		}
		req.Cursor = first.NextCursor
		same(t, req)
	})
}

func TestExportAsLocal(t *testing.T) {
	t.Parallel()
	s, c := localAndRemote(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		req   search.Request
		limit int
	}{
		{"every hit over several pages", search.Request{Query: "school"}, 0},
		{"limit within a page", search.Request{Query: "school", Sort: search.SortOldest}, 42},
		{"limit over pages", search.Request{Query: "devices"}, 250},
		{"nothing", search.Request{Query: "xylophone"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			csv := func(svc search.Service) (string, uint64, int) {
				var buf bytes.Buffer
				w := search.NewCSVWriter(&buf, s.Label)
				var total uint64
				calls := 0
				err := svc.Export(ctx, tt.req, tt.limit, func(n uint64, hits []search.Hit) error {
					total, calls = n, calls+1
					return w.Write(hits)
				})
				if err != nil {
					t.Fatal(err)
				}
				return buf.String(), total, calls
			}
			want, wantTotal, _ := csv(s)
			got, gotTotal, calls := csv(c)
			if got != want || gotTotal != wantTotal {
				t.Errorf("remote export (total %d) differs from local (total %d):\n%s\n---\n%s", gotTotal, wantTotal, got, want)
			}
			if calls == 0 {
				t.Error("emit never called")
			}
		})
	}
	if err := c.Export(ctx, search.Request{}, search.MaxExport+1, nil); search.KindOf(err) != search.KindInvalid {
		t.Errorf("limit over MaxExport: %v, want KindInvalid", err)
	}
}

// TestExportFile: the server's export file, as the API writes it, with
// the request's parameters; an error answer as a kind.
func TestExportFile(t *testing.T) {
	t.Parallel()
	s, c := localAndRemote(t)
	ctx := context.Background()
	req := search.Request{Query: "school", Sort: search.SortNewest}
	var want bytes.Buffer
	w := search.NewCSVWriter(&want, s.Label)
	if err := s.Export(ctx, req, 30, func(_ uint64, hits []search.Hit) error { return w.Write(hits) }); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := c.ExportFile(ctx, req, 30, "csv", &got); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("export file (-want +got):\n-%s\n+%s", want.String(), got.String())
	}
	got.Reset()
	if err := c.ExportFile(ctx, req, 5, "ris", &got); err != nil || strings.Count(got.String(), "\nER  - ") != 5 {
		t.Errorf("RIS of 5: %v, %d records:\n%s", err, strings.Count(got.String(), "\nER  - "), got.String())
	}
	if err := c.ExportFile(ctx, req, 5, "xml", &got); search.KindOf(err) != search.KindInvalid {
		t.Errorf("format xml: %v, want KindInvalid", err)
	}
}

func TestDocumentThemesSuggestAsLocal(t *testing.T) {
	t.Parallel()
	s, c := localAndRemote(t)
	ctx := context.Background()
	for _, id := range []string{"doc-000007", "doc-000299"} {
		want, err := s.Document(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Document(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, want, got)
	}
	for _, id := range []string{"doc-000007", "doc-000299"} {
		want, err := s.Similar(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Similar(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, want, got)
	}
	wantThemes, err := s.Themes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gotThemes, err := c.Themes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, wantThemes, gotThemes)
	for _, q := range []string{"lea", "digital sk", "school "} {
		want, err := s.Suggest(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Suggest(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, want, got)
	}
}

// failing is a backend whose every search fails with err.
type failing struct {
	*search.Searcher
	err error
}

func (f failing) Search(context.Context, search.Request) (*search.Result, error) { return nil, f.err }

// TestErrorKinds: an error the server answers with comes back as the kind
// a local search would have returned.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	s, c := localAndRemote(t)
	ctx := context.Background()

	t.Run("same kind as the backend's", func(t *testing.T) {
		for k := search.KindInternal; k <= search.KindExpired; k++ {
			t.Run(k.String(), func(t *testing.T) {
				c := live(t, failing{s, search.Errorf(k, "it failed")}, httpapi.Options{})
				_, err := c.Search(ctx, search.Request{Query: "school"})
				if got := search.KindOf(err); got != k {
					t.Errorf("kind %v, want %v (error %v)", got, k, err)
				}
				var se *client.StatusError
				if !errors.As(err, &se) || se.Status < 400 {
					t.Errorf("error %#v is not a StatusError with the answer's status", err)
				}
			})
		}
	})

	t.Run("bad request as local", func(t *testing.T) {
		for name, req := range map[string]search.Request{
			"size":   {Size: search.MaxSize + 1},
			"page":   {Page: search.MaxPage + 1},
			"cursor": {Query: "school", Cursor: "AAAA"},
			"query":  {Query: strings.Repeat("a", search.MaxQueryBytes+1)},
			"type":   {Types: []string{"novel"}},
		} {
			_, lerr := s.Search(ctx, req)
			_, rerr := c.Search(ctx, req)
			if search.KindOf(rerr) != search.KindInvalid || search.KindOf(lerr) != search.KindInvalid {
				t.Errorf("%s: local %v, remote %v: want both KindInvalid", name, lerr, rerr)
			}
		}
	})

	t.Run("no such document", func(t *testing.T) {
		_, err := c.Document(ctx, "doc-999999")
		if search.KindOf(err) != search.KindNotFound {
			t.Errorf("err %v, want KindNotFound", err)
		}
	})

	t.Run("rate limited", func(t *testing.T) {
		c := live(t, s, httpapi.Options{RateLimit: 0.001, RateBurst: 1})
		if _, err := c.Search(ctx, search.Request{}); err != nil {
			t.Fatal(err)
		}
		_, err := c.Search(ctx, search.Request{})
		var se *client.StatusError
		if search.KindOf(err) != search.KindRateLimited || !errors.As(err, &se) || se.Status != http.StatusTooManyRequests || se.RetryAfter < time.Second {
			t.Errorf("second search: %#v, want KindRateLimited, 429 and a Retry-After", err)
		}
	})

	t.Run("no index", func(t *testing.T) {
		c := live(t, nil, httpapi.Options{})
		_, err := c.Search(ctx, search.Request{})
		var se *client.StatusError
		if search.KindOf(err) != search.KindUnavailable || !errors.As(err, &se) || se.Status != http.StatusServiceUnavailable {
			t.Errorf("err %#v, want KindUnavailable and 503", err)
		}
	})

	t.Run("an answer that is not the API's", func(t *testing.T) {
		for status, want := range map[int]search.Kind{
			http.StatusBadGateway:         search.KindInternal,
			http.StatusServiceUnavailable: search.KindUnavailable,
			http.StatusGone:               search.KindExpired,
			http.StatusTeapot:             search.KindInvalid,
		} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "a proxy's page", status)
			}))
			c, err := client.New(srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Search(ctx, search.Request{})
			if search.KindOf(err) != want {
				t.Errorf("status %d: %v, want %v", status, err, want)
			}
			srv.Close()
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		c, err := client.New("http://"+addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Search(ctx, search.Request{}); search.KindOf(err) != search.KindUnavailable {
			t.Errorf("err %v, want KindUnavailable", err)
		}
	})

	t.Run("bad base URL", func(t *testing.T) {
		for _, u := range []string{"", "localhost:8080", "ftp://example.org", "http://", "://x"} {
			if _, err := client.New(u, nil); search.KindOf(err) != search.KindInvalid {
				t.Errorf("New(%q): %v, want KindInvalid", u, err)
			}
		}
	})
}
