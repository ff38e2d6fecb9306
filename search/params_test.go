package search

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

// TestValuesRoundTrip: ParseValues reads what Values writes as the same
// Request, for requests in the form ParseValues gives.
func TestValuesRoundTrip(t *testing.T) {
	t.Parallel()
	full := func(edit func(*Request)) Request {
		r := Request{Sort: SortRelevance, Page: 1, Size: DefaultSize}
		edit(&r)
		return r
	}
	tests := map[string]Request{
		"defaults": full(func(*Request) {}),
		"query":    full(func(r *Request) { r.Query = `"key messages" +teachers -coding type:minutes, (a|b)&c=d` }),
		"filters": full(func(r *Request) {
			r.Themes, r.Types, r.Years = []string{"oer", "coding"}, []string{"minutes"}, []string{"2016", "2017"}
			r.Places, r.Kinds, r.Langs = []string{"Tallinn", "Saint-Denis"}, []string{"peer-learning"}, []string{"en", "pt-br"}
		}),
		"dates": full(func(r *Request) {
			r.From = time.Date(2017, 2, 1, 0, 0, 0, 0, time.UTC)
			r.To = time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
		}),
		"page, size, sort":  full(func(r *Request) { r.Sort, r.Page, r.Size = SortOldest, 7, MaxSize }),
		"cursor":            full(func(r *Request) { r.Cursor, r.Size = "AQIDBAUG-_x", 1 }),
		"recency":           full(func(r *Request) { r.Recency = 90 * 24 * time.Hour }),
		"recency off":       full(func(r *Request) { r.Recency = -1 }),
		"year by theme":     full(func(r *Request) { r.YearTheme = true }),
		"newest, last page": full(func(r *Request) { r.Sort, r.Page = SortNewest, MaxPage }),
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			v := want.Values()
			got, err := ParseValues(v)
			if err != nil {
				t.Fatalf("ParseValues(%s): %v", v.Encode(), err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseValues(%s) (-want +got):\n-%+v\n+%+v", v.Encode(), want, got)
			}
		})
	}
}

func TestSuggestAndExportValuesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		q        string
		size     int
		wantSize int
	}{{"digital sk", 5, 5}, {"school ", 0, DefaultSuggest}, {"", MaxSuggest, MaxSuggest}} {
		q, size, err := ParseSuggestValues(SuggestValues(tt.q, tt.size))
		if err != nil || q != tt.q || size != tt.wantSize {
			t.Errorf("SuggestValues(%q, %d) read back as %q, %d, %v", tt.q, tt.size, q, size, err)
		}
	}
	req := Request{Query: "oer", Themes: []string{"oer"}, Sort: SortNewest, Page: 3, Size: 20, Cursor: "AAAA"}
	for _, limit := range []int{0, 1, MaxExport} {
		got, gotLimit, err := ParseExportValues(ExportValues(req, limit))
		want := Request{Query: "oer", Themes: []string{"oer"}, Sort: SortNewest, Page: 1, Size: DefaultSize}
		wantLimit := limit
		if limit == 0 {
			wantLimit = MaxExport
		}
		if err != nil || !reflect.DeepEqual(got, want) || gotLimit != wantLimit {
			t.Errorf("ExportValues(limit %d) read back as %+v, %d, %v; want %+v, %d", limit, got, gotLimit, err, want, wantLimit)
		}
	}
	if _, _, err := ParseExportValues(url.Values{"limit": {"0"}}); KindOf(err) != KindInvalid {
		t.Errorf("limit=0: %v, want KindInvalid", err)
	}
}
