package indexer

import (
	"fmt"
	"maps"
	"slices"

	"github.com/blevesearch/bleve/v2"
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
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/kbsearch/kbsearch/indexer/lang"
)

// Names of the analyzers and of the fields that only the index uses.
const (
	AnalyzerText    = "kb_en"      // English as bleve's "en" analyzer: possessives, lower case, stop words, porter stemming (remembered)
	AnalyzerKeyword = "kb_keyword" // the whole value as one lower-case term
	// AnalyzerWords makes the lower-case words of a text, without stop
	// words (of the languages with text fields) or words under 3 letters,
	// unstemmed: the vocabulary that suggestions complete from.
	AnalyzerWords = "kb_words"

	// FieldSource holds the Document's metadata as JSON (all but Body),
	// stored and not indexed, so a hit or a document can be rebuilt.
	FieldSource = "source"
	// FieldSummary holds the first words of Body, stored and not indexed,
	// for a hit's snippet when no query term can be highlighted.
	FieldSummary = "summary"
	// FieldPageStarts holds Document.PageStarts as space-separated
	// offsets, stored and not indexed.
	FieldPageStarts = "page_starts"
	// FieldTranslations holds Document.Translations as JSON, stored and not
	// indexed, for hits.
	FieldTranslations = "translations"

	docType = "doc"
)

// TextLangs are the languages with text fields of their own (title_fr,
// body_fr, ...), analysed by bleve's analyzer of that language, whose name
// is the language code. English and every other language use title and
// body. The mapping package blank-imports these analyzers, so every binary
// that opens an index registers them.
var TextLangs = []string{lang.French, lang.German, lang.Italian, lang.Spanish, lang.Portuguese, lang.Dutch}

// TextLang returns the text-field language of a document language: the
// code itself for one of TextLangs, "" (the English fields) otherwise.
func TextLang(docLang string) string {
	for _, l := range TextLangs {
		if l == docLang {
			return l
		}
	}
	return ""
}

// TitleField and BodyField name the text fields of a text-field language
// (see TextLang): "title" and "body" for "", "title_fr" and "body_fr" for
// "fr".
func TitleField(textLang string) string {
	if textLang == "" {
		return FieldTitle
	}
	return FieldTitle + "_" + textLang
}

// BodyField: see TitleField.
func BodyField(textLang string) string {
	if textLang == "" {
		return FieldBody
	}
	return FieldBody + "_" + textLang
}

// AnalyzerFor names the analyzer of a text-field language's fields.
func AnalyzerFor(textLang string) string {
	if textLang == "" {
		return AnalyzerText
	}
	return textLang
}

// NewMapping returns the bleve mapping of a kbsearch index: English analysis
// for title and body, and each of TextLangs's analyzers for its own
// title_xx and body_xx (all stored, with term vectors for highlighting), lower-case
// keyword fields for facets and filters, a datetime field for dates, and the
// token counts that ranking needs. Nothing goes into _all.
func NewMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	err := im.AddCustomAnalyzer(AnalyzerKeyword, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	// bleve's English analyzer, with a stemmer that remembers recent stems
	// (stem.go), lower-casing first (the possessive filter ignores case), so
	// that the words analyzer below shares that step (Writer.shareTokens);
	// TestEnglishAnalyzer checks the terms are the same.
	err = im.AddCustomAnalyzer(AnalyzerText, map[string]any{
		"type":          custom.Name,
		"tokenizer":     tokenizerName,
		"token_filters": []string{lowercase.Name, en.PossessiveName, en.StopName, stemCacheName},
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	if err := im.AddCustomTokenFilter("kb_min3", map[string]any{"type": length.Name, "min": 3.0}); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	// One stop filter over the union of the languages' lists removes what
	// seven filters in a row would, with one lookup per token.
	stops, err := stopUnion(en.StopName, fr.StopName, de.StopName, it.StopName, es.StopName, pt.StopName, nl.StopName)
	if err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	if err := im.AddCustomTokenMap("kb_stop_words", map[string]any{"type": tokenmap.Name, "tokens": stops}); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	if err := im.AddCustomTokenFilter("kb_stop", map[string]any{"type": stop.Name, "stop_token_map": "kb_stop_words"}); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	// The length filter runs before the stop filter (both only remove
	// tokens, so the order changes nothing): a word of one or two letters
	// then costs no lookup.
	err = im.AddCustomAnalyzer(AnalyzerWords, map[string]any{
		"type":          custom.Name,
		"tokenizer":     tokenizerName,
		"token_filters": []string{lowercase.Name, elisionName, "kb_min3", "kb_stop"},
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	im.DefaultAnalyzer = AnalyzerText
	im.DefaultType = docType
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	// No field has doc values: the Reader's facet columns and dates come
	// from the postings, once per generation (MappingVersion 11).
	keyword := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = AnalyzerKeyword
		f.Store = true
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}

	dm := bleve.NewDocumentStaticMapping()
	for _, l := range append([]string{""}, TextLangs...) {
		dm.AddFieldMappingsAt(TitleField(l), text(AnalyzerFor(l), true))
		// Bodies live in the text store (see TextWriter), read by range.
		dm.AddFieldMappingsAt(BodyField(l), text(AnalyzerFor(l), false))
	}
	for _, name := range []string{FieldType, FieldYear, FieldKind, FieldPlace, FieldCountry, FieldLang, FieldThemes} {
		dm.AddFieldMappingsAt(name, keyword())
	}
	dm.AddFieldMappingsAt(FieldURL, keyword())

	date := bleve.NewDateTimeFieldMapping()
	date.Store = true
	date.IncludeInAll = false
	date.DocValues = false
	dm.AddFieldMappingsAt(FieldDate, date)

	// plain: a text field without term vectors, doc values or _all.
	plain := func(analyzer string, index, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Index, f.Store = index, store
		f.IncludeInAll, f.IncludeTermVectors, f.DocValues = false, false, false
		return f
	}

	src := plain("", false, true)
	dm.AddFieldMappingsAt(FieldSource, src)
	dm.AddFieldMappingsAt(FieldSummary, src)
	dm.AddFieldMappingsAt(FieldPageStarts, src)
	dm.AddFieldMappingsAt(FieldTranslations, src)

	im.AddDocumentMapping(docType, dm)
	im.DefaultMapping = bleve.NewDocumentDisabledMapping()
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	return im, nil
}

// stopUnion returns the words of bleve's stop-word maps of the given
// names, each once, sorted.
func stopUnion(names ...string) ([]any, error) {
	c := registry.NewCache()
	seen := make(map[string]bool)
	for _, name := range names {
		tm, err := c.TokenMapNamed(name)
		if err != nil {
			return nil, err
		}
		for w := range tm {
			seen[w] = true
		}
	}
	words := slices.Sorted(maps.Keys(seen))
	out := make([]any, len(words))
	for i, w := range words {
		out[i] = w
	}
	return out, nil
}

// TokenCount returns the number of tokens the named analyzer makes of text.
func TokenCount(im mapping.IndexMapping, analyzerName, text string) int {
	if text == "" {
		return 0
	}
	a := im.AnalyzerNamed(analyzerName)
	if a == nil {
		return 0
	}
	return len(a.Analyze([]byte(text)))
}
