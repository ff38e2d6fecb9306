package search

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kbsearch/kbsearch/indexer"
)

var (
	scaleIndex   = flag.String("scale.index", "", "index directory (DATA/index) for BenchmarkQueryMix")
	scaleQueries = flag.String("scale.queries", "", "query strings, one per line (make_site.py's queries.txt), for BenchmarkQueryMix")
	scaleNoFB    = flag.Bool("scale.nofeedback", false, "run the scale benchmarks without pseudo-relevance feedback")
	scaleSlowest = flag.Int("scale.slowest", 0, "after BenchmarkQueryMix, time each query once more and log the N slowest")
	scaleWarm    = flag.Bool("scale.warm", false, "run BenchmarkQueryMix's mix once before the timed loop (in scaleWarmUp), so the loop measures warm caches as a server that has answered the mix does")
	scaleDump    = flag.String("scale.dump", "", "after BenchmarkQueryMix, write each query's answer (totals, facets, hits with scores, snippets) to this file, to compare two builds")
)

// BenchmarkQueryMix runs a portal's query mix (URL query strings of
// /api/v1/search: q, theme, type, year) in process over a built index, so
// a profile shows the search path alone:
//
//	go test -run '^$' -bench QueryMix ./search/ -scale.index DATA/index -scale.queries site/queries.txt
//
// It is skipped without both flags.
func BenchmarkQueryMix(b *testing.B) {
	s, reqs := scaleSearcher(b)
	ctx := context.Background()
	if *scaleWarm {
		scaleWarmUp(b, s, reqs)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	cpu0 := processCPU(b)
	for b.Loop() {
		if _, err := s.Search(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatalf("%+v: %v", reqs[i%len(reqs)], err)
		}
		i++
	}
	b.StopTimer()
	// The process's CPU time (the garbage collector's included) per query
	// of the loop: the mix as a service meets it, the caches filling as
	// it goes (logSlowest's second pass finds them warm).
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/1000/float64(i), "cpu-ms/op")
	if *scaleSlowest > 0 {
		logSlowest(b, s, reqs, *scaleSlowest)
	}
	if *scaleDump != "" {
		dumpAnswers(b, s, reqs, *scaleDump)
	}
}

