package httpapi

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressMinSize is the smallest body compressed: below about a kilobyte
// gzip's header and the CPU cost outweigh the bytes saved.
const compressMinSize = 1024

// compressedTypes are the media types worth compressing: the text the
// API, the page and the box send. Images other than SVG, PDFs and archives
// are compressed already and are never served compressed again.
var compressedTypes = []string{
	"application/json", "application/problem+json",
	"text/html", "text/css", "text/javascript", "application/javascript",
	"text/csv", "text/plain", "image/svg+xml",
	"application/xml", "text/xml", "application/atom+xml",
	"application/yaml", "application/x-research-info-systems",
}

// compress is the response compression of every route: gzip, from
// klauspost/compress's gzhttp, when the client accepts it (Vary:
// Accept-Encoding either way), for bodies of compressedTypes of at least
// compressMinSize bytes. A handler that has set Content-Encoding itself
// (the Prometheus handler does) or answers a range request is left alone.
// gzhttp is flush-aware: a streamed response (the CSV export) that calls
// Flush gets what it wrote so far compressed and sent, so a stream stays a
// stream. zstd is off: browsers that accept it accept gzip too, and at its
// fastest level it compresses small text worse than gzip does.
var compress = func() func(http.Handler) http.HandlerFunc {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(compressMinSize),
		gzhttp.ContentTypes(compressedTypes),
		gzhttp.EnableZstd(false),
	)
	if err != nil {
		panic("httpapi: gzhttp options: " + err.Error()) // the options above are constant
	}
	return wrap
}()
