package search

import (
	"cmp"
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
	"github.com/kbsearch/kbsearch/search/query"
)

// Options configure a Searcher.
type Options struct {
	Taxonomy *taxonomy.Taxonomy // labels and known theme ids; default taxonomy.Default()
	Logger   *slog.Logger
	Ranking  Ranking // ranking; the zero value is the default
}

// Searcher answers Requests over the index a Source gives (a Reader, or an
// indexer.Live that follows new generations). It is safe for concurrent
// use.
type Searcher struct {
	src  indexer.Source
	tax  *taxonomy.Taxonomy
	keys []themeKeys // tax's themes' keys for completion, by index
	log  *slog.Logger
	rank Ranking

	mu      sync.Mutex
	landing *facetCache // facets of the empty query, for one Reader
	cache   cache
	docs    cache // feedback's words of documents
}

// facetCache holds the answer's facets of the empty query without filters:
// the landing page of a search page.
type facetCache struct {
	r      *indexer.Reader
	total  uint64
	facets map[string][]Facet
}

// New returns a Searcher over src.
func New(src indexer.Source, opts Options) *Searcher {
	if opts.Taxonomy == nil {
		opts.Taxonomy = taxonomy.Default()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Searcher{src: src, tax: opts.Taxonomy, keys: themeKeysOf(opts.Taxonomy), log: opts.Logger,
		rank: opts.Ranking.withDefaults(), docs: cache{limit: docCacheBytes}}
}

// acquire returns the Reader to search; Release it after. A call whose
// context is already done does no work at all.
func (s *Searcher) acquire(ctx context.Context) (*indexer.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.wrap(err)
	}
	r, err := s.src.Acquire()
	if err != nil {
		return nil, s.wrap(err)
	}
	return r, nil
}

const facetSize = 200 // more values than any facet has: counts stay exact

// searchLangs returns the text-field languages of req's lang filter that
// the index has (all it has without the filter): those a query is read in
// for its synonyms and spelling. A filter naming only languages without
// fields of their own (en, hr, ...) reads the English fields.
func searchLangs(r *indexer.Reader, req Request) []string {
	present := r.TextLangs()
	if len(req.Langs) == 0 {
		return present
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
		return englishOnly
	}
	return out
}

