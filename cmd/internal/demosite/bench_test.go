package demosite

import (
	"net/http"
	"testing"
)

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServePDF(b *testing.B) {
	s := newSite(b)
	for b.Loop() {
		resp := get(b, s, http.MethodGet, DuplicateOf, nil)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
