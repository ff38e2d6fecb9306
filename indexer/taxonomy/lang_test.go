package taxonomy

import (
	"slices"
	"testing"
)

// TestTagDocLang checks that a theme's phrases in one language count only in
// documents of that language, and its common phrases in every document.
func TestTagDocLang(t *testing.T) {
	tax := Default()
	tests := []struct {
		name string
		doc  Doc
		want string // theme that must be found; "" for none of oer/coding/byod
	}{
		{"french oer", Doc{Title: "Les ressources éducatives libres à l'école", Body: "Publier des ressources éducatives libres sous licence libre.", Lang: "fr"}, "oer"},
		{"french oer, regional tag", Doc{Title: "Les ressources éducatives libres", Lang: "fr-BE"}, "oer"},
		{"french phrase in an english document", Doc{Title: "Les ressources éducatives libres", Lang: "en"}, ""},
		{"french coding", Doc{Title: "La pensée informatique au collège", Lang: "fr"}, "coding"},
		{"german oer", Doc{Title: "Offene Bildungsressourcen in der Schule", Lang: "de"}, "oer"},
		{"german byod", Doc{Title: "Eigene Geräte im Unterricht", Lang: "de"}, "byod"},
		{"english phrase in a french document", Doc{Title: "Open educational resources", Lang: "fr"}, "oer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range tax.TagDoc(tt.doc) {
				got = append(got, m.Theme)
			}
			if tt.want == "" {
				for _, th := range []string{"oer", "coding", "byod"} {
					if slices.Contains(got, th) {
						t.Errorf("TagDoc themes = %v, want no %q", got, th)
					}
				}
				return
			}
			if !slices.Contains(got, tt.want) {
				t.Errorf("TagDoc themes (-want +got): -%q +%v", tt.want, got)
			}
		})
	}
}

func TestLabelIn(t *testing.T) {
	tax := Default()
	tests := []struct{ id, lang, want string }{
		{"oer", "fr", "Ressources éducatives libres"},
		{"oer", "de", "Offene Bildungsressourcen"},
		{"oer", "it", "Open educational resources"},
		{"nope", "fr", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"-"+tt.lang, func(t *testing.T) {
			if got := tax.LabelIn(tt.id, tt.lang); got != tt.want {
				t.Errorf("LabelIn (-want +got): -%q +%q", tt.want, got)
			}
		})
	}
}
