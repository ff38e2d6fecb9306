// Package extract turns fetched bytes into a Page: the main text and the
// metadata of an HTML, XHTML, PDF, DOCX, ODT or plain-text document.
//
// It owns format sniffing (Sniff), charset decoding, boilerplate removal
// and block-aware text layout for HTML (HTML), text extraction from PDF
// with its safety limits (PDF), from Word and OpenDocument text files
// (DOCX, ODT: archive/zip and encoding/xml, with zip-bomb limits), text
// cleaning (every Page.Text is valid UTF-8 without U+FFFD or control
// characters other than '\n'), and the closed set of failure reasons
// (Reason, Error, ReasonOf). Extract dispatches on the sniffed format and
// applies Options.
//
// It works on bytes already fetched: it must not import net/http clients,
// bleve, or any other package of kbsearch but the leaf crawler/langtag,
// which reads every declared language tag (Page.Lang). It reads no environment, except
// that RunWorkerIfRequested looks for WorkerEnv: that variable is the
// protocol by which a process is started as an isolated worker.
//
// A crawler calls it once per response:
//
//	page, err := extract.Extract(ctx, body, resp.Header.Get("Content-Type"), resp.Request.URL, extract.Options{Isolate: true})
//	switch extract.ReasonOf(err) {
//	case "":
//		// index page.Text; follow page.Links unless page.NoFollow
//	case extract.ReasonNoText, extract.ReasonEncrypted:
//		// record the document as found but not indexable
//	}
//
// PDF parsing uses github.com/ledongthuc/pdf, which is not safe on hostile
// input: it can loop forever, or allocate a hundred gigabytes, which kills
// the process. With Options.Isolate a PDF is extracted in a child process
// (the program re-executed as a worker) with a wall-clock limit, a memory
// limit and a cap on its output; hangs, allocations and crashes come back
// as ReasonTimeout, ReasonTooLarge and ReasonMalformed. A program that
// isolates must call RunWorkerIfRequested first thing in main (and in
// TestMain for its tests):
//
//	func main() {
//		extract.RunWorkerIfRequested()
//		...
//	}
//
// Starting a process per PDF is slow on some machines; a Pool (Options.Pool)
// keeps workers alive between PDFs with the same limits.
//
// Options.Backend can select poppler's pdftotext (when installed) instead
// of the built-in parser; see docs/extraction.md for measured outcomes.
package extract
