package query

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// parsePlain parses s as package search does: a query that is not syntax
// is parsed as its plain words, and the *SyntaxError says why.
func parsePlain(s string) (*Group, *SyntaxError, error) {
	q, err := Parse(s)
	var se *SyntaxError
	if errors.As(err, &se) {
		q, err = Parse(PlainWords(s))
	}
	return q, se, err
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"whitespace", " \t\n ", ""},
		{"punctuation only", "?! ... ++ --", ""},
		{"words", "byod tablets", "byod tablets"},
		{"punctuation in words", "C++ in schools?", "C in schools"},
		{"hyphen and version", "e-learning 4.0", "e-learning 4.0"},
		{"apostrophe kept", "what's BYOD", "what's BYOD"},
		{"typographic apostrophe", "teacher’s skills", "teacher’s skills"},
		{"trailing apostrophe dropped", "teachers' skills", "teachers skills"},
		{"semicolon and bang", "co-operation; teachers!", "co-operation teachers"},
		{"digits with comma", "1,000 pupils, schools", "1,000 pupils schools"},
		{"unicode letters and marks", "Bildungsqualität naïve 数字", "Bildungsqualität naïve 数字"},
		{"phrase", `"digital skills" teachers`, `"digital skills" teachers`},
		{"phrase normalised", `"  digital,   skills! "`, `"digital skills"`},
		{"typographic quotes", "“digital skills”", `"digital skills"`},
		{"unclosed quote", `teachers "digital skills`, `teachers "digital skills"`},
		{"empty phrase ignored", `"" byod ""`, "byod"},
		{"quote swallows parens", `"(a" b ")`, `"a" b`},
		{"must and must not", "+byod -tablets", "+byod -tablets"},
		{"must phrase", `+"digital skills"`, `+"digital skills"`},
		{"not", "byod NOT tablets", "byod -tablets"},
		{"not phrase", `NOT "peer learning"`, `-"peer learning"`},
		{"lower-case not is a word", "not tablets", "not tablets"},
		{"dangling not ignored", "tablets NOT", "tablets"},
		{"lone operators ignored", "AND OR NOT", ""},
		{"operator word in punctuation ignored", "a AND! b", "a b"},
		{"prefixed operator is a word", "+AND", "+AND"},
		{"sign without clause is punctuation", "- byod + tablets", "byod tablets"},
		{"last sign wins", "+-byod", "-byod"},
		{"hyphen inside is not a prefix", "co-operation", "co-operation"},
		{"and", "byod AND tablets", "+byod +tablets"},
		{"and chain", "a AND b AND c d", "+a +b +c d"},
		{"and not", "a AND NOT b", "+a -b"},
		{"and keeps must not", "-a AND b", "-a +b"},
		{"or is default", "a OR b", "a b"},
		{"leading and ignored", "AND a", "a"},
		{"trailing and ignored", "a AND", "a"},
		{"and before close ignored", "(a AND) b", "(a) b"},
		{"group", "(byod OR tablets) +teachers", "(byod tablets) +teachers"},
		{"must group", "+(byod tablets)", "+(byod tablets)"},
		{"not group", "NOT (kind:plenary)", "-(kind:plenary)"},
		{"minus group", "-(a b) c", "-(a b) c"},
		{"and group", "a AND (b c)", "+a +(b c)"},
		{"nested groups", "((a) (b c))", "((a) (b c))"},
		{"empty parens ignored", "() a (())", "a"},
		{"not before empty parens", "NOT () a", "a"},
		{"title field", "title:byod", "title:byod"},
		{"body phrase", `body:"digital skills"`, `body:"digital skills"`},
		{"field name case", "Title:BYOD", "title:BYOD"},
		{"text field value split", "title:C++x", "title:C title:x"},
		{"text field unclosed phrase", `title:"digital skills`, `title:"digital skills"`},
		{"theme", "theme:Digital-Skills", "themes:digital-skills"},
		{"keyword fields", "type:Minutes year:2017 kind:peer-learning lang:EN country:be",
			"type:minutes year:2017 kind:peer-learning lang:en country:be"},
		{"quoted keyword", `place:"Brussels"`, "place:brussels"},
		{"quoted keyword with space", `place:"  New   York "`, `place:"new york"`},
		{"keyword trailing punctuation", "place:Brussels, agenda", "place:brussels agenda"},
		{"keyword with prefix", "+year:2018 -kind:plenary", "+year:2018 -kind:plenary"},
		{"unknown field is text", "foo:bar", "foo bar"},
		{"url is text", "http://x.org/a", "http x.org a"},
		{"time is text", "10:30", "10 30"},
		{"empty field value is text", "title: byod", "title byod"},
		{"empty quoted value is text", `place:"" byod`, "place byod"},
		{"punctuation-only value is text", "type:!!", "type"},
		{"field then group is text", "title:(a b)", "title (a b)"},
		{"phrase after word", `a"b c"`, `a "b c"`},
		{"invalid utf-8", "a\xffb \xfe", "a b"},
		// A repeated clause is kept once with its count, and printed as
		// often as it was typed (TestParseRepeats).
		{"repeated word kept once", "a b a a", "a a a b"},
		{"repeated phrase kept once", `"a b" c "a  b" "a b"`, `"a b" "a b" "a b" c`},
		{"repeated term kept once", "year:2017 year:2017 Year:2017", "year:2017 year:2017 year:2017"},
		{"repeated in a group kept once", "(a a) a", "(a a) a"},
		{"and of the same word", "a AND a", "+a +a"},
		{"and makes a repeat", "+a a AND b", "+a +a +b"},
		{"other prefix is another clause", "a +a -a", "a +a -a"},
		{"other field is another clause", `a title:a "a b" body:"a b"`, `a title:a "a b" body:"a b"`},
		{"groups are not merged", "(a b) (a b)", "(a b) (a b)"},
		{"deepest groups", strings.Repeat("(", MaxDepth) + "a" + strings.Repeat(")", MaxDepth),
			strings.Repeat("(", MaxDepth) + "a" + strings.Repeat(")", MaxDepth)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := n.String(); got != tt.want {
				t.Errorf("Parse(%q) (-want +got):\n-%s\n+%s", tt.in, tt.want, got)
			}
		})
	}
}

