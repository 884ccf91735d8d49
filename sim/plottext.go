package sim

import (
	"fmt"
	"io"
	"math"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// gridText draws a PNG's text as filled polygons whose corners lie on the 1/64-pixel
// grid, so that its pixels are the same on every build. gonum/plot's image canvas
// renders a string glyph by glyph with golang.org/x/image/vector, which flattens the
// glyphs' curves in float32 arithmetic that the compiler fuses into FMA instructions on
// arm64 and at GOAMD64=v3: a few anti-aliased pixels of text then differ from the
// default amd64 build's. Here the glyph outlines (integer 26.6 coordinates, unhinted,
// as sfnt gives them) are flattened in integer arithmetic, placed at the string's origin
// rounded to 1/64 pixel, and filled by the canvas's own path filler, which rounds every
// vertex to 1/64 pixel and rasterises in fixed point. Advances and kerning are the
// font face's, as the image canvas uses them.
type gridText struct {
	vg.CanvasWriterTo
	dpi float64
	buf sfnt.Buffer
}

// newCanvas makes a canvas for a plot in format (png or svg): a PNG's draws its text
// with gridText.
func newCanvas(width, height vg.Length, format string) (vg.CanvasWriterTo, error) {
	cv, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if img, ok := cv.(interface{ DPI() float64 }); ok && format == "png" {
		return &gridText{CanvasWriterTo: cv, dpi: img.DPI()}, nil
	}
	return cv, nil
}

// SavePNG draws p on a canvas of the given size whose text is drawn as newCanvas draws
// it, the same pixels on every build, and writes it to path atomically as a PNG. It is
// what every package's gonum plots are saved with: plot.WriterTo's canvas draws text
// whose pixels differ between builds.
func SavePNG(p *plot.Plot, width, height vg.Length, path string) error {
	cv, err := newCanvas(width, height, "png")
	if err != nil {
		return err
	}
	p.Draw(draw.New(cv))
	return WriteFileAtomic(path, func(w io.Writer) error { _, err := cv.WriteTo(w); return err })
}

// textTolerance is the largest distance, in 1/64 pixel, between a glyph's curve and
// the segments that replace it, before their ends are rounded to the grid.
const textTolerance = 4

// FillString fills str's glyph outlines, its baseline starting at pt.
func (c *gridText) FillString(f font.Face, pt vg.Point, str string) {
	if f.Font.Size == 0 || f.Face == nil {
		return
	}
	face := f.FontFace(c.dpi)
	defer face.Close()
	// The pixels per em, as golang.org/x/image/font/opentype.NewFace computes them.
	ppem := fixed.Int26_6(0.5 + (f.Font.Size.Points() * c.dpi * 64 / 72))
	ox := int64(math.Round(pt.X.Dots(c.dpi) * 64))
	oy := int64(math.Round(pt.Y.Dots(c.dpi) * 64))
	// at places a point given in 26.6 glyph space (y down) at the pen.
	at := func(pen, x, y int64) vg.Point {
		return vg.Point{
			X: vg.Length(float64(ox+pen+x) / 64 / c.dpi * vg.Inch.Points()),
			Y: vg.Length(float64(oy-y) / 64 / c.dpi * vg.Inch.Points()),
		}
	}
	var path vg.Path
	var pen int64
	prev := rune(-1)
	for _, r := range str {
		if prev >= 0 {
			pen += int64(face.Kern(prev, r))
		}
		// A glyph that cannot be loaded is skipped, as the image canvas skips it.
		advance, ok := face.GlyphAdvance(r)
		if !ok {
			continue
		}
		x, err := f.Face.GlyphIndex(&c.buf, r)
		if err != nil {
			continue
		}
		segs, err := f.Face.LoadGlyph(&c.buf, x, ppem, nil)
		if err != nil {
			continue
		}
		prev = r
		var cur fixed.Point26_6
		open := false
		for _, s := range segs {
			switch s.Op {
			case sfnt.SegmentOpMoveTo:
				if open {
					path.Close()
				}
				path.Move(at(pen, int64(s.Args[0].X), int64(s.Args[0].Y)))
				open = true
			case sfnt.SegmentOpLineTo:
				path.Line(at(pen, int64(s.Args[0].X), int64(s.Args[0].Y)))
			case sfnt.SegmentOpQuadTo:
				for _, p := range flattenQuad(cur, s.Args[0], s.Args[1]) {
					path.Line(at(pen, p.x, p.y))
				}
			case sfnt.SegmentOpCubeTo:
				for _, p := range flattenCube(cur, s.Args[0], s.Args[1], s.Args[2]) {
					path.Line(at(pen, p.x, p.y))
				}
			}
			switch s.Op {
			case sfnt.SegmentOpMoveTo, sfnt.SegmentOpLineTo:
				cur = s.Args[0]
			case sfnt.SegmentOpQuadTo:
				cur = s.Args[1]
			case sfnt.SegmentOpCubeTo:
				cur = s.Args[2]
			}
		}
		if open {
			path.Close()
		}
		pen += int64(advance)
	}
	if len(path) > 0 {
		c.Fill(path)
	}
}

// gridPoint is a point in 26.6 units.
type gridPoint struct{ x, y int64 }

// roundDiv is num/den (den > 0) rounded to the nearest integer, halves up.
func roundDiv(num, den int64) int64 {
	q := (2*num + den) / (2 * den)
	if (2*num+den)%(2*den) < 0 {
		q-- // Go's division truncates towards zero; this floors
	}
	return q
}

// flattenQuad replaces the quadratic Bézier curve p0-p1-p2 by n segments, n the least
// for which they stay within textTolerance of it (a chord of a quadratic with n equal
// parameter steps strays at most |p0 - 2p1 + p2| / (4n²)), their ends B(i/n), i = 1..n,
// computed in integers, B(i/n)·n² = (n-i)²p0 + 2i(n-i)p1 + i²p2, and rounded to the
// nearest 1/64 pixel.
func flattenQuad(p0, p1, p2 fixed.Point26_6) []gridPoint {
	d := abs64(int64(p0.X)-2*int64(p1.X)+int64(p2.X)) + abs64(int64(p0.Y)-2*int64(p1.Y)+int64(p2.Y))
	n := int64(1)
	for 4*textTolerance*n*n < d {
		n++
	}
	out := make([]gridPoint, 0, n)
	for i := int64(1); i <= n; i++ {
		a, b, c := (n-i)*(n-i), 2*i*(n-i), i*i
		out = append(out, gridPoint{
			x: roundDiv(a*int64(p0.X)+b*int64(p1.X)+c*int64(p2.X), n*n),
			y: roundDiv(a*int64(p0.Y)+b*int64(p1.Y)+c*int64(p2.Y), n*n),
		})
	}
	return out
}

// flattenCube is flattenQuad for a cubic curve, whose chords stray at most
// 3·max(|p0 - 2p1 + p2|, |p1 - 2p2 + p3|) / (4n²).
func flattenCube(p0, p1, p2, p3 fixed.Point26_6) []gridPoint {
	d1 := abs64(int64(p0.X)-2*int64(p1.X)+int64(p2.X)) + abs64(int64(p0.Y)-2*int64(p1.Y)+int64(p2.Y))
	d2 := abs64(int64(p1.X)-2*int64(p2.X)+int64(p3.X)) + abs64(int64(p1.Y)-2*int64(p2.Y)+int64(p3.Y))
	d := 3 * max(d1, d2)
	n := int64(1)
	for 4*textTolerance*n*n < d {
		n++
	}
	out := make([]gridPoint, 0, n)
	for i := int64(1); i <= n; i++ {
		j := n - i
		a, b, c, e := j*j*j, 3*i*j*j, 3*i*i*j, i*i*i
		out = append(out, gridPoint{
			x: roundDiv(a*int64(p0.X)+b*int64(p1.X)+c*int64(p2.X)+e*int64(p3.X), n*n*n),
			y: roundDiv(a*int64(p0.Y)+b*int64(p1.Y)+c*int64(p2.Y)+e*int64(p3.Y), n*n*n),
		})
	}
	return out
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
