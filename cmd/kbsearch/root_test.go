package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestConfigPrecedence checks defaults < KBSEARCH_* environment < flags,
// through a command that reports the data directory it would use.
func TestConfigPrecedence(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string // substring of the error: the path the command tried
	}{
		{name: "default", args: nil, wantErr: "kbdata"},
		{name: "env", env: map[string]string{"KBSEARCH_DATA": "/nonexistent/from-env"}, wantErr: "/nonexistent/from-env"},
		{name: "flag beats env", env: map[string]string{"KBSEARCH_DATA": "/nonexistent/from-env"},
			args: []string{"--data", "/nonexistent/from-flag"}, wantErr: "/nonexistent/from-flag"},
		{name: "bad env value", env: map[string]string{"KBSEARCH_SIZE": "many"}, wantErr: "KBSEARCH_SIZE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			args := append([]string{"search", "--log-level", "error"}, tt.args...)
			args = append(args, "anything")
			if code := run(context.Background(), args, &stdout, &stderr); code == 0 {
				t.Fatalf("search succeeded without an index: %s", stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tt.wantErr)
			}
		})
	}
}
