package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// globals are the settings every command shares.
type globals struct {
	data     string
	logLevel string
	stdout   io.Writer
	stderr   io.Writer
	log      *slog.Logger
}

func (g *globals) storeDir() string { return filepath.Join(g.data, "crawl") }
func (g *globals) indexDir() string { return filepath.Join(g.data, "index") }

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "kbsearch",
		Short:         "Crawl, index and search the documents of a working group's portal",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := applyEnv(cmd); err != nil {
				return &usageError{err}
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
				return usagef("--log-level: %w", err)
			}
			g.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.data, "data", "./kbdata", "data directory: crawl store and index generations")
	pf.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.AddCommand(
		newCrawlCmd(g),
		newIndexCmd(g),
		newServeCmd(g),
		newSearchCmd(g),
		newThemesCmd(g),
		newShowCmd(g),
		newDemoCmd(g),
		newEvalCmd(g),
		newEvalThemesCmd(g),
		newVersionCmd(g),
		newStatusCmd(g),
		newStoreCmd(g),
		newExtractBenchCmd(g),
		newExtractQualityCmd(g),
	)
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitHelp + "\n")
	markUsageErrors(root)
	return root
}

// applyEnv gives every flag the user did not set the value of its
// KBSEARCH_* environment variable, if any: defaults < env < flags. A list flag
// takes a comma-separated value.
func applyEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := "KBSEARCH_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, ok := os.LookupEnv(name)
		if !ok {
			return
		}
		if serr := f.Value.Set(v); serr != nil {
			err = fmt.Errorf("%s=%q: %w", name, v, serr)
		}
	})
	return err
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(g.stdout, "kbsearch", version)
			return err
		},
	}
}
