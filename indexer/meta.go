package indexer

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Meta is what DeriveMeta reads from a document's URL, title and text.
type Meta struct {
	Type    string    // one of the Type* constants
	Date    time.Time // UTC midnight; zero if unknown
	Kind    string    // one of the Kind* constants, or "" if not about a meeting
	Place   string    // display form ("Brussels"); "" if unknown or online
	Country string    // display form ("Belgium"); "" if unknown or online
}

// How much of the text DeriveMeta reads: the title block at the top of a
// document, not its body.
const (
	typeTextLen  = 300
	kindTextLen  = 500
	dateTextLen  = 500
	placeTextLen = 300
)

// DeriveMeta reads a document's type, date, meeting kind and place from its
// URL, title and the first part of its text, falling back to published (from
// page metadata) for the date. Words are matched case-insensitively and whole
// (hyphens and other punctuation separate words, so "key-messages" in a URL
// reads as "key messages"). The rules:
//
// Type: the earliest of these keywords in the title, else in the URL path,
// else in the first 300 characters of text: "minutes" (not "30 minutes") ->
// minutes; "key messages", "key policy messages" -> key-messages; "agenda"
// (not "Digital Agenda", "New Skills Agenda", "agenda for ...") -> agenda;
// "report", "reports", "conclusions" (not "Council conclusions") -> report;
// otherwise page. The text is read only when the title is missing or
// meaningless (empty, a URL, a file name, "Microsoft Word - ...") or the URL
// names a file (.pdf, .doc, ...), so a meeting page, whose title names the
// meeting but no document type, stays a page whatever its text mentions.
//
// Kind: looked for in the title, then the URL path, then the first 500
// characters of text, the first source with a match deciding, in this order
// of precedence: "online" just before "meeting", "plenary", "session" or
// "conference", "held online", "webinar" or "videoconference" -> online;
// "ad hoc", "ad-hoc", "adhoc" -> ad-hoc; "peer learning", "PLA" (also
// "PLA#3", "PLAs") -> peer-learning; "plenary", "kick-off", "kickoff" ->
// plenary; otherwise "". The text (here and for Place) is read only for a
// document that is not a page, one whose title is meaningless, or one whose
// title or URL speaks of a meeting, activity, visit, workshop, seminar,
// session or conference: the home page's account of the group's plenaries is
// not a meeting.
//
// Date: the first date expression in the title, else in the first 500
// characters of text, else YYYY-MM or YYYY-MM-DD (also with / or _) in the
// URL path (the first of the month when the day is missing), else published;
// always UTC midnight of that calendar day. Date expressions: "5 July 2016",
// "5th July 2016", "5-7 July 2016" and "8–9 June 2017" (the first day),
// "5 July - 7 July 2016", "27 September - 1 October 2016", "30 December -
// 2 January 2018" (the first day, in the year before), "July 5, 2016",
// "19 Oct 2016", "Sept. 2017", "July 2016" (the first of the month),
// "2016-07-05", and "05/07/2016" or "5.7.2016", read day first as in Europe.
// Impossible dates (31 June) are skipped.
//
// Place and Country: the first place of a gazetteer of European cities (all
// EU, candidate and EFTA capitals and other cities that host meetings, with
// local spellings such as Bruxelles or Wien) in the title, else in the first
// 300 characters of text, else in the URL path; in the title and text the
// name must be capitalised, and a city naming a policy ("Bologna Process",
// "Riga Conclusions", "Paris Declaration") is not a place. "Malta" and
// "Luxembourg" name both place and country. Failing a place, a country named
// in the title gives Country alone. Online meetings have no place.
func DeriveMeta(rawURL, title, text string, published time.Time) Meta {
	urlPath := pathOf(rawURL)
	titleW := metaWords(title)
	urlW := metaWords(urlPath)
	docFile := isDocFile(urlPath)
	weak := weakTitle(title, rawURL)

	var m Meta
	m.Type = firstNonEmpty(typeIn(titleW), typeIn(urlW))
	if m.Type == "" && (weak || docFile) {
		m.Type = typeIn(metaWords(head(text, typeTextLen)))
	}
	if m.Type == "" {
		m.Type = TypePage
	}

	useText := m.Type != TypePage || weak || speaksOfMeeting(titleW) || speaksOfMeeting(urlW)
	m.Kind = firstNonEmpty(kindIn(titleW), kindIn(urlW))
	if m.Kind == "" && useText {
		m.Kind = kindIn(metaWords(head(text, kindTextLen)))
	}

	if d, ok := findDate(title); ok {
		m.Date = d
	} else if d, ok := findDate(head(text, dateTextLen)); ok {
		m.Date = d
	} else if d, ok := urlDate(urlPath); ok {
		m.Date = d
	} else if !published.IsZero() {
		y, mo, d := published.Date()
		m.Date = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	}

	if m.Kind != KindOnline {
		p, ok := placeIn(titleW, true)
		if !ok && useText {
			p, ok = placeIn(metaWords(head(text, placeTextLen)), true)
		}
		if !ok {
			p, ok = placeIn(urlW, false)
		}
		if !ok {
			p.Country = countryIn(titleW)
		}
		m.Place, m.Country = p.Place, p.Country
	}
	return m
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pathOf returns the unescaped path of rawURL, or rawURL itself if it is
// not a URL.
func pathOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Path
}

