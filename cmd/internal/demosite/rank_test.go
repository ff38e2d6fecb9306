package demosite_test

import (
	"bufio"
	"context"
	"flag"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/kbsearch/kbsearch/cmd/internal/demosite"
	"github.com/kbsearch/kbsearch/crawler"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search"
)

var rankShow = flag.Bool("rank.show", false, "print the top three hits of every rank query")

var demo struct {
	once sync.Once
	s    *search.Searcher
	err  error
	dir  string
}

// demoSearcher crawls the built-in demo portal (served by httptest), builds
// an index generation from the crawl and returns a Searcher over it: the
// same pipeline as kbsearch demo. It is built once per test binary.
func demoSearcher(t *testing.T) *search.Searcher {
	t.Helper()
	if testing.Short() {
		t.Skip("crawls and indexes the demo portal")
	}
	demo.once.Do(func() {
		demo.s, demo.err = buildDemo()
	})
	if demo.err != nil {
		t.Fatal(demo.err)
	}
	return demo.s
}

func buildDemo() (*search.Searcher, error) {
	ctx := context.Background()
	site, err := demosite.New()
	if err != nil {
		return nil, err
	}
	portal := httptest.NewServer(site.Handler())
	defer portal.Close()
	dir, err := os.MkdirTemp("", "kbsearch-rank-")
	if err != nil {
		return nil, err
	}
	demo.dir = dir
	st, err := store.Open(ctx, dir+"/crawl", store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	c, err := crawler.New(st, crawler.Options{Seeds: []string{portal.URL + "/"}, Delay: crawler.NoDelay})
	if err != nil {
		return nil, err
	}
	if _, err := c.Run(ctx); err != nil {
		return nil, err
	}
	if _, err := indexer.Build(ctx, st, dir+"/index", indexer.BuildOptions{}); err != nil {
		return nil, err
	}
	r, _, err := indexer.OpenCurrentReader(dir + "/index")
	if err != nil {
		return nil, err
	}
	return search.New(r, search.Options{}), nil
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if demo.dir != "" {
		os.RemoveAll(demo.dir)
	}
	os.Exit(code)
}

// TestRank runs testdata/rank.txt: each line is a query, a tab and the URL
// path of the document that must come first. A ranking change that moves one
// of them fails the build.
func TestRank(t *testing.T) {
	s := demoSearcher(t)
	f, err := os.Open("testdata/rank.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		q, want, ok := strings.Cut(text, "\t")
		if !ok {
			t.Fatalf("rank.txt:%d: want query<TAB>path, got %q", line, text)
		}
		n++
		t.Run(q, func(t *testing.T) {
			res, err := s.Search(context.Background(), search.Request{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				u, err := url.Parse(h.URL)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, u.Path)
			}
			if *rankShow {
				t.Logf("%q: %v", q, got[:min(3, len(got))])
			}
			if len(got) == 0 || got[0] != want {
				t.Errorf("rank.txt:%d: first hit of %q (-want +got):\n- %s\n+ %v", line, q, want, got[:min(3, len(got))])
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 25 {
		t.Errorf("rank.txt has %d queries; keep at least 25", n)
	}
}
