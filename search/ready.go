package search

import "context"

// Ready reports whether the Searcher can answer: an index is served and a
// probe reads it as a search does (indexer.Reader.Probe). The error is an
// *Error of KindUnavailable when not: no index yet, or a damaged one.
func (s *Searcher) Ready(ctx context.Context) error {
	r, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer r.Release()
	if err := r.Probe(ctx); err != nil {
		return s.wrap(err)
	}
	return nil
}
