package taxonomy

import (
	"slices"
	"strings"
	"testing"
)

// A passage about the digital divide that names none of social inclusion's
// phrases: the rules miss it, the model does not.
const paraphrase = `Pupils from low-income households and from remote villages were the
ones who could not follow lessons from home: many families had no computer
and only a parent's phone to connect. The region will lend laptops to these
pupils and pay for their internet connection, starting with the poorest
municipalities, so that where a child lives and what the parents earn no
longer decide whether the child can take part in online lessons.`

func TestModelAddsParaphrase(t *testing.T) {
	tax := Default()
	phrases := tax.WithTraining(nil)
	if got := themeIDs(phrases.Tag("Devices for every pupil", paraphrase)); slices.Contains(got, "social-inclusion") {
		t.Fatalf("the phrase rules alone give %v: the passage is no paraphrase", got)
	}
	ms := tax.Tag("Devices for every pupil", paraphrase)
	i := slices.IndexFunc(ms, func(m Match) bool { return m.Theme == "social-inclusion" })
	if i < 0 {
		t.Fatalf("Tag() = %v, want social-inclusion from the model", themeIDs(ms))
	}
	m := ms[i]
	if m.Confidence < defaultModel.Tau || m.Score < 1 || len(m.Learned) == 0 || len(m.Phrases) != 0 {
		t.Errorf("model match %+v: want confidence >= %v, score >= 1, learned terms, no phrases", m, defaultModel.Tau)
	}
	if len(m.Reasons) != 2 || !strings.HasPrefix(m.Reasons[0], "model: 0.") || !strings.HasPrefix(m.Reasons[1], "learned: \"") {
		t.Errorf("reasons %q: want a model confidence and the learned terms", m.Reasons)
	}
}

func TestModelVetoesAGenericWord(t *testing.T) {
	// One mention of "robots" in a text about something else: the rules
	// alone give emerging technologies, the model does not support it.
	body := `Our distribution centre handles 40,000 orders a day and employs 300 people
on three shifts. Since the spring, robots bring the shelves to the pickers. We
are hiring forklift drivers and shift supervisors, with a bonus for night work
and free parking; apply through the vacancies page before the end of the month.`
	if got := themeIDs(Default().WithTraining(nil).Tag("Work at the warehouse", body)); !slices.Contains(got, "emerging-tech") {
		t.Fatalf("phrase rules give %v, want emerging-tech (the test's premise)", got)
	}
	if got := themeIDs(Default().Tag("Work at the warehouse", body)); slices.Contains(got, "emerging-tech") {
		t.Errorf("Tag() = %v: a single generic word without the model's support", got)
	}
}

func TestModelAbstains(t *testing.T) {
	tax := Default()
	tests := []struct {
		name, title, body string
	}{
		{"short text", "Devices", "Laptops for poor pupils."},
		{"another language", "Geräte für alle", strings.Repeat("Die Schülerinnen und Schüler aus einkommensschwachen Familien bekommen Laptops und einen Internetzugang. ", 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range tax.Tag(tt.title, tt.body) {
				if m.Confidence != 0 || len(m.Learned) > 0 {
					t.Errorf("theme %s: confidence %v, learned %q; want the model to abstain", m.Theme, m.Confidence, m.Learned)
				}
			}
		})
	}
}

func TestModelDeterministic(t *testing.T) {
	a := Default().WithTraining(TrainingSamples()).model()
	b := Default().WithTraining(TrainingSamples()).model()
	if !slices.Equal(a.w, b.w) || !slices.Equal(a.bias, b.bias) || !slices.Equal(a.names, b.names) {
		t.Error("two trainings on the same passages gave different models")
	}
}

func TestModelFollowsTheTaxonomy(t *testing.T) {
	// A user's taxonomy: labels of themes it lacks are ignored, and a theme
	// without labelled passages learns from its description alone.
	tax, err := Parse([]byte(`{"themes":[
		{"id":"social-inclusion","label":"Social inclusion","description":"The digital divide and disadvantaged learners.","phrases":["digital divide"]},
		{"id":"space","label":"Space","description":"Astronomy, planets and telescopes in schools.","phrases":["outer space"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	md := tax.model()
	if md == nil || md.themes != 2 || !md.active[0] || !md.active[1] {
		t.Fatalf("model %+v: want two active themes", md)
	}
	if got := themeIDs(tax.Tag("Devices for every pupil", paraphrase)); !slices.Equal(got, []string{"social-inclusion"}) {
		t.Errorf("Tag() = %v, want [social-inclusion]", got)
	}
	// Without training passages, the rules alone.
	if tax.WithTraining(nil).model() != nil {
		t.Error("WithTraining(nil) has a model")
	}
}

func TestCrossValidate(t *testing.T) {
	dev := loadSet(t, "themes-dev.txt")
	train := loadSet(t, "themes-train.txt")
	ev, err := Default().CrossValidate(dev, train, 5)
	if err != nil {
		t.Fatal(err)
	}
	labels := 0
	for _, s := range dev {
		labels += len(s.Themes)
	}
	if ev.Samples != len(dev) || ev.Micro.Support != labels {
		t.Errorf("cross-validation scored %d samples and %d labels, want %d and %d", ev.Samples, ev.Micro.Support, len(dev), labels)
	}
	if ev.Micro.F1 < minMicroF1 {
		t.Errorf("cross-validated micro-F1 on the dev set = %.3f, want at least %.2f", ev.Micro.F1, minMicroF1)
	}
	if _, err := Default().CrossValidate(dev[:3], nil, 5); err == nil {
		t.Error("5 folds of 3 samples: want an error")
	}
}
