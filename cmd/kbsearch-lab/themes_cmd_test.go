package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestEvalThemes(t *testing.T) {
	const dev = "../../indexer/taxonomy/testdata/themes-dev.txt"
	const test = "../../indexer/taxonomy/testdata/themes-test.txt"

	t.Run("table for two sets", func(t *testing.T) {
		out := runCmd(t, "eval-themes", "--set", dev, "--set", test)
		for _, want := range []string{"== " + dev, "== " + test, "== all sets together", "micro-average", "byod", "self-assessment", "100 samples", "40 samples", "140 samples"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("json with the demo portal", func(t *testing.T) {
		if testing.Short() {
			t.Skip("renders and extracts the whole demo portal")
		}
		out := runCmd(t, "eval-themes", "--demo", "--format", "json", "--misses")
		var reports []struct {
			Name       string `json:"name"`
			Evaluation struct {
				Samples int `json:"samples"`
				Micro   struct {
					F1 float64 `json:"f1"`
				} `json:"micro"`
				Themes []struct {
					Theme string `json:"theme"`
				} `json:"themes"`
			} `json:"evaluation"`
		}
		if err := json.Unmarshal([]byte(out), &reports); err != nil {
			t.Fatalf("json output: %v\n%s", err, out)
		}
		if len(reports) != 2 {
			t.Fatalf("got %d reports, want text-only and structured", len(reports))
		}
		for _, r := range reports {
			// The demo's themes were written by its authors, not as careful
			// labels: this checks the pipeline, with a loose floor.
			if r.Evaluation.Samples < 50 || len(r.Evaluation.Themes) != 15 || r.Evaluation.Micro.F1 < 0.7 {
				t.Errorf("%s: %d samples, %d themes, micro-F1 %.3f; want >= 50, 15, >= 0.7",
					r.Name, r.Evaluation.Samples, len(r.Evaluation.Themes), r.Evaluation.Micro.F1)
			}
		}
	})

	errs := []struct {
		name string
		args []string
		want string
	}{
		{"no set", []string{"eval-themes"}, "at least one --set"},
		{"missing file", []string{"eval-themes", "--set", "no-such-file.txt"}, "no-such-file.txt"},
		{"bad format", []string{"eval-themes", "--set", dev, "--format", "xml"}, `--format "xml"`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code == 0 {
				t.Fatalf("exit 0, want an error; stdout:\n%s", stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.want)
			}
		})
	}
}
