package indexer

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// sameTokens reports how got differs from want, or "".
func sameTokens(got, want analysis.TokenStream) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d tokens, want %d:\n got %s\nwant %s", len(got), len(want), showTokens(got), showTokens(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if string(g.Term) != string(w.Term) || g.Start != w.Start || g.End != w.End || g.Position != w.Position || g.Type != w.Type {
			return fmt.Sprintf("token %d: got %q [%d:%d] pos %d type %d, want %q [%d:%d] pos %d type %d",
				i, g.Term, g.Start, g.End, g.Position, g.Type, w.Term, w.Start, w.End, w.Position, w.Type)
		}
	}
	return ""
}

func showTokens(ts analysis.TokenStream) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%q/%d ", t.Term, t.Type)
	}
	return b.String()
}

// Text where the ASCII rules bite: apostrophes, dots and colons between
// letters, separators in numbers, underscores, punctuation at either end,
// and non-ASCII beside ASCII.
var tokenizerCases = []string{
	"",
	"   ",
	"The teachers' training, in 2016: what worked?",
	"don't can't o'clock rock'n'roll 'quoted' ''",
	"e.g. i.e. U.S.A. a.b.c. .net node.js",
	"1,000 3.14 1.2.3 1,2;3 10:30 1.a a.1 1;a a;1",
	"a:b a::b :a a: a_b _a a_ _ __ _1 1_ _1_ a_1 1_a a_:b a:_b 1_,2 1,_2",
	"x1 1x 2016-2020 50% $5 #tag @user email@example.org http://example.org/a_b?c=d",
	"'a' \"a\" (a) [a] {a} <a> a/b a\\b a|b a-b a+b a=b a~b a`b a^b a*b a&b",
	"line\nbreak\r\nwindows\rmac\vvertical\fform\ttab",
	"naïve café résumé Geräte Synthèse über",
	"policy’s teachers’ “quoted” – dash — dash … ellipsis",
	"a\u0301b \u0301abc x \u00adsoft hy\u00adphen zero\u200bwidth join\u200dme",
	"中文 日本語 カタカナ ひらがな 한국어 ١٢٣ ۱۲۳",
	"emoji 😀 flags 🇫🇷🇩🇪 mixed😀word",
	"bad \xff utf8 \xc3 half a\xffb",
	"a.", ".a", "a'", "'a", "1.", ".1", "1,", ",1", "a:1", "1:a",
}

func TestTokenizerMatchesUnicode(t *testing.T) {
	t.Parallel()
	var fast fastTokenizer
	for _, s := range tokenizerCases {
		if d := sameTokens(fast.Tokenize([]byte(s)), unicodeTokenizer.Tokenize([]byte(s))); d != "" {
			t.Errorf("%q: %s", s, d)
		}
	}
	// Random text over an alphabet of the characters the rules are about.
	alphabet := []string{"a", "Z", "q", "0", "7", "_", ":", ",", ";", ".", "'", "\"", "-", "/", " ", " ", "\t", "\n", "\r",
		"é", "’", "\u0301", "\u00ad", "中", "ア", "😀", "\xff", "\v", "\f", "%", "!"}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		if d := sameTokens(fast.Tokenize([]byte(s)), unicodeTokenizer.Tokenize([]byte(s))); d != "" {
			t.Fatalf("%q: %s", s, d)
		}
	}
}

func FuzzTokenizerMatchesUnicode(f *testing.F) {
	for _, s := range tokenizerCases {
		f.Add(s)
	}
	var fast fastTokenizer
	f.Fuzz(func(t *testing.T, s string) {
		if d := sameTokens(fast.Tokenize([]byte(s)), unicodeTokenizer.Tokenize([]byte(s))); d != "" {
			t.Fatalf("%q: %s", s, d)
		}
	})
}

func BenchmarkTokenizer(b *testing.B) {
	text := []byte(strings.Repeat("The working group's key messages on teacher training, 2016-2020: "+
		"coding and computational thinking in 3.5 hours a week; e.g. learning analytics dashboards. ", 40))
	for _, bc := range []struct {
		name string
		tok  analysis.Tokenizer
	}{{"bleve", unicodeTokenizer}, {"fast", fastTokenizer{}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				bc.tok.Tokenize(text)
			}
		})
	}
}
