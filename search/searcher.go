package search

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	hlhtml "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"

	bsearch "github.com/blevesearch/bleve/v2/search"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

// Options configure a Searcher.
type Options struct {
	Taxonomy   *taxonomy.Taxonomy // labels and known theme ids; default taxonomy.Default()
	Logger     *slog.Logger
	TitleBoost float64 // weight of a title match in bleve's candidate search; default 2
	Ranking    Ranking // the ranking layer; the zero value is the default
}

// Searcher answers Requests over a bleve index (usually the alias of an
// indexer.Live). It is safe for concurrent use.
type Searcher struct {
	idx        bleve.Index
	tax        *taxonomy.Taxonomy
	log        *slog.Logger
	titleBoost float64
	rank       Ranking
	// analyzers are the text fields' analyzers by text-field language
	// ("" for English), to analyse query terms as the index did.
	analyzers map[string]analysis.Analyzer
}

// New returns a Searcher over idx.
func New(idx bleve.Index, opts Options) *Searcher {
	if opts.Taxonomy == nil {
		opts.Taxonomy = taxonomy.Default()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.TitleBoost <= 0 {
		opts.TitleBoost = 2
	}
	s := &Searcher{idx: idx, tax: opts.Taxonomy, log: opts.Logger, titleBoost: opts.TitleBoost, rank: opts.Ranking.withDefaults()}
	s.analyzers = map[string]analysis.Analyzer{}
	if im, err := indexer.NewMapping(); err == nil {
		for _, l := range append([]string{""}, indexer.TextLangs...) {
			if a := im.AnalyzerNamed(indexer.AnalyzerFor(l)); a != nil {
				s.analyzers[l] = a
			}
		}
	}
	if s.analyzers[""] == nil {
		s.rank.Off = true // cannot happen with the built-in mapping; bleve's order then
	}
	return s
}

// facetFields maps the facet names of a Result to index fields.
var facetFields = map[string]string{
	"theme": indexer.FieldThemes,
	"type":  indexer.FieldType,
	"year":  indexer.FieldYear,
	"place": indexer.FieldPlace,
	"kind":  indexer.FieldKind,
	"lang":  indexer.FieldLang,
}

const facetSize = 200 // more values than any facet has: counts stay exact

var hitFields = func() []string {
	f := []string{indexer.FieldURL, indexer.FieldType, indexer.FieldDate, indexer.FieldThemes, indexer.FieldSummary, indexer.FieldPageStarts, indexer.FieldTranslations}
	for _, l := range append([]string{""}, indexer.TextLangs...) {
		f = append(f, indexer.TitleField(l))
	}
	return f
}()

// searchLangs returns the text-field languages a search reads, and those
// the index has: those of
// the index that have documents (from its Stats; the English fields alone
// for an index without them), narrowed to the languages of req's lang
// filter when it has one. A filter naming only languages without fields
// of their own (en, hr, ...) reads the English fields.
func (s *Searcher) searchLangs(req Request) (langs, present []string) {
	present = englishOnly
	if st, ok, err := indexer.ReadStats(s.idx); err == nil && ok {
		if p := st.TextLangsPresent(); len(p) > 0 {
			present = p
		}
	}
	if len(req.Langs) == 0 {
		return present, present
	}
	want := map[string]bool{}
	for _, l := range req.Langs {
		want[indexer.TextLang(l)] = true
	}
	var out []string
	for _, l := range present {
		if want[l] {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return englishOnly, present
	}
	return out, present
}

// Search runs req. Facet counts are disjunctive: the counts of a field with
// an active filter are computed without that field's own filter, so a user
// can widen a selection (theme=a OR theme=b) as well as narrow it.
func (s *Searcher) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	p, err := s.prepare(&req)
	if err != nil {
		return nil, err
	}
	pq, langs, present, synonyms, textQ, filters := p.pq, p.langs, p.present, p.synonyms, p.textQ, p.filters
	offset := (req.Page - 1) * req.Size

	var terms []rankTerm
	if req.Sort == SortRelevance && !s.rank.Off && offset < s.rank.Depth {
		terms = s.rankTerms(pq, synonyms, s.rank, langs...)
	}
	reranked := len(terms) > 0

	var main *bleve.SearchRequest
	if reranked {
		// Phase 1: bleve's best Depth candidates, ids only; facets as usual.
		main = bleve.NewSearchRequestOptions(withFilters(textQ, filters, ""), s.rank.Depth, 0, false)
	} else {
		main = bleve.NewSearchRequestOptions(withFilters(textQ, filters, ""), req.Size, offset, false)
		main.Fields = hitFields
	}
	main.SortByCustom(sortOrder(req.Sort))
	for name, field := range facetFields {
		if _, filtered := filters[field]; !filtered {
			main.AddFacet(name, bleve.NewFacetRequest(field, facetSize))
		}
	}
	res, err := s.idx.SearchInContext(ctx, main)
	if err != nil {
		return nil, s.wrap(err)
	}

	out := &Result{
		Query:  req.Query,
		Total:  res.Total,
		Page:   req.Page,
		Size:   req.Size,
		Hits:   make([]Hit, 0, min(req.Size, len(res.Hits))),
		Facets: make(map[string][]Facet, len(facetFields)),
	}
	if reranked {
		// Phase 2: score the candidates, then load the page's fields.
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		ranked, err := s.rankIDs(ctx, p, ids, terms)
		if err != nil {
			return nil, s.wrap(err)
		}
		page, err := s.pageHits(ctx, textQ, filters, ranked, offset, req.Size)
		if err != nil {
			return nil, s.wrap(err)
		}
		out.Hits = page
	} else {
		frags, err := s.highlight(ctx, textQ, res.Hits, false)
		if err != nil {
			return nil, s.wrap(err)
		}
		for _, h := range res.Hits {
			var frag []string
			if m := frags[h.ID]; m != nil {
				frag = bodyFragments(m)
			}
			out.Hits = append(out.Hits, makeHit(h, frag))
		}
	}
	for name, fr := range res.Facets {
		out.Facets[name] = s.facetValues(name, fr)
	}
	// Disjunctive counts for the filtered fields, one small search each.
	for name, field := range facetFields {
		if _, filtered := filters[field]; !filtered {
			continue
		}
		q := textQ
		if field == indexer.FieldLang && !slices.Equal(langs, present) {
			// Without its own filter, the lang facet counts every language.
			q = p.buildText(present)
		}
		fr := bleve.NewSearchRequestOptions(withFilters(q, filters, field), 0, 0, false)
		fr.AddFacet(name, bleve.NewFacetRequest(field, facetSize))
		r, err := s.idx.SearchInContext(ctx, fr)
		if err != nil {
			return nil, s.wrap(err)
		}
		out.Facets[name] = s.facetValues(name, r.Facets[name])
	}
	for _, name := range FacetNames {
		if out.Facets[name] == nil {
			out.Facets[name] = []Facet{}
		}
	}
	if plainText(pq) {
		if out.DidYouMean, err = s.correction(ctx, req.Query, filters, langs); err != nil {
			return nil, s.wrap(err)
		}
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// correction returns didYouMean's correction of q if it finds documents
// under the same filters, else "". Without filters it does: its words
// are any-of words, and each correction is a word that documents hold.
func (s *Searcher) correction(ctx context.Context, q string, filters map[string]query.Query, langs []string) (string, error) {
	fixed, err := s.didYouMean(q, langs)
	if err != nil || fixed == "" || len(filters) == 0 {
		return fixed, err
	}
	pq, err := parseQuery(fixed)
	if err != nil {
		return "", nil
	}
	req := bleve.NewSearchRequestOptions(withFilters(pq.toBleve(s.titleBoost, langs...), filters, ""), 0, 0, false)
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil || res.Total == 0 {
		return "", err
	}
	return fixed, nil
}

// prepared is a request made ready to run: parsed, its languages and
// synonyms found, its text query and filters built.
type prepared struct {
	pq             *qnode
	langs, present []string
	synonyms       []string
	textQ          query.Query
	filters        map[string]query.Query
	buildText      func(langs []string) query.Query
}

// prepare validates req (filling its defaults) and builds its queries.
func (s *Searcher) prepare(req *Request) (*prepared, error) {
	if err := s.normalize(req); err != nil {
		return nil, err
	}
	pq, err := parseQuery(req.Query)
	if err != nil {
		return nil, err
	}
	p := &prepared{pq: pq, synonyms: s.synonyms(pq)}
	p.langs, p.present = s.searchLangs(*req)
	p.buildText = func(langs []string) query.Query {
		q := pq.toBleve(s.titleBoost, langs...)
		if len(p.synonyms) > 0 {
			alts := []query.Query{q}
			for _, syn := range p.synonyms {
				alts = append(alts, textQuery("", syn, true, s.titleBoost, langs))
			}
			q = query.NewDisjunctionQuery(alts)
		}
		return q
	}
	p.textQ = p.buildText(p.langs)
	p.filters = s.filters(*req)
	return p, nil
}

// rankIDs scores bleve's candidates ids by the ranking layer (with
// feedback when it is on and applies) and returns them best first.
func (s *Searcher) rankIDs(ctx context.Context, p *prepared, ids []string, terms []rankTerm) ([]scored, error) {
	ranked, err := s.rerank(ctx, ids, terms, s.rank)
	if err != nil {
		return nil, err
	}
	// Feedback reads the English fields only.
	if s.rank.Feedback && len(p.synonyms) == 0 && plainText(p.pq) && slices.Equal(p.langs, englishOnly) {
		fb, err := s.feedback(ctx, ranked[:min(len(ranked), s.rank.FeedbackDocs)], terms, s.rank)
		if err != nil {
			return nil, err
		}
		if ranked, err = s.rerank(ctx, ids, fb, s.rank); err != nil {
			return nil, err
		}
	}
	return ranked, nil
}

var yearRe = regexp.MustCompile(`^[0-9]{4}$`)

// normalize validates req and fills its defaults.
func (s *Searcher) normalize(req *Request) error {
	req.Query = strings.TrimSpace(req.Query)
	switch {
	case req.Page == 0:
		req.Page = 1
	case req.Page < 0 || req.Page > MaxPage:
		return Errorf(KindInvalid, "page must be between 1 and %d", MaxPage)
	}
	switch {
	case req.Size == 0:
		req.Size = DefaultSize
	case req.Size < 0 || req.Size > MaxSize:
		return Errorf(KindInvalid, "size must be between 1 and %d", MaxSize)
	}
	switch req.Sort {
	case "":
		req.Sort = SortRelevance
	case SortRelevance, SortNewest, SortOldest:
	default:
		return Errorf(KindInvalid, "sort must be one of relevance, newest, oldest")
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.From.After(req.To) {
		return Errorf(KindInvalid, "from (%s) is after to (%s)", req.From.Format(time.DateOnly), req.To.Format(time.DateOnly))
	}
	lower := func(vs []string) []string {
		out := vs[:0:0]
		for _, v := range vs {
			if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	req.Themes, req.Types, req.Years = lower(req.Themes), lower(req.Types), lower(req.Years)
	req.Places, req.Kinds, req.Langs = lower(req.Places), lower(req.Kinds), lower(req.Langs)
	for _, t := range req.Themes {
		if _, ok := s.tax.Theme(t); !ok {
			return Errorf(KindInvalid, "unknown theme %q (GET /api/v1/themes lists them)", t)
		}
	}
	for _, t := range req.Types {
		if _, ok := typeLabels[t]; !ok {
			return Errorf(KindInvalid, "unknown type %q: one of minutes, key-messages, report, agenda, page", t)
		}
	}
	for _, k := range req.Kinds {
		if _, ok := kindLabels[k]; !ok {
			return Errorf(KindInvalid, "unknown kind %q: one of plenary, peer-learning, ad-hoc, online", k)
		}
	}
	for _, y := range req.Years {
		if !yearRe.MatchString(y) {
			return Errorf(KindInvalid, "year %q is not a four-digit year", y)
		}
	}
	return nil
}

// filters returns one query per filtered index field: the OR of its values.
func (s *Searcher) filters(req Request) map[string]query.Query {
	f := make(map[string]query.Query)
	terms := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		qs := make([]query.Query, 0, len(values))
		for _, v := range values {
			tq := bleve.NewTermQuery(v)
			tq.SetField(field)
			qs = append(qs, tq)
		}
		if len(qs) == 1 {
			f[field] = qs[0]
			return
		}
		f[field] = bleve.NewDisjunctionQuery(qs...)
	}
	terms(indexer.FieldThemes, req.Themes)
	terms(indexer.FieldType, req.Types)
	terms(indexer.FieldYear, req.Years)
	terms(indexer.FieldPlace, req.Places)
	terms(indexer.FieldKind, req.Kinds)
	terms(indexer.FieldLang, req.Langs)
	if !req.From.IsZero() || !req.To.IsZero() {
		var from, to time.Time
		if !req.From.IsZero() {
			from = req.From
		}
		if !req.To.IsZero() {
			to = req.To
		}
		incl := true
		dq := bleve.NewDateRangeInclusiveQuery(from, to, &incl, &incl)
		dq.SetField(indexer.FieldDate)
		f[indexer.FieldDate] = dq
	}
	return f
}

// withFilters combines q with every filter but the one on field except.
// Filters do not score: their boost is zero.
func withFilters(q query.Query, filters map[string]query.Query, except string) query.Query {
	if len(filters) == 0 || (len(filters) == 1 && filters[except] != nil) {
		return q
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(q)
	for field, fq := range filters {
		if field == except {
			continue
		}
		if bq, ok := fq.(query.BoostableQuery); ok {
			bq.SetBoost(0)
		}
		b.AddMust(fq)
	}
	return b
}

func sortOrder(order string) bsearch.SortOrder {
	score := &bsearch.SortScore{Desc: true}
	id := &bsearch.SortDocID{}
	date := func(desc bool) *bsearch.SortField {
		return &bsearch.SortField{Field: indexer.FieldDate, Desc: desc, Type: bsearch.SortFieldAsDate, Missing: bsearch.SortFieldMissingLast}
	}
	switch order {
	case SortNewest:
		return bsearch.SortOrder{date(true), score, id}
	case SortOldest:
		return bsearch.SortOrder{date(false), score, id}
	default:
		return bsearch.SortOrder{score, id}
	}
}

// highlight returns the matches of hits for q, with their body fragments
// and, if fields is set, their stored fields. It runs as a second search
// restricted to the page's hits: asking bleve to highlight the main search
// makes it read term locations for every matching document, which cost most
// of a broad query's time (measured with pprof).
func (s *Searcher) highlight(ctx context.Context, q query.Query, hits bsearch.DocumentMatchCollection, fields bool) (map[string]*bsearch.DocumentMatch, error) {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return s.fetch(ctx, q, ids, fields)
}

func (s *Searcher) fetch(ctx context.Context, q query.Query, ids []string, fields bool) (map[string]*bsearch.DocumentMatch, error) {
	if _, all := q.(*query.MatchAllQuery); all && !fields {
		return nil, nil
	}
	return s.matchIDs(ctx, q, ids, fields, true)
}

// matchIDs runs q restricted to ids, with term locations (for a hit's
// page), the hit fields if fields, and the body highlighted if highlight.
func (s *Searcher) matchIDs(ctx context.Context, q query.Query, ids []string, fields, highlight bool) (map[string]*bsearch.DocumentMatch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	hq := query.Query(bleve.NewDocIDQuery(ids))
	if _, all := q.(*query.MatchAllQuery); !all {
		hq = bleve.NewConjunctionQuery(hq.(*query.DocIDQuery), q)
	}
	req := bleve.NewSearchRequestOptions(hq, len(ids), 0, false)
	req.IncludeLocations = true // the highlighter reads them anyway; hitPage needs them
	if highlight {
		req.Highlight = bleve.NewHighlightWithStyle(hlhtml.Name)
		for _, l := range append([]string{""}, indexer.TextLangs...) {
			req.Highlight.AddField(indexer.BodyField(l))
		}
	} else {
		req.Score = bleve.ScoreNone
	}
	if fields {
		req.Fields = hitFields
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*bsearch.DocumentMatch, len(res.Hits))
	for _, h := range res.Hits {
		out[h.ID] = h
	}
	return out, nil
}

// pageHits returns the hits of the page at offset: from the reranked
// candidates while they last, then in bleve's order.
func (s *Searcher) pageHits(ctx context.Context, q query.Query, filters map[string]query.Query, ranked []scored, offset, size int) ([]Hit, error) {
	var ids []string
	scores := map[string]float64{}
	for i := offset; i < offset+size && i < len(ranked); i++ {
		ids = append(ids, ranked[i].id)
		scores[ranked[i].id] = ranked[i].score
	}
	if len(ranked) == s.rank.Depth && len(ids) < size {
		// The page runs past the reranked candidates: the rest in bleve's order.
		from := max(offset, len(ranked))
		more := bleve.NewSearchRequestOptions(withFilters(q, filters, ""), offset+size-from, from, false)
		more.SortByCustom(sortOrder(SortRelevance))
		res, err := s.idx.SearchInContext(ctx, more)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
			scores[h.ID] = 0
		}
	}
	matches, err := s.fetch(ctx, q, ids, true)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, 0, len(ids))
	for _, id := range ids {
		m := matches[id]
		if m == nil {
			continue
		}
		h := makeHit(m, bodyFragments(m))
		h.Score = scores[id]
		hits = append(hits, h)
	}
	return hits, nil
}

// plainText reports whether a query is nothing but free-text words and
// phrases, none required or excluded, on no particular field.
func plainText(pq *qnode) bool {
	if pq == nil || len(pq.children) == 0 {
		return false
	}
	for _, c := range pq.children {
		if c.occ != occurShould || c.field != "" || (c.kind != nodeWord && c.kind != nodePhrase) {
			return false
		}
	}
	return true
}

// maxSynonyms caps a query's expansions: each multi-word one is a phrase
// search in bleve, the costliest kind (measured with pprof).
const maxSynonyms = 6

// synonyms returns the taxonomy's expansions of a query that is nothing but
// unquoted words naming a theme ("OER", "bring your own device"): the theme's
// synonyms and phrases, which then match beside the query. Single words
// (often acronyms) come first, then phrases in the taxonomy's order, at most
// maxSynonyms. A quoted phrase asks for exactly that text and is not
// expanded.
func (s *Searcher) synonyms(pq *qnode) []string {
	if !plainText(pq) || slices.ContainsFunc(pq.children, func(c *qnode) bool { return c.kind != nodeWord }) {
		return nil
	}
	exp := s.tax.Expand(strings.Join(pq.terms(), " "))
	slices.SortStableFunc(exp, func(a, b string) int {
		return cmp.Compare(strings.Count(strings.TrimSpace(a), " "), strings.Count(strings.TrimSpace(b), " "))
	})
	return exp[:min(len(exp), maxSynonyms)]
}

// bodyFragments returns a match's highlighted fragments of whichever body
// field (English or a language's) it has.
func bodyFragments(m *bsearch.DocumentMatch) []string {
	if f := m.Fragments[indexer.FieldBody]; len(f) > 0 {
		return f
	}
	for _, l := range indexer.TextLangs {
		if f := m.Fragments[indexer.BodyField(l)]; len(f) > 0 {
			return f
		}
	}
	return nil
}

// textField returns the value of a text field in whichever language's
// field the document has it (English first).
func textField(fields map[string]any, field func(string) string) string {
	if v := fieldString(fields[field("")]); v != "" {
		return v
	}
	for _, l := range indexer.TextLangs {
		if v := fieldString(fields[field(l)]); v != "" {
			return v
		}
	}
	return ""
}

func makeHit(h *bsearch.DocumentMatch, fragments []string) Hit {
	hit := Hit{
		ID:       h.ID,
		URL:      fieldString(h.Fields[indexer.FieldURL]),
		Title:    textField(h.Fields, indexer.TitleField),
		Type:     fieldString(h.Fields[indexer.FieldType]),
		Themes:   fieldStrings(h.Fields[indexer.FieldThemes]),
		Score:    h.Score,
		Snippets: fragments,
	}
	if d := fieldString(h.Fields[indexer.FieldDate]); d != "" {
		if t, err := time.Parse(time.RFC3339, d); err == nil {
			hit.Date = t.UTC().Format(time.DateOnly)
		}
	}
	hit.Page = hitPage(h)
	if tj := fieldString(h.Fields[indexer.FieldTranslations]); tj != "" {
		// Written by the indexer; a value that does not parse is left out.
		if json.Unmarshal([]byte(tj), &hit.Translations) != nil {
			hit.Translations = nil
		}
	}
	if len(hit.Snippets) == 0 {
		if sum := fieldString(h.Fields[indexer.FieldSummary]); sum != "" {
			hit.Snippets = []string{html.EscapeString(sum)}
		} else {
			hit.Snippets = []string{}
		}
	}
	return hit
}

func fieldString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			s, _ := x[0].(string)
			return s
		}
	}
	return ""
}

func fieldStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

var typeLabels = map[string]string{
	indexer.TypeMinutes:     "Minutes",
	indexer.TypeKeyMessages: "Key policy messages",
	indexer.TypeReport:      "Report",
	indexer.TypeAgenda:      "Agenda",
	indexer.TypePage:        "Web page",
}

var kindLabels = map[string]string{
	indexer.KindPlenary:      "Plenary meeting",
	indexer.KindPeerLearning: "Peer learning activity",
	indexer.KindAdHoc:        "Ad hoc meeting",
	indexer.KindOnline:       "Online meeting",
}

var langLabels = map[string]string{
	"en": "English", "fr": "French", "de": "German", "it": "Italian", "es": "Spanish",
	"pt": "Portuguese", "nl": "Dutch", "hr": "Croatian", "bg": "Bulgarian", "et": "Estonian",
	"fi": "Finnish", "mt": "Maltese", "pl": "Polish", "ro": "Romanian", "sv": "Swedish",
	"da": "Danish", "el": "Greek", "cs": "Czech", "sk": "Slovak", "sl": "Slovenian",
	"hu": "Hungarian", "lt": "Lithuanian", "lv": "Latvian", "ga": "Irish",
}

// Label returns the display label of a facet value.
func (s *Searcher) Label(facet, value string) string { return labelWith(s.tax, facet, value) }

// Labels returns Searcher.Label for a taxonomy, without an index: for
// output made away from a Searcher (a CSV of a server's answers).
func Labels(tax *taxonomy.Taxonomy) func(facet, value string) string {
	if tax == nil {
		tax = taxonomy.Default()
	}
	return func(facet, value string) string { return labelWith(tax, facet, value) }
}

func labelWith(tax *taxonomy.Taxonomy, facet, value string) string {
	switch facet {
	case "theme":
		return tax.Label(value)
	case "type":
		if l, ok := typeLabels[value]; ok {
			return l
		}
	case "kind":
		if l, ok := kindLabels[value]; ok {
			return l
		}
	case "lang":
		if l, ok := langLabels[value]; ok {
			return l
		}
	case "place":
		return titleCase(value)
	}
	return value
}

func titleCase(s string) string {
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == ' ' || c == '-'
	}
	return string(b)
}

