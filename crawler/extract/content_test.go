package extract

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// rawPDF assembles a PDF from numbered object bodies (object i+1 is
// objs[i]) with a correct cross-reference table; object 1 is the catalog.
func rawPDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func stream(s string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(s), s)
}

// compositeFontPDF is a one-page PDF whose font F1 is a Type0 font with
// the given /Encoding, widths W and DW 1000, and a ToUnicode CMap mapping
// codes <lo>..<hi> to U+0041 onwards; the page shows content. extra
// objects are numbered from 8.
func compositeFontPDF(encoding, lo, hi, content string, extra ...string) []byte {
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"1 begincodespacerange\n<" + lo + "> <" + hi + ">\nendcodespacerange\n" +
		"1 beginbfrange\n<" + lo + "> <" + hi + "> <0041>\nendbfrange\nendcmap end end"
	return rawPDF(append([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		stream(content),
		"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Test /Encoding " + encoding + " /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /DW 1000 /W [1 [500 500 500] 4 6 250] >>",
		stream(cmap),
	}, extra...)...)
}

func TestCompositeFonts(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{
			// Widths from W (500) place "BC" right after "A", then a
			// gap of 30 points before "D": a space.
			name: "two-byte identity codes with widths",
			body: compositeFontPDF("/Identity-H", "0001", "0006",
				"BT /F1 10 Tf 0 700 Td <000100020003> Tj 45 0 Td <0004> Tj ET"),
			want: "ABC D",
		},
		{
			// An embedded CMap with one-byte codes (pdfminer's
			// sampleOneByteIdentityEncode.pdf): the library decodes such
			// fonts as raw bytes, here ASCII.
			name: "one-byte embedded cmap",
			body: compositeFontPDF("8 0 R", "61", "66",
				"BT /F1 10 Tf 0 700 Td [(a) (b) (c)] TJ ET",
				stream("1 begincodespacerange\n<00> <FF>\nendcodespacerange")),
			want: "abc",
		},
		{
			name: "odd trailing byte kept as a code",
			body: compositeFontPDF("/Identity-H", "0001", "0006",
				"BT /F1 10 Tf 0 700 Td <00010002> Tj ET"),
			want: "AB",
		},
		{
			name: "malformed operators skipped",
			body: compositeFontPDF("/Identity-H", "0001", "0006",
				"BT /F1 Tf 1 2 Td Q Q /F1 10 Tf 0 700 Td <0001> Tj 1 Tm ET"),
			want: "A",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PDF(context.Background(), tt.body, Options{})
			if err != nil {
				t.Fatalf("PDF: %v", err)
			}
			if p.Text != tt.want {
				t.Error(diff("text", tt.want, p.Text))
			}
		})
	}
}

func TestHostilePageTrees(t *testing.T) {
	page := "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
	content := stream("BT /F1 12 Tf 20 700 Td (Hello) Tj ET")
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	tests := []struct {
		name  string
		body  []byte
		want  string
		wantR Reason
	}{
		{"kids cycle", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>"), "", ReasonMalformed},
		{"kids cycle around a page", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", page, content, font), "Hello", ""},
		{"parent cycle without resources", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>", content, font), "Hello", ""},
		{"page listed twice", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>", page, content, font), "Hello", ""},
		{"count that lies", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 0 >>", page, content, font), "Hello", ""},
		{"page without type", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>", content, font), "Hello", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PDF(context.Background(), tt.body, Options{MaxPages: 100})
			if r := ReasonOf(err); r != tt.wantR {
				t.Fatalf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", tt.wantR, r, err)
			}
			if tt.wantR == "" && p.Text != tt.want {
				t.Error(diff("text", tt.want, p.Text))
			}
		})
	}
}
