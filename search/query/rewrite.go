package query

// Map returns q rewritten bottom up: the clauses of a group are mapped
// first, then f is called on every node, the group included, and its
// result takes the node's place. A clause keeps its Occur and Repeat; f
// returns nil to drop a clause from its group (for q itself, Map then
// returns nil), and a group left without clauses matches every document.
// Map does not change q: a group whose clauses change is a new group, and
// a part that does not change is shared.
//
// Rewrites such as synonyms (a Word becomes a Group of the word and its
// synonyms), corrections (a Word becomes another) and field defaults (a
// Word without Field gets one) are a Map each.
func Map(q Q, f func(Q) Q) Q {
	if g, ok := q.(*Group); ok {
		var cs []Clause // nil until a clause changes
		for i, c := range g.Clauses {
			m := Map(c.Q, f)
			if m == c.Q && cs == nil {
				continue
			}
			if cs == nil {
				cs = append(make([]Clause, 0, len(g.Clauses)), g.Clauses[:i]...)
			}
			if m != nil {
				c.Q = m
				cs = append(cs, c)
			}
		}
		if cs != nil {
			q = &Group{Clauses: cs}
		}
	}
	return f(q)
}

// Walk calls f on q and, while f returns true, on the parts of each group
// in order, depth first. occ is the way the part takes part in its group
// (Should for q itself): a caller that skips what is excluded returns false
// for MustNot.
func Walk(q Q, f func(occ Occur, q Q) bool) {
	walk(Should, q, f)
}

func walk(occ Occur, q Q, f func(Occur, Q) bool) {
	if !f(occ, q) {
		return
	}
	if g, ok := q.(*Group); ok {
		for _, c := range g.Clauses {
			walk(c.Occur, c.Q, f)
		}
	}
}

// Simplify returns q with the rewrites below applied wherever they fit, as
// long as they do: each keeps the documents q matches, and every word,
// phrase and term keeps its weight in the ranking (its repeats, whether it
// is excluded, and for a term whether it is optional) but for the double
// negation noted. Simplify does not change q.
//
//   - Groups inside groups are flattened: (a (b c)) is (a b c); +(+a (b -c))
//     is +a (b -c) when the group has a required clause, as here;
//     -(a b) is -a -b; -(+a) is -a; a group whose only clause is a
//     group is that group.
//   - A group of one clause is that clause, when the prefix does not turn
//     an optional keyword term required or back: (+a) is a, +(a) is +a.
//   - A double negation -(-x) is +x where that requires what it did (the
//     group has another required clause, or no optional one); x's words
//     then rank the documents, as a required clause's do.
//   - A clause repeated in its group, groups too, is kept once with the
//     sum of the repeats: "a (b c) a (b c)" is "a a (b c) (b c)" printed,
//     one clause each.
//
// A simplified query prints (String) to a text that parses and simplifies
// back to it.
func Simplify(q Q) Q {
	if g, ok := q.(*Group); ok {
		return simplify(g)
	}
	return q
}

func simplify(g *Group) *Group {
	cs := make([]Clause, len(g.Clauses))
	for i, c := range g.Clauses {
		if sg, ok := c.Q.(*Group); ok {
			c.Q = simplify(sg)
		}
		cs[i] = c
	}
	for changed := true; changed; {
		changed = false
		if len(cs) == 1 {
			if sg, ok := cs[0].Q.(*Group); ok && cs[0].Occur != MustNot {
				cs = repeated(sg.Clauses, cs[0].Repeat, nil)
				changed = true
				continue
			}
		}
		var out []Clause
		cs, out = nil, cs
		var must, should bool
		for _, c := range out {
			must = must || c.Occur == Must
			should = should || c.Occur == Should
		}
		for _, c := range out {
			if sg, ok := c.Q.(*Group); ok {
				if kids, ok := flatten(c, sg, must, should); ok {
					cs = append(cs, kids...)
					changed = true
					continue
				}
			}
			if i := indexOf(cs, c); i >= 0 {
				cs[i].Repeat += c.Repeat + 1
				changed = true
				continue
			}
			cs = append(cs, c)
		}
	}
	return &Group{Clauses: cs}
}

// flatten returns the clauses that take the place of clause c of group g
// in its group, whose clauses include a required one (must) or an
// optional one (should), if a rewrite of Simplify applies.
func flatten(c Clause, g *Group, must, should bool) ([]Clause, bool) {
	kids := g.Clauses
	if len(kids) == 0 {
		return nil, false
	}
	all := func(o Occur) bool {
		for _, k := range kids {
			if k.Occur != o {
				return false
			}
		}
		return true
	}
	one := func(o Occur) bool {
		_, term := kids[0].Q.(*Term)
		return len(kids) == 1 && kids[0].Occur == o && !term
	}
	switch c.Occur {
	case Should:
		switch {
		case all(Should):
			return repeated(kids, c.Repeat, nil), true
		case one(Must):
			return repeated(kids, c.Repeat, occurPtr(Should)), true
		}
	case Must:
		switch {
		case has(kids, Must):
			return repeated(kids, c.Repeat, nil), true
		case one(Should):
			return repeated(kids, c.Repeat, occurPtr(Must)), true
		}
	case MustNot:
		switch {
		case all(Should), len(kids) == 1 && kids[0].Occur == Must:
			return repeated(kids, c.Repeat, occurPtr(MustNot)), true
		case len(kids) == 1 && kids[0].Occur == MustNot && (must || !should):
			return repeated(kids, c.Repeat, occurPtr(Must)), true
		}
	}
	return nil, false
}

func has(cs []Clause, o Occur) bool {
	for _, c := range cs {
		if c.Occur == o {
			return true
		}
	}
	return false
}

func occurPtr(o Occur) *Occur { return &o }

// repeated returns copies of cs taking the place of a clause repeated
// repeat times (each weighs as often as the product of the repeats),
// with their Occur set to *occ if occ is not nil.
func repeated(cs []Clause, repeat int, occ *Occur) []Clause {
	out := make([]Clause, len(cs))
	for i, c := range cs {
		c.Repeat = (c.Repeat+1)*(repeat+1) - 1
		if occ != nil {
			c.Occur = *occ
		}
		out[i] = c
	}
	return out
}

// indexOf returns the index in cs of a clause with c's Occur and part, or -1.
func indexOf(cs []Clause, c Clause) int {
	for i := range cs {
		if cs[i].Occur == c.Occur && equal(cs[i].Q, c.Q) {
			return i
		}
	}
	return -1
}

// equal reports whether a and b are the same query, repeats included.
func equal(a, b Q) bool {
	if ga, ok := a.(*Group); ok {
		gb, ok := b.(*Group)
		if !ok || len(ga.Clauses) != len(gb.Clauses) {
			return false
		}
		for i, c := range ga.Clauses {
			d := gb.Clauses[i]
			if c.Occur != d.Occur || c.Repeat != d.Repeat || !equal(c.Q, d.Q) {
				return false
			}
		}
		return true
	}
	return sameLeaf(a, b)
}

// sameLeaf reports whether a and b are the same word, phrase or term.
func sameLeaf(a, b Q) bool {
	switch a := a.(type) {
	case *Word:
		b, ok := b.(*Word)
		return ok && *a == *b
	case *Phrase:
		b, ok := b.(*Phrase)
		return ok && *a == *b
	case *Term:
		b, ok := b.(*Term)
		return ok && *a == *b
	}
	return false
}
