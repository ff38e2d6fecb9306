package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kbsearch/kbsearch/crawler/extract"
)

// TestMain lets the test binary serve as the PDF extraction worker that
// crawls and benches in these tests start (they re-execute their own
// binary).
func TestMain(m *testing.M) {
	extract.RunWorkerIfRequested()
	os.Exit(m.Run())
}

// runCmd runs kbsearch-lab with args and returns its output, failing the
// test unless it exits 0.
func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("kbsearch-lab %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestExitStatuses(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
		msg  string
	}{
		{[]string{"--help"}, 0, ""},
		{[]string{"no-such-command"}, 2, "unknown command"},
		{[]string{"eval", "--depth", "many"}, 2, "--depth"},
		{[]string{"eval-themes", "--set", "no-such-file.txt"}, 1, "no-such-file.txt"},
		{[]string{"extract-bench", "--dir", "x", "--memory", "lots"}, 1, "--memory"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr)
		if code != tt.want || !strings.Contains(stderr.String(), tt.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.want, tt.msg)
		}
	}
}
