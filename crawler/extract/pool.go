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
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxJobsPerWorker recycles a pool worker after this many PDFs, so that
// whatever a parse leaves behind (heap fragmentation, caches) stays bounded.
const maxJobsPerWorker = 200

// Pool keeps long-lived isolated workers for Options.Isolate, so that a
// PDF costs a round trip to a running process instead of a process start
// (which is most of the cost of isolating a small PDF). A worker serves one
// PDF at a time with the same limits as a one-shot worker; one that times
// out, crashes, overflows its output or has served maxJobsPerWorker PDFs
// is killed or retired, and the next PDF starts a fresh one. At most size
// idle workers are kept; as many run as there are PDFs in flight.
//
// A Pool is safe for concurrent use. Close it to stop its idle workers.
type Pool struct {
	size   int
	mu     sync.Mutex
	idle   []*poolWorker
	closed bool
}

// NewPool returns a Pool keeping at most size idle workers (at least 1).
func NewPool(size int) *Pool {
	return &Pool{size: max(size, 1)}
}

// Close stops the idle workers; workers busy at the time stop when their
// PDF is done. Extraction with a closed Pool still works, one process a PDF.
func (p *Pool) Close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, w := range idle {
		w.retire()
	}
	return nil
}

type poolWorker struct {
	key    string // WorkerCommand and MemoryLimit: a worker serves one of each
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *cappedBuffer // read only after Wait
	jobs   int
}

// retire closes the worker's stdin, which makes it exit, and reaps it.
func (w *poolWorker) retire() {
	w.stdin.Close()
	done := make(chan struct{})
	go func() {
		w.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		killGroup(w.cmd.Process)
		<-done
	}
}

// kill stops the worker and everything it started, and reaps it.
func (w *poolWorker) kill() *os.ProcessState {
	killGroup(w.cmd.Process)
	w.stdin.Close()
	w.cmd.Wait()
	return w.cmd.ProcessState
}

func (p *Pool) get(key string) *poolWorker {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.idle) - 1; i >= 0; i-- {
		if w := p.idle[i]; w.key == key {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			return w
		}
	}
	return nil
}

func (p *Pool) put(w *poolWorker) {
	p.mu.Lock()
	if !p.closed && len(p.idle) < p.size && w.jobs < maxJobsPerWorker {
		p.idle = append(p.idle, w)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	w.retire()
}

func startPoolWorker(argv []string, key string) (*poolWorker, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), WorkerEnv+"=serve")
	cmd.SysProcAttr = workerSysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	w := &poolWorker{key: key, cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 64<<10), stderr: &cappedBuffer{max: 16 << 10}}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return w, nil
}

// errAnswerTooLarge reports a pool worker answer over its cap.
var errAnswerTooLarge = errors.New("answer too large")

// readAnswer reads the magic line and the JSON line of one answer, the
// latter at most max bytes.
func readAnswer(r *bufio.Reader, max int) ([]byte, error) {
	magic, err := r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if string(magic) != workerMagic {
		return nil, errNotWorker
	}
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > max {
			return nil, errAnswerTooLarge
		}
		if err == nil {
			return line, nil
		}
		if err != bufio.ErrBufferFull {
			return nil, err
		}
	}
}

var errNotWorker = errors.New("not a worker")

