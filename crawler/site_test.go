package crawler

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/tools/txtar"
)

// site serves a txtar archive as a web site. Each file's name is the
// request URI it answers ("/a.html", "/s?q=1"). A file may start with
// directive lines, then an optional blank line, then the body:
//
//	STATUS 404                  answer with this status
//	REDIRECT 301 /new.html      redirect (Location is resolved by the client)
//	CONTENT-TYPE text/plain     instead of the type guessed from the extension
//	ENCODING windows-1252       encode the body in this charset when serving
//	HEADER Name: value          an extra response header
//
// "$BASE" in a body becomes the server's URL and every key of vars its
// value. Files ending in ".gz" are served gzip-compressed. Each response
// carries an ETag and a Last-Modified and honours conditional requests.
type site struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string]*siteFile
	hits  map[string]int
	inm   map[string][]string // If-None-Match received, per path
	vars  map[string]string
}

type siteFile struct {
	status   int
	location string
	ctype    string
	encoding string
	header   http.Header
	body     []byte
	modTime  time.Time
}

var siteEpoch = time.Date(2018, 3, 1, 9, 0, 0, 0, time.UTC)

func newSite(t *testing.T, archive string) *site {
	t.Helper()
	a, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatalf("read %s: %v", archive, err)
	}
	s := &site{t: t, files: map[string]*siteFile{}, hits: map[string]int{}, inm: map[string][]string{}, vars: map[string]string{}}
	for _, f := range a.Files {
		sf, err := parseSiteFile(f.Data)
		if err != nil {
			t.Fatalf("%s: %s: %v", archive, f.Name, err)
		}
		s.files[f.Name] = sf
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func parseSiteFile(data []byte) (*siteFile, error) {
	sf := &siteFile{status: http.StatusOK, header: http.Header{}, modTime: siteEpoch}
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		word, arg, _ := strings.Cut(string(line), " ")
		switch word {
		case "STATUS":
			n, err := strconv.Atoi(arg)
			if err != nil {
				return nil, err
			}
			sf.status = n
		case "REDIRECT":
			code, loc, _ := strings.Cut(arg, " ")
			n, err := strconv.Atoi(code)
			if err != nil {
				return nil, err
			}
			sf.status, sf.location = n, loc
		case "CONTENT-TYPE":
			sf.ctype = arg
		case "ENCODING":
			sf.encoding = arg
		case "HEADER":
			k, v, _ := strings.Cut(arg, ":")
			sf.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		default:
			if len(bytes.TrimSpace(line)) == 0 {
				data = rest
			}
			sf.body = data
			return sf, nil
		}
		data = rest
	}
	return sf, nil
}

// URL is the absolute URL of p on the site.
func (s *site) URL(p string) string { return s.srv.URL + p }

// set adds or replaces a file with a 200 response, bumping Last-Modified.
func (s *site) set(p string, body []byte, ctype string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mod := siteEpoch
	if old := s.files[p]; old != nil {
		mod = old.modTime.Add(time.Hour)
	}
	s.files[p] = &siteFile{status: http.StatusOK, ctype: ctype, header: http.Header{}, body: body, modTime: mod}
}

func (s *site) remove(p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.files, p)
}

// count returns how many requests p received.
func (s *site) count(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[p]
}

func (s *site) ifNoneMatch(p string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.inm[p]...)
}

func (s *site) resetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits, s.inm = map[string]int{}, map[string][]string{}
}

func (s *site) serve(w http.ResponseWriter, req *http.Request) {
	key := req.URL.RequestURI()
	s.mu.Lock()
	s.hits[key]++
	if v := req.Header.Get("If-None-Match"); v != "" {
		s.inm[key] = append(s.inm[key], v)
	}
	f := s.files[key]
	vars := map[string]string{"$BASE": s.srv.URL}
	for k, v := range s.vars {
		vars[k] = v
	}
	s.mu.Unlock()
	if f == nil {
		http.NotFound(w, req)
		return
	}
	for k, vs := range f.header {
		w.Header()[k] = vs
	}
	if f.location != "" {
		w.Header().Set("Location", f.location)
		w.WriteHeader(f.status)
		return
	}
	body := f.body
	for k, v := range vars {
		body = bytes.ReplaceAll(body, []byte(k), []byte(v))
	}
	if f.encoding != "" {
		enc, err := charmap.Windows1252.NewEncoder().Bytes(body)
		if f.encoding != "windows-1252" || err != nil {
			http.Error(w, "bad fixture encoding", http.StatusInternalServerError)
			return
		}
		body = enc
	}
	if strings.HasSuffix(key, ".gz") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		body = buf.Bytes()
	}
	ctype := f.ctype
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(req.URL.Path))
	}
	if ctype == "" {
		ctype = "text/html; charset=utf-8"
	}
	if f.status != http.StatusOK {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(f.status)
		w.Write(body)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", f.modTime.Format(http.TimeFormat))
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			if strings.TrimSpace(tag) == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
	} else if ims, err := http.ParseTime(req.Header.Get("If-Modified-Since")); err == nil && !f.modTime.Truncate(time.Second).After(ims) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