// TestParseFreeText: text a user pastes or types in good faith is a query.
// What is syntax stays syntax (a dangling operator or sign, an empty field
// or a lone quote is tolerated, silently); parentheses that do not pair up
// or nest too deep are a *SyntaxError naming the first problem, and the
// query's plain words parse.
func TestParseFreeText(t *testing.T) {
	var phrases string // more than MaxPhrases
	for i := range MaxPhrases + 1 {
		phrases += fmt.Sprintf(`"p%d q%d" `, i, i)
	}
	tests := []struct {
		name, in, want string
		syntax         string // a part of the *SyntaxError; "" for none
	}{
		{"dangling and", "coding AND", "coding", ""},
		{"dangling or", "coding OR", "coding", ""},
		{"dangling not", "NOT", "", ""},
		{"leading and", "AND coding", "coding", ""},
		{"lone minus", "-", "", ""},
		{"lone plus", "+", "", ""},
		{"trailing minus", "coding -", "coding", ""},
		{"empty field", "title:", "title", ""},
		{"empty field then word", "coding title:", "coding title", ""},
		{"lone quote", `"`, "", ""},
		{"quote at the end", `coding "`, "coding", ""},
		{"lone open", "(", "", `the "(" at position 1 is never closed`},
		{"lone close", ")", "", `the ")" at position 1 has no "(" to close`},
		{"unclosed group", "a b (c", "a b c", `"(" at position 5 is never closed`},
		{"outer open", "((a)", "a", `"(" at position 1 is never closed`},
		{"stray close", "a)", "a", `")" at position 2 has no "("`},
		{"close first", ") (", "", `")" at position 1`},
		{"first problem named", "a) (b", "a b", `")" at position 2`},
		{"position counts characters", "ééé )", "ééé", `")" at position 5`},
		{"emoticon", "great :)", "great", `")" at position 8`},
		{"numbered list", "1) sorting 2) searching", "1 sorting 2 searching", `")" at position 2`},
		{"operators dropped", "(coding AND robots OR NOT", "coding robots", `"(" at position 1`},
		{"signs dropped", "-(tablets +phones", "tablets phones", `"(" at position 2`},
		{"quotes dropped", `("digital skills" teachers`, "digital skills teachers", `"(" at position 1`},
		{"fields are words", "(title:byod kind:plenary", "title byod kind plenary", `"(" at position 1`},
		{"words keep their joiners", "e-learning) what's 4.0", "e-learning what's 4.0", `")" at position 11`},
		{"repeated words kept once", "a) a a", "a a a", `")"`},
		{"too deep", "a " + strings.Repeat("(", MaxDepth+1) + "b" + strings.Repeat(")", MaxDepth+1), "a b",
			fmt.Sprintf("nest more than %d deep at position %d", MaxDepth, MaxDepth+3)},
		{"too deep even empty", strings.Repeat("(", 100) + strings.Repeat(")", 100), "", "nest more than"},
		{"too many phrases are plain words", "(" + phrases, strings.TrimSpace(strings.NewReplacer(`"`, "").Replace(phrases)), `"(" at position 1`},
		// In the spirit of the standard collections' queries: a question
		// ending in an open parenthesis, and numbered points.
		{"question with an open aside", "How are parallel sorting networks built for several processors (and in what time",
			"How are parallel sorting networks built for several processors and in what time", "is never closed"},
		{"numbered points", "1) kidney stones in children 2) calcium oxalate crystals, and their treatment",
			"1 kidney stones in children 2 calcium oxalate crystals and their treatment", `")" at position 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, se, err := parsePlain(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := n.String(); got != tt.want {
				t.Errorf("Parse(%q) (-want +got):\n-%s\n+%s", tt.in, tt.want, got)
			}
			switch {
			case tt.syntax == "" && se != nil:
				t.Errorf("Parse(%q) error %q, want none", tt.in, se)
			case tt.syntax != "" && se == nil:
				t.Errorf("Parse(%q) = no *SyntaxError, want one containing %q", tt.in, tt.syntax)
			case tt.syntax != "" && !strings.Contains(se.Msg, tt.syntax):
				t.Errorf("Parse(%q) error (-want +got):\n-%s\n+%s", tt.in, tt.syntax, se)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"longest query", strings.Repeat("a", MaxBytes)},
		{"most words", func() string {
			var b strings.Builder
			for i := range MaxClauses {
				fmt.Fprintf(&b, "w%d ", i)
			}
			return b.String()
		}()},
		{"a repeated word is one clause", strings.Repeat("w ", MaxBytes/2)},
		{"a repeated phrase is one phrase", strings.Repeat(`"a b" `, MaxPhrases*4)},
		{"a phrase repeated in groups is one phrase", strings.Repeat(`("a b") `, MaxPhrases*4)},
		{"most clauses with groups", strings.Repeat("(a) ", MaxClauses/2)},
		{"operators are not clauses", strings.Repeat("a AND ", MaxClauses-1) + "a"},
		{"parentheses in a phrase", `"` + strings.Repeat("(", 200) + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.in); err != nil {
				t.Errorf("Parse(%d bytes): %v, want no error", len(tt.in), err)
			}
		})
	}
}

