package taxonomy

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// Score is precision, recall and F1 over a set of yes/no decisions.
type Score struct {
	Theme     string  `json:"theme,omitempty"` // theme id; empty for the micro-average
	Support   int     `json:"support"`         // labelled positives (TP + FN)
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func (s *Score) finish() {
	s.Support = s.TP + s.FN
	s.Precision, s.Recall, s.F1 = ratio(s.TP, s.TP+s.FP), ratio(s.TP, s.TP+s.FN), ratio(2*s.TP, 2*s.TP+s.FP+s.FN)
}

// ratio is a/b, and 1 when b is 0: nothing to find and nothing claimed is
// not an error.
func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Miss is one sample the tagger got wrong.
type Miss struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Want  []string `json:"want"`
	Got   []string `json:"got"`
	// Missing are labelled themes the tagger did not give; Extra are
	// themes it gave that the label does not have, with their reasons.
	Missing []string            `json:"missing,omitempty"`
	Extra   map[string][]string `json:"extra,omitempty"`
}

// Evaluation compares the tagger's themes with labelled ones.
type Evaluation struct {
	Samples int     `json:"samples"`
	Themes  []Score `json:"themes"` // one per theme of the taxonomy, in its order
	Micro   Score   `json:"micro"`  // pooled over every (sample, theme) decision
	MacroF1 float64 `json:"macro_f1"`
	Misses  []Miss  `json:"misses,omitempty"`
}

// Evaluate tags every sample and scores the result against its labels, per
// theme and micro-averaged (TP, FP and FN pooled over all themes). A sample
// labelled with a theme the taxonomy lacks is an error, so a renamed theme
// cannot silently score zero.
func (t *Taxonomy) Evaluate(samples []Sample) (*Evaluation, error) {
	index := make(map[string]int, len(t.Themes))
	ev := &Evaluation{Samples: len(samples), Themes: make([]Score, len(t.Themes))}
	for i, th := range t.Themes {
		index[th.ID] = i
		ev.Themes[i].Theme = th.ID
	}
	for _, s := range samples {
		for _, id := range s.Themes {
			if _, ok := index[id]; !ok {
				return nil, fmt.Errorf("taxonomy: evaluate: sample %q: unknown theme %q", s.ID, id)
			}
		}
		ms := t.TagDoc(Doc{Title: s.Title, Body: s.Body, URL: s.URL, Meeting: s.Meeting})
		got := make([]string, 0, len(ms))
		for _, m := range ms {
			got = append(got, m.Theme)
		}
		miss := Miss{ID: s.ID, Title: s.Title, Want: slices.Clone(s.Themes), Got: got}
		if miss.Want == nil {
			miss.Want = []string{}
		}
		for _, id := range s.Themes {
			sc := &ev.Themes[index[id]]
			if slices.Contains(got, id) {
				sc.TP++
			} else {
				sc.FN++
				miss.Missing = append(miss.Missing, id)
			}
		}
		for _, m := range ms {
			if !slices.Contains(s.Themes, m.Theme) {
				ev.Themes[index[m.Theme]].FP++
				if miss.Extra == nil {
					miss.Extra = map[string][]string{}
				}
				miss.Extra[m.Theme] = m.Reasons
			}
		}
		if len(miss.Missing) > 0 || len(miss.Extra) > 0 {
			ev.Misses = append(ev.Misses, miss)
		}
	}
	ev.finish()
	return ev, nil
}

// finish computes each theme's scores from its counts, and the micro and
// macro averages over the themes.
func (ev *Evaluation) finish() {
	ev.Micro = Score{}
	var macro float64
	for i := range ev.Themes {
		sc := &ev.Themes[i]
		sc.finish()
		ev.Micro.TP += sc.TP
		ev.Micro.FP += sc.FP
		ev.Micro.FN += sc.FN
		macro += sc.F1
	}
	ev.Micro.finish()
	if len(ev.Themes) > 0 {
		ev.MacroF1 = macro / float64(len(ev.Themes))
	}
}

// CrossValidate scores the taxonomy's model by k-fold cross-validation:
// samples are dealt into k folds in turn (sample i to fold i mod k), each fold
// is tagged by a copy of the taxonomy trained on extra and the other k-1
// folds, and the decisions of all folds are pooled into one Evaluation, as if
// every sample had been held out.
func (t *Taxonomy) CrossValidate(samples, extra []Sample, k int) (*Evaluation, error) {
	return t.crossValidate(samples, extra, k, t.modelOptions())
}

func (t *Taxonomy) crossValidate(samples, extra []Sample, k int, opts modelOptions) (*Evaluation, error) {
	if k < 2 || k > len(samples) {
		return nil, fmt.Errorf("taxonomy: cross-validate: %d folds for %d samples", k, len(samples))
	}
	var total *Evaluation
	for f := range k {
		var fold []Sample
		train := slices.Clone(extra)
		for i, s := range samples {
			if i%k == f {
				fold = append(fold, s)
			} else {
				train = append(train, s)
			}
		}
		ev, err := t.withModel(train, opts).Evaluate(fold)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = ev
			continue
		}
		total.Samples += ev.Samples
		for i := range total.Themes {
			total.Themes[i].TP += ev.Themes[i].TP
			total.Themes[i].FP += ev.Themes[i].FP
			total.Themes[i].FN += ev.Themes[i].FN
		}
		total.Misses = append(total.Misses, ev.Misses...)
	}
	total.finish()
	return total, nil
}

// WriteTable prints the per-theme scores, the micro-average and the
// macro-average F1 as an aligned table.
func (ev *Evaluation) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "theme\tsupport\ttp\tfp\tfn\tprecision\trecall\tf1\t\n")
	row := func(name string, s Score) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", name, s.Support, s.TP, s.FP, s.FN, s.Precision, s.Recall, s.F1)
	}
	for _, s := range ev.Themes {
		row(s.Theme, s)
	}
	row("micro-average", ev.Micro)
	fmt.Fprintf(tw, "macro-average F1\t\t\t\t\t\t\t%.3f\t\n", ev.MacroF1)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d samples\n", ev.Samples)
	return err
}

// WriteMisses prints one line per sample the tagger got wrong: the themes
// it missed and the ones it added, with their reasons.
func (ev *Evaluation) WriteMisses(w io.Writer) error {
	for _, m := range ev.Misses {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %q: want %v got %v", m.ID, m.Title, m.Want, m.Got)
		if len(m.Missing) > 0 {
			fmt.Fprintf(&b, "; missing %v", m.Missing)
		}
		ids := make([]string, 0, len(m.Extra))
		for id := range m.Extra {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Fprintf(&b, "; extra %s (%s)", id, strings.Join(m.Extra[id], ", "))
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}
