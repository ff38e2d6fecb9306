package eval

import (
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	t.Parallel()
	one20 := make([]int, 20) // 1..20
	for i := range one20 {
		one20[i] = i + 1
	}
	for _, tt := range []struct {
		vals []int
		q    float64
		want int
	}{
		{one20, 0.5, 10}, {one20, 0.95, 19}, {one20, 1, 20}, {one20, 0.01, 1}, {one20, 0, 1},
		{[]int{7}, 0.5, 7}, {[]int{1, 2, 3}, 0.5, 2}, {[]int{1, 2, 3, 4}, 0.5, 2}, {[]int{1, 2, 3, 4}, 0.75, 3},
		{nil, 0.5, 0},
	} {
		if got := Quantile(tt.vals, tt.q); got != tt.want {
			t.Errorf("Quantile(%v, %v) = %d, want %d", tt.vals, tt.q, got, tt.want)
		}
	}
	ds := []time.Duration{time.Millisecond, 2 * time.Millisecond, 40 * time.Millisecond}
	if got := Quantile(ds, 0.95); got != 40*time.Millisecond {
		t.Errorf("p95 of %v = %v", ds, got)
	}
	if got := Quantile([]float64{0.1, 0.2}, 0.5); got != 0.1 {
		t.Errorf("median of two = %v, want the lower", got)
	}
}
