package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/kbsearch/kbsearch/crawler"
	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/eval"
	"github.com/kbsearch/kbsearch/search/eval/site"
)

// The path mode of eval crawls, indexes and searches exactly as the
// product does: crawler.Run with the crawl command's defaults (the
// crawler's own, which kbsearch crawl's flags start from) but no delay,
// indexer.Build as kbsearch index runs it, and a search.Searcher over
// indexer.Live as kbsearch serve makes it. It lives beside the lab's
// commands rather than in search/eval, which must not import the crawler.

// pathOptions configure runEvalPath.
type pathOptions struct {
	Depth int
	// FreeText sends eval.FreeText of each query, as the in-process run
	// does, instead of the query as a user would type it.
	FreeText bool
	Dir      string // for the temporary crawl store and index; default os.TempDir()
	// NoFeedback is serve's --no-feedback.
	NoFeedback bool
}

// pathReport is a collection measured through the product's path.
type pathReport struct {
	*eval.Report
	Pages     int              // pages of the site: documents and listings
	Crawl     *crawler.Summary // the crawl's summary
	Indexed   int              // documents in the index
	CrawlTime time.Duration
	// Duplicates maps the id of each document the crawler folded into
	// another (same page, byte for byte) to that other's id.
	Duplicates map[string]string
	// Missing lists the ids of documents neither indexed nor folded.
	Missing []string
	// Strays counts indexed documents that are no document page.
	Strays int
}

// runEvalPath renders c as a website, serves it on loopback, crawls it with
// the crawl command's defaults (but no delay between requests) into a
// temporary data directory, indexes it as the index command does, and
// measures every judged query through a search.Searcher made as serve makes
// it, mapping each hit's URL back to the collection's id.
func runEvalPath(ctx context.Context, g *globals, c eval.Collection, opts pathOptions) (*pathReport, error) {
	tmp, err := os.MkdirTemp(opts.Dir, "kbsearch-evalpath-")
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer os.RemoveAll(tmp)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	ir, err := site.New(c, site.Options{BaseURL: "http://" + ln.Addr().String() + "/"})
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := &http.Server{Handler: ir, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	rep := &pathReport{Pages: ir.Pages(), Duplicates: map[string]string{}}
	storeDir, indexDir := filepath.Join(tmp, "crawl"), filepath.Join(tmp, "index")
	start := time.Now()
	if rep.Crawl, err = evalCrawl(ctx, g, storeDir, ir); err != nil {
		return nil, fmt.Errorf("eval: crawl %s: %w", c.Name, err)
	}
	rep.CrawlTime = time.Since(start)
	tax := taxonomy.Default()
	start = time.Now()
	built, err := evalIndex(ctx, g, storeDir, indexDir, tax)
	if err != nil {
		return nil, fmt.Errorf("eval: index %s: %w", c.Name, err)
	}
	took := time.Since(start)
	rep.Indexed = built.Documents
	if err := rep.readStore(ctx, storeDir, c, ir); err != nil {
		return nil, err
	}

	live, err := indexer.NewLive(indexDir, g.log)
	if err != nil {
		return nil, err
	}
	defer live.Close()
	s := search.New(live, search.Options{Taxonomy: tax, Logger: g.log, Ranking: search.Ranking{NoFeedback: opts.NoFeedback}})
	mo := eval.Options{
		Depth:     opts.Depth,
		Text:      func(q eval.Query) string { return q.Text },
		KeepGoing: true,
		DocID: func(h search.Hit) string {
			if id, ok := ir.DocID(h.URL); ok {
				return id
			}
			return "url:" + h.URL // takes its rank, relevant to nothing
		},
	}
	if opts.FreeText {
		mo.Text = nil
	}
	if rep.Report, err = eval.Measure(ctx, s, c, mo); err != nil {
		return nil, err
	}
	rep.IndexTime = took
	return rep, nil
}

// evalCrawl crawls the site ir into a new store at dir as kbsearch crawl
// --delay 0 does: the crawler's defaults, documents parsed in a pool of
// worker processes, no pause between requests (the site is ours, on
// loopback), and room for every page of a collection larger than a
// default crawl.
func evalCrawl(ctx context.Context, g *globals, dir string, ir *site.Site) (*crawler.Summary, error) {
	st, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	pool := extract.NewPool(crawler.DefaultConcurrency)
	defer pool.Close()
	c, err := crawler.New(st, crawler.Options{
		Seeds:    []string{ir.Start()},
		Delay:    crawler.NoDelay,
		MaxPages: max(crawler.DefaultMaxPages, ir.Pages()+10),
		Extract:  extract.Options{Isolate: true, Pool: pool},
		Logger:   g.log,
	})
	if err != nil {
		return nil, err
	}
	return c.Run(ctx)
}

// evalIndex builds a generation of the store at storeDir into indexDir as
// kbsearch index does.
func evalIndex(ctx context.Context, g *globals, storeDir, indexDir string, tax *taxonomy.Taxonomy) (*indexer.BuildResult, error) {
	st, err := store.Open(ctx, storeDir, store.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return indexer.Build(ctx, st, indexDir, indexer.BuildOptions{Taxonomy: tax, Logger: g.log})
}

// readStore fills Duplicates, Missing and Strays from the crawl store.
func (rep *pathReport) readStore(ctx context.Context, dir string, c eval.Collection, ir *site.Site) error {
	st, err := store.Open(ctx, dir, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	seen := map[string]bool{}
	err = st.Each(ctx, func(rec *store.Record) error {
		id, isDoc := ir.DocID(indexer.CanonicalURL(rec))
		switch {
		case rec.Indexable() && isDoc:
			seen[id] = true
		case rec.Indexable():
			rep.Strays++
		case isDoc && rec.DuplicateOf != "":
			if of, ok := ir.DocID(rec.DuplicateOf); ok {
				rep.Duplicates[id] = of
				seen[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("eval: read the crawl store: %w", err)
	}
	for _, d := range c.Docs {
		if !seen[d.ID] {
			rep.Missing = append(rep.Missing, d.ID)
		}
	}
	return nil
}

// queryDiff is one query whose nDCG@10 differs between two runs.
type queryDiff struct {
	ID       string
	In, Path eval.Scores
	InTop    []string
	PathTop  []string
}

// diffQueries returns the queries scored in both reports whose nDCG@10
// differs by more than threshold, the largest difference first (ties by
// query id).
func diffQueries(in, path *eval.Report, threshold float64) []queryDiff {
	var out []queryDiff
	for id, a := range in.PerQuery {
		b, ok := path.PerQuery[id]
		if !ok || abs(a.NDCG10-b.NDCG10) <= threshold {
			continue
		}
		out = append(out, queryDiff{ID: id, In: a, Path: b, InTop: in.Top[id], PathTop: path.Top[id]})
	}
	slices.SortFunc(out, func(x, y queryDiff) int {
		dx, dy := abs(x.In.NDCG10-x.Path.NDCG10), abs(y.In.NDCG10-y.Path.NDCG10)
		switch {
		case dx > dy:
			return -1
		case dx < dy:
			return 1
		}
		return compareIDs(x.ID, y.ID)
	})
	return out
}

// compareIDs orders numeric ids by number, others as strings.
func compareIDs(a, b string) int {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

var errRankingFlags = errors.New("--path measures the service, which runs the default ranking or --no-feedback: drop the other ranking flags")
