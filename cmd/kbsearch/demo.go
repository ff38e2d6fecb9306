package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/cmd/internal/demosite"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

const demoStateFile = "demo.json"

type demoState struct {
	Portal string `json:"portal"`
}

func newDemoCmd(g *globals) *cobra.Command {
	var addr, portalAddr string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Serve the built-in demo portal, crawl it, index it and serve search over it",
		Long: `demo runs the whole pipeline on a sample portal built into the binary: it
serves the portal on --portal-addr, crawls it into --data, indexes it, serves
the API and the search page on --addr and prints the URL, until Ctrl-C. A
second run reuses the data directory: it re-crawls with conditional requests
and keeps the index if nothing changed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), g, addr, portalAddr)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address of the search API and page")
	cmd.Flags().StringVar(&portalAddr, "portal-addr", "127.0.0.1:8081", "address of the demo portal")
	return cmd
}

func runDemo(ctx context.Context, g *globals, addr, portalAddr string) error {
	start := time.Now()
	site, err := demosite.New()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", portalAddr)
	if err != nil {
		return fmt.Errorf("demo portal: %w (choose another --portal-addr)", err)
	}
	box := &searchBoxPage{portal: site.Handler()}
	portal := &http.Server{Handler: box, ReadHeaderTimeout: 10 * time.Second}
	go portal.Serve(ln)
	defer portal.Close()
	portalOrigin := "http://" + ln.Addr().String()
	portalURL := portalOrigin + "/"
	fmt.Fprintf(g.stdout, "demo portal: %s\n", portalURL)

	if err := prepareDemoData(g, portalURL); err != nil {
		return err
	}
	sum, err := runCrawl(ctx, g, crawlFlags{
		seeds: []string{portalURL}, delay: 0, maxPages: 2000, maxDepth: 10, concurrency: 4, timeout: 30 * time.Second,
	}, nil)
	if sum != nil {
		printSummary(g, sum)
	}
	if err != nil {
		return err
	}
	tax := taxonomy.Default()
	res, err := runIndex(ctx, g, tax, false)
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintf(g.stdout, "index: %s is up to date (%d documents)\n", res.Generation, res.Documents)
	} else {
		fmt.Fprintf(g.stdout, "index: built %s with %d documents in %.1fs\n", res.Generation, res.Documents, res.Duration.Seconds())
	}
	// The portal may call the API from its pages: its search box page.
	f := defaultServeFlags()
	f.addr, f.origins = addr, []string{portalOrigin}
	return runServe(ctx, g, f, tax, func(a net.Addr) {
		box.api.Store("http://" + a.String())
		fmt.Fprintf(g.stdout, "ready in %.1fs: search page http://%s/  (try http://%s/api/v1/search?q=bring+your+own+device)\n",
			time.Since(start).Seconds(), a, a)
		fmt.Fprintf(g.stdout, "the embeddable search box on a portal page: %s%s\n", portalOrigin, searchBoxPath)
		fmt.Fprintln(g.stdout, "press Ctrl-C to stop")
	})
}

// searchBoxPath is the demo portal's page that embeds the search box. No
// page links to it, so the crawler does not index it.
const searchBoxPath = "/search-box.html"

// searchBoxPage serves searchBoxPath, a portal page embedding the search
// box of the API server (once that is up), and the portal for the rest.
type searchBoxPage struct {
	portal http.Handler
	api    atomic.Value // string: the API server's origin
}

func (p *searchBoxPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != searchBoxPath {
		p.portal.ServeHTTP(w, r)
		return
	}
	api, _ := p.api.Load().(string)
	if api == "" {
		http.Error(w, "the search server is still starting", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Search the working group's documents</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; line-height: 1.5; }</style>
</head><body>
<p><a href="/">Working group home</a></p>
<h1>Search the working group's documents</h1>
<p>This page stands for a page of the portal itself. The box below comes from the search
server (%[1]s) through one script tag; the server lets this origin call its API.</p>
<div data-kbsearch data-placeholder="for example: coding in primary school"></div>
<h2>Only the documents on open educational resources</h2>
<div data-kbsearch data-theme="oer" data-size="3" data-label="Search the OER documents"></div>
<script src="%[1]s/static/embed.js" defer></script>
</body></html>
`, api)
}

// prepareDemoData makes sure --data holds the demo's own crawl of this
// portal URL: a data directory crawled from another portal address is reset,
// and one that holds some other crawl is refused rather than mixed or lost.
func prepareDemoData(g *globals, portalURL string) error {
	statePath := filepath.Join(g.data, demoStateFile)
	b, err := os.ReadFile(statePath)
	switch {
	case err == nil:
		var st demoState
		if json.Unmarshal(b, &st) == nil && st.Portal == portalURL {
			return nil
		}
		g.log.Info("demo portal address changed: starting a fresh demo crawl", "data", g.data)
		if err := os.RemoveAll(g.storeDir()); err != nil {
			return err
		}
		if err := os.RemoveAll(g.indexDir()); err != nil {
			return err
		}
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(g.storeDir()); serr == nil {
			return fmt.Errorf("%s holds a crawl that is not the demo's: pass another --data for the demo", g.data)
		}
	default:
		return err
	}
	if err := os.MkdirAll(g.data, 0o755); err != nil {
		return err
	}
	nb, _ := json.Marshal(demoState{Portal: portalURL})
	return os.WriteFile(statePath, nb, 0o644)
}
