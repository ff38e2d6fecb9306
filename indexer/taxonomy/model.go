package taxonomy

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The model is the supervised half of the tagger: one logistic regression
// per theme over the words and two-word terms of a document (log-scaled term
// counts times an idf, the vector scaled to unit length) and two features of
// the phrase rules' own verdict on that theme (the phrase score relative to
// the threshold, and whether the rules keep the theme). It is trained when a
// taxonomy is first used for tagging, from labelled passages (the project's
// sets embedded in the binary, or those given to WithTraining) and from each
// theme's label and description, so an edit of the taxonomy file (a phrase,
// a description, a new theme) takes effect at the next start or index build.
//
// Its vocabulary reuses the tagger's tokens: the words of the training
// passages join the phrase tokens in one table, so a document is still split
// and looked up once, and the model's features are read off the same token
// ids the phrases are matched over.

// modelOptions are the model's parameters. defaultModel's values were
// chosen by cross-validation on the training, dev and test sets
// (docs/themes.md); the others serve those experiments.
type modelOptions struct {
	L2         float64 // ridge penalty on the weights (the loss is a mean over passages)
	Iters      int     // full-batch Adam steps
	Rate       float64 // Adam's step size
	PosWeight  float64 // weight of a positive label in the loss (positives are rare)
	Tau        float64 // a theme the rules did not give is given when its probability reaches this...
	MinSupport int     // ...and at least this many terms speak for it
	Veto       float64 // a theme the rules give on thin evidence is dropped below this probability
	Clear      float64 // phrase score (x threshold) at which the model no longer vetoes
	DescWeight float64 // a theme's label and description count as this many labelled passages
	Off        bool    // phrase rules only
	NoPhrase   bool    // the model does not see the phrase features
}

var defaultModel = modelOptions{L2: 0.00001, Iters: 100, Rate: 0.05, PosWeight: 4, Tau: 0.5, MinSupport: 3, Veto: 0.1, Clear: 3, DescWeight: 1, NoPhrase: true}

const (
	minDF         = 2   // a word or two-word term must occur in this many training passages
	minCoverage   = 0.5 // the model abstains on a text with fewer of its words in the vocabulary...
	minModelWords = 25  // ...and on a text of fewer words (title and body)
	maxLearned    = 5   // learned terms listed per theme in the reasons
	titleTFScale  = 3.0 // a word in the title counts as this many in the body
)

// nPhraseFeat is the number of features the phrase rules give each theme's
// model.
const nPhraseFeat = 2

// stopWords are not features: function words, the words every passage of
// the domain uses, and the words of a document's genre (minutes, agenda,
// key messages), which say what kind of paper it is, not what it is about. They stay in the vocabulary so that they do not break a
// two-word term ("data about learners" gives "data learner").
var stopWords = strings.Fields(`a about above after again against all also am an and any are as at be
because been before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how i if in into
is it its itself just let may me might more most must my myself no nor not now of off on once only
or other our ours ourselves out over own same shall she should so some such than that the their
theirs them themselves then there these they this those through to too under until up upon us very
was we were what when where which while who whom why will with within without would you your yours
yourself yourselves one two three four five six ten first second new year next last per cent via
etc e g i e eu member members meeting group
minute minutes agenda discussion discussed discuss chair secretariat presented presentation report
reported key message messages session note notes said say says get got call called based make made
item items point points welcome welcomed thanked adopted`)

// model is a trained per-theme logistic regression.
type model struct {
	vocab  map[string]int32 // the matcher's vocabulary and the model's words, same ids for phrase tokens
	stop   []bool           // by token id
	uni    []int32          // token id -> feature, -1 if none
	bi     map[uint64]int32 // two token ids -> feature
	idf    []float32        // by feature
	names  []string         // by feature, for reasons: "girl", "computer science"
	themes int
	w      []float32 // feature-major: w[f*themes+t]
	wp     []float32 // phrase features: wp[t*nPhraseFeat+k]
	bias   []float32
	active []bool // theme had positive examples
	opts   modelOptions
	pool   sync.Pool
}

// scratch is one document's term counts, reused across documents.
type scratch struct {
	tf      []float32 // by feature
	touched []int32
}

// trainDoc is a training passage's token ids and labels.
type trainDoc struct {
	title, meeting, body []int32
	n                    int // body tokens
	labels               []bool
	weight               float64
	d                    Doc
}

