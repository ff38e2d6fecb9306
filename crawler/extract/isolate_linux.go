//go:build linux

package extract

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// workerSysProcAttr puts the worker in its own process group (killGroup
// then reaches what it starts, such as pdftotext) and kills it if the
// parent thread dies.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group of p (a worker and its children).
func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if err == syscall.ESRCH {
		return os.ErrProcessDone
	}
	return err
}

func killedBySIGKILL(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// limitMemory caps this process's address space at its current size plus
// budget (RLIMIT_AS: an allocation beyond fails at once, and the Go runtime
// dies with "out of memory" instead of the machine swapping or the OOM
// killer choosing a victim), and sets the Go memory limit to budget so
// that the collector works hard before that. Processes the worker starts
// (pdftotext) inherit the same limit.
func limitMemory(budget int64) {
	debug.SetMemoryLimit(budget)
	base := vmSize()
	if base <= 0 {
		return
	}
	lim := uint64(base + budget)
	_ = syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
}

// vmSize returns this process's mapped address space in bytes (VmSize of
// /proc/self/status), or 0.
func vmSize() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmSize:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
