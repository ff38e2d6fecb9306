package query

import (
	"hash/fnv"
	"maps"
	"reflect"
	"testing"
)

func TestSimplify(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"nothing to do", `a +b -c "d e" year:2017`, `a +b -c "d e" year:2017`},
		{"empty", "", ""},
		{"group of optional words", "a (b c)", "a b c"},
		{"nested groups", "(a (b (c d)))", "a b c d"},
		{"required group with a required clause", "x +(+a b -c)", "x +a b -c"},
		{"required group of optional clauses stays", "x +(a b)", "x +(a b)"},
		{"one optional clause of a required group", "x +(a)", "x +a"},
		{"one required clause of an optional group", "x (+a)", "x a"},
		{"an optional keyword term stays optional", "x +(year:2017) (+kind:plenary)", "x +(year:2017) (+kind:plenary)"},
		{"excluded group of optional clauses", "x -(a b)", "x -a -b"},
		{"excluded required clause", "x -(+a)", "x -a"},
		{"excluded group of required clauses stays", "x -(+a +b)", "x -(+a +b)"},
		{"double negation beside a required clause", "+x -(-a)", "+x +a"},
		{"double negation alone", "-(-a)", "+a"},
		{"double negation beside an optional clause stays", "x -(-a)", "x -(-a)"},
		{"group of one group", "((a b))", "a b"},
		{"required group of one group", "x +((a b))", "x +(a b)"},
		{"repeats add up", "a (a b) a", "a a a b"},
		{"repeated groups", "(+a b) (+a b) c", "(+a b) (+a b) c"},
		{"repeats multiply", "x +(+a +a) +(+a +a)", "x +a +a +a +a"},
		{"optional group beside a required clause stays", "+x (a -b)", "+x (a -b)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			before := q.String()
			s := Simplify(q)
			if got := s.String(); got != tt.want {
				t.Errorf("Simplify(%q) (-want +got):\n-%s\n+%s", tt.in, tt.want, got)
			}
			if got := q.String(); got != before {
				t.Errorf("Simplify changed its argument from %q to %q", before, got)
			}
			checkSimplify(t, q)
		})
	}
}

// TestSimplifyRepeatedGroup: equal groups are one clause with a count.
func TestSimplifyRepeatedGroup(t *testing.T) {
	q, err := Parse("(+a b) (+a b) c")
	if err != nil {
		t.Fatal(err)
	}
	s := Simplify(q).(*Group)
	if len(s.Clauses) != 2 || s.Clauses[0].Repeat != 1 {
		t.Errorf("Simplify = %#v, want the group once, repeated once", s.Clauses)
	}
}

// checkSimplify checks Simplify(q) against q: the same documents of a
// made-up collection match, every word and phrase keeps its weight and the
// same keyword terms are optional (unless q has a double negation, whose
// words may then rank), it is its own simplification, and its printed form
// simplifies back to it.
func checkSimplify(t *testing.T, q *Group) {
	t.Helper()
	s := Simplify(q)
	if got, want := eval(s), eval(q); got != want {
		t.Fatalf("Simplify(%q) = %q matches %064b, want %064b", q, s, got, want)
	}
	qw, qt := weights(q)
	sw, st := weights(s)
	if !doubleNegation(q) && (!maps.Equal(qw, sw) || !maps.Equal(qt, st)) {
		t.Fatalf("Simplify(%q) = %q weighs %v %v, want %v %v", q, s, sw, st, qw, qt)
	}
	if again := Simplify(s); !reflect.DeepEqual(again, s) {
		t.Fatalf("Simplify(%q) = %q, which simplifies to %q", q, s, again)
	}
	str := s.String()
	if len(str) > MaxBytes {
		return
	}
	p, err := Parse(str)
	if err != nil {
		t.Fatalf("Simplify(%q) = %q, which does not parse: %v", q, str, err)
	}
	if back := Simplify(p); !reflect.DeepEqual(back, s) {
		t.Fatalf("Simplify(%q) = %q, which parses and simplifies to %q", q, str, back)
	}
}

