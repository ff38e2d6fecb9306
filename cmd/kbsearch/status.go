package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
)

// statusReport is what `kbsearch status` says of a data directory.
type statusReport struct {
	Data  string       `json:"data"`
	Store *storeStatus `json:"store"` // nil: no crawl yet
	Index *indexStatus `json:"index"` // nil: no index yet
}

type storeStatus struct {
	// Busy: a crawl holds the store; nothing else could be read.
	Busy       bool           `json:"busy,omitempty"`
	Bytes      int64          `json:"bytes"`
	Stats      *store.Stats   `json:"stats,omitempty"`
	LastRun    *store.RunInfo `json:"last_run,omitempty"`
	Unfinished *store.RunInfo `json:"unfinished_run,omitempty"`
	Queued     int            `json:"queued,omitempty"`
}

type indexStatus struct {
	Generation string            `json:"generation"`
	Manifest   *indexer.Manifest `json:"manifest"`
	// Stale says why `kbsearch index` would build a new generation; empty
	// when the index matches the store (or the store could not be read).
	Stale string `json:"stale,omitempty"`
}

func newStatusCmd(g *globals) *cobra.Command {
	var taxFile, format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say what the data directory holds: the crawl store and the index",
		Long: `status reads the data directory without changing it: how many URLs the
crawl store holds (indexable, gone, duplicates, failed by reason), when the last
crawl finished or which one is unfinished (and resumable), and which index
generation is current, with whether it is up to date with the store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format must be table or json, not %q", format)
			}
			tax, err := loadTaxonomy(taxFile)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			rep := statusReport{Data: g.data}
			st, err := readStoreStatus(ctx, g, &rep)
			if err != nil {
				return err
			}
			if st != nil {
				defer st.Close()
			}
			name, m, err := indexer.Current(g.indexDir())
			switch {
			case errors.Is(err, indexer.ErrNoIndex):
			case err != nil:
				return err
			default:
				rep.Index = &indexStatus{Generation: name, Manifest: m}
				if st != nil {
					if rep.Index.Stale, err = indexer.Staleness(ctx, st, g.indexDir(), tax); err != nil {
						return err
					}
				}
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printStatus(g, &rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&taxFile, "taxonomy", "", "the taxonomy the index is built with, to say whether it is up to date (default: the built-in one)")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

// readStoreStatus fills rep.Store and returns the store, open read-only,
// or nil when there is none or a crawl holds it.
func readStoreStatus(ctx context.Context, g *globals, rep *statusReport) (*store.Store, error) {
	fi, err := os.Stat(filepath.Join(g.storeDir(), store.FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Store = &storeStatus{Bytes: fi.Size()}
	st, err := store.Open(ctx, g.storeDir(), store.Options{ReadOnly: true, Timeout: 500 * time.Millisecond})
	if errors.Is(err, store.ErrBusy) {
		rep.Store.Busy = true
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	rep.Store.Stats = &stats
	if rep.Store.LastRun, err = st.LastRun(ctx); err == nil {
		rep.Store.Unfinished, err = st.UnfinishedRun(ctx)
	}
	if err == nil && rep.Store.Unfinished != nil {
		rep.Store.Queued, err = st.QueueLen(ctx)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func printStatus(g *globals, rep *statusReport) {
	w := g.stdout
	fmt.Fprintf(w, "data: %s\n", rep.Data)
	switch s := rep.Store; {
	case s == nil:
		fmt.Fprintln(w, "crawl store: none yet (kbsearch crawl --seed URL)")
	case s.Busy:
		fmt.Fprintf(w, "crawl store: %s, in use by a running crawl\n", mib(s.Bytes))
	default:
		st := s.Stats
		fmt.Fprintf(w, "crawl store: %s, %d URLs: %d indexable, %d duplicates, %d gone, %d failed\n",
			mib(s.Bytes), st.Records, st.Indexable, st.Duplicates, st.Gone, st.Failed)
		if len(st.FailedBy) > 0 {
			var parts []string
			for _, r := range slices.Sorted(maps.Keys(st.FailedBy)) {
				parts = append(parts, fmt.Sprintf("%s %d", r, st.FailedBy[r]))
			}
			fmt.Fprintf(w, "  failed by reason: %s\n", strings.Join(parts, ", "))
		}
		fmt.Fprintf(w, "  raw bodies: %d, %s\n", st.RawObjects, mib(st.RawBytes))
		if r := s.LastRun; r != nil {
			when := r.Started
			if !r.Finished.IsZero() {
				when = r.Finished
			}
			fmt.Fprintf(w, "  last crawl finished %s (seeds %s)\n", when.Local().Format("2006-01-02 15:04"), strings.Join(r.Seeds, " "))
		}
		if r := s.Unfinished; r != nil {
			fmt.Fprintf(w, "  unfinished crawl started %s, %d URLs queued: kbsearch crawl resumes it\n",
				r.Started.Local().Format("2006-01-02 15:04"), s.Queued)
		}
	}
	switch ix := rep.Index; {
	case ix == nil:
		fmt.Fprintln(w, "index: none yet (kbsearch index)")
	default:
		m := ix.Manifest
		fmt.Fprintf(w, "index: %s, %d documents, built %s in %.1fs\n", ix.Generation, m.Documents,
			m.BuiltAt.Local().Format("2006-01-02 15:04"), m.Seconds)
		switch {
		case ix.Stale != "":
			fmt.Fprintf(w, "  out of date: %s (kbsearch index)\n", ix.Stale)
		case rep.Store != nil && !rep.Store.Busy:
			fmt.Fprintln(w, "  up to date with the crawl store")
		}
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
