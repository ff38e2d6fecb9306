package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/httpapi"
)

type serveFlags struct {
	addr    string
	taxFile string
	origins []string
}

func newServeCmd(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API and the search page over the current index",
		Long: `serve answers searches over the current index generation under --data and
switches to each new generation that "kbsearch index" publishes. The first
Ctrl-C drains requests for up to 10 s; a second one stops at once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			tax, err := loadTaxonomy(f.taxFile)
			if err != nil {
				return err
			}
			return runServe(cmd.Context(), g, f, tax, func(a net.Addr) {
				fmt.Fprintf(g.stdout, "kbsearch: serving on http://%s/\n", a)
			})
		},
	}
	cmd.Flags().StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&f.taxFile, "taxonomy", "", "theme taxonomy JSON file (labels; use the one the index was built with)")
	cmd.Flags().StringSliceVar(&f.origins, "cors-origin", nil, "origins allowed to call the API from a browser (embedding)")
	return cmd
}

// runServe serves the index of g until ctx is done.
func runServe(ctx context.Context, g *globals, f serveFlags, tax *taxonomy.Taxonomy, ready func(net.Addr)) error {
	live, err := indexer.NewLive(g.indexDir(), g.log)
	if err != nil {
		return err
	}
	defer live.Close()
	if live.Generation() == "" {
		g.log.Warn("no index yet: searches answer 503 until `kbsearch index` builds one", "dir", g.indexDir())
	}
	go live.Watch(ctx, 2*time.Second)
	srv := httpapi.New(httpapi.Options{
		Backend:        search.New(live, search.Options{Taxonomy: tax, Logger: g.log}),
		Logger:         g.log,
		AllowedOrigins: f.origins,
		Version:        version,
		Metrics:        serveMetrics(live),
	})
	return srv.Serve(ctx, f.addr, ready)
}

// serveMetrics is the registry /metrics serves: the Go runtime's and the
// process's collectors, the index's size and generation, and what the HTTP
// server adds.
func serveMetrics(live *indexer.Live) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kbsearch_index_documents",
			Help: "Documents in the index generation being served (0 without one).",
		}, func() float64 {
			r, err := live.Acquire()
			if err != nil {
				return 0
			}
			defer r.Release()
			return float64(r.Count())
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "kbsearch_index_generation",
			Help: "Number of the index generation being served (gen-000007 is 7; 0 without one).",
		}, func() float64 {
			n, _ := strconv.Atoi(strings.TrimPrefix(live.Generation(), "gen-"))
			return float64(n)
		}),
	)
	return reg
}
