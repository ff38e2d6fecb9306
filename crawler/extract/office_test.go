package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// zipOf builds a zip archive of the given entries, in order; "mimetype" is
// stored uncompressed as ODF wants.
func zipOf(t testing.TB, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		method := zip.Deflate
		if e[0] == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

// docxOf builds a DOCX whose body is bodyXML, with core properties if core
// is not empty.
func docxOf(t testing.TB, bodyXML, core string) []byte {
	entries := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wNS + `><w:body>` + bodyXML + `</w:body></w:document>`},
	}
	if core != "" {
		entries = append(entries, [2]string{"docProps/core.xml", `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">` + core + `</cp:coreProperties>`})
	}
	return zipOf(t, entries...)
}

const odfNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"`

// odtOf builds an ODT whose office:text is textXML, with meta.xml content
// if meta is not empty.
func odtOf(t testing.TB, textXML, meta string) []byte {
	entries := [][2]string{
		{"mimetype", mimeODT},
		{"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + odfNS + `><office:body><office:text>` + textXML + `</office:text></office:body></office:document-content>`},
	}
	if meta != "" {
		entries = append(entries, [2]string{"meta.xml", `<?xml version="1.0"?><office:document-meta ` + odfNS + ` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta>` + meta + `</office:meta></office:document-meta>`})
	}
	return zipOf(t, entries...)
}

func wp(style, text string) string {
	s := `<w:p>`
	if style != "" {
		s += `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return s + `<w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
}

func TestDOCX(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		core  string
		want  Page
		wantR Reason
	}{
		{
			name: "paragraphs, heading, metadata",
			body: wp("Heading1", "Digital skills") + wp("", "Teachers need ") +
				`<w:p><w:r><w:t>Runs </w:t></w:r><w:r><w:t>join</w:t></w:r><w:r><w:tab/><w:t>tabbed</w:t><w:br/><w:t>broken</w:t></w:r></w:p>` +
				`<w:p><w:r><w:delText>deleted</w:delText><w:instrText>PAGE</w:instrText><w:t>kept</w:t></w:r></w:p>`,
			core: `<dc:title>Key Policy Messages</dc:title><dc:language>en-GB</dc:language><dcterms:created>2017-03-15T10:30:00Z</dcterms:created>`,
			want: Page{Title: "Key Policy Messages", Text: "Digital skills\n\nTeachers need\n\nRuns join tabbed\nbroken\n\nkept", PageCount: 1, Lang: "en",
				Published: time.Date(2017, 3, 15, 10, 30, 0, 0, time.UTC)},
		},
		{
			name: "title from the first heading",
			body: wp("", "") + wp("Title", "Peer learning activity") + wp("", "Body."),
			want: Page{Title: "Peer learning activity", Text: "Peer learning activity\n\nBody.", PageCount: 1},
		},
		{
			name: "table cells are blocks",
			body: `<w:tbl><w:tr><w:tc>` + wp("", "cell one") + `</w:tc><w:tc>` + wp("", "cell two") + `</w:tc></w:tr></w:tbl>`,
			want: Page{Title: "cell one", Text: "cell one\n\ncell two", PageCount: 1},
		},
		{name: "no text", body: wp("", "  "), wantR: ReasonNoText},
		{name: "unclosed xml read leniently", body: `<w:p><w:t>open`, want: Page{Title: "open", Text: "open", PageCount: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := docxOf(t, tt.body, tt.core)
			if got := Sniff("application/octet-stream", body); got != "docx" {
				t.Errorf("%s", diff("sniffed format", "docx", got))
			}
			got, err := Extract(context.Background(), body, "", nil, Options{})
			if r := ReasonOf(err); r != tt.wantR {
				t.Fatalf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", tt.wantR, r, err)
			}
			if tt.wantR != "" {
				return
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("page mismatch (-want +got):\n-%+v\n+%+v", tt.want, *got)
			}
		})
	}
}

func TestODT(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		meta  string
		want  Page
		wantR Reason
	}{
		{
			name: "headings, spans, spaces, notes",
			text: `<text:sequence-decls><text:sequence-decl text:name="Figure"/></text:sequence-decls>` +
				`<text:h text:outline-level="1">DigComp <text:span>3.0</text:span></text:h>` +
				`<text:p>Two<text:s text:c="3"/>spaces<text:tab/>tab<text:line-break/>line</text:p>` +
				`<text:p>Cited<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>A footnote.</text:p></text:note-body></text:note> here.</text:p>` +
				`<table:table><table:table-row><table:table-cell><text:p>cell</text:p></table:table-cell></table:table-row></table:table>`,
			meta: `<dc:title>The Digital Competence Framework</dc:title><meta:creation-date>2025-03-12T10:22:33.123000000</meta:creation-date><dc:language>en-US</dc:language>`,
			want: Page{Title: "The Digital Competence Framework",
				Text:      "DigComp 3.0\n\nTwo spaces tab\nline\n\nCited\n\nA footnote.\n\nhere.\n\ncell",
				PageCount: 1, Lang: "en", Published: time.Date(2025, 3, 12, 10, 22, 33, 123000000, time.UTC)},
		},
		{
			name: "title from the first heading",
			text: `<text:p/><text:h>Minutes</text:h><text:p>Body.</text:p>`,
			want: Page{Title: "Minutes", Text: "Minutes\n\nBody.", PageCount: 1},
		},
		{name: "no text", text: `<text:p> </text:p>`, wantR: ReasonNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := odtOf(t, tt.text, tt.meta)
			if got := Sniff("", body); got != "odt" {
				t.Errorf("%s", diff("sniffed format", "odt", got))
			}
			got, err := Extract(context.Background(), body, "application/zip", nil, Options{})
			if r := ReasonOf(err); r != tt.wantR {
				t.Fatalf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", tt.wantR, r, err)
			}
			if tt.wantR != "" {
				return
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("page mismatch (-want +got):\n-%+v\n+%+v", tt.want, *got)
			}
		})
	}
}

