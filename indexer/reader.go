package indexer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Reader is a read view of one index generation, made for search: the
// boundary between the on-disk format, which this package owns, and the
// search package, which asks it for postings, columns and stored hits and
// never names an index field or decodes a stored value itself.
//
// A Reader numbers the generation's documents 0..Docs()-1 (its own dense
// numbers, fixed for its life) and holds, in memory, what a search needs
// for every matching document and cannot afford to read from disk per
// match: the facet values of each document as small ordinals (columns, as
// Lucene's doc values and global ordinals), its date, and the rank of its
// id for ties. Postings (term frequencies, field lengths, positions) are
// read from the segments on demand.
//
// A Reader is immutable and safe for concurrent use. It is reference
// counted: Acquire it (it is its own Source) before use and Release it
// after; the last Release of a Reader whose owner called Close closes it.
type Reader struct {
	idx  bleve.Index
	ir   index.IndexReader
	segs []segView
	docs int // document numbers: the sum of the segments' counts

	live   *roaring.Bitmap
	ids    []string // external id by document number; "" for a deleted one
	idRank []uint32 // position of ids[d] in id order
	byRank []uint32 // the document numbers in id order: idRank's inverse

	columns map[string]*Column
	dates   []int64 // UnixNano by document; NoDate when it has none
	newest  int64   // the latest of dates; NoDate when none has one

	stats    Stats
	hasStats bool

	texts   *texts   // nil for an index without a text store
	textOff []int64  // record offset by document; -1 for none
	textLen []uint32 // text length by document, in bytes

	analyzers map[string]analysis.Analyzer // by text-field language
	vocab     *vocab                       // the completion dictionary
	words     *words                       // its bitmaps; nil without a words file
	phrases   *phrases                     // two-word terms and boilerplate lines

	broken atomic.Pointer[error] // what showed the generation damaged (Err)

	manifest *Manifest // of the generation it reads; nil for another index
	instance uint64    // this Reader's number in the process, for Identity

	refs      atomic.Int64
	closing   atomic.Bool
	closeOnce sync.Once
	closeErr  error
	own       bool // Close closes idx as well
}

// NoDate is the date of a document without one.
const NoDate = math.MinInt64

type segView struct {
	seg     segment.Segment
	base    uint32
	deleted *roaring.Bitmap
}

// Facet names: the fields a search counts and filters by columns.
const (
	FacetTheme = "theme"
	FacetType  = "type"
	FacetYear  = "year"
	FacetPlace = "place"
	FacetKind  = "kind"
	FacetLang  = "lang"
)

// FacetFields maps facet names to the keyword fields that hold them.
var FacetFields = map[string]string{
	FacetTheme: FieldThemes,
	FacetType:  FieldType,
	FacetYear:  FieldYear,
	FacetPlace: FieldPlace,
	FacetKind:  FieldKind,
	FacetLang:  FieldLang,
}

// Source gives a Reader of the index to serve: a Reader is its own Source;
// Live gives the current generation's. The caller must Release it.
type Source interface {
	Acquire() (*Reader, error)
}

var _ Source = (*Reader)(nil)
var _ Source = (*Live)(nil)

// NewReader returns a Reader over idx, a scorch index (every index Build
// makes, and bleve.New's), with the documents' texts in the text store at
// textsPath (see TextWriter; "" for none: texts then come from bleve's
// stored fields, where an index built before the text store keeps them).
// It takes idx's current snapshot: documents indexed later are not seen.
// Closing the Reader does not close idx.
func NewReader(idx bleve.Index, textsPath string) (*Reader, error) {
	wordsPath := ""
	if textsPath != "" {
		wordsPath = filepath.Join(filepath.Dir(textsPath), wordsFile)
	}
	return newReader(idx, textsPath, wordsPath, false)
}

