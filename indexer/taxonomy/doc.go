// Package taxonomy owns the theme taxonomy of the knowledge base and the
// tagging of documents with its themes.
//
// A Taxonomy is a list of themes (open educational resources, coding, learning
// analytics, ...), each with strong phrases, synonyms and weak terms. Default
// returns the taxonomy embedded in the binary (default.json); Load and Parse
// read one from a file or bytes, validating it.
//
// Tag finds the themes of a document: the title and the body are tokenised
// once, lower-cased and lightly normalised (plural -s/-es/-ies, British and
// American spellings such as digitalisation/digitalization, hyphens read as
// spaces), and every phrase of the taxonomy is matched over the tokens through
// a table keyed by each phrase's first token, compiled once when the taxonomy
// is parsed. A match in the title weighs three times a match in the body;
// weak terms count only beside a strong one or when repeated; and a theme
// must reach a score that grows with the square root of the body's length, so
// one passing mention in a long text does not tag it.
//
//	tax := taxonomy.Default()
//	for _, m := range tax.Tag("Key messages on BYOD", body) {
//		fmt.Println(m.Theme, m.Phrases) // byod [BYOD bring your own device]
//	}
//
// Expand serves query expansion: a query naming a theme exactly (its id,
// label, a phrase or a synonym) gets back that theme's other synonyms and
// phrases.
//
//	tax.Expand("OER") // ["open educational resources", "OEP", ...]
//
// The package depends on the standard library only: it must not import bleve
// or any other package of kbsearch.
package taxonomy
