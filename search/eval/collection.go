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

// ReadDocs reads documents in the SMART format (".I id" records with ".T"
// title, ".W" text, ".A" authors, other fields ignored) or the TREC format
// ("<DOC><DOCNO>id</DOCNO> text </DOC>"), whichever the input is. The
// authors join the body: they are words a searcher may type.
func ReadDocs(r io.Reader) ([]Doc, error) {
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
			d := Doc{ID: rec.id, Title: rec.fields["T"]}
			d.Body = strings.TrimSpace(rec.fields["W"] + "\n" + rec.fields["A"])
			docs = append(docs, d)
		}
		return docs, nil
	}
	return nil, fmt.Errorf("%w: documents must be SMART (.I) or TREC (<DOC>) records", ErrFormat)
}

// ReadQueries reads queries in the SMART format: the text is the ".W" field
// (with the ".T" field before it, if any).
func ReadQueries(r io.Reader) ([]Query, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("eval: read queries: %w", err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte(".I")) {
		return nil, fmt.Errorf("%w: queries must be SMART (.I) records", ErrFormat)
	}
	var qs []Query
	for _, rec := range smartRecords(data) {
		text := strings.TrimSpace(rec.fields["T"] + "\n" + rec.fields["W"])
		qs = append(qs, Query{ID: rec.id, Text: strings.Join(strings.Fields(text), " ")})
	}
	return qs, nil
}

// ReadQrels reads judgments as TREC qrels ("qid iter docno grade") or as
// SMART relations ("qid docid [x [y]]", every listed pair relevant, as in
// CISI.REL and CACM's qrels.text). Query ids lose leading zeros.
func ReadQrels(r io.Reader) (Qrels, error) {
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
		// TREC: "qid 0 docno grade" with an integer grade. SMART lines
		// have a document number second (CISI adds "0 0.000000").
		if len(f) == 4 && f[1] == "0" {
			g, err := strconv.Atoi(f[3])
			if err != nil {
				return nil, fmt.Errorf("%w: qrels line %d: grade %q", ErrFormat, line, f[3])
			}
			doc, grade = f[2], g
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
// ".X" (a letter, alone or followed by text) starts a field.
func smartRecords(data []byte) []smartRecord {
	var out []smartRecord
	var cur *smartRecord
	field := ""
	var b strings.Builder
	flush := func() {
		if cur != nil && field != "" {
			cur.fields[field] += strings.TrimSpace(b.String())
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
	trecTags  = regexp.MustCompile(`<[^>]*>`)
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

// Load reads a collection from its three files.
func Load(name, docsPath, queriesPath, qrelsPath string) (Collection, error) {
	c := Collection{Name: name}
	open := func(path string, read func(io.Reader) error) error {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		defer f.Close()
		if err := read(f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	err := open(docsPath, func(r io.Reader) (err error) { c.Docs, err = ReadDocs(r); return })
	if err == nil {
		err = open(queriesPath, func(r io.Reader) (err error) { c.Queries, err = ReadQueries(r); return })
	}
	if err == nil {
		err = open(qrelsPath, func(r io.Reader) (err error) { c.Qrels, err = ReadQrels(r); return })
	}
	return c, err
}

// Standard lists the classic collections as laid out under an ir/ data
// directory: name, then the documents, queries and judgments paths.
var Standard = [][4]string{
	{"CISI", "cisi/CISI.ALL", "cisi/CISI.QRY", "cisi/CISI.REL"},
	{"CACM", "cacm/cacm.all.normalized", "cacm/query.text", "cacm/qrels.text"},
	{"Medline", "medline/MED.ALL", "medline/MED.QRY", "medline/MED.REL"},
}

// LoadStandard loads the Standard collections found under dir.
func LoadStandard(dir string) ([]Collection, error) {
	var out []Collection
	for _, s := range Standard {
		c, err := Load(s[0], filepath.Join(dir, s[1]), filepath.Join(dir, s[2]), filepath.Join(dir, s[3]))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
