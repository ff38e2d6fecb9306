package taxonomy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// ErrInvalid is wrapped by every error Parse returns for a taxonomy that is
// not valid JSON or breaks a rule.
var ErrInvalid = errors.New("invalid taxonomy")

// Theme is one theme of the taxonomy.
type Theme struct {
	ID          string `json:"id"` // lower-case letters, digits and hyphens
	Label       string `json:"label"`
	Description string `json:"description"`
	// Phrases are strong signals: multi-word phrases and unambiguous terms.
	Phrases []string `json:"phrases"`
	// Synonyms are alternative names and acronyms ("OER", "BYOD"), used for
	// tagging like phrases and offered for query expansion.
	Synonyms []string `json:"synonyms"`
	// Weak terms are ambiguous ("assessment"): they count only beside a
	// strong signal, or when weak terms are repeated.
	Weak []string `json:"weak,omitempty"`
	// URLs are rules on the URL path: a document whose path matches one
	// gets the theme whatever its text says. A rule is a glob matched
	// against the whole lower-cased path, '*' standing for any run of
	// characters ('/' included) and '?' for one: "*/byod/*",
	// "/meetings/*-learning-analytics*".
	URLs []string `json:"urls,omitempty"`
	// Labels holds translated labels keyed by language code ("fr", "de").
	Labels map[string]string `json:"labels,omitempty"`
	// Langs holds phrases and synonyms in other languages, keyed by
	// language code: they count (as strong signals) only in documents of
	// that language, while Phrases and Synonyms count in every document.
	Langs map[string]LangTerms `json:"langs,omitempty"`
}

// LangTerms are a theme's phrases and synonyms in one language.
type LangTerms struct {
	Phrases  []string `json:"phrases,omitempty"`
	Synonyms []string `json:"synonyms,omitempty"`
}

// Taxonomy is a versioned list of themes. Build one with Default, Parse or
// Load and treat it as read-only: the phrase tables are compiled when it is
// parsed, and editing Themes afterwards does not update them.
type Taxonomy struct {
	Version string  `json:"version"`
	Themes  []Theme `json:"themes"`

	m *matcher // compiled phrases; nil for a Taxonomy built by hand

	// training are the labelled passages the model learns from (nil: the
	// phrase rules alone); the model is trained on first use.
	training []Sample
	mopts    modelOptions
	lazy     *lazyModel
}

// lazyModel is a taxonomy's model, trained once on first use.
type lazyModel struct {
	once sync.Once
	md   *model
}

// model returns the taxonomy's trained model, training it now if needed,
// or nil for a taxonomy without training passages.
func (t *Taxonomy) model() *model {
	if t.lazy == nil || len(t.training) == 0 || t.mopts.Off {
		return nil
	}
	t.lazy.once.Do(func() { t.lazy.md = trainModel(t.matcher(), t.Themes, t.training, t.mopts) })
	return t.lazy.md
}

// WithTraining returns a copy of t whose model learns from samples instead
// of the labelled passages embedded in the binary (TrainingSamples); labels
// of themes t lacks are ignored. With no samples the copy tags by the
// phrase rules alone. The model is trained on the copy's first use.
func (t *Taxonomy) WithTraining(samples []Sample) *Taxonomy {
	return t.withModel(samples, t.modelOptions())
}

func (t *Taxonomy) withModel(samples []Sample, opts modelOptions) *Taxonomy {
	c := *t
	c.m = t.matcher()
	c.training = samples
	c.mopts = opts
	c.lazy = &lazyModel{}
	return &c
}

func (t *Taxonomy) modelOptions() modelOptions {
	if t.lazy == nil {
		return defaultModel
	}
	return t.mopts
}

// The labelled passages every parsed taxonomy's model learns from: the
// training set written for the model and the dev and test sets. The blind
// set (testdata/themes-blind.txt) is never trained on.
//
//go:embed testdata/themes-train.txt
var trainSet []byte

//go:embed testdata/themes-dev.txt
var devSet []byte

//go:embed testdata/themes-test.txt
var testSet []byte

var trainingSamples = sync.OnceValue(func() []Sample {
	var out []Sample
	for _, data := range [][]byte{trainSet, devSet, testSet} {
		s, err := ReadSamples(bytes.NewReader(data))
		if err != nil {
			// Checked by the tests: a build defect, not bad input.
			panic("taxonomy: embedded labelled set: " + err.Error())
		}
		out = append(out, s...)
	}
	return out
})

// TrainingSamples returns the labelled passages embedded in the binary
// that the model of a parsed taxonomy learns from (training, dev and test
// sets). The slice is the caller's; the samples are shared.
func TrainingSamples() []Sample { return slices.Clone(trainingSamples()) }

//go:embed default.json
var defaultJSON []byte

// defaultTaxonomy is parsed on first use: parsing stems every phrase
// (about 30 ms), which commands that never tag (crawl, the PDF workers)
// should not pay at start-up.
var defaultTaxonomy = sync.OnceValue(func() *Taxonomy { return mustParse(defaultJSON) })

