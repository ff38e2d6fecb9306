package taxonomy

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kbsearch/kbsearch/crawler/langtag"
)

// Tagging parameters.
const (
	titleWeight   = 3.0 // a match in the title counts this many body matches
	meetingWeight = 3.0 // and so does one in the title of the document's meeting page
	weakWeight    = 0.5 // a weak term counts this fraction of a strong match
	// A theme is kept when its score reaches max(1, sqrt(body tokens)/lengthScale):
	// one mention tags a passage of up to 64 words, three mentions (or one in
	// the title) a text of about 600, six a text of about 2,300.
	lengthScale = 8.0
	// Without a strong match, weak terms count only if they occur at least
	// weakMinHits times, with at least weakMinDistinct different terms.
	weakMinHits     = 3
	weakMinDistinct = 2
	// Tag returns at most maxThemes themes, and drops those scoring below
	// minRelative times the best one.
	maxThemes   = 5
	minRelative = 0.2
	maxReasons  = 8 // phrases kept per Match
)

// Match is one theme of a document.
type Match struct {
	Theme string // theme id
	// Score is the theme's weighted match count divided by the minimum a
	// text of this length needs, so every returned Match scores at least 1
	// and scores compare across documents.
	Score float64
	// Phrases are the taxonomy's phrases that matched, as written there, in
	// the order they were first found (title first).
	Phrases []string
	// Reasons say why the theme was given, for a reader: where each phrase
	// matched and how often (`title: "bring your own device"`,
	// `body: "BYOD" x4`, `meeting page: "learning analytics"`) and any URL
	// rule that matched (`url rule: */byod/*`), then, for a taxonomy with
	// a model, the model's confidence and the learned terms that counted
	// most (`model: 0.83`, `learned: "girl", "engineering"`).
	Reasons []string
	// Confidence is the model's probability for the theme, 0 for a
	// taxonomy without a model or a theme it has no examples of.
	Confidence float64
	// Learned are the document's words and two-word terms that raised the
	// model's probability most, in their normalised form, best first.
	Learned []string
}

// phrase is one compiled phrase, synonym or weak term.
type phrase struct {
	theme int
	toks  []int32 // token ids
	text  string  // as written in the taxonomy
	quote string  // text quoted, for reasons
	weak  bool
	lang  string // "" for every document, else only for documents in lang
}

// matcher holds a taxonomy's compiled phrases.
type matcher struct {
	themes  []string         // theme ids, by index
	vocab   map[string]int32 // normalised token -> id; only tokens of phrases
	phrases []phrase
	// strong and weak index phrases by the id of their first token, longest
	// phrase first.
	strong [][]int32
	weak   [][]int32
	// expand maps the normalised key of a theme's id, label, phrase or
	// synonym to the expansion Expand returns for it.
	expand map[string][]string
	rules  []urlRule
}

func compile(themes []Theme) *matcher {
	m := &matcher{vocab: make(map[string]int32), expand: make(map[string][]string)}
	for ti, th := range themes {
		m.themes = append(m.themes, th.ID)
		seen := make(map[string]bool)
		add := func(text string, weak bool, lang string) {
			toks := tokenStrings(text)
			key := lang + "\x00" + strings.Join(toks, " ")
			if len(toks) == 0 || seen[key] {
				return
			}
			seen[key] = true
			p := phrase{theme: ti, text: text, quote: strconv.Quote(text), weak: weak, lang: lang}
			for _, tok := range toks {
				id, ok := m.vocab[tok]
				if !ok {
					id = int32(len(m.vocab))
					m.vocab[tok] = id
				}
				p.toks = append(p.toks, id)
			}
			m.phrases = append(m.phrases, p)
		}
		// Strong lists first, so a term listed as both strong and weak
		// stays strong.
		for _, p := range th.Phrases {
			add(p, false, "")
		}
		for _, p := range th.Synonyms {
			add(p, false, "")
		}
		for _, p := range th.Weak {
			add(p, true, "")
		}
		langs := make([]string, 0, len(th.Langs))
		for l := range th.Langs {
			langs = append(langs, l)
		}
		slices.Sort(langs)
		for _, l := range langs {
			for _, p := range th.Langs[l].Phrases {
				add(p, false, l)
			}
			for _, p := range th.Langs[l].Synonyms {
				add(p, false, l)
			}
		}
		for _, r := range th.URLs {
			m.rules = append(m.rules, urlRule{theme: ti, pattern: strings.ToLower(r), text: r})
		}
	}
	m.strong = make([][]int32, len(m.vocab))
	m.weak = make([][]int32, len(m.vocab))
	for i, p := range m.phrases {
		idx := &m.strong
		if p.weak {
			idx = &m.weak
		}
		(*idx)[p.toks[0]] = append((*idx)[p.toks[0]], int32(i))
	}
	for _, idx := range [][][]int32{m.strong, m.weak} {
		for _, list := range idx {
			slices.SortStableFunc(list, func(a, b int32) int {
				return cmp.Compare(len(m.phrases[b].toks), len(m.phrases[a].toks))
			})
		}
	}
	m.buildExpand(themes)
	return m
}

