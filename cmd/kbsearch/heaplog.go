package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbsearch/kbsearch/crawler/durable"
)

// heapLog samples the Go heap and the process's resident memory while a
// command runs, for the hidden --heap-log flag of crawl. Each line is
//
//	seconds pages heap_live heap_inuse heap_alloc heap_sys next_gc rss_anon rss_file vm_hwm
//
// in bytes (pages is what the command reported done so far). heap_live is
// what the last garbage collection found reachable (runtime/metrics
// /gc/heap/live:bytes): the measure of what the program holds, where
// heap_inuse and heap_alloc also count garbage not collected yet. RssAnon is
// the memory the process wrote itself (the Go heap, stacks, the runtime's
// spare pages); RssFile is file pages mapped and resident, which for the
// crawler is bbolt's read-only memory map of crawl.db: the kernel may drop
// those pages at any time, they are page cache counted in the process's RSS.
// The last line, "peak", holds the maxima of each column.
//
// With a profile path, a heap profile (pprof) is written there whenever
// HeapAlloc passes its previous peak by a tenth: the last one shows what
// was live near the peak, which the end of a run, its state freed, would
// not.
type heapLog struct {
	w       *bufio.Writer
	f       io.Closer
	prof    string
	profAt  uint64 // HeapAlloc when the profile was last written
	profErr error
	start   time.Time
	pages   atomic.Int64
	stop    context.CancelFunc
	done    chan struct{}

	mu   sync.Mutex
	peak heapSample
}

type heapSample struct {
	pages                                            int64
	live, inuse, alloc, sys, nextGC, anon, file, hwm uint64
}

// startHeapLog writes a sample to path (if not "") every interval until
// close, and heap profiles to prof (if not "").
func startHeapLog(ctx context.Context, path, prof string, every time.Duration) (*heapLog, error) {
	var f io.WriteCloser = nopCloser{io.Discard}
	if path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return nil, fmt.Errorf("heap log: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &heapLog{w: bufio.NewWriter(f), f: f, prof: prof, start: time.Now(), stop: cancel, done: make(chan struct{})}
	fmt.Fprintln(h.w, "# seconds pages heap_live heap_inuse heap_alloc heap_sys next_gc rss_anon rss_file vm_hwm")
	go func() {
		defer close(h.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			h.sample("")
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return h, nil
}

// setPages records how many pages are done, for the next sample.
func (h *heapLog) setPages(n int) { h.pages.Store(int64(n)) }

func (h *heapLog) sample(label string) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	s := heapSample{pages: h.pages.Load(), inuse: ms.HeapInuse, alloc: ms.HeapAlloc, sys: ms.HeapSys, nextGC: ms.NextGC}
	if live[0].Value.Kind() == metrics.KindUint64 {
		s.live = live[0].Value.Uint64()
	}
	s.anon, s.file, s.hwm = procStatus()
	h.mu.Lock()
	defer h.mu.Unlock()
	p := &h.peak
	p.pages, p.live = max(p.pages, s.pages), max(p.live, s.live)
	p.inuse, p.alloc, p.sys, p.nextGC = max(p.inuse, s.inuse), max(p.alloc, s.alloc), max(p.sys, s.sys), max(p.nextGC, s.nextGC)
	p.anon, p.file, p.hwm = max(p.anon, s.anon), max(p.file, s.file), max(p.hwm, s.hwm)
	h.write(label, time.Since(h.start).Seconds(), s)
	if h.prof != "" && h.profErr == nil && s.alloc > h.profAt+h.profAt/10 {
		h.profAt = s.alloc
		h.profErr = writeHeapProfile(h.prof)
	}
}

// writeHeapProfile writes the heap profile to path, through a temporary
// file so that an interrupted write leaves the previous one.
func writeHeapProfile(path string) error {
	var buf bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&buf, 0); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := durable.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func (h *heapLog) write(label string, secs float64, s heapSample) {
	if label != "" {
		fmt.Fprintf(h.w, "%s ", label)
	}
	fmt.Fprintf(h.w, "%.1f %d %d %d %d %d %d %d %d %d\n", secs, s.pages, s.live, s.inuse, s.alloc, s.sys, s.nextGC, s.anon, s.file, s.hwm)
}

// close takes a last sample, writes the peaks and closes the file.
func (h *heapLog) close() error {
	h.stop()
	<-h.done
	h.sample("end")
	h.mu.Lock()
	h.write("peak", time.Since(h.start).Seconds(), h.peak)
	perr := h.profErr
	h.mu.Unlock()
	if err := h.w.Flush(); err != nil {
		h.f.Close()
		return fmt.Errorf("heap log: %w", err)
	}
	if err := h.f.Close(); err != nil {
		return fmt.Errorf("heap log: %w", err)
	}
	return perr
}

// procStatus reads RssAnon, RssFile and VmHWM of this process, in bytes
// (zero where /proc is missing).
func procStatus() (anon, file, hwm uint64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, 0
	}
	for line := range bytes.Lines(b) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var dst *uint64
		switch string(k) {
		case "RssAnon":
			dst = &anon
		case "RssFile":
			dst = &file
		case "VmHWM":
			dst = &hwm
		default:
			continue
		}
		f := bytes.Fields(v) // "123 kB"
		if len(f) == 0 {
			continue
		}
		if n, err := strconv.ParseUint(string(f[0]), 10, 64); err == nil {
			*dst = n << 10
		}
	}
	return anon, file, hwm
}