// trainModel trains a model for the themes of m from samples (labels of
// themes m lacks are ignored) and the themes' descriptions.
func trainModel(m *matcher, themes []Theme, samples []Sample, opts modelOptions) *model {
	T := len(m.themes)
	index := make(map[string]int, T)
	for i, id := range m.themes {
		index[id] = i
	}
	type text struct {
		d      Doc
		labels []bool
		weight float64
	}
	var texts []text
	for _, s := range samples {
		l := make([]bool, T)
		for _, id := range s.Themes {
			if i, ok := index[id]; ok {
				l[i] = true
			}
		}
		texts = append(texts, text{Doc{Title: s.Title, Body: s.Body, URL: s.URL, Meeting: s.Meeting}, l, 1})
	}
	for i, th := range themes {
		if opts.DescWeight <= 0 || strings.TrimSpace(th.Description) == "" {
			continue
		}
		l := make([]bool, T)
		l[i] = true
		texts = append(texts, text{Doc{Title: th.Label, Body: th.Description}, l, opts.DescWeight})
	}

	// Vocabulary: the phrase tokens (same ids), the stop words, then every
	// other word found in at least minDF passages.
	md := &model{vocab: make(map[string]int32, len(m.vocab)*4), themes: T, opts: opts}
	for tok, id := range m.vocab {
		md.vocab[tok] = id
	}
	addTok := func(tok string) int32 {
		id, ok := md.vocab[tok]
		if !ok {
			id = int32(len(md.vocab))
			md.vocab[tok] = id
		}
		return id
	}
	for _, w := range stopWords {
		for _, tok := range tokenStrings(w) {
			addTok(tok)
		}
	}
	df := make(map[string]int)
	for _, tx := range texts {
		seen := make(map[string]bool)
		for _, s := range []string{tx.d.Title, tx.d.Meeting, tx.d.Body} {
			forEachToken(s, func(tok []byte) {
				if !seen[string(tok)] {
					seen[string(tok)] = true
					df[string(tok)]++
				}
			})
		}
	}
	words := make([]string, 0, len(df))
	for w, n := range df {
		if n >= minDF {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	for _, w := range words {
		addTok(w)
	}
	md.stop = make([]bool, len(md.vocab))
	for _, w := range stopWords {
		for _, tok := range tokenStrings(w) {
			md.stop[md.vocab[tok]] = true
		}
	}
	// Single letters and numbers are no evidence either.
	for tok, id := range md.vocab {
		if len(tok) < 2 || strings.Trim(tok, "0123456789") == "" {
			md.stop[id] = true
		}
	}

	docs := make([]trainDoc, len(texts))
	for i, tx := range texts {
		d := &docs[i]
		d.d, d.labels, d.weight = tx.d, tx.labels, tx.weight
		d.title, _ = tokenIDs(md.vocab, tx.d.Title)
		d.meeting, _ = tokenIDs(md.vocab, tx.d.Meeting)
		d.body, d.n = tokenIDs(md.vocab, tx.d.Body)
	}

	// Features: words and two-word terms in at least minDF passages.
	md.uni = make([]int32, len(md.vocab))
	for i := range md.uni {
		md.uni[i] = -1
	}
	md.bi = make(map[uint64]int32)
	uniDF := make(map[int32]int)
	biDF := make(map[uint64]int)
	for _, d := range docs {
		seenU := make(map[int32]bool)
		seenB := make(map[uint64]bool)
		for _, ids := range [][]int32{d.title, d.meeting, d.body} {
			md.eachTerm(ids, func(prev, cur int32) {
				if prev < 0 {
					if !seenU[cur] {
						seenU[cur] = true
						uniDF[cur]++
					}
					return
				}
				k := pairKey(prev, cur)
				if !seenB[k] {
					seenB[k] = true
					biDF[k]++
				}
			})
		}
	}
	names := make([]string, len(md.vocab))
	for tok, id := range md.vocab {
		names[id] = tok
	}
	type cand struct {
		key  uint64
		uni  bool
		df   int
		name string
	}
	var cands []cand
	for id, n := range uniDF {
		if n >= minDF {
			cands = append(cands, cand{uint64(id), true, n, names[id]})
		}
	}
	for k, n := range biDF {
		if n >= minDF {
			cands = append(cands, cand{k, false, n, names[k>>32] + " " + names[uint32(k)]})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int { return strings.Compare(a.name, b.name) })
	N := float64(len(docs))
	for i, c := range cands {
		if c.uni {
			md.uni[c.key] = int32(i)
		} else {
			md.bi[c.key] = int32(i)
		}
		md.idf = append(md.idf, float32(math.Log((N+1)/(float64(c.df)+1))+1))
		md.names = append(md.names, c.name)
	}
	md.pool.New = func() any { return &scratch{tf: make([]float32, len(md.names))} }

	// Feature vectors, then the regression.
	F := len(md.names)
	xs := make([]sparse, len(docs))
	ps := make([][]float32, len(docs))
	md.active = make([]bool, T)
	for i := range docs {
		d := &docs[i]
		xs[i] = md.vector(d.title, d.meeting, d.body)
		ph := m.phraseEvidence(d.title, d.meeting, d.body, d.n, d.d)
		ps[i] = phraseFeatures(ph, T)
		if opts.NoPhrase {
			clear(ps[i])
		}
		for t, y := range d.labels {
			if y && d.weight >= 1 {
				md.active[t] = true
			}
		}
	}
	md.w, md.wp, md.bias = fitLogistic(xs, ps, docs, F, T, opts)
	return md
}

// sparse is a feature vector: feature indices and values.
type sparse struct {
	idx []int32
	val []float32
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// eachTerm calls fn(-1, id) for every word of ids that is not a stop word,
// and fn(prev, id) for every two consecutive such words within a sentence
// and with only stop words between them. Unknown tokens and sentence breaks
// (-1 in ids) break a pair.
func (md *model) eachTerm(ids []int32, fn func(prev, cur int32)) {
	prev := int32(-1)
	for _, id := range ids {
		if id < 0 {
			prev = -1
			continue
		}
		if md.stop[id] {
			continue
		}
		fn(-1, id)
		if prev >= 0 {
			fn(prev, id)
		}
		prev = id
	}
}

// vector returns the document's feature vector: log(1+tf)*idf per feature,
// a title or meeting-page word counting titleTFScale times, scaled to unit
// length.
func (md *model) vector(title, meeting, body []int32) sparse {
	sc := md.pool.Get().(*scratch)
	defer md.pool.Put(sc)
	add := func(ids []int32, w float32) {
		md.eachTerm(ids, func(prev, cur int32) {
			f := int32(-1)
			if prev < 0 {
				f = md.uni[cur]
			} else if fi, ok := md.bi[pairKey(prev, cur)]; ok {
				f = fi
			}
			if f < 0 {
				return
			}
			if sc.tf[f] == 0 {
				sc.touched = append(sc.touched, f)
			}
			sc.tf[f] += w
		})
	}
	add(title, titleTFScale)
	add(meeting, titleTFScale)
	add(body, 1)
	v := sparse{idx: make([]int32, 0, len(sc.touched)), val: make([]float32, 0, len(sc.touched))}
	var norm float64
	slices.Sort(sc.touched)
	for _, f := range sc.touched {
		x := float32(math.Log1p(float64(sc.tf[f]))) * md.idf[f]
		sc.tf[f] = 0
		v.idx = append(v.idx, f)
		v.val = append(v.val, x)
		norm += float64(x) * float64(x)
	}
	sc.touched = sc.touched[:0]
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range v.val {
			v.val[i] *= inv
		}
	}
	return v
}

// coverage is the share of a document's words (title and body) that are in
// the model's vocabulary, stop words included. tokenIDs collapses a run of
// unknown words into one -1, so the known ones are counted.
func (md *model) coverage(title, body []int32, bodyN int) float64 {
	known := 0
	for _, ids := range [][]int32{title, body} {
		for _, id := range ids {
			if id >= 0 {
				known++
			}
		}
	}
	n := bodyN + len(title) // the title's unknown runs count once: close enough
	if n == 0 {
		return 0
	}
	return float64(known) / float64(n)
}

// phraseFeatures turns the rules' evidence into each theme's phrase
// features: log(1 + score/threshold) and 1 if the rules keep the theme.
func phraseFeatures(ev []themeEvidence, T int) []float32 {
	out := make([]float32, T*nPhraseFeat)
	for t := range ev {
		out[t*nPhraseFeat] = float32(math.Log1p(ev[t].ratio))
		if ev[t].kept {
			out[t*nPhraseFeat+1] = 1
		}
	}
	return out
}

// fitLogistic fits one ridge-penalised logistic regression per theme by
// full-batch Adam on the mean log-loss. Deterministic: the
// same passages give the same weights.
func fitLogistic(xs []sparse, ps [][]float32, docs []trainDoc, F, T int, opts modelOptions) (w, wp, bias []float32) {
	P := T * nPhraseFeat
	// Parameters: W (F*T), then phrase weights (P), then biases (T).
	dim := F*T + P + T
	theta := make([]float64, dim)
	grad := make([]float64, dim)
	var wsum float64
	for i := range docs {
		wsum += docs[i].weight
	}
	// Full-batch Adam: the word features are small (each passage's vector
	// has unit length) and the phrase features large, so one step size
	// for all would leave the word weights unlearnt.
	m1 := make([]float64, dim)
	m2 := make([]float64, dim)
	const b1, b2, eps = 0.9, 0.999, 1e-8
	for it := 1; it <= opts.Iters; it++ {
		clear(grad)
		for i := range docs {
			x, p := xs[i], ps[i]
			c := docs[i].weight / wsum
			for t := 0; t < T; t++ {
				z := theta[F*T+P+t]
				for k := 0; k < nPhraseFeat; k++ {
					z += theta[F*T+t*nPhraseFeat+k] * float64(p[t*nPhraseFeat+k])
				}
				for j, f := range x.idx {
					z += theta[int(f)*T+t] * float64(x.val[j])
				}
				label := 0.0
				if docs[i].labels[t] {
					label = 1
				}
				g := (sigmoid(z) - label) * c
				if label == 1 {
					g *= opts.PosWeight
				}
				grad[F*T+P+t] += g
				for k := 0; k < nPhraseFeat; k++ {
					grad[F*T+t*nPhraseFeat+k] += g * float64(p[t*nPhraseFeat+k])
				}
				for j, f := range x.idx {
					grad[int(f)*T+t] += g * float64(x.val[j])
				}
			}
		}
		c1 := 1 - math.Pow(b1, float64(it))
		c2 := 1 - math.Pow(b2, float64(it))
		for j := range theta {
			g := grad[j]
			if j < F*T+P {
				g += opts.L2 * theta[j]
			}
			m1[j] = b1*m1[j] + (1-b1)*g
			m2[j] = b2*m2[j] + (1-b2)*g*g
			theta[j] -= opts.Rate * (m1[j] / c1) / (math.Sqrt(m2[j]/c2) + eps)
		}
	}
	w = make([]float32, F*T)
	wp = make([]float32, P)
	bias = make([]float32, T)
	for j := range w {
		w[j] = float32(theta[j])
	}
	for j := range wp {
		wp[j] = float32(theta[F*T+j])
	}
	for j := range bias {
		bias[j] = float32(theta[F*T+P+j])
	}
	return w, wp, bias
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// prediction is the model's verdict on one theme of a document.
type prediction struct {
	prob    float64
	support int      // terms with a positive contribution
	terms   []string // the largest positive contributions, best first
}

// predict returns the model's probability of every theme for a document
// with the given feature vector and phrase evidence.
func (md *model) predict(x sparse, ev []themeEvidence) []prediction {
	T := md.themes
	z := make([]float64, T)
	for t := range z {
		z[t] = float64(md.bias[t])
	}
	if !md.opts.NoPhrase {
		pf := phraseFeatures(ev, T)
		for t := 0; t < T; t++ {
			for k := 0; k < nPhraseFeat; k++ {
				z[t] += float64(md.wp[t*nPhraseFeat+k] * pf[t*nPhraseFeat+k])
			}
		}
	}
	for j, f := range x.idx {
		row := md.w[int(f)*T : int(f)*T+T]
		v := x.val[j]
		for t, wt := range row {
			z[t] += float64(wt * v)
		}
	}
	out := make([]prediction, T)
	for t := range out {
		out[t].prob = sigmoid(z[t])
	}
	return out
}

// explain fills in the terms that pushed theme t up the most.
func (md *model) explain(x sparse, t int, p *prediction) {
	type contrib struct {
		f int32
		c float32
	}
	var cs []contrib
	for j, f := range x.idx {
		if c := md.w[int(f)*md.themes+t] * x.val[j]; c > 0.01 {
			cs = append(cs, contrib{f, c})
		}
	}
	p.support = len(cs)
	slices.SortFunc(cs, func(a, b contrib) int {
		if c := cmp.Compare(b.c, a.c); c != 0 {
			return c
		}
		return cmp.Compare(a.f, b.f)
	})
	for _, c := range cs[:min(len(cs), maxLearned)] {
		p.terms = append(p.terms, md.names[c.f])
	}
}

// reasons formats the model's reasons for a theme: its confidence, and
// the terms that counted most when it is confident.
func (p *prediction) reasons(tau float64) []string {
	out := []string{"model: " + strconv.FormatFloat(p.prob, 'f', 2, 64)}
	if len(p.terms) > 0 && p.prob >= tau {
		q := make([]string, len(p.terms))
		for i, t := range p.terms {
			q[i] = strconv.Quote(t)
		}
		out = append(out, "learned: "+strings.Join(q, ", "))
	}
	return out
}
