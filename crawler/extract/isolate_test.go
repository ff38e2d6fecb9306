package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// xrefBomb is a PDF whose cross-reference stream declares /Size entries:
// ledongthuc/pdf allocates the whole table up front (about 40 bytes an
// entry), so a large Size asks for gigabytes. In-process that is a fatal
// out-of-memory error no recover can catch; it must never run in a test
// process, only in a worker.
func xrefBomb(size int64) []byte {
	head := "%PDF-1.5\n"
	obj := fmt.Sprintf("1 0 obj\n<< /Type /XRef /Size %d /W [1 2 1] /Length 4 >>\nstream\n\x01\x00\x00\x00\nendstream\nendobj\n", size)
	return []byte(fmt.Sprintf("%s%sstartxref\n%d\n%%%%EOF\n", head, obj, len(head)))
}

func TestIsolatedPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	valid := makePDF(t, func(f *fpdf.Fpdf) {
		f.SetTitle("Key Policy Messages", true)
		f.AddPage()
		lines(f, 30, "Working Group on Digital Skills", "Meeting of 15 March 2017.")
		f.AddPage()
		lines(f, 30, "Second page text.")
	})
	encrypted := makePDF(t, func(f *fpdf.Fpdf) {
		f.SetProtection(fpdf.CnProtectPrint, "secret", "owner")
		f.AddPage()
		lines(f, 30, "Confidential")
	})
	tests := []struct {
		name string
		body []byte
		opts Options
		want Reason
	}{
		{"valid", valid, Options{}, ""},
		{"encrypted", encrypted, Options{}, ReasonEncrypted},
		{"truncated", valid[:len(valid)/2], Options{}, ReasonMalformed},
		{"allocation of gigabytes stopped", xrefBomb(4_000_000_000), Options{MemoryLimit: 256 << 20}, ReasonTooLarge},
		{"allocation over a small budget stopped", xrefBomb(20_000_000), Options{MemoryLimit: 64 << 20}, ReasonTooLarge},
	}
	pool := NewPool(2)
	defer pool.Close()
	for _, tt := range tests {
		for _, pooled := range []bool{false, true} {
			name := tt.name
			if pooled {
				name += " in a pool"
			}
			t.Run(name, func(t *testing.T) {
				opts := tt.opts
				opts.Isolate = true
				if pooled {
					opts.Pool = pool
				}
				got, err := PDF(context.Background(), tt.body, opts)
				if r := ReasonOf(err); r != tt.want {
					t.Fatalf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", tt.want, r, err)
				}
				if tt.want != "" {
					t.Logf("err: %v", err)
					return
				}
				want, err := PDF(context.Background(), tt.body, tt.opts)
				if err != nil {
					t.Fatalf("in-process PDF: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("isolated page differs from in-process (-want +got):\n-%+v\n+%+v", *want, *got)
				}
			})
		}
	}
}

func TestWorkerFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	body := makePDF(t, func(f *fpdf.Fpdf) {
		f.AddPage()
		lines(f, 30, "Some text")
	})
	tests := []struct {
		mode       string
		opts       Options
		wantReason Reason
		wantWorker bool // an ErrWorker, not about the document
	}{
		{mode: "hang", opts: Options{PDFTimeout: 100 * time.Millisecond}, wantReason: ReasonTimeout},
		{mode: "crash", wantReason: ReasonMalformed},
		{mode: "alloc", wantReason: ReasonTooLarge},
		{mode: "garbage", wantReason: ReasonMalformed},
		{mode: "flood", opts: Options{MaxText: 1000}, wantReason: ReasonTooLarge},
		{mode: "not-a-worker", wantWorker: true},
	}
	pool := NewPool(2)
	defer pool.Close()
	for _, tt := range tests {
		for _, pooled := range []bool{false, true} {
			name := tt.mode
			if pooled {
				name += " in a pool"
			}
			t.Run(name, func(t *testing.T) {
				opts := tt.opts
				opts.Isolate = true
				opts.WorkerCommand = []string{os.Args[0], "-fake-worker=" + tt.mode}
				if pooled {
					opts.Pool = pool
				}
				p, err := PDF(context.Background(), body, opts)
				if p != nil {
					t.Errorf("page = %+v, want nil", p)
				}
				if r := ReasonOf(err); r != tt.wantReason {
					t.Errorf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", tt.wantReason, r, err)
				}
				if got := errors.Is(err, ErrWorker); got != tt.wantWorker {
					t.Errorf("errors.Is(err, ErrWorker) = %v, want %v (err %v)", got, tt.wantWorker, err)
				}
			})
		}
	}
	if n := len(pool.idle); n != 0 {
		t.Errorf("%d misbehaving workers kept in the pool, want 0", n)
	}
}

func TestPoolReusesWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	pool := NewPool(1)
	body := makePDF(t, func(f *fpdf.Fpdf) {
		f.AddPage()
		lines(f, 30, "Some text")
	})
	opts := Options{Isolate: true, Pool: pool}
	for i := range 3 {
		p, err := PDF(context.Background(), body, opts)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if p.Text != "Some text" {
			t.Error(diff("text", "Some text", p.Text))
		}
	}
	// A document failure (not a worker failure) keeps the worker.
	if _, err := PDF(context.Background(), body[:len(body)/2], opts); ReasonOf(err) != ReasonMalformed {
		t.Fatalf("truncated: err = %v, want malformed", err)
	}
	if len(pool.idle) != 1 || pool.idle[0].jobs != 4 {
		t.Fatalf("pool after 4 PDFs: %d idle workers, want 1 that served 4", len(pool.idle))
	}
	w := pool.idle[0]
	pool.Close()
	if w.cmd.ProcessState == nil || !w.cmd.ProcessState.Success() {
		t.Errorf("worker state after Close = %v, want a clean exit", w.cmd.ProcessState)
	}
	// A closed pool still extracts, one process a PDF.
	if _, err := PDF(context.Background(), body, opts); err != nil {
		t.Errorf("after Close: %v", err)
	}
}

func TestIsolationNotRecursive(t *testing.T) {
	// A process that is itself a worker must not start workers: a test
	// binary without RunWorkerIfRequested would otherwise fork forever.
	t.Setenv(WorkerEnv, "1")
	body := makePDF(t, func(f *fpdf.Fpdf) {
		f.AddPage()
		lines(f, 30, "Some text")
	})
	_, err := PDF(context.Background(), body, Options{Isolate: true})
	if !errors.Is(err, ErrWorker) {
		t.Fatalf("err = %v, want ErrWorker", err)
	}
}

func TestIsolatedCancel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	body := makePDF(t, func(f *fpdf.Fpdf) {
		f.AddPage()
		lines(f, 30, "Some text")
	})
	_, err := PDF(ctx, body, Options{Isolate: true, WorkerCommand: []string{os.Args[0], "-fake-worker=hang"}})
	if r := ReasonOf(err); r != ReasonTimeout {
		t.Fatalf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", ReasonTimeout, r, err)
	}
}

// BenchmarkPDFIsolation measures what a worker process costs per PDF: the
// same one-page PDF extracted in-process and in a worker (a re-executed
// test binary, as the kbsearch binary re-executes itself).
func BenchmarkPDFIsolation(b *testing.B) {
	body := makePDF(b, func(f *fpdf.Fpdf) {
		f.AddPage()
		lines(f, 30, "Working Group on Digital Skills", "Meeting of 15 March 2017.")
	})
	pool := NewPool(1)
	defer pool.Close()
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"in-process", Options{}},
		{"isolated", Options{Isolate: true}},
		{"isolated-pool", Options{Isolate: true, Pool: pool}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := PDF(context.Background(), body, bc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
