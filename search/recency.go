package search

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kbsearch/kbsearch/indexer"
)

// The recency boost. Of two documents equally relevant to a query, a
// working group's newer policy text is usually the one wanted, so a
// relevance order may lift dated documents by their age: a score is
// multiplied by 1 + 2^(-age/half-life), 2 for the newest document, 1.5 at
// one half-life, towards 1 for the oldest. A document without a date is
// left as it is (no boost: as if it were very old), since most undated
// documents of a portal are its navigation pages. The age is counted from
// the newest document of the index generation, not from the clock, so a
// search answers the same on every day of a generation's life (a cursor's
// scores stay valid) and an archive that stopped growing is not flattened.
// The factor is at most 2, so a document needs about twice the score of a
// much newer one to stay ahead of it: recency orders near-ties and does not
// bury the relevant old document.

// Bounds on a recency half-life.
const (
	MinRecency = 24 * time.Hour
	MaxRecency = 100 * year
)

const year = time.Duration(365.2425 * 24 * float64(time.Hour))

// ParseRecency parses a recency half-life: a positive number of days,
// weeks or years ("90d", "6w", "5y", "2.5y"), or "off" or "0" for none
// (returned as -1, which turns a server's default off).
func ParseRecency(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "off" || s == "0" || s == "none" {
		return -1, nil
	}
	units := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': year}
	if len(s) < 2 || units[s[len(s)-1]] == 0 {
		return 0, Errorf(KindInvalid, "recency %q: want a half-life such as 90d, 6w or 5y (days, weeks, years), or off", s)
	}
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if err != nil || !(n > 0) || math.IsInf(n, 0) {
		return 0, Errorf(KindInvalid, "recency %q: want a positive number before the unit, such as 5y", s)
	}
	d := n * float64(units[s[len(s)-1]])
	if d < float64(MinRecency) || d > float64(MaxRecency) {
		return 0, Errorf(KindInvalid, "recency %q: a half-life must be between 1d and 100y", s)
	}
	return time.Duration(d), nil
}

// FormatRecency writes a half-life as ParseRecency reads it ("" for none).
func FormatRecency(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d%year == 0:
		return strconv.FormatInt(int64(d/year), 10) + "y"
	}
	return strconv.FormatFloat(float64(d)/float64(24*time.Hour), 'f', -1, 64) + "d"
}

// recencyFactor is the boost of a document dated date (UnixNano) in an
// index whose newest document is dated newest.
func recencyFactor(date, newest int64, halfLife time.Duration) float64 {
	if halfLife <= 0 || date == indexer.NoDate || newest == indexer.NoDate {
		return 1
	}
	return 1 + math.Exp2(-float64(max(newest-date, 0))/float64(halfLife))
}

// recencyBoost multiplies the scores of the matches by their recency
// factor. With no half-life it does nothing at all: the scores stay those
// of the ranking without it, to the bit.
func (e *run) recencyBoost(matches *roaring.Bitmap, halfLife time.Duration, sc *scores) error {
	newest := e.r.Newest()
	if halfLife <= 0 || newest == indexer.NoDate {
		return nil
	}
	dates, v := e.r.Dates(), sc.v
	return e.eachMatch(matches, func(docs []uint32) {
		for _, d := range docs {
			if v[d] != 0 && dates[d] != indexer.NoDate {
				v[d] *= recencyFactor(dates[d], newest, halfLife)
			}
		}
	})
}

// withoutRecency divides the scores of docs by their recency factor
// (restore false) or multiplies them by it again (restore true); nothing
// without a half-life.
func (e *run) withoutRecency(docs []uint32, halfLife time.Duration, sc *scores, restore bool) {
	newest := e.r.Newest()
	if halfLife <= 0 || newest == indexer.NoDate {
		return
	}
	dates := e.r.Dates()
	for _, d := range docs {
		if sc.v[d] == 0 || dates[d] == indexer.NoDate {
			continue
		}
		f := recencyFactor(dates[d], newest, halfLife)
		if restore {
			sc.v[d] *= f
		} else {
			sc.v[d] /= f
		}
	}
}
