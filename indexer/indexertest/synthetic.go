// Package indexertest makes test material for the indexer and search
// packages: synthetic documents for benchmarks. It must not be imported by
// non-test code.
package indexertest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kbsearch/kbsearch/indexer"
)

// SyntheticDocs makes n documents of about 300 words drawn from a fixed
// vocabulary with themed phrases, so benchmarks run on a corpus of
// realistic size without any outside data.
func SyntheticDocs(n int) []indexer.Document {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields(`school schools teacher teachers pupils students learning digital skills
		competence education policy ministry network device devices classroom curriculum assessment
		data analytics resources open content quality training leadership strategy inclusion mobile
		tablet coding programming thinking computational framework members meeting plenary group
		national european report agenda minutes visit project practice evidence innovation support`)
	phrases := []string{"learning analytics", "bring your own device", "open educational resources",
		"computational thinking", "teacher training", "digital assessment", "school leadership"}
	themes := []string{"learning-analytics", "byod", "oer", "coding", "teacher-training", "digital-assessment", "leadership"}
	types := []string{"minutes", "key-messages", "report", "agenda", "page"}
	places := []string{"Brussels", "Hamburg", "Helsinki", "Vienna", "Tallinn", "Zagreb", "Paris", "Sofia"}
	docs := make([]indexer.Document, n)
	for i := range docs {
		var b strings.Builder
		t := r.IntN(len(phrases))
		for w := 0; w < 300; w++ {
			if w%40 == 0 {
				b.WriteString(phrases[t])
			} else {
				b.WriteString(words[r.IntN(len(words))])
			}
			b.WriteByte(' ')
		}
		d := time.Date(2016+r.IntN(3), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		docs[i] = indexer.Document{
			ID:     fmt.Sprintf("doc-%06d", i),
			URL:    fmt.Sprintf("http://portal.test/documents/%06d.html", i),
			Title:  fmt.Sprintf("%s %s %d", strings.ToUpper(phrases[t][:1])+phrases[t][1:], places[i%len(places)], i),
			Body:   b.String(),
			Type:   types[r.IntN(len(types))],
			Date:   d,
			Year:   d.Format("2006"),
			Kind:   "peer-learning",
			Place:  places[i%len(places)],
			Lang:   "en",
			Themes: []string{themes[t], themes[r.IntN(len(themes))]},
		}
	}
	return docs
}
