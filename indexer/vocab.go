package indexer

import "sort"

// vocab is the completion dictionary of a generation (the words file, see
// words.go) held in memory: sorted words in one string, and the
// number of live documents holding each. Completion and "did you mean"
// walk a range of it per keystroke or per unknown word: a slice step per
// entry (through a bleve field's dictionaries each entry cost a postings
// read to count it: 340 ms to walk the 50,000 words of a 30,000-document
// portal).
type vocab struct {
	text string   // the words, concatenated in order
	off  []uint32 // word i is text[off[i]:off[i+1]]
	df   []uint32
	at   []int64  // where word i's bitmap is in the words file
	size []uint32 // and its length
}

func (v *vocab) len() int { return len(v.df) }

func (v *vocab) word(i int) string { return v.text[v.off[i]:v.off[i+1]] }

// from returns the index of the first word not less than prefix.
func (v *vocab) from(prefix string) int {
	return sort.Search(v.len(), func(i int) bool { return v.word(i) >= prefix })
}
