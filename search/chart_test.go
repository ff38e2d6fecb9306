package search

import (
	"context"
	"reflect"
	"testing"
)

// TestYearTheme: the chart's counts are worked out by hand from testDocs;
// the year and date filters leave every year in, the other filters apply,
// and the chart is absent unless asked for.
func TestYearTheme(t *testing.T) {
	t.Parallel()
	s := newTestSearcher(t)
	ctx := context.Background()
	f := func(v string, n int) Facet { return Facet{Value: v, Label: s.Label("theme", v), Count: n} }
	all := []YearThemes{
		{Year: "2016", Count: 3, Themes: []Facet{f("byod", 2), f("learning-analytics", 1), f("mobile-learning", 1), f("policy", 1)}},
		{Year: "2017", Count: 1, Themes: []Facet{f("digital-assessment", 1), f("learning-analytics", 1)}},
		{Year: "2018", Count: 1, Themes: []Facet{f("digital-content", 1), f("oer", 1)}},
	}
	tests := []struct {
		name string
		req  Request
		want []YearThemes
	}{
		{"everything", Request{YearTheme: true}, all},
		{"everything, second time (cached facets)", Request{YearTheme: true}, all},
		{"year and dates do not narrow it", Request{YearTheme: true, Years: []string{"2017"}, From: date("2017-01-01"), To: date("2017-12-31")}, all},
		{"a query", Request{YearTheme: true, Query: `"learning analytics"`}, []YearThemes{
			{Year: "2016", Count: 1, Themes: []Facet{f("learning-analytics", 1), f("policy", 1)}},
			{Year: "2017", Count: 1, Themes: []Facet{f("digital-assessment", 1), f("learning-analytics", 1)}},
		}},
		{"a theme filter applies", Request{YearTheme: true, Themes: []string{"byod"}}, []YearThemes{
			{Year: "2016", Count: 2, Themes: []Facet{f("byod", 2), f("mobile-learning", 1)}},
		}},
		{"a type filter applies", Request{YearTheme: true, Types: []string{"report"}, Sort: SortNewest}, []YearThemes{
			{Year: "2018", Count: 1, Themes: []Facet{f("digital-content", 1), f("oer", 1)}},
		}},
		{"not asked", Request{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Search(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.YearTheme, tc.want) {
				t.Errorf("year_theme\n got %+v\nwant %+v", res.YearTheme, tc.want)
			}
		})
	}
}
