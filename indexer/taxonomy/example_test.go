package taxonomy_test

import (
	"fmt"

	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

func ExampleTaxonomy_Tag() {
	tax, err := taxonomy.Parse([]byte(`{"version": "demo", "themes": [
		{"id": "byod", "label": "Bring your own device", "phrases": ["bring your own device", "personal devices"],
		 "synonyms": ["BYOD"], "weak": ["Wi-Fi"]},
		{"id": "coding", "label": "Coding", "phrases": ["coding", "computational thinking"], "synonyms": []}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range tax.Tag("Key messages on BYOD", "Pupils bring personal devices; schools need good wi-fi.") {
		fmt.Println(m.Theme, m.Phrases)
	}
	fmt.Println(tax.Expand("byod"))
	// Output:
	// byod [BYOD personal devices Wi-Fi]
	// [bring your own device personal devices]
}
