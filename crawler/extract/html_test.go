package extract

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestHTMLText(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{
			name: "boilerplate removed, main preferred",
			body: `<html><head><title>T</title><style>p{color:red}</style><script>var x = "script text";</script></head>
<body>
<header><a href="/">Home</a> Site banner</header>
<nav><ul><li>Menu one</li><li>Menu two</li></ul></nav>
<div id="cookie-notice">We use cookies. <button>Accept</button></div>
<div class="gdpr-consent-box">Consent text</div>
<div role="navigation">Breadcrumb</div>
<main>
  <h1>Key policy messages</h1>
  <p>Digital skills matter.</p>
  <noscript>Enable JavaScript</noscript>
  <div hidden>Hidden text</div>
  <span aria-hidden="true">Icon label</span>
  <template><p>Template text</p></template>
  <form><input name="q"> Search form</form>
  <aside>Related links</aside>
  <p>Teachers need training.</p>
</main>
<footer>Footer text</footer>
</body></html>`,
			want: "Key policy messages\n\nDigital skills matter.\n\nTeachers need training.",
		},
		{
			name: "block line breaks",
			body: `<body><ul><li>a</li><li>b</li></ul><p>x <b>y</b>z</p><div>one<br>two</div>` +
				`<table><tr><td>c1</td><td>c2</td></tr><tr><td>d1</td><td>d2</td></tr></table>` +
				`<h2>Heading</h2><section><p>   spaced
   out   text  </p></section></body>`,
			want: "a\nb\n\nx yz\n\none\ntwo\n\nc1 c2\nd1 d2\n\nHeading\n\nspaced out text",
		},
		{
			name: "preformatted keeps its lines",
			body: `<body><pre>line one
line two</pre></body>`,
			want: "line one\nline two",
		},
		{
			name: "article when there is no main",
			body: `<body><div class="menu">Top menu</div><article><header><h1>Minutes</h1></header><p>Agreed.</p></article></body>`,
			want: "Minutes\n\nAgreed.",
		},
		{
			name: "several articles are all kept",
			body: `<body><article><p>First.</p></article><div>Between</div><article><p>Second.</p></article></body>`,
			want: "First.\n\nSecond.",
		},
		{
			name: "role main when there is no main or article",
			body: `<body><div>Chrome</div><div role="main"><p>Content.</p></div></body>`,
			want: "Content.",
		},
		{
			name: "body when nothing marks the content",
			body: `<body><header>Site</header><div><p>Only text.</p></div><footer>Legal</footer></body>`,
			want: "Only text.",
		},
		{
			name: "empty main falls back to body",
			body: `<body><main></main><div><p>Loaded elsewhere.</p></div></body>`,
			want: "Loaded elsewhere.",
		},
		{
			name: "page-wrapping form is kept",
			body: `<body><form id="aspnetForm"><h1>Report</h1><p>Body text.</p></form></body>`,
			want: "Report\n\nBody text.",
		},
		{
			name: "cookie class on body does not drop the page",
			body: `<body class="cookie-banner-open"><p>Still here.</p></body>`,
			want: "Still here.",
		},
		{
			name: "div and table navigation named by class or id is dropped",
			body: `<body><div class="navheader"><table><tr><td>Prev</td><td>Up</td><td>Next</td></tr></table></div>` +
				`<div id="breadcrumbs">Home &gt; Docs</div><div class="sect1"><p>VACUUM reclaims storage.</p></div>` +
				`<div class="navfooter">Prev Home Next</div></body>`,
			want: "VACUUM reclaims storage.",
		},
		{
			name: "a class merely containing nav is kept",
			body: `<body><div class="navigation-guide"><p>How to navigate the archive.</p></div></body>`,
			want: "How to navigate the archive.",
		},
		{
			name: "control characters and invalid bytes are cleaned",
			body: "<body><p>a\x00b\x07c \xff\xfed\u200b</p><p>e\tf</p></body>",
			want: "abc d\u200b\n\ne f",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := HTML([]byte(tt.body), "text/html; charset=utf-8", nil)
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if p.Text != tt.want {
				t.Error(diff("text", tt.want, p.Text))
			}
			checkClean(t, "text", p.Text)
			if p.PageCount != 1 {
				t.Errorf("PageCount = %d, want 1", p.PageCount)
			}
		})
	}
}