// head returns about the first n bytes of s, cut at the end of a word.
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i < len(s) && i < n+40 && !isSpaceByte(s[i]) {
		i++
	}
	if i >= len(s) {
		return s
	}
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// word is a word of a title, text or path: lower-cased, and as written.
type word struct{ lower, orig string }

func metaWords(s string) []word {
	fields := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := make([]word, len(fields))
	for i, f := range fields {
		out[i] = word{lower: strings.ToLower(f), orig: f}
	}
	return out
}

// at returns the lower-case word at i, or "" outside ws.
func at(ws []word, i int) string {
	if i < 0 || i >= len(ws) {
		return ""
	}
	return ws[i].lower
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var docExts = map[string]bool{
	".pdf": true, ".doc": true, ".docx": true, ".odt": true, ".rtf": true,
	".ppt": true, ".pptx": true, ".odp": true, ".xls": true, ".xlsx": true, ".txt": true,
}

func isDocFile(p string) bool { return docExts[strings.ToLower(path.Ext(p))] }

// weakTitle reports whether title says nothing of the document: empty, the
// URL, a file name, a word processor's default, or without any letter.
func weakTitle(title, rawURL string) bool {
	t := strings.TrimSpace(title)
	lt := strings.ToLower(t)
	switch {
	case t == "" || t == rawURL,
		strings.HasPrefix(lt, "http://"), strings.HasPrefix(lt, "https://"),
		strings.HasPrefix(lt, "microsoft word"), strings.HasPrefix(lt, "microsoft powerpoint"),
		lt == "untitled", lt == "document", isDocFile(lt):
		return true
	}
	return strings.IndexFunc(t, unicode.IsLetter) < 0
}

// typeIn returns the document type named by the earliest type keyword in ws.
func typeIn(ws []word) string {
	for i, w := range ws {
		switch w.lower {
		case "minutes":
			if !isDigits(at(ws, i-1)) {
				return TypeMinutes
			}
		case "key":
			if at(ws, i+1) == "messages" || at(ws, i+1) == "policy" && at(ws, i+2) == "messages" {
				return TypeKeyMessages
			}
		case "agenda":
			switch at(ws, i-1) {
			case "digital", "skills", "policy", "political", "research", "strategic", "new", "2030":
				continue
			}
			if at(ws, i+1) != "for" {
				return TypeAgenda
			}
		case "report", "reports":
			return TypeReport
		case "conclusions":
			// Not "Council conclusions" or "Riga Conclusions".
			if _, city := gazetteer[at(ws, i-1)]; !city && at(ws, i-1) != "council" {
				return TypeReport
			}
		}
	}
	return ""
}

// speaksOfMeeting reports whether ws names some meeting.
func speaksOfMeeting(ws []word) bool {
	for _, w := range ws {
		switch w.lower {
		case "meeting", "activity", "visit", "workshop", "seminar", "session",
			"conference", "webinar", "videoconference", "pla", "plenary":
			return true
		}
	}
	return false
}

// kindIn returns the meeting kind named in ws, by precedence.
func kindIn(ws []word) string {
	online, adHoc, peer, plenary := false, false, false, false
	for i, w := range ws {
		switch w.lower {
		case "online":
			for k := i + 1; k <= i+2; k++ {
				switch at(ws, k) {
				case "meeting", "plenary", "session", "conference":
					online = true
				}
			}
			if at(ws, i-1) == "held" || at(ws, i-1) == "place" && at(ws, i-2) == "took" {
				online = true
			}
		case "webinar", "videoconference":
			online = true
		case "video":
			online = online || at(ws, i+1) == "conference"
		case "ad":
			adHoc = adHoc || at(ws, i+1) == "hoc"
		case "adhoc":
			adHoc = true
		case "peer":
			peer = peer || at(ws, i+1) == "learning"
		case "pla", "plas":
			peer = true
		case "plenary", "kickoff":
			plenary = true
		case "kick":
			plenary = plenary || at(ws, i+1) == "off"
		}
	}
	switch {
	case online:
		return KindOnline
	case adHoc:
		return KindAdHoc
	case peer:
		return KindPeerLearning
	case plenary:
		return KindPlenary
	}
	return ""
}

// Dates.

const (
	reMonth = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?`
	reOrd   = `(?:st|nd|rd|th)?`
	reDash  = `\s*(?:[-‐‑–—]|to|and|&)\s*`
)

// datePatterns, tried in this order at the same position.
var (
	// 5 July 2016; 5-7 July 2016; 5 July - 7 July 2016; 27 September - 1 October 2016
	reDayMonthYear = regexp.MustCompile(`(?i)\b(\d{1,2})` + reOrd + `(?:` + reDash + `\d{1,2}` + reOrd + `)?\s+` + reMonth +
		`(?:` + reDash + `\d{1,2}` + reOrd + `\s+` + reMonth + `)?,?\s+(\d{4})\b`)
	// July 5, 2016; July 5-7, 2016
	reMonthDayYear = regexp.MustCompile(`(?i)\b` + reMonth + `\s+(\d{1,2})` + reOrd + `(?:` + reDash + `\d{1,2}` + reOrd + `)?,?\s+(\d{4})\b`)
	// 2016-07-05
	reISODate = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	// 05/07/2016, 5.7.2016 (day first)
	reNumericDate = regexp.MustCompile(`\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b`)
	// July 2016
	reMonthYear = regexp.MustCompile(`(?i)\b` + reMonth + `,?\s+(\d{4})\b`)
	// 2016-07, 2016-07-05, 2016/07/05, 2016_07 in a path
	reURLDate = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)\d\d)[-/_](\d\d)(?:[-/_](\d\d))?(?:[^0-9]|$)`)
)