func (s *Searcher) facetValues(name string, fr *bsearch.FacetResult) []Facet {
	if fr == nil || fr.Terms == nil {
		return []Facet{}
	}
	terms := fr.Terms.Terms()
	out := make([]Facet, 0, len(terms))
	for _, t := range terms {
		out = append(out, Facet{Value: t.Term, Label: s.Label(name, t.Term), Count: t.Count})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if name == "year" {
			return out[i].Value > out[j].Value
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// Document returns the stored document with id.
func (s *Searcher) Document(ctx context.Context, id string) (*Document, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{indexer.FieldSource}
	for _, l := range append([]string{""}, indexer.TextLangs...) {
		req.Fields = append(req.Fields, indexer.BodyField(l))
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, s.wrap(err)
	}
	if len(res.Hits) == 0 {
		return nil, Errorf(KindNotFound, "no document with id %q", id)
	}
	h := res.Hits[0]
	var d Document
	if err := json.Unmarshal([]byte(fieldString(h.Fields[indexer.FieldSource])), &d); err != nil {
		return nil, &Error{Kind: KindInternal, Message: "corrupt stored document", Err: err}
	}
	d.Body = textField(h.Fields, indexer.BodyField)
	if d.Themes == nil {
		d.Themes = []string{}
	}
	return &d, nil
}

// Themes returns every theme of the taxonomy with its document count, in
// taxonomy order.
func (s *Searcher) Themes(ctx context.Context) ([]ThemeCount, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	req.AddFacet("theme", bleve.NewFacetRequest(indexer.FieldThemes, facetSize))
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, s.wrap(err)
	}
	counts := make(map[string]int)
	if fr := res.Facets["theme"]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			counts[t.Term] = t.Count
		}
	}
	out := make([]ThemeCount, 0, len(s.tax.Themes))
	for _, t := range s.tax.Themes {
		out = append(out, ThemeCount{ID: t.ID, Label: t.Label, Description: t.Description, Count: counts[t.ID]})
	}
	return out, nil
}

