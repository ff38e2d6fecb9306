// Package eval measures kbsearch's relevance on standard test collections
// (CISI, CACM, Medline and others in the SMART or TREC formats): it indexes
// the documents through the service's own mapping and IndexFields, runs every
// query as free text through search.Searcher.Search, and scores the rankings
// as trec_eval does (nDCG@10, MAP over the first 100 results by default,
// P@10, Recall@100, MRR), with the index time and the query latency.
//
// It reads files only where its caller points; it must not import HTTP code
// or the crawler.
package eval

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Doc is one document of a test collection.
type Doc struct {
	ID    string
	Title string
	Body  string
}

// Query is one query of a test collection.
type Query struct {
	ID   string
	Text string
}

// Qrels are relevance judgments: query id -> document id -> grade (> 0 is
// relevant).
type Qrels map[string]map[string]int

// ErrFormat reports input that is in neither supported format.
var ErrFormat = errors.New("eval: unrecognised format")

// Reading says how to read a collection where the standard readings of the
// classic collections differ (those of /work/shared/tools/ir_collections.py,
// with which the peers' figures were made). The zero value reads CISI, CACM
// and Medline.
type Reading struct {
	// StripTitle drops the title from the start of a body that repeats it
	// (Cranfield's .W opens with its .T in nearly every record).
	StripTitle bool
	// QueryPositions numbers the queries 1, 2, ... in file order rather
	// than by their .I (Cranfield's judgments number them so).
	QueryPositions bool
	// Codes reads the third column of "qid docid code" judgments as a
	// Cleverdon relevance code: 1 (complete answer) to 4 (minimum interest)
	// become grades 4 to 1, anything else (5, -1) grade 0.
	Codes bool
}

// ReadDocs reads documents in the SMART format or the TREC format
// ("<DOC><DOCNO>id</DOCNO> text </DOC>"), whichever the input is, with the
// zero Reading.
func ReadDocs(r io.Reader) ([]Doc, error) { return Reading{}.ReadDocs(r) }

// ReadDocs reads documents in the SMART format (".I id" records; ".T" is
// the title; the body is the text ".W", then the keywords ".K", then the
// authors ".A", one a line, other fields ignored) or the TREC format. The
// keywords are the body's as in the standard reading; the authors are ours:
// they are words a searcher may type.
func (rd Reading) ReadDocs(r io.Reader) ([]Doc, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("eval: read documents: %w", err)
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(trimmed, []byte("<DOC>")):
		return readTRECDocs(data)
	case bytes.HasPrefix(trimmed, []byte(".I")):
		var docs []Doc
		for _, rec := range smartRecords(data) {
			d := Doc{ID: rec.id, Title: oneLine(rec.fields["T"])}
			text := rec.fields["W"]
			if rd.StripTitle && d.Title != "" {
				text = stripPrefixWords(text, d.Title)
			}
			var parts []string
			for _, p := range []string{text, oneLine(rec.fields["K"]), rec.fields["A"]} {
				if p = strings.TrimSpace(p); p != "" {
					parts = append(parts, p)
				}
			}
			d.Body = strings.Join(parts, "\n\n")
			docs = append(docs, d)
		}
		return docs, nil
	}
	return nil, fmt.Errorf("%w: documents must be SMART (.I) or TREC (<DOC>) records", ErrFormat)
}

// ReadQueries reads queries in the SMART format with the zero Reading.
func ReadQueries(r io.Reader) ([]Query, error) { return Reading{}.ReadQueries(r) }

// ReadQueries reads queries in the SMART format: the text is the ".W"
// field (the title of a query that has no ".W"). The other fields are not
// the question: CISI's queries 58-112 add the title, authors and source of
// the paper they were written from, CACM's the requester.
func (rd Reading) ReadQueries(r io.Reader) ([]Query, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("eval: read queries: %w", err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte(".I")) {
		return nil, fmt.Errorf("%w: queries must be SMART (.I) records", ErrFormat)
	}
	var qs []Query
	for i, rec := range smartRecords(data) {
		text := rec.fields["W"]
		if strings.TrimSpace(text) == "" {
			text = rec.fields["T"]
		}
		id := rec.id
		if rd.QueryPositions {
			id = strconv.Itoa(i + 1)
		}
		qs = append(qs, Query{ID: id, Text: oneLine(text)})
	}
	return qs, nil
}

