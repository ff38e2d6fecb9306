package extract

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"

	"github.com/ledongthuc/pdf"
)

// This file interprets a page's content stream into positioned glyphs, as
// pdf.Page.Content does, with three differences that matter for text:
//
//   - Fonts are read once per page and resource name, their widths and
//     decoded glyphs memoised. The library re-reads the font dictionary on
//     every Tf and resolves FirstChar, LastChar and Widths again for every
//     glyph, which re-inflates object streams: it was about two thirds of
//     the extraction time (pprof on pdfcpu's gobook.0.pdf).
//   - Composite (Type0) fonts are read two bytes a glyph (one if their
//     embedded CMap says so) with their
//     widths from the descendant font's W and DW, so that glyphs of CID
//     fonts have real widths; the library gives them width 0.
//   - Word spacing (Tw) moves the pen after a single-byte space, and no
//     stray "\n" glyph follows each TJ.
//
// Malformed operators are skipped instead of panicking, so a bad operator
// loses a glyph, not the page.

// errGlyphLimit stops interpreting a page that has produced enough glyphs.
var errGlyphLimit = errors.New("glyph limit reached")

type matrix [3][3]float64

var identity = matrix{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}

func (x matrix) mul(y matrix) matrix {
	var z matrix
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				z[i][j] += x[i][k] * y[k][j]
			}
		}
	}
	return z
}

// pageFont is what the interpreter needs of a font, read once.
type pageFont struct {
	name       string // BaseFont without the subset prefix
	twoByte    bool   // a composite font: two bytes a glyph
	enc        pdf.TextEncoding
	first      int
	widths     []float64       // simple fonts: widths of first, first+1, ...
	cidWidths  map[int]float64 // composite fonts: widths from W
	defWidth   float64         // composite fonts: DW (default 1000)
	decoded    map[string]string
	maxDecoded int
}

// maxWidthEntries bounds what is read of a font's Widths or W array.
const maxWidthEntries = 1 << 16

func loadFont(v pdf.Value) *pageFont {
	f := &pageFont{decoded: map[string]string{}, maxDecoded: 1 << 14, defWidth: 1000}
	f.name = v.Key("BaseFont").Name()
	if i := strings.Index(f.name, "+"); i >= 0 {
		f.name = f.name[i+1:]
	}
	font := pdf.Font{V: v}
	f.enc = font.Encoder()
	if f.enc == nil {
		f.enc = identityEncoding{}
	}
	if v.Key("Subtype").Name() == "Type0" {
		f.twoByte = cmapCodeBytes(v.Key("Encoding")) == 2
		desc := v.Key("DescendantFonts").Index(0)
		if dw := desc.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
			f.defWidth = dw.Float64()
		}
		f.cidWidths = readCIDWidths(desc.Key("W"))
		return f
	}
	f.first = int(v.Key("FirstChar").Int64())
	ws := v.Key("Widths")
	n := min(ws.Len(), maxWidthEntries)
	f.widths = make([]float64, n)
	for i := range n {
		f.widths[i] = ws.Index(i).Float64()
	}
	return f
}

// readCIDWidths reads a W array: "c [w1 w2 ...]" gives consecutive CIDs
// from c their widths, "c1 c2 w" gives CIDs c1 to c2 the width w.
func readCIDWidths(w pdf.Value) map[int]float64 {
	out := map[int]float64{}
	n := w.Len()
	for i := 0; i < n && len(out) < maxWidthEntries; {
		c := int(w.Index(i).Int64())
		if i+1 >= n {
			break
		}
		next := w.Index(i + 1)
		if next.Kind() == pdf.Array {
			for j := range min(next.Len(), maxWidthEntries) {
				out[c+j] = next.Index(j).Float64()
			}
			i += 2
			continue
		}
		if i+2 >= n {
			break
		}
		last, width := int(next.Int64()), w.Index(i+2).Float64()
		for cid := c; cid <= last && cid-c < maxWidthEntries && len(out) < maxWidthEntries; cid++ {
			out[cid] = width
		}
		i += 3
	}
	return out
}

// cmapCodeBytes returns the code length of a composite font's encoding:
// 2 for the Identity and other predefined CMaps (nearly all two-byte), or
// the length of the first codespace range of an embedded CMap (1 to 4).
func cmapCodeBytes(enc pdf.Value) int {
	if enc.Kind() != pdf.Stream {
		return 2
	}
	rc := enc.Reader()
	defer rc.Close()
	head, _ := io.ReadAll(io.LimitReader(rc, 64<<10))
	_, rest, ok := bytes.Cut(head, []byte("begincodespacerange"))
	if !ok {
		return 2
	}
	i, j := bytes.IndexByte(rest, '<'), bytes.IndexByte(rest, '>')
	if i < 0 || j < i {
		return 2
	}
	hex := bytes.Join(bytes.Fields(rest[i+1:j]), nil)
	if n := len(hex) / 2; n == 1 {
		return 1
	}
	return 2
}

func (f *pageFont) width(code int) float64 {
	if f.twoByte {
		if w, ok := f.cidWidths[code]; ok {
			return w
		}
		return f.defWidth
	}
	if i := code - f.first; i >= 0 && i < len(f.widths) {
		return f.widths[i]
	}
	return 0
}

func (f *pageFont) decode(code string) string {
	if s, ok := f.decoded[code]; ok {
		return s
	}
	s := f.enc.Decode(code)
	if len(f.decoded) < f.maxDecoded {
		f.decoded[code] = s
	}
	return s
}

// identityEncoding passes bytes through, for fonts without an encoding.
type identityEncoding struct{}

func (identityEncoding) Decode(raw string) string { return raw }

