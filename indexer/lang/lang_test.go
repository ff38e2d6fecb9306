package lang

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

type labelled struct {
	lang, size, text string
}

func readLabelled(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open("testdata/labelled.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("bad line %q", line)
		}
		out = append(out, labelled{parts[0], parts[1], parts[2]})
	}
	return out
}

// TestDetectLabelled runs Detect over the labelled set: every text must be
// detected as its language (the accuracy docs/languages.md reports).
func TestDetectLabelled(t *testing.T) {
	set := readLabelled(t)
	if len(set) < 28 {
		t.Fatalf("labelled set has %d texts, want at least 28", len(set))
	}
	right := map[string]int{}
	total := map[string]int{}
	for i, c := range set {
		t.Run(fmt.Sprintf("%s-%s-%d", c.lang, c.size, i), func(t *testing.T) {
			d := Detect(c.text)
			total[c.size]++
			if d.Lang == c.lang {
				right[c.size]++
				return
			}
			t.Errorf("Detect(%q) = %+v (-want %s +got %s)", c.text, d, c.lang, d.Lang)
		})
	}
	for _, size := range []string{"short", "long"} {
		t.Logf("%s texts: %d/%d right", size, right[size], total[size])
	}
}

func TestDetectEdgeCases(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", ""},
		{"numbers and punctuation", "2017 -- 42, 3.5 %", ""},
		{"one word", "education", ""},
		{"proper names only", "Hamburg Helsinki Valletta", ""},
		{"invalid utf8", "\xff\xfe le la les de des", "fr"},
		{"long run of letters", strings.Repeat("a", 500), ""},
		{"elision", "l'école et l'université de l'État", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.text).Lang; got != tt.want {
				t.Errorf("Detect(%q).Lang (-want +got): -%q +%q", tt.text, tt.want, got)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	var frLong, enLong string
	for _, c := range readLabelled(t) {
		if c.size == "long" && c.lang == "fr" {
			frLong = c.text
		}
		if c.size == "long" && c.lang == "en" {
			enLong = c.text
		}
	}
	tests := []struct {
		name, declared, text, want string
	}{
		{"declared and agreeing", "fr-FR", frLong, "fr"},
		{"declared, short text says otherwise", "en", "Le rôle de l'enseignant", "en"},
		{"declared en, long French text", "en", frLong, "fr"},
		{"nothing declared", "", frLong, "fr"},
		{"nothing declared, too little text", "", "Hamburg 2016", ""},
		{"unsupported declared kept", "hr", "Zagreb 2017", "hr"},
		{"unsupported declared, long English text", "hr", enLong, "en"},
		{"declared garbage", "??", enLong, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Resolve(tt.declared, tt.text); got != tt.want {
				t.Errorf("Resolve(%q, ...) (-want +got): -%q +%q", tt.declared, tt.want, got)
			}
		})
	}
}

func BenchmarkDetect(b *testing.B) {
	text := strings.Repeat("Le groupe de travail s'est réuni à Paris pour examiner la qualité des ressources. ", 200)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Detect(text)
	}
}
