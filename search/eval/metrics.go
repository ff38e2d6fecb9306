package eval

import (
	"math"
	"slices"
)

// Scores are the measures of one query's ranking, or their means over a
// collection, as trec_eval defines them (ndcg_cut_10, map, P_10,
// recall_100, recip_rank).
type Scores struct {
	NDCG10 float64 `json:"ndcg@10"`
	AP     float64 `json:"map"` // average precision; MAP as a mean
	P10    float64 `json:"p@10"`
	R100   float64 `json:"recall@100"`
	RR     float64 `json:"mrr"` // reciprocal rank; MRR as a mean
}

// Score measures ranked (document ids, best first, no repeats) against the
// judgments of one query (id -> grade; grades above 0 are relevant). Gains
// in nDCG are the grades themselves, discounted by log2(rank+1), and the
// ideal ranking orders every judged relevant document by grade. A query with
// no relevant document scores zero everywhere.
//
// AP is computed over ranked as given, so a caller that cuts the ranking at
// depth D gets AP@D, trec_eval's map with -M D (and its map_cut_D): the sum,
// over the relevant documents retrieved within the D, of the precision at
// each one's rank, divided by the number of relevant documents judged
// (retrieved or not).
func Score(ranked []string, judged map[string]int) Scores {
	var s Scores
	var grades []int
	for _, g := range judged {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	numRel := len(grades)
	if numRel == 0 {
		return s
	}
	found := 0
	var dcg float64
	for i, id := range ranked {
		rank := i + 1
		g := judged[id]
		if g <= 0 {
			continue
		}
		found++
		s.AP += float64(found) / float64(rank)
		if rank <= 10 {
			s.P10++
			dcg += float64(g) / math.Log2(float64(rank)+1)
		}
		if rank <= 100 {
			s.R100++
		}
		if s.RR == 0 {
			s.RR = 1 / float64(rank)
		}
	}
	s.AP /= float64(numRel)
	s.P10 /= 10
	s.R100 /= float64(numRel)
	slices.SortFunc(grades, func(a, b int) int { return b - a })
	var ideal float64
	for i, g := range grades {
		if i == 10 {
			break
		}
		ideal += float64(g) / math.Log2(float64(i+2))
	}
	s.NDCG10 = dcg / ideal
	return s
}

// mean returns the mean of each measure.
func mean(all []Scores) Scores {
	var m Scores
	if len(all) == 0 {
		return m
	}
	for _, s := range all {
		m.NDCG10 += s.NDCG10
		m.AP += s.AP
		m.P10 += s.P10
		m.R100 += s.R100
		m.RR += s.RR
	}
	n := float64(len(all))
	m.NDCG10 /= n
	m.AP /= n
	m.P10 /= n
	m.R100 /= n
	m.RR /= n
	return m
}
