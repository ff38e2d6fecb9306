package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/crawler/extract"
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
	mem, err := parseBytes(f.memory)
	if err != nil {
		return extract.Options{}, fmt.Errorf("--memory: %w", err)
	}
	if f.backend != extract.BackendBuiltin && f.backend != extract.BackendPdftotext {
		return extract.Options{}, fmt.Errorf("--backend %q: want builtin or pdftotext", f.backend)
	}
	return extract.Options{PDFTimeout: f.timeout, MemoryLimit: mem, Backend: f.backend, Isolate: !f.inProcess}, nil
}

// parseBytes reads a size such as 512MiB, 1GiB, 300MB or 1048576.
func parseBytes(s string) (int64, error) {
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
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1e3, "kib": 1 << 10, "m": 1 << 20, "mb": 1e6, "mib": 1 << 20, "g": 1 << 30, "gb": 1e9, "gib": 1 << 30}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("bad size unit in %q", s)
	}
	return int64(v * mult), nil
}

// benchExts are the file extensions extract-bench reads, with the
// Content-Type each is served as (.fuzz: qpdf's fuzzer inputs, PDFs).
var benchExts = map[string]string{
	".pdf":  "application/pdf",
	".fuzz": "application/pdf",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".odt":  "application/vnd.oasis.opendocument.text",
}

