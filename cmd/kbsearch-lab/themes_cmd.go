package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/cmd/internal/demosite"
	"github.com/kbsearch/kbsearch/crawler/extract"
	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

type evalThemesFlags struct {
	sets     []string
	taxonomy string
	demo     bool
	misses   bool
	format   string
	phrases  bool
	cv       int
}

func newEvalThemesCmd(g *globals) *cobra.Command {
	var f evalThemesFlags
	cmd := &cobra.Command{
		Use:   "eval-themes",
		Short: "Score the theme tagger against labelled passages: precision, recall, F1",
		Long: `eval-themes tags every passage of one or more labelled sets (--set, in the
format of indexer/taxonomy/testdata/themes-dev.txt) with the taxonomy and
prints precision, recall and F1 per theme and micro-averaged, for each set and,
with several sets, for all together. --demo also scores the documents of the
built-in demo portal against the themes their content files intend, extracted
as the crawler would, first from their text alone and then with the site's
structure (each document borrowing its meeting page's title) and URL rules.

The tagger's model learns from the labelled passages embedded in the binary
(the training, dev and test sets of indexer/taxonomy/testdata); a set scored
here is always held out: the model is retrained without its passages first.
--cv K scores the given sets together by K-fold cross-validation instead
(each fold tagged by a model trained on the other folds and on the embedded
passages not in the given sets). --phrases-only scores the phrase rules
without the model. Nothing is fetched from the network.`,
		Example: `  kbsearch-lab eval-themes --set indexer/taxonomy/testdata/themes-dev.txt --set indexer/taxonomy/testdata/themes-test.txt
  kbsearch-lab eval-themes --demo --misses
  kbsearch-lab eval-themes --cv 10 --set indexer/taxonomy/testdata/themes-train.txt --set indexer/taxonomy/testdata/themes-dev.txt --set indexer/taxonomy/testdata/themes-test.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvalThemes(cmd.Context(), g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.sets, "set", nil, "labelled set file (repeatable)")
	fl.StringVar(&f.taxonomy, "taxonomy", "", "theme taxonomy JSON file replacing the built-in one")
	fl.BoolVar(&f.demo, "demo", false, "also score the demo portal's documents against their intended themes")
	fl.BoolVar(&f.misses, "misses", false, "list the passages the tagger gets wrong, with the reasons of extra themes")
	fl.StringVar(&f.format, "format", "table", "output format: table or json")
	fl.BoolVar(&f.phrases, "phrases-only", false, "score the phrase rules alone, without the model")
	fl.IntVar(&f.cv, "cv", 0, "score the given sets together by K-fold cross-validation (K >= 2)")
	return cmd
}

// themeReport is one scored set, as --format json prints it.
type themeReport struct {
	Name       string               `json:"name"`
	Evaluation *taxonomy.Evaluation `json:"evaluation"`
}

func runEvalThemes(ctx context.Context, g *globals, f evalThemesFlags) error {
	if len(f.sets) == 0 && !f.demo {
		return errors.New("eval-themes: give at least one --set FILE, or --demo")
	}
	if f.format != "table" && f.format != "json" {
		return fmt.Errorf("eval-themes: --format %q: want table or json", f.format)
	}
	if f.cv != 0 && (f.cv < 2 || len(f.sets) == 0 || f.phrases) {
		return fmt.Errorf("eval-themes: --cv %d: want K >= 2, with --set and without --phrases-only", f.cv)
	}
	tax, err := loadTaxonomy(f.taxonomy)
	if err != nil {
		return err
	}
	type named struct {
		name    string
		samples []taxonomy.Sample
	}
	var sets []named
	var all []taxonomy.Sample
	for _, path := range f.sets {
		s, err := taxonomy.LoadSamples(path)
		if err != nil {
			return err
		}
		sets = append(sets, named{path, s})
		all = append(all, s...)
	}
	if f.cv != 0 {
		ev, err := tax.CrossValidate(all, heldOut(taxonomy.TrainingSamples(), all), f.cv)
		if err != nil {
			return err
		}
		if !f.misses {
			ev.Misses = nil
		}
		return writeThemeReports(g, f, []themeReport{{Name: fmt.Sprintf("%d-fold cross-validation over %d passages", f.cv, len(all)), Evaluation: ev}})
	}
	if len(sets) > 1 {
		sets = append(sets, named{"all sets together", all})
	}
	if f.demo {
		plain, structured, err := demoSamples(ctx)
		if err != nil {
			return err
		}
		sets = append(sets, named{"demo portal: text only", plain}, named{"demo portal: text, meeting page and URL rules", structured})
	}
	var reports []themeReport
	for _, s := range sets {
		// Hold the set out of the model's training.
		t := tax.WithTraining(heldOut(taxonomy.TrainingSamples(), s.samples))
		if f.phrases {
			t = tax.WithTraining(nil)
		}
		ev, err := t.Evaluate(s.samples)
		if err != nil {
			return err
		}
		if !f.misses {
			ev.Misses = nil
		}
		reports = append(reports, themeReport{Name: s.name, Evaluation: ev})
	}
	return writeThemeReports(g, f, reports)
}

// heldOut returns the samples of train whose id is not that of a sample of
// set.
func heldOut(train, set []taxonomy.Sample) []taxonomy.Sample {
	ids := make(map[string]bool, len(set))
	for _, s := range set {
		ids[s.ID] = true
	}
	out := make([]taxonomy.Sample, 0, len(train))
	for _, s := range train {
		if !ids[s.ID] {
			out = append(out, s)
		}
	}
	return out
}

func writeThemeReports(g *globals, f evalThemesFlags, reports []themeReport) error {
	if f.format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reports)
	}
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(g.stdout)
		}
		fmt.Fprintf(g.stdout, "== %s\n", r.Name)
		if err := r.Evaluation.WriteTable(g.stdout); err != nil {
			return err
		}
		if f.misses {
			if err := r.Evaluation.WriteMisses(g.stdout); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoBase is the made-up origin the demo portal's pages are read from; no
// request leaves the process.
const demoBase = "http://demo.invalid"

// demoSamples reads every document the demo portal lists through its
// handler, in process, extracts it as the crawler would and returns it as
// labelled samples with the themes its content file intends: once with the
// text alone, once with the URL and the title of the meeting page that owns
// it (indexer.Site).
func demoSamples(ctx context.Context) (plain, structured []taxonomy.Sample, err error) {
	site, err := demosite.New()
	if err != nil {
		return nil, nil, err
	}
	h := site.Handler()
	docs := site.Documents()
	recs := make([]*store.Record, len(docs))
	var st indexer.Site
	for i, d := range docs {
		u := demoBase + d.Path
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		rw := httptest.NewRecorder()
		h.ServeHTTP(rw, req)
		res := rw.Result()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			return nil, nil, fmt.Errorf("eval-themes: demo portal: %s: status %d", d.Path, res.StatusCode)
		}
		base, _ := url.Parse(u)
		page, err := extract.Extract(ctx, body, res.Header.Get("Content-Type"), base, extract.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("eval-themes: demo portal: %s: %w", d.Path, err)
		}
		recs[i] = &store.Record{URL: u, FinalURL: u, Status: http.StatusOK, Page: page}
		st.Add(recs[i])
	}
	for i, d := range docs {
		p := recs[i].Page
		title := strings.TrimSpace(p.Title)
		if title == "" {
			title = recs[i].URL
		}
		s := taxonomy.Sample{ID: d.Path, Title: title, Body: p.Text, Themes: d.Themes, Style: d.Type}
		plain = append(plain, s)
		s.URL = recs[i].URL
		s.Meeting = st.MeetingOf(recs[i])
		structured = append(structured, s)
	}
	return plain, structured, nil
}