// extract runs one PDF (data starts at "%PDF-") in a pool worker.
func (p *Pool) extract(ctx context.Context, argv []string, data []byte, opts Options) (*Page, error) {
	key := fmt.Sprintf("%q %d", argv, opts.MemoryLimit)
	w := p.get(key)
	if w == nil {
		var err error
		if w, err = startPoolWorker(argv, key); err != nil {
			return nil, fmt.Errorf("%w: start %s: %w", ErrWorker, argv[0], err)
		}
	}
	jobOpts := opts
	jobOpts.Isolate, jobOpts.WorkerCommand, jobOpts.Pool = false, nil, nil
	job, err := json.Marshal(workerJob{Format: "pdf", Opts: jobOpts, Length: int64(len(data))})
	if err != nil {
		w.kill()
		return nil, fmt.Errorf("%w: %w", ErrWorker, err)
	}

	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var buf bytes.Buffer
		buf.Grow(len(job) + 1 + len(data))
		buf.Write(job)
		buf.WriteByte('\n')
		buf.Write(data)
		if _, err := w.stdin.Write(buf.Bytes()); err != nil {
			done <- result{err: err}
			return
		}
		line, err := readAnswer(w.stdout, 16*opts.MaxText+1<<20)
		done <- result{line, err}
	}()
	timer := time.NewTimer(opts.PDFTimeout + workerGrace)
	defer timer.Stop()
	var res result
	select {
	case res = <-done:
	case <-timer.C:
		w.kill()
		<-done
		return nil, &Error{Reason: ReasonTimeout, Err: fmt.Errorf("pdf worker killed after %s", opts.PDFTimeout+workerGrace)}
	case <-ctx.Done():
		w.kill()
		<-done
		return nil, &Error{Reason: ReasonTimeout, Err: fmt.Errorf("pdf worker: %w", ctx.Err())}
	}
	switch {
	case errors.Is(res.err, errAnswerTooLarge):
		w.kill()
		return nil, &Error{Reason: ReasonTooLarge, Err: fmt.Errorf("pdf worker output over %d bytes", 16*opts.MaxText+1<<20)}
	case errors.Is(res.err, errNotWorker):
		w.kill()
		return nil, fmt.Errorf("%w: %s did not answer as a worker (is extract.RunWorkerIfRequested called first in its main or TestMain?)", ErrWorker, argv[0])
	case res.err != nil:
		// The worker died mid-job: say why from its exit and stderr.
		ps := w.kill()
		if ps == nil {
			return nil, fmt.Errorf("%w: %w", ErrWorker, res.err)
		}
		return nil, crashError(ps, w.stderr.buf.String())
	}
	var ans workerAnswer
	if err := json.Unmarshal(res.line, &ans); err != nil {
		w.kill()
		return nil, &Error{Reason: ReasonMalformed, Err: fmt.Errorf("pdf worker answer: %w", err)}
	}
	w.jobs++
	if ans.Exit {
		w.retire()
	} else {
		p.put(w)
	}
	return ans.result()
}

// result turns an answer into extraction's result.
func (ans workerAnswer) result() (*Page, error) {
	if ans.Reason != "" {
		return nil, &Error{Reason: ans.Reason, Err: errors.New(strings.TrimPrefix(ans.Err, "extract: "+string(ans.Reason)+": "))}
	}
	if ans.Page == nil {
		return nil, &Error{Reason: ReasonMalformed, Err: errors.New("pdf worker answered no page")}
	}
	return ans.Page, nil
}

// serveWorker answers jobs until stdin closes, a parse times out (its
// goroutine may still run: the worker answers and exits) or a protocol
// error. The memory limit is set from the first job.
func serveWorker(in io.Reader, out io.Writer) int {
	br := bufio.NewReaderSize(in, 64<<10)
	bw := bufio.NewWriterSize(out, 64<<10)
	limited := false
	for {
		line, err := br.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			return 0
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "extract worker: read job:", err)
			return 3
		}
		job, opts, ok := parseJob(line)
		if !ok {
			return 3
		}
		if job.Length < 0 || job.Length > opts.MaxBytes+1 {
			fmt.Fprintln(os.Stderr, "extract worker: bad body length "+strconv.FormatInt(job.Length, 10))
			return 3
		}
		if !limited {
			workerLimits(opts)
			limited = true
		}
		body := make([]byte, job.Length)
		if _, err := io.ReadFull(br, body); err != nil {
			fmt.Fprintln(os.Stderr, "extract worker: read body:", err)
			return 3
		}
		watchdog := time.AfterFunc(opts.PDFTimeout+5*time.Second, func() { os.Exit(4) })
		ans := extractJob(body, opts)
		watchdog.Stop()
		// A timed-out parse may still spin in its goroutine: answer, then exit.
		ans.Exit = ans.Reason == ReasonTimeout
		if err := writeAnswer(bw, ans); err != nil {
			return 3
		}
		if ans.Exit {
			return 0
		}
	}
}
