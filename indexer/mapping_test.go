package indexer

import (
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/token/length"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

func TestWordsAnalyzer(t *testing.T) {
	t.Parallel()
	im, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := im.AnalyzerNamed(AnalyzerWords)
	if a == nil {
		t.Fatal("no words analyzer")
	}
	var got []string
	for _, tok := range a.Analyze([]byte("L'école and the Learning Analytics of BYOD, in 2017: une évaluation des élèves, ein Bericht über it")) {
		got = append(got, string(tok.Term))
	}
	want := []string{"école", "learning", "analytics", "byod", "2017", "évaluation", "élèves", "bericht"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("words:\n got %q\nwant %q", got, want)
	}
}

// TestWordsAnalyzerStopUnion checks that the one stop filter over the
// union of the languages' lists drops exactly what bleve's seven
// stop filters in a row drop.
func TestWordsAnalyzerStopUnion(t *testing.T) {
	t.Parallel()
	im, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	chain := bleve.NewIndexMapping()
	if err := chain.AddCustomTokenFilter("kb_min3", map[string]any{"type": length.Name, "min": 3.0}); err != nil {
		t.Fatal(err)
	}
	err = chain.AddCustomAnalyzer("chain", map[string]any{
		"type":      custom.Name,
		"tokenizer": unicode.Name,
		"token_filters": []string{lowercase.Name, fr.ElisionName, it.ElisionName, en.StopName, fr.StopName,
			de.StopName, it.StopName, es.StopName, pt.StopName, nl.StopName, "kb_min3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	terms := func(a analysis.Analyzer, text string) []string {
		var out []string
		for _, tok := range a.Analyze([]byte(text)) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	for _, text := range []string{
		"The working group met in Brussels and discussed the teachers' use of their own devices.",
		"Le groupe a examiné les ressources éducatives libres et l'évaluation numérique des élèves.",
		"Die Arbeitsgruppe hat über die Ausbildung der Lehrkräfte und das Lernen mit Daten gesprochen.",
		"Il gruppo ha discusso della formazione degli insegnanti e dell'uso dei dispositivi personali.",
		"El grupo habló de los recursos educativos abiertos y de la evaluación de las competencias.",
		"O grupo discutiu a avaliação digital e os recursos educativos abertos nas escolas.",
		"De werkgroep heeft het gehad over de opleiding van leraren en het gebruik van eigen apparaten.",
		// Elided articles, straight and curly, stacked, upper case, and
		// apostrophes that elide nothing.
		"L'école, l’Europe, d’accord, qu'il, dell'arte, all'università, nell’ambito, L'L'x, l''a, rock'n'roll, l'",
		"DELL'ARTE D'ACCORD QU’IL l'dell'uso un'altra sull'apprendimento c'est j'ai n'est",
	} {
		want := terms(chain.AnalyzerNamed("chain"), text)
		got := terms(im.AnalyzerNamed(AnalyzerWords), text)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", text, got, want)
		}
	}
}

// TestEnglishAnalyzer checks that the English analyzer, whose stemmer
// remembers stems, makes the terms bleve's "en" analyzer makes, the
// second time as the first, from goroutines at once.
func TestEnglishAnalyzer(t *testing.T) {
	t.Parallel()
	im, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	ours := im.AnalyzerNamed(AnalyzerText)
	theirs := bleve.NewIndexMapping().AnalyzerNamed(en.AnalyzerName)
	texts := []string{
		"The teachers' training programmes were discussed; running, runs and ran.",
		"Learning analytics dashboards, computational thinking and coding clubs for girls.",
		"Ministries' policies on bring-your-own-device schemes: connectivity, generalisation, hopefully.",
		"Characterization internationalization relational conditional sensibilities activities.",
		"A supercalifragilisticexpialidociouslylongwordthatisnotcached and its plural words.",
		// Possessives in any case and with any apostrophe: the filter
		// runs after lower-casing here, before it in bleve's analyzer.
		"THE MINISTRY'S PLAN, the Commission’S report, the school＇s network, ITS'S, 'S, S'S's",
	}
	terms := func(a analysis.Analyzer, text string) []string {
		var out []string
		for _, tok := range a.Analyze([]byte(text)) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 3 {
				for _, text := range texts {
					want, got := terms(theirs, text), terms(ours, text)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%q:\n got %q\nwant %q", text, got, want)
						return
					}
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
