package taxonomy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"/byod/*", "/byod/key-messages.pdf", true},
		{"/byod/*", "/byod/", true},
		{"/byod/*", "/docs/byod/x", false},
		{"*/byod/*", "/docs/byod/x", true},
		{"*/byod/*", "/byodx/y", false},
		{"*byod*", "/meetings/2016-07-byod-hamburg/", true},
		{"/meetings/*-pla/", "/meetings/2016-07-hamburg-pla/", true},
		{"/meetings/*-pla/", "/meetings/2016-07-hamburg-pla/agenda", false},
		{"/a?c", "/abc", true},
		{"/a?c", "/ac", false},
		{"*a*a*a*b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"**", "", true},
		{"/x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.s, func(t *testing.T) {
			if got := globMatch(tt.pattern, tt.s); got != tt.want {
				t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}

func TestURLRulesParse(t *testing.T) {
	tests := []struct{ name, rule, want string }{
		{"empty", "", `url rule 1 ("") is empty`},
		{"relative", "byod/*", "must start with / or *"},
		{"everything", "**", "matches every URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(`{"themes":[{"id":"a","label":"A","phrases":["x"],"urls":["` + tt.rule + `"]}]}`))
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

func TestTagDocReasons(t *testing.T) {
	tax, err := Parse([]byte(`{"version":"t","themes":[
		{"id":"byod","label":"BYOD","phrases":["bring your own device","personal devices"],"synonyms":["BYOD"],"weak":["Wi-Fi"],
		 "urls":["*/byod/*"]},
		{"id":"la","label":"Learning analytics","phrases":["learning analytics"],"synonyms":["LA"]},
		{"id":"oer","label":"OER","phrases":["open educational resources"],"urls":["/oer/*"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  Doc
		want map[string][]string // theme -> reasons
	}{
		{"title and repeated body phrases",
			Doc{Title: "Key messages on bring your own device", Body: "BYOD works. BYOD needs Wi-Fi. BYOD again. BYOD, BYOD."},
			map[string][]string{"byod": {`title: "bring your own device"`, `body: "BYOD" x5`, `body: "Wi-Fi"`}}},
		{"url rule alone tags",
			Doc{Title: "Agenda", Body: "Nothing to see.", URL: "https://portal.example/events/byod/agenda.html"},
			map[string][]string{"byod": {`url rule: */byod/*`}}},
		{"url rule is matched on the path only",
			Doc{Title: "Agenda", Body: "Nothing.", URL: "https://byod.example/oer/x?q=/byod/"},
			map[string][]string{"oer": {`url rule: /oer/*`}}},
		{"url rule given as a bare path",
			Doc{Title: "Agenda", Body: "Nothing.", URL: "/OER/Agenda.html"},
			map[string][]string{"oer": {`url rule: /oer/*`}}},
		{"meeting page title",
			Doc{Title: "Agenda", Body: "09:00 Welcome. 10:00 Visit.", Meeting: "Plenary on learning analytics"},
			map[string][]string{"la": {`meeting page: "learning analytics"`}}},
		{"meeting page and a url rule together",
			Doc{Title: "Minutes", Body: "The group met.", Meeting: "Peer learning on BYOD", URL: "/byod/minutes"},
			map[string][]string{"byod": {`url rule: */byod/*`, `meeting page: "BYOD"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string][]string{}
			for _, m := range tax.TagDoc(tt.doc) {
				got[m.Theme] = m.Reasons
			}
			if len(got) != len(tt.want) {
				t.Errorf("TagDoc() themes (-want +got):\n-%q\n+%q", tt.want, got)
			}
			for id, want := range tt.want {
				if !slices.Equal(want, got[id]) {
					t.Errorf("theme %s reasons (-want +got):\n-%q\n+%q", id, want, got[id])
				}
			}
		})
	}
}

func TestTagDocURLRuleSurvivesCut(t *testing.T) {
	// A theme given by a URL rule is kept even when the text's best theme
	// scores far higher and five other themes are already found.
	tax := Default()
	body := strings.Repeat("Bring your own device. BYOD. Personal devices. ", 20)
	rules, err := Parse([]byte(`{"themes":[{"id":"byod","label":"B","phrases":["bring your own device"]},
		{"id":"oer","label":"O","phrases":["open educational resources"],"urls":["/oer/*"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := themeIDs(rules.TagDoc(Doc{Body: body, URL: "/oer/x"})); !slices.Equal(got, []string{"byod", "oer"}) {
		t.Errorf("TagDoc() = %q, want [byod oer]", got)
	}
	if got := themeIDs(tax.TagDoc(Doc{Body: body})); !slices.Equal(got, []string{"byod"}) {
		t.Errorf("TagDoc() without rules = %q, want [byod]", got)
	}
}

func TestReadSamples(t *testing.T) {
	good := "# comment\n\n=== a\ntitle: T\nthemes: byod, oer\nstyle: minutes\nnote: n\n\nBody line 1.\n\nBody line 2.\n=== b\ntitle: U\nthemes:\nmeeting: M\nurl: /x\n\nText.\n"
	s, err := ReadSamples(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 2 {
		t.Fatalf("got %d samples, want 2", len(s))
	}
	if s[0].ID != "a" || s[0].Title != "T" || !slices.Equal(s[0].Themes, []string{"byod", "oer"}) ||
		s[0].Body != "Body line 1.\n\nBody line 2." || s[0].Style != "minutes" || s[0].Note != "n" {
		t.Errorf("sample a = %+v", s[0])
	}
	if s[1].Themes != nil || s[1].Meeting != "M" || s[1].URL != "/x" || s[1].Body != "Text." {
		t.Errorf("sample b = %+v", s[1])
	}
	bad := []struct{ name, in, want string }{
		{"empty", "", "no samples"},
		{"text before first record", "hello\n=== a\n\nx\n", "before the first"},
		{"duplicate id", "=== a\n\nx\n=== a\n\ny\n", `"a" repeated`},
		{"unknown key", "=== a\ntopic: x\n\nx\n", `unknown header key "topic"`},
		{"not key value", "=== a\nno colon here\n\nx\n", "not \"key: value\""},
		{"empty id", "=== \n\nx\n", "empty sample id"},
		{"empty sample", "=== a\nthemes: oer\n\n\n", "neither title nor body"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSamples(strings.NewReader(tt.in))
			if err == nil || !errors.Is(err, ErrBadSamples) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadSamples() error = %v, want ErrBadSamples containing %q", err, tt.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	tax, err := Parse([]byte(`{"themes":[{"id":"a","label":"A","phrases":["alpha"]},{"id":"b","label":"B","phrases":["beta"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	samples := []Sample{
		{ID: "1", Body: "alpha", Themes: []string{"a"}},       // a: TP
		{ID: "2", Body: "alpha beta", Themes: []string{"a"}},  // a: TP, b: FP
		{ID: "3", Body: "nothing", Themes: []string{"b"}},     // b: FN
		{ID: "4", Body: "beta", Themes: []string{"b"}},        // b: TP
		{ID: "5", Body: "nothing at all", Themes: []string{}}, // nothing
		{ID: "6", Body: "alpha", Themes: []string{"a", "b"}},  // a: TP, b: FN
	}
	ev, err := tax.Evaluate(samples)
	if err != nil {
		t.Fatal(err)
	}
	want := []Score{
		{Theme: "a", Support: 3, TP: 3, Precision: 1, Recall: 1, F1: 1},
		{Theme: "b", Support: 3, TP: 1, FP: 1, FN: 2, Precision: 0.5, Recall: 1.0 / 3, F1: 0.4},
	}
	for i, w := range want {
		if g := ev.Themes[i]; g != w {
			t.Errorf("theme %s score (-want +got):\n-%+v\n+%+v", w.Theme, w, g)
		}
	}
	micro := Score{Support: 6, TP: 4, FP: 1, FN: 2, Precision: 0.8, Recall: 4.0 / 6, F1: 8.0 / 11}
	if ev.Micro != micro {
		t.Errorf("micro (-want +got):\n-%+v\n+%+v", micro, ev.Micro)
	}
	if len(ev.Misses) != 3 {
		t.Errorf("got %d misses, want 3 (samples 2, 3, 6): %+v", len(ev.Misses), ev.Misses)
	}
	var b strings.Builder
	if err := ev.WriteTable(&b); err != nil || !strings.Contains(b.String(), "micro-average") {
		t.Errorf("WriteTable() = %v:\n%s", err, b.String())
	}
	if _, err := tax.Evaluate([]Sample{{ID: "x", Body: "y", Themes: []string{"nope"}}}); err == nil {
		t.Error("Evaluate() with an unknown theme: want an error")
	}
}