func (m *matcher) buildExpand(themes []Theme) {
	keyOf := func(s string) string { return strings.Join(tokenStrings(s), " ") }
	byKey := make(map[string][]int)
	for ti, th := range themes {
		names := append([]string{th.ID, th.Label}, th.Phrases...)
		names = append(names, th.Synonyms...)
		for _, name := range names {
			k := keyOf(name)
			if k != "" && !slices.Contains(byKey[k], ti) {
				byKey[k] = append(byKey[k], ti)
			}
		}
	}
	for k, tis := range byKey {
		seen := map[string]bool{k: true}
		var out []string
		for _, ti := range tis {
			th := themes[ti]
			for _, list := range [][]string{th.Phrases, th.Synonyms} {
				for _, p := range list {
					pk := keyOf(p)
					if !seen[pk] {
						seen[pk] = true
						out = append(out, p)
					}
				}
			}
		}
		m.expand[k] = out
	}
}

// tokenIDs tokenises s into token ids of vocab. Tokens not in vocab are -1,
// a run of them collapsed into one, and so is a sentence break (no phrase
// matches across one); n is the number of tokens.
func tokenIDs(vocab map[string]int32, s string) (ids []int32, n int) {
	ids = make([]int32, 0, len(s)/12+1)
	forEachTokenBreak(s, func(tok []byte, brk bool) {
		n++
		if brk && len(ids) > 0 && ids[len(ids)-1] >= 0 {
			ids = append(ids, -1)
		}
		id, ok := vocab[string(tok)]
		if !ok {
			if len(ids) > 0 && ids[len(ids)-1] < 0 {
				return
			}
			id = -1
		}
		ids = append(ids, id)
	})
	return ids, n
}

// Sources of evidence, in the order reasons are listed.
const (
	srcTitle uint8 = iota
	srcMeeting
	srcBody
	nSources
)

var sourceNames = [nSources]string{"title", "meeting page", "body"}

// hit counts one phrase's matches in one source.
type hit struct {
	phrase int32
	src    uint8
	n      int32
}

// themeAcc accumulates one theme's matches over a document.
type themeAcc struct {
	strong, weak float64
	weakHits     int
	hits         []hit // in order found
	rule         string
}

func (a *themeAcc) add(pi int32, src uint8) {
	for i := range a.hits {
		if a.hits[i].phrase == pi && a.hits[i].src == src {
			a.hits[i].n++
			return
		}
	}
	a.hits = append(a.hits, hit{phrase: pi, src: src, n: 1})
}

// scan matches the phrases over ids, adding w per strong match and
// w*weakWeight per weak match to acc. Within one theme matches do not
// overlap (the longest phrase at a position wins), and a weak term inside a
// strong match of any theme does not count: "assessment" in "self-assessment"
// is no evidence of digital assessment.
func (m *matcher) scan(ids []int32, w float64, src uint8, lang string, acc []themeAcc, until []int) {
	if len(ids) == 0 {
		return
	}
	covered := make([]bool, len(ids))
	clear(until)
	for i, id := range ids {
		if id < 0 || int(id) >= len(m.strong) {
			continue
		}
		for _, pi := range m.strong[id] {
			p := &m.phrases[pi]
			if i < until[p.theme] || (p.lang != "" && p.lang != lang) || !matchAt(ids, i, p.toks) {
				continue
			}
			end := i + len(p.toks)
			until[p.theme] = end
			for k := i; k < end; k++ {
				covered[k] = true
			}
			acc[p.theme].strong += w
			acc[p.theme].add(pi, src)
		}
	}
	clear(until)
	for i, id := range ids {
		if id < 0 || int(id) >= len(m.weak) || covered[i] {
			continue
		}
	candidates:
		for _, pi := range m.weak[id] {
			p := &m.phrases[pi]
			if i < until[p.theme] || !matchAt(ids, i, p.toks) {
				continue
			}
			end := i + len(p.toks)
			for k := i; k < end; k++ {
				if covered[k] {
					continue candidates
				}
			}
			until[p.theme] = end
			acc[p.theme].weak += w * weakWeight
			acc[p.theme].weakHits++
			acc[p.theme].add(pi, src)
		}
	}
}

