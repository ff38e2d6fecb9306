//go:build !linux

package extract

import (
	"os"
	"runtime/debug"
	"syscall"
)

// Outside Linux the worker has no address-space limit (only the Go memory
// limit) and is killed alone, not with its process group.

func workerSysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	return p.Kill()
}

func killedBySIGKILL(ps *os.ProcessState) bool { return false }

func limitMemory(budget int64) { debug.SetMemoryLimit(budget) }
