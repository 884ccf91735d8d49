package sim

import (
	"image/color"
	"math"
	"testing"

	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// A parabola p0-p1-p2 with |p0 - 2p1 + p2| = 1024 (in 1/64 pixel) strays 1024/(4n²)
// from n chords: 4 = textTolerance at n = 8, 5.2 at n = 7. So 8 chords, whose ends are
// B(i/8); B(1/2) = (p0 + 2p1 + p2)/4 = (320, 256), B(1/8) = (49p0 + 14p1 + p2)/64 =
// (80, 112), and the last is p2.
func TestFlattenQuadChords(t *testing.T) {
	p0, p1, p2 := fixed.Point26_6{X: 0, Y: 0}, fixed.Point26_6{X: 320, Y: 512}, fixed.Point26_6{X: 640, Y: 0}
	pts := flattenQuad(p0, p1, p2)
	if len(pts) != 8 {
		t.Fatalf("%d chords, want 8", len(pts))
	}
	if p := pts[3]; p != (gridPoint{320, 256}) {
		t.Errorf("B(1/2) = %v, want (320, 256)", p)
	}
	if p := pts[0]; p != (gridPoint{80, 112}) {
		t.Errorf("B(1/8) = %v, want (80, 112)", p)
	}
	if p := pts[7]; p != (gridPoint{640, 0}) {
		t.Errorf("last point %v, want p2 (640, 0)", p)
	}
	// A straight "curve" needs one chord.
	if n := len(flattenQuad(p0, fixed.Point26_6{X: 320}, p2)); n != 1 {
		t.Errorf("a straight quadratic takes %d chords, want 1", n)
	}
	// The cubic p0-p1-p1-p2 has second differences (-320, -512) and (320, -512): 832
	// each in the sum of both axes; it strays at most 3·832/(4n²), within 4 from n² >= 156.
	if n := len(flattenCube(p0, p1, p1, p2)); n != 13 {
		t.Errorf("the cubic takes %d chords, want 13 (the least n with 16n² >= 2496)", n)
	}
}

// Curve points are rounded to the nearest 1/64 pixel, halves up, negative or not.
func TestRoundDiv(t *testing.T) {
	for _, c := range []struct{ num, den, want int64 }{
		{5, 9, 1}, {-5, 9, -1}, {3, 8, 0}, {-3, 8, 0}, {4, 8, 1}, {-4, 8, 0}, {-12, 8, -1}, {-20, 8, -2}, {64, 1, 64}, {-64, 1, -64},
	} {
		if got := roundDiv(c.num, c.den); got != c.want {
			t.Errorf("roundDiv(%d, %d) = %d, want %d", c.num, c.den, got, c.want)
		}
	}
}

// recorder is a canvas that records what reaches it.
type recorder struct {
	vg.CanvasWriterTo
	fills   []vg.Path
	strings int
}

func (r *recorder) Fill(p vg.Path)                         { r.fills = append(r.fills, p) }
func (r *recorder) FillString(font.Face, vg.Point, string) { r.strings++ }
func (r *recorder) SetColor(color.Color)                   {}
func (r *recorder) Size() (vg.Length, vg.Length)           { return vg.Inch, vg.Inch }

func textFace(size vg.Length) font.Face {
	return font.DefaultCache.Lookup(plot.DefaultFont, size)
}

// A PNG's text reaches the image canvas as straight-edged polygons, never as a string
// (which it would rasterise with FMA-dependent float32 arithmetic), every vertex on the
// 1/64-pixel grid, from which the canvas's fixed-point rasteriser is exact.
func TestPNGTextIsFilledOnThePixelGrid(t *testing.T) {
	cv, err := newCanvas(vg.Inch, vg.Inch, "png")
	if err != nil {
		t.Fatal(err)
	}
	g, ok := cv.(*gridText)
	if !ok {
		t.Fatalf("a PNG canvas is a %T, not a gridText", cv)
	}
	rec := &recorder{}
	g.CanvasWriterTo = rec
	// An origin off the grid: it is rounded to 1/64 pixel.
	g.FillString(textFace(vg.Points(11)), vg.Point{X: 10.1234567, Y: 20.7654321}, "Groups (2006-kingpin)")
	if rec.strings != 0 || len(rec.fills) != 1 {
		t.Fatalf("%d strings and %d fills reached the canvas, want 0 and 1", rec.strings, len(rec.fills))
	}
	moves := 0
	for _, c := range rec.fills[0] {
		switch c.Type {
		case vg.MoveComp:
			moves++
		case vg.LineComp, vg.CloseComp:
		default:
			t.Fatalf("a path component of type %d: only moves, lines and closes are exact", c.Type)
		}
		if c.Type == vg.CloseComp {
			continue
		}
		for _, v := range []vg.Length{c.Pos.X, c.Pos.Y} {
			d := v.Dots(g.dpi) * 64
			if math.Abs(d-math.Round(d)) > 1e-6 {
				t.Fatalf("vertex coordinate %v dots is off the 1/64-pixel grid", v.Dots(g.dpi))
			}
		}
	}
	// 21 characters, two spaces without outline, several with two or three contours.
	if moves < 19 {
		t.Errorf("%d contours for 19 visible glyphs", moves)
	}
}

// ink renders str with canvas c and returns its alpha coverage per pixel.
func ink(c vg.Canvas, img *vgimg.Canvas, str string, f font.Face) []float64 {
	c.SetColor(color.Black)
	c.FillString(f, vg.Point{X: 6, Y: 18}, str) // whole pixels: 8 and 24 dots at 96 dpi
	im := img.Image()
	b := im.Bounds()
	out := make([]float64, 0, b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			gray := color.GrayModel.Convert(im.At(x, y)).(color.Gray)
			out = append(out, 1-float64(gray.Y)/255)
		}
	}
	return out
}

// The text drawn on the grid looks like the font rasteriser's (golang.org/x/image/vector,
// a second method): at the same whole-pixel origin, the same ink within 2% and at most
// 10% of it moved.
func TestGridTextLooksLikeTheFontRasteriser(t *testing.T) {
	const w, h = 3 * vg.Inch, vg.Inch / 2 // 288 x 48 dots: whole pixels
	f := textFace(vg.Points(11))
	str := "descendants of Sinaloa cartel (2006-2020)"
	ref := vgimg.New(w, h)
	want := ink(ref, ref, str, f)
	img := vgimg.New(w, h)
	got := ink(&gridText{CanvasWriterTo: vgimg.PngCanvas{Canvas: img}, dpi: img.DPI()}, img, str, f)
	var total, gotTotal, moved float64
	for i := range want {
		total += want[i]
		gotTotal += got[i]
		moved += math.Abs(got[i] - want[i])
	}
	if total < 100 {
		t.Fatalf("the reference drew %v pixels of ink", total)
	}
	t.Logf("ink: %.1f on the grid, %.1f by the font rasteriser, %.1f moved", gotTotal, total, moved)
	if math.Abs(gotTotal-total) > 0.02*total {
		t.Errorf("%.1f pixels of ink on the grid, %.1f by the font rasteriser", gotTotal, total)
	}
	if moved > 0.10*total {
		t.Errorf("%.1f of %.1f pixels of ink differ from the font rasteriser's", moved, total)
	}
}
