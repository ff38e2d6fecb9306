package indexer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kbsearch/kbsearch/crawler/durable"
)

// An index directory holds one sub-directory per complete index generation,
// gen-NNNNNN, and a CURRENT file naming the one to serve. A build writes into a
// hidden .build-* directory and renames it only when complete, then replaces
// CURRENT atomically, so readers never see a half-written index.
const (
	currentFile  = "CURRENT"
	manifestFile = "kbsearch-generation.json"
	genPrefix    = "gen-"
	buildPrefix  = ".build-"

	// MappingVersion changes whenever the mapping or the Document-to-index
	// conversion changes, forcing a rebuild of an otherwise unchanged store.
	// 2: collection statistics stored for ranking; themes from meeting pages.
	// 3: per-language text fields. 4: page offsets of paged documents.
	// 5: the suggest field (words for completion and spelling).
	// 6: translations (versions of a document in other languages).
	// 7: bodies in a text store beside the index, not in stored fields.
	// 8: no token-count number fields (the counts are in the source JSON
	// and the postings' norms; nothing read the fields).
	// 9: the completion dictionary is a file of the generation (words),
	// not the suggest field. 10: the phrases file (two-word terms for
	// completion, boilerplate lines for snippets). 11: no doc values (the
	// Reader's columns and dates come from the postings; nothing read them).
	// 12: themes from the taxonomy's model beside its phrase rules (theme
	// reasons gain "model: 0.83" and "learned: ..." lines).
	MappingVersion = 12
)

// ErrNoIndex is returned when an index directory has no generation yet.
var ErrNoIndex = errors.New("no index has been built yet")

// Manifest describes one generation.
type Manifest struct {
	Generation       string    `json:"generation"`
	BuiltAt          time.Time `json:"built_at"`
	Documents        int       `json:"documents"`
	StoreFingerprint string    `json:"store_fingerprint"`
	TaxonomyHash     string    `json:"taxonomy_hash"`
	MappingVersion   int       `json:"mapping_version"`
	Seconds          float64   `json:"seconds"`

	// What the build knew of the generation it replaced and of the crawl
	// it indexed; absent from generations built before they were kept.

	// Previous is the generation that was current when this one was
	// built, "" for the first; PreviousDocuments its document count.
	Previous          string `json:"previous,omitempty"`
	PreviousDocuments int    `json:"previous_documents,omitempty"`
	// Reason says why it was built: "first build", "forced", or what
	// changed since Previous ("the crawl store changed since", ...).
	Reason string `json:"reason,omitempty"`
	// Crawl is the last finished crawl run of the store it was built
	// from, if the store recorded one.
	Crawl *CrawlRun `json:"crawl,omitempty"`
}

// CrawlRun is a crawl run as a generation's manifest records it.
type CrawlRun struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Seeds    []string  `json:"seeds,omitempty"`
}

// Current returns the name and manifest of the generation CURRENT names.
func Current(dir string) (string, *Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, ErrNoIndex
	}
	if err != nil {
		return "", nil, fmt.Errorf("indexer: read %s: %w", currentFile, err)
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, genPrefix) || strings.ContainsAny(name, `/\`) {
		return "", nil, fmt.Errorf("indexer: %s names %q, not a generation", currentFile, name)
	}
	m, err := readManifest(filepath.Join(dir, name))
	if err != nil {
		return "", nil, err
	}
	return name, m, nil
}

func readManifest(genDir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(genDir, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("indexer: generation %s: %w", filepath.Base(genDir), err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("indexer: generation %s: manifest: %w", filepath.Base(genDir), err)
	}
	return &m, nil
}

// generations lists the complete generations in dir, oldest first.
func generations(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var gens []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), genPrefix) {
			if _, err := genSeq(e.Name()); err == nil {
				gens = append(gens, e.Name())
			}
		}
	}
	sort.Slice(gens, func(i, j int) bool {
		a, _ := genSeq(gens[i])
		b, _ := genSeq(gens[j])
		return a < b
	})
	return gens, nil
}

func genSeq(name string) (int, error) {
	return strconv.Atoi(strings.TrimPrefix(name, genPrefix))
}

func genName(seq int) string { return fmt.Sprintf("%s%06d", genPrefix, seq) }

// publish renames a finished build directory to the next generation and
// points CURRENT at it. It returns the generation's name.
func publish(dir, buildDir string, m *Manifest) (string, error) {
	for attempt := 0; attempt < 100; attempt++ {
		gens, err := generations(dir)
		if err != nil {
			return "", err
		}
		seq := 1
		if len(gens) > 0 {
			last, _ := genSeq(gens[len(gens)-1])
			seq = last + 1
		}
		name := genName(seq)
		m.Generation = name
		if err := writeFileAtomic(filepath.Join(buildDir, manifestFile), mustJSON(m)); err != nil {
			return "", err
		}
		err = os.Rename(buildDir, filepath.Join(dir, name))
		if err == nil {
			if err := durable.SyncDir(dir); err != nil {
				return "", err
			}
			if err := writeFileAtomic(filepath.Join(dir, currentFile), []byte(name+"\n")); err != nil {
				return "", err
			}
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) && !isDirNotEmpty(err) {
			return "", fmt.Errorf("indexer: publish %s: %w", name, err)
		}
		// Another build took this number first: take the next one.
	}
	return "", errors.New("indexer: publish: could not choose a generation number")
}

// prune removes generations older than the newest keep ones, never the
// current one, and any leftover build directories older than an hour.
func prune(dir string, keep int) error {
	gens, err := generations(dir)
	if err != nil {
		return err
	}
	cur, _, _ := Current(dir)
	var errs []error
	for i := 0; i < len(gens)-keep; i++ {
		if gens[i] == cur {
			continue
		}
		errs = append(errs, os.RemoveAll(filepath.Join(dir, gens[i])))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), buildPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only plain structs are passed
	}
	return append(b, '\n')
}

// writeFileAtomic replaces path with data, atomically and durably.
func writeFileAtomic(path string, data []byte) error {
	if err := durable.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("indexer: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

func isDirNotEmpty(err error) bool {
	var le *os.LinkError
	return errors.As(err, &le) && strings.Contains(le.Err.Error(), "not empty")
}
