package extract

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"time"
)

// WorkerEnv is the environment variable that makes a process started as an
// isolated extraction worker act as one (see RunWorkerIfRequested).
const WorkerEnv = "KBSEARCH_EXTRACT_WORKER"

// workerMagic starts every worker answer, so that the parent can tell a
// worker from a program that does not call RunWorkerIfRequested.
const workerMagic = "kbsearch-extract-worker/1\n"

// ErrWorker is wrapped by the errors of isolated extraction that are not
// about the document: the worker could not be started, or the program
// started is not a worker (it does not call RunWorkerIfRequested).
var ErrWorker = errors.New("extract: worker")

// workerJob is the first line of a worker's stdin; the body follows.
type workerJob struct {
	Format string  `json:"format"` // "pdf"
	Opts   Options `json:"opts"`
	Length int64   `json:"length,omitempty"` // body bytes that follow (pool workers)
}

// workerAnswer is what a worker writes to stdout after workerMagic.
type workerAnswer struct {
	Page   *Page  `json:"page,omitempty"`
	Reason Reason `json:"reason,omitempty"`
	Err    string `json:"err,omitempty"`
	// Exit tells a Pool that the worker exits after this answer (its
	// parse timed out and may still be running in a goroutine).
	Exit bool `json:"exit,omitempty"`
}

// RunWorkerIfRequested makes this process an extraction worker, and exits
// it, when WorkerEnv is set to "1"; otherwise it returns at once. Every
// program that extracts with Options.Isolate must call it first thing in
// main, and every test binary whose tests do must call it first thing in
// TestMain: the parent re-executes that program as the worker.
//
// The worker limits its own memory (RLIMIT_AS at its start-up size plus
// Options.MemoryLimit on Linux, and the Go memory limit), reads a job line
// and the body from stdin, extracts in-process, writes the Page or the
// typed error as JSON to stdout and exits. This is the one place in the
// package that reads the environment: it is the worker protocol.
func RunWorkerIfRequested() {
	switch os.Getenv(WorkerEnv) {
	case "1":
		os.Exit(runWorker(os.Stdin, os.Stdout))
	case "serve":
		os.Exit(serveWorker(os.Stdin, os.Stdout))
	}
}

// runWorker serves one job; the exit status is 0 when an answer was
// written, 3 for a protocol error.
func runWorker(in io.Reader, out io.Writer) int {
	br := bufio.NewReaderSize(in, 64<<10)
	line, err := br.ReadSlice('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "extract worker: read job:", err)
		return 3
	}
	_, opts, ok := parseJob(line)
	if !ok {
		return 3
	}
	workerLimits(opts)
	// Belt and braces: the parent kills the worker shortly after
	// PDFTimeout, but a worker whose parent vanished must not linger.
	time.AfterFunc(opts.PDFTimeout+5*time.Second, func() { os.Exit(4) })

	body, err := io.ReadAll(io.LimitReader(br, opts.MaxBytes+1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "extract worker: read body:", err)
		return 3
	}
	if err := writeAnswer(bufio.NewWriter(out), extractJob(body, opts)); err != nil {
		return 3
	}
	return 0
}

// parseJob reads a job line; it reports a protocol error on stderr.
func parseJob(line []byte) (workerJob, Options, bool) {
	var job workerJob
	if err := json.Unmarshal(line, &job); err != nil || job.Format != "pdf" {
		fmt.Fprintln(os.Stderr, "extract worker: bad job line")
		return job, Options{}, false
	}
	opts := job.Opts.withDefaults()
	opts.Isolate = false
	return job, opts, true
}

// workerLimits applies the job's memory budget to this worker process.
func workerLimits(opts Options) {
	limitMemory(opts.MemoryLimit)
	// A runaway recursion dies as "stack overflow" well before it could
	// use the memory budget.
	debug.SetMaxStack(64 << 20)
}

// extractJob extracts body in-process and makes the answer to send back.
func extractJob(body []byte, opts Options) workerAnswer {
	page, err := PDF(context.Background(), body, opts)
	if err == nil {
		return workerAnswer{Page: page}
	}
	ans := workerAnswer{Reason: ReasonOf(err), Err: err.Error()}
	if ans.Reason == "" {
		ans.Reason = ReasonMalformed
	}
	return ans
}

// writeAnswer sends ans behind the magic line.
func writeAnswer(bw *bufio.Writer, ans workerAnswer) error {
	bw.WriteString(workerMagic)
	if err := json.NewEncoder(bw).Encode(ans); err != nil {
		fmt.Fprintln(os.Stderr, "extract worker: encode:", err)
		return err
	}
	return bw.Flush()
}

