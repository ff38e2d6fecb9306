package store

import (
	"context"
	"reflect"
	"testing"
)

func TestFrontier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dir := openTemp(t)
	resumed, err := s.BeginRun(ctx, RunInfo{Seeds: []string{"https://h/"}})
	if err != nil || resumed {
		t.Fatalf("BeginRun = %v, %v; want a new run", resumed, err)
	}
	added, _, err := s.Enqueue(ctx, []QueueItem{{URL: "https://h/b", Depth: 1}, {URL: "https://h/", Depth: 0}, {URL: "https://h/b", Depth: 1}}, nil)
	if err != nil || added != 2 {
		t.Fatalf("Enqueue = %d, %v; want 2 (each URL once)", added, err)
	}
	items, err := s.Next(ctx, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, it := range items {
		urls = append(urls, it.URL)
	}
	if want := []string{"https://h/", "https://h/b"}; !reflect.DeepEqual(want, urls) {
		t.Fatalf("Next: shallowest first (-want +got):\n-%v\n+%v", want, urls)
	}

	// Committing the seed stores its record, removes it from the queue and
	// queues its new links, rejecting a trap, all at once.
	rec := &Record{URL: "https://h/", FinalURL: "https://h/", Status: 200, Page: page("Home"), TranslationKey: "https://h/_*"}
	added, rejected, err := s.Commit(ctx, &Commit{
		Records: []Put{{Record: rec, Raw: []byte("<html>home</html>"), Dedupe: true}},
		Done:    items[0].Key, DoneURLs: []string{"https://h/"},
		Push:   []QueueItem{{URL: "https://h/b", Depth: 1}, {URL: "https://h/c", Depth: 1}},
		Reject: []string{"https://h/cal/2099/"},
	})
	if err != nil || added != 1 || !reflect.DeepEqual(rejected, []string{"https://h/cal/2099/"}) {
		t.Fatalf("Commit = %d, %v, %v; want 1 link added and the trap rejected", added, rejected, err)
	}
	if n, _ := s.QueueLen(ctx); n != 2 {
		t.Errorf("QueueLen = %d, want 2", n)
	}
	if ok, _ := s.Claim(ctx, "https://h/c"); ok {
		t.Errorf("Claim of a queued URL succeeded")
	}
	if ok, _ := s.Claim(ctx, "https://h/d"); !ok {
		t.Errorf("Claim of a new URL failed")
	}
	tr, err := s.Translations(ctx, "https://h/_*")
	if err != nil || !reflect.DeepEqual(tr, []string{"https://h/"}) {
		t.Errorf("Translations = %v, %v", tr, err)
	}
	peek, err := s.Peek(ctx, "https://h/")
	if err != nil || !peek.Partial() || peek.Page == nil || peek.Page.Text != "" {
		t.Errorf("Peek = %+v, %v; want a partial record without text", peek, err)
	}
	if err := s.Put(ctx, peek, nil); err == nil {
		t.Errorf("Put of a partial record succeeded")
	}

	// Reopened, the run is unfinished and resumes with its queue.
	s.Close()
	s2, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if resumed, err := s2.BeginRun(ctx, RunInfo{}); err != nil || !resumed {
		t.Fatalf("BeginRun after reopen = %v, %v; want resumed", resumed, err)
	}
	if n, _ := s2.QueueLen(ctx); n != 2 {
		t.Errorf("resumed QueueLen = %d, want 2", n)
	}
	var unseen []string
	if _, err := s2.Unseen(ctx, "", 10, func(r *Record) { unseen = append(unseen, r.URL) }); err != nil || len(unseen) != 0 {
		t.Errorf("Unseen = %v, %v; want none (the seed was seen)", unseen, err)
	}
	if err := s2.EndRun(ctx); err != nil {
		t.Fatal(err)
	}
	if info, _ := s2.UnfinishedRun(ctx); info != nil {
		t.Errorf("UnfinishedRun after EndRun = %+v", info)
	}
	if n, _ := s2.QueueLen(ctx); n != 0 {
		t.Errorf("QueueLen after EndRun = %d, want 0", n)
	}
	if _, err := s2.Unseen(ctx, "", 10, func(r *Record) { unseen = append(unseen, r.URL) }); err != nil || len(unseen) != 1 {
		t.Errorf("Unseen after EndRun = %v, %v; want the seed", unseen, err)
	}
}

// TestDedupeOrderIndependent: whichever of two URLs serving the same bytes
// is fetched first, the shorter URL is the one kept.
func TestDedupeOrderIndependent(t *testing.T) {
	t.Parallel()
	const short, long = "https://h/documents/a.pdf", "https://h/files/legacy/a.pdf"
	for _, order := range [][]string{{short, long}, {long, short}} {
		t.Run("first "+order[0], func(t *testing.T) {
			ctx := context.Background()
			s, _ := openTemp(t)
			for _, u := range order {
				rec := &Record{URL: u, FinalURL: u, Status: 200, Page: page("A")}
				if _, _, err := s.Commit(ctx, &Commit{Records: []Put{{Record: rec, Raw: []byte("%PDF same bytes"), Dedupe: true}}}); err != nil {
					t.Fatal(err)
				}
			}
			got := map[string]string{}
			if err := s.Each(ctx, func(r *Record) error { got[r.URL] = r.DuplicateOf; return nil }); err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{short: "", long: short}; !reflect.DeepEqual(want, got) {
				t.Errorf("DuplicateOf (-want +got):\n-%v\n+%v", want, got)
			}
		})
	}
}
