package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/kbsearch/kbsearch/cmd/internal/cli"
	"github.com/kbsearch/kbsearch/crawler/durable"
	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/extract/exteval"
	"github.com/kbsearch/kbsearch/search/eval"
)

// extractFlags are the extraction settings extract-bench and
// extract-quality share.
type extractFlags struct {
	timeout   time.Duration
	memory    string
	backend   string
	inProcess bool
}

func (f *extractFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.DurationVar(&f.timeout, "timeout", 10*time.Second, "time budget of one file")
	fl.StringVar(&f.memory, "memory", "512MiB", "memory budget of one worker (e.g. 512MiB, 1GiB)")
	fl.StringVar(&f.backend, "backend", extract.BackendBuiltin, "PDF backend: builtin or pdftotext (falls back to builtin)")
	fl.BoolVar(&f.inProcess, "in-process", false, "extract in this process, not in isolated workers (unsafe on hostile files)")
}

func (f *extractFlags) options() (extract.Options, error) {
	mem, err := cli.ParseBytes(f.memory)
	if err != nil {
		return extract.Options{}, fmt.Errorf("--memory: %w", err)
	}
	if f.backend != extract.BackendBuiltin && f.backend != extract.BackendPdftotext {
		return extract.Options{}, fmt.Errorf("--backend %q: want builtin or pdftotext", f.backend)
	}
	return extract.Options{PDFTimeout: f.timeout, MemoryLimit: mem, Backend: f.backend, Isolate: !f.inProcess}, nil
}