// cappedBuffer keeps the first max bytes written to it and notes overflow.
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room < len(p) {
		c.overflow = true
		if room > 0 {
			c.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return c.buf.Write(p)
}

// workerGrace is how long past PDFTimeout the parent waits before it kills
// a worker: the worker times out on its own first and answers, which keeps
// the error message; start-up takes some milliseconds too.
const workerGrace = 2 * time.Second

// isolatedPDF runs PDF in a worker process; data starts at "%PDF-".
func isolatedPDF(ctx context.Context, data []byte, opts Options) (*Page, error) {
	if os.Getenv(WorkerEnv) != "" {
		// We are a worker (or a program started as one that does not
		// call RunWorkerIfRequested): never start workers recursively.
		return nil, fmt.Errorf("%w: isolation requested inside a worker process (is RunWorkerIfRequested called first in main or TestMain?)", ErrWorker)
	}
	argv := opts.WorkerCommand
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrWorker, err)
		}
		argv = []string{exe}
	}
	if opts.Pool != nil {
		return opts.Pool.extract(ctx, argv, data, opts)
	}
	jobOpts := opts
	jobOpts.Isolate, jobOpts.WorkerCommand, jobOpts.Pool = false, nil, nil
	job, err := json.Marshal(workerJob{Format: "pdf", Opts: jobOpts})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWorker, err)
	}

	wctx, cancel := context.WithTimeout(ctx, opts.PDFTimeout+workerGrace)
	defer cancel()
	cmd := exec.CommandContext(wctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), WorkerEnv+"=1")
	cmd.Stdin = io.MultiReader(bytes.NewReader(job), strings.NewReader("\n"), bytes.NewReader(data))
	// The answer holds the text twice (Text and PageTexts), JSON-escaped.
	stdout := &cappedBuffer{max: 16*opts.MaxText + 1<<20}
	stderr := &cappedBuffer{max: 16 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = workerSysProcAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	cmd.WaitDelay = time.Second
	werr := cmd.Run()
	if cmd.Process != nil && (cmd.ProcessState == nil || !cmd.ProcessState.Success()) {
		killGroup(cmd.Process) // anything a dead worker left behind (pdftotext)
	}

	switch {
	case wctx.Err() != nil && (cmd.ProcessState == nil || !cmd.ProcessState.Success()):
		if ctx.Err() != nil {
			return nil, &Error{Reason: ReasonTimeout, Err: fmt.Errorf("pdf worker: %w", ctx.Err())}
		}
		return nil, &Error{Reason: ReasonTimeout, Err: fmt.Errorf("pdf worker killed after %s", opts.PDFTimeout+workerGrace)}
	case cmd.ProcessState == nil:
		return nil, fmt.Errorf("%w: start %s: %v", ErrWorker, argv[0], werr)
	case stdout.overflow:
		return nil, &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("pdf worker output over %d bytes", stdout.max)}
	}
	if werr == nil {
		out := stdout.buf.Bytes()
		if !bytes.HasPrefix(out, []byte(workerMagic)) {
			return nil, fmt.Errorf("%w: %s did not answer as a worker (is extract.RunWorkerIfRequested called first in its main or TestMain?)", ErrWorker, argv[0])
		}
		var ans workerAnswer
		if err := json.Unmarshal(out[len(workerMagic):], &ans); err != nil {
			return nil, &Error{Reason: ReasonMalformed, Err: fmt.Errorf("pdf worker answer: %w", err)}
		}
		return ans.result()
	}
	return nil, crashError(cmd.ProcessState, stderr.buf.String())
}

// crashError maps a worker that died without answering to a reason: out of
// memory (the runtime's own message, or a SIGKILL we did not send: the
// kernel's OOM killer) -> ReasonTooLarge; a worker that exited on its own
// watchdog -> ReasonTimeout; any other crash (an escaped panic, a stack
// overflow, a signal) -> ReasonMalformed.
func crashError(ps *os.ProcessState, stderr string) error {
	msg := firstLines(stderr, 3)
	switch {
	case strings.Contains(stderr, "out of memory") || strings.Contains(stderr, "cannot allocate memory") ||
		strings.Contains(stderr, "address space collisions"): // the last: -race builds, whose shadow memory meets RLIMIT_AS
		return &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("pdf worker ran out of memory: %s", msg)}
	case killedBySIGKILL(ps):
		return &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("pdf worker killed (%s), likely for memory: %s", ps, msg)}
	case ps.ExitCode() == 4:
		return &Error{Reason: ReasonTimeout, Err: errors.New("pdf worker hit its own deadline")}
	}
	return &Error{Reason: ReasonMalformed, Err: fmt.Errorf("pdf worker crashed (%s): %s", ps, msg)}
}

// firstLines returns the first n non-empty lines of s, joined by " | ".
func firstLines(s string, n int) string {
	var out []string
	for _, ln := range strings.Split(s, "\n") {
		if ln = strings.TrimSpace(ln); ln != "" {
			out = append(out, ln)
			if len(out) == n {
				break
			}
		}
	}
	return strings.Join(out, " | ")
}
