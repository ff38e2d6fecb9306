package indexer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/kbsearch/kbsearch/crawler/store"
)

// Translation is the version of a document in another language.
type Translation struct {
	Lang string `json:"lang"` // lower-case language code
	URL  string `json:"url"`
	ID   string `json:"id"` // the Document.ID of that version
}

// variants groups the indexable records that are versions of one document
// in several languages. Portals name them by a locale suffix
// ("report_fr.html" beside "report.pdf" or "report_en.pdf"): two documents
// are versions of one another when their URLs differ only by such a suffix
// and by their extension, at least one of them has the suffix, and their
// languages differ.
type variants struct {
	groups map[string][]variant // variantKey -> members
	byID   map[string][]Translation
	langs  map[string]string // document id -> docLang, for the members resolved
}

type variant struct {
	id, url  string
	storeKey string // the record's URL in the store
	suffixed bool   // the URL has a locale suffix
	lang     string // resolved once the group is known to matter
}

// variantKey identifies the document a URL is a version of: lower-case
// host, and the path without its extension and without the locale suffix
// that the crawler found in it (rec.Lang, set only from a URL).
func variantKey(canonical, suffixLang string) string {
	u, err := url.Parse(canonical)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	p = strings.TrimSuffix(p, path.Ext(p))
	if suffixLang != "" {
		p = strings.TrimSuffix(p, "_"+suffixLang)
	}
	return strings.ToLower(u.Host) + p
}

// add notes rec, an indexable record whose document is id at canonical.
func (v *variants) add(rec *store.Record, id, canonical string) {
	k := variantKey(canonical, rec.Lang)
	if k == "" {
		return
	}
	if v.groups == nil {
		v.groups = make(map[string][]variant)
	}
	for _, m := range v.groups[k] {
		if m.id == id {
			return // the same document under another record
		}
	}
	v.groups[k] = append(v.groups[k], variant{id: id, url: canonical, storeKey: rec.URL, suffixed: rec.Lang != ""})
}

// resolve works out the languages of the members of each group that has a
// suffixed member and another member, reading their text from st (a
// document's language comes from its text as well as its declarations:
// docLang, as NewDocument does), and fills byID and langs.
func (v *variants) resolve(ctx context.Context, st *store.Store) error {
	for _, g := range v.groups {
		if len(g) < 2 || !slices.ContainsFunc(g, func(m variant) bool { return m.suffixed }) {
			continue
		}
		for i := range g {
			rec, err := st.Get(ctx, g[i].storeKey)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("translations of %s: %w", g[i].url, err)
			}
			if rec.Page != nil {
				g[i].lang = docLang(rec)
				if v.langs == nil {
					v.langs = make(map[string]string)
				}
				v.langs[g[i].id] = g[i].lang // NewDocumentIn need not detect it again
			}
		}
		for _, m := range g {
			for _, o := range g {
				if o.id == m.id || o.lang == "" || o.lang == m.lang {
					continue
				}
				if v.byID == nil {
					v.byID = make(map[string][]Translation)
				}
				v.byID[m.id] = append(v.byID[m.id], Translation{Lang: o.lang, URL: o.url, ID: o.id})
			}
			slices.SortFunc(v.byID[m.id], func(a, b Translation) int { return strings.Compare(a.Lang+a.URL, b.Lang+b.URL) })
		}
	}
	v.groups = nil // done: only byID is needed now
	return nil
}
