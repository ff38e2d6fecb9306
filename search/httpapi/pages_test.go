package httpapi

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/kbsearch/kbsearch/search"
)

// TestPageLanguage: the pages speak the language of hl, else the best of
// Accept-Language they speak, else English; the answer says which, and
// that it varies with Accept-Language.
func TestPageLanguage(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	h := s.Handler()
	tests := []struct {
		name, target, accept, want, heading string
	}{
		{"no preference", "/", "", "en", "Knowledge base search"},
		{"French browser", "/", "fr-BE,fr;q=0.9,en;q=0.5", "fr", "Recherche dans la base de connaissances"},
		{"German second", "/", "it,de;q=0.8", "de", "Suche in der Wissensdatenbank"},
		{"none spoken", "/", "ja,zh;q=0.5", "en", "Knowledge base search"},
		{"hl wins", "/?hl=de", "fr", "de", "Suche in der Wissensdatenbank"},
		{"unknown hl ignored", "/?hl=xx", "fr", "fr", "Recherche dans la base de connaissances"},
		{"malformed header", "/", ";;;q=bad", "en", "Knowledge base search"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, tc.target, "Accept-Language", tc.accept)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if got := rec.Header().Get("Content-Language"); got != tc.want {
				t.Errorf("Content-Language %q, want %q", got, tc.want)
			}
			if v := rec.Header().Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Language") {
				t.Errorf("Vary %q lacks Accept-Language", v)
			}
			body := rec.Body.String()
			for _, want := range []string{`<html lang="` + tc.want + `"`, ">" + tc.heading + "</h1>", "static/app." + tc.want + "."} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(body, "data-t") || strings.Contains(body, "{lang}") {
				t.Errorf("page keeps its translation markers")
			}
		})
	}
}

// TestDocumentPage: /documents/ID is the document page in the reader's
// language, 404 (still the page) for an id no document has or one the API
// would refuse, and the page's script is served.
func TestDocumentPage(t *testing.T) {
	t.Parallel()
	fb := &fakeBackend{doc: &search.Document{ID: "abc123", Title: "Minutes"}}
	s, _ := newTestServer(t, fb, Options{})
	h := s.Handler()
	tests := []struct {
		name, target string
		status       int
	}{
		{"a document", "/documents/abc123?q=learning&hl=fr", http.StatusOK},
		{"no such document", "/documents/nosuch", http.StatusNotFound},
		{"an id with a control character", "/documents/a%01b", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			body := rec.Body.String()
			if !strings.Contains(body, `id="doc-title"`) || !strings.Contains(body, `src="../static/doc.`) {
				t.Errorf("not the document page:\n%.400s", body)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
	if rec := do(t, h, http.MethodGet, "/documents/abc123?hl=fr"); !strings.Contains(rec.Body.String(), "Retour à la recherche") {
		t.Errorf("hl=fr: the page is not in French")
	}
	if rec := do(t, h, http.MethodHead, "/documents/abc123"); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d bytes of body", rec.Code, rec.Body.Len())
	}
	if rec := do(t, h, http.MethodHead, "/documents/nosuch"); rec.Code != http.StatusNotFound || rec.Body.Len() != 0 {
		t.Errorf("HEAD of no document: status %d, %d bytes of body", rec.Code, rec.Body.Len())
	}
	for _, l := range []string{"en", "fr", "de"} {
		if rec := do(t, h, http.MethodGet, "/static/doc."+l+".js"); rec.Code != http.StatusOK {
			t.Errorf("GET /static/doc.%s.js: status %d", l, rec.Code)
		}
	}
}

// TestBundleStrings: each page script carries its language's strings, the
// box's script the shared strings of every language.
func TestBundleStrings(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, &fakeBackend{}, Options{})
	h := s.Handler()
	for target, want := range map[string][]string{
		"/static/app.fr.js": {"Voir les résultats", "Documents par année et par thème"},
		"/static/app.de.js": {"Treffer zeigen"},
		"/static/embed.js":  {"Rechercher dans la base de connaissances", "Die Wissensdatenbank durchsuchen", "Search the knowledge base"},
	} {
		body := do(t, h, http.MethodGet, target).Body.String()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", target, w)
			}
		}
	}
	if box := do(t, h, http.MethodGet, "/static/embed.js").Body.String(); strings.Contains(box, "Documents per year") {
		t.Errorf("the box carries the page's strings")
	}
}

// The contract's validator reads an HTML page (the document page) as a
// string, as it reads text/plain.
func init() {
	openapi3filter.RegisterBodyDecoder("text/html", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
}