func TestHTMLCharset(t *testing.T) {
	// "Résumé – naïve €" in windows-1252.
	cp1252 := "R\xe9sum\xe9 \x96 na\xefve \x80"
	const want = "Résumé – naïve €"
	tests := []struct {
		name        string
		contentType string
		body        string
	}{
		{"windows-1252 declared in the header", "text/html; charset=windows-1252",
			"<html><body><p>" + cp1252 + "</p></body></html>"},
		{"windows-1252 declared only in meta charset", "text/html",
			`<html><head><meta charset="windows-1252"></head><body><p>` + cp1252 + "</p></body></html>"},
		{"iso-8859-1 declared in meta http-equiv", "",
			`<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body><p>` + cp1252 + "</p></body></html>"},
		{"undeclared UTF-8 with a long ASCII head", "text/html",
			"<html><head><title>x</title><!--" + strings.Repeat("ascii padding ", 200) + "--></head><body><p>" + want + "</p></body></html>"},
		{"UTF-8 mislabelled as windows-1252", "text/html; charset=windows-1252",
			"<html><body><p>" + want + "</p></body></html>"},
		{"UTF-8 with a BOM", "text/html",
			"\xef\xbb\xbf<html><body><p>" + want + "</p></body></html>"},
		{"UTF-16LE with a BOM", "text/html", utf16le("<html><body><p>" + want + "</p></body></html>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := HTML([]byte(tt.body), tt.contentType, nil)
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if p.Text != want {
				t.Error(diff("text", want, p.Text))
			}
		})
	}
}

func utf16le(s string) string {
	b := []byte{0xff, 0xfe}
	for _, r := range s {
		if r > 0xffff {
			panic("test helper handles the BMP only")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

func TestHTMLTitle(t *testing.T) {
	tests := []struct {
		name string
		head string
		body string
		want string
	}{
		{"plain title", `<title>Peer learning activity report</title>`, ``, "Peer learning activity report"},
		{"suffix naming og:site_name", `<title>Key messages - Digital Skills Working Group</title><meta property="og:site_name" content="Digital Skills Working Group">`, ``, "Key messages"},
		{"short pipe suffix", `<title>Meeting minutes, June 2017 | ET 2020</title>`, ``, "Meeting minutes, June 2017"},
		{"head equal to the h1", `<title>Agenda - Brussels meeting</title>`, `<h1>Agenda</h1>`, "Agenda"},
		{"dash inside a real title is kept", `<title>Digital skills - a policy agenda</title>`, `<h1>Something else</h1>`, "Digital skills - a policy agenda"},
		{"long pipe tail is kept", `<title>A | the role of teachers in schools and in adult learning centres</title>`, ``, "A | the role of teachers in schools and in adult learning centres"},
		{"no title falls back to h1", ``, `<h1>  Key   policy <em>messages</em></h1>`, "Key policy messages"},
		{"empty title falls back to h1", `<title>  </title>`, `<h1>Heading</h1>`, "Heading"},
		{"neither", ``, `<p>text</p>`, ""},
		{"a hostile title is cut at a word within 200 runes", `<title>` + strings.Repeat("équipe ", 100000) + `</title>`, ``,
			strings.TrimSpace(strings.Repeat("équipe ", 28))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := HTML([]byte("<html><head>"+tt.head+"</head><body>"+tt.body+"</body></html>"), "text/html", nil)
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if p.Title != tt.want {
				t.Error(diff("title", tt.want, p.Title))
			}
		})
	}
}

func TestHTMLMetadata(t *testing.T) {
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		html     string
		wantDate time.Time
		wantLang string
		wantDesc string
	}{
		{"article:published_time RFC 3339", `<html lang="en-GB"><head><meta property="article:published_time" content="2017-03-15T10:30:00+01:00"><meta name="date" content="2001-01-01"></head><body></body></html>`,
			time.Date(2017, 3, 15, 9, 30, 0, 0, time.UTC), "en", ""},
		{"dcterms.date before DC.date", `<head><meta name="DC.date" content="2016-01-01"><meta name="dcterms.date" content="2017-06-02"></head>`,
			date(2017, 6, 2), "", ""},
		{"DC.date year and month", `<head><meta name="DC.date" content="2018-05"></head>`, date(2018, 5, 1), "", ""},
		{"unparsable meta skipped", `<head><meta name="date" content="last Tuesday"><meta name="citation_publication_date" content="2016/11/30"></head>`,
			date(2016, 11, 30), "", ""},
		{"time element in the main content", `<body><nav><time datetime="2010-01-01">old</time></nav><main><p>Held on <time datetime="2017-10-05">5 October</time>.</p></main></body>`,
			date(2017, 10, 5), "", ""},
		{"no date", `<body><p>No date here, 2017-01-01 in text does not count.</p></body>`, time.Time{}, "", ""},
		{"content-language meta", `<head><meta http-equiv="Content-Language" content="FR, en"></head>`, time.Time{}, "fr", ""},
		{"bad lang attribute falls back", `<html lang="1x"><head><meta http-equiv="content-language" content="de-AT"></head></html>`, time.Time{}, "de", ""},
		{"meta description", `<head><meta name="description" content=" Minutes of the
  third meeting "><meta property="og:description" content="og"></head>`, time.Time{}, "", "Minutes of the third meeting"},
		{"og description", `<head><meta property="og:description" content="From Open Graph"></head>`, time.Time{}, "", "From Open Graph"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := HTML([]byte(tt.html), "text/html", nil)
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if !p.Published.Equal(tt.wantDate) {
				t.Error(diff("published", tt.wantDate, p.Published))
			}
			if p.Lang != tt.wantLang {
				t.Error(diff("lang", tt.wantLang, p.Lang))
			}
			if p.Description != tt.wantDesc {
				t.Error(diff("description", tt.wantDesc, p.Description))
			}
		})
	}
}