// fileOutcome is one file's result, as written by --json.
type fileOutcome struct {
	Path    string  `json:"path"`
	Bytes   int64   `json:"bytes"`
	Outcome string  `json:"outcome"` // "ok" or an extract.Reason; "escaped" for an untyped error
	Seconds float64 `json:"seconds"`
	Pages   int     `json:"pages,omitempty"`
	Chars   int     `json:"chars,omitempty"`
	Err     string  `json:"err,omitempty"`
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

  kbsearch extract-bench --dir ../shared/data/pdf --json outcomes.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return errors.New("extract-bench needs --dir")
			}
			opts, err := ef.options()
			if err != nil {
				return err
			}
			files, err := benchFiles(dir)
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
				if err := writeJSONFile(jsonOut, outs); err != nil {
					return err
				}
			}
			for _, o := range outs {
				if o.Outcome == "escaped" {
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

// benchFiles lists the files extract-bench reads under dir, sorted.
func benchFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if _, ok := benchExts[strings.ToLower(filepath.Ext(path))]; ok {
				files = append(files, path)
			}
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// runBench extracts files with jobs workers; ctx cancels what is left.
func runBench(ctx context.Context, files []string, opts extract.Options, jobs int) []fileOutcome {
	outs := make([]fileOutcome, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				outs[i] = benchOne(ctx, files[i], opts)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return outs
}

func benchOne(ctx context.Context, path string, opts extract.Options) fileOutcome {
	o := fileOutcome{Path: path}
	body, err := os.ReadFile(path)
	if err != nil {
		o.Outcome, o.Err = "escaped", err.Error()
		return o
	}
	o.Bytes = int64(len(body))
	start := time.Now()
	p, err := extract.Extract(ctx, body, benchExts[strings.ToLower(filepath.Ext(path))], nil, opts)
	o.Seconds = time.Since(start).Seconds()
	switch r := extract.ReasonOf(err); {
	case err == nil:
		o.Outcome, o.Pages, o.Chars = "ok", p.PageCount, len([]rune(p.Text))
	case r != "":
		o.Outcome, o.Err = string(r), err.Error()
	default:
		o.Outcome, o.Err = "escaped", err.Error()
	}
	return o
}

func printBench(w io.Writer, outs []fileOutcome, wall time.Duration, jobs int, opts extract.Options, slowest int) {
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
		fmtSecs(quantile(secs, 0.5)), fmtSecs(quantile(secs, 0.95)), fmtSecs(quantile(secs, 1)))

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

// quantile returns the q-quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func fmtSecs(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0fms", s*1000)
	}
	return fmt.Sprintf("%.2fs", s)
}

// writeJSONFile writes v as indented JSON to path, through a temporary
// file renamed into place: nothing half-written is left.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".extract-bench-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
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

  kbsearch extract-quality --pdf ../shared/data/eu/agid-digcomp21-it/DigComp2-1_ITA.pdf \
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
			truth, err := readTruth(truths)
			if err != nil {
				return err
			}
			body, err := os.ReadFile(pdf)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(g.stdout, "%s against %d truth words\n\n", pdf, bagSize(truth))
			fmt.Fprintln(tw, "extractor\twords\trecall\tprecision\tF1\tseconds\t")
			row := func(name, text string, secs float64, err error) {
				if dump != "" && err == nil {
					file := filepath.Join(dump, strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(name)+".txt")
					if werr := os.WriteFile(file, []byte(text), 0o644); werr != nil {
						fmt.Fprintln(g.stderr, "kbsearch:", werr)
					}
				}
				if err != nil {
					fmt.Fprintf(tw, "%s\t%s\t\t\t\t%.3f\t\n", name, err, secs)
					return
				}
				got := wordBag(text)
				r, p, f := scoreBags(truth, got)
				fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t\n", name, bagSize(got), r, p, f, secs)
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

// readTruth reads the ground-truth files (folders: their .rst and .txt
// files) into one bag of words.
func readTruth(paths []string) (map[string]int, error) {
	bag := map[string]int{}
	add := func(path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		if strings.EqualFold(filepath.Ext(path), ".rst") {
			text = stripRST(text)
		}
		for w, n := range wordBag(text) {
			bag[w] += n
		}
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".rst" || ext == ".txt") {
				if err := add(filepath.Join(p, e.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(bag) == 0 {
		return nil, errors.New("the truth has no words")
	}
	return bag, nil
}

var (
	rstDirective = regexp.MustCompile(`^\s*\.\. `)    // .. directive:: / comments / targets
	rstOption    = regexp.MustCompile(`^\s+:[\w-]+:`) // directive options
	rstToctree   = regexp.MustCompile(`^\s+\S+\.rst\s*$`)
	rstLinkURL   = regexp.MustCompile(`<[a-z]+://[^>]*>`)
	rstRole      = regexp.MustCompile(`:[\w-]+:` + "`")
)

// stripRST removes reStructuredText markup: directives and their options,
// title adornments, toctree entries, link targets and roles. Emphasis
// marks and backquotes fall away with the punctuation when words are split.
func stripRST(s string) string {
	var b strings.Builder
	for _, ln := range strings.Split(s, "\n") {
		if rstDirective.MatchString(ln) && !strings.Contains(ln, "highlights::") {
			continue
		}
		if rstOption.MatchString(ln) || isAdornment(ln) || rstToctree.MatchString(ln) {
			continue
		}
		ln = rstLinkURL.ReplaceAllString(ln, " ")
		ln = rstRole.ReplaceAllString(ln, "`")
		b.WriteString(ln)
		b.WriteByte('\n')
	}
	return b.String()
}

// isAdornment reports whether ln is a title over- or underline: three or
// more of one punctuation character.
func isAdornment(ln string) bool {
	ln = strings.TrimSpace(ln)
	if len(ln) < 3 || !strings.ContainsRune("=-~^\"'`#*+.:_", rune(ln[0])) {
		return false
	}
	return strings.Trim(ln, ln[:1]) == ""
}

// wordBag counts the lower-cased words of s: maximal runs of letters and
// digits.
func wordBag(s string) map[string]int {
	bag := map[string]int{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		bag[strings.ToLower(w)]++
	}
	return bag
}

func bagSize(bag map[string]int) int {
	n := 0
	for _, c := range bag {
		n += c
	}
	return n
}

// scoreBags returns recall, precision and F1 of got against truth,
// counting each word at most as often as it occurs in both.
func scoreBags(truth, got map[string]int) (recall, precision, f1 float64) {
	common := 0
	for w, c := range got {
		common += min(c, truth[w])
	}
	if nt := bagSize(truth); nt > 0 {
		recall = float64(common) / float64(nt)
	}
	if ng := bagSize(got); ng > 0 {
		precision = float64(common) / float64(ng)
	}
	if recall+precision > 0 {
		f1 = 2 * recall * precision / (recall + precision)
	}
	return recall, precision, f1
}
