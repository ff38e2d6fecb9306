package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/search"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// endOf returns the last instant of the day y-m-d.
func endOf(y int, m time.Month, d int) time.Time { return day(y, m, d+1).Add(-time.Nanosecond) }

// defaults returns the request every empty query string becomes, changed by edit.
func defaults(edit func(*search.Request)) search.Request {
	r := search.Request{Sort: search.SortRelevance, Page: 1, Size: search.DefaultSize}
	if edit != nil {
		edit(&r)
	}
	return r
}

func TestParseSearchRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		want  search.Request
	}{
		{"empty", "", defaults(nil)},
		{"query trimmed", "q=+digital+skills+", defaults(func(r *search.Request) { r.Query = "digital skills" })},
		{"query syntax kept", "q=%22key+messages%22+%2Bteachers+-coding+type%3Aminutes",
			defaults(func(r *search.Request) { r.Query = `"key messages" +teachers -coding type:minutes` })},
		{"repeated theme", "theme=coding&theme=teacher-training",
			defaults(func(r *search.Request) { r.Themes = []string{"coding", "teacher-training"} })},
		{"comma theme", "theme=coding,assessment&theme=teacher-training",
			defaults(func(r *search.Request) { r.Themes = []string{"coding", "assessment", "teacher-training"} })},
		{"empty pieces and duplicates dropped", "theme=coding,,+coding+,&theme=",
			defaults(func(r *search.Request) { r.Themes = []string{"coding"} })},
		{"type and kind lower-cased", "type=Minutes,report&kind=PEER-LEARNING",
			defaults(func(r *search.Request) {
				r.Types = []string{"minutes", "report"}
				r.Kinds = []string{"peer-learning"}
			})},
		{"years, places, langs", "year=2016,2017&place=Tallinn&place=Brussels&lang=EN,fr",
			defaults(func(r *search.Request) {
				r.Years = []string{"2016", "2017"}
				r.Places = []string{"Tallinn", "Brussels"}
				r.Langs = []string{"en", "fr"}
			})},
		{"year period", "from=2017&to=2017",
			defaults(func(r *search.Request) { r.From, r.To = day(2017, 1, 1), endOf(2017, 12, 31) })},
		{"month period", "from=2017-02&to=2017-02",
			defaults(func(r *search.Request) { r.From, r.To = day(2017, 2, 1), endOf(2017, 2, 28) })},
		{"leap month", "to=2016-02", defaults(func(r *search.Request) { r.To = endOf(2016, 2, 29) })},
		{"one day", "from=2017-03-14&to=2017-03-14",
			defaults(func(r *search.Request) { r.From, r.To = day(2017, 3, 14), endOf(2017, 3, 14) })},
		{"open range", "from=2018-06", defaults(func(r *search.Request) { r.From = day(2018, 6, 1) })},
		{"sort newest", "sort=newest", defaults(func(r *search.Request) { r.Sort = search.SortNewest })},
		{"sort case", "sort=OLDEST", defaults(func(r *search.Request) { r.Sort = search.SortOldest })},
		{"page and size bounds", fmt.Sprintf("page=%d&size=%d", search.MaxPage, search.MaxSize),
			defaults(func(r *search.Request) { r.Page, r.Size = search.MaxPage, search.MaxSize })},
		{"smallest page and size", "page=1&size=1", defaults(func(r *search.Request) { r.Size = 1 })},
		{"unknown parameters ignored", "utm_source=x&_=123", defaults(nil)},
		{"year by theme", "facets=year_theme", defaults(func(r *search.Request) { r.YearTheme = true })},
		{"year by theme, any case, repeated", "facets=Year_Theme&facets=year_theme,", defaults(func(r *search.Request) { r.YearTheme = true })},
		{"pasted line breaks and tabs kept", "q=1)+bile+duct%0D%0A2)%09giant+cell",
			defaults(func(r *search.Request) { r.Query = "1) bile duct\r\n2)\tgiant cell" })},
		{"unbalanced parenthesis kept", "q=sorting+(networks",
			defaults(func(r *search.Request) { r.Query = "sorting (networks" })},
		{"longest query", "q=" + strings.Repeat("a", search.MaxQueryBytes),
			defaults(func(r *search.Request) { r.Query = strings.Repeat("a", search.MaxQueryBytes) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSearchRequest(tt.query)
			if err != nil {
				t.Fatalf("parseSearchRequest(%q): %v", tt.query, err)
			}
			if d := diff(tt.want, got); d != "" {
				t.Errorf("parseSearchRequest(%q) %s", tt.query, d)
			}
		})
	}
}

func TestParseSearchRequestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		param string // must be named in the message
	}{
		{"page zero", "page=0", "page"},
		{"page negative", "page=-1", "page"},
		{"page too big", fmt.Sprintf("page=%d", search.MaxPage+1), "page"},
		{"page not a number", "page=two", "page"},
		{"page repeated", "page=1&page=2", "page"},
		{"size zero", "size=0", "size"},
		{"size too big", fmt.Sprintf("size=%d", search.MaxSize+1), "size"},
		{"size fraction", "size=1.5", "size"},
		{"sort unknown", "sort=best", "sort"},
		{"year two digits", "year=17", "year"},
		{"year word", "year=2017,last", "year"},
		{"type unknown", "type=memo", "type"},
		{"kind unknown", "kind=annual", "kind"},
		{"lang bad", "lang=english!", "lang"},
		{"from month 13", "from=2017-13", "from"},
		{"from no such day", "from=2017-02-30", "from"},
		{"from short year", "from=17", "from"},
		{"to slashes", "to=2017/03/01", "to"},
		{"to with time", "to=2017-03-01T10:00", "to"},
		{"from after to", "from=2018&to=2017", "from"},
		{"q repeated", "q=a&q=b", "q"},
		{"q too long", "q=" + strings.Repeat("a", search.MaxQueryBytes+1), "q"},
		{"q invalid utf-8", "q=%ff", "q"},
		{"q control character", "q=a%00b", "q"},
		{"theme control character", "theme=a%0Ab", "theme"},
		{"theme too long", "theme=" + strings.Repeat("x", search.MaxFilterRunes+1), "theme"},
		{"too many places", "place=" + manyValues(search.MaxFilterValues+1), "place"},
		{"facets unknown", "facets=year_theme,dates", "facets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSearchRequest(tt.query)
			if err == nil {
				t.Fatalf("parseSearchRequest(%q) = nil error, want one naming %q", tt.query, tt.param)
			}
			var se *search.Error
			if !errors.As(err, &se) || se.Kind != search.KindInvalid {
				t.Fatalf("parseSearchRequest(%q) error = %#v, want a *search.Error of KindInvalid", tt.query, err)
			}
			if want := fmt.Sprintf("%q", tt.param); !strings.Contains(se.Message, want) {
				t.Errorf("message %q does not name parameter %s", se.Message, want)
			}
		})
	}
}

func manyValues(n int) string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprintf("place%d", i)
	}
	return strings.Join(v, ",")
}

func TestParseSearchRequestMalformed(t *testing.T) {
	t.Parallel()
	_, err := parseSearchRequest("q=%zz")
	if search.KindOf(err) != search.KindInvalid {
		t.Fatalf("parseSearchRequest(%q) error = %v, want KindInvalid", "q=%zz", err)
	}
	if !strings.Contains(err.Error(), "malformed query string") {
		t.Errorf("message %q does not say the query string is malformed", err)
	}
}

// TestSearchParamsOverHTTP checks that the handler passes the parsed
// request to the backend, and that a bad parameter is answered 400 with a
// JSON error naming it, without calling the backend.
func TestSearchParamsOverHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		target string
		want   *search.Request // nil: the request must be rejected
		param  string
	}{
		{
			name:   "all parameters",
			target: "/api/v1/search?q=coding&theme=a,b&theme=c&type=minutes&year=2017&place=Tallinn&kind=plenary&lang=en&from=2017-03&to=2018&sort=newest&page=2&size=20",
			want: &search.Request{
				Query: "coding", Themes: []string{"a", "b", "c"}, Types: []string{"minutes"},
				Years: []string{"2017"}, Places: []string{"Tallinn"}, Kinds: []string{"plenary"},
				Langs: []string{"en"}, From: day(2017, 3, 1), To: endOf(2018, 12, 31),
				Sort: search.SortNewest, Page: 2, Size: 20,
			},
		},
		{name: "defaults", target: "/api/v1/search", want: &search.Request{Sort: "relevance", Page: 1, Size: 10}},
		{name: "bad size", target: "/api/v1/search?q=x&size=500", param: "size"},
		{name: "bad date", target: "/api/v1/search?from=yesterday", param: "from"},
		{name: "bad type", target: "/api/v1/search?type=minutes,memo", param: "type"},
		{name: "year by theme", target: "/api/v1/search?q=x&facets=year_theme",
			want: &search.Request{Query: "x", Sort: "relevance", Page: 1, Size: 10, YearTheme: true}},
		{name: "bad facets", target: "/api/v1/search?facets=month_theme", param: "facets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := &fakeBackend{}
			s, _ := newTestServer(t, fb, Options{})
			rec := do(t, s.Handler(), http.MethodGet, tt.target)
			got, calls := fb.lastRequest()
			if tt.want == nil {
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("status = %d, want 400; body %s", rec.Code, rec.Body)
				}
				e := decodeError(t, rec)
				if e.Code != "invalid_argument" {
					t.Errorf("code = %q, want invalid_argument", e.Code)
				}
				if !strings.Contains(e.Message, `"`+tt.param+`"`) {
					t.Errorf("message %q does not name %q", e.Message, tt.param)
				}
				if calls != 0 {
					t.Errorf("backend called %d times for a rejected request", calls)
				}
				return
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
			}
			if calls != 1 {
				t.Fatalf("backend called %d times, want 1", calls)
			}
			if d := diff(*tt.want, got); d != "" {
				t.Errorf("request to the backend %s", d)
			}
		})
	}
}