func newReader(idx bleve.Index, textsPath, wordsPath string, own bool) (*Reader, error) {
	ai, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("indexer: reader: %w", err)
	}
	ir, err := ai.Reader()
	if err != nil {
		return nil, fmt.Errorf("indexer: reader: %w", err)
	}
	snap, ok := ir.(*scorch.IndexSnapshot)
	if !ok {
		_ = ir.Close()
		return nil, fmt.Errorf("indexer: reader: %T is not a scorch index", ir)
	}
	r := &Reader{idx: idx, ir: ir, own: own, columns: map[string]*Column{}, instance: readers.Add(1)}
	r.refs.Store(1)
	if err := r.load(snap); err != nil {
		_ = ir.Close()
		return nil, fmt.Errorf("indexer: reader: %w", err)
	}
	r.vocab = &vocab{off: []uint32{0}}
	if wordsPath != "" {
		ws, v, err := openWords(wordsPath, r.ids)
		if err != nil {
			_ = ir.Close()
			return nil, fmt.Errorf("indexer: reader: %w", err)
		}
		if ws != nil {
			r.words, r.vocab = ws, v
		}
	}
	r.phrases = &phrases{lines: map[uint64]struct{}{}}
	if wordsPath != "" {
		ph, err := openPhrases(filepath.Join(filepath.Dir(wordsPath), phrasesFile))
		if err != nil {
			_ = ir.Close()
			return nil, fmt.Errorf("indexer: reader: %w", err)
		}
		r.phrases = ph
	}
	if textsPath != "" {
		t, offsets, err := openTexts(textsPath)
		if err != nil {
			_ = ir.Close()
			return nil, fmt.Errorf("indexer: reader: %w", err)
		}
		if t != nil {
			r.texts = t
			r.textOff = make([]int64, r.docs)
			r.textLen = make([]uint32, r.docs)
			for d, id := range r.ids {
				e, ok := offsets[id]
				if !ok {
					e.off = -1
				}
				r.textOff[d], r.textLen[d] = e.off, uint32(min(e.length, math.MaxUint32))
			}
		}
	}
	return r, nil
}

// load reads the segments, the ids, the columns and the statistics.
func (r *Reader) load(snap *scorch.IndexSnapshot) error {
	var base uint64
	for _, ss := range snap.Segments() {
		n := ss.Segment().Count() // ss.Count() leaves out the deleted: numbers count them

		if base+n > math.MaxUint32 {
			return errors.New("more than 2^32 documents")
		}
		r.segs = append(r.segs, segView{seg: ss.Segment(), base: uint32(base), deleted: ss.Deleted()})
		base += n
	}
	r.docs = int(base)
	r.live = roaring.New()
	for _, s := range r.segs {
		n := uint64(s.seg.Count())
		if n == 0 {
			continue
		}
		r.live.AddRange(uint64(s.base), uint64(s.base)+n)
		if s.deleted != nil && !s.deleted.IsEmpty() {
			r.live.AndNot(roaring.AddOffset64(s.deleted, int64(s.base)))
		}
	}
	if err := r.loadIDs(); err != nil {
		return err
	}
	for name, field := range FacetFields {
		c, err := r.loadColumn(name, field)
		if err != nil {
			return err
		}
		r.columns[name] = c
	}
	if err := r.loadDates(); err != nil {
		return err
	}
	b, err := r.ir.GetInternal(statsKey)
	if err != nil {
		return err
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.stats); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
		r.hasStats = true
	}
	im, err := NewMapping()
	if err != nil {
		return err
	}
	r.analyzers = map[string]analysis.Analyzer{}
	for _, l := range append([]string{""}, TextLangs...) {
		if a := im.AnalyzerNamed(AnalyzerFor(l)); a != nil {
			r.analyzers[l] = a
		}
	}
	r.analyzers[AnalyzerWords] = im.AnalyzerNamed(AnalyzerWords)
	return nil
}

// loadIDs reads every segment's _id dictionary: each id is a term with one
// posting, the document's number.
func (r *Reader) loadIDs() error {
	r.ids = make([]string, r.docs)
	for _, s := range r.segs {
		d, err := s.seg.Dictionary("_id")
		if err != nil {
			return err
		}
		it := d.AutomatonIterator(nil, nil, nil)
		var pl segment.PostingsList
		for {
			e, err := it.Next()
			if err != nil {
				return err
			}
			if e == nil {
				break
			}
			pl, err = d.PostingsList([]byte(e.Term), s.deleted, nil)
			if err != nil {
				return err
			}
			p, err := pl.Iterator(false, false, false, nil).Next()
			if err != nil {
				return err
			}
			if p != nil {
				r.ids[s.base+uint32(p.Number())] = e.Term
			}
		}
	}
	order := make([]uint32, 0, r.docs)
	for d := range r.docs {
		order = append(order, uint32(d))
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(r.ids[a], r.ids[b]) })
	r.idRank = make([]uint32, r.docs)
	for i, d := range order {
		r.idRank[d] = uint32(i)
	}
	r.byRank = order
	return nil
}

