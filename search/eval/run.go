package eval

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search"
)

// Collection is a test collection in memory.
type Collection struct {
	Name    string
	Docs    []Doc
	Queries []Query
	Qrels   Qrels
}

// Options configure Run.
type Options struct {
	// Ranking is the search configuration measured; the zero value is the
	// service's default.
	Ranking search.Ranking
	// Depth is how many results per query are scored (for MAP); default
	// 1000. They are fetched page by page, search.MaxSize at a time.
	Depth int
	// Dir is where the index is built, in a temporary directory removed
	// afterwards; default os.TempDir().
	Dir    string
	Logger *slog.Logger
}

// Report is the outcome of one collection.
type Report struct {
	Name      string        `json:"name"`
	Documents int           `json:"documents"`
	Queries   int           `json:"queries"` // queries with at least one relevant document
	Mean      Scores        `json:"mean"`
	IndexTime time.Duration `json:"index_time"`
	// P50 and P95 are the latencies of a first page of 10 results, the
	// API's default; P50Deep of a page of 100.
	P50      time.Duration     `json:"p50"`
	P95      time.Duration     `json:"p95"`
	P50Deep  time.Duration     `json:"p50_deep"`
	PerQuery map[string]Scores `json:"-"`
}

// Run indexes c through the service's mapping and IndexFields in a new bleve
// index on disk, reopens it read-only as the service does, runs every judged
// query through search.Searcher.Search as free text, and scores the
// rankings.
func Run(ctx context.Context, c Collection, opts Options) (*Report, error) {
	if opts.Depth <= 0 {
		opts.Depth = 1000
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tmp, err := os.MkdirTemp(opts.Dir, "kbsearch-eval-")
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "index")

	start := time.Now()
	if err := build(ctx, path, c.Docs); err != nil {
		return nil, err
	}
	rep := &Report{Name: c.Name, Documents: len(c.Docs), IndexTime: time.Since(start), PerQuery: map[string]Scores{}}
	log.Info("indexed", "collection", c.Name, "documents", len(c.Docs), "seconds", rep.IndexTime.Seconds())

	r, err := indexer.OpenDir(path)
	if err != nil {
		return nil, fmt.Errorf("eval: open index: %w", err)
	}
	defer r.Close()
	s := search.New(r, search.Options{Ranking: opts.Ranking, Logger: log})

	var all []Scores
	var lat, deep []time.Duration
	for _, q := range c.Queries {
		judged := c.Qrels[q.ID]
		if !hasRelevant(judged) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		text := FreeText(q.Text)
		t0 := time.Now()
		if _, err := s.Search(ctx, search.Request{Query: text}); err != nil {
			return nil, fmt.Errorf("eval: query %s: %w", q.ID, err)
		}
		lat = append(lat, time.Since(t0))
		var ranked []string
		for page := 1; len(ranked) < opts.Depth; page++ {
			t0 := time.Now()
			res, err := s.Search(ctx, search.Request{Query: text, Size: search.MaxSize, Page: page})
			if err != nil {
				return nil, fmt.Errorf("eval: query %s: %w", q.ID, err)
			}
			if page == 1 {
				deep = append(deep, time.Since(t0))
			}
			for _, h := range res.Hits {
				ranked = append(ranked, h.ID)
			}
			if len(res.Hits) < search.MaxSize {
				break
			}
		}
		if len(ranked) > opts.Depth {
			ranked = ranked[:opts.Depth]
		}
		sc := Score(ranked, judged)
		rep.PerQuery[q.ID] = sc
		all = append(all, sc)
	}
	rep.Queries = len(all)
	rep.Mean = mean(all)
	rep.P50, rep.P95 = percentile(lat, 50), percentile(lat, 95)
	rep.P50Deep = percentile(deep, 50)
	return rep, nil
}

func hasRelevant(judged map[string]int) bool {
	for _, g := range judged {
		if g > 0 {
			return true
		}
	}
	return false
}

// build indexes docs as the service indexes crawled documents.
func build(ctx context.Context, dir string, docs []Doc) error {
	w, err := indexer.NewWriter(dir, 500)
	if err != nil {
		return err
	}
	for _, d := range docs {
		doc := indexer.Document{ID: d.ID, URL: d.ID, Title: d.Title, Body: d.Body, Type: indexer.TypePage, Lang: "en"}
		if _, err := w.Add(ctx, &doc); err != nil {
			w.Abort()
			return fmt.Errorf("eval: %w", err)
		}
	}
	if err := w.Close(ctx); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return nil
}

// FreeText turns a natural-language query into plain free text of the query
// language: quotes, parentheses, field colons and +/- prefixes become
// spaces and the operator words AND, OR, NOT lose their capitals, so every
// word is one OR-ed term.
func FreeText(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\"“”„()+:", r)
	})
	for i, w := range f {
		w = strings.TrimLeft(w, "-")
		switch w {
		case "AND", "OR", "NOT":
			w = strings.ToLower(w)
		}
		f[i] = w
	}
	return strings.Join(f, " ")
}

// percentile returns the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}