var monthByPrefix = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

func monthOf(name string) time.Month {
	if len(name) < 3 {
		return 0
	}
	return monthByPrefix[strings.ToLower(name[:3])]
}

// makeDate returns the date, or false if it does not exist or is out of the
// plausible range.
func makeDate(y int, m time.Month, d int) (time.Time, bool) {
	if y < 1990 || y > 2100 || m < time.January || m > time.December || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != m {
		return time.Time{}, false
	}
	return t, true
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// findDate returns the first valid date expression in s.
func findDate(s string) (time.Time, bool) {
	best, bestAt := time.Time{}, -1
	var invalid [][]int // spans of impossible dates: no part of them counts
	consider := func(re *regexp.Regexp, parse func(g []string) (time.Time, bool)) {
	matches:
		for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
			if bestAt >= 0 && loc[0] >= bestAt {
				return // an earlier pattern already matched here or before
			}
			for _, span := range invalid {
				if loc[0] < span[1] && loc[1] > span[0] {
					continue matches
				}
			}
			g := make([]string, len(loc)/2)
			for i := range g {
				if loc[2*i] >= 0 {
					g[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			if t, ok := parse(g); ok {
				best, bestAt = t, loc[0]
				return
			}
			invalid = append(invalid, loc[:2])
		}
	}
	consider(reDayMonthYear, func(g []string) (time.Time, bool) {
		y, m := atoi(g[4]), monthOf(g[2])
		if g[3] != "" && monthOf(g[3]) < m {
			y-- // 30 December - 2 January 2018
		}
		return makeDate(y, m, atoi(g[1]))
	})
	consider(reMonthDayYear, func(g []string) (time.Time, bool) {
		return makeDate(atoi(g[3]), monthOf(g[1]), atoi(g[2]))
	})
	consider(reISODate, func(g []string) (time.Time, bool) {
		return makeDate(atoi(g[1]), time.Month(atoi(g[2])), atoi(g[3]))
	})
	consider(reNumericDate, func(g []string) (time.Time, bool) {
		return makeDate(atoi(g[3]), time.Month(atoi(g[2])), atoi(g[1]))
	})
	consider(reMonthYear, func(g []string) (time.Time, bool) {
		return makeDate(atoi(g[2]), monthOf(g[1]), 1)
	})
	return best, bestAt >= 0
}

// urlDate reads YYYY-MM or YYYY-MM-DD from a URL path.
func urlDate(p string) (time.Time, bool) {
	for _, g := range reURLDate.FindAllStringSubmatch(p, -1) {
		d := 1
		if g[3] != "" {
			d = atoi(g[3])
		}
		if t, ok := makeDate(atoi(g[1]), time.Month(atoi(g[2])), d); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// Places.

type place struct{ Place, Country string }

// gazetteer maps lower-case place names, multi-word ones joined by single
// spaces, to their display form and country.
var gazetteer = func() map[string]place {
	byCountry := map[string][]string{
		// EU capitals, with local spellings, and other cities.
		"Austria":     {"Vienna", "wien", "Salzburg", "Graz", "Linz", "Innsbruck"},
		"Belgium":     {"Brussels", "bruxelles", "brussel", "Antwerp", "antwerpen", "Ghent", "gent", "Leuven", "Liège", "liege", "Bruges", "brugge"},
		"Bulgaria":    {"Sofia", "Plovdiv", "Varna"},
		"Croatia":     {"Zagreb", "Rijeka", "Osijek"},
		"Cyprus":      {"Nicosia", "lefkosia", "Limassol"},
		"Czechia":     {"Prague", "praha", "Brno", "Ostrava"},
		"Denmark":     {"Copenhagen", "københavn", "kobenhavn", "Aarhus", "Odense"},
		"Estonia":     {"Tallinn", "Tartu"},
		"Finland":     {"Helsinki", "Espoo", "Tampere", "Turku", "Oulu"},
		"France":      {"Paris", "Strasbourg", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Lille"},
		"Germany":     {"Berlin", "Hamburg", "Munich", "münchen", "Frankfurt", "Cologne", "köln", "Bonn", "Dresden", "Leipzig", "Stuttgart", "Düsseldorf"},
		"Greece":      {"Athens", "athina", "Thessaloniki"},
		"Hungary":     {"Budapest", "Debrecen"},
		"Ireland":     {"Dublin", "Cork", "Galway", "Limerick"},
		"Italy":       {"Rome", "Milan", "milano", "Turin", "torino", "Florence", "firenze", "Naples", "napoli", "Bologna", "Venice", "venezia"},
		"Latvia":      {"Riga"},
		"Lithuania":   {"Vilnius", "Kaunas"},
		"Luxembourg":  {"Luxembourg"},
		"Malta":       {"Valletta", "valetta", "Malta"},
		"Netherlands": {"Amsterdam", "The Hague", "den haag", "Rotterdam", "Utrecht", "Eindhoven", "Maastricht"},
		"Poland":      {"Warsaw", "warszawa", "Kraków", "krakow", "cracow", "Gdańsk", "gdansk", "Wrocław", "wroclaw", "Poznań", "poznan"},
		"Portugal":    {"Lisbon", "lisboa", "Porto", "Coimbra"},
		"Romania":     {"Bucharest", "bucurești", "bucuresti", "Cluj-Napoca", "Iași", "iasi", "Timișoara", "timisoara"},
		"Slovakia":    {"Bratislava", "Košice", "kosice"},
		"Slovenia":    {"Ljubljana", "Maribor"},
		"Spain":       {"Madrid", "Barcelona", "Seville", "sevilla", "Valencia", "Bilbao", "Málaga", "malaga"},
		"Sweden":      {"Stockholm", "Gothenburg", "göteborg", "Malmö", "malmo", "Uppsala"},
		// The United Kingdom was a member state while the group met.
		"United Kingdom": {"London", "Belfast", "Edinburgh", "Cardiff", "Glasgow", "Manchester"},
		// Candidate and potential candidate countries.
		"Albania":                {"Tirana", "tiranë"},
		"Bosnia and Herzegovina": {"Sarajevo"},
		"Georgia":                {"Tbilisi"},
		"Kosovo":                 {"Pristina", "prishtina"},
		"Moldova":                {"Chișinău", "chisinau", "chişinău"},
		"Montenegro":             {"Podgorica"},
		"North Macedonia":        {"Skopje"},
		"Serbia":                 {"Belgrade", "beograd", "Novi Sad"},
		"Türkiye":                {"Ankara", "Istanbul"},
		"Ukraine":                {"Kyiv", "kiev"},
		// EFTA.
		"Iceland":       {"Reykjavik", "reykjavík"},
		"Liechtenstein": {"Vaduz"},
		"Norway":        {"Oslo", "Bergen", "Trondheim"},
		"Switzerland":   {"Bern", "berne", "Geneva", "genève", "geneve", "genf", "Zurich", "zürich", "Basel", "Lausanne"},
	}
	g := make(map[string]place)
	for country, names := range byCountry {
		display := ""
		for _, n := range names {
			// A capitalised name is a display form; the lower-case names
			// after it are its other spellings.
			if r, _ := utf8.DecodeRuneInString(n); unicode.IsUpper(r) {
				display = n
			}
			g[nameKey(n)] = place{Place: display, Country: country}
		}
	}
	return g
}()

// countries maps lower-case country names to their display form, for a
// title that names a country but no city.
var countries = func() map[string]string {
	c := make(map[string]string)
	for _, p := range gazetteer {
		c[nameKey(p.Country)] = p.Country
	}
	for alias, country := range map[string]string{
		"czech republic": "Czechia", "the netherlands": "Netherlands", "holland": "Netherlands",
		"uk": "United Kingdom", "great britain": "United Kingdom", "northern ireland": "United Kingdom",
		"scotland": "United Kingdom", "wales": "United Kingdom", "england": "United Kingdom",
		"turkey": "Türkiye", "republic of moldova": "Moldova", "macedonia": "North Macedonia",
		"deutschland": "Germany", "österreich": "Austria", "suisse": "Switzerland", "schweiz": "Switzerland",
	} {
		c[alias] = country
	}
	return c
}()

// nameKey is the lookup form of a name: its lower-case words joined by
// single spaces.
func nameKey(name string) string {
	ws := metaWords(name)
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.lower
	}
	return strings.Join(parts, " ")
}

// policyWords follow a city's name when it names a policy, not a place.
var policyWords = map[string]bool{
	"process": true, "declaration": true, "conclusions": true, "strategy": true, "treaty": true,
	"communiqué": true, "communique": true, "criteria": true, "convention": true, "agreement": true,
	"principles": true, "charter": true, "call": true, "agenda": true,
}

// placeIn returns the first gazetteer place in ws, trying names of three,
// two and one words at each position. With capitalised set, the name's first
// or last word must be capitalised as written.
func placeIn(ws []word, capitalised bool) (place, bool) {
	for i := range ws {
		for n := 3; n >= 1; n-- {
			if i+n > len(ws) {
				continue
			}
			p, ok := gazetteer[joinLower(ws[i:i+n])]
			if !ok {
				continue
			}
			if capitalised && !isCapitalised(ws[i].orig) && !isCapitalised(ws[i+n-1].orig) {
				continue
			}
			if policyWords[at(ws, i+n)] {
				continue
			}
			return p, true
		}
	}
	return place{}, false
}

// countryIn returns the first country named in ws, or "".
func countryIn(ws []word) string {
	for i := range ws {
		for n := 3; n >= 1; n-- {
			if i+n > len(ws) {
				continue
			}
			if c, ok := countries[joinLower(ws[i:i+n])]; ok && isCapitalised(ws[i].orig) {
				return c
			}
		}
	}
	return ""
}

func joinLower(ws []word) string {
	if len(ws) == 1 {
		return ws[0].lower
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.lower
	}
	return strings.Join(parts, " ")
}

func isCapitalised(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}
