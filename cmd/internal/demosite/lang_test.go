package demosite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/search"
)

// TestLangDemo checks the multilingual demo documents: a French or German
// query finds its document first, the lang filter keeps to one language and
// the lang facet counts every language.
func TestLangDemo(t *testing.T) {
	s := demoSearcher(t)
	tests := []struct {
		name, query string
		langs       []string
		wantFirst   string // URL suffix of the first hit
		wantAllLang string // every hit's URL has this "_xx." suffix; "" for no check
	}{
		{"french oer", "ressources éducatives libres", nil, "/2018-03-paris-pla-report_fr.html", ""},
		{"french filter", "ressources", []string{"fr"}, "_fr.html", "_fr."},
		{"german filter", "Lehrkräfte", []string{"de"}, "_de.html", "_de."},
		{"english query, english first", "open educational resources", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Search(context.Background(), search.Request{Query: tt.query, Langs: tt.langs})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Hits) == 0 {
				t.Fatalf("Search(%q, lang=%v): no hits", tt.query, tt.langs)
			}
			if tt.wantFirst != "" && !strings.HasSuffix(r.Hits[0].URL, tt.wantFirst) {
				t.Errorf("first hit (-want +got):\n- ...%s\n+ %s", tt.wantFirst, r.Hits[0].URL)
			}
			if tt.wantFirst == "" && (strings.Contains(r.Hits[0].URL, "_fr.") || strings.Contains(r.Hits[0].URL, "_de.")) {
				t.Errorf("first hit of an English query is %s, want an English document", r.Hits[0].URL)
			}
			for _, h := range r.Hits {
				if tt.wantAllLang != "" && !strings.Contains(h.URL, tt.wantAllLang) {
					t.Errorf("hit %s is not in the filtered language %v", h.URL, tt.langs)
				}
			}
			if len(tt.langs) > 0 && len(r.Facets["lang"]) < 1 {
				t.Errorf("lang facet empty under a lang filter")
			}
		})
	}
}
