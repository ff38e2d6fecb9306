package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestRefreshRoute(t *testing.T) {
	t.Parallel()
	finished := time.Date(2025, 5, 1, 3, 0, 12, 0, time.UTC)
	running := RefreshStatus{Enabled: true, Interval: "24h0m0s", Running: true, Runs: 3, Failures: 1,
		LastSuccess: finished,
		Last: &RefreshRun{Started: finished.Add(-12 * time.Second), Finished: finished, Fetched: 40,
			Changed: 2, Unchanged: 38, IndexBuilt: true, Generation: "gen-000004", Documents: 40}}
	failed := RefreshStatus{Enabled: true, Interval: "1h0m0s", Runs: 1, Failures: 1, Next: finished.Add(time.Hour),
		Last: &RefreshRun{Started: finished.Add(-time.Second), Finished: finished, Fetched: 1, Failed: 1,
			Error: "crawl: site unreachable"}}
	tests := []struct {
		name    string
		refresh func() RefreshStatus
		want    RefreshStatus
	}{
		{name: "off", want: RefreshStatus{}},
		{name: "running", refresh: func() RefreshStatus { return running }, want: running},
		{name: "failed", refresh: func() RefreshStatus { return failed }, want: failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, &fakeBackend{}, Options{Refresh: tt.refresh})
			rec := do(t, s.Handler(), http.MethodGet, "/api/v1/refresh")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			var got RefreshStatus
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GET /api/v1/refresh = %+v, want %+v (body %s)", got, tt.want, rec.Body)
			}
			if head := do(t, s.Handler(), http.MethodHead, "/api/v1/refresh"); head.Code != http.StatusOK {
				t.Errorf("HEAD /api/v1/refresh: status %d", head.Code)
			}
		})
	}
}
