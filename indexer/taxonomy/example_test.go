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

func ExampleTaxonomy_TagDoc() {
	tax, err := taxonomy.Parse([]byte(`{"version": "demo", "themes": [
		{"id": "byod", "label": "Bring your own device", "phrases": ["bring your own device"], "synonyms": ["BYOD"]},
		{"id": "oer", "label": "Open educational resources", "phrases": ["open educational resources"],
		 "urls": ["*/open-education/*"]}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ms := tax.TagDoc(taxonomy.Doc{
		Title:   "Agenda",
		Body:    "09:00 Welcome. 10:00 BYOD in Hamburg schools. 14:00 BYOD and equity.",
		URL:     "https://portal.example/open-education/agenda.html",
		Meeting: "Peer learning activity on bring your own device",
	})
	for _, m := range ms {
		fmt.Println(m.Theme, m.Reasons)
	}
	// Output:
	// byod [meeting page: "bring your own device" body: "BYOD" x2]
	// oer [url rule: */open-education/*]
}
