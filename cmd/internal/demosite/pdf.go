package demosite

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

// pdfDoc is what the PDF renderer needs to know about one document.
type pdfDoc struct {
	Lang    string // the document's /Lang; "" for English
	Title   string
	Subject string   // the meeting, e.g. its page title
	Group   bool     // print the group's name above the title
	Lines   []string // the title block under the title: meeting, place and dates
	Blocks  []block
	// Date is both the CreationDate and the ModDate, so that the bytes
	// never depend on the clock.
	Date time.Time
}

// checkCP1252 reports the first character of s that the PDF core fonts
// cannot show.
func checkCP1252(s string) error {
	for _, r := range s {
		if r < 0x80 {
			continue
		}
		if _, ok := charmap.Windows1252.EncodeRune(r); !ok {
			return fmt.Errorf("character %q (%U) is not in cp1252", r, r)
		}
	}
	return nil
}

// renderPDF lays out a document on A4 pages with Helvetica. The output is
// deterministic: fixed dates, sorted catalogs, no clock or randomness.
func renderPDF(d pdfDoc) ([]byte, error) {
	texts := append([]string{d.Title, d.Subject}, d.Lines...)
	for _, b := range d.Blocks {
		texts = append(texts, b.Text)
		texts = append(texts, b.Items...)
	}
	for _, t := range texts {
		if err := checkCP1252(t); err != nil {
			return nil, fmt.Errorf("render pdf %q: %w", d.Title, err)
		}
	}

	when := d.Date
	if when.IsZero() {
		when = lastModified
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(when)
	pdf.SetModificationDate(when)
	pdf.SetTitle(d.Title, true)
	pdf.SetAuthor(groupName, true)
	pdf.SetSubject(d.Subject, true)
	pdf.SetCreator("kbsearch demo portal", true)
	pdf.SetProducer("kbsearch demosite (fpdf)", true)
	lang := d.Lang
	if lang == "" {
		lang = "en"
	}
	pdf.SetLang(lang)
	pdf.SetMargins(22, 22, 22)
	pdf.SetAutoPageBreak(true, 22)
	pdf.AliasNbPages("{nb}")
	tr := pdf.UnicodeTranslatorFromDescriptor("")

	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() == 1 {
			return
		}
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.MultiCell(0, 4, tr(groupName+" \u2013 "+d.Title), "B", "L", false)
		pdf.Ln(4)
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})

	pdf.AddPage()
	if d.Group {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.SetTextColor(0, 51, 153)
		pdf.MultiCell(0, 5, tr(groupName), "", "L", false)
		pdf.Ln(3)
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 7, tr(d.Title), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 10)
	for _, l := range d.Lines {
		pdf.MultiCell(0, 5, tr(l), "", "L", false)
	}
	pdf.Ln(4)

	const lh = 5.5
	for _, b := range d.Blocks {
		switch b.Kind {
		case blockPage:
			pdf.AddPage()
		case blockHeading:
			pdf.Ln(2)
			pdf.SetFont("Helvetica", "B", 12)
			pdf.MultiCell(0, 6.5, tr(b.Text), "", "L", false)
			pdf.Ln(1)
		case blockParagraph:
			pdf.SetFont("Helvetica", "", 10.5)
			pdf.MultiCell(0, lh, tr(b.Text), "", "L", false)
			pdf.Ln(2.5)
		case blockList:
			pdf.SetFont("Helvetica", "", 10.5)
			left, _, right, _ := pdf.GetMargins()
			for _, item := range b.Items {
				pdf.SetX(left + 2)
				pdf.CellFormat(5, lh, tr("\u2022"), "", 0, "L", false, 0, "")
				pdf.SetLeftMargin(left + 7)
				pdf.MultiCell(0, lh, tr(item), "", "L", false)
				pdf.SetLeftMargin(left)
				pdf.SetRightMargin(right)
				pdf.Ln(1)
			}
			pdf.Ln(1.5)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render pdf %q: %w", d.Title, err)
	}
	return buf.Bytes(), nil
}

// truncatePDF cuts a valid PDF short, as an interrupted upload would:
// the cross-reference table and trailer are lost.
func truncatePDF(b []byte) []byte {
	n := len(b) * 3 / 5
	cut := bytes.Clone(b[:n])
	// Make sure no trailer survives by accident.
	return bytes.ReplaceAll(cut, []byte("%%EOF"), []byte("%%EO_"))
}