func matchAt(ids []int32, i int, toks []int32) bool {
	if i+len(toks) > len(ids) {
		return false
	}
	for k, t := range toks {
		if ids[i+k] != t {
			return false
		}
	}
	return true
}

// Doc is what TagDoc reads: a document's text and where it sits on the site.
type Doc struct {
	Title string
	Body  string
	// URL is the document's URL (or just its path); its path is matched
	// against the themes' URL rules.
	URL string
	// Meeting is the title of the page the document belongs to, such as
	// the meeting page that links to a meeting's agenda and minutes; its
	// phrases count like the document's own title.
	Meeting string
	// Lang is the document's language ("fr", "de-AT"): the themes' phrases
	// in that language (Theme.Langs) count beside the common ones.
	Lang string
}

// Tag returns the themes of a document with the given title and body, best
// first: TagDoc without a URL or meeting page.
func (t *Taxonomy) Tag(title, body string) []Match {
	return t.TagDoc(Doc{Title: title, Body: body})
}

// TagDoc returns the themes of a document, best first. The phrase rules
// come first: a phrase or synonym in the title or the meeting page's title
// weighs three times one in the body; weak terms add half a match each, and
// count only beside a strong match of their theme or when at least three
// weak hits of two different terms occur; a theme passes when its score
// reaches max(1, sqrt(n)/8), n being the body's length in words, so a single
// passing mention in a long text does not tag it; at most five themes pass,
// none scoring below a fifth of the best. Then, for a taxonomy with a model
// (see WithTraining), the model adds a theme the rules missed when its
// probability reaches one half and at least three of the document's terms
// speak for it, and drops a theme the rules gave on a single word alone
// (below three times the threshold) when its probability is under 0.1; it
// abstains on texts of fewer than 25 words or mostly of words it does not
// know. A theme whose URL rule matches the document's path is always
// returned, whatever the text says.
func (t *Taxonomy) TagDoc(d Doc) []Match {
	m := t.matcher()
	md := t.model()
	vocab := m.vocab
	if md != nil {
		vocab = md.vocab
	}
	titleIDs, _ := tokenIDs(vocab, d.Title)
	var meetingIDs []int32
	if d.Meeting != "" {
		meetingIDs, _ = tokenIDs(vocab, d.Meeting)
	}
	bodyIDs, n := tokenIDs(vocab, d.Body)
	ev := m.phraseEvidence(titleIDs, meetingIDs, bodyIDs, n, d)

	// The model reads the language of its training passages: on a text
	// where fewer than minCoverage of the words are in its vocabulary (a
	// German report, a table of figures) it abstains, and the rules decide.
	// Nor does it judge a text of a few words: it learnt from passages
	// of 60 words and more.
	if md != nil && (n+len(titleIDs) < minModelWords || md.coverage(titleIDs, bodyIDs, n) < minCoverage) {
		md = nil
	}
	var out []Match
	if md == nil {
		for i := range ev {
			if ev[i].kept {
				out = append(out, ev[i].match)
			}
		}
		slices.SortFunc(out, byScore)
		return out
	}
	x := md.vector(titleIDs, meetingIDs, bodyIDs)
	preds := md.predict(x, ev)
	o := md.opts
	for ti := range ev {
		e := &ev[ti]
		p := &preds[ti]
		keep := e.kept
		if md.active[ti] && !e.ruled && !o.Off {
			switch {
			case e.kept:
				// Thin evidence: a single word, the theme's only phrase,
				// scoring below Clear ("apps", "robots" or "coding" said
				// once or twice).
				keep = !e.thin(o.Clear) || p.prob >= o.Veto
			case p.prob >= o.Tau:
				md.explain(x, ti, p)
				keep = p.support >= o.MinSupport
			}
		}
		if !keep {
			continue
		}
		mt := e.match
		if mt.Theme == "" {
			mt.Theme = m.themes[ti]
			mt.Score = p.prob / o.Tau
		}
		if md.active[ti] && !o.Off {
			if p.terms == nil {
				md.explain(x, ti, p)
			}
			mt.Confidence = p.prob
			if p.prob >= o.Tau {
				mt.Learned = p.terms
			}
			mt.Reasons = append(slices.Clip(mt.Reasons), p.reasons(o.Tau)...)
		}
		out = append(out, mt)
	}
	slices.SortFunc(out, byScore)
	// The cut to maxThemes spares URL rules, as the rules' own cut does.
	if len(out) > maxThemes {
		kept := out[:0]
		for _, mt := range out {
			if len(kept) < maxThemes || ev[m.themeIndex(mt.Theme)].ruled {
				kept = append(kept, mt)
			}
		}
		out = kept
	}
	return out
}

func byScore(a, b Match) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	return strings.Compare(a.Theme, b.Theme)
}

