package crawler

import (
	"errors"
	"net/url"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower scheme and host", "HTTPS://Example.ORG/Path", "https://example.org/Path"},
		{"default https port", "https://example.org:443/a", "https://example.org/a"},
		{"default http port", "http://example.org:80/a", "http://example.org/a"},
		{"other port kept", "http://example.org:8080/a", "http://example.org:8080/a"},
		{"fragment dropped", "https://example.org/a#top", "https://example.org/a"},
		{"empty path", "https://example.org", "https://example.org/"},
		{"dot segments", "https://example.org/a/./b/../c", "https://example.org/a/c"},
		{"trailing slash kept", "https://example.org/a/b/../", "https://example.org/a/"},
		{"utm dropped order kept", "https://example.org/s?z=1&utm_source=x&a=2&UTM_Medium=y", "https://example.org/s?z=1&a=2"},
		{"click ids dropped", "https://example.org/?fbclid=1&gclid=2", "https://example.org/"},
		{"query not reordered", "https://example.org/?b=2&a=1", "https://example.org/?b=2&a=1"},
		{"trailing dot host", "https://example.org./x", "https://example.org/x"},
		{"escapes kept", "https://example.org/a%20b?q=a%26b", "https://example.org/a%20b?q=a%26b"},
		{"ipv6", "http://[::1]:80/", "http://[::1]/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeURL(tc.in)
			if err != nil {
				t.Fatalf("NormalizeURL(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("NormalizeURL(%q) (-want +got):\n-%s\n+%s", tc.in, tc.want, got)
			}
			again, err := NormalizeURL(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
			}
		})
	}
}

func TestNormalizeURLErrors(t *testing.T) {
	for _, in := range []string{"", "/relative", "mailto:a@b.org", "http://", "http://[::1"} {
		t.Run(in, func(t *testing.T) {
			if got, err := NormalizeURL(in); !errors.Is(err, ErrInvalidURL) {
				t.Errorf("NormalizeURL(%q) = %q, %v; want ErrInvalidURL", in, got, err)
			}
		})
	}
}

func TestScope(t *testing.T) {
	s, err := newScope([]string{"https://example.org/wg/"}, nil, []string{"/wg/", "docs"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://example.org/wg/a.html", true},
		{"http://example.org/docs/x.pdf", true},
		{"https://example.org/other", false},
		{"https://evil.example/wg/", false},
		{"ftp://example.org/wg/", false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			u, _ := url.Parse(tc.url)
			if got := s.allows(u); got != tc.want {
				t.Errorf("allows(%s) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}
}