// eachDoc calls fn with every live document number holding term in field.
func (r *Reader) eachDoc(field, term string, fn func(doc uint32)) error {
	for _, s := range r.segs {
		bm, one, ok, err := s.postingsBitmap(field, term)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if bm == nil {
			fn(s.base + one)
			continue
		}
		it := bm.Iterator()
		for it.HasNext() {
			fn(s.base + it.Next())
		}
	}
	return nil
}

// postingsBitmap returns the live local document numbers of term in field:
// a bitmap, or (bm nil) the one document of a one-hit list; ok is false for
// none. The bitmap belongs to the segment: do not change it.
func (s segView) postingsBitmap(field, term string) (bm *roaring.Bitmap, one uint32, ok bool, err error) {
	d, err := s.seg.Dictionary(field)
	if err != nil {
		return nil, 0, false, err
	}
	pl, err := d.PostingsList([]byte(term), s.deleted, nil)
	if err != nil || pl == nil || pl.Count() == 0 {
		return nil, 0, false, err
	}
	it := pl.Iterator(false, false, false, nil)
	if o, isOpt := it.(segment.OptimizablePostingsIterator); isOpt {
		if n, hit := o.DocNum1Hit(); hit {
			return nil, uint32(n), true, nil
		}
		if bm := o.ActualBitmap(); bm != nil {
			return bm, 0, true, nil
		}
	}
	// Another segment format: collect the numbers.
	bm = roaring.New()
	for {
		p, err := it.Next()
		if err != nil {
			return nil, 0, false, err
		}
		if p == nil {
			break
		}
		bm.Add(uint32(p.Number()))
	}
	return bm, 0, !bm.IsEmpty(), nil
}

// fieldTerms returns the terms of field over all segments, sorted.
func (r *Reader) fieldTerms(field string) ([]string, error) {
	fd, err := r.ir.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	var out []string
	for {
		e, err := fd.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return out, nil
		}
		out = append(out, e.Term)
	}
}

func (r *Reader) loadColumn(name, field string) (*Column, error) {
	terms, err := r.fieldTerms(field)
	if err != nil {
		return nil, err
	}
	if len(terms) >= math.MaxUint16 {
		return nil, fmt.Errorf("facet %s has %d values, more than a column holds", name, len(terms))
	}
	c := &Column{Name: name, Values: terms, ords: make(map[string]uint16, len(terms))}
	type pair struct {
		doc uint32
		ord uint16
	}
	var pairs []pair
	counts := make([]uint32, r.docs+1)
	multi := false
	c.docs = make([]*roaring.Bitmap, len(terms)+1)
	for i, t := range terms {
		ord := uint16(i + 1)
		c.ords[t] = ord
		bm := roaring.New()
		c.docs[ord] = bm
		err := r.eachDoc(field, t, func(doc uint32) {
			bm.Add(doc)
			pairs = append(pairs, pair{doc, ord})
			counts[doc+1]++
			if counts[doc+1] > 1 {
				multi = true
			}
		})
		if err != nil {
			return nil, err
		}
		bm.RunOptimize()
	}
	if !multi {
		c.one = make([]uint16, r.docs)
		for _, p := range pairs {
			c.one[p.doc] = p.ord
		}
		return c, nil
	}
	for d := 1; d <= r.docs; d++ {
		counts[d] += counts[d-1]
	}
	c.start = counts
	c.vals = make([]uint16, len(pairs))
	next := slices.Clone(counts[:r.docs])
	for _, p := range pairs {
		c.vals[next[p.doc]] = p.ord
		next[p.doc]++
	}
	for d := range r.docs { // ordinals in value order, as the terms were read
		slices.Sort(c.vals[c.start[d]:c.start[d+1]])
	}
	return c, nil
}

// loadDates reads the full-precision terms of the date field.
func (r *Reader) loadDates() error {
	r.dates = make([]int64, r.docs)
	for i := range r.dates {
		r.dates[i] = NoDate
	}
	// Full-precision terms start with the byte of shift 0; the others
	// (coarser, for range queries) are not read.
	fd, err := r.ir.FieldDictPrefix(FieldDate, []byte{numeric.ShiftStartInt64})
	if err != nil {
		return err
	}
	var terms []string
	for {
		e, err := fd.Next()
		if err != nil {
			fd.Close()
			return err
		}
		if e == nil {
			break
		}
		terms = append(terms, e.Term)
	}
	fd.Close()
	for _, t := range terms {
		pc := numeric.PrefixCoded(t)
		if shift, err := pc.Shift(); err != nil || shift != 0 {
			continue
		}
		v, err := pc.Int64()
		if err != nil {
			continue
		}
		if err := r.eachDoc(FieldDate, t, func(doc uint32) { r.dates[doc] = v }); err != nil {
			return err
		}
	}
	r.newest = NoDate
	it := r.live.Iterator()
	for it.HasNext() {
		r.newest = max(r.newest, r.dates[it.Next()])
	}
	return nil
}

