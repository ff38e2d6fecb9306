// Package demosite is a small, self-contained imitation of the working
// group's portal on the Commission's education site: the page that
// describes the Working Group on Digital Skills and Competences
// (2016-2018), one page per meeting, and the minutes, agendas, key
// messages and reports published for those meetings as HTML pages and PDF
// files.
//
// Everything is built once by New from the text files embedded under
// content/ and the meeting table in meetings.go, then served from memory
// by Site.Handler. The bytes are deterministic, so ETags stay the same
// from one run to the next, and every response honours conditional
// requests with 304.
//
// The portal also sets the traps a polite crawler has to handle: a
// robots.txt that disallows /internal/ (and a link from the home page into
// it), a sitemap, a 301 redirect, a link that answers 404, one document
// published under two URLs and a truncated PDF. The exported *Path
// constants name them for tests.
//
// It is used by `kbsearch demo` and by end-to-end tests through
// net/http/httptest, and lives beside the binary that serves it (under
// cmd/internal: crawler, indexer and search cannot import it). It owns the
// demo content and its rendering; it must not import bleve, gin or any
// other kbsearch package. Its external tests (rank_test.go, lang_test.go)
// crawl, index and search it as `kbsearch demo` does: the rank tests,
// testdata/rank.txt, pair a query with the demo document that must come
// first.
package demosite
