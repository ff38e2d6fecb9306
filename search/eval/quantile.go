package eval

import (
	"cmp"
	"math"
)

// Quantile returns the q-quantile (0 < q <= 1) of sorted, by nearest rank:
// the smallest value with at least a share q of the values at or below
// it (q 0.5: the median, 0.95: p95, 1: the largest); the zero value when
// sorted is empty. The lab's latency and timing tables all use it.
func Quantile[T cmp.Ordered](sorted []T, q float64) T {
	var zero T
	if len(sorted) == 0 {
		return zero
	}
	// The rank ceil(q*n), computed so that 0.95*20 is 19, not 20.
	rank := int(math.Ceil(q*float64(len(sorted)) - 1e-9))
	return sorted[min(max(rank-1, 0), len(sorted)-1)]
}
