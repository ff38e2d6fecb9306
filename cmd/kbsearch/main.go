// Command kbsearch crawls the documents of a working group's portal, indexes
// them by theme and serves faceted search over them: one binary with the
// subcommands crawl, index, serve, search and demo. Configuration comes from
// defaults, then KBSEARCH_* environment variables, then flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

func main() {
	extract.RunWorkerIfRequested() // a PDF extraction worker: does the job and exits
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "stopping (press Ctrl-C again to stop at once)")
		cancel()
		<-sigs
		os.Exit(130)
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code) // the command has said why
	}
	fmt.Fprintln(stderr, "kbsearch:", err)
	switch {
	case isUsage(err) || cmd.CalledAs() == "":
		// CalledAs is empty when no command was found: an unknown one.
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	case errors.Is(err, store.ErrCorrupt):
		corruptHint(stderr, root.PersistentFlags().Lookup("data").Value.String())
		return exitCorrupt
	}
	return exitError
}

// exitCode is an error that carries a specific exit status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
