package indexer

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSummaryAsWhole: Summary of a text is what it was when every word of
// the text was joined first.
func TestSummaryAsWhole(t *testing.T) {
	t.Parallel()
	whole := func(text string, max int) string {
		return cutSummary(strings.Join(strings.Fields(text), " "), max)
	}
	r := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"a", "word", "été", "\u00a0", " ", "\n\t", "longwordwithoutanyspaceatall", "x.", "日本語"}
	for range 3000 {
		var b strings.Builder
		for range r.IntN(80) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		for _, max := range []int{0, 1, 5, 10, 30, 300} {
			if got, want := Summary(b.String(), max), whole(b.String(), max); got != want {
				t.Fatalf("Summary(%q, %d) = %q, want %q", b.String(), max, got, want)
			}
		}
	}
}
