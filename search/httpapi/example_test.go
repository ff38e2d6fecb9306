package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

// themesOnly is a stand-in for *search.Searcher.
type themesOnly struct{}

func (themesOnly) Search(context.Context, search.Request) (*search.Result, error) {
	return nil, search.Errorf(search.KindUnavailable, "no index yet")
}

func (themesOnly) Document(context.Context, string) (*search.Document, error) {
	return nil, search.Errorf(search.KindNotFound, "no such document")
}

func (themesOnly) Themes(context.Context) ([]search.ThemeCount, error) {
	return []search.ThemeCount{{ID: "coding", Label: "Coding", Count: 3}}, nil
}

func (themesOnly) Suggest(context.Context, string, int) ([]search.Suggestion, error) {
	return []search.Suggestion{{Text: "Coding", Kind: search.SuggestTheme, Theme: "coding", Count: 3}}, nil
}

func (themesOnly) Export(context.Context, search.Request, int, func(uint64, []search.Hit) error) error {
	return search.Errorf(search.KindUnavailable, "no index yet")
}

func (themesOnly) Label(_, value string) string { return value }

func (themesOnly) Similar(context.Context, string) ([]search.Related, error) { return nil, nil }

func (themesOnly) Abstracts(context.Context, []string) (map[string]string, error) { return nil, nil }

func ExampleServer_Handler() {
	srv := httpapi.New(httpapi.Options{Backend: themesOnly{}, Version: "dev"})
	h := srv.Handler()

	for _, target := range []string{"/healthz", "/api/v1/themes", "/api/v1/suggest?q=cod", "/api/v1/search?size=0"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 {"status":"ok","version":"dev"}
	// 200 {"themes":[{"id":"coding","label":"Coding","description":"","count":3}]}
	// 200 {"query":"cod","suggestions":[{"text":"Coding","kind":"theme","theme":"coding","count":3}]}
	// 400 {"error":{"code":"invalid_argument","message":"parameter \"size\": 0 is out of range 1..100"}}
}