func newExtractBenchCmd(g *globals) *cobra.Command {
	var (
		ef      extractFlags
		dir     string
		jobs    int
		jsonOut string
		slowest int
		noPool  bool
	)
	cmd := &cobra.Command{
		Use:   "extract-bench --dir DIR",
		Short: "Extract every PDF, DOCX and ODT under a folder and tabulate the outcomes",
		Long: `extract-bench walks DIR, extracts every .pdf (any case), .fuzz, .docx
and .odt file as the crawler would (in isolated workers with a time and
memory budget unless --in-process; workers are reused unless --no-pool),
and prints the outcomes by reason, the time per file and the slowest
files. It fails if any file ends with an untyped error (an escape).
Robustness runs over a corpus of hostile PDFs:

  kbsearch-lab extract-bench --dir ../shared/data/pdf --json outcomes.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return errors.New("extract-bench needs --dir")
			}
			opts, err := ef.options()
			if err != nil {
				return err
			}
			files, err := exteval.Files(dir)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("no .pdf, .fuzz, .docx or .odt files under %s", dir)
			}
			if jobs <= 0 {
				jobs = runtime.NumCPU()
			}
			if opts.Isolate && !noPool {
				opts.Pool = extract.NewPool(jobs)
				defer opts.Pool.Close()
			}
			start := time.Now()
			outs := runBench(cmd.Context(), files, opts, jobs)
			wall := time.Since(start)
			if err := cmd.Context().Err(); err != nil {
				return err
			}
			printBench(g.stdout, outs, wall, jobs, opts, slowest)
			if jsonOut != "" {
				b, err := json.MarshalIndent(outs, "", "  ")
				if err != nil {
					return err
				}
				if err := durable.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
					return err
				}
			}
			for _, o := range outs {
				if o.Outcome == exteval.Escaped {
					return fmt.Errorf("%s: untyped error: %s", o.Path, o.Err)
				}
			}
			return nil
		},
	}
	ef.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&dir, "dir", "", "folder of documents to extract")
	fl.IntVar(&jobs, "jobs", 0, "files extracted at once (default: the number of CPUs)")
	fl.StringVar(&jsonOut, "json", "", "also write the per-file outcomes as JSON to this file")
	fl.IntVar(&slowest, "slowest", 10, "how many of the slowest files to list")
	fl.BoolVar(&noPool, "no-pool", false, "start a worker process for each file instead of reusing workers")
	return cmd
}

// runBench extracts files, jobs at a time; ctx cancels what is left.
func runBench(ctx context.Context, files []string, opts extract.Options, jobs int) []exteval.Outcome {
	outs := make([]exteval.Outcome, len(files))
	var g errgroup.Group
	g.SetLimit(jobs)
	for i, f := range files {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			outs[i] = exteval.ExtractFile(ctx, f, opts)
			return nil
		})
	}
	g.Wait() // the jobs return no error
	return outs
}

func printBench(w io.Writer, outs []exteval.Outcome, wall time.Duration, jobs int, opts extract.Options, slowest int) {
	counts := map[string]int{}
	secs := make([]float64, 0, len(outs))
	var sum float64
	for _, o := range outs {
		counts[o.Outcome]++
		secs = append(secs, o.Seconds)
		sum += o.Seconds
	}
	mode := "isolated, a worker process per file"
	switch {
	case !opts.Isolate:
		mode = "in-process"
	case opts.Pool != nil:
		mode = "isolated, pooled workers"
	}
	fmt.Fprintf(w, "%d files, backend %s, %s, timeout %s, memory %d MiB, %d jobs\n\n",
		len(outs), opts.Backend, mode, opts.PDFTimeout, opts.MemoryLimit>>20, jobs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "outcome\tfiles\tshare\t")
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\t\n", k, counts[k], 100*float64(counts[k])/float64(len(outs)))
	}
	fmt.Fprintf(tw, "total\t%d\t100.0%%\t\n", len(outs))
	tw.Flush()

	slices.Sort(secs)
	fmt.Fprintf(w, "\nwall %.1fs, %.1f files/s; per file: sum %.1fs, p50 %s, p95 %s, max %s\n",
		wall.Seconds(), float64(len(outs))/wall.Seconds(), sum,
		fmtSecs(eval.Quantile(secs, 0.5)), fmtSecs(eval.Quantile(secs, 0.95)), fmtSecs(eval.Quantile(secs, 1)))

	if slowest > 0 {
		byTime := slices.Clone(outs)
		sort.SliceStable(byTime, func(i, j int) bool { return byTime[i].Seconds > byTime[j].Seconds })
		fmt.Fprintln(w, "\nslowest files:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, o := range byTime[:min(slowest, len(byTime))] {
			fmt.Fprintf(tw, "  %s\t%s\t%d KiB\t%s\n", fmtSecs(o.Seconds), o.Outcome, o.Bytes>>10, o.Path)
		}
		tw.Flush()
	}
}

func fmtSecs(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0fms", s*1000)
	}
	return fmt.Sprintf("%.2fs", s)
}

func newExtractQualityCmd(g *globals) *cobra.Command {
	var (
		ef     extractFlags
		pdf    string
		truths []string
		dump   string
	)
	cmd := &cobra.Command{
		Use:   "extract-quality --pdf FILE --truth FILE.rst|DIR",
		Short: "Score the text extracted from a PDF against its known text",
		Long: `extract-quality extracts --pdf with the built-in parser, with the
pdftotext backend and with plain pdftotext (default mode) when it is on
PATH, and scores each against the ground truth: reStructuredText (markup
stripped) or plain text files, or every .rst/.txt file of a folder. Scores
are word recall, precision and F1 over the bags of lower-cased words
(multiset counts), with the time each extraction took.

  kbsearch-lab extract-quality --pdf ../shared/data/eu/agid-digcomp21-it/DigComp2-1_ITA.pdf \
      --truth ../shared/data/eu/agid-digcomp21-it`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if pdf == "" || len(truths) == 0 {
				return errors.New("extract-quality needs --pdf and --truth")
			}
			opts, err := ef.options()
			if err != nil {
				return err
			}
			truth, err := exteval.ReadTruth(truths)
			if err != nil {
				return err
			}
			body, err := os.ReadFile(pdf)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(g.stdout, "%s against %d truth words\n\n", pdf, truth.Size())
			fmt.Fprintln(tw, "extractor\twords\trecall\tprecision\tF1\tseconds\t")
			row := func(name, text string, secs float64, err error) {
				if dump != "" && err == nil {
					file := filepath.Join(dump, strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(name)+".txt")
					if werr := os.WriteFile(file, []byte(text), 0o644); werr != nil {
						fmt.Fprintln(g.stderr, "kbsearch-lab:", werr)
					}
				}
				if err != nil {
					fmt.Fprintf(tw, "%s\t%s\t\t\t\t%.3f\t\n", name, err, secs)
					return
				}
				got := exteval.WordBag(text)
				r, p, f := exteval.Score(truth, got)
				fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t\n", name, got.Size(), r, p, f, secs)
			}
			for _, backend := range []string{extract.BackendBuiltin, extract.BackendPdftotext} {
				o := opts
				o.Backend = backend
				start := time.Now()
				p, err := extract.PDF(cmd.Context(), body, o)
				text := ""
				if err == nil {
					text = p.Text
				}
				row("kbsearch "+backend, text, time.Since(start).Seconds(), err)
			}
			if path, err := exec.LookPath("pdftotext"); err == nil {
				start := time.Now()
				out, err := exec.CommandContext(cmd.Context(), path, "-q", "-enc", "UTF-8", pdf, "-").Output()
				row("pdftotext (plain)", string(out), time.Since(start).Seconds(), err)
			} else {
				fmt.Fprintln(tw, "pdftotext (plain)\tnot on PATH\t\t\t\t\t")
			}
			return tw.Flush()
		},
	}
	ef.register(cmd)
	cmd.Flags().StringVar(&pdf, "pdf", "", "the PDF to extract")
	cmd.Flags().StringVar(&dump, "dump", "", "also write each extractor's text to a file in this folder")
	cmd.Flags().StringSliceVar(&truths, "truth", nil, "ground-truth text: .rst or .txt files, or folders of them (repeatable)")
	return cmd
}
