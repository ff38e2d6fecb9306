package search

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/indexer"
)

var digcompDir = flag.String("digcomp", "", "folder of the Italian DigComp 2.1 reStructuredText (../shared/data/eu/agid-digcomp21-it); TestItalianAnalyzer is skipped without it")

// italianQueries pair a question written in everyday Italian (other words
// and other inflections than the section's own title) with the title of the
// DigComp 2.1 competence section that answers it.
var italianQueries = []struct{ query, section string }{
	{"ricerca di informazioni in rete e strategie di ricerca", "Navigare, ricercare e filtrare dati, informazioni e contenuti digitali"},
	{"valutazione critica dell'affidabilità delle fonti", "Valutare dati, informazioni e contenuti digitali"},
	{"organizzare e archiviare i dati", "Gestire dati, informazioni e contenuti digitali"},
	{"interazione con altre persone mediante tecnologie digitali", "Interagire con gli altri attraverso le tecnologie"},
	{"condivisione di contenuti con altri", "Condividere informazioni attraverso le tecnologie digitali"},
	{"partecipazione civica con servizi digitali pubblici", "Esercitare la cittadinanza attraverso le tecnologie digitali"},
	{"collaborazione e costruzione condivisa di conoscenza", "Collaborare attraverso le tecnologie digitali"},
	{"norme di comportamento nelle comunicazioni online", "Netiquette"},
	{"gestione della propria reputazione e identità online", "Gestire l’identità digitale"},
	{"creazione e modifica di contenuti in diversi formati", "Sviluppare contenuti digitali"},
	{"rielaborazione e integrazione di informazioni esistenti", "Integrare e rielaborare contenuti digitali"},
	{"diritti d'autore e licenze applicate ai contenuti", "Copyright e licenze"},
	{"programmare istruzioni comprensibili a un computer", "Programmazione"},
	{"protezione dei dispositivi dai rischi", "Proteggere i dispositivi"},
	{"protezione della privacy e dei dati personali", "Proteggere i dati personali e la privacy"},
	{"rischi per la salute fisica e il benessere psicologico", "Proteggere la salute e il benessere"},
	{"impatto ambientale delle tecnologie", "Proteggere l’ambiente"},
	{"risoluzione di problemi tecnici nell'uso dei dispositivi", "Risolvere problemi tecnici"},
	{"identificare bisogni e scegliere gli strumenti tecnologici adatti", "Individuare bisogni e risposte tecnologiche"},
	{"uso creativo delle tecnologie per innovare processi", "Utilizzare in modo creativo le tecnologie digitali"},
	{"capire dove migliorare le proprie competenze digitali", "Individuare i divari di competenze digitali"},
}

var rstUnderline = regexp.MustCompile(`^(=+|-+|~+)\s*$`)

// rstSections splits a reStructuredText file at its "=" underlined
// headings, dropping directives and underlines.
func rstSections(text string) (titles, bodies []string) {
	lines := strings.Split(text, "\n")
	var body strings.Builder
	title := ""
	flush := func() {
		if title != "" {
			titles, bodies = append(titles, title), append(bodies, body.String())
		}
		body.Reset()
	}
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " ")
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "===") && l != "" && !rstUnderline.MatchString(l) {
			flush()
			title = strings.TrimSpace(strings.TrimLeft(l, "0123456789. "))
			i++
			continue
		}
		if rstUnderline.MatchString(l) || strings.HasPrefix(strings.TrimSpace(l), "..") {
			continue
		}
		body.WriteString(l)
		body.WriteByte('\n')
	}
	flush()
	return titles, bodies
}

// TestItalianAnalyzer indexes the sections of the Italian DigComp 2.1 once
// with the Italian analyzer and once with the English one, asks each
// everyday-Italian question, and reports the rank of the section that
// answers it. Run it with -digcomp DIR -v.
func TestItalianAnalyzer(t *testing.T) {
	t.Parallel()
	if *digcompDir == "" {
		t.Skip("needs -digcomp DIR (../shared/data/eu/agid-digcomp21-it)")
	}
	var titles, bodies []string
	for _, f := range []string{"sezione1-introduzione.rst", "sezione2-livelli-di-padronanza.rst", "sezione3-competenze.rst"} {
		b, err := os.ReadFile(filepath.Join(*digcompDir, f))
		if err != nil {
			t.Fatal(err)
		}
		ts, bs := rstSections(string(b))
		titles, bodies = append(titles, ts...), append(bodies, bs...)
	}
	byTitle := map[string]string{}
	for i, ti := range titles {
		byTitle[ti] = fmt.Sprintf("s%02d", i)
	}
	for _, q := range italianQueries {
		if byTitle[q.section] == "" {
			t.Fatalf("section %q not found among %d sections", q.section, len(titles))
		}
	}
	results := map[string][]int{}
	for _, lang := range []string{"it", "en"} {
		docs := make([]indexer.Document, len(titles))
		for i := range titles {
			docs[i] = indexer.Document{ID: fmt.Sprintf("s%02d", i), Title: titles[i], Body: bodies[i], Lang: lang, Type: "page"}
		}
		s := newSearcherOver(t, docs, true, Options{})
		for _, q := range italianQueries {
			res, err := s.Search(context.Background(), Request{Query: q.query, Size: 50})
			if err != nil {
				t.Fatal(err)
			}
			rank := 0
			for i, h := range res.Hits {
				if h.ID == byTitle[q.section] {
					rank = i + 1
					break
				}
			}
			results[lang] = append(results[lang], rank)
		}
	}
	summary := func(ranks []int) (at1, at3 int, mrr float64) {
		for _, r := range ranks {
			if r == 1 {
				at1++
			}
			if r >= 1 && r <= 3 {
				at3++
			}
			if r > 0 {
				mrr += 1 / float64(r)
			}
		}
		return at1, at3, mrr / float64(len(ranks))
	}
	t.Logf("%d sections, %d questions", len(titles), len(italianQueries))
	t.Logf("| question | section | rank, Italian analyzer | rank, English analyzer |")
	for i, q := range italianQueries {
		t.Logf("| %s | %s | %d | %d |", q.query, q.section, results["it"][i], results["en"][i])
	}
	for _, lang := range []string{"it", "en"} {
		a1, a3, mrr := summary(results[lang])
		t.Logf("%s analyzer: at rank 1 %d/%d, in the top 3 %d/%d, MRR %.3f", lang, a1, len(italianQueries), a3, len(italianQueries), mrr)
	}
	itAt1, _, itMRR := summary(results["it"])
	enAt1, _, enMRR := summary(results["en"])
	if itMRR < enMRR || itAt1 < enAt1 {
		t.Errorf("the Italian analyzer does no better than the English one: MRR %.3f vs %.3f", itMRR, enMRR)
	}
}