// oneLine joins s's words with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// stripPrefixWords returns text without prefix at its start, words compared
// with their spacing normalised; text itself when it does not start so.
func stripPrefixWords(text, prefix string) string {
	want := strings.Fields(prefix)
	rest := text
	for _, w := range want {
		rest = strings.TrimLeft(rest, " \t\r\n")
		if !strings.HasPrefix(rest, w) {
			return text
		}
		rest = rest[len(w):]
	}
	if rest != "" && !strings.ContainsRune(" \t\r\n", rune(rest[0])) {
		return text // the title's last word is a prefix of a longer one
	}
	return strings.TrimLeft(rest, " \t\r\n")
}

// ReadQrels reads judgments with the zero Reading.
func ReadQrels(r io.Reader) (Qrels, error) { return Reading{}.ReadQrels(r) }

// ReadQrels reads judgments as TREC qrels ("qid iter docno grade") or as
// SMART relations ("qid docid [x [y]]", every listed pair relevant, as in
// CISI.REL and CACM's qrels.text; with Codes, "qid docid code" as in
// Cranfield's cranqrel). Query ids lose leading zeros.
func (rd Reading) ReadQrels(r io.Reader) (Qrels, error) {
	q := Qrels{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("%w: qrels line %d: %q", ErrFormat, line, sc.Text())
		}
		qid, doc, grade := normID(f[0]), f[1], 1
		switch {
		case len(f) == 4 && f[1] == "0":
			// TREC: "qid 0 docno grade" with an integer grade. SMART
			// lines have a document number second (CISI adds "0 0.000000").
			g, err := strconv.Atoi(f[3])
			if err != nil {
				return nil, fmt.Errorf("%w: qrels line %d: grade %q", ErrFormat, line, f[3])
			}
			doc, grade = f[2], g
		case rd.Codes && len(f) == 3:
			c, err := strconv.Atoi(f[2])
			if err != nil {
				return nil, fmt.Errorf("%w: qrels line %d: code %q", ErrFormat, line, f[2])
			}
			grade = 0
			if c >= 1 && c <= 4 {
				grade = 5 - c
			}
		}
		doc = normID(doc)
		if q[qid] == nil {
			q[qid] = map[string]int{}
		}
		q[qid][doc] = max(q[qid][doc], grade)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: read qrels: %w", err)
	}
	return q, nil
}

// normID drops leading zeros from a numeric id ("01" and "1" are one query).
func normID(s string) string {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return strconv.Itoa(n)
	}
	return s
}

type smartRecord struct {
	id     string
	fields map[string]string
}

// smartRecords splits SMART data into records: ".I id" starts one, a line
// ".X" (a letter, alone or followed by text) starts a field. A field that
// occurs more than once in a record (CISI repeats ".A") keeps each
// occurrence on lines of its own.
func smartRecords(data []byte) []smartRecord {
	var out []smartRecord
	var cur *smartRecord
	field := ""
	var b strings.Builder
	flush := func() {
		if text := strings.TrimSpace(b.String()); cur != nil && field != "" && text != "" {
			if prev := cur.fields[field]; prev != "" {
				text = prev + "\n" + text
			}
			cur.fields[field] = text
		}
		b.Reset()
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if len(line) >= 2 && line[0] == '.' && line[1] >= 'A' && line[1] <= 'Z' && (len(line) == 2 || line[2] == ' ' || line[2] == '\t') {
			flush()
			tag, rest := line[1:2], strings.TrimSpace(line[2:])
			if tag == "I" {
				out = append(out, smartRecord{id: normID(rest), fields: map[string]string{}})
				cur, field = &out[len(out)-1], ""
				continue
			}
			field = tag
			if rest != "" {
				b.WriteString(rest + "\n")
			}
			continue
		}
		if field != "" {
			b.WriteString(line + "\n")
		}
	}
	flush()
	return out
}

