package fault_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/fault"
	"github.com/kbsearch/kbsearch/crawler/fault/faulttest"
)

var lib = []string{"github.com/kbsearch/kbsearch/crawler/fault/faulttest"}

func TestGuard(t *testing.T) {
	tests := []struct {
		name string
		fn   func() error
		want string // substring of the *Error; "" for none
	}{
		{"no panic", func() error { return nil }, ""},
		{"explicit panic in the library", func() error { faulttest.Assert(); return nil }, "assertion failed"},
		{"index out of range in the library", func() error { faulttest.Index(make([]byte, 2), 9); return nil }, "index out of range"},
		{"nil dereference in the library", func() error { faulttest.Deref(nil); return nil }, "nil pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fault.Guard(lib, tt.fn)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Guard = %v, want nil", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Guard = %v, want a *fault.Error with %q", err, tt.want)
			}
			if !strings.HasPrefix(fe.Func, lib[0]) {
				t.Errorf("raised in %q, want the library", fe.Func)
			}
		})
	}
}

// TestGuardRepanics: a panic of the caller's own code, even one reached
// from a callback the library calls, is not the library's and goes on.
func TestGuardRepanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func() error
	}{
		{"own panic", func() error { panic("bug") }},
		{"own panic in a callback", func() error { faulttest.Call(func() { panic("bug") }); return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != "bug" {
					t.Errorf("recovered %v, want the caller's own panic", p)
				}
			}()
			err := fault.Guard(lib, tt.fn)
			t.Fatalf("Guard returned %v, want a panic", err)
		})
	}
}
