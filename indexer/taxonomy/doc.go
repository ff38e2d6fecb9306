// Package taxonomy owns the theme taxonomy of the knowledge base, the
// tagging of documents with its themes, and the evaluation of that tagging
// against labelled passages.
//
// A Taxonomy is a list of themes (open educational resources, coding, learning
// analytics, ...), each with strong phrases, synonyms, weak terms and
// optional URL rules. Default returns the taxonomy embedded in the binary
// (default.json); Load and Parse read one from a file or bytes, validating it.
//
// TagDoc finds the themes of a document: the title, the body and the title
// of the document's meeting page are tokenised once, lower-cased and lightly
// normalised (plural -s/-es/-ies, British and American spellings such as
// digitalisation/digitalization, hyphens read as spaces), and every phrase of
// the taxonomy is matched over the tokens through a table keyed by each
// phrase's first token, compiled once when the taxonomy is parsed. No phrase
// matches across a sentence break. A match in the title (or the meeting
// page's title) weighs three times a match in the body; weak terms count only
// beside a strong one or when repeated; and a theme must reach a score that
// grows with the square root of the body's length, so one passing mention in
// a long text does not tag it. A theme whose URL rule (a glob on the URL
// path) matches is given whatever the text says. Each Match carries readable
// reasons: `title: "bring your own device"`, `body: "BYOD" x4`,
// `url rule: */byod/*`. Tag is TagDoc for a title and a body alone.
//
//	tax := taxonomy.Default()
//	for _, m := range tax.Tag("Key messages on BYOD", body) {
//		fmt.Println(m.Theme, m.Reasons) // byod [title: "BYOD" body: "bring your own device" x2]
//	}
//
// A parsed taxonomy also has a model: one logistic regression per theme over
// the words and two-word terms of a document, trained on first use from the
// labelled passages embedded in the binary (testdata/themes-train.txt,
// themes-dev.txt and themes-test.txt; never the blind set) and each theme's
// description, reading the same token ids as the phrases. After the rules,
// it adds a theme they missed (probability >= 0.5, at least three terms for
// it) and drops a theme the rules gave on a single word alone ("apps") when
// it sees no support; it abstains on very short texts and texts in another
// language. Its confidence and the learned terms that counted join the
// reasons (`model: 0.83`, `learned: "girl", "engineering"`). WithTraining
// retrains it on other passages (nil: the phrase rules alone), and
// CrossValidate scores it by k-fold cross-validation.
//
// Evaluate scores the tagger against labelled Samples (read by ReadSamples
// or LoadSamples; the project's labelled sets are in testdata/), giving
// precision, recall and F1 per theme and micro-averaged. docs/themes.md
// gives the rule in full and the scores.
//
// Expand serves query expansion: a query naming a theme exactly (its id,
// label, a phrase or a synonym) gets back that theme's other synonyms and
// phrases.
//
//	tax.Expand("OER") // ["open educational resources", "OEP", ...]
//
// The package depends on the standard library and crawler/langtag (which
// reads a document's language tag) only: it must not import bleve or any
// other package of kbsearch.
package taxonomy
