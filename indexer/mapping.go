package indexer

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Names of the analyzers and of the fields that only the index uses.
const (
	AnalyzerText    = en.AnalyzerName // English: possessives, lower case, stop words, porter stemming
	AnalyzerKeyword = "kb_keyword"    // the whole value as one lower-case term

	// FieldSource holds the Document's metadata as JSON (all but Body),
	// stored and not indexed, so a hit or a document can be rebuilt.
	FieldSource = "source"
	// FieldTitleLen and FieldBodyLen hold the token counts of Title and Body.
	FieldTitleLen = "title_len"
	FieldBodyLen  = "body_len"
	// FieldSummary holds the first words of Body, stored and not indexed,
	// for a hit's snippet when no query term can be highlighted.
	FieldSummary = "summary"

	docType = "doc"
)

// NewMapping returns the bleve mapping of a kbsearch index: English analysis
// for title and body (stored, with term vectors for highlighting), lower-case
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
	im.DefaultAnalyzer = AnalyzerText
	im.DefaultType = docType
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = AnalyzerText
		f.Store = true
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keyword := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = AnalyzerKeyword
		f.Store = true
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = true
		return f
	}
	number := func() *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Store = true
		f.IncludeInAll = false
		f.DocValues = true
		return f
	}

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(FieldTitle, text())
	dm.AddFieldMappingsAt(FieldBody, text())
	for _, name := range []string{FieldType, FieldYear, FieldKind, FieldPlace, FieldCountry, FieldLang, FieldThemes} {
		dm.AddFieldMappingsAt(name, keyword())
	}
	url := keyword()
	url.DocValues = false
	dm.AddFieldMappingsAt(FieldURL, url)

	date := bleve.NewDateTimeFieldMapping()
	date.Store = true
	date.IncludeInAll = false
	date.DocValues = true
	dm.AddFieldMappingsAt(FieldDate, date)

	dm.AddFieldMappingsAt(FieldTitleLen, number())
	dm.AddFieldMappingsAt(FieldBodyLen, number())

	src := bleve.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.IncludeTermVectors = false
	src.DocValues = false
	dm.AddFieldMappingsAt(FieldSource, src)
	dm.AddFieldMappingsAt(FieldSummary, src)

	im.AddDocumentMapping(docType, dm)
	im.DefaultMapping = bleve.NewDocumentDisabledMapping()
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	return im, nil
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
