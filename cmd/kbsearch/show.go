package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"
	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
	"github.com/kbsearch/kbsearch/search"
)

// lookupFlags are the flags of themes and show: where to read, and how to
// print.
type lookupFlags struct {
	server  string
	format  string
	taxFile string
}

func (f *lookupFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "ask a running kbsearch server at this URL instead of reading --data")
	fl.StringVar(&f.format, "format", "table", "output: table (for people) or json (the API's object)")
	fl.StringVar(&f.taxFile, "taxonomy", "", "theme taxonomy JSON file (for labels), as the index was built with")
	_ = cmd.RegisterFlagCompletionFunc("format", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return complete([]string{"table\tfor people", "json\tthe API's object"}, toComplete, false), cobra.ShellCompDirectiveNoFileComp
	})
}

func (f *lookupFlags) check() error {
	if f.format != "table" && f.format != "json" {
		return usagef("--format must be table or json, not %q", f.format)
	}
	return nil
}

// withSearcher opens the current index under --data and calls fn with a
// Searcher over it.
func withSearcher(g *globals, tax *taxonomy.Taxonomy, fn func(*search.Searcher) error) error {
	r, _, err := indexer.OpenCurrentReader(g.indexDir())
	if errors.Is(err, indexer.ErrNoIndex) {
		return fmt.Errorf("no index under %s: run kbsearch crawl and kbsearch index first (or pass --server)", g.data)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	return fn(search.New(r, search.Options{Taxonomy: tax, Logger: g.log}))
}

func newThemesCmd(g *globals) *cobra.Command {
	var f lookupFlags
	cmd := &cobra.Command{
		Use:   "themes",
		Short: "List the theme taxonomy with the number of documents of each theme",
		Long: `themes prints every theme of the taxonomy with the number of documents the
index tags with it: its id (what --theme takes), the count and its label,
from the current index under --data or from a server (--server URL). With
--format json it prints the API's object, {"themes":[{"id","label",
"description","count"}]}.`,
		Example: `  kbsearch themes
  kbsearch themes --server http://127.0.0.1:8080 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.check(); err != nil {
				return err
			}
			var themes []search.ThemeCount
			if f.server != "" {
				c, err := newClient(f.server)
				if err != nil {
					return err
				}
				if themes, err = c.Themes(cmd.Context()); err != nil {
					return err
				}
			} else {
				tax, err := loadTaxonomy(f.taxFile)
				if err != nil {
					return err
				}
				err = withSearcher(g, tax, func(s *search.Searcher) (err error) {
					themes, err = s.Themes(cmd.Context())
					return err
				})
				if err != nil {
					return err
				}
			}
			if themes == nil {
				themes = []search.ThemeCount{}
			}
			if f.format == "json" {
				return writeJSON(g.stdout, struct {
					Themes []search.ThemeCount `json:"themes"`
				}{themes})
			}
			return printThemes(g.stdout, themes, outputStyle(g.stdout, os.Getenv).width)
		},
	}
	f.register(cmd)
	return cmd
}

// printThemes prints a table of themes to fit width: id, count, label
// (cut when too long).
func printThemes(w io.Writer, themes []search.ThemeCount, width int) error {
	width = max(width, minWidth)
	p := &printer{w: w}
	idW, countW := len("THEME"), len("DOCS")
	total := 0
	for _, t := range themes {
		idW = max(idW, uniseg.StringWidth(t.ID))
		countW = max(countW, len(strconv.Itoa(t.Count)))
		total += t.Count
	}
	labelW := width - idW - gap - countW - gap
	row := func(id, count, label string) {
		p.line(strings.TrimRight(pad(id, idW)+"  "+strings.Repeat(" ", countW-len(count))+count+"  "+clip(label, labelW), " "))
	}
	row("THEME", "DOCS", "LABEL")
	for _, t := range themes {
		row(t.ID, strconv.Itoa(t.Count), t.Label)
	}
	p.line("")
	p.wrap(fmt.Sprintf("%d themes; a document may carry several. Search one with kbsearch search --theme ID.", len(themes)), width, "")
	return p.err
}

// shownDocument is what show prints as JSON: the API's document object.
type shownDocument struct {
	*search.Document
	Similar []search.Related `json:"similar"`
}

func newShowCmd(g *globals) *cobra.Command {
	var f lookupFlags
	var text bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a document: its metadata, why it has each theme, the documents like it",
		Long: `show prints the document with this id (the "id" of a search hit, or the
JSON of kbsearch search --format json): title, URL, type, date, meeting
kind and place, language, its versions in other languages, each theme with
the phrases that earned it, up to 5 documents like it, and the opening of
its text (all of it with --text). It reads the current index under --data,
or asks a server (--server URL). With --format json it prints the API's
document object.

show exits 4 when no document has this id.`,
		Example: `  kbsearch search --format json coding | jq -r '.hits[0].id'
  kbsearch show 9975e8fa96d3941f`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			tax, err := loadTaxonomy(f.taxFile)
			if err != nil {
				return err
			}
			id := args[0]
			doc, err := fetchDocument(cmd.Context(), g, f, tax, id)
			if search.KindOf(err) == search.KindNotFound {
				fmt.Fprintf(g.stdout, "No document with id %q.\n", id)
				return exitCode(exitNoResults)
			}
			if err != nil {
				return err
			}
			if f.format == "json" {
				return writeJSON(g.stdout, doc)
			}
			st := outputStyle(g.stdout, os.Getenv)
			return printDocument(g.stdout, doc, search.Labels(tax), text, st)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&text, "text", false, "print the whole text, not its opening")
	return cmd
}

// fetchDocument reads a document and the documents like it, from the index
// or a server.
func fetchDocument(ctx context.Context, g *globals, f lookupFlags, tax *taxonomy.Taxonomy, id string) (*shownDocument, error) {
	if f.server != "" {
		c, err := newClient(f.server)
		if err != nil {
			return nil, err
		}
		d, err := c.Document(ctx, id)
		if err != nil {
			return nil, invalidAsUsage(err)
		}
		similar, err := c.Similar(ctx, id)
		if err != nil {
			return nil, invalidAsUsage(err)
		}
		return &shownDocument{Document: d, Similar: similar}, nil
	}
	var doc *shownDocument
	err := withSearcher(g, tax, func(s *search.Searcher) error {
		d, err := s.Document(ctx, id)
		if err != nil {
			return err
		}
		similar, err := s.Similar(ctx, id)
		if err != nil {
			return err
		}
		doc = &shownDocument{Document: d, Similar: similar}
		return nil
	})
	return doc, err
}

// openingBytes is how much of a document's text show prints without
// --text.
const openingBytes = 600

// printDocument prints a document for people, to fit st.width.
func printDocument(w io.Writer, doc *shownDocument, label func(facet, value string) string, all bool, st tableStyle) error {
	width := max(st.width, minWidth)
	p := &printer{w: w}
	d := doc.Document
	p.wrap(d.Title, width, "")
	u := d.URL
	if st.color {
		u = ansiDim + u + ansiReset
	}
	p.line(u)
	p.line("")
	field := func(name, value string) {
		if value != "" {
			p.wrapWords(pad(name, 9), strings.Fields(value), width, strings.Repeat(" ", 10))
		}
	}
	field("id", d.ID)
	field("type", label("type", d.Type))
	if !d.Date.IsZero() {
		field("date", d.Date.Format(time.DateOnly))
	}
	var meeting []string
	for _, m := range []string{label("kind", d.Kind), label("place", d.Place), d.Country} {
		if m != "" {
			meeting = append(meeting, m)
		}
	}
	field("meeting", strings.Join(meeting, ", "))
	field("language", label("lang", d.Lang))
	if d.Pages > 0 {
		field("pages", strconv.Itoa(d.Pages))
	}
	for _, t := range d.Translations {
		field("also in", label("lang", t.Lang)+": "+t.URL)
	}
	if len(d.Themes) > 0 {
		p.line("")
		p.line("Themes, and the phrases that earned them:")
		for _, t := range d.Themes {
			line := "  " + label("theme", t) + " (" + t + ")"
			if reasons := d.ThemeReasons[t]; len(reasons) > 0 {
				line += ": " + strings.Join(reasons, "; ")
			}
			p.wrap(line, width, "    ")
		}
	}
	if len(doc.Similar) > 0 {
		p.line("")
		p.line("Like this one (kbsearch show ID):")
		for _, r := range doc.Similar {
			meta := strings.TrimSpace(label("type", r.Type) + " " + r.Date)
			p.wrap("  "+r.ID+"  "+r.Title+" ("+meta+")", width, "    ")
		}
	}
	p.line("")
	body := d.Body
	if !all && len(body) > openingBytes {
		cut := strings.LastIndexAny(body[:openingBytes], " \n")
		body = body[:max(cut, openingBytes/2)] + " … (--text for all of it)"
	}
	for line := range strings.SplitSeq(strings.TrimSpace(body), "\n") {
		if strings.TrimSpace(line) == "" {
			p.line("")
			continue
		}
		p.wrap(line, width, "")
	}
	return p.err
}

// writeJSON prints v as indented JSON, HTML left as it is.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
