package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// The exit statuses of kbsearch. exitHelp lists them for --help and the
// README repeats it; keep the three in step.
const (
	exitOK    = 0
	exitError = 1 // the command failed: no index, the server unreachable, a crawl error, ...
	exitUsage = 2 // a bad command line: unknown command or flag, a bad flag value or argument
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

// usageError is a mistake in the command line: kbsearch exits 2 and points
// to --help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err is a usageError.
func isUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue)
}

// markUsageErrors makes cobra's own command-line errors usage errors: a
// flag that does not parse, and arguments a command's Args rejects, for
// root and every command under it (help and completion included).
func markUsageErrors(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return &usageError{err}
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