func TestOfficeLimits(t *testing.T) {
	// XML that inflates to 8 MiB of blanks (no text, so no text limit
	// stops it) from a few kilobytes, read with a budget of 1 MiB.
	bomb := docxOf(t, `<w:p><w:r><w:t>`+strings.Repeat(" ", 8<<20)+`</w:t></w:r></w:p>`, "")
	many := make([][2]string, 0, maxZipEntries+2)
	many = append(many, [2]string{"mimetype", mimeODT})
	for i := range maxZipEntries + 1 {
		many = append(many, [2]string{"f/" + strconv.Itoa(i), ""})
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		opts        Options
		want        Reason
	}{
		{"zip bomb", bomb, mimeDOCX, Options{MaxText: 1000}, ReasonTooLarge},
		{"too many entries", zipOf(t, many...), mimeODT, Options{}, ReasonTooLarge},
		{"over MaxBytes", docxOf(t, wp("", "text"), ""), mimeDOCX, Options{MaxBytes: 100}, ReasonTooLarge},
		{"declared docx, not a zip", []byte("hello"), mimeDOCX, Options{}, ReasonMalformed},
		{"zip without a document", zipOf(t, [2]string{"[Content_Types].xml", "<Types/>"}), mimeDOCX, Options{}, ReasonMalformed},
		{"declared odt without content.xml", zipOf(t, [2]string{"mimetype", mimeODT}), "", Options{}, ReasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Extract(context.Background(), tt.body, tt.contentType, nil, tt.opts)
			if r := ReasonOf(err); r != tt.want {
				t.Fatalf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", tt.want, r, err)
			}
			if p != nil {
				t.Errorf("page = %+v, want nil", p)
			}
		})
	}
}

func TestOfficeTextLimit(t *testing.T) {
	body := docxOf(t, wp("", strings.Repeat("é", 50))+wp("", "more"), "")
	p, err := DOCX(body, Options{MaxText: 10})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("é", 10); p.Text != want {
		t.Error(diff("text", want, p.Text))
	}
}