// Acquire retains r; Release it after use.
func (r *Reader) Acquire() (*Reader, error) {
	r.refs.Add(1)
	return r, nil
}

// Release drops a reference taken by Acquire (or the owner's, by Close).
func (r *Reader) Release() {
	if r.refs.Add(-1) == 0 {
		r.closeOnce.Do(func() {
			r.closeErr = r.ir.Close()
			if r.texts != nil {
				if err := r.texts.close(); err != nil && r.closeErr == nil {
					r.closeErr = err
				}
			}
			if r.words != nil {
				if err := r.words.close(); err != nil && r.closeErr == nil {
					r.closeErr = err
				}
			}
			if r.own {
				if err := r.idx.Close(); err != nil && r.closeErr == nil {
					r.closeErr = err
				}
			}
		})
	}
}

// Close drops the owner's reference: the Reader closes when the searches
// that acquired it have released it.
func (r *Reader) Close() error {
	if r.closing.Swap(true) {
		return nil
	}
	r.Release()
	return r.closeErr
}

// Index returns the bleve index r reads, for what search still asks bleve
// (completions, the document API).
func (r *Reader) Index() bleve.Index { return r.idx }

// Manifest returns the manifest of the generation r reads (OpenDir,
// OpenReader, OpenChecked), nil for an index that is not a generation.
// It must not be modified.
func (r *Reader) Manifest() *Manifest { return r.manifest }

// readers numbers the Readers of the process.
var readers atomic.Uint64

// Identity names the index r reads, for what must not outlive it (a
// search's cursor): a generation's name and build time, which stay the
// same across processes, or for an index that is not a generation this
// Reader's number in the process.
func (r *Reader) Identity() string {
	if m := r.manifest; m != nil {
		return m.Generation + "@" + m.BuiltAt.UTC().Format(time.RFC3339Nano)
	}
	return "reader-" + strconv.FormatUint(r.instance, 10)
}

// Docs returns the number of document numbers (live or not); document
// numbers are below it.
func (r *Reader) Docs() int { return r.docs }

// Live returns the live documents. Do not change it.
func (r *Reader) Live() *roaring.Bitmap { return r.live }

// Count returns the number of live documents.
func (r *Reader) Count() int { return int(r.live.GetCardinality()) }

// ID returns the external id of document doc.
func (r *Reader) ID(doc uint32) string { return r.ids[doc] }

// IDRank returns the position of doc's id among all ids in lexical order,
// to break ties by id without comparing strings.
func (r *Reader) IDRank(doc uint32) uint32 { return r.idRank[doc] }

// IDBound returns the number of document ids (of document numbers, live
// or not) that sort before id, and whether a live document has id itself:
// where id falls among the ranks IDRank gives, for an id that may come from
// another generation.
func (r *Reader) IDBound(id string) (rank uint32, found bool) {
	i, found := slices.BinarySearchFunc(r.byRank, id, func(d uint32, id string) int { return strings.Compare(r.ids[d], id) })
	return uint32(i), found && id != ""
}

// Newest returns the latest date of a live document as UnixNano, NoDate
// when none has a date.
func (r *Reader) Newest() int64 { return r.newest }

// Date returns the date of doc as UnixNano, NoDate if it has none.
func (r *Reader) Date(doc uint32) int64 { return r.dates[doc] }

// Dates returns the date column (UnixNano by document). Do not change it.
func (r *Reader) Dates() []int64 { return r.dates }

// Column returns the column of a facet (one of FacetFields), nil for none.
func (r *Reader) Column(facet string) *Column { return r.columns[facet] }

// Stats returns the collection statistics the build stored, ok false for
// an index without them.
func (r *Reader) Stats() (Stats, bool) { return r.stats, r.hasStats }

