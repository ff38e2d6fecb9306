package langtag

import "testing"

func TestPrimary(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fr", "fr"}, {"fr-FR", "fr"}, {"DE_at", "de"}, {" en ", "en"}, {"de, en", "de"},
		{"", ""}, {"x", ""}, {"french", ""}, {"f1", ""}, {"ast", "ast"},
		{"EN-gb", "en"}, {"zh-Hant-TW", "zh"}, {"fra", "fr"}, {"deu", "de"}, {"nld", "nl"},
		{"iw", "he"}, {"en;q=0.8", "en"}, {"und", ""}, {"x-klingon", ""}, {"de-1996", "de"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Primary(tt.in); got != tt.want {
				t.Errorf("Primary(%q) (-want +got): -%q +%q", tt.in, tt.want, got)
			}
		})
	}
}

func FuzzPrimary(f *testing.F) {
	for _, s := range []string{"fr-FR", "DE_at", "de, en", "x-klingon", "zh-Hant-TW"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Primary(s)
		if got != "" && Primary(got) != got {
			t.Errorf("Primary(%q) = %q, and Primary of that is %q", s, got, Primary(got))
		}
	})
}
