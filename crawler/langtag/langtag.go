// Package langtag reads a declared language tag (an HTML lang attribute,
// a Content-Language header, a PDF's /Lang, an ODT's dc:language, a
// taxonomy's phrase language) down to the lower-case primary language
// subtag that kbsearch keys languages by: "fr-FR" and "FR_fr" give "fr".
// It is the one place tags are normalised, on golang.org/x/text/language,
// so that the extractors, the indexer and the taxonomy agree.
//
// It lives under crawler/, the lowest layer, so that crawler/extract and
// the indexer can both use it; it imports nothing of kbsearch.
package langtag

import (
	"strings"

	"golang.org/x/text/language"
)

// Primary returns the primary language subtag of tag, canonical and lower
// case ("de-AT" -> "de", "fra" -> "fr", "iw" -> "he"), or "" when tag is
// not a well-formed BCP 47 tag naming a language ("", "french",
// "x-private", "und"). Of a list ("de, en") it reads the first tag;
// underscores count as hyphens.
func Primary(tag string) string {
	if i := strings.IndexAny(tag, ",;"); i >= 0 {
		tag = tag[:i]
	}
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		return ""
	}
	base, conf := t.Base()
	if conf != language.Exact {
		return "" // "und", private use: no language named
	}
	return base.String()
}
