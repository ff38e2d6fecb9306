package demosite

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseSource(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		data    string
		want    *source
		wantErr string // substring of the error; empty for success
	}{
		{
			name: "full header",
			file: "2016-07-hamburg-pla-key-messages.txt",
			data: "title: Key messages\nmeeting: 2016-07-hamburg-pla\ntype: key-messages\nformat: pdf\n" +
				"date: 2016-07-07\nthemes: byod, mobile-learning\n\nFirst\nparagraph.\n",
			want: &source{
				File: "2016-07-hamburg-pla-key-messages.txt", Title: "Key messages", Meeting: "2016-07-hamburg-pla",
				Type: "key-messages", Format: "pdf", Date: time.Date(2016, 7, 7, 0, 0, 0, 0, time.UTC),
				Themes: []string{"byod", "mobile-learning"},
				Blocks: []block{{Kind: blockParagraph, Text: "First paragraph."}},
			},
		},
		{
			name: "format defaults to html and CRLF is accepted",
			file: "home.txt",
			data: "title: Home\r\n\r\nText.\r\n",
			want: &source{File: "home.txt", Title: "Home", Format: "html", Blocks: []block{{Kind: blockParagraph, Text: "Text."}}},
		},
		{name: "unknown key", file: "x.txt", data: "title: T\nauthor: me\n\nText.", wantErr: `unknown header key "author"`},
		{name: "bad date", file: "x.txt", data: "title: T\ndate: 7 July 2016\n\nText.", wantErr: "not YYYY-MM-DD"},
		{name: "unknown type", file: "x.txt", data: "title: T\ntype: memo\n\nText.", wantErr: `unknown type "memo"`},
		{name: "unknown format", file: "x.txt", data: "title: T\nformat: docx\n\nText.", wantErr: `unknown format "docx"`},
		{name: "unknown theme", file: "x.txt", data: "title: T\nthemes: byod, robots\n\nText.", wantErr: `unknown theme "robots"`},
		{name: "no title", file: "x.txt", data: "type: page\n\nText.", wantErr: "no title"},
		{name: "empty body", file: "x.txt", data: "title: T\n\n\n", wantErr: "empty body"},
		{name: "header line without colon", file: "x.txt", data: "title: T\njust words\n\nText.", wantErr: "header line 2"},
		{name: "key given twice", file: "x.txt", data: "title: T\ntitle: U\n\nText.", wantErr: "given twice"},
		{name: "invalid UTF-8", file: "x.txt", data: "title: T\n\n\xff\xfe", wantErr: "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSource(tt.file, []byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseSource() error = %v, want one containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.file) {
					t.Errorf("error %q does not name the file %s", err, tt.file)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseSource() error = %v", err)
			}
			if !reflect.DeepEqual(tt.want, got) {
				t.Errorf("parseSource() mismatch (-want +got):\n-%+v\n+%+v", tt.want, got)
			}
		})
	}
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []block
	}{
		{name: "empty", body: "\n\n", want: nil},
		{
			name: "heading, paragraph and one list across a blank line",
			body: "## Key messages\n\nOne line\nand the next.\n- first\n- second\n\n- third after a gap",
			want: []block{
				{Kind: blockHeading, Text: "Key messages"},
				{Kind: blockParagraph, Text: "One line and the next."},
				{Kind: blockList, Items: []string{"first", "second", "third after a gap"}},
			},
		},
		{
			name: "page break ends a paragraph",
			body: "Page one\n---page---\nPage two",
			want: []block{
				{Kind: blockParagraph, Text: "Page one"},
				{Kind: blockPage},
				{Kind: blockParagraph, Text: "Page two"},
			},
		},
		{
			name: "markers need their space",
			body: "##Not a heading\n-not a bullet",
			want: []block{{Kind: blockParagraph, Text: "##Not a heading -not a bullet"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseBody(tt.body)
			if !reflect.DeepEqual(tt.want, got) {
				t.Errorf("parseBody() mismatch (-want +got):\n-%+v\n+%+v", tt.want, got)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four", 10, "one two..."},
		{"unbreakable-words", 5, "unbre..."},
		{"été été", 4, "ét..."}, // byte 4 is inside the second é
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.in, tt.max), func(t *testing.T) {
			if got := clip(tt.in, tt.max); got != tt.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// TestContentFiles checks every embedded content file: it parses, its name
// matches its header, and it keeps to the conventions the metadata rules
// rely on.
func TestContentFiles(t *testing.T) {
	srcs, err := loadSources(contentFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) == 0 {
		t.Fatal("no content files")
	}
	for _, src := range srcs {
		t.Run(src.File, func(t *testing.T) {
			if src.File == "home.txt" || src.Type == typePage {
				return
			}
			m, _ := meetingBySlug(src.Meeting)
			if len(src.Themes) == 0 {
				t.Errorf("no themes")
			}
			want := m.Start
			if src.Format == "pdf" {
				want = m.End
			}
			if !src.Date.Equal(want) {
				t.Errorf("date = %s, want %s (the meeting's %s day for %s)", src.Date.Format(time.DateOnly),
					want.Format(time.DateOnly), map[string]string{"html": "first", "pdf": "last"}[src.Format], src.Format)
			}
			if !strings.Contains(src.Title, m.Dates()) {
				t.Errorf("title %q does not give the meeting's dates %q", src.Title, m.Dates())
			}
			if m.Place != "" && !strings.Contains(src.Title, m.Place) {
				t.Errorf("title %q does not give the meeting's place %q", src.Title, m.Place)
			}
			if m.PLA > 0 && !strings.Contains(src.Title, fmt.Sprintf("(PLA#%d)", m.PLA)) {
				t.Errorf("title %q does not give the activity's number PLA#%d", src.Title, m.PLA)
			}
			words := len(strings.Fields(plainText(src.Blocks)))
			if words < 150 || words > 800 {
				t.Errorf("body has %d words, want 150-800", words)
			}
		})
	}
}
