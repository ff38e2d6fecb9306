// Package cli is what the binaries of cmd/ share about a command line:
// configuration from KBSEARCH_* environment variables under the flags
// and the logger (NewRoot, Setup, ApplyEnv), usage errors and the exit statuses they share (UsageError,
// MarkUsageErrors), and flag values of their own kinds (ParseBytes).
//
// It knows cobra and pflag and nothing of kbsearch's packages: it must not
// import crawler, indexer or search.
package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The exit statuses every binary of cmd/ shares.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed
	ExitUsage = 2 // a bad command line: unknown command or flag, a bad flag value or argument
)

// ApplyEnv gives every flag of cmd the user did not set the value of its
// KBSEARCH_* environment variable, if any (--max-pages: KBSEARCH_MAX_PAGES):
// defaults < env < flags. A list flag takes a comma-separated value.
func ApplyEnv(cmd *cobra.Command) error {
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

// NewRoot returns the root command of a binary: cobra's own error and
// usage printing off (the binary's run prints its errors), output to
// stdout and stderr, a persistent --log-level, and before every command
// Setup, whose logger goes to *log.
func NewRoot(use, short string, stdout, stderr io.Writer, log **slog.Logger) *cobra.Command {
	var level string
	root := &cobra.Command{
		Use:           use,
		Short:         short,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			var err error
			*log, err = Setup(cmd, &level, stderr)
			return err
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&level, "log-level", "info", "log level: debug, info, warn, error")
	return root
}

// Setup is the start of every command: cmd's flags take their KBSEARCH_*
// values (ApplyEnv), and then the logger writes to w from *level on
// ("debug", "info", "warn", "error"; the variable of a flag, which
// KBSEARCH_LOG_LEVEL may have set). Its errors are UsageErrors.
func Setup(cmd *cobra.Command, level *string, w io.Writer) (*slog.Logger, error) {
	if err := ApplyEnv(cmd); err != nil {
		return nil, &UsageError{err}
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(*level)); err != nil {
		return nil, Usagef("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// UsageError is a mistake in the command line: the binary exits ExitUsage
// and points to --help.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is, or wraps, a UsageError.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// MarkUsageErrors makes cobra's own command-line errors usage errors: a
// flag that does not parse, and arguments a command's Args rejects, for
// root and every command under it (help and completion included).
func MarkUsageErrors(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{err} })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return &UsageError{err}
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

// byteUnits are the units ParseBytes reads, lower-cased.
var byteUnits = map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1e3, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1e6, "mib": 1 << 20, "g": 1 << 30, "gb": 1e9, "gib": 1 << 30}

// ParseBytes reads a size such as 512MiB, 1GiB, 300MB, 1.5g or 1048576:
// a positive number and an optional unit, binary (KiB, MiB, GiB; K, M, G)
// or decimal (KB, MB, GB), in any case.
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	mult, ok := byteUnits[unit]
	if !ok {
		return 0, fmt.Errorf("bad size unit in %q", s)
	}
	return int64(v * mult), nil
}
