package main

import "github.com/kbsearch/kbsearch/cmd/internal/cli"

// The exit statuses of kbsearch. exitHelp lists them for --help and the
// README repeats it; keep the three in step.
const (
	exitOK    = cli.ExitOK
	exitError = cli.ExitError // the command failed: no index, the server unreachable, a crawl error, ...
	exitUsage = cli.ExitUsage // a bad command line: unknown command or flag, a bad flag value or argument
	// exitCorrupt (3, store_cmd.go): the command met damaged data.
	// exitNoResults is search finding nothing (and show finding no
	// document with the id). It is not 1, as grep's is,
	// because 1 is already every command's failure: a script must tell
	// "nothing matched" from "could not search".
	exitNoResults = 4
)

// exitHelp is the part of the root command's --help that lists the exit
// statuses.
const exitHelp = `Exit status:
  0  success (search: at least one result)
  1  the command failed (no index, server unreachable, ...)
  2  usage error: unknown command or flag, bad flag value or argument
  3  damaged data met (see kbsearch store check)
  4  search found no results; show found no document with that id`

// The command-line plumbing is cmd/internal/cli's, shared with
// kbsearch-lab; these names keep the commands' code short.
type usageError = cli.UsageError

var (
	usagef          = cli.Usagef
	isUsage         = cli.IsUsage
	markUsageErrors = cli.MarkUsageErrors
)
