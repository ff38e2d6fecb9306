package taxonomy

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	tax := Default()
	if tax == nil {
		t.Fatal("Default() = nil")
	}
	if tax != Default() {
		t.Error("Default() returned a different taxonomy on the second call")
	}
	if tax.Version == "" {
		t.Error("default taxonomy has no version")
	}
	required := []string{"oer", "coding", "learning-analytics", "byod", "teacher-training",
		"digital-assessment", "skills-gap", "leadership", "quality-assurance", "digital-content",
		"emerging-tech", "policy", "social-inclusion", "mobile-learning", "self-assessment"}
	for _, id := range required {
		th, ok := tax.Theme(id)
		if !ok {
			t.Errorf("default taxonomy lacks theme %q", id)
			continue
		}
		if th.Description == "" || len(th.Phrases) < 3 || len(th.Synonyms) == 0 {
			t.Errorf("theme %q: want a description, at least 3 phrases and a synonym; got %d phrases, %d synonyms",
				id, len(th.Phrases), len(th.Synonyms))
		}
	}
	// Re-parsing the embedded file gives the same themes.
	again, err := Parse(defaultJSON)
	if err != nil {
		t.Fatalf("Parse(default.json): %v", err)
	}
	if len(again.Themes) != len(tax.Themes) {
		t.Errorf("re-parsed %d themes, want %d", len(again.Themes), len(tax.Themes))
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string // substring of the error
	}{
		{"bad json", `{"themes": [`, "invalid taxonomy"},
		{"not an object", `[]`, "invalid taxonomy"},
		{"trailing data", `{"themes":[{"id":"a","label":"A","phrases":["x"]}]} {}`, "data after"},
		{"unknown field", `{"themes":[{"id":"a","label":"A","phrase":["x"]}]}`, `unknown field "phrase"`},
		{"no themes", `{"version":"1","themes":[]}`, "no themes"},
		{"empty id", `{"themes":[{"id":"","label":"A","phrases":["x"]}]}`, `theme 1 (""): empty id`},
		{"upper-case id", `{"themes":[{"id":"OER","label":"A","phrases":["x"]}]}`, `theme 1 ("OER"): id must be`},
		{"space in id", `{"themes":[{"id":"open edu","label":"A","phrases":["x"]}]}`, `theme 1 ("open edu"): id must be`},
		{"duplicate id", `{"themes":[{"id":"a","label":"A","phrases":["x"]},{"id":"a","label":"B","phrases":["y"]}]}`,
			`theme 2 ("a"): duplicate id (also theme 1)`},
		{"empty label", `{"themes":[{"id":"a","label":"  ","phrases":["x"]}]}`, `theme 1 ("a"): empty label`},
		{"no phrases", `{"themes":[{"id":"a","label":"A","phrases":[]}]}`, `theme 1 ("a"): no phrases`},
		{"missing phrases", `{"themes":[{"id":"a","label":"A","synonyms":["x"]}]}`, `theme 1 ("a"): no phrases`},
		{"wordless phrase", `{"themes":[{"id":"a","label":"A","phrases":["x","--"]}]}`, `theme 1 ("a"): phrase 2 ("--") has no word`},
		{"wordless weak term", `{"themes":[{"id":"a","label":"A","phrases":["x"],"weak":[""]}]}`, `weak term 1 ("") has no word`},
		{"bad label language", `{"themes":[{"id":"a","label":"A","phrases":["x"],"labels":{"French":"A"}}]}`, `label language "French"`},
		{"empty translated label", `{"themes":[{"id":"a","label":"A","phrases":["x"],"labels":{"fr":""}}]}`, `empty "fr" label`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tax, err := Parse([]byte(tt.json))
			if err == nil {
				t.Fatalf("Parse() = %+v, nil; want an error containing %q", tax, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse() error %q does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseLabels(t *testing.T) {
	tax, err := Parse([]byte(`{"version":"x","themes":[{"id":"oer","label":"Open educational resources",
		"labels":{"fr":"Ressources éducatives libres","de":"Offene Bildungsressourcen"},"phrases":["open educational resources"]}]}`))
	if err != nil {
		t.Fatalf("Parse(): %v", err)
	}
	th, _ := tax.Theme("oer")
	if got, want := th.Labels["fr"], "Ressources éducatives libres"; got != want {
		t.Errorf("fr label = %q, want %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, []byte(`{"version":"1","themes":[{"id":"a","label":"A","phrases":["alpha"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"themes":[{"id":"a","label":"A"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tax, err := Load(good)
	if err != nil {
		t.Fatalf("Load(good): %v", err)
	}
	if got := tax.Label("a"); got != "A" {
		t.Errorf("Label(a) = %q, want %q", got, "A")
	}
	if _, err := Load(bad); err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad) {
		t.Errorf("Load(bad) error = %v, want ErrInvalid naming the file", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want a not-exist error", err)
	}
}

func TestThemeAndLabel(t *testing.T) {
	tax := Default()
	tests := []struct {
		id, wantLabel string
		wantOK        bool
	}{
		{"oer", "Open educational resources", true},
		{"byod", "Bring your own device (BYOD)", true},
		{"no-such-theme", "no-such-theme", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			th, ok := tax.Theme(tt.id)
			if ok != tt.wantOK || ok && th.ID != tt.id {
				t.Errorf("Theme(%q) = %q, %v; want ok=%v", tt.id, th.ID, ok, tt.wantOK)
			}
			if got := tax.Label(tt.id); got != tt.wantLabel {
				t.Errorf("Label(%q) = %q, want %q", tt.id, got, tt.wantLabel)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	// Each pair must tokenise to the same tokens.
	tests := []struct{ a, b string }{
		{"digitalisation", "digitalization"},
		{"organisational", "organizational"},
		{"digitise", "digitize"},
		{"analyse", "analyze"},
		{"analyses", "analyze"},
		{"open licences", "open license"},
		{"programmes", "program"},
		{"labour market", "labor markets"},
		{"e-assessment", "e assessment"},
		{"bring-your-own-device", "Bring Your Own Device"},
		{"technologies", "technology"},
		{"approaches", "approach"},
		{"classes", "class"},
		{"devices", "device"},
		{"teachers' training", "teacher’s training"},
		{"MOOCs", "mooc"},
		{"ÉCOLES", "école"},
	}
	for _, tt := range tests {
		t.Run(tt.a, func(t *testing.T) {
			a, b := tokenStrings(tt.a), tokenStrings(tt.b)
			if !slices.Equal(a, b) {
				t.Errorf("tokens differ (-%q +%q):\n-%q\n+%q", tt.a, tt.b, a, b)
			}
		})
	}
	// And these must stay apart.
	apart := []struct{ a, b string }{
		{"coding", "code"},
		{"assessment", "self-assessment"},
		{"process", "proces"},
		{"analysis", "analysi"},
	}
	for _, tt := range apart {
		if slices.Equal(tokenStrings(tt.a), tokenStrings(tt.b)) {
			t.Errorf("%q and %q tokenise alike (%q), want them apart", tt.a, tt.b, tokenStrings(tt.a))
		}
	}
}

// filler is neutral prose with no theme phrase in it.
const filler = "The members met in the main hall of the conference centre and exchanged views on the " +
	"organisation of the next meetings, the timetable for the coming year and the practical arrangements " +
	"for travel and accommodation. The chair thanked the hosts for their welcome and summed up the day. "

func repeatTo(s string, words int) string {
	var b strings.Builder
	for n := 0; n < words; n += len(strings.Fields(s)) {
		b.WriteString(s)
	}
	return b.String()
}

func themeIDs(ms []Match) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Theme)
	}
	return out
}

func TestTag(t *testing.T) {
	long := repeatTo(filler, 1500)
	tests := []struct {
		name        string
		title, body string
		want        []string // theme ids, best first
	}{
		{"empty", "", "", []string{}},
		{"filler only", "", long, []string{}},
		{"byod passage", "",
			"Pupils in Hamburg may bring their own devices to class. The BYOD pilot set rules for personal devices and Wi-Fi.",
			[]string{"byod"}},
		{"hyphenated byod", "", "A bring-your-own-device scheme started in three schools.", []string{"byod"}},
		{"e assessment spelt apart", "", "Schools tried e assessment in mathematics.", []string{"digital-assessment"}},
		{"e-assessment hyphenated", "", "Schools tried e-assessment in mathematics.", []string{"digital-assessment"}},
		{"diagnostic assessment", "", "Estonia uses diagnostic assessment in basic schools.", []string{"digital-assessment"}},
		{"assessment of the work programme is not digital assessment", "",
			"The assessment of the work programme was positive and the group agreed to continue.", []string{}},
		{"repeated assessment alone is not digital assessment", "",
			"The assessment of the work programme was positive. A second assessment followed. The final assessment is due.", []string{}},
		{"self-assessment is not digital assessment", "",
			"SELFIE is a self-assessment tool. The self-assessment takes an hour; after the self-assessment schools plan next steps.",
			[]string{"self-assessment"}},
		{"American spelling of licences", "", "Resources under open licenses can be adapted.", []string{"oer"}},
		{"acronym in title", "Key messages on OER", "", []string{"oer"}},
		{"plural phrase", "", "Each pupil had a mobile device outdoors.", []string{"mobile-learning"}},
		{"device names alone are not mobile learning", "", "Pupils used smartphones and tablets outdoors.", []string{}},
		{"no phrase across a sentence break", "",
			"Criteria are set by the teacher. Training sessions run monthly.", []string{}},
		{"a phrase across a comma still matches", "", "Pupils learn anytime, anywhere.", []string{"mobile-learning"}},
		{"a decimal point is no sentence break", "", "Industry 4.0 came up.", []string{"emerging-tech"}},
		{"coding and computational thinking", "",
			"Finland added programming to the core curriculum; computational thinking starts in the first grades.",
			[]string{"coding"}},
		{"passing mention in a long text", "", long + " Learning analytics was mentioned once. " + long, []string{}},
		{"title mention in a short text", "Learning analytics", repeatTo(filler, 200), []string{"learning-analytics"}},
		{"repeated mentions in a long text", "",
			long + " Learning analytics needs learner data. Learning analytics dashboards show student data and " +
				"educational data. Learning analytics raises data protection questions. Learning analytics again. " + long,
			[]string{"learning-analytics"}},
		{"weak terms alone, repeated and varied", "",
			"The ministry set a policy. Its strategy has a second policy and a third policy.", []string{"policy"}},
		{"a single weak term", "", "The policy was agreed.", []string{}},
		{"two themes, stronger first", "",
			"Teacher training came up: initial teacher education and continuing professional development. SELFIE was shown.",
			[]string{"teacher-training", "self-assessment"}},
		{"title outweighs body", "Open educational resources",
			"Mobile learning was mentioned.", []string{"oer", "mobile-learning"}},
	}
	tax := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := themeIDs(tax.Tag(tt.title, tt.body))
			if !slices.Equal(tt.want, got) {
				t.Errorf("Tag() themes (-want +got):\n-%q\n+%q", tt.want, got)
			}
		})
	}
}

func TestTagDetails(t *testing.T) {
	tax := Default()
	ms := tax.Tag("Peer learning activity on Bring Your Own Device",
		"Schools let pupils use personal devices. BYOD needs good Wi-Fi.")
	if len(ms) == 0 || ms[0].Theme != "byod" {
		t.Fatalf("Tag() = %+v, want byod first", ms)
	}
	want := []string{"bring your own device", "personal devices", "BYOD", "Wi-Fi"}
	if !slices.Equal(want, ms[0].Phrases) {
		t.Errorf("byod phrases (-want +got):\n-%q\n+%q", want, ms[0].Phrases)
	}
	for _, m := range ms {
		if m.Score < 1 {
			t.Errorf("theme %s scored %v, want at least 1", m.Theme, m.Score)
		}
	}

	// A text naming every theme gets at most five, best first.
	var b strings.Builder
	for _, th := range tax.Themes {
		b.WriteString(th.Phrases[0] + ". ")
	}
	b.WriteString("BYOD. Bring your own device. Personal devices.")
	ms = tax.Tag("", b.String())
	if len(ms) > 5 {
		t.Errorf("Tag() returned %d themes, want at most 5", len(ms))
	}
	if len(ms) == 0 || ms[0].Theme != "byod" {
		t.Errorf("Tag() first theme = %v, want byod", themeIDs(ms))
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Score > ms[i-1].Score {
			t.Errorf("Tag() not sorted by score: %+v", ms)
		}
	}
}

func TestHandBuiltTaxonomy(t *testing.T) {
	// A Taxonomy built without Parse still tags and expands.
	tax := &Taxonomy{Themes: []Theme{{ID: "space", Label: "Space", Phrases: []string{"outer space"}, Synonyms: []string{"cosmos"}}}}
	if got := themeIDs(tax.Tag("", "Notes on outer space.")); !slices.Equal(got, []string{"space"}) {
		t.Errorf("Tag() = %q, want [space]", got)
	}
	if got, want := tax.Expand("Cosmos"), []string{"outer space"}; !slices.Equal(got, want) {
		t.Errorf("Expand() (-want +got):\n-%q\n+%q", want, got)
	}
}

func TestExpand(t *testing.T) {
	tax := Default()
	tests := []struct {
		query   string
		contain []string // must be in the result
		exclude []string // must not be
		empty   bool
	}{
		{query: "OER", contain: []string{"open educational resources", "Creative Commons"}, exclude: []string{"OER"}},
		{query: "oers", contain: []string{"open educational resources"}},
		{query: "Open Educational Resources", contain: []string{"OER"}, exclude: []string{"open educational resources"}},
		{query: "BYOD", contain: []string{"bring your own device"}},
		{query: "bring-your-own-device", contain: []string{"BYOD"}},
		{query: "learning-analytics", contain: []string{"educational data", "EDM"}, exclude: []string{"learning analytics"}},
		{query: "e assessment", contain: []string{"digital assessment", "eAssessment"}},
		{query: "AI", contain: []string{"artificial intelligence"}},
		{query: "assessment", empty: true}, // weak terms do not expand
		{query: "open educational resources in schools", empty: true},
		{query: "bananas", empty: true},
		{query: "", empty: true},
		{query: "  --  ", empty: true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := tax.Expand(tt.query)
			if tt.empty {
				if len(got) != 0 {
					t.Errorf("Expand(%q) = %q, want nothing", tt.query, got)
				}
				return
			}
			for _, w := range tt.contain {
				if !slices.Contains(got, w) {
					t.Errorf("Expand(%q) = %q, want it to contain %q", tt.query, got, w)
				}
			}
			for _, w := range tt.exclude {
				if slices.Contains(got, w) {
					t.Errorf("Expand(%q) = %q, want it without %q", tt.query, got, w)
				}
			}
		})
	}
	// The result is the caller's.
	a := tax.Expand("OER")
	a[0] = "changed"
	if b := tax.Expand("OER"); b[0] == "changed" {
		t.Error("Expand returned a shared slice")
	}
}

// benchText is about 700 words of policy prose touching several themes.
func benchText() string {
	para := "The peer learning activity in Vienna looked at mobile learning and Education 4.0. Schools let pupils " +
		"bring their own devices, and teachers used tablets and smartphones for digital assessment and quick " +
		"feedback. The ministry presented its national strategy, the role of school leaders and the training " +
		"offered to teachers in initial teacher education and continuing professional development. Participants " +
		"discussed learning analytics, data protection and the quality of digital learning resources, including " +
		"open educational resources under Creative Commons licences. "
	return repeatTo(para+filler, 700)
}

func BenchmarkTag(b *testing.B) {
	tax := Default()
	text := benchText()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		tax.Tag("Key messages of the peer learning activity on mobile learning", text)
	}
}

func BenchmarkExpand(b *testing.B) {
	tax := Default()
	b.ReportAllocs()
	for b.Loop() {
		tax.Expand("OER")
	}
}

func FuzzTag(f *testing.F) {
	f.Add("Key messages on BYOD", "Pupils bring their own devices.")
	f.Add("", "e-assessment\xff\xfe self-assessment ’s ’ ies sses")
	f.Add("ÉCOLES İstanbul", strings.Repeat("a", 200))
	f.Add("Devices for every pupil", paraphrase)
	tax := Default()
	f.Fuzz(func(t *testing.T, title, body string) {
		ms := tax.Tag(title, body)
		if len(ms) > maxThemes {
			t.Errorf("Tag() returned %d themes, want at most %d", len(ms), maxThemes)
		}
		for _, m := range ms {
			if m.Score < 1 || len(m.Phrases)+len(m.Learned) == 0 || len(m.Reasons) == 0 {
				t.Errorf("Tag() match %+v: want a score of at least 1, a phrase or a learned term, and a reason", m)
			}
		}
		tax.Expand(title)
	})
}