// dumpAnswers writes the answer to each request of the mix and of the
// hostile queries, and to the same request for 100 hits (and for the first
// 300, sorted by date, at page 3 and at the cursor after page 1) (feedback's candidates reach that deep), as
// text: the total, the facets, each hit's id, score (to the bit) and
// snippets. Two builds that answer the same write the same file.
func dumpAnswers(b *testing.B, s *Searcher, reqs []Request, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	all := append(slices.Clone(reqs), hostileQueries(true)...)
	all = append(all, hostileQueries(false)...)
	all = append(all, hostileProse()...)
	type variant struct {
		name string
		set  func(*Request)
	}
	variants := []variant{{"", func(*Request) {}}, {"size=100", func(r *Request) { r.Size = 100 }}}
	for i, req := range all {
		vs := variants
		if i < 300 { // the other orders, a deep page and a cursor's page, for some
			vs = append(slices.Clone(vs), variant{"newest", func(r *Request) { r.Sort = SortNewest }},
				variant{"page=3", func(r *Request) { r.Page = 3 }},
				variant{"cursor", func(r *Request) {
					first, err := s.Search(context.Background(), *r)
					if err != nil {
						b.Fatal(err)
					}
					r.Cursor = first.NextCursor
				}})
		}
		for _, v := range vs {
			r := req
			v.set(&r)
			if v.name == "cursor" && r.Cursor == "" {
				continue
			}
			size := r.Size
			res, err := s.Search(context.Background(), r)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(w, "q=%q themes=%v types=%v years=%v %s size=%d total=%d dym=%q notice=%q next=%q\n", req.Query, req.Themes, req.Types, req.Years, v.name, size, res.Total, res.DidYouMean, res.Notice, res.NextCursor)
			for _, name := range FacetNames {
				fmt.Fprintf(w, "  %s:", name)
				for _, fc := range res.Facets[name] {
					fmt.Fprintf(w, " %s=%d", fc.Value, fc.Count)
				}
				fmt.Fprintln(w)
			}
			for _, h := range res.Hits {
				fmt.Fprintf(w, "  %s %s page=%d %q\n", h.ID, strconv.FormatFloat(h.Score, 'g', -1, 64), h.Page, h.Snippets)
			}
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// scaleWarmUp runs the mix once (a function of its own, so that a profile
// can leave it out: pprof -ignore scaleWarmUp).
func scaleWarmUp(b *testing.B, s *Searcher, reqs []Request) {
	for _, req := range reqs {
		if _, err := s.Search(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// logSlowest times each request once and logs the n slowest by the CPU
// time of its thread (a search runs on its caller's goroutine, locked to
// its thread here), with their totals: where a profile of the whole mix
// would hide a few bad queries. CPU time, not wall time, so that a shared
// machine's load does not reorder the list.
func logSlowest(b *testing.B, s *Searcher, reqs []Request, n int) {
	type timed struct {
		d     time.Duration
		total uint64
		req   Request
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := func() time.Duration { return threadCPU(b) }
	var ts []timed
	for _, req := range reqs {
		start := cpu()
		res, err := s.Search(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		ts = append(ts, timed{cpu() - start, res.Total, req})
	}
	var sum time.Duration
	for _, t := range ts {
		sum += t.d
	}
	b.Logf("CPU per query: mean %.2f ms over %d queries", float64(sum.Microseconds())/1000/float64(len(ts)), len(ts))
	slices.SortFunc(ts, func(a, b timed) int { return cmp.Compare(b.d, a.d) })
	for _, t := range ts[:min(n, len(ts))] {
		b.Logf("%8.2f ms %7d hits  q=%q themes=%v types=%v years=%v", float64(t.d.Microseconds())/1000, t.total, t.req.Query, t.req.Themes, t.req.Types, t.req.Years)
	}
}

// hostileWords are frequent content words of make_site.py's documents
// (those .ci/scale-bench builds its varied hostile phrases from).
var hostileWords = strings.Fields("discussed group system information data learning computer time activity " +
	"library systems language program method meeting digital results paper used described")

// hostileQueries returns .ci/scale-bench's varied worst-case queries: each
// ordered pair of hostileWords repeated to about 996 and 960 characters, in
// quotes (a phrase, as the benchmark sends them) or not (free text).
func hostileQueries(quoted bool) []Request {
	var out []Request
	for _, a := range hostileWords {
		for _, b := range hostileWords {
			if a == b {
				continue
			}
			for _, limit := range []int{996, 960} {
				var words []string
				for len(strings.Join(append(words, a+" "+b), " "))+2 <= limit {
					words = append(words, a+" "+b)
				}
				q := strings.Join(words, " ")
				if quoted {
					q = `"` + q + `"`
				}
				out = append(out, Request{Query: q})
			}
		}
	}
	return out
}

// hostileProse returns free-text queries of about 993 characters that
// cycle through all of hostileWords, each starting at another word.
func hostileProse() []Request {
	var out []Request
	for start := range hostileWords {
		var words []string
		for i := start; len(strings.Join(words, " "))+len(hostileWords[i%len(hostileWords)])+1 <= 993; i++ {
			words = append(words, hostileWords[i%len(hostileWords)])
		}
		out = append(out, Request{Query: strings.Join(words, " ")})
	}
	return out
}

// BenchmarkHostileMix runs the varied worst-case queries of the scale
// benchmark's hostile step over a built index, as phrases and as free text
// (feedback then expands them), and free text of twenty frequent words
// (prose), and reports the CPU time per query:
//
//	go test -run '^$' -bench HostileMix ./search/ -scale.index DATA/index -scale.queries site/queries.txt
func BenchmarkHostileMix(b *testing.B) {
	s, _ := scaleSearcher(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		reqs []Request
	}{
		{"phrase", hostileQueries(true)},
		{"free-text", hostileQueries(false)},
		{"prose", hostileProse()},
	} {
		reqs := bc.reqs
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			cpu0 := processCPU(b)
			for b.Loop() {
				if _, err := s.Search(ctx, reqs[i%len(reqs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/1000/float64(i), "cpu-ms/op")
		})
	}
}

// BenchmarkSuggestMix completes the mix's queries as they are typed (each
// prefix of two characters or more of each query's text) over a built
// index, and reports the CPU time per call at the median and the 99th
// percentile: on a shared machine, CPU time is what the code costs.
//
//	go test -run '^$' -bench SuggestMix ./search/ -scale.index DATA/index -scale.queries site/queries.txt
func BenchmarkSuggestMix(b *testing.B) {
	s, reqs := scaleSearcher(b)
	var typed []string
	for _, req := range reqs {
		q := strings.Trim(req.Query, `"`)
		for i := 2; i <= len(q) && len(typed) < 20000; i++ {
			typed = append(typed, q[:i])
		}
	}
	if len(typed) == 0 {
		b.Skip("no query text in the mix")
	}
	ctx := context.Background()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpus []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := threadCPU(b)
		if _, err := s.Suggest(ctx, typed[i%len(typed)], 0); err != nil {
			b.Fatal(err)
		}
		cpus = append(cpus, threadCPU(b)-start)
		i++
	}
	slices.Sort(cpus)
	b.ReportMetric(float64(cpus[len(cpus)/2].Microseconds())/1000, "p50-cpu-ms")
	b.ReportMetric(float64(cpus[len(cpus)*99/100].Microseconds())/1000, "p99-cpu-ms")
}

// processCPU returns the CPU time of the process, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// threadCPU returns the CPU time of the calling thread.
func threadCPU(b *testing.B) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// scaleSearcher opens -scale.index's current generation (closed when b
// ends) and reads -scale.queries, or skips b without both flags.
func scaleSearcher(b *testing.B) (*Searcher, []Request) {
	if *scaleIndex == "" || *scaleQueries == "" {
		b.Skip("needs -scale.index and -scale.queries")
	}
	r, _, err := indexer.OpenCurrentReader(*scaleIndex)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	opts := Options{}
	opts.Ranking.NoFeedback = *scaleNoFB
	return New(r, opts), readQueryMix(b, *scaleQueries)
}

// readQueryMix reads a portal's query mix: URL query strings of
// /api/v1/search (q, theme, type, year), one per line.
func readQueryMix(b *testing.B, path string) []Request {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var reqs []Request
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, err := url.ParseQuery(strings.TrimSpace(sc.Text()))
		if err != nil {
			b.Fatal(err)
		}
		list := func(k string) []string {
			if v.Get(k) == "" {
				return nil
			}
			return strings.Split(v.Get(k), ",")
		}
		reqs = append(reqs, Request{Query: v.Get("q"), Themes: list("theme"), Types: list("type"), Years: list("year")})
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return reqs
}
