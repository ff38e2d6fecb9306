package indexer

import (
	"context"
	"fmt"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// Writer writes Documents into a new index directory as a Reader reads it:
// the bleve index (DIR/index), the text store (DIR/texts) and the
// collection statistics. Build uses it for each generation; OpenDir opens
// the result.
//
// Add is not safe for concurrent use; Build prepares documents (mapping
// and analysis, the costly part) on several goroutines with prepare and
// adds them in order on one.
type Writer struct {
	dir      string
	im       mapping.IndexMapping
	idx      bleve.Index
	texts    *TextWriter
	batch    *bleve.Batch
	size     int // documents per batch at most
	maxBytes int // analysed bytes per batch at most (bleve's Document.Size)
	bytes    int // analysed bytes in batch
	stats    Stats
	words    *wordsWriter
	phrases  *phrasesWriter
	n        int

	// Batches are written by goroutines of their own, at most
	// cap(inFlight) at once, while the next batch fills; the first error
	// stops the Writer.
	inFlight chan struct{}
	flushes  sync.WaitGroup
	errMu    sync.Mutex
	err      error
}

// Default batch bounds: a batch is written when it holds DefaultBatchSize
// documents or DefaultBatchBytes of analysed documents (as bleve's
// Document.Size counts them: about 24 times the text, 103 KB for a
// make_site.py document of 4.4 KB), whichever comes first. Larger batches
// cost less (BenchmarkBuild allocates 2.72 GB per build in batches of
// 100, 1.94 GB in 500, 1.73 GB in 1000) but two are in memory at once,
// the one filling and the one being written: with 64 MiB the 10k portal
// peaked at 598 MB of anonymous memory, with 32 MiB (about 320 such
// documents) at 323 MB, as much as the sequential build's whole RSS.
const (
	DefaultBatchSize  = 1000
	DefaultBatchBytes = 32 << 20
)

// NewWriter creates dir (which must not hold an index) and an empty index
// in it; batchSize is the documents per bleve batch (default
// DefaultBatchSize).
func NewWriter(dir string, batchSize int) (*Writer, error) {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	im, err := NewMapping()
	if err != nil {
		return nil, err
	}
	idx, err := bleve.New(filepath.Join(dir, "index"), im)
	if err != nil {
		return nil, fmt.Errorf("indexer: create index: %w", err)
	}
	tw, err := CreateTexts(filepath.Join(dir, textsFile))
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &Writer{dir: dir, im: im, idx: idx, texts: tw, words: newWordsWriter(), phrases: newPhrasesWriter(), batch: idx.NewBatch(), size: batchSize,
		maxBytes: DefaultBatchBytes, inFlight: make(chan struct{}, 1)}, nil
}

// SetBatching bounds the analysed bytes of a batch (default
// DefaultBatchBytes) and the batches being written at once while the next
// one fills (default 1): bleve builds a batch's segment on one goroutine
// and then waits for it to be persisted, so a second batch in flight uses
// that wait. Each one in flight holds up to batchBytes of analysed
// documents. Values <= 0 keep the defaults. Call it before the first Add.
func (w *Writer) SetBatching(batchBytes, inFlight int) {
	if batchBytes <= 0 {
		batchBytes = DefaultBatchBytes
	}
	w.maxBytes = batchBytes
	w.inFlight = make(chan struct{}, max(1, inFlight))
}

// Mapping returns the index mapping the Writer indexes with.
func (w *Writer) Mapping() mapping.IndexMapping { return w.im }

// Add indexes d (filling its token counts); flushed says whether a batch
// was handed over to be written (an error writing it comes back from a
// later Add or from Close). It checks ctx before each batch (bleve's Batch
// takes none).
func (w *Writer) Add(ctx context.Context, d *Document) (flushed bool, err error) {
	p, err := w.prepare(d)
	if err != nil {
		return false, err
	}
	return w.add(ctx, p)
}

// prepared is a Document made ready for a batch by prepare.
type prepared struct {
	d     *Document
	doc   *document.Document // every field analysed
	size  int                // doc.Size() once analysed
	words []uint32           // numbers of its distinct words (wordsWriter.intern)
	phr   *docPhrases        // its word pairs and lines, for the phrases file
}

// prepare maps d as IndexFields does and analyses every field, filling
// d's token counts from the analysis of its title and body, which
// IndexFields analyses twice. The fields come out marked as analysed, so
// the index's own pass over a batch (scorch analyses every document of a
// batch) keeps what prepare found. It only reads the mapping: several
// goroutines may call it at once.
func (w *Writer) prepare(d *Document) (*prepared, error) {
	// Map every field at once, with the counts not yet known, so that
	// bleve's _all composite knows every field (and leaves each out, as
	// the mapping says); then replace the source field, which holds the counts.
	d.TitleLen, d.BodyLen = 0, 0
	f := titleBodyFields(d)
	maps.Copy(f, otherFields(d))
	doc := document.NewDocument(d.ID)
	if err := w.im.MapDocument(doc, f); err != nil {
		return nil, fmt.Errorf("indexer: add %s: %w", d.URL, err)
	}
	tl := TextLang(d.Lang)
	title, body := TitleField(tl), BodyField(tl)
	shared, titleWords, bodyWords := w.shareTokens(doc, d, tl)
	if shared == nil {
		titleWords, bodyWords = w.docWords(d)
	}
	words := w.words.intern(append(slices.Clip(titleWords), bodyWords...))
	phr := findPhrases(d, titleWords, bodyWords)
	for i, f := range doc.Fields {
		if f.Name() == FieldSource {
			continue
		}
		if p, ok := shared[f.Name()]; ok {
			p.TextField = f.(*document.TextField)
			doc.Fields[i] = p
			f = p
		} else if f.Options().IsIndexed() {
			f.Analyze()
		}
		switch f.Name() {
		case title:
			d.TitleLen = f.AnalyzedLength()
		case body:
			d.BodyLen = f.AnalyzedLength()
		}
	}
	counted := document.NewDocument(d.ID)
	if err := w.im.MapDocument(counted, countFields(d)); err != nil {
		return nil, fmt.Errorf("indexer: add %s: %w", d.URL, err)
	}
	byName := make(map[string]document.Field, len(counted.Fields))
	for _, f := range counted.Fields {
		if f.Options().IsIndexed() {
			f.Analyze()
		}
		byName[f.Name()] = f
	}
	for i, f := range doc.Fields {
		if c, ok := byName[f.Name()]; ok {
			f = c
		}
		doc.Fields[i] = markAnalysed(f)
	}
	return &prepared{d: d, doc: doc, size: doc.Size(), words: words, phr: phr}, nil
}

// shareTokens analyses d's title and body for their text fields and for
// the completion dictionary (their words as written, see AnalyzerWords)
// with one tokenisation of each: the two analyzers differ only in their
// token filters, which run on copies of the tokens. It returns the text
// fields' analyses by name, their TextField to be filled in, and the
// words of the title and of the body; nils when the analyzers do not share
// one tokenizer (then each field analyses its own text, and docWords the
// words).
func (w *Writer) shareTokens(doc *document.Document, d *Document, tl string) (map[string]*preAnalysed, analysis.TokenStream, analysis.TokenStream) {
	text, ok1 := w.im.AnalyzerNamed(AnalyzerFor(tl)).(*analysis.DefaultAnalyzer)
	words, ok2 := w.im.AnalyzerNamed(AnalyzerWords).(*analysis.DefaultAnalyzer)
	if !ok1 || !ok2 || !sameTokenizer(text.Tokenizer, words.Tokenizer) {
		return nil, nil, nil
	}
	opts := func(name string) (index.FieldIndexingOptions, bool) {
		for _, f := range doc.Fields {
			if f.Name() == name {
				_, isText := f.(*document.TextField)
				return f.Options(), isText
			}
		}
		return 0, false
	}
	titleName, bodyName := TitleField(tl), BodyField(tl)
	titleOpts, ok1 := opts(titleName)
	bodyOpts, ok2 := opts(bodyName)
	if !ok1 || !ok2 {
		return nil, nil, nil
	}
	// The filters both chains start with (lower-casing) run once.
	shared := 0
	for shared < min(len(text.TokenFilters), len(words.TokenFilters)) && text.TokenFilters[shared] == words.TokenFilters[shared] {
		shared++
	}
	filter := func(fs []analysis.TokenFilter, ts analysis.TokenStream) analysis.TokenStream {
		for _, f := range fs {
			ts = f.Filter(ts)
		}
		return ts
	}
	// The tokens' terms point into the text, which filters may rewrite
	// in place: each chain gets its own copy of the bytes.
	titleTok := filter(text.TokenFilters[:shared], words.Tokenizer.Tokenize([]byte(d.Title)))
	bodyTok := filter(text.TokenFilters[:shared], words.Tokenizer.Tokenize([]byte(d.Body)))
	titleWords := filter(words.TokenFilters[shared:], cloneTokens(titleTok))
	bodyWords := filter(words.TokenFilters[shared:], cloneTokens(bodyTok))
	titleText := filter(text.TokenFilters[shared:], titleTok)
	bodyText := filter(text.TokenFilters[shared:], bodyTok)
	pre := func(ts analysis.TokenStream, opts index.FieldIndexingOptions) *preAnalysed {
		freqs, size := tokenFrequencies(ts, opts)
		if size < 0 {
			size = freqs.Size()
		}
		return &preAnalysed{length: len(ts), freqs: freqs, freqsSize: size}
	}
	return map[string]*preAnalysed{
		titleName: pre(titleText, titleOpts),
		bodyName:  pre(bodyText, bodyOpts),
	}, titleWords, bodyWords
}

// sameTokenizer reports whether a and b give the same tokens: the same
// tokenizer, or bleve's unicode tokenizer (which bleve's language analyzers
// use) and this package's faster equivalent.
func sameTokenizer(a, b analysis.Tokenizer) bool {
	if a == b {
		return true
	}
	unicodeLike := func(t analysis.Tokenizer) bool {
		switch t.(type) {
		case fastTokenizer, *unicode.UnicodeTokenizer:
			return true
		}
		return false
	}
	return unicodeLike(a) && unicodeLike(b)
}

// docWords returns the words of d's title and of its body for the
// completion dictionary.
func (w *Writer) docWords(d *Document) (title, body analysis.TokenStream) {
	a := w.im.AnalyzerNamed(AnalyzerWords)
	if a == nil {
		return nil, nil
	}
	return a.Analyze([]byte(d.Title)), a.Analyze([]byte(d.Body))
}

// cloneTokens copies ts, the terms into one new buffer.
func cloneTokens(ts analysis.TokenStream) analysis.TokenStream {
	n := 0
	for _, t := range ts {
		n += len(t.Term)
	}
	buf := make([]byte, 0, n)
	toks := make([]analysis.Token, len(ts))
	out := make(analysis.TokenStream, len(ts))
	for i, t := range ts {
		toks[i] = *t
		start := len(buf)
		buf = append(buf, t.Term...)
		toks[i].Term = buf[start:len(buf):len(buf)]
		out[i] = &toks[i]
	}
	return out
}

// preAnalysed is a text field analysed by shareTokens: it reports that
// analysis and its Analyze does nothing.
type preAnalysed struct {
	*document.TextField
	length    int
	freqs     index.TokenFrequencies
	freqsSize int // freqs.Size(), counted once
}

func (p *preAnalysed) Analyze()                                         {}
func (p *preAnalysed) AnalyzedLength() int                              { return p.length }
func (p *preAnalysed) AnalyzedTokenFrequencies() index.TokenFrequencies { return p.freqs }
func (p *preAnalysed) Size() int                                        { return p.TextField.Size() + p.freqsSize }

// analysed is a field that prepare has analysed: its Analyze does
// nothing, so the index's analysis of the batch keeps prepare's result.
type analysed struct{ document.Field }

func (analysed) Analyze() {}

// markAnalysed wraps the kinds of field this package's mapping makes;
// any other kind is left for the index to analyse (again).
func markAnalysed(f document.Field) document.Field {
	switch f.(type) {
	case *preAnalysed:
		return f
	case *document.TextField, *document.NumericField, *document.DateTimeField, *document.BooleanField:
		return analysed{f}
	}
	return f
}

// add puts a prepared document in the batch, its text in the text store
// and its counts in the statistics, and writes the batch when full.
func (w *Writer) add(ctx context.Context, p *prepared) (flushed bool, err error) {
	if err := w.batch.IndexAdvanced(p.doc); err != nil {
		return false, fmt.Errorf("indexer: add %s: %w", p.d.URL, err)
	}
	if err := w.texts.Add(p.d.ID, p.d.Body); err != nil {
		return false, err
	}
	w.words.add(p.d.ID, p.words)
	w.phrases.add(p.phr)
	w.stats.Add(p.d)
	w.n++
	w.bytes += p.size
	if w.batch.Size() < w.size && w.bytes < w.maxBytes {
		return false, nil
	}
	return true, w.flush(ctx)
}

// Documents returns the number of documents added.
func (w *Writer) Documents() int { return w.n }

// flush starts writing the batch and starts a new one; it waits while
// cap(w.inFlight) batches are being written, so memory stays bounded.
func (w *Writer) flush(ctx context.Context) error {
	if err := w.failed(); err != nil {
		return err
	}
	if w.batch.Size() == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := w.batch
	w.batch, w.bytes = w.idx.NewBatch(), 0
	select {
	case w.inFlight <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	// The goroutine must not look at ctx: a caller's ctx may end once
	// the batch is handed over (fill's does when it returns) without the
	// build being cancelled.
	w.flushes.Go(func() {
		defer func() { <-w.inFlight }()
		if err := w.idx.Batch(b); err != nil {
			w.fail(fmt.Errorf("indexer: batch: %w", err))
		}
	})
	return nil
}

func (w *Writer) fail(err error) {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *Writer) failed() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

// wait waits for the batches being written and returns the first error.
func (w *Writer) wait() error {
	w.flushes.Wait()
	return w.failed()
}

// Close writes what is left, the statistics and the text store's index,
// and closes the files. The directory is complete only when Close
// succeeds.
func (w *Writer) Close(ctx context.Context) error {
	err := w.flush(ctx)
	if werr := w.wait(); err == nil {
		err = werr
	}
	if err == nil {
		err = WriteStats(w.idx, w.stats)
	}
	if cerr := w.idx.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("indexer: close index: %w", cerr)
	}
	if err == nil {
		// The completion dictionary and the phrases file are written at
		// once, each on its own goroutine (the rest of the build is done):
		// 6 and 1 s of a 100k build's end on one core. The words'
		// bitmaps are complete first, so that the phrases read their
		// document counts while the dictionary is written.
		w.words.complete()
		var g errgroup.Group
		g.Go(w.writeWords)
		g.Go(func() error { return w.phrases.write(filepath.Join(w.dir, phrasesFile), w.words.docFreq) })
		err = g.Wait()
	}
	if err != nil {
		w.texts.Abort()
		return err
	}
	return w.texts.Close()
}

// writeWords writes the completion dictionary numbered as the closed
// index numbers its documents (its merges have reordered them), so that a
// Reader uses the bitmaps as they are.
func (w *Writer) writeWords() error {
	idx, err := bleve.OpenUsing(filepath.Join(w.dir, "index"), map[string]any{"read_only": true})
	if err != nil {
		return fmt.Errorf("indexer: words: %w", err)
	}
	r, err := newReader(idx, "", "", true)
	if err != nil {
		_ = idx.Close()
		return fmt.Errorf("indexer: words: %w", err)
	}
	ids := r.ids
	r.Close()
	return w.words.write(filepath.Join(w.dir, wordsFile), ids)
}

// Abort closes a Writer whose directory will be thrown away.
func (w *Writer) Abort() {
	w.wait()
	w.idx.Close()
	w.texts.Abort()
}

// OpenDir opens an index directory that a Writer made (a generation's
// directory) read-only, as a Reader that owns it.
func OpenDir(dir string) (*Reader, error) {
	// A Writer always writes the completion dictionary: without it, the
	// generation is damaged (newReader alone would serve no completions).
	if _, err := os.Stat(filepath.Join(dir, wordsFile)); err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", dir, err)
	}
	idx, err := bleve.OpenUsing(filepath.Join(dir, "index"), map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", dir, err)
	}
	r, err := newReader(idx, filepath.Join(dir, textsFile), filepath.Join(dir, wordsFile), true)
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("indexer: open %s: %w", dir, err)
	}
	if m, err := readManifest(dir); err == nil {
		r.manifest = m
	}
	return r, nil
}
