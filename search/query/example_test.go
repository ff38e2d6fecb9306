package query_test

import (
	"fmt"

	"github.com/kbsearch/kbsearch/search/query"
)

func ExampleParse() {
	q, err := query.Parse(`(BYOD OR tablets) AND NOT kind:Plenary "digital skills`)
	if err != nil {
		panic(err)
	}
	fmt.Println(q)
	for _, c := range q.Clauses {
		fmt.Printf("%s %T\n", c.Occur, c.Q)
	}
	// Output:
	// +(BYOD tablets) -kind:plenary "digital skills"
	// must *query.Group
	// must not *query.Term
	// should *query.Phrase
}

func ExampleParse_plainWords() {
	s := "1) sorting 2) searching"
	_, err := query.Parse(s)
	fmt.Println(err)
	q, _ := query.Parse(query.PlainWords(s))
	fmt.Println(q)
	// Output:
	// unbalanced parenthesis: the ")" at position 2 has no "(" to close
	// 1 sorting 2 searching
}

func ExampleMap() {
	q, _ := query.Parse("byod -tablets")
	// A correction: one word for another.
	fixed := query.Map(q, func(q query.Q) query.Q {
		if w, ok := q.(*query.Word); ok && w.Text == "tablets" {
			return &query.Word{Field: w.Field, Text: "tablet"}
		}
		return q
	})
	fmt.Println(fixed)
	// Output:
	// byod -tablet
}

func ExampleSimplify() {
	q, _ := query.Parse("(a (b c)) -(d e) +(+f g)")
	fmt.Println(query.Simplify(q))
	// Output:
	// a b c -d -e +f g
}
