package main

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/cmd/internal/cli"
)

// globals are the settings every command shares.
type globals struct {
	data   string
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

func (g *globals) storeDir() string { return filepath.Join(g.data, "crawl") }
func (g *globals) indexDir() string { return filepath.Join(g.data, "index") }

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := cli.NewRoot("kbsearch", "Crawl, index and search the documents of a working group's portal", stdout, stderr, &g.log)
	root.PersistentFlags().StringVar(&g.data, "data", "./kbdata", "data directory: crawl store and index generations")
	root.AddCommand(
		newCrawlCmd(g),
		newIndexCmd(g),
		newServeCmd(g),
		newSearchCmd(g),
		newThemesCmd(g),
		newShowCmd(g),
		newDemoCmd(g),
		newVersionCmd(g),
		newStatusCmd(g),
		newStoreCmd(g),
	)
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitHelp + "\n")
	markUsageErrors(root)
	return root
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
