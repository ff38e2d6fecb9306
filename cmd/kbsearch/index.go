package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/cmd/internal/cli"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

func newIndexCmd(g *globals) *cobra.Command {
	var taxFile, cpuProfile, memProfile, memLimit string
	var force bool
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Build a new index generation from the crawl store",
		Long: `index turns every live document of the crawl store into a searchable
document (type, date, meeting, place, language, themes) and builds a new index
generation, which becomes current only once complete: a running server
switches to it within seconds, and a failed build leaves the old one serving.
No network is needed: the store keeps what was fetched.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			tax, err := loadTaxonomy(taxFile)
			if err != nil {
				return err
			}
			if err := tuneGC(memLimit); err != nil {
				return err
			}
			stop, err := startProfiles(cpuProfile, memProfile)
			if err != nil {
				return err
			}
			res, err := runIndex(cmd.Context(), g, tax, force)
			if perr := stop(); err == nil && perr != nil {
				return perr
			}
			if err != nil {
				return err
			}
			if res.Skipped {
				fmt.Fprintf(g.stdout, "index: %s is up to date (%d documents); --force rebuilds it\n", res.Generation, res.Documents)
				return nil
			}
			fmt.Fprintf(g.stdout, "index: built %s with %d documents in %.1fs\n", res.Generation, res.Documents, res.Duration.Seconds())
			return nil
		},
	}
	cmd.Flags().StringVar(&taxFile, "taxonomy", "", "theme taxonomy JSON file replacing the built-in one")
	cmd.Flags().BoolVar(&force, "force", false, "rebuild even if nothing changed")
	cmd.Flags().StringVar(&memLimit, "memory-limit", "640MiB", "heap the build aims to stay under (Go's soft memory limit; the garbage collector works harder near it)")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the build to this file")
	cmd.Flags().StringVar(&memProfile, "memprofile", "", "write a heap profile (pprof, allocations included) at the end of the build to this file")
	cmd.Flags().MarkHidden("cpuprofile")
	cmd.Flags().MarkHidden("memprofile")
	return cmd
}

// startProfiles starts a CPU profile into cpuPath if set; the returned stop
// ends it and writes a heap profile into memPath if set. Either may be "".
func startProfiles(cpuPath, memPath string) (stop func() error, err error) {
	var cpu *os.File
	if cpuPath != "" {
		if cpu, err = os.Create(cpuPath); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, err
		}
	}
	return func() error {
		var errs []error
		if cpu != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpu.Close())
		}
		if memPath != "" {
			f, err := os.Create(memPath)
			if err != nil {
				return errors.Join(append(errs, err)...)
			}
			errs = append(errs, pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
		}
		return errors.Join(errs...)
	}, nil
}

func loadTaxonomy(path string) (*taxonomy.Taxonomy, error) {
	if path == "" {
		return taxonomy.Default(), nil
	}
	return taxonomy.Load(path)
}

func runIndex(ctx context.Context, g *globals, tax *taxonomy.Taxonomy, force bool) (*indexer.BuildResult, error) {
	st, err := store.Open(ctx, g.storeDir(), store.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	// The progress's total (a walk of the store's record heads, 1.5 s at
	// 100k) is counted beside the build, not before it; until then the
	// progress shows no total.
	var total atomic.Int64
	total.Store(-1)
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		if stats, err := st.Stats(ctx); err == nil {
			total.Store(int64(stats.Indexable))
		}
	}()
	defer func() { <-counted }() // before st.Close
	p := newProgress(g, "index", -1, 10*time.Second)
	defer p.finish()
	return indexer.Build(ctx, st, g.indexDir(), indexer.BuildOptions{
		Taxonomy: tax, Force: force, Logger: g.log,
		Progress: func(indexed int) { p.update(indexed, int(total.Load()), 0, 0) },
	})
}

// tuneGC sets the garbage collector for a build: a heap that may grow to
// five times the live data between collections (GOGC=400; a build
// allocates some 600 KB per document, almost all short-lived, and
// collection was a tenth of its CPU at the default 100), bounded by a
// soft limit. GOGC and GOMEMLIMIT in the environment win, as Go's own.
func tuneGC(limit string) error {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(400)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok || limit == "" {
		return nil
	}
	n, err := cli.ParseBytes(limit)
	if err != nil {
		return fmt.Errorf("--memory-limit: %w", err)
	}
	debug.SetMemoryLimit(n)
	return nil
}
