package indexer

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/kbsearch/kbsearch/crawler/store"
	"github.com/kbsearch/kbsearch/indexer/taxonomy"
)

// DocID returns the stable id of the document at canonicalURL: the first 16
// hex digits of its SHA-256, so ids survive re-crawls and rebuilds.
func DocID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:8])
}

// CanonicalURL is the URL a record is known by: its declared canonical URL,
// else the URL it was finally served from, else the URL requested.
func CanonicalURL(rec *store.Record) string {
	switch {
	case rec.Canonical != "":
		return rec.Canonical
	case rec.FinalURL != "":
		return rec.FinalURL
	default:
		return rec.URL
	}
}

// NewDocument makes the Document of an indexable crawl record: metadata by
// DeriveMeta, themes by the taxonomy. It does not fill the token counts; the
// builder does, with the index's analyzers.
func NewDocument(rec *store.Record, tax *taxonomy.Taxonomy) Document {
	p := rec.Page
	u := CanonicalURL(rec)
	title := strings.TrimSpace(p.Title)
	if title == "" {
		title = u
	}
	meta := DeriveMeta(u, title, p.Text, p.Published)
	d := Document{
		ID:      DocID(u),
		URL:     u,
		Title:   title,
		Body:    p.Text,
		Type:    meta.Type,
		Date:    meta.Date,
		Kind:    meta.Kind,
		Place:   meta.Place,
		Country: meta.Country,
		Lang:    p.Lang,
		Pages:   p.PageCount,
		Themes:  []string{},
	}
	if !d.Date.IsZero() {
		d.Year = strconv.Itoa(d.Date.Year())
	}
	if tax != nil {
		for _, m := range tax.Tag(title, p.Text) {
			d.Themes = append(d.Themes, m.Theme)
			if d.ThemeReasons == nil {
				d.ThemeReasons = make(map[string][]string)
			}
			d.ThemeReasons[m.Theme] = m.Phrases
		}
	}
	return d
}