// wrap turns a bleve error into an *Error of the right kind.
func (s *Searcher) wrap(err error) error {
	switch {
	case errors.Is(err, bleve.ErrorAliasEmpty), errors.Is(err, bleve.ErrorIndexClosed):
		return &Error{Kind: KindUnavailable, Message: "no index is being served yet: run kbsearch index", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: KindUnavailable, Message: "search timed out", Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Kind: KindUnavailable, Message: "search cancelled", Err: err}
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	s.log.Error("search failed", "err", err)
	return &Error{Kind: KindInternal, Message: "internal error", Err: err}
}

// hitPage returns the page (1-based) of a paged document where the body
// matches the query best: the page holding the most distinct query terms,
// then the most occurrences, then the earliest. It is 0 when the document
// has one page, the match is not in the body, or locations were not loaded.
func hitPage(h *bsearch.DocumentMatch) int {
	fields := strings.Fields(fieldString(h.Fields[indexer.FieldPageStarts]))
	if len(fields) < 2 || h.Locations == nil {
		return 0
	}
	starts := make([]uint64, len(fields))
	for i, f := range fields {
		off, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0
		}
		starts[i] = off
	}
	pageOf := func(off uint64) int {
		p := 0
		for i, s := range starts {
			if s > off {
				break
			}
			p = i
		}
		return p
	}
	terms := make([]map[string]bool, len(starts))
	count := make([]int, len(starts))
	for _, l := range append([]string{""}, indexer.TextLangs...) {
		for term, locs := range h.Locations[indexer.BodyField(l)] {
			for _, loc := range locs {
				p := pageOf(loc.Start)
				if terms[p] == nil {
					terms[p] = map[string]bool{}
				}
				terms[p][term] = true
				count[p]++
			}
		}
	}
	best := -1
	for p := range starts {
		if count[p] == 0 {
			continue
		}
		if best < 0 || len(terms[p]) > len(terms[best]) ||
			(len(terms[p]) == len(terms[best]) && count[p] > count[best]) {
			best = p
		}
	}
	return best + 1
}
