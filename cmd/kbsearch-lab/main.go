// Command kbsearch-lab measures kbsearch: ranking quality on standard test
// collections (eval), theme tagging against labelled passages
// (eval-themes), and text extraction over folders of documents
// (extract-bench) and against known text (extract-quality). It is kept
// apart from the product binary, kbsearch, which serves and searches; the
// logic it prints lives in tested packages (search/eval,
// indexer/taxonomy, crawler/extract/exteval). Configuration comes from
// defaults, then KBSEARCH_* environment variables, then flags, as for
// kbsearch.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/cmd/internal/cli"
	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

func main() {
	extract.RunWorkerIfRequested() // a PDF extraction worker: does the job and exits
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// globals are the settings every command shares.
type globals struct {
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

// run executes the command line args and returns the process exit code:
// 0, 1 when a command failed, 2 for a bad command line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cli.ExitOK
	}
	fmt.Fprintln(stderr, "kbsearch-lab:", err)
	if cli.IsUsage(err) || cmd.CalledAs() == "" {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return cli.ExitUsage
	}
	return cli.ExitError
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := cli.NewRoot("kbsearch-lab", "Measure kbsearch: ranking, theme tagging, text extraction", stdout, stderr, &g.log)
	root.AddCommand(
		newEvalCmd(g),
		newEvalThemesCmd(g),
		newExtractBenchCmd(g),
		newExtractQualityCmd(g),
	)
	root.SetUsageTemplate(root.UsageTemplate() + `
Exit status:
  0  success
  1  the command failed
  2  usage error: unknown command or flag, bad flag value or argument
`)
	cli.MarkUsageErrors(root)
	return root
}

// loadTaxonomy reads the taxonomy at path, or the built-in one for "".
func loadTaxonomy(path string) (*taxonomy.Taxonomy, error) {
	if path == "" {
		return taxonomy.Default(), nil
	}
	return taxonomy.Load(path)
}
