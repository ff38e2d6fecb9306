// Package extract turns fetched bytes into a Page: the main text and the
// metadata of an HTML, XHTML, PDF or plain-text document.
//
// It owns format sniffing (Sniff), charset decoding, boilerplate removal
// and block-aware text layout for HTML (HTML), text extraction from PDF
// with its safety limits (PDF), text cleaning (every Page.Text is valid
// UTF-8 without U+FFFD or control characters other than '\n'), and the
// closed set of failure reasons (Reason, Error, ReasonOf). Extract
// dispatches on the sniffed format and applies Options.
//
// It works on bytes already fetched: it must not import net/http clients,
// bleve, or any other package of kbsearch, and it reads no environment.
//
// A crawler calls it once per response:
//
//	page, err := extract.Extract(ctx, body, resp.Header.Get("Content-Type"), resp.Request.URL, extract.Options{})
//	switch extract.ReasonOf(err) {
//	case "":
//		// index page.Text; follow page.Links unless page.NoFollow
//	case extract.ReasonNoText, extract.ReasonEncrypted:
//		// record the document as found but not indexable
//	}
//
// PDF parsing uses github.com/ledongthuc/pdf, which is not safe on hostile
// input: see PDF for the guards in place and their limits.
package extract
