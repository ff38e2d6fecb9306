package main

import (
	"os"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// TestMain lets the test binary serve as the PDF extraction worker that
// crawls in these tests start (they re-execute their own binary).
func TestMain(m *testing.M) {
	extract.RunWorkerIfRequested()
	os.Exit(m.Run())
}