// TextLangs returns the text-field languages that have documents (see
// Stats.TextLangsPresent); the English fields alone for an index without
// statistics.
func (r *Reader) TextLangs() []string {
	if r.hasStats {
		if p := r.stats.TextLangsPresent(); len(p) > 0 {
			return p
		}
	}
	return []string{""}
}

// Analyze returns the tokens of text as the analyzer of a text-field
// language's fields makes them (nil for an unknown language).
func (r *Reader) Analyze(textLang, text string) analysis.TokenStream {
	a := r.analyzers[textLang]
	if a == nil || text == "" {
		return nil
	}
	return a.Analyze([]byte(text))
}

// Column holds one facet's values of every document as ordinals: 0 for no
// value, i+1 for Values[i].
type Column struct {
	Name   string
	Values []string // sorted
	ords   map[string]uint16
	one    []uint16 // single-valued: the ordinal of each document
	start  []uint32 // multi-valued: doc d's ordinals are vals[start[d]:start[d+1]]
	vals   []uint16
	docs   []*roaring.Bitmap // by ordinal (0: nil): the documents with each value
}

// Docs returns the documents with the value of ordinal o (nil for 0). Do
// not change it.
func (c *Column) Docs(o uint16) *roaring.Bitmap { return c.docs[o] }

// Multi reports whether a document may have several values.
func (c *Column) Multi() bool { return c.one == nil }

// Single returns the ordinals by document of a single-valued column (nil
// for a multi-valued one). Do not change it.
func (c *Column) Single() []uint16 { return c.one }

// Of returns the ordinals of doc (for either kind of column).
func (c *Column) Of(doc uint32) []uint16 {
	if c.one != nil {
		if c.one[doc] == 0 {
			return nil
		}
		return c.one[doc : doc+1]
	}
	return c.vals[c.start[doc]:c.start[doc+1]]
}

// Ord returns the ordinal of value, ok false when no document has it.
func (c *Column) Ord(value string) (uint16, bool) {
	o, ok := c.ords[value]
	return o, ok
}

// Part names one of a document's text fields, in whichever language's
// fields it has.
type Part uint8

// The text parts.
const (
	Title Part = iota
	Body
)

func (p Part) field(textLang string) string {
	if p == Title {
		return TitleField(textLang)
	}
	return BodyField(textLang)
}

// TextBitmap returns the live documents whose part, in the fields of a
// text-field language, holds term (an analysed token).
func (r *Reader) TextBitmap(p Part, textLang, term string) (*roaring.Bitmap, error) {
	return r.bitmap(p.field(textLang), term)
}

// KeywordBitmap returns the live documents with value in a keyword field
// (FieldThemes, FieldType, FieldCountry, ...).
func (r *Reader) KeywordBitmap(field, value string) (*roaring.Bitmap, error) {
	return r.bitmap(field, value)
}

func (r *Reader) bitmap(field, term string) (_ *roaring.Bitmap, err error) {
	defer r.recoverCorrupt(&err)
	out := roaring.New()
	for _, s := range r.segs {
		bm, one, ok, err := s.postingsBitmap(field, term)
		if err != nil {
			return nil, err
		}
		switch {
		case !ok:
		case bm == nil:
			out.Add(s.base + one)
		case s.base == 0:
			out.Or(bm)
		default:
			out.Or(roaring.AddOffset64(bm, int64(s.base)))
		}
	}
	return out, nil
}

// DocFreq returns the number of live documents whose part holds term.
func (r *Reader) DocFreq(p Part, textLang, term string) (int, error) {
	return r.docFreq(p.field(textLang), term)
}

// WordDocFreq returns the number of live documents holding a word of the
// completion dictionary.
func (r *Reader) WordDocFreq(word string) (int, error) {
	v := r.vocab
	if i := v.from(word); i < v.len() && v.word(i) == word {
		return int(v.df[i]), nil
	}
	return 0, nil
}

func (r *Reader) docFreq(field, term string) (_ int, err error) {
	defer r.recoverCorrupt(&err)
	n := 0
	for _, s := range r.segs {
		d, err := s.seg.Dictionary(field)
		if err != nil {
			return 0, err
		}
		pl, err := d.PostingsList([]byte(term), s.deleted, nil)
		if err != nil {
			return 0, err
		}
		if pl != nil {
			n += int(pl.Count())
		}
	}
	return n, nil
}

