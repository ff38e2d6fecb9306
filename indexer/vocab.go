package indexer

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
)

// vocab is the completion dictionary of a generation (the words of the
// suggest field) held in memory: sorted words in one string, and the
// number of live documents holding each. Completion and "did you mean"
// walk a range of it per keystroke or per unknown word; through the
// segments' dictionaries each entry visited costs a postings read to count
// it (6-7 µs a word, measured: 340 ms to walk the 50,000 words of a
// 30,000-document portal), here a slice step.
type vocab struct {
	text string   // the words, concatenated in order
	off  []uint32 // word i is text[off[i]:off[i+1]]
	df   []uint32
}

func (v *vocab) len() int { return len(v.df) }

func (v *vocab) word(i int) string { return v.text[v.off[i]:v.off[i+1]] }

// from returns the index of the first word not less than prefix.
func (v *vocab) from(prefix string) int {
	return sort.Search(v.len(), func(i int) bool { return v.word(i) >= prefix })
}

// loadVocab reads the suggest field's dictionary of every segment, counting
// each word's live documents.
func (r *Reader) loadVocab() error {
	counts := map[string]uint32{}
	all := &vellum.AlwaysMatch{}
	for _, s := range r.segs {
		d, err := s.seg.Dictionary(FieldSuggest)
		if err != nil {
			return fmt.Errorf("vocabulary: %w", err)
		}
		deleted := s.deleted
		if deleted != nil && deleted.IsEmpty() {
			deleted = nil
		}
		// The iterator's own counts cannot be trusted: zapx's
		// DictionaryIterator reuses one postings list without clearing
		// its one-hit fields, so a word that follows a word of one
		// document counts 1. Each word is counted here through
		// PostingsList, which clears what it reuses.
		var it segment.DictionaryIterator
		if o, ok := d.(interface {
			AutomatonIteratorOmitCount(segment.Automaton, []byte, []byte) segment.DictionaryIterator
		}); ok {
			it = o.AutomatonIteratorOmitCount(all, nil, nil)
		} else {
			it = d.AutomatonIterator(all, nil, nil)
		}
		var pl segment.PostingsList
		for {
			e, err := it.Next()
			if err != nil {
				return fmt.Errorf("vocabulary: %w", err)
			}
			if e == nil {
				break
			}
			// The live documents only: deleted ones are left out.
			if pl, err = d.PostingsList([]byte(e.Term), deleted, pl); err != nil {
				return fmt.Errorf("vocabulary: %w", err)
			}
			n := pl.Count()
			if n > 0 {
				counts[e.Term] += uint32(n)
			}
		}
	}
	words := make([]string, 0, len(counts))
	size := 0
	for w := range counts {
		words = append(words, w)
		size += len(w)
	}
	slices.Sort(words)
	var b strings.Builder
	b.Grow(size)
	v := &vocab{off: make([]uint32, 0, len(words)+1), df: make([]uint32, 0, len(words))}
	for _, w := range words {
		v.off = append(v.off, uint32(b.Len()))
		b.WriteString(w)
		v.df = append(v.df, counts[w])
	}
	v.off = append(v.off, uint32(b.Len()))
	v.text = b.String()
	r.vocab = v
	return nil
}