var (
	trecDoc   = regexp.MustCompile(`(?s)<DOC>(.*?)</DOC>`)
	trecNo    = regexp.MustCompile(`(?s)<DOCNO>\s*(.*?)\s*</DOCNO>`)
	trecTitle = regexp.MustCompile(`(?s)<(?:TITLE|HEAD)>(.*?)</(?:TITLE|HEAD)>`)
	trecTags  = regexp.MustCompile(`</?[A-Za-z][^<>]*>`)
)

func readTRECDocs(data []byte) ([]Doc, error) {
	var docs []Doc
	for _, m := range trecDoc.FindAllSubmatch(data, -1) {
		rec := m[1]
		no := trecNo.FindSubmatch(rec)
		if no == nil {
			return nil, fmt.Errorf("%w: a <DOC> without <DOCNO>", ErrFormat)
		}
		d := Doc{ID: normID(string(no[1]))}
		rest := trecNo.ReplaceAll(rec, nil)
		if t := trecTitle.FindSubmatch(rest); t != nil {
			d.Title = strings.TrimSpace(string(t[1]))
			rest = trecTitle.ReplaceAll(rest, nil)
		}
		d.Body = strings.TrimSpace(string(trecTags.ReplaceAll(rest, []byte(" "))))
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%w: no <DOC> records", ErrFormat)
	}
	return docs, nil
}

// Load reads a collection from its three files with the zero Reading.
func Load(name, docsPath, queriesPath, qrelsPath string) (Collection, error) {
	return Spec{Name: name, Docs: docsPath, Queries: queriesPath, Qrels: qrelsPath}.Load("")
}

// Spec names a collection's files and how to read them.
type Spec struct {
	Name, Docs, Queries, Qrels string // the files' paths, relative to Load's dir
	Reading                    Reading
}

// Load reads the collection from its three files under dir ("" for paths
// as they are).
func (s Spec) Load(dir string) (Collection, error) {
	c := Collection{Name: s.Name}
	open := func(path string, read func(io.Reader) error) error {
		f, err := os.Open(filepath.Join(dir, path))
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		defer f.Close()
		if err := read(f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	rd := s.Reading
	err := open(s.Docs, func(r io.Reader) (err error) { c.Docs, err = rd.ReadDocs(r); return })
	if err == nil {
		err = open(s.Queries, func(r io.Reader) (err error) { c.Queries, err = rd.ReadQueries(r); return })
	}
	if err == nil {
		err = open(s.Qrels, func(r io.Reader) (err error) { c.Qrels, err = rd.ReadQrels(r); return })
	}
	return c, err
}

// Standard lists the classic collections as laid out under an ir/ data
// directory, read as ir_collections.py reads them.
var Standard = []Spec{
	{Name: "CISI", Docs: "cisi/CISI.ALL", Queries: "cisi/CISI.QRY", Qrels: "cisi/CISI.REL"},
	{Name: "CACM", Docs: "cacm/cacm.all.normalized", Queries: "cacm/query.text", Qrels: "cacm/qrels.text"},
	{Name: "Medline", Docs: "medline/MED.ALL", Queries: "medline/MED.QRY", Qrels: "medline/MED.REL"},
}

// Optional lists collections LoadStandard reads when their directory is
// there.
var Optional = []Spec{
	{Name: "Cranfield", Docs: "cranfield/cran.all.1400", Queries: "cranfield/cran.qry", Qrels: "cranfield/cranqrel",
		Reading: Reading{StripTitle: true, QueryPositions: true, Codes: true}},
}

// LoadStandard loads the Standard collections found under dir, and those
// of Optional whose documents file is there.
func LoadStandard(dir string) ([]Collection, error) {
	var out []Collection
	specs := slices.Clone(Standard)
	for _, s := range Optional {
		if _, err := os.Stat(filepath.Join(dir, s.Docs)); err == nil {
			specs = append(specs, s)
		}
	}
	for _, s := range specs {
		c, err := s.Load(dir)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
