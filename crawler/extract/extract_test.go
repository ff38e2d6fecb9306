package extract

import (
	"context"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{"declared pdf", "application/pdf", "%PDF-1.4\n", "pdf"},
		{"pdf served as html", "text/html; charset=utf-8", "%PDF-1.7\n", "pdf"},
		{"pdf served as octet-stream", "application/octet-stream", "%PDF-1.5\n", "pdf"},
		{"pdf after leading junk", "", "\r\n  %PDF-1.3\n", "pdf"},
		{"declared pdf without magic", "application/pdf", "<html>", "pdf"},
		{"html", "text/html", "<p>hi", "html"},
		{"xhtml", "application/xhtml+xml", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">`, "html"},
		{"undeclared doctype", "", "\n<!DOCTYPE html><html>", "html"},
		{"undeclared with BOM", "", "\xef\xbb\xbf<html lang=en>", "html"},
		{"html served as octet-stream", "application/octet-stream", "<HTML><BODY>", "html"},
		{"html served as text/plain", "text/plain", "<!doctype html>", "html"},
		{"plain text", "text/plain; charset=utf-8", "Minutes of the meeting", "text"},
		{"undeclared text", "", "Minutes of the meeting", "text"},
		{"image", "image/png", "\x89PNG\r\n\x1a\n", ""},
		{"undeclared binary", "", "\x89PNG\r\n\x1a\n\x00\x00", ""},
		{"word document", "application/msword", "\xd0\xcf\x11\xe0", ""},
		{"empty undeclared", "", "", ""},
		{"unparsable content type read as undeclared", ";;;", "Minutes", "text"},
	}
	docx := string(docxOf(t, wp("", "text"), ""))
	odt := string(odtOf(t, "<text:p>text</text:p>", ""))
	tests = append(tests, []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{"docx served as octet-stream", "application/octet-stream", docx, "docx"},
		{"docx served as zip", "application/zip", docx, "docx"},
		{"docx declared", mimeDOCX, docx, "docx"},
		{"odt undeclared", "", odt, "odt"},
		{"odt served as pdf", "application/pdf", odt, "odt"},
		{"declared docx that is not a zip", mimeDOCX, "hello", "docx"},
		{"some other zip", "application/zip", string(zipOf(t, [2]string{"a.txt", "a"})), ""},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff(tt.contentType, []byte(tt.body)); got != tt.want {
				t.Error(diff("format", tt.want, got))
			}
		})
	}
}

func TestExtract(t *testing.T) {
	pdfBody := makePDF(t, func(f *fpdf.Fpdf) {
		f.AddPage()
		lines(f, 30, "From a PDF")
	})
	tests := []struct {
		name        string
		contentType string
		body        []byte
		opts        Options
		wantText    string
		wantReason  Reason
	}{
		{"html", "text/html", []byte("<title>T</title><p>Hello <b>world</b></p>"), Options{}, "Hello world", ""},
		{"pdf sniffed behind a wrong type", "text/html", pdfBody, Options{}, "From a PDF", ""},
		{"pdf served as octet-stream", "application/octet-stream", pdfBody, Options{}, "From a PDF", ""},
		{"pdf served as octet-stream, isolated", "application/octet-stream", pdfBody, Options{Isolate: true}, "From a PDF", ""},
		{"docx served as octet-stream", "application/octet-stream", docxOf(t, wp("", "From a DOCX"), ""), Options{}, "From a DOCX", ""},
		{"plain text paragraphs", "text/plain", []byte("Title line\r\n\r\n\r\n  second   para\x00\n"), Options{}, "Title line\n\nsecond para", ""},
		{"plain text windows-1252", "text/plain; charset=windows-1252", []byte("caf\xe9"), Options{}, "café", ""},
		{"html text truncated", "text/html", []byte("<p>" + strings.Repeat("é", 50) + "</p>"), Options{MaxText: 10}, strings.Repeat("é", 10), ""},
		{"too large", "text/html", []byte("<p>0123456789</p>"), Options{MaxBytes: 5}, "", ReasonTooLarge},
		{"unsupported", "image/png", []byte("\x89PNG\r\n\x1a\n"), Options{}, "", ReasonUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Extract(context.Background(), tt.body, tt.contentType, nil, tt.opts)
			if got := ReasonOf(err); got != tt.wantReason {
				t.Fatalf("reason mismatch (-want +got):\n-%q\n+%q (err %v)", tt.wantReason, got, err)
			}
			if tt.wantReason != "" {
				return
			}
			if p.Text != tt.wantText {
				t.Error(diff("text", tt.wantText, p.Text))
			}
			checkClean(t, "text", p.Text)
		})
	}
}
