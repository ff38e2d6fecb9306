package search

import (
	"strings"
	"time"
)

// ParseDateBound parses a date filter bound given as YYYY, YYYY-MM or
// YYYY-MM-DD. A lower bound is the first day of the period, an upper bound
// (end true) its last day. An empty string is the zero time (no bound).
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