// Posting is one document's entry in a term's postings.
type Posting struct {
	Doc    uint32
	Freq   uint32
	Length uint32 // the field's token count in that document
	// Pos are the token positions (1-based), Start and End the byte
	// offsets of each occurrence in the field's text, only when asked for.
	Pos, Start, End []uint32
	// Capped is set when positions were asked for and not read: the term
	// occurs more often than the caller's cap (see PostingsOf).
	Capped bool
}

// EachPosting calls fn for every live document whose part holds term, in
// document order, with the term's frequency and the field's length (from
// the postings' norms: no stored value is read). fn's Posting is reused.
// It stops early when fn returns false or stop reports true (checked every
// few thousand postings: a deadline).
func (r *Reader) EachPosting(p Part, textLang, term string, positions bool, stop func() bool, fn func(*Posting) bool) (err error) {
	defer r.recoverCorrupt(&err)
	field := p.field(textLang)
	var post Posting
	n := 0
	for _, s := range r.segs {
		d, err := s.seg.Dictionary(field)
		if err != nil {
			return err
		}
		pl, err := d.PostingsList([]byte(term), s.deleted, nil)
		if err != nil {
			return err
		}
		if pl == nil || pl.Count() == 0 {
			continue
		}
		it := pl.Iterator(true, true, positions, nil)
		for {
			sp, err := it.Next()
			if err != nil {
				return err
			}
			if sp == nil {
				break
			}
			fillPosting(&post, s.base, sp, positions)
			if !fn(&post) {
				return nil
			}
			if n++; n&4095 == 0 && stop != nil && stop() {
				return ErrStopped
			}
		}
	}
	return nil
}

// ErrStopped is returned by a read that its stop function ended.
var ErrStopped = errors.New("indexer: read stopped")

func fillPosting(post *Posting, base uint32, sp segment.Posting, positions bool) {
	post.Doc = base + uint32(sp.Number())
	post.Freq = uint32(sp.Frequency())
	post.Length = normLength(sp.Norm())
	if positions {
		post.Pos, post.Start, post.End = post.Pos[:0], post.Start[:0], post.End[:0]
		for _, l := range sp.Locations() {
			post.Pos = append(post.Pos, uint32(l.Pos()))
			post.Start = append(post.Start, uint32(l.Start()))
			post.End = append(post.End, uint32(l.End()))
		}
	}
}

// normLength recovers a field's token count from bleve's norm,
// 1/sqrt(count) as a float32: exact for counts far beyond any document's.
func normLength(norm float64) uint32 {
	if norm <= 0 {
		return 0
	}
	return uint32(1/(norm*norm) + 0.5)
}

// PostingsOf calls fn with the posting of term in part for each of docs
// (ascending) that has one, with positions if asked. Each segment's
// postings are skipped through, not read whole. With positions, a document
// holding the term more than maxFreq times (if maxFreq > 0) gets its
// posting without them and Capped set: positions cost memory and time in
// proportion to the frequency, and a hostile page repeats a word millions
// of times. (A body too short to hold a word more than maxFreq times, by
// the text store's length, is read in one pass.)
func (r *Reader) PostingsOf(p Part, textLang, term string, docs []uint32, positions bool, maxFreq int, fn func(i int, post *Posting)) (err error) {
	defer r.recoverCorrupt(&err)
	field := p.field(textLang)
	var post Posting
	capFreq := positions && maxFreq > 0
	i := 0
	for si, s := range r.segs {
		if i >= len(docs) {
			return nil
		}
		end := uint32(r.docs)
		if si+1 < len(r.segs) {
			end = r.segs[si+1].base
		}
		if docs[i] >= end {
			continue
		}
		d, err := s.seg.Dictionary(field)
		if err != nil {
			return err
		}
		pl, err := d.PostingsList([]byte(term), s.deleted, nil)
		if err != nil {
			return err
		}
		if pl == nil || pl.Count() == 0 {
			for i < len(docs) && docs[i] < end {
				i++
			}
			continue
		}
		// it finds the documents. When frequencies are capped and some
		// document could exceed the cap, locs reads positions only for those
		// under it.
		direct := !capFreq
		if capFreq && p == Body && r.textLen != nil {
			direct = true
			for k := i; k < len(docs) && docs[k] < end && direct; k++ {
				direct = uint64(r.textLen[docs[k]]) < 2*uint64(maxFreq)
			}
		}
		it := pl.Iterator(true, true, positions && direct, nil)
		var locs segment.PostingsIterator
		if !direct {
			locs = pl.Iterator(true, true, true, nil)
		}
		for i < len(docs) && docs[i] < end {
			sp, err := it.Advance(uint64(docs[i] - s.base))
			if err != nil {
				return err
			}
			if sp == nil {
				for i < len(docs) && docs[i] < end {
					i++
				}
				break
			}
			got := s.base + uint32(sp.Number())
			for i < len(docs) && docs[i] < got {
				i++
			}
			if i >= len(docs) || docs[i] != got {
				continue
			}
			switch {
			case direct:
				fillPosting(&post, s.base, sp, positions)
				post.Capped = false
			case sp.Frequency() > uint64(maxFreq):
				fillPosting(&post, s.base, sp, false)
				post.Pos, post.Start, post.End = post.Pos[:0], post.Start[:0], post.End[:0]
				post.Capped = true
			default:
				lp, err := locs.Advance(sp.Number())
				if err != nil {
					return err
				}
				if lp == nil || lp.Number() != sp.Number() {
					return fmt.Errorf("indexer: postings of %q in %s disagree", term, field)
				}
				fillPosting(&post, s.base, lp, true)
				post.Capped = false
			}
			fn(i, &post)
			i++
		}
	}
	return nil
}