func TestHTMLLinks(t *testing.T) {
	base := "https://wg.example.eu/docs/meetings/index.html?x=1"
	tests := []struct {
		name          string
		base          string
		html          string
		wantLinks     []string
		wantCanonical string
	}{
		{
			name: "resolution, schemes, fragments, duplicates",
			base: base,
			html: `<head><link rel="canonical" href="/docs/meetings/#top"></head><body>
<a href="minutes-2017.pdf">rel</a>
<a href="../policy.html#section-2">parent</a>
<a href="//cdn.example.eu/a.pdf">protocol relative</a>
<a href="HTTP://Other.example.org/x">upper-case scheme</a>
<a href="javascript:void(0)">js</a>
<a href="mailto:wg@example.eu">mail</a>
<a href="tel:+3200000">tel</a>
<a href="ftp://example.eu/file">ftp</a>
<a href="#local">fragment only</a>
<a href="minutes-2017.pdf#page=2">same document</a>
<a rel="nofollow" href="/private/">nofollow kept</a>
<a href="">empty</a>
<a>no href</a>
<nav><a href="/nav-link">in nav</a></nav>
</body>`,
			wantLinks: []string{
				"https://wg.example.eu/docs/meetings/minutes-2017.pdf",
				"https://wg.example.eu/docs/policy.html",
				"https://cdn.example.eu/a.pdf",
				"http://Other.example.org/x",
				"https://wg.example.eu/private/",
				"https://wg.example.eu/nav-link",
			},
			wantCanonical: "https://wg.example.eu/docs/meetings/",
		},
		{
			name:          "base element",
			base:          base,
			html:          `<head><base href="https://mirror.example.eu/root/"><link rel="Canonical" href="page.html"></head><body><a href="a.html">a</a></body>`,
			wantLinks:     []string{"https://mirror.example.eu/root/a.html"},
			wantCanonical: "https://mirror.example.eu/root/page.html",
		},
		{
			name:      "no base keeps absolute links only",
			html:      `<body><a href="relative.html">r</a><a href="https://example.eu/abs">a</a></body>`,
			wantLinks: []string{"https://example.eu/abs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b *url.URL
			if tt.base != "" {
				b = mustURL(t, tt.base)
			}
			p, err := HTML([]byte(tt.html), "text/html", b)
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if !reflect.DeepEqual(p.Links, tt.wantLinks) {
				t.Errorf("links mismatch (-want +got):\n-%q\n+%q", tt.wantLinks, p.Links)
			}
			if p.Canonical != tt.wantCanonical {
				t.Error(diff("canonical", tt.wantCanonical, p.Canonical))
			}
		})
	}
}

func TestHTMLRobots(t *testing.T) {
	tests := []struct {
		name                   string
		meta                   string
		wantNoIndex, wantNoFol bool
	}{
		{"none declared", ``, false, false},
		{"noindex, nofollow", `<meta name="robots" content="noindex, nofollow">`, true, true},
		{"upper case nofollow only", `<meta name="ROBOTS" content="NOFOLLOW">`, false, true},
		{"none means both", `<meta name="robots" content="none">`, true, true},
		{"kbsearch-named", `<meta name="kbsearch" content="noindex">`, true, false},
		{"other robots ignored", `<meta name="googlebot" content="noindex,nofollow">`, false, false},
		{"index, follow", `<meta name="robots" content="index,follow">`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := HTML([]byte("<html><head>"+tt.meta+"</head><body><p>x</p></body></html>"), "text/html", nil)
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if p.NoIndex != tt.wantNoIndex || p.NoFollow != tt.wantNoFol {
				t.Errorf("robots mismatch (-want +got):\n-noindex=%v nofollow=%v\n+noindex=%v nofollow=%v",
					tt.wantNoIndex, tt.wantNoFol, p.NoIndex, p.NoFollow)
			}
		})
	}
}

func TestResolveHTTP(t *testing.T) {
	base, _ := url.Parse("https://h.test/dir/page.html")
	tests := []struct{ name, href, want string }{
		{"relative", "other.html", "https://h.test/dir/other.html"},
		{"tabs and newlines stripped", "/a\tb\n\r.html", "https://h.test/ab.html"},
		{"fragment dropped, scheme lower-cased", "HTTP://x.test/p#f", "http://x.test/p"},
		{"fragment only", "#top", ""},
		{"not http", "mailto:a@h.test", ""},
		{"blank", "  ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolveHTTP(base, tc.href); got != tc.want {
				t.Errorf("resolveHTTP(%q) = %q, want %q", tc.href, got, tc.want)
			}
		})
	}
}
