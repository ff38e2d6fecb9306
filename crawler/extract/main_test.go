package extract

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// hoard keeps what the "oom" worker allocates reachable.
var hoard [][]byte

// TestMain makes the test binary an extraction worker when started as one
// (the isolation tests re-execute it), and a fake worker misbehaving on
// purpose when given -fake-worker=MODE.

func TestMain(m *testing.M) {
	for _, a := range os.Args[1:] {
		if mode, ok := strings.CutPrefix(a, "-fake-worker="); ok {
			os.Exit(fakeWorker(mode))
		}
	}
	RunWorkerIfRequested()
	flag.Parse()
	os.Exit(m.Run())
}

// fakeWorker misbehaves as mode says; it never answers correctly.
func fakeWorker(mode string) int {
	switch mode {
	case "hang":
		for {
			time.Sleep(time.Hour)
		}
	case "crash":
		done := make(chan bool)
		go func() { panic("boom") }() // escapes any recover: the process dies
		<-done
	case "alloc":
		// Allocate and touch memory without bound, under the limit a
		// real worker sets for itself.
		limitMemory(32 << 20)
		for {
			b := make([]byte, 4<<20)
			for i := range b {
				b[i] = byte(i)
			}
			hoard = append(hoard, b)
		}
	case "not-a-worker":
		fmt.Println("PASS")
		return 0
	case "garbage":
		fmt.Print(workerMagic + "{not json")
		return 0
	case "flood":
		fmt.Print(workerMagic)
		chunk := strings.Repeat("x", 1<<20)
		for range 64 {
			fmt.Print(chunk)
		}
		return 0
	}
	return 5
}