// Search runs req. Facet counts are disjunctive: the counts of a field with
// an active filter are computed without that field's own filter, so a user
// can widen a selection (theme=a OR theme=b) as well as narrow it.
func (s *Searcher) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	p, err := s.prepare(r, &req)
	if err != nil {
		return nil, err
	}
	offset := (req.Page - 1) * req.Size
	if req.Cursor != "" {
		c, err := decodeCursor(req.Cursor)
		if err != nil {
			return nil, err
		}
		if req.Page > 1 {
			return nil, Errorf(KindInvalid, `give "page" or "cursor", not both`)
		}
		k, err := c.after(r, req, p.recency, p.scored())
		if err != nil {
			return nil, err
		}
		p.after, req.Page, offset = &k, int(c.page), 0
	}
	e := s.newRun(ctx, r)
	ranked, cnt, sc, err := e.rankAll(p, req, offset+req.Size, true)
	if sc != nil {
		defer sc.release()
	}
	if err != nil {
		return nil, s.wrap(err)
	}
	out := &Result{
		Query:  req.Query,
		Total:  cnt.total,
		Page:   req.Page,
		Size:   req.Size,
		Hits:   make([]Hit, 0, req.Size),
		Facets: make(map[string][]Facet, len(FacetNames)),
	}
	if offset < len(ranked) {
		page := ranked[offset:min(len(ranked), offset+req.Size)]
		if out.Hits, err = e.hits(page, p.terms, sc, true); err != nil {
			return nil, s.wrap(err)
		}
		more := uint64(offset+len(page)) < cnt.total
		if p.after != nil {
			more = cnt.following > uint64(len(page))
		}
		if last := page[len(page)-1]; more {
			var v []float64
			if sc != nil {
				v = sc.v
			}
			out.NextCursor = nextCursor(r, req, p.recency, p.scored(), req.Page, e.key(last, v), r.ID(last))
		}
	}
	if cnt.facets == nil { // from the cache
		out.Facets = cnt.cached
	} else {
		for _, name := range FacetNames {
			out.Facets[name] = s.facetList(r, name, cnt.facets[name])
		}
	}
	out.Notice = p.notice
	out.YearTheme = cnt.chart
	if plainText(p.pq) {
		if out.DidYouMean, err = s.correction(e, req, p); err != nil {
			return nil, s.wrap(err)
		}
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// rankAll finds req's matches, scores them, applies the filters, counts the
// facets (if facets) and returns the first k in req's order, with the
// scores (nil for a query without scoring terms; release them after use).
// With a cursor (p.after), it returns the first k that follow the cursor,
// and counts them all in counted.following.
//
// The order is by final score, and the final score of the best
// Ranking.Depth (the head) has the proximity bonus, which needs positions,
// so only they get it: a document of the head scores at least what it
// scored before the bonus, which is at least what any other scores, so
// the head stays ahead of the rest and the order is one order, that of
// the keys (score, id) a cursor holds. A cursor's page is then taken from
// two heaps filled in the same pass: the head, and the k + Depth best
// documents after the cursor by their score before the bonus (the head's
// members among them are placed again by their final score).
func (e *run) rankAll(p *prepared, req Request, k int, facets bool) ([]uint32, counted, *scores, error) {
	s := e.s
	if facets && p.pq == nil && len(p.filters) == 0 && req.Sort == SortRelevance {
		if c := s.cachedFacets(e.r); c != nil {
			// The empty query's order is the ids'; the facets are cached.
			top := &topK{k: k, less: e.order(req.Sort, nil), ids: e.relevance(req.Sort), after: e.cursorAfter(p, nil)}
			if _, err := e.collect(e.r.Live(), nil, false, top); err != nil {
				return nil, counted{}, nil, err
			}
			cnt := counted{total: c.total, cached: c.facets, following: top.follow}
			if req.YearTheme {
				var err error
				if cnt.chart, err = e.yearTheme(e.r.Live(), nil); err != nil {
					return nil, counted{}, nil, err
				}
			}
			return top.sorted(), cnt, nil, nil
		}
	}
	matches, err := e.match(p.pq, p.synonyms)
	if err != nil {
		return nil, counted{}, nil, err
	}
	var sc *scores
	if p.scored() {
		sc = getScores(e.r.Docs())
		c, err := e.corpusFor(p.terms)
		if err != nil {
			return nil, counted{}, sc, err
		}
		if err := e.score(p.terms, c, sc); err != nil {
			return nil, counted{}, sc, err
		}
		if err := e.keywordBonus(p.pq, sc); err != nil {
			return nil, counted{}, sc, err
		}
		if err := e.recencyBoost(matches, p.recency, sc); err != nil {
			return nil, counted{}, sc, err
		}
		p.corpus, e.corpus = c, c
	}
	bonus := sc != nil && req.Sort == SortRelevance
	// Feedback expands free text: a query of quoted phrases only, a field,
	// a required or excluded word, or a theme's synonyms ask for what they
	// say. (A phrase among words is one more optional clause: the
	// expansion re-orders matches and adds none.)
	expand := bonus && !s.rank.NoFeedback && len(p.synonyms) == 0 && freeWords(p.pq)
	headK := max(s.rank.Depth, s.rank.FeedbackDocs)
	if expand {
		headK = max(headK, s.rank.FeedbackDepth)
	}
	// heaps returns the heaps of one pass over the matches: the first
	// headK documents (k without a bonus), and with a cursor those after it.
	heaps := func() (head, tail *topK) {
		ord, ids := e.order(req.Sort, sc), e.relevance(req.Sort)
		var v []float64
		if sc != nil && req.Sort == SortRelevance {
			v = sc.v
		}
		if p.after == nil {
			depth := k
			if bonus {
				depth = max(k, headK)
			}
			return &topK{k: depth, less: ord, score: v, ids: ids}, nil
		}
		tail = &topK{k: k, less: ord, score: v, ids: ids, after: e.cursorAfter(p, sc)}
		if bonus {
			head = &topK{k: headK, less: ord, score: v, ids: ids}
			tail.k += head.k
		}
		return head, tail
	}
	head, tail := heaps()
	cnt, err := e.collect(matches, p.filters, facets, nonNil(head, tail)...)
	if err != nil {
		return nil, counted{}, sc, err
	}
	if req.YearTheme {
		if cnt.chart, err = e.yearTheme(matches, p.filters); err != nil {
			return nil, counted{}, sc, err
		}
	}
	var ranked []uint32
	if head != nil {
		ranked = head.sorted()
	}
	if expand {
		// Feedback re-orders the first pass's FeedbackDepth best (a
		// document that holds only expansion terms is not a match); the
		// rest keep the first pass's order, below them, the same whatever
		// the page asked for.
		x, err := e.feedback(ranked[:min(len(ranked), s.rank.FeedbackDocs)], sc, p.terms)
		if err != nil {
			return nil, counted{}, sc, err
		}
		if x != nil {
			cands := ranked[:min(len(ranked), s.rank.FeedbackDepth)]
			// The recency factor multiplies the whole score, expansion
			// included: taken out of the candidates' scores and put back.
			e.withoutRecency(cands, p.recency, sc, false)
			if err := e.rescore(cands, x, sc); err != nil {
				return nil, counted{}, sc, err
			}
			e.withoutRecency(cands, p.recency, sc, true)
			slices.SortFunc(cands, e.order(req.Sort, sc))
			// The rest's scores are the expanded query's without the
			// expansion terms (not read for them): they stay below the
			// candidates', which kept as much and gained.
			if tail == nil {
				for _, d := range ranked[len(cands):max(len(cands), min(len(ranked), k))] {
					if e.langOf(d) == x.lang {
						sc.v[d] *= x.keep
					}
				}
			} else {
				// A cursor's page may lie anywhere below the candidates:
				// every other match is scaled, and a second pass takes
				// the heaps again by the final scores.
				if err := e.keepRest(matches, cands, x, sc); err != nil {
					return nil, counted{}, sc, err
				}
				head, tail = heaps()
				if _, err := e.collect(matches, p.filters, false, nonNil(head, tail)...); err != nil {
					return nil, counted{}, sc, err
				}
				ranked = head.sorted()
			}
		}
	}
	var before []docScore // the head's scores before the bonus, with a cursor
	if bonus {
		head := ranked[:min(len(ranked), s.rank.Depth)]
		if tail != nil {
			for _, d := range head {
				before = append(before, docScore{d, sc.v[d]})
			}
		}
		if err := e.proximityBonus(head, p.terms, p.corpus, sc, p.recency); err != nil {
			return nil, counted{}, sc, err
		}
		slices.SortFunc(head, e.order(req.Sort, sc))
	}
	if facets && p.pq == nil && len(p.filters) == 0 {
		s.storeFacets(e.r, cnt)
	}
	if tail == nil {
		return ranked[:min(len(ranked), k)], cnt, sc, nil
	}
	// A member of the head that followed the cursor by its score before
	// the bonus may come before it now: it was counted, and is not a hit
	// after the cursor.
	cnt.following = tail.follow
	for _, b := range before {
		final := sc.v[b.doc]
		sc.v[b.doc] = b.score
		counted := tail.after.follows(b.doc)
		sc.v[b.doc] = final
		if counted && !tail.after.follows(b.doc) {
			cnt.following--
		}
	}
	page := slices.DeleteFunc(tail.sorted(), func(d uint32) bool { return !tail.after.follows(d) })
	slices.SortFunc(page, e.order(req.Sort, sc))
	return page[:min(len(page), k)], cnt, sc, nil
}

// docScore is a document with a score.
type docScore struct {
	doc   uint32
	score float64
}

// cursorAfter returns the place of p's cursor for a topK over scores sc,
// nil without a cursor.
func (e *run) cursorAfter(p *prepared, sc *scores) *cursorAfter {
	if p.after == nil {
		return nil
	}
	a := &cursorAfter{e: e, by: sortCode(p.sort), key: *p.after}
	if sc != nil {
		a.v = sc.v
	}
	return a
}

// nonNil returns the heaps that are not nil.
func nonNil(tops ...*topK) []*topK {
	return slices.DeleteFunc(tops, func(t *topK) bool { return t == nil })
}

func (s *Searcher) cachedFacets(r *indexer.Reader) *facetCache {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.landing != nil && s.landing.r == r {
		return s.landing
	}
	return nil
}

func (s *Searcher) storeFacets(r *indexer.Reader, cnt counted) {
	c := &facetCache{r: r, total: cnt.total, facets: map[string][]Facet{}}
	for _, name := range FacetNames {
		c.facets[name] = s.facetList(r, name, cnt.facets[name])
	}
	s.mu.Lock()
	s.landing = c
	s.mu.Unlock()
}

// hits loads the page's documents: stored fields, and with snippets the
// best window of each body and the page of a paged document.
func (e *run) hits(docs []uint32, terms []rankTerm, sc *scores, snippets bool) ([]Hit, error) {
	out := make([]Hit, 0, len(docs))
	stored := make([]*indexer.Hit, len(docs))
	// Occurrences are read for a snippet, and for the page of a paged
	// document's best match.
	var withOcc []uint32
	for i, d := range docs {
		h, err := e.r.Hit(d)
		if err != nil {
			return nil, err
		}
		stored[i] = h
		if snippets || len(h.PageStarts) > 1 {
			withOcc = append(withOcc, d)
		}
	}
	langCol := e.r.Column(indexer.FacetLang)
	langOf := func(d uint32) string {
		if o := langCol.Of(d); len(o) > 0 {
			return indexer.TextLang(langCol.Values[o[0]-1])
		}
		return ""
	}
	words := map[string][]string{}
	for _, d := range withOcc {
		if l := langOf(d); words[l] == nil {
			words[l] = bodyWords(terms, l)
		}
	}
	occs, err := e.bodyOccurrences(withOcc, langOf, words)
	if err != nil {
		return nil, err
	}
	for i, d := range docs {
		h := stored[i]
		hit := Hit{ID: h.ID, URL: h.URL, Title: h.Title, Type: h.Type, Themes: h.Themes, Translations: h.Translations}
		if o := langCol.Of(d); len(o) > 0 {
			hit.Lang = langCol.Values[o[0]-1]
		}
		if sc != nil {
			hit.Score = sc.v[d]
		}
		if !h.Date.IsZero() {
			hit.Date = h.Date.Format(time.DateOnly)
		}
		if occ := occs[d]; len(occ) > 0 {
			n := len(words[langOf(d)])
			if snippets {
				read := func(from, to int) (string, int, error) { return e.r.Text(d, from, to) }
				frag, err := snippetOf(read, occ, n, skipLine(e.r, h.Title))
				if err != nil {
					return nil, err
				}
				if frag != "" {
					hit.Snippets = []string{frag}
				}
			}
			hit.Page = pageOf(h.PageStarts, occ, n)
		}
		if len(hit.Snippets) == 0 {
			hit.Snippets = []string{}
			if h.Summary != "" {
				hit.Snippets = []string{html.EscapeString(h.Summary)}
			}
		}
		out = append(out, hit)
	}
	return out, nil
}

// skipLine reports the lines of a document's text a snippet leaves out:
// boilerplate (see indexer.Reader.Boilerplate), and lines that repeat its
// title, shown above the snippet: a piece of it (a PDF's first lines hold
// the title wrapped) or its beginning after other words (a running header
// "Group name – Title").
func skipLine(r *indexer.Reader, title string) func(string) bool {
	t := strings.ToLower(strings.Join(strings.Fields(title), " "))
	head := t[:min(len(t), 40)]
	return func(line string) bool {
		l := strings.ToLower(strings.Join(strings.Fields(line), " "))
		if len(l) >= 8 && strings.Contains(t, l) || len(head) >= 20 && strings.Contains(l, head) {
			return true
		}
		return r.Boilerplate(line)
	}
}

// bodyWords returns the distinct analysed words of the scoring terms of a
// text-field language that read the body.
func bodyWords(terms []rankTerm, lang string) []string {
	var out []string
	for _, t := range terms {
		if t.lang != lang || t.fields&inBody == 0 || t.fb {
			continue // a feedback term is none of the words the user typed
		}
		for _, w := range t.toks {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// correction returns didYouMean's correction of the query as searched (its
// plain words when it was searched as such) if it finds documents under the
// same filters, else "". Without filters it does: its words are any-of
// words, and each correction is a word that documents hold.
func (s *Searcher) correction(e *run, req Request, p *prepared) (string, error) {
	text := req.Query
	if p.notice != "" {
		text = query.PlainWords(text)
	}
	fixed, err := s.didYouMean(e.r, text, p.langs)
	if err != nil || fixed == "" || len(p.filters) == 0 {
		return fixed, err
	}
	pq, _, err := parseQuery(fixed)
	if err != nil {
		return "", nil
	}
	m, err := e.match(pq, nil)
	if err != nil {
		return "", err
	}
	cnt, err := e.collect(m, p.filters, false)
	if err != nil || cnt.total == 0 {
		return "", err
	}
	return fixed, nil
}

// prepared is a request made ready to run: parsed, its languages,
// synonyms, scoring terms and filters found.
type prepared struct {
	pq       *query.Group // nil for a query without clauses
	sort     string
	recency  time.Duration // the half-life of the recency boost; 0 for none
	after    *sortKey      // the cursor's place, nil without one
	notice   string        // why the query was searched as plain words, if it was
	langs    []string
	synonyms []string
	terms    []rankTerm
	filters  []filter
	corpus   *corpus
}

// scored reports whether the search scores its matches: it has words to
// rank by, or an optional keyword clause (keywordBonus).
func (p *prepared) scored() bool { return len(p.terms) > 0 || hasOptionalTerm(p.pq) }

// prepare validates req (filling its defaults) and builds its parts.
func (s *Searcher) prepare(r *indexer.Reader, req *Request) (*prepared, error) {
	if err := s.normalize(req); err != nil {
		return nil, err
	}
	pq, notice, err := parseQuery(req.Query)
	if err != nil {
		return nil, err
	}
	if len(pq.Clauses) == 0 {
		pq = nil
	}
	p := &prepared{pq: pq, notice: notice, sort: req.Sort, synonyms: s.synonyms(pq), langs: searchLangs(r, *req), filters: filtersOf(r, *req)}
	switch {
	case req.Recency == 0:
		p.recency = s.rank.Recency
	case req.Recency > 0:
		p.recency = req.Recency
	}
	if pq != nil {
		// A document is scored by its own language's reading of the query:
		// every language the index has.
		p.terms = rankTerms(r.Analyze, pq, p.synonyms, s.rank, r.TextLangs()...)
	}
	return p, nil
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

// hasOptionalTerm reports whether a query has a keyword clause that is
// neither required nor excluded (it ranks, see keywordBonus).
func hasOptionalTerm(pq *query.Group) bool {
	if pq == nil {
		return false
	}
	return slices.ContainsFunc(pq.Clauses, func(c query.Clause) bool {
		switch q := c.Q.(type) {
		case *query.Term:
			return c.Occur == query.Should
		case *query.Group:
			return c.Occur != query.MustNot && hasOptionalTerm(q)
		}
		return false
	})
}

// plainText reports whether a query is nothing but free-text words and
// phrases, none required or excluded, on no particular field.
func plainText(pq *query.Group) bool {
	if pq == nil || len(pq.Clauses) == 0 {
		return false
	}
	for _, c := range pq.Clauses {
		if c.Occur != query.Should {
			return false
		}
		switch q := c.Q.(type) {
		case *query.Word:
			if q.Field != "" {
				return false
			}
		case *query.Phrase:
			if q.Field != "" {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// freeWords reports whether pq is free text: optional words, phrases and
// groups of them at any depth (parentheses a person typed as prose,
// "palliation (temporary improvement) of cancer"), no field, nothing
// required or excluded, and at least one unquoted word.
func freeWords(pq *query.Group) bool {
	words := 0
	var free func(occ query.Occur, q query.Q) bool
	free = func(occ query.Occur, q query.Q) bool {
		if occ != query.Should {
			return false
		}
		switch n := q.(type) {
		case *query.Word:
			if n.Field != "" {
				return false
			}
			words++
		case *query.Group:
			for _, c := range n.Clauses {
				if !free(c.Occur, c.Q) {
					return false
				}
			}
		case *query.Phrase:
			return n.Field == ""
		default:
			return false
		}
		return true
	}
	if pq == nil || len(pq.Clauses) == 0 {
		return false
	}
	return free(query.Should, pq) && words > 0
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
func (s *Searcher) synonyms(pq *query.Group) []string {
	if !plainText(pq) || slices.ContainsFunc(pq.Clauses, func(c query.Clause) bool { _, w := c.Q.(*query.Word); return !w }) {
		return nil
	}
	exp := s.tax.Expand(strings.Join(terms(pq), " "))
	slices.SortStableFunc(exp, func(a, b string) int {
		return cmp.Compare(strings.Count(strings.TrimSpace(a), " "), strings.Count(strings.TrimSpace(b), " "))
	})
	return exp[:min(len(exp), maxSynonyms)]
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

// Document returns the stored document with id.
func (s *Searcher) Document(ctx context.Context, id string) (*Document, error) {
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	d, ok, err := r.Document(id)
	if err != nil {
		return nil, s.wrap(err)
	}
	if !ok {
		return nil, Errorf(KindNotFound, "no document with id %q", id)
	}
	return d, nil
}

// Themes returns every theme of the taxonomy with its document count, in
// taxonomy order.
func (s *Searcher) Themes(ctx context.Context) ([]ThemeCount, error) {
	r, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	col := r.Column(indexer.FacetTheme)
	counts := make([]int, len(col.Values)+1)
	it := r.Live().Iterator()
	for it.HasNext() {
		for _, o := range col.Of(it.Next()) {
			counts[o]++
		}
	}
	out := make([]ThemeCount, 0, len(s.tax.Themes))
	for _, t := range s.tax.Themes {
		n := 0
		if o, ok := col.Ord(t.ID); ok {
			n = counts[o]
		}
		out = append(out, ThemeCount{ID: t.ID, Label: t.Label, Description: t.Description, Count: n})
	}
	return out, nil
}

// wrap turns a bleve error into an *Error of the right kind.
func (s *Searcher) wrap(err error) error {
	switch {
	case errors.Is(err, indexer.ErrCorrupt):
		return &Error{Kind: KindUnavailable, Message: "the index being served is damaged; the server is falling back to another generation", Err: err}
	case errors.Is(err, indexer.ErrNoIndex), errors.Is(err, bleve.ErrorIndexClosed):
		return &Error{Kind: KindUnavailable, Message: "no index is being served yet: run kbsearch index", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: KindBusy, Message: "the search took too long; try again", Err: err}
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