// eval returns the documents of a made-up collection of 64 that q matches,
// by the rules of Occur, each word, phrase and term in a pseudo-random half
// of them.
func eval(q Q) uint64 {
	g, ok := q.(*Group)
	if !ok {
		h := fnv.New64a()
		h.Write([]byte(reflect.TypeOf(q).String() + "\x00" + q.String()))
		x := h.Sum64()
		x ^= x >> 31
		x *= 0x9e3779b97f4a7c15
		return x ^ x>>29
	}
	must, should, not := ^uint64(0), uint64(0), uint64(0)
	var hasMust, hasShould bool
	for _, c := range g.Clauses {
		b := eval(c.Q)
		switch c.Occur {
		case Must:
			must &= b
			hasMust = true
		case Should:
			should |= b
			hasShould = true
		case MustNot:
			not |= b
		}
	}
	out := ^uint64(0)
	switch {
	case hasMust:
		out = must
	case hasShould:
		out = should
	}
	return out &^ not
}

// weights returns how often each word and phrase that is not excluded
// weighs (its repeats and its groups'), and the keyword terms optional
// in a group that is not excluded, as package search ranks them.
func weights(q Q) (text map[string]int, optional map[string]bool) {
	text, optional = map[string]int{}, map[string]bool{}
	var walk func(occ Occur, times int, q Q)
	walk = func(occ Occur, times int, q Q) {
		if occ == MustNot {
			return
		}
		switch q := q.(type) {
		case *Group:
			for _, c := range q.Clauses {
				walk(c.Occur, times*(1+c.Repeat), c.Q)
			}
		case *Term:
			if occ == Should {
				optional[q.String()] = true
			}
		default:
			text[q.String()] += times
		}
	}
	walk(Should, 1, q)
	return text, optional
}

// doubleNegation reports whether q excludes a part of what it excludes.
func doubleNegation(q Q) bool {
	found := false
	Walk(q, func(occ Occur, q Q) bool {
		if g, ok := q.(*Group); ok && occ == MustNot {
			Walk(g, func(o Occur, _ Q) bool {
				found = found || o == MustNot
				return !found
			})
		}
		return !found
	})
	return found
}

func TestMap(t *testing.T) {
	q, err := Parse(`+byod -title:tablets (phones "byod policy") year:2017`)
	if err != nil {
		t.Fatal(err)
	}
	before := q.String()
	// Synonyms: a word becomes a group of it and its synonyms.
	syn := Map(q, func(q Q) Q {
		if w, ok := q.(*Word); ok && w.Text == "byod" {
			return &Group{Clauses: []Clause{{Q: w}, {Q: &Phrase{Text: "bring your own device"}}}}
		}
		return q
	})
	if got, want := syn.String(), `+(byod "bring your own device") -title:tablets (phones "byod policy") year:2017`; got != want {
		t.Errorf("synonyms (-want +got):\n-%s\n+%s", want, got)
	}
	// Field defaults: words without a field go to the title.
	title := Map(q, func(q Q) Q {
		if w, ok := q.(*Word); ok && w.Field == "" {
			return &Word{Field: FieldTitle, Text: w.Text}
		}
		return q
	})
	if got, want := title.String(), `+title:byod -title:tablets (title:phones "byod policy") year:2017`; got != want {
		t.Errorf("field defaults (-want +got):\n-%s\n+%s", want, got)
	}
	// Dropping: nil removes a clause.
	drop := Map(q, func(q Q) Q {
		if _, ok := q.(*Term); ok {
			return nil
		}
		return q
	})
	if got, want := drop.String(), `+byod -title:tablets (phones "byod policy")`; got != want {
		t.Errorf("drop (-want +got):\n-%s\n+%s", want, got)
	}
	if q.String() != before {
		t.Errorf("Map changed its argument to %q", q)
	}
	// A part that does not change is shared.
	same := Map(q, func(q Q) Q { return q })
	if same != Q(q) {
		t.Errorf("Map with the identity made a new query")
	}
}

func TestWalk(t *testing.T) {
	q, err := Parse(`a -(b +c) +"d e" year:2017`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	Walk(q, func(occ Occur, q Q) bool {
		if _, ok := q.(*Group); !ok {
			got = append(got, occ.String()+" "+q.String())
		}
		return occ != MustNot
	})
	want := []string{"should a", `must "d e"`, "should year:2017"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Walk (-want +got):\n-%q\n+%q", want, got)
	}
}