// TestParseErrors: a query over a limit is a *LimitError naming it.
func TestParseErrors(t *testing.T) {
	words := func(n int) string { return numbered("w%d ", n) }
	phrases := func(n int) string { return numbered(`"p %d" `, n) }
	tests := []struct {
		name, in string
		limit    Limit
		want     string
	}{
		{"too long", strings.Repeat("a", MaxBytes+1), LimitBytes, fmt.Sprintf("query is too long: %d bytes, the limit is %d", MaxBytes+1, MaxBytes)},
		{"too many words", words(MaxClauses + 1), LimitClauses,
			fmt.Sprintf("query has too many clauses: the limit is %d words, phrases, fields and groups", MaxClauses)},
		{"too many groups", strings.Repeat("(a) ", MaxClauses/2+1), LimitClauses, "too many clauses"},
		{"too many phrases", phrases(MaxPhrases + 1), LimitPhrases,
			fmt.Sprintf("query has too many phrases: the limit is %d different phrases", MaxPhrases)},
		{"too long with a stray parenthesis", ")" + strings.Repeat("a", MaxBytes), LimitBytes, "query is too long"},
		{"too many plain words", "(" + words(MaxClauses+1), LimitClauses, "too many clauses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, err := parsePlain(tt.in)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tt.limit {
				t.Fatalf("Parse(%q) = %q, %v; want a *LimitError of limit %d", tt.in, n, err, tt.limit)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error (-want +got):\n-%s\n+%s", tt.in, tt.want, err)
			}
		})
	}
}

// numbered returns format with each number from 0 to n-1, n times over.
func numbered(format string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// TestSyntaxError: the error's position is in characters, from 1, and its
// offset in bytes.
func TestSyntaxError(t *testing.T) {
	_, err := Parse("ééé )")
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse: %v, want a *SyntaxError", err)
	}
	want := &SyntaxError{Offset: 7, Pos: 5, Msg: `unbalanced parenthesis: the ")" at position 5 has no "(" to close`}
	if *se != *want {
		t.Errorf("error (-want +got):\n-%+v\n+%+v", want, se)
	}
}

