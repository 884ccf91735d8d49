package sim

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cartelsim/cartelsim/model/mexico"
)

// Map size: fixed, with gonum/plot's embedded fonts, so the same table gives the same bytes.
const (
	mapWidth  = 16 * vg.Centimeter
	mapHeight = 10.5 * vg.Centimeter
)

var (
	noDataColor  = color.NRGBA{0xdd, 0xdd, 0xdd, 0xff}
	noGroupColor = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	borderColor  = color.NRGBA{0x60, 0x60, 0x60, 0xff}
	otherColor   = color.NRGBA{0x7f, 0x7f, 0x7f, 0xff} // groups past the palette
)

// mapLatitude is the latitude at which the map keeps distances true (equirectangular
// projection, longitude scaled by its cosine): Mexico's middle, as the boundaries'
// simplification took it.
const mapLatitude = 23.5

// sequentialColors is the continuous scale: ColorBrewer's YlOrRd (9 classes) interpolated
// in CIELAB with monotone lightness (Moreland's method).
func sequentialColors(lo, hi float64) (palette.ColorMap, error) {
	p, err := brewer.GetPalette(brewer.TypeSequential, "YlOrRd", 9)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	dark := slices.Clone(p.Colors()) // NewLuminance wants lightness rising: dark red first
	slices.Reverse(dark)
	lum, err := moreland.NewLuminance(dark)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	cm := palette.Reverse(lum)
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm, nil
}

// scaleTop is the top of a continuous map's scale: the largest value rounded up to a
// labelled tick, so the bar ends on a label.
func scaleTop(max float64) float64 {
	if !(max > 0) {
		return 1
	}
	step := niceStep(max)
	return math.Ceil(max/step-1e-9) * step
}

// fill is a state's colour.
type fill func(code string) color.Color

// weakShare is the share of replicates below which a categorical map pales a state's
// colour: its group is the most frequent, but in fewer than half the replicates.
const weakShare = 0.5

// pale is c halfway to white.
func pale(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8 + 0xff) / 2) }
	return color.NRGBA{mix(r), mix(g), mix(b), 0xff}
}

// groupFill is the colour of a state of a categorical map: its group's, paled where the
// group is dominant in fewer than half the replicates.
func groupFill(r stateRow, colors map[string]color.Color) color.Color {
	if r.group == "" {
		return noGroupColor
	}
	if r.share < weakShare {
		return pale(colors[r.group])
	}
	return colors[r.group]
}

// groupLegend orders a categorical map's groups by the number of states each holds (most
// first, then by name) and gives each a colour of the lineage palette (grey past it).
func groupLegend(rows map[string]stateRow) ([]string, map[string]color.Color) {
	count := map[string]int{}
	for _, r := range rows {
		if r.group != "" {
			count[r.group]++
		}
	}
	var groups []string
	for g := range count {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b string) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	palette := slices.DeleteFunc(slices.Clone(lineagePalette), func(c color.NRGBA) bool { return c == otherColor })
	colors := map[string]color.Color{}
	for i, g := range groups {
		if i < len(palette) {
			colors[g] = palette[i]
		} else {
			colors[g] = otherColor
		}
	}
	return groups, colors
}

// states draws the states' polygons filled by fill, fitted to the data area with equal
// scales on both axes.
type statesPlotter struct {
	bounds []mexico.Boundary
	fill   fill
}

func (s statesPlotter) Plot(c draw.Canvas, _ *plot.Plot) {
	k := math.Cos(mapLatitude * math.Pi / 180)
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, b := range s.bounds {
		for _, ring := range b.Polygons {
			for _, p := range ring {
				x0, x1 = min(x0, p[0]*k), max(x1, p[0]*k)
				y0, y1 = min(y0, p[1]), max(y1, p[1])
			}
		}
	}
	w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
	scale := min(float64(w)/(x1-x0), float64(h)/(y1-y0))
	offX := c.Min.X + vg.Length((w-vg.Length(scale*(x1-x0)))/2) // x/2 is x*0.5, which would fuse
	offY := c.Min.Y + vg.Length((h-vg.Length(scale*(y1-y0)))/2)
	line := draw.LineStyle{Color: borderColor, Width: vg.Points(0.3)}
	for _, b := range s.bounds {
		for _, ring := range b.Polygons {
			pts := make([]vg.Point, len(ring))
			for i, p := range ring {
				pts[i] = vg.Point{X: offX + vg.Length((float64(p[0]*k)-x0)*scale), Y: offY + vg.Length((p[1]-y0)*scale)}
			}
			c.FillPolygon(s.fill(b.Code), pts)
			c.StrokeLines(line, pts)
		}
	}
}

// colourBar draws a continuous scale as thin bands over its plot's y range.
type colourBar struct{ cm palette.ColorMap }

func (b colourBar) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	const bands = 100
	lo, hi := b.cm.Min(), b.cm.Max()
	for i := range bands {
		v0 := lo + (hi-lo)*float64(i)/bands
		v1 := lo + (hi-lo)*float64(i+1)/bands
		clr, err := b.cm.At((v0 + v1) / 2)
		if err != nil {
			clr = noDataColor
		}
		y0, y1 := trY(v0), trY(v1)
		c.FillPolygon(clr, []vg.Point{{X: c.Min.X, Y: y0}, {X: c.Max.X, Y: y0}, {X: c.Max.X, Y: y1}, {X: c.Min.X, Y: y1}})
	}
	c.StrokeLines(draw.LineStyle{Color: borderColor, Width: vg.Points(0.3)},
		[]vg.Point{{X: c.Min.X, Y: trY(lo)}, {X: c.Max.X, Y: trY(lo)}, {X: c.Max.X, Y: trY(hi)}, {X: c.Min.X, Y: trY(hi)}, {X: c.Min.X, Y: trY(lo)}})
}

