package indexertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
)

// SyntheticStore fills the crawl store at dir with a portal of n
// documents of about 500 words, as a crawl of it would leave them: a
// meeting page per 10 documents linking them, one document in 20 in
// French and one in 20 in German (declared, with a locale suffix), the
// rest in English. Words come from a vocabulary of some 20,000 made-up
// words drawn with a Zipf law, with the taxonomy's phrases mixed in, so
// the term dictionaries are about as large as a real portal's. The same n
// gives the same store.
func SyntheticStore(tb testing.TB, dir string, n int) *store.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, uint64(n)))
	vocab := syntheticVocab(r, 20000)
	zipf := rand.NewZipf(rand.New(rand.NewPCG(8, uint64(n))), 1.1, 2, uint64(len(vocab)-1))
	phrases := []string{"learning analytics", "bring your own device", "open educational resources",
		"computational thinking", "teacher training", "digital assessment", "school leadership",
		"social inclusion", "mobile learning", "quality assurance"}
	places := []string{"Brussels", "Hamburg", "Helsinki", "Vienna", "Tallinn", "Zagreb", "Paris", "Sofia"}
	kinds := []string{"minutes", "key-messages", "report", "agenda"}
	const host = "http://portal.test"
	fetched := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	text := func(words int) string {
		var b strings.Builder
		t := phrases[r.IntN(len(phrases))]
		for w := 0; w < words; w++ {
			switch {
			case w%50 == 0:
				b.WriteString(t)
			case w%17 == 16:
				b.WriteString(vocab[zipf.Uint64()])
				b.WriteString(".\n\n")
				continue
			default:
				b.WriteString(vocab[zipf.Uint64()])
			}
			b.WriteByte(' ')
		}
		return b.String()
	}
	var recs []store.Put
	put := func(rec *store.Record) {
		rec.FinalURL, rec.Status, rec.FetchedAt, rec.ContentType = rec.URL, 200, fetched, "text/html"
		recs = append(recs, store.Put{Record: rec})
		if len(recs) == 500 {
			if _, _, err := st.Commit(ctx, &store.Commit{Records: recs}); err != nil {
				tb.Fatal(err)
			}
			recs = nil
		}
	}
	for m := 0; m*10 < n; m++ {
		year, place := 2010+m%15, places[m%len(places)]
		slug := fmt.Sprintf("%d-%02d-%s-pla-%d", year, 1+m%12, strings.ToLower(place), m)
		var links []string
		for i := m * 10; i < min(n, m*10+10); i++ {
			kind := kinds[i%len(kinds)]
			u := fmt.Sprintf("%s/documents/%s-%s-%d.html", host, slug, kind, i)
			lang := ""
			switch i % 20 {
			case 7:
				lang = "fr"
			case 13:
				lang = "de"
			}
			if lang != "" {
				u = strings.TrimSuffix(u, ".html") + "_" + lang + ".html"
			}
			links = append(links, u)
			title := fmt.Sprintf("%s of the peer learning activity in %s, %d", strings.ToUpper(kind[:1])+kind[1:], place, year)
			put(&store.Record{URL: u, Lang: lang, Page: &extract.Page{Title: title, Text: text(450 + r.IntN(100)),
				PageCount: 1, Lang: lang, Links: []string{host + "/meetings/" + slug + "/"}}})
		}
		put(&store.Record{URL: host + "/meetings/" + slug + "/", Page: &extract.Page{
			Title:     fmt.Sprintf("Peer learning activity on %s, %s", phrases[m%len(phrases)], place),
			Text:      text(80),
			PageCount: 1, Links: links,
		}})
	}
	if len(recs) > 0 {
		if _, _, err := st.Commit(ctx, &store.Commit{Records: recs}); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// syntheticVocab makes n distinct pronounceable words of 2 to 4
// syllables.
func syntheticVocab(r *rand.Rand, n int) []string {
	syll := strings.Fields(`ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge gi go gu
		la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su
		ta te ti to tu va ve vi vo vu tra tre tri tro str sch ing ent ion ers als`)
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for k := 2 + r.IntN(3); k > 0; k-- {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
