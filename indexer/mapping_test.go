package indexer

import (
	"reflect"
	"testing"
)

func TestWordsAnalyzer(t *testing.T) {
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
