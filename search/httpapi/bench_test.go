package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkSearchHandler measures the HTTP layer alone: parsing, the
// middleware chain and encoding a result of two hits.
func BenchmarkSearchHandler(b *testing.B) {
	s := New(Options{Backend: &fakeBackend{result: cannedResult()}})
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet,
		"/api/v1/search?q=digital+competence&theme=a,b&year=2017&from=2017-01&to=2018&page=2&size=20", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
