package search

import (
	"cmp"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kbsearch/kbsearch/indexer"
)

// YearThemes is one year of Result.YearTheme: the documents of that year
// matching the query and every filter but the year and the date range,
// and how many of them carry each theme. A document of several themes
// counts in each, so the themes' counts may add up to more than Count;
// NoTheme counts those that carry none.
type YearThemes struct {
	Year    string  `json:"year"`
	Count   int     `json:"count"`
	NoTheme int     `json:"no_theme"`
	Themes  []Facet `json:"themes"`
}

// yearTheme counts, in one pass over matches, the documents that pass every
// filter except the year and the date range, by year and by theme, for a
// chart of the documents over time whose years are also the date control:
// it shows the years outside the chosen range too. Undated documents are
// left out. The years come in increasing order, each year's themes by
// decreasing count.
func (e *run) yearTheme(matches *roaring.Bitmap, filters []filter) ([]YearThemes, error) {
	keep := make([]filter, 0, len(filters))
	for _, f := range filters {
		if f.col != nil && f.facet != indexer.FacetYear {
			keep = append(keep, f)
		}
	}
	years := e.r.Column(indexer.FacetYear)
	themes := e.r.Column(indexer.FacetTheme)
	nt := len(themes.Values) + 1
	perYear := make([]int, len(years.Values)+1)
	none := make([]int, len(years.Values)+1)
	counts := make([]int, (len(years.Values)+1)*nt) // [year ordinal][theme ordinal]
	err := e.eachMatch(matches, func(docs []uint32) {
	next:
		for _, d := range docs {
			for i := range keep {
				if !keep[i].pass(e.r, d) {
					continue next
				}
			}
			ys := years.Of(d)
			if len(ys) == 0 {
				continue
			}
			y := int(ys[0])
			perYear[y]++
			ts := themes.Of(d)
			if len(ts) == 0 {
				none[y]++
			}
			for _, t := range ts {
				counts[y*nt+int(t)]++
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := []YearThemes{}
	for y := 1; y < len(perYear); y++ {
		if perYear[y] == 0 {
			continue
		}
		yt := YearThemes{Year: years.Values[y-1], Count: perYear[y], NoTheme: none[y], Themes: []Facet{}}
		for t := 1; t < nt; t++ {
			if c := counts[y*nt+t]; c > 0 {
				v := themes.Values[t-1]
				yt.Themes = append(yt.Themes, Facet{Value: v, Label: e.s.Label(indexer.FacetTheme, v), Count: c})
			}
		}
		slices.SortStableFunc(yt.Themes, func(a, b Facet) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return cmp.Compare(a.Value, b.Value)
		})
		out = append(out, yt)
	}
	slices.SortFunc(out, func(a, b YearThemes) int { return cmp.Compare(a.Year, b.Year) })
	return out, nil
}