func (b colourBar) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, b.cm.Min(), b.cm.Max() }

// swatch is a legend entry's thumbnail: a filled, outlined square.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	side := min(c.Max.X-c.Min.X, c.Max.Y-c.Min.Y)
	x0, y0 := c.Min.X, c.Min.Y+vg.Length((c.Max.Y-c.Min.Y-side)/2)
	pts := []vg.Point{{X: x0, Y: y0}, {X: x0 + side, Y: y0}, {X: x0 + side, Y: y0 + side}, {X: x0, Y: y0 + side}}
	c.FillPolygon(s.c, pts)
	c.StrokeLines(draw.LineStyle{Color: borderColor, Width: vg.Points(0.3)}, append(pts, pts[0]))
}

// writeTo draws the map in format ("png" or "svg"): the title, the states, the scale (a
// colour bar on the right) or legend (below), and the source line at the bottom.
func (m *stateMap) writeTo(w io.Writer, format string) error {
	cv, err := newCanvas(mapWidth, mapHeight, format)
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	margin := vg.Points(4)
	dc = draw.Crop(dc, margin, -margin, margin, -margin)

	small := draw.TextStyle{Color: color.Gray{0x40}, Font: font.From(plot.DefaultFont, vg.Points(7)), Handler: plot.DefaultTextHandler}
	sourceH := small.Rectangle("Xg").Max.Y + vg.Points(4)
	dc.FillText(small, vg.Point{X: dc.Min.X, Y: dc.Min.Y}, m.source)
	body := draw.Crop(dc, 0, 0, sourceH, 0)

	missing := false
	for _, b := range m.bounds {
		if _, ok := m.rows[b.Code]; !ok {
			missing = true
		}
	}
	p := plot.New()
	p.Title.Text = m.title
	p.Title.Padding = vg.Points(6)
	p.HideAxes()
	p.Legend = plot.NewLegend()

	var legend []legendEntry
	var side func(draw.Canvas) // draws the scale beside the map
	var fillOf fill
	if m.categorical {
		groups, colors := groupLegend(m.rows)
		fillOf = func(code string) color.Color {
			r, ok := m.rows[code]
			if !ok {
				return noDataColor
			}
			return groupFill(r, colors)
		}
		for _, g := range groups {
			if colors[g] == otherColor {
				legend = append(legend, legendEntry{"other groups", []plot.Thumbnailer{swatch{otherColor}}})
				break
			}
			legend = append(legend, legendEntry{g, []plot.Thumbnailer{swatch{colors[g]}}})
		}
		for _, r := range m.rows {
			if r.group == "" {
				legend = append(legend, legendEntry{"no group present", []plot.Thumbnailer{swatch{noGroupColor}}})
				break
			}
		}
		for _, g := range groups {
			if weak := slices.ContainsFunc(slices.Collect(maps.Values(m.rows)), func(r stateRow) bool { return r.group == g && r.share < weakShare }); weak {
				legend = append(legend, legendEntry{"pale: in fewer than half the replicates", []plot.Thumbnailer{swatch{pale(colors[g])}}})
				break
			}
		}
	} else {
		top := 0.0
		for _, r := range m.rows {
			top = max(top, r.value)
		}
		cm, err := sequentialColors(0, scaleTop(top))
		if err != nil {
			return err
		}
		fillOf = func(code string) color.Color {
			r, ok := m.rows[code]
			if !ok {
				return noDataColor
			}
			c, err := cm.At(max(0, r.value))
			if err != nil {
				return noDataColor
			}
			return c
		}
		side = func(c draw.Canvas) {
			bar := plot.New()
			bar.HideX()
			bar.Y.Min, bar.Y.Max = cm.Min(), cm.Max()
			bar.Y.Tick.Marker = ValueTicks{}
			bar.Y.Label.Text = m.unit
			bar.Y.Label.TextStyle.Font.Size = vg.Points(9)
			bar.Y.Tick.Label.Font.Size = vg.Points(8)
			bar.Add(colourBar{cm})
			bar.Legend = plot.NewLegend()
			bar.Draw(c)
		}
	}
	if missing {
		legend = append(legend, legendEntry{"no data", []plot.Thumbnailer{swatch{noDataColor}}})
	}
	p.Add(statesPlotter{bounds: m.bounds, fill: fillOf})

	ch := &chart{p: p, legend: legend}
	cols, legendH := ch.legendLayout(body.Max.X - body.Min.X)
	mapArea := draw.Crop(body, 0, 0, legendH, 0)
	if side != nil {
		barW := 3.2 * vg.Centimeter
		mapArea = draw.Crop(mapArea, 0, -barW, 0, 0)
		titleH := p.Title.TextStyle.Rectangle(m.title).Max.Y + p.Title.Padding
		areaH := mapArea.Max.Y - mapArea.Min.Y - titleH
		bar := draw.Crop(body, body.Max.X-body.Min.X-barW+vg.Centimeter, 0, legendH+vg.Length(areaH*0.12), -(titleH + vg.Length(areaH*0.12)))
		side(bar)
	}
	p.Draw(mapArea)
	ch.drawLegendColumns(body, cols, legendH)
	_, err = cv.WriteTo(w)
	return err
}
