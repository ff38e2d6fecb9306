package indexer

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
)

func TestTokenFrequenciesAsBleve(t *testing.T) {
	im, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := im.AnalyzerNamed(AnalyzerText)
	withVectors := index.IndexField | index.IncludeTermVectors
	texts := []string{
		"",
		"the",
		"Teachers train teachers; training of teachers and trainers, in 2016 and 2016.",
		"Le groupe a examiné les ressources éducatives libres et l'évaluation numérique.",
	}
	r := rand.New(rand.NewPCG(3, 4))
	vocab := []string{"data", "learning", "analytics", "coding", "school", "device", "x", "teacher"}
	for range 200 {
		var b []byte
		for range r.IntN(300) {
			b = append(b, vocab[r.IntN(len(vocab))]...)
			b = append(b, ' ')
		}
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		for _, opts := range []index.FieldIndexingOptions{withVectors, index.IndexField, withVectors | index.SkipFreqNorm} {
			want := analysis.TokenFrequency(a.Analyze([]byte(text)), nil, opts)
			got, size := tokenFrequencies(a.Analyze([]byte(text)), opts)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q, options %v: got %d terms, want %d (or their counts or locations differ)", text, opts, len(got), len(want))
			}
			if size >= 0 && size != want.Size() {
				t.Fatalf("%q, options %v: size %d, bleve's Size %d", text, opts, size, want.Size())
			}
		}
	}
}
