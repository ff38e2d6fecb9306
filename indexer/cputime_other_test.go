//go:build !unix

package indexer_test

import "time"

// cpuTime is unknown here: BenchmarkBuild leaves out cpu-ms/doc.
func cpuTime() time.Duration { return 0 }