// Hit is what a search result shows of a document, decoded from its stored
// fields.
type Hit struct {
	ID           string
	URL          string
	Title        string
	Type         string
	Date         time.Time
	Themes       []string
	Summary      string
	PageStarts   []int
	Translations []Translation
}

// Text returns bytes [from, to) of doc's text (its body), cut to the
// text's length, and that length. From a text store it reads only the
// blocks the range spans, whatever the document's size.
func (r *Reader) Text(doc uint32, from, to int) (_ string, _ int, err error) {
	defer r.recoverCorrupt(&err)
	if r.texts != nil {
		off := r.textOff[doc]
		if off < 0 {
			return "", 0, nil
		}
		return r.texts.textRange(off, from, to)
	}
	body, err := r.storedBody(doc)
	if err != nil {
		return "", 0, err
	}
	from, to = max(0, min(from, len(body))), max(0, min(to, len(body)))
	return body[from:max(from, to)], len(body), nil
}

// TextBytesRead returns the bytes read from the text store so far.
func (r *Reader) TextBytesRead() int64 {
	if r.texts == nil {
		return 0
	}
	return r.texts.read.Load()
}

// storedBody reads the body from bleve's stored fields (an index without a
// text store).
func (r *Reader) storedBody(doc uint32) (string, error) {
	s, local, err := r.locate(doc)
	if err != nil {
		return "", err
	}
	var body string
	err = s.seg.VisitStoredFields(uint64(local), func(field string, _ byte, value []byte, _ []uint64) bool {
		if textFields[field] == 2 && body == "" {
			body = string(value)
		}
		return true
	})
	return body, err
}

