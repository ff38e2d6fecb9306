package indexer

import (
	"context"
	"reflect"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/store"
)

func TestTranslations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const host = "https://portal.example/documents/"
	en := "Teachers in the schools we visited use tablets every day. The report describes how the pupils share devices and how the network was planned."
	fr := "Les enseignants des écoles que nous avons visitées utilisent des tablettes chaque jour. Le rapport décrit comment les élèves partagent les appareils."
	de := "Die Lehrkräfte der besuchten Schulen nutzen jeden Tag Tablets. Der Bericht beschreibt, wie die Schülerinnen und Schüler die Geräte teilen."
	recs := []*store.Record{
		htmlRecord(host+"report.pdf", "Report", en),
		htmlRecord(host+"report_fr.html", "Rapport", fr),
		htmlRecord(host+"report_de.html", "Bericht", de),
		// The same language in two formats: not translations of each other.
		htmlRecord(host+"agenda.pdf", "Agenda", en),
		htmlRecord(host+"agenda.html", "Agenda", en),
		// A suffixed document alone.
		htmlRecord(host+"minutes_fr.html", "Procès-verbal", fr),
	}
	for _, r := range recs {
		if l := r.URL[len(r.URL)-8:]; l[:1] == "_" {
			r.Lang = l[1:3] // as the crawler sets it from the URL
		}
		if err := st.Put(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	site, err := ReadSite(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	id := func(u string) string { return DocID(host + u) }
	want := map[string][]Translation{
		"report.pdf":      {{"de", host + "report_de.html", id("report_de.html")}, {"fr", host + "report_fr.html", id("report_fr.html")}},
		"report_fr.html":  {{"de", host + "report_de.html", id("report_de.html")}, {"en", host + "report.pdf", id("report.pdf")}},
		"report_de.html":  {{"en", host + "report.pdf", id("report.pdf")}, {"fr", host + "report_fr.html", id("report_fr.html")}},
		"agenda.pdf":      nil,
		"agenda.html":     nil,
		"minutes_fr.html": nil,
	}
	for u, w := range want {
		if got := site.TranslationsOf(id(u)); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: translations %+v, want %+v", u, got, w)
		}
	}
	d := NewDocumentIn(recs[0], nil, site)
	if len(d.Translations) != 2 || d.Translations[1].Lang != "fr" {
		t.Errorf("document of report.pdf: translations %+v", d.Translations)
	}
}
