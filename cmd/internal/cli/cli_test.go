package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestParseBytes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"1048576", 1 << 20}, {"512MiB", 512 << 20}, {"1GiB", 1 << 30}, {"1 gib", 1 << 30}, {"300MB", 300e6},
		{"1.5g", 3 << 29}, {"64k", 64 << 10}, {"10kb", 10e3}, {"7b", 7}, {" 2M ", 2 << 20},
	} {
		if got, err := ParseBytes(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "MiB", "0", "-1GiB", "12 parsecs", "1..2M", "1e3"} {
		if got, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) = %d, want an error", in, got)
		}
	}
}

// TestApplyEnv: defaults < KBSEARCH_* < flags, lists comma-separated, and
// a bad value named by its variable.
func TestApplyEnv(t *testing.T) {
	newCmd := func() (*cobra.Command, *int, *[]string) {
		c := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
		n := c.Flags().Int("max-pages", 10, "")
		l := c.Flags().StringSlice("seed", nil, "")
		return c, n, l
	}
	c, n, l := newCmd()
	if err := ApplyEnv(c); err != nil || *n != 10 || len(*l) != 0 {
		t.Fatalf("no env: %d %v %v, want the defaults", *n, *l, err)
	}
	t.Setenv("KBSEARCH_MAX_PAGES", "20")
	t.Setenv("KBSEARCH_SEED", "a,b")
	c, n, l = newCmd()
	if err := ApplyEnv(c); err != nil || *n != 20 || fmt.Sprint(*l) != "[a b]" {
		t.Errorf("env: %d %v %v, want 20 [a b]", *n, *l, err)
	}
	c, n, _ = newCmd()
	if err := c.Flags().Parse([]string{"--max-pages", "30"}); err != nil {
		t.Fatal(err)
	}
	if err := ApplyEnv(c); err != nil || *n != 30 {
		t.Errorf("flag over env: %d %v, want 30", *n, err)
	}
	t.Setenv("KBSEARCH_MAX_PAGES", "many")
	c, _, _ = newCmd()
	if err := ApplyEnv(c); err == nil || !strings.Contains(err.Error(), "KBSEARCH_MAX_PAGES") {
		t.Errorf("bad env value: %v, want an error naming KBSEARCH_MAX_PAGES", err)
	}
}

func TestUsageErrors(t *testing.T) {
	root := &cobra.Command{Use: "x", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(&cobra.Command{Use: "one", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return nil }})
	root.PersistentFlags().Int("n", 1, "")
	MarkUsageErrors(root)
	for _, args := range [][]string{{"one", "extra"}, {"one", "--n", "x"}, {"one", "--nope"}} {
		root.SetArgs(args)
		if err := root.Execute(); !IsUsage(err) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	err := fmt.Errorf("wrapped: %w", Usagef("--size must be positive, not %d", -1))
	if !IsUsage(err) || err.Error() != "wrapped: --size must be positive, not -1" {
		t.Errorf("Usagef wrapped: %v, IsUsage %v", err, IsUsage(err))
	}
	if IsUsage(errors.New("plain")) {
		t.Error("a plain error is a usage error")
	}
}

// TestNewRoot: --log-level and KBSEARCH_LOG_LEVEL set the logger a
// command gets, the flag first; a bad level is a usage error.
func TestNewRoot(t *testing.T) {
	run := func(args ...string) (*slog.Logger, error) {
		var log *slog.Logger
		var out strings.Builder
		root := NewRoot("x", "", &out, &out, &log)
		root.AddCommand(&cobra.Command{Use: "one", RunE: func(*cobra.Command, []string) error { return nil }})
		root.SetArgs(args)
		return log, root.Execute()
	}
	ctx := context.Background()
	if log, err := run("one"); err != nil || log.Enabled(ctx, slog.LevelDebug) || !log.Enabled(ctx, slog.LevelInfo) {
		t.Errorf("default: %v, want info and up", err)
	}
	t.Setenv("KBSEARCH_LOG_LEVEL", "debug")
	if log, err := run("one"); err != nil || !log.Enabled(ctx, slog.LevelDebug) {
		t.Errorf("KBSEARCH_LOG_LEVEL=debug: %v, debug off", err)
	}
	if log, err := run("one", "--log-level", "error"); err != nil || log.Enabled(ctx, slog.LevelWarn) {
		t.Errorf("--log-level error over the env: %v, warn on", err)
	}
	if _, err := run("one", "--log-level", "loud"); !IsUsage(err) {
		t.Errorf("--log-level loud: %v, want a usage error", err)
	}
}