func mustParse(data []byte) *Taxonomy {
	t, err := Parse(data)
	if err != nil {
		// The embedded file is checked by the tests, so this is a build
		// defect, not bad input.
		panic("taxonomy: embedded default.json: " + err.Error())
	}
	return t
}

// Default returns the taxonomy embedded in the binary. It is shared: do not
// modify it.
func Default() *Taxonomy { return defaultTaxonomy() }

// Load reads and parses the taxonomy file at path.
func Load(path string) (*Taxonomy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: load: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: load %s: %w", path, err)
	}
	return t, nil
}

// Parse reads a taxonomy from JSON and validates it: at least one theme;
// unique, non-empty ids of lower-case letters, digits and hyphens; a label
// and at least one phrase for each theme; no phrase, synonym or weak term
// without a word in it. Unknown fields are rejected, so a misspelt key does
// not silently drop a list. Errors wrap ErrInvalid and name the theme.
func Parse(data []byte) (*Taxonomy, error) {
	var t Taxonomy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the top-level object", ErrInvalid)
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	t.m = compile(t.Themes)
	t.training = trainingSamples()
	t.mopts = defaultModel
	t.lazy = &lazyModel{}
	return &t, nil
}

func (t *Taxonomy) validate() error {
	if len(t.Themes) == 0 {
		return fmt.Errorf("%w: no themes", ErrInvalid)
	}
	seen := make(map[string]int, len(t.Themes))
	for i, th := range t.Themes {
		name := fmt.Sprintf("theme %d (%q)", i+1, th.ID)
		if th.ID == "" {
			return fmt.Errorf("%w: %s: empty id", ErrInvalid, name)
		}
		if !validID(th.ID) {
			return fmt.Errorf("%w: %s: id must be lower-case letters, digits and hyphens", ErrInvalid, name)
		}
		if j, dup := seen[th.ID]; dup {
			return fmt.Errorf("%w: %s: duplicate id (also theme %d)", ErrInvalid, name, j+1)
		}
		seen[th.ID] = i
		if strings.TrimSpace(th.Label) == "" {
			return fmt.Errorf("%w: %s: empty label", ErrInvalid, name)
		}
		if len(th.Phrases) == 0 {
			return fmt.Errorf("%w: %s: no phrases", ErrInvalid, name)
		}
		lists := []struct {
			what  string
			items []string
		}{{"phrase", th.Phrases}, {"synonym", th.Synonyms}, {"weak term", th.Weak}}
		for _, l := range lists {
			for k, p := range l.items {
				if len(tokenStrings(p)) == 0 {
					return fmt.Errorf("%w: %s: %s %d (%q) has no word in it", ErrInvalid, name, l.what, k+1, p)
				}
			}
		}
		for k, r := range th.URLs {
			if why := validRule(r); why != "" {
				return fmt.Errorf("%w: %s: url rule %d (%q) %s", ErrInvalid, name, k+1, r, why)
			}
		}
		for lang, lt := range th.Langs {
			if !validLang(lang) {
				return fmt.Errorf("%w: %s: phrase language %q is not a lower-case language code", ErrInvalid, name, lang)
			}
			for k, p := range append(slices.Clone(lt.Phrases), lt.Synonyms...) {
				if len(tokenStrings(p)) == 0 {
					return fmt.Errorf("%w: %s: %s phrase %d (%q) has no word in it", ErrInvalid, name, lang, k+1, p)
				}
			}
		}
		for lang, label := range th.Labels {
			if !validLang(lang) {
				return fmt.Errorf("%w: %s: label language %q is not a lower-case language code", ErrInvalid, name, lang)
			}
			if strings.TrimSpace(label) == "" {
				return fmt.Errorf("%w: %s: empty %q label", ErrInvalid, name, lang)
			}
		}
	}
	return nil
}

func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return id != ""
}

// validLang accepts "fr", "de", "pt-br": two or three letters, optionally a
// hyphenated region.
func validLang(lang string) bool {
	base, region, _ := strings.Cut(lang, "-")
	if len(base) < 2 || len(base) > 3 {
		return false
	}
	for _, c := range base + region {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Theme returns the theme with the given id.
func (t *Taxonomy) Theme(id string) (Theme, bool) {
	for _, th := range t.Themes {
		if th.ID == id {
			return th, true
		}
	}
	return Theme{}, false
}

// Label returns the label of the theme with the given id, or the id itself
// if there is no such theme.
func (t *Taxonomy) Label(id string) string {
	if th, ok := t.Theme(id); ok {
		return th.Label
	}
	return id
}

// LabelIn returns the label of the theme with the given id in language
// lang: its translated label if it has one, else its label, else the id.
func (t *Taxonomy) LabelIn(id, lang string) string {
	if th, ok := t.Theme(id); ok {
		if l := th.Labels[lang]; l != "" {
			return l
		}
		return th.Label
	}
	return id
}

// matcher returns the compiled phrase tables, compiling them now for a
// Taxonomy that did not come from Parse.
func (t *Taxonomy) matcher() *matcher {
	if t.m != nil {
		return t.m
	}
	return compile(t.Themes)
}