// Hit returns the stored fields of doc.
func (r *Reader) Hit(doc uint32) (_ *Hit, err error) {
	defer r.recoverCorrupt(&err)
	s, local, err := r.locate(doc)
	if err != nil {
		return nil, err
	}
	h := &Hit{ID: r.ids[doc], Themes: []string{}}
	var bad error
	err = s.seg.VisitStoredFields(uint64(local), func(field string, typ byte, value []byte, _ []uint64) bool {
		switch {
		case field == FieldURL:
			h.URL = string(value)
		case field == FieldType:
			h.Type = string(value)
		case field == FieldThemes:
			h.Themes = append(h.Themes, string(value))
		case field == FieldSummary:
			h.Summary = string(value)
		case field == FieldDate:
			if t, _, err := document.NewDateTimeFieldFromBytes(field, nil, value).DateTime(); err == nil {
				h.Date = t
			}
		case field == FieldPageStarts:
			h.PageStarts = parsePageStarts(value)
		case field == FieldTranslations:
			if err := json.Unmarshal(value, &h.Translations); err != nil {
				bad = fmt.Errorf("translations of %s: %w", h.ID, err)
			}
		case textFields[field] == 1:
			if h.Title == "" {
				h.Title = string(value)
			}
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: stored fields of %s: %w", h.ID, err)
	}
	if bad != nil {
		h.Translations = nil // written by the indexer; left out rather than fail a search
	}
	return h, nil
}

// textFields maps the title fields of every language to 1, the body
// fields to 2.
var textFields = func() map[string]uint8 {
	m := map[string]uint8{}
	for _, l := range append([]string{""}, TextLangs...) {
		m[TitleField(l)] = 1
		m[BodyField(l)] = 2
	}
	return m
}()

func (r *Reader) locate(doc uint32) (segView, uint32, error) {
	if int(doc) >= r.docs {
		return segView{}, 0, fmt.Errorf("indexer: no document %d", doc)
	}
	i, _ := slices.BinarySearchFunc(r.segs, doc, func(s segView, d uint32) int {
		if s.base <= d {
			return -1
		}
		return 1
	})
	return r.segs[i-1], doc - r.segs[i-1].base, nil
}

// Words calls fn with each word of the completion dictionary (the
// unstemmed words of titles and bodies, see AnalyzerWords) that starts
// with prefix, in lexical order, with the number of documents holding it,
// until fn returns false.
func (r *Reader) Words(prefix string, fn func(word string, docs int) bool) error {
	v := r.vocab
	for i := v.from(prefix); i < v.len(); i++ {
		w := v.word(i)
		if !strings.HasPrefix(w, prefix) || !fn(w, int(v.df[i])) {
			return nil
		}
	}
	return nil
}

// WordBitmap returns the live documents holding a word of the completion
// dictionary.
func (r *Reader) WordBitmap(word string) (*roaring.Bitmap, error) {
	v := r.vocab
	i := v.from(word)
	if r.words == nil || i >= v.len() || v.word(i) != word {
		return roaring.New(), nil
	}
	return r.words.bitmap(v, i)
}

// Document returns the stored document with id, its text included; ok is
// false when there is none.
func (r *Reader) Document(id string) (_ *Document, _ bool, err error) {
	defer r.recoverCorrupt(&err)
	doc, ok := r.docOf(id)
	if !ok {
		return nil, false, nil
	}
	s, local, err := r.locate(doc)
	if err != nil {
		return nil, false, err
	}
	var src []byte
	var starts []int
	err = s.seg.VisitStoredFields(uint64(local), func(field string, _ byte, value []byte, _ []uint64) bool {
		switch field {
		case FieldSource:
			src = slices.Clone(value)
		case FieldPageStarts:
			starts = parsePageStarts(value)
		}
		return true
	})
	if err != nil {
		return nil, false, fmt.Errorf("indexer: stored fields of %s: %w", id, err)
	}
	var d Document
	if err := json.Unmarshal(src, &d); err != nil {
		return nil, false, fmt.Errorf("indexer: stored document %s: %w", id, err)
	}
	if d.Body, _, err = r.Text(doc, 0, math.MaxInt); err != nil {
		return nil, false, fmt.Errorf("indexer: text of %s: %w", id, err)
	}
	if d.Themes == nil {
		d.Themes = []string{}
	}
	// The page offsets are stored apart from the source, as the body is.
	d.PageStarts = starts
	return &d, true, nil
}

// parsePageStarts reads the stored field FieldPageStarts: the byte offsets
// of a document's pages, space-separated; nil if one is not a number.
func parsePageStarts(value []byte) []int {
	var out []int
	for _, f := range strings.Fields(string(value)) {
		off, err := strconv.Atoi(f)
		if err != nil {
			return nil
		}
		out = append(out, off)
	}
	return out
}

// DocNumber returns the document number of an id; ok is false when the
// generation holds no such document.
func (r *Reader) DocNumber(id string) (doc uint32, ok bool) { return r.docOf(id) }

// docOf returns the document number of an id.
func (r *Reader) docOf(id string) (uint32, bool) {
	for _, s := range r.segs {
		d, err := s.seg.Dictionary("_id")
		if err != nil {
			return 0, false
		}
		pl, err := d.PostingsList([]byte(id), s.deleted, nil)
		if err != nil || pl == nil || pl.Count() == 0 {
			continue
		}
		p, err := pl.Iterator(false, false, false, nil).Next()
		if err == nil && p != nil {
			return s.base + uint32(p.Number()), true
		}
	}
	return 0, false
}

// AnalyzeWords returns the words of text as the completion dictionary
// holds them (AnalyzerWords).
func (r *Reader) AnalyzeWords(text string) analysis.TokenStream {
	a := r.analyzers[AnalyzerWords]
	if a == nil || text == "" {
		return nil
	}
	return a.Analyze([]byte(text))
}

// DropStats forgets the collection statistics, as if the index had none
// (an index built by hand): for tests of what search does without them.
func (r *Reader) DropStats() { r.stats, r.hasStats = Stats{}, false }
