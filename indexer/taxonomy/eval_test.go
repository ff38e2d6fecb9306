package taxonomy

import (
	"bytes"
	"flag"
	"path/filepath"
	"testing"
)

var showMisses = flag.Bool("misses", false, "TestThemeQuality: log every sample the tagger gets wrong")

// Quality gate of the default taxonomy on the labelled sets in testdata.
const (
	minMicroF1 = 0.85
	minThemeF1 = 0.70
)

func loadSet(t *testing.T, name string) []Sample {
	t.Helper()
	s, err := LoadSamples(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// without returns the samples of all whose id is not that of a sample of
// set.
func without(all, set []Sample) []Sample {
	ids := make(map[string]bool, len(set))
	for _, s := range set {
		ids[s.ID] = true
	}
	var out []Sample
	for _, s := range all {
		if !ids[s.ID] {
			out = append(out, s)
		}
	}
	return out
}

// TestThemeQuality is a quality gate, not a timing test: it fails when the
// default taxonomy's micro-averaged F1 falls below 0.85 on the dev set, the
// held-out test set or both together, or when a theme's F1 falls below 0.70
// on the dev set or on both together. The model is trained without the set
// it is scored on. A theme's F1 on the test set alone
// (two to four positives per theme) is logged but not gated: one passage
// moves it by 0.2 or more. Run with -v to see the tables, -misses for the
// samples the tagger gets wrong.
func TestThemeQuality(t *testing.T) {
	dev, test := loadSet(t, "themes-dev.txt"), loadSet(t, "themes-test.txt")
	sets := []struct {
		name       string
		samples    []Sample
		gateThemes bool
	}{
		{"dev", dev, true},
		{"test", test, false},
		{"all", append(append([]Sample{}, dev...), test...), true},
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			// The model learns from the embedded sets: hold this one out.
			ev, err := Default().WithTraining(without(TrainingSamples(), set.samples)).Evaluate(set.samples)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			ev.WriteTable(&b)
			if *showMisses {
				ev.WriteMisses(&b)
			}
			t.Logf("%s set:\n%s", set.name, b.String())
			if ev.Micro.F1 < minMicroF1 {
				t.Errorf("micro-F1 = %.3f, want at least %.2f", ev.Micro.F1, minMicroF1)
			}
			for _, s := range ev.Themes {
				if set.gateThemes && s.Support > 0 && s.F1 < minThemeF1 {
					t.Errorf("theme %s: F1 = %.3f, want at least %.2f", s.Theme, s.F1, minThemeF1)
				}
			}
		})
	}
}
