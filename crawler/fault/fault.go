// Package fault tells a panic raised by a storage library on damaged data
// from a panic of our own, so that the packages owning files (the crawl
// store's bbolt file, the index's segments) can report a damaged file as an
// error without hiding their own bugs.
//
// bbolt, zap and vellum read their files through memory maps and trust
// what they read: a damaged page makes them panic ("assertion failed",
// index out of range) or, for a file cut short, fault on an address past
// its end. Guard recovers such a panic when it was raised inside one of
// the named packages and turns it into an error; any other panic goes on.
//
// It lives under crawler/, the lowest layer, so that the crawl store and
// the indexer can both use it; it imports nothing of kbsearch.
package fault

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Error is a panic recovered by Guard.
type Error struct {
	Value any    // the value the library panicked with
	Func  string // the function that raised it, such as "go.etcd.io/bbolt.(*Cursor).search"
}

func (e *Error) Error() string {
	return fmt.Sprintf("panic in %s: %v", e.Func, e.Value)
}

// Guard runs fn and returns its error. If fn panics inside a package whose
// import path starts with one of prefixes, Guard returns an *Error instead;
// any other panic is raised again. While fn runs, a memory fault (a read
// of a mapped file past its end) is a panic rather than a crash.
func Guard(prefixes []string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		err = Recovered(p, prefixes)
	}()
	return fn()
}

// raisedIn returns the function the current panic was raised in: the first
// frame below runtime.gopanic that is not the runtime's own (the runtime
// raises index errors and faults on behalf of the function that erred).
func raisedIn() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	inPanic := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			inPanic = true
		case inPanic && !strings.HasPrefix(f.Function, "runtime."):
			return f.Function
		}
		if !more {
			return ""
		}
	}
}

func within(fn string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// Recovered is Guard for a deferred function that called recover itself:
// given the value p recover returned (not nil), it returns an *Error when
// the panic was raised inside one of prefixes and panics with p again
// otherwise. Call it from the deferred function, while the panicking
// frames are still on the stack.
func Recovered(p any, prefixes []string) error {
	fn := raisedIn()
	if !within(fn, prefixes) {
		panic(p)
	}
	return &Error{Value: p, Func: fn}
}
