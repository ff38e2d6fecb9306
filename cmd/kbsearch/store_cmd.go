package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// exitCorrupt is the exit status of a command that met damaged data (a
// crawl store that `store check` would find damaged), and of `store check`
// when it finds damage.
const exitCorrupt = 3

// corruptHint tells what to do about a damaged crawl store under data.
func corruptHint(w io.Writer, data string) {
	fmt.Fprintf(w, `kbsearch: the crawl store under %[1]s is damaged. To recover:
  kbsearch store check --data %[1]s
      lists the damage;
  kbsearch store repair --data %[1]s
      copies every record still readable into a new store file, keeping the
      damaged one beside it; then run kbsearch index;
  or crawl again into a new --data directory.
`, data)
}

func newStoreCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Check or repair the crawl store",
		Long: `store check verifies the crawl store under --data; store repair copies every
record it can still read into a new store file and puts it in place of the
damaged one, which is kept beside it. Stop any crawl of the store first.`,
	}
	cmd.AddCommand(newStoreCheckCmd(g), newStoreRepairCmd(g))
	return cmd
}

func newStoreCheckCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify the crawl store: every page (bbolt's check), every record, every raw body",
		Long: `check reads the crawl store under --data without changing it: bbolt's
consistency check of its pages, every record and record head decoded, every
raw body compared with its hash. It exits 0 when the store is sound and 3 when
it found damage (then store repair salvages what can be read).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format must be table or json, not %q", format)
			}
			rep, err := store.Check(cmd.Context(), g.storeDir(), store.Options{Timeout: 500 * time.Millisecond})
			if err != nil && !errors.Is(err, store.ErrCorrupt) {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printCheck(g, rep)
			}
			if !rep.OK() {
				fmt.Fprintf(g.stderr, "kbsearch: the crawl store is damaged: kbsearch store repair --data %s salvages what can be read\n", g.data)
				return exitCode(exitCorrupt)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

func printCheck(g *globals, rep *store.CheckReport) {
	w := g.stdout
	fmt.Fprintf(w, "crawl store: %s\n", rep.Path)
	fmt.Fprintf(w, "  records: %d sound, %d damaged\n", rep.Records, rep.BadRecord)
	fmt.Fprintf(w, "  raw bodies: %d sound, %d damaged\n", rep.Raw, rep.BadRaw)
	if rep.OK() {
		fmt.Fprintln(w, "  no damage found")
		return
	}
	fmt.Fprintln(w, "  damage:")
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "    %s\n", p)
	}
	if rep.More > 0 {
		fmt.Fprintf(w, "    and %d more\n", rep.More)
	}
}

func newStoreRepairCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "repair",
		Aliases: []string{"salvage"},
		Short:   "Copy every record still readable into a new crawl store, keeping the damaged file",
		Long: `repair reads the crawl store under --data through bbolt's tree where it holds
and page by page where it does not, copies every record that decodes and every
raw body that matches its hash into a new store file, and renames that file
over crawl.db; the damaged file is kept as crawl.db.damaged-<time>. It reports
how many records were copied and which URLs were lost (a crawl fetches them
again). The new store has no unfinished crawl and a new identity, so the next
kbsearch index builds a new generation. Stop any crawl of the store first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format must be table or json, not %q", format)
			}
			rep, err := store.Salvage(cmd.Context(), g.storeDir(), store.Options{Timeout: 500 * time.Millisecond})
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			w := g.stdout
			fmt.Fprintf(w, "crawl store repaired: %s\n", rep.Path)
			fmt.Fprintf(w, "  copied %d records (%d found page by page) and %d raw bodies\n", rep.Records, rep.FromScan, rep.Raw)
			fmt.Fprintf(w, "  lost %d records and the raw bodies of %d copied ones\n", rep.LostRecords, rep.LostRaw)
			if len(rep.Lost) > 0 {
				fmt.Fprintf(w, "  lost URLs (crawl again to fetch them): %s\n", strings.Join(rep.Lost, " "))
			}
			fmt.Fprintf(w, "  the damaged file is kept as %s\n", rep.Damaged)
			fmt.Fprintln(w, "  next: kbsearch index")
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}
