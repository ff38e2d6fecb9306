package search

import (
	"math"
	"strings"
	"time"
)

// The instants a date filter can hold: those of time.Time.UnixNano, from
// 1677-09-21 to 2262-04-11. A bound outside is clamped to them, so that
// to=9999 is no upper bound for any dated document, from=0000 or
// from=1000 no lower bound, and a range wholly outside (from=2300,
// to=1000) matches nothing. Before, such a bound overflowed and matched
// the wrong documents.
var (
	minBound = time.Unix(0, math.MinInt64+1)
	maxBound = time.Unix(0, math.MaxInt64)
)

// boundNanos is t in Unix nanoseconds, clamped to [minBound, maxBound].
func boundNanos(t time.Time) int64 {
	switch {
	case t.Before(minBound):
		return minBound.UnixNano()
	case t.After(maxBound):
		return maxBound.UnixNano()
	}
	return t.UnixNano()
}

// ParseDateBound parses a date filter bound given as YYYY, YYYY-MM or
// YYYY-MM-DD. A lower bound is the first day of the period, an upper bound
// (end true) its last day. An empty string is the zero time (no bound).
// Any year from 0000 to 9999 is accepted; a filter clamps the bounds to
// the range it can hold (see boundNanos).
func ParseDateBound(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []struct {
		f    string
		next func(time.Time) time.Time
	}{
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		t, err := time.Parse(layout.f, s)
		if err != nil {
			continue
		}
		if end {
			t = layout.next(t).Add(-time.Nanosecond)
		}
		return t, nil
	}
	return time.Time{}, Errorf(KindInvalid, "%q is not a date: use YYYY, YYYY-MM or YYYY-MM-DD", s)
}
