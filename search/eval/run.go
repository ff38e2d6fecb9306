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
	// Depth is how many results per query are scored; default
	// DefaultDepth. MAP is computed over them (MAP@Depth, see Score). They
	// are fetched page by page, search.MaxSize at a time.
	Depth int
	// Text is the query text sent for q; default FreeText(q.Text).
	Text func(q Query) string
	// DocID is the collection id of a hit; default the hit's own id. A hit
	// that is no document of the collection may return any id the
	// judgments do not name (it then takes its rank and counts as not
	// relevant).
	DocID func(h search.Hit) string
	// KeepGoing makes a query that fails count as an empty ranking (zero
	// everywhere) and be listed in Report.Errors, instead of ending the
	// run.
	KeepGoing bool
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
	// Top holds each scored query's first TopN document ids.
	Top map[string][]string `json:"-"`
	// Errors holds the message of each query that failed (with
	// Options.KeepGoing); those queries score zero in Mean.
	Errors map[string]string `json:"errors,omitempty"`
}

// DefaultDepth is the number of results scored per query unless
// Options.Depth says otherwise: 100, as the peers' figures are (trec_eval
// map at -M100).
const DefaultDepth = 100

// TopN is how many ids of each ranking a Report keeps.
const TopN = 10

// Searcher answers search requests; *search.Searcher is one.
type Searcher interface {
	Search(ctx context.Context, req search.Request) (*search.Result, error)
}

var _ Searcher = (*search.Searcher)(nil)

// Run indexes c through the service's mapping and IndexFields in a new bleve
// index on disk, reopens it read-only as the service does, and measures
// every judged query through search.Searcher.Search (see Measure).
func Run(ctx context.Context, c Collection, opts Options) (*Report, error) {
	log := logger(opts.Logger)
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
	took := time.Since(start)
	log.Info("indexed", "collection", c.Name, "documents", len(c.Docs), "seconds", took.Seconds())

	r, err := indexer.OpenDir(path)
	if err != nil {
		return nil, fmt.Errorf("eval: open index: %w", err)
	}
	defer r.Close()
	s := search.New(r, search.Options{Ranking: opts.Ranking, Logger: log})
	rep, err := Measure(ctx, s, c, opts)
	if err != nil {
		return nil, err
	}
	rep.IndexTime = took
	return rep, nil
}

// Measure runs every query of c that has a relevant judgment through s,
// first as a page of 10 (timed: P50, P95), then page by page down to
// opts.Depth, and scores each ranking. opts.Ranking and opts.Dir are not
// used: s is searched as it is.
func Measure(ctx context.Context, s Searcher, c Collection, opts Options) (*Report, error) {
	if opts.Depth <= 0 {
		opts.Depth = DefaultDepth
	}
	text := opts.Text
	if text == nil {
		text = func(q Query) string { return FreeText(q.Text) }
	}
	docID := opts.DocID
	if docID == nil {
		docID = func(h search.Hit) string { return h.ID }
	}
	rep := &Report{Name: c.Name, Documents: len(c.Docs), PerQuery: map[string]Scores{}, Top: map[string][]string{}}
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
		ranked, first, firstDeep, err := rank(ctx, s, text(q), opts.Depth, docID)
		if err != nil {
			if !opts.KeepGoing || ctx.Err() != nil {
				return nil, fmt.Errorf("eval: query %s: %w", q.ID, err)
			}
			if rep.Errors == nil {
				rep.Errors = map[string]string{}
			}
			rep.Errors[q.ID] = err.Error()
			ranked = nil
		} else {
			lat, deep = append(lat, first), append(deep, firstDeep)
		}
		sc := Score(ranked, judged)
		rep.PerQuery[q.ID] = sc
		rep.Top[q.ID] = ranked[:min(len(ranked), TopN)]
		all = append(all, sc)
	}
	rep.Queries = len(all)
	rep.Mean = mean(all)
	slices.Sort(lat)
	slices.Sort(deep)
	rep.P50, rep.P95 = Quantile(lat, 0.5), Quantile(lat, 0.95)
	rep.P50Deep = Quantile(deep, 0.5)
	return rep, nil
}

// rank returns the collection ids of text's first depth hits, with the
// time of a first page of 10 and of the first page of search.MaxSize.
func rank(ctx context.Context, s Searcher, text string, depth int, docID func(search.Hit) string) (ranked []string, first, firstDeep time.Duration, err error) {
	t0 := time.Now()
	if _, err := s.Search(ctx, search.Request{Query: text}); err != nil {
		return nil, 0, 0, err
	}
	first = time.Since(t0)
	for page := 1; len(ranked) < depth; page++ {
		t0 := time.Now()
		res, err := s.Search(ctx, search.Request{Query: text, Size: search.MaxSize, Page: page})
		if err != nil {
			return nil, 0, 0, err
		}
		if page == 1 {
			firstDeep = time.Since(t0)
		}
		for _, h := range res.Hits {
			ranked = append(ranked, docID(h))
		}
		if len(res.Hits) < search.MaxSize {
			break
		}
	}
	return ranked[:min(len(ranked), depth)], first, firstDeep, nil
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return l
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
