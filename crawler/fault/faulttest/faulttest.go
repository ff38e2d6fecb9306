// Package faulttest stands for a storage library in the tests of package
// fault: functions that panic the ways such a library does.
package faulttest

// Assert panics as bbolt's assertions do.
func Assert() { panic("assertion failed: page expected to be a branch or leaf") }

// Index reads b[i]; out of range it panics in the runtime on behalf of Index.
//
//go:noinline
func Index(b []byte, i int) byte { return b[i] }

// Deref reads *p.
//
//go:noinline
func Deref(p *int) int { return *p }

// Call calls fn, as a library calls a callback.
//
//go:noinline
func Call(fn func()) { fn() }
