package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

// BuildOptions configure Build.
type BuildOptions struct {
	Taxonomy *taxonomy.Taxonomy // default taxonomy.Default()
	// BatchSize and BatchBytes bound a bleve batch: documents, and bytes
	// of analysed documents; default DefaultBatchSize and
	// DefaultBatchBytes.
	BatchSize  int
	BatchBytes int
	// Workers is the number of goroutines that turn records into analysed
	// documents; default GOMAXPROCS.
	Workers int
	Keep    int  // generations kept after a build, the new one included; default 2
	Force   bool // rebuild even if nothing changed since the current generation
	Logger  *slog.Logger
	// Progress, if set, is called after each batch with the documents indexed so far.
	Progress func(indexed int)
}

// BuildResult reports what Build did.
type BuildResult struct {
	Generation string        `json:"generation"`
	Documents  int           `json:"documents"`
	Skipped    bool          `json:"skipped"` // nothing changed: the current generation was kept
	Duration   time.Duration `json:"duration"`
}

// Build indexes every indexable record of st into a new generation under dir
// and makes it current once complete. A failed or cancelled build leaves the
// current generation as it was.
func Build(ctx context.Context, st *store.Store, dir string, opts BuildOptions) (*BuildResult, error) {
	start := time.Now()
	if opts.Taxonomy == nil {
		opts.Taxonomy = taxonomy.Default()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Keep <= 0 {
		opts.Keep = 2
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	fp, err := st.Fingerprint(ctx)
	if err != nil {
		return nil, fmt.Errorf("indexer: store fingerprint: %w", err)
	}
	taxHash, err := TaxonomyHash(opts.Taxonomy)
	if err != nil {
		return nil, err
	}
	reason := "first build"
	prevName, prev, err := Current(dir)
	if err != nil && !errors.Is(err, ErrNoIndex) {
		reason = "the current generation is unreadable"
	}
	if prev != nil {
		reason = staleness(prev, fp, taxHash)
		if reason == "" && !opts.Force {
			log.Info("index is up to date", "generation", prevName, "documents", prev.Documents)
			return &BuildResult{Generation: prevName, Documents: prev.Documents, Skipped: true, Duration: time.Since(start)}, nil
		}
		if reason == "" {
			reason = "forced"
		}
	}
	crawl, err := lastCrawl(ctx, st)
	if err != nil {
		log.Warn("could not read the last crawl run; the manifest will not record it", "err", err)
	}

	buildDir, err := os.MkdirTemp(dir, buildPrefix)
	if err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	published := false
	defer func() {
		if !published {
			os.RemoveAll(buildDir)
		}
	}()
	w, err := NewWriter(buildDir, opts.BatchSize)
	if err != nil {
		return nil, err
	}
	// Two batches in flight: scorch's Batch returns only once its segment
	// is persisted (fsync), and a second batch builds its segment during
	// that wait (30k portal: 71% CPU and 121 s with one, 101% and 102 s
	// with two, peak RSS 568 and 586 MB).
	w.SetBatching(opts.BatchBytes, 2)
	n, err := fill(ctx, w, st, opts)
	if err != nil {
		w.Abort()
		return nil, err
	}
	if err := w.Close(ctx); err != nil {
		return nil, err
	}
	m := &Manifest{
		BuiltAt:          time.Now().UTC(),
		Documents:        n,
		StoreFingerprint: fp,
		TaxonomyHash:     taxHash,
		MappingVersion:   MappingVersion,
		Seconds:          time.Since(start).Seconds(),
		Reason:           reason,
		Crawl:            crawl,
	}
	if prev != nil {
		m.Previous, m.PreviousDocuments = prevName, prev.Documents
	}
	name, err := publish(dir, buildDir, m)
	if err != nil {
		return nil, err
	}
	published = true
	if err := prune(dir, opts.Keep); err != nil {
		log.Warn("could not remove old index generations", "err", err)
	}
	log.Info("index built", "generation", name, "documents", n, "seconds", m.Seconds)
	return &BuildResult{Generation: name, Documents: n, Duration: time.Since(start)}, nil
}

// lastCrawl returns the last finished crawl run of st, nil if none.
func lastCrawl(ctx context.Context, st *store.Store) (*CrawlRun, error) {
	run, err := st.LastRun(ctx)
	if err != nil || run == nil {
		return nil, err
	}
	return &CrawlRun{Started: run.Started, Finished: run.Finished, Seeds: run.Seeds}, nil
}

// fill adds every indexable record to w. One goroutine reads the store,
// opts.Workers goroutines turn records into analysed documents (NewDocumentIn
// and Writer.prepare: extraction of metadata, language, themes, analysis),
// and this one adds them to w in store order, so the text store, the
// statistics and the generation come out as a sequential build makes them.
// The channels between them are short: a few documents per worker are in
// flight, so memory does not grow with the store. ctx is checked between
// records and before each batch (bleve's Batch takes no context).
func fill(ctx context.Context, w *Writer, st *store.Store, opts BuildOptions) (int, error) {
	// A first pass over the store learns which meeting page owns which
	// documents, so a document can borrow its meeting page's title as
	// evidence of its themes.
	site, err := ReadSite(ctx, st)
	if err != nil {
		return 0, fmt.Errorf("indexer: read site structure: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		p   *prepared
		err error
	}
	type job struct {
		rec *store.Record
		out chan result // buffered: a worker never waits for the writer
	}
	jobs := make(chan *job, opts.Workers)
	order := make(chan *job, 4*opts.Workers) // jobs in store order, for the writer

	var workers sync.WaitGroup
	for range opts.Workers {
		workers.Go(func() {
			for j := range jobs {
				if err := ctx.Err(); err != nil {
					j.out <- result{err: err}
					continue
				}
				d := NewDocumentIn(j.rec, opts.Taxonomy, site)
				p, err := w.prepare(&d)
				j.out <- result{p, err}
			}
		})
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		seen := make(map[string]bool)
		readErr <- st.Each(ctx, func(rec *store.Record) error {
			if !rec.Indexable() {
				return nil
			}
			id := DocID(CanonicalURL(rec)) // NewDocumentIn's ID
			if seen[id] {
				return nil // two records resolving to one canonical URL
			}
			seen[id] = true
			j := &job{rec: rec, out: make(chan result, 1)}
			select {
			case order <- j:
			case <-ctx.Done():
				return ctx.Err()
			}
			jobs <- j // workers drain jobs to the end: this cannot block for ever
			return nil
		})
	}()

	var addErr error
	for j := range order {
		r := <-j.out
		if addErr != nil {
			continue // drain, so the reader and the workers finish
		}
		if r.err != nil {
			addErr = r.err
			cancel()
			continue
		}
		flushed, err := w.add(ctx, r.p)
		if err != nil {
			addErr = err
			cancel()
			continue
		}
		if flushed && opts.Progress != nil {
			opts.Progress(w.Documents())
		}
	}
	workers.Wait()
	rerr := <-readErr
	if addErr != nil {
		return 0, addErr
	}
	if rerr != nil {
		return 0, rerr
	}
	return w.Documents(), nil
}

// IndexFields fills d's token counts and returns the value bleve indexes for
// it: title and body in the text fields of d's language (TextLang(d.Lang)),
// token counts by that language's analyzer, keyword fields lower-cased, the
// metadata as stored JSON. A Writer does the same without analysing title
// and body twice (see prepare).
func IndexFields(im mapping.IndexMapping, d *Document) map[string]any {
	tl := TextLang(d.Lang)
	d.TitleLen = TokenCount(im, AnalyzerFor(tl), d.Title)
	d.BodyLen = TokenCount(im, AnalyzerFor(tl), d.Body)
	f := titleBodyFields(d)
	maps.Copy(f, otherFields(d))
	return f
}

// titleBodyFields are the fields of d whose token counts are kept: title and
// body in the text fields of d's language.
func titleBodyFields(d *Document) map[string]any {
	tl := TextLang(d.Lang)
	return map[string]any{TitleField(tl): d.Title, BodyField(tl): d.Body}
}

// otherFields are the fields of d but titleBodyFields, countFields
// included.
func otherFields(d *Document) map[string]any {
	f := countFields(d)
	f[FieldURL] = d.URL
	f[FieldType] = d.Type
	f[FieldSummary] = Summary(d.Body, 300)
	put := func(name, v string) {
		if v != "" {
			f[name] = strings.ToLower(v)
		}
	}
	put(FieldYear, d.Year)
	put(FieldKind, d.Kind)
	put(FieldPlace, d.Place)
	put(FieldCountry, d.Country)
	put(FieldLang, d.Lang)
	if !d.Date.IsZero() {
		f[FieldDate] = d.Date.UTC().Format(time.RFC3339)
	}
	if len(d.Themes) > 0 {
		f[FieldThemes] = d.Themes
	}
	if len(d.Translations) > 0 {
		tj, _ := json.Marshal(d.Translations) // plain struct: cannot fail
		f[FieldTranslations] = string(tj)
	}
	if len(d.PageStarts) > 1 {
		ps := make([]string, len(d.PageStarts))
		for i, o := range d.PageStarts {
			ps[i] = strconv.Itoa(o)
		}
		f[FieldPageStarts] = strings.Join(ps, " ")
	}
	return f
}

// countFields are the fields that hold d's token counts (the source JSON),
// which must be filled first.
func countFields(d *Document) map[string]any {
	src := *d
	src.Body, src.PageStarts = "", nil // stored in their own fields
	srcJSON, _ := json.Marshal(src)    // plain struct: cannot fail
	return map[string]any{
		FieldSource: string(srcJSON),
	}
}

// Staleness says why the current generation in dir does not match st as
// it is now with tax: "" when it does (Build would skip), else a reason
// fit to show a user. ErrNoIndex when there is no generation.
func Staleness(ctx context.Context, st *store.Store, dir string, tax *taxonomy.Taxonomy) (string, error) {
	_, m, err := Current(dir)
	if err != nil {
		return "", err
	}
	fp, err := st.Fingerprint(ctx)
	if err != nil {
		return "", fmt.Errorf("indexer: store fingerprint: %w", err)
	}
	taxHash, err := TaxonomyHash(tax)
	if err != nil {
		return "", err
	}
	return staleness(m, fp, taxHash), nil
}

func staleness(m *Manifest, storeFingerprint, taxHash string) string {
	switch {
	case m.MappingVersion != MappingVersion:
		return fmt.Sprintf("built by another version of kbsearch (index format %d, this one %d)", m.MappingVersion, MappingVersion)
	case m.StoreFingerprint != storeFingerprint:
		return "the crawl store changed since"
	case m.TaxonomyHash != taxHash:
		return "built with another taxonomy"
	}
	return ""
}

// TaxonomyHash identifies a taxonomy's content, so a changed taxonomy file
// triggers a rebuild.
func TaxonomyHash(t *taxonomy.Taxonomy) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("indexer: taxonomy: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) + "-" + strconv.Itoa(len(b)), nil
}

// Summary returns the first words of text, at most max bytes, cut at a word
// boundary, with an ellipsis when cut.
func Summary(text string, max int) string {
	// The words are joined only until the result is longer than max (the
	// cut looks no further): a body is often a hundred times a summary.
	var b strings.Builder
	for w := range strings.FieldsSeq(text) {
		if b.Len() > max {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return cutSummary(b.String(), max)
}

// cutSummary cuts text, its words joined by single spaces, to at most max
// bytes at a space (or, with no space in its second half, at a rune
// boundary), marked with " …".
func cutSummary(text string, max int) string {
	if len(text) <= max {
		return text
	}
	cut := strings.LastIndexByte(text[:max], ' ')
	if cut < max/2 {
		cut = max
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	return text[:cut] + " …"
}

// statsKey is the internal key under which an index keeps its Stats.
var statsKey = []byte("kbsearch.stats")

// Stats are the collection statistics exact ranking needs and bleve does not
// expose: the number of documents and the total token counts of their title
// and body (after analysis, as in Document.TitleLen and BodyLen). The top
// level counts the documents of the English fields (title, body); Langs
// counts those of each other text-field language, so each set of fields
// has its own average lengths.
type Stats struct {
	Docs        int                  `json:"docs"`
	TitleTokens int64                `json:"title_tokens"`
	BodyTokens  int64                `json:"body_tokens"`
	Langs       map[string]LangStats `json:"langs,omitempty"`
}

// LangStats are the Stats of one text-field language.
type LangStats struct {
	Docs        int   `json:"docs"`
	TitleTokens int64 `json:"title_tokens"`
	BodyTokens  int64 `json:"body_tokens"`
}

// Add counts one document; call it after IndexFields has filled the token
// counts.
func (s *Stats) Add(d *Document) {
	tl := TextLang(d.Lang)
	if tl == "" {
		s.Docs++
		s.TitleTokens += int64(d.TitleLen)
		s.BodyTokens += int64(d.BodyLen)
		return
	}
	if s.Langs == nil {
		s.Langs = map[string]LangStats{}
	}
	ls := s.Langs[tl]
	ls.Docs++
	ls.TitleTokens += int64(d.TitleLen)
	ls.BodyTokens += int64(d.BodyLen)
	s.Langs[tl] = ls
}

// AvgTitleLen and AvgBodyLen are the mean token counts of the English
// fields; 0 for no documents.
func (s Stats) AvgTitleLen() float64 { return avg(s.TitleTokens, s.Docs) }
func (s Stats) AvgBodyLen() float64  { return avg(s.BodyTokens, s.Docs) }

// AvgLens returns the mean title and body token counts of a text-field
// language's fields ("" for the English ones); 0 for no documents.
func (s Stats) AvgLens(textLang string) (title, body float64) {
	if textLang == "" {
		return s.AvgTitleLen(), s.AvgBodyLen()
	}
	ls := s.Langs[textLang]
	return avg(ls.TitleTokens, ls.Docs), avg(ls.BodyTokens, ls.Docs)
}

// Total is the number of documents counted, every language included.
func (s Stats) Total() int {
	n := s.Docs
	for _, ls := range s.Langs {
		n += ls.Docs
	}
	return n
}

// TextLangsPresent returns the text-field languages that have documents,
// "" (the English fields) first when it has any, the others in TextLangs
// order.
func (s Stats) TextLangsPresent() []string {
	var out []string
	if s.Docs > 0 {
		out = append(out, "")
	}
	for _, l := range TextLangs {
		if s.Langs[l].Docs > 0 {
			out = append(out, l)
		}
	}
	return out
}

func avg(sum int64, n int) float64 {
	if n <= 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// WriteStats stores s in idx (bleve's internal key-value space), where
// ReadStats finds it. Build does it for every generation.
func WriteStats(idx bleve.Index, s Stats) error {
	b, _ := json.Marshal(s) // plain struct: cannot fail
	if err := idx.SetInternal(statsKey, b); err != nil {
		return fmt.Errorf("indexer: write stats: %w", err)
	}
	return nil
}

// ReadStats returns the Stats stored in idx; ok is false when the index has
// none (an index built before they were kept, or by hand without WriteStats).
func ReadStats(idx bleve.Index) (s Stats, ok bool, err error) {
	b, err := idx.GetInternal(statsKey)
	if err != nil {
		return Stats{}, false, fmt.Errorf("indexer: read stats: %w", err)
	}
	if len(b) == 0 {
		return Stats{}, false, nil
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Stats{}, false, fmt.Errorf("indexer: read stats: %w", err)
	}
	return s, true, nil
}