// TestParseRepeats: a clause repeated in its group is one clause with its
// count, which String writes out again.
func TestParseRepeats(t *testing.T) {
	q, err := Parse(`teachers digital teachers (teachers) "digital  skills" teachers "digital skills" a AND a`)
	if err != nil {
		t.Fatal(err)
	}
	want := &Group{Clauses: []Clause{
		{Repeat: 2, Q: &Word{Text: "teachers"}},
		{Q: &Word{Text: "digital"}},
		{Q: &Group{Clauses: []Clause{{Q: &Word{Text: "teachers"}}}}},
		{Repeat: 1, Q: &Phrase{Text: "digital skills"}},
		{Occur: Must, Repeat: 1, Q: &Word{Text: "a"}},
	}}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("Parse (-want +got):\n-%s\n+%s", want, q)
	}
}

// TestStringRoundTrip checks that String is in the query language:
// parsing it gives the same tree.
func TestStringRoundTrip(t *testing.T) {
	for _, in := range []string{
		`(byod OR tablets) AND NOT kind:plenary "digital skills`,
		`place:"New York" theme:Skills title:"a b" body:c`,
		`a AND (b OR (c -d)) NOT ()`,
		`a a (b b) "c d" "c d" -year:2017 -year:2017 x AND x`,
		`place:"a (b)" place:'x' country:"\"" title:"""`,
	} {
		t.Run(in, func(t *testing.T) {
			n, err := Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			s := n.String()
			n2, err := Parse(s)
			if err != nil {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			if !reflect.DeepEqual(n2, n) {
				t.Errorf("Parse(%q) (-want +got):\n-%s %#v\n+%s %#v", s, n, n, n2, n2)
			}
		})
	}
}

// FuzzParse checks that any text is a query: the only errors are the
// bytes, clauses and phrases limits and the *SyntaxError of text whose
// plain words parse; the printed form parses back to the same tree; and
// Simplify keeps what a query matches and how its words weigh (see
// checkSimplify).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "byod", `"digital skills" +teachers -kind:plenary`, "(byod OR tablets) AND NOT theme:x",
		`place:"New York" title:"a`, "http://x 10:30 foo:bar title:", "((a)", "a)", "C++ in schools?",
		"1) sorting 2) searching", "networks (and in what time", strings.Repeat("(", MaxDepth+1) + "a",
		"+a a AND b", "-(-a) b", "+(+a (b -c)) -(d e) (+f) +(g)", "(a b) (a b) ((c))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, se, err := parsePlain(s)
		if err != nil {
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("Parse(%q) error %T: %v", s, err, err)
			}
			switch le.Limit {
			case LimitBytes:
				if len(s) <= MaxBytes {
					t.Fatalf("Parse(%d bytes): %v", len(s), err)
				}
			case LimitClauses:
			case LimitPhrases:
				// Plain words have no phrases.
				if se != nil {
					t.Fatalf("Parse(%q) is plain words, yet: %v", s, err)
				}
			}
			return
		}
		if n == nil {
			t.Fatalf("Parse(%q) = nil, nil", s)
		}
		str := n.String()
		Walk(n, func(_ Occur, q Q) bool {
			var text string
			switch q := q.(type) {
			case *Word:
				text = q.Text
			case *Phrase:
				text = q.Text
			case *Term:
				text = q.Value
			}
			if _, group := q.(*Group); !group && (text == "" || !utf8.ValidString(text)) {
				t.Fatalf("Parse(%q) has %#v", s, q)
			}
			return true
		})
		if se != nil {
			// Plain words: Should words, which reparse to themselves.
			for _, c := range n.Clauses {
				if w, ok := c.Q.(*Word); !ok || c.Occur != Should || w.Field != "" {
					t.Fatalf("Parse(%q) = %q after %v, want plain words", s, str, se)
				}
			}
		}
		checkSimplify(t, n)
		if len(str) > MaxBytes {
			return
		}
		n2, err := Parse(str)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, str, err)
		}
		if !reflect.DeepEqual(n2, n) {
			t.Fatalf("Parse(%q) = %q, which reparses as %q", s, str, n2)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	queries := []struct{ name, q string }{
		{"words", "digital skills of teachers in primary schools"},
		{"syntax", `(byod OR tablets) AND NOT kind:plenary +"digital skills" place:"Brussels" year:2017`},
		{"punctuation", "C++ in schools? e-learning 4.0; what's BYOD, co-operation!"},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
