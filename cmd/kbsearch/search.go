package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/client"
)

type searchFlags struct {
	server  string
	themes  []string
	types   []string
	years   []string
	places  []string
	kinds   []string
	langs   []string
	from    string
	to      string
	sort    string
	page    int
	size    int
	cursor  string
	recency string
	format  string
	taxFile string
}

func newSearchCmd(g *globals) *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "search [flags] QUERY...",
		Short: "Search the index (local, or a server's) and print the results",
		Long: `search runs one query against the current index under --data, or against a
running server with --server URL, and prints a table of hits or, with
--format json, the API's search object. The table fits the terminal (else
$COLUMNS, else 80 columns): number, title, date and type, the themes by
label on the next line, the best passage with the words that matched in
bold, then the URL on a line of its own (dimmed); bold and dim only on a
terminal, and not when NO_COLOR is set. With --format csv it writes every
hit (up to 1,000, whatever --page and --size say) as CSV, for a spreadsheet
or a reading list; with --format ris, as RIS records for a reference
manager (Zotero, EndNote, Mendeley).

Query syntax: free text; "a phrase"; +must; -not; field:value with field one
of title, body, theme, type, year, place, kind, lang, country; parentheses
group clauses. A query whose parentheses do not pair up is searched as its
plain words, and the output says so.

search exits 0 when it found something, 4 when it found nothing (in every
format), 2 on a bad flag value and 1 when it could not search.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.request(strings.Join(args, " "))
			if err != nil {
				return err
			}
			switch f.format {
			case "csv":
				n, err := exportCSV(cmd.Context(), g, f, req)
				if err != nil {
					return invalidAsUsage(err)
				}
				return noResults(uint64(n))
			case "ris":
				n, err := exportRIS(cmd.Context(), g, f, req)
				if err != nil {
					return invalidAsUsage(err)
				}
				return noResults(uint64(n))
			}
			tax, err := loadTaxonomy(f.taxFile)
			if err != nil {
				return err
			}
			svc, done, err := f.service(g, tax)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Search(cmd.Context(), req)
			if err != nil {
				return invalidAsUsage(err)
			}
			switch f.format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false) // snippets stay readable: <mark> rather than \u003cmark\u003e
				err = enc.Encode(res)
			default:
				label := resultLabels(res, search.Labels(tax))
				err = printTable(g.stdout, res, label, req.Themes, outputStyle(g.stdout, os.Getenv))
			}
			if err != nil {
				return err
			}
			return noResults(res.Total)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "search a running kbsearch server at this URL instead of --data")
	fl.StringSliceVar(&f.themes, "theme", nil, "only these themes (repeatable; several = any of them)")
	fl.StringSliceVar(&f.types, "type", nil, "only these document types: minutes, key-messages, report, agenda, page")
	fl.StringSliceVar(&f.years, "year", nil, "only these years")
	fl.StringSliceVar(&f.places, "place", nil, "only these meeting places")
	fl.StringSliceVar(&f.kinds, "kind", nil, "only these meeting kinds: plenary, peer-learning, ad-hoc, online")
	fl.StringSliceVar(&f.langs, "lang", nil, "only these languages (en, fr, ...)")
	fl.StringVar(&f.from, "from", "", "only documents dated on or after YYYY[-MM[-DD]]")
	fl.StringVar(&f.to, "to", "", "only documents dated on or before YYYY[-MM[-DD]]")
	fl.StringVar(&f.sort, "sort", "relevance", "relevance, newest or oldest")
	fl.IntVar(&f.page, "page", 1, "result page")
	fl.IntVar(&f.size, "size", 10, "results per page (at most 100)")
	fl.StringVar(&f.cursor, "cursor", "", "the page after the one that printed this cursor (its next_cursor), with the same query and flags; reaches past --page 1000")
	fl.StringVar(&f.recency, "recency", "", "recency boost of the relevance order: a half-life such as 90d, 6w or 5y (newer documents first among near-equals), or off")
	fl.StringVar(&f.format, "format", "table", "output: table, json, csv or ris (csv and ris: all hits, up to 1,000)")
	fl.StringVar(&f.taxFile, "taxonomy", "", "theme taxonomy JSON file (for labels and known themes)")
	registerSearchCompletions(cmd, &f)
	return cmd
}

// noResults is the command's outcome for total results: nil, or exit
// status 4 when there are none (the output has said so already).
func noResults(total uint64) error {
	if total == 0 {
		return exitCode(exitNoResults)
	}
	return nil
}

// invalidAsUsage makes a search error about the request (an unknown theme
// or type, a bad year, a query too long) a usage error: it comes from the
// command line.
func invalidAsUsage(err error) error {
	if search.KindOf(err) == search.KindInvalid {
		return &usageError{Err: err}
	}
	return err
}

func (f *searchFlags) request(q string) (search.Request, error) {
	switch {
	case !slices.Contains(formats, f.format):
		return search.Request{}, usagef("--format must be one of %s, not %q", strings.Join(formats, ", "), f.format)
	case !slices.Contains(sorts, f.sort):
		return search.Request{}, usagef("--sort must be relevance, newest or oldest, not %q", f.sort)
	case f.page < 1 || f.page > search.MaxPage:
		return search.Request{}, usagef("--page must be between 1 and %d, not %d", search.MaxPage, f.page)
	case f.size < 1 || f.size > search.MaxSize:
		return search.Request{}, usagef("--size must be between 1 and %d, not %d", search.MaxSize, f.size)
	}
	from, err := search.ParseDateBound(f.from, false)
	if err != nil {
		return search.Request{}, usagef("--from: %w", err)
	}
	to, err := search.ParseDateBound(f.to, true)
	if err != nil {
		return search.Request{}, usagef("--to: %w", err)
	}
	var recency time.Duration
	if f.recency != "" {
		if recency, err = search.ParseRecency(f.recency); err != nil {
			return search.Request{}, usagef("--recency: %w", err)
		}
	}
	if f.cursor != "" && f.page != 1 {
		return search.Request{}, usagef("--page and --cursor: give one or the other")
	}
	return search.Request{
		Query: q, Themes: f.themes, Types: f.types, Years: f.years, Places: f.places,
		Kinds: f.kinds, Langs: f.langs, From: from, To: to, Sort: f.sort, Page: f.page, Size: f.size,
		Cursor: f.cursor, Recency: recency,
	}, nil
}

// newClient returns a client of the kbsearch server at --server.
func newClient(server string) (*client.Client, error) {
	c, err := client.New(server, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("--server %q is not an http(s) URL", server)
	}
	return c, nil
}

// service is what the command searches: the server at --server through
// its API, or the current index under --data. done releases it.
func (f *searchFlags) service(g *globals, tax *taxonomy.Taxonomy) (svc search.Service, done func(), err error) {
	if f.server != "" {
		c, err := newClient(f.server)
		if err != nil {
			return nil, nil, err
		}
		return c, func() {}, nil
	}
	r, _, err := indexer.OpenCurrentReader(g.indexDir())
	if errors.Is(err, indexer.ErrNoIndex) {
		return nil, nil, fmt.Errorf("no index under %s: run kbsearch crawl and kbsearch index first (or pass --server)", g.data)
	}
	if err != nil {
		return nil, nil, err
	}
	return search.New(r, search.Options{Taxonomy: tax, Logger: g.log}), func() { r.Close() }, nil
}

// exportCSV writes every hit of req (up to search.MaxExport) as CSV, from
// the local index or a server. It returns the number of hits written.
func exportCSV(ctx context.Context, g *globals, f searchFlags, req search.Request) (int, error) {
	tax, err := loadTaxonomy(f.taxFile)
	if err != nil {
		return 0, err
	}
	svc, done, err := f.service(g, tax)
	if err != nil {
		return 0, err
	}
	defer done()
	cw := search.NewCSVWriter(g.stdout, search.Labels(tax))
	err = svc.Export(ctx, req, 0, func(_ uint64, hits []search.Hit) error { return cw.Write(hits) })
	return cw.Rows(), err
}

// exportRIS writes every hit of req (up to search.MaxExport) as RIS
// records: from the local index, or the server's export. It returns the
// number of records written.
func exportRIS(ctx context.Context, g *globals, f searchFlags, req search.Request) (int, error) {
	if f.server != "" {
		c, err := newClient(f.server)
		if err != nil {
			return 0, err
		}
		cw := &countingWriter{w: g.stdout, mark: []byte("\nER  - ")}
		if err := c.ExportFile(ctx, req, 0, "ris", cw); err != nil {
			return 0, err
		}
		return cw.n, nil
	}
	tax, err := loadTaxonomy(f.taxFile)
	if err != nil {
		return 0, err
	}
	r, _, err := indexer.OpenCurrentReader(g.indexDir())
	if errors.Is(err, indexer.ErrNoIndex) {
		return 0, fmt.Errorf("no index under %s: run kbsearch crawl and kbsearch index first (or pass --server)", g.data)
	}
	if err != nil {
		return 0, err
	}
	defer r.Close()
	s := search.New(r, search.Options{Taxonomy: tax, Logger: g.log})
	rw := search.NewRISWriter(g.stdout, search.Labels(tax))
	err = s.Export(ctx, req, 0, func(_ uint64, hits []search.Hit) error {
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		abs, err := s.Abstracts(ctx, ids)
		if err != nil {
			return err
		}
		return rw.Write(hits, abs)
	})
	return rw.Rows(), err
}

// countingWriter passes writes on to w and counts the occurrences of
// mark in them (a mark cut between two writes is not counted).
type countingWriter struct {
	w    io.Writer
	mark []byte
	n    int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, c.mark)
	return c.w.Write(p)
}
