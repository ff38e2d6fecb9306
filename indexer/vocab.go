package indexer

import (
	"sort"
	"strings"
)

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

// WordsNear calls fn with each word of the completion dictionary that
// begins within maxEdits edits of prefix (some beginning of the word is at
// most maxEdits insertions, deletions or substitutions of bytes away from
// prefix) and shares its first byte, in lexical order, with the number of
// documents holding it and the edits, until fn returns false. The words
// are walked in order, each reusing the rows of the edit-distance table
// it shares with the word before, and a beginning already more than
// maxEdits away skips every word that starts with it.
func (r *Reader) WordsNear(prefix string, maxEdits int, fn func(word string, docs, edits int) bool) {
	v := r.vocab
	m := len(prefix)
	if m == 0 || maxEdits < 0 {
		return
	}
	// rows[d] is the table's row after d bytes of the word.
	rows := make([][]int, 1, 24)
	rows[0] = make([]int, m+1)
	for j := range rows[0] {
		rows[0][j] = j
	}
	first := prefix[:1]
	prev := ""
	for i := v.from(first); i < v.len(); {
		w := v.word(i)
		if !strings.HasPrefix(w, first) {
			return
		}
		lcp := 0
		for lcp < len(w) && lcp < len(prev) && lcp < len(rows)-1 && w[lcp] == prev[lcp] {
			lcp++
		}
		rows = rows[:lcp+1]
		best, skipAt := maxEdits+1, -1
		for d := 1; d <= lcp; d++ {
			best = min(best, rows[d][m])
		}
		for d := lcp + 1; d <= len(w); d++ {
			above := rows[d-1]
			var row []int
			if d < cap(rows) && len(rows[:d+1][d]) == m+1 {
				row = rows[:d+1][d]
			} else {
				row = make([]int, m+1)
			}
			row[0] = d
			rowMin := d
			for j := 1; j <= m; j++ {
				cost := 1
				if prefix[j-1] == w[d-1] {
					cost = 0
				}
				row[j] = min(above[j]+1, row[j-1]+1, above[j-1]+cost)
				rowMin = min(rowMin, row[j])
			}
			rows = append(rows, row)
			best = min(best, row[m])
			if rowMin > maxEdits {
				skipAt = d
				break
			}
		}
		if best <= maxEdits && !fn(w, int(v.df[i]), best) {
			return
		}
		prev = w
		if skipAt > 0 && best > maxEdits {
			// No word beginning with w[:skipAt] can come within maxEdits.
			rows = rows[:skipAt]
			prev = w[:skipAt-1]
			i = v.from(w[:skipAt] + "\xff")
			continue
		}
		i++
	}
}