func (m *matcher) themeIndex(id string) int { return slices.Index(m.themes, id) }

// themeEvidence is what the phrase rules found for one theme of a document.
type themeEvidence struct {
	ratio   float64 // score over the threshold (0 without a match)
	kept    bool    // the rules give the theme
	ruled   bool    // by a URL rule
	generic bool    // one phrase matched, and it is a single word
	match   Match   // the rules' Match (Theme "" when there was no evidence)
}

// thin reports whether the rules give the theme on a single word alone,
// scoring below clear times the threshold.
func (e *themeEvidence) thin(clear float64) bool { return e.generic && e.ratio < clear }

// phraseEvidence runs the phrase rules over a document's token ids and URL
// and returns, per theme, the score relative to the threshold and whether
// the rules give the theme, with its reasons.
func (m *matcher) phraseEvidence(titleIDs, meetingIDs, bodyIDs []int32, n int, d Doc) []themeEvidence {
	acc := make([]themeAcc, len(m.themes))
	until := make([]int, len(m.themes))
	dl := langtag.Primary(d.Lang)
	m.scan(titleIDs, titleWeight, srcTitle, dl, acc, until)
	// The meeting page is the site's, usually in English.
	m.scan(meetingIDs, meetingWeight, srcMeeting, "", acc, until)
	m.scan(bodyIDs, 1, srcBody, dl, acc, until)
	if d.URL != "" && len(m.rules) > 0 {
		p := urlPath(d.URL)
		for _, r := range m.rules {
			if acc[r.theme].rule == "" && globMatch(r.pattern, p) {
				acc[r.theme].rule = r.text
			}
		}
	}

	threshold := math.Max(1, math.Sqrt(float64(n))/lengthScale)
	ev := make([]themeEvidence, len(m.themes))
	var passed []int
	for ti := range acc {
		a := &acc[ti]
		if len(a.hits) == 0 && a.rule == "" {
			continue
		}
		score := a.strong
		useWeak := a.strong > 0
		if !useWeak && a.weakHits >= weakMinHits {
			distinct := 0
			for _, h := range a.hits {
				if m.phrases[h.phrase].weak && !slices.ContainsFunc(a.hits, func(o hit) bool {
					return o.phrase == h.phrase && o.src < h.src
				}) {
					distinct++
				}
			}
			useWeak = distinct >= weakMinDistinct
		}
		if useWeak {
			score += a.weak
		}
		e := &ev[ti]
		e.ratio = score / threshold
		e.ruled = a.rule != ""
		mt := Match{Theme: m.themes[ti], Score: e.ratio}
		if e.ruled {
			mt.Score = math.Max(mt.Score, 1)
			mt.Reasons = append(mt.Reasons, "url rule: "+a.rule)
		}
		for _, h := range a.hits {
			p := &m.phrases[h.phrase]
			if p.weak && !useWeak {
				continue
			}
			if len(mt.Reasons) < maxReasons {
				if h.n > 1 {
					mt.Reasons = append(mt.Reasons, sourceNames[h.src]+": "+p.quote+" x"+strconv.Itoa(int(h.n)))
				} else {
					mt.Reasons = append(mt.Reasons, sourceNames[h.src]+": "+p.quote)
				}
			}
			if len(mt.Phrases) < maxReasons && !slices.Contains(mt.Phrases, p.text) {
				mt.Phrases = append(mt.Phrases, p.text)
			}
		}
		e.match = mt
		// Generic evidence: a single word, the theme's only phrase.
		e.generic = len(mt.Phrases) == 1 && !slices.ContainsFunc(a.hits, func(h hit) bool {
			return len(m.phrases[h.phrase].toks) > 1
		})
		if e.ruled {
			e.kept = true
		} else if score >= threshold {
			passed = append(passed, ti)
		}
	}
	slices.SortFunc(passed, func(a, b int) int { return byScore(ev[a].match, ev[b].match) })
	for i, ti := range passed {
		if i == maxThemes || ev[ti].ratio < minRelative*ev[passed[0]].ratio {
			break
		}
		ev[ti].kept = true
	}
	return ev
}

// Expand returns the synonyms and phrases of the themes whose id, label,
// phrase or synonym the query names exactly (ignoring case, plurals,
// hyphens and spelling variants), without the query itself: "OER" gives
// "open educational resources", "OEP", .... Weak terms neither trigger nor
// appear in an expansion. A query naming no theme gives nil. The result is
// the caller's to modify.
func (t *Taxonomy) Expand(query string) []string {
	m := t.matcher()
	key := strings.Join(tokenStrings(query), " ")
	if key == "" {
		return nil
	}
	return slices.Clone(m.expand[key])
}
