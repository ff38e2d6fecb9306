package search

import "context"

// Service is a search index as its users see it: *Searcher answers from an
// index on this machine, search/client from a kbsearch server over HTTP,
// and search/httpapi serves one. Errors are *Error values, so that a
// caller handles a remote failure as it does a local one.
type Service interface {
	Search(ctx context.Context, req Request) (*Result, error)
	Document(ctx context.Context, id string) (*Document, error)
	Themes(ctx context.Context) ([]ThemeCount, error)
	Suggest(ctx context.Context, text string, size int) ([]Suggestion, error)
	// Similar returns up to MaxSimilar documents like the one with id; see
	// Searcher.Similar.
	Similar(ctx context.Context, id string) ([]Related, error)
	// Export ranks up to limit hits of req and calls emit with them in
	// order, a few at a time, and at least once; see Searcher.Export.
	Export(ctx context.Context, req Request, limit int, emit func(total uint64, hits []Hit) error) error
}

var _ Service = (*Searcher)(nil)