type textState struct {
	Tc, Tw, Th, Tl, Tfs, Trise float64
	font                       *pageFont
	Tm, Tlm, CTM               matrix
}

// pageGlyphs interprets the content stream of page into glyphs, at most
// maxGlyphs of them (the glyphs read so far when the limit is hit). It
// panics on what pdf.Interpret panics on (a broken stream); callers
// recover.
func pageGlyphs(page pdf.Page, maxGlyphs int) (glyphs []pdf.Text) {
	defer func() {
		if v := recover(); v != nil && v != errGlyphLimit {
			panic(v)
		}
	}()
	contents := page.V.Key("Contents")
	if contents.Kind() == pdf.Null {
		return nil
	}
	fontRes := inherited(page.V, "Resources").Key("Font")
	fonts := map[string]*pageFont{}
	getFont := func(name string) *pageFont {
		if f, ok := fonts[name]; ok {
			return f
		}
		f := loadFont(fontRes.Key(name))
		fonts[name] = f
		return f
	}
	g := textState{Th: 1, CTM: identity, Tm: identity, Tlm: identity}
	var stack []textState

	show := func(s string) {
		f := g.font
		if f == nil {
			f = &pageFont{enc: identityEncoding{}, decoded: map[string]string{}}
			g.font = f
		}
		step := 1
		if f.twoByte {
			step = 2
		}
		for i := 0; i < len(s); i += step {
			raw := s[i:min(i+step, len(s))] // an odd byte at the end is a code of its own
			code := int(raw[0])
			if len(raw) == 2 {
				code = code<<8 | int(raw[1])
			}
			w0 := f.width(code)
			trm := matrix{{g.Tfs * g.Th, 0, 0}, {0, g.Tfs, 0}, {0, g.Trise, 1}}.mul(g.Tm).mul(g.CTM)
			if len(glyphs) >= maxGlyphs {
				panic(errGlyphLimit)
			}
			glyphs = append(glyphs, pdf.Text{Font: f.name, FontSize: trm[0][0], X: trm[2][0], Y: trm[2][1], W: w0 / 1000 * trm[0][0], S: f.decode(raw)})
			tx := w0/1000*g.Tfs + g.Tc
			if !f.twoByte && code == ' ' {
				tx += g.Tw
			}
			tx *= g.Th
			g.Tm = matrix{{1, 0, 0}, {0, 1, 0}, {tx, 0, 1}}.mul(g.Tm)
		}
	}
	nextLine := func() {
		g.Tlm = matrix{{1, 0, 0}, {0, 1, 0}, {0, -g.Tl, 1}}.mul(g.Tlm)
		g.Tm = g.Tlm
	}
	num := func(v pdf.Value) (float64, bool) {
		k := v.Kind()
		f := v.Float64()
		return f, (k == pdf.Integer || k == pdf.Real) && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	nums := func(args []pdf.Value, n int) ([]float64, bool) {
		if len(args) != n {
			return nil, false
		}
		out := make([]float64, n)
		for i, a := range args {
			v, ok := num(a)
			if !ok {
				return nil, false
			}
			out[i] = v
		}
		return out, true
	}
	toMatrix := func(v []float64) matrix {
		return matrix{{v[0], v[1], 0}, {v[2], v[3], 0}, {v[4], v[5], 1}}
	}

	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "cm":
			if v, ok := nums(args, 6); ok {
				g.CTM = toMatrix(v).mul(g.CTM)
			}
		case "q":
			if len(stack) < 1024 {
				stack = append(stack, g)
			}
		case "Q":
			if k := len(stack) - 1; k >= 0 {
				g, stack = stack[k], stack[:k]
			}
		case "BT":
			g.Tm, g.Tlm = identity, identity
		case "T*":
			nextLine()
		case "Tc":
			if v, ok := nums(args, 1); ok {
				g.Tc = v[0]
			}
		case "Tw":
			if v, ok := nums(args, 1); ok {
				g.Tw = v[0]
			}
		case "Tz":
			if v, ok := nums(args, 1); ok {
				g.Th = v[0] / 100
			}
		case "TL":
			if v, ok := nums(args, 1); ok {
				g.Tl = v[0]
			}
		case "Ts":
			if v, ok := nums(args, 1); ok {
				g.Trise = v[0]
			}
		case "TD", "Td":
			if v, ok := nums(args, 2); ok {
				if op == "TD" {
					g.Tl = -v[1]
				}
				g.Tlm = matrix{{1, 0, 0}, {0, 1, 0}, {v[0], v[1], 1}}.mul(g.Tlm)
				g.Tm = g.Tlm
			}
		case "Tm":
			if v, ok := nums(args, 6); ok {
				g.Tm = toMatrix(v)
				g.Tlm = g.Tm
			}
		case "Tf":
			if len(args) == 2 && args[0].Kind() == pdf.Name {
				g.font = getFont(args[0].Name())
				g.Tfs, _ = num(args[1])
			}
		case "\"":
			if len(args) == 3 {
				g.Tw, _ = num(args[0])
				g.Tc, _ = num(args[1])
				nextLine()
				show(args[2].RawString())
			}
		case "'":
			if len(args) == 1 {
				nextLine()
				show(args[0].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			v := args[0]
			for i := range v.Len() {
				x := v.Index(i)
				if x.Kind() == pdf.String {
					show(x.RawString())
				} else if adj, ok := num(x); ok {
					tx := -adj / 1000 * g.Tfs * g.Th
					g.Tm = matrix{{1, 0, 0}, {0, 1, 0}, {tx, 0, 1}}.mul(g.Tm)
				}
			}
		}
	})
	return glyphs
}
