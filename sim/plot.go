package sim

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/observed"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// PlotMetrics are the metrics drawn as fan charts after a run.
var PlotMetrics = []model.Metric{model.Members, model.Deaths, model.Recruits, model.Groups, model.Homicides}

// Plot size; fixed, with gonum/plot's embedded fonts, so that the same data always gives
// the same bytes.
const (
	plotWidth  = 16 * vg.Centimeter
	plotHeight = 10 * vg.Centimeter
)

var (
	bandOuter = color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0x40}
	bandInner = color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0x80}
	lineColor = color.NRGBA{R: 0x0b, G: 0x3c, B: 0x5d, A: 0xff}
)

// decimalYear places a date on a continuous year axis.
func decimalYear(t time.Time) float64 {
	start := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	return float64(t.Year()) + t.Sub(start).Hours()/end.Sub(start).Hours()
}

// curve is one run's statistics of one metric by week, ready to draw: the weekly values'
// quantiles and mean or, for a metric drawn cumulatively, those of the running totals.
type curve struct {
	label string
	x     []float64                          // decimal years
	q     [][len(ensemble.Quantiles)]float64 // by week
	mean  []float64                          // by week
}

// curveOf takes metric m's statistics from a run's table: the running totals' for a
// metric drawn cumulatively.
func curveOf(label string, m model.Metric, clock scenario.Clock, t ensemble.Table) curve {
	c := curve{label: label, x: make([]float64, clock.Weeks+1), q: make([][len(ensemble.Quantiles)]float64, clock.Weeks+1), mean: make([]float64, clock.Weeks+1)}
	cumulative := display(m).how == drawCumulative
	for wk := 0; wk <= clock.Weeks; wk++ {
		c.x[wk] = decimalYear(clock.Date(wk))
		if wk == 0 {
			continue // a running total starts at 0; other curves drop week 0 below
		}
		s := t.At(wk, int(m))
		if cumulative {
			s, _ = t.Total(wk, m)
		}
		c.q[wk], c.mean[wk] = s.Q, s.Mean
	}
	if !cumulative {
		c.x, c.q, c.mean = c.x[1:], c.q[1:], c.mean[1:]
	}
	return c
}

// band fills the area between quantiles lo and hi of c.
func band(c curve, lo, hi int, fill color.Color) (*plotter.Polygon, error) {
	n := len(c.x)
	pts := make(plotter.XYs, 0, 2*n)
	for k := range n {
		pts = append(pts, plotter.XY{X: c.x[k], Y: c.q[k][lo]})
	}
	for k := n - 1; k >= 0; k-- {
		pts = append(pts, plotter.XY{X: c.x[k], Y: c.q[k][hi]})
	}
	poly, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil, fmt.Errorf("sim: plotting %s: %w", c.label, err)
	}
	poly.Color = fill
	poly.LineStyle.Width = 0
	return poly, nil
}

// centreLine draws c's median, or its mean for a metric drawn by its mean.
func centreLine(c curve, useMean bool, stroke color.Color, width vg.Length) (*plotter.Line, error) {
	pts := make(plotter.XYs, len(c.x))
	for k := range c.x {
		y := c.q[k][2]
		if useMean {
			y = c.mean[k]
		}
		pts[k] = plotter.XY{X: c.x[k], Y: y}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("sim: plotting %s: %w", c.label, err)
	}
	line.Color = stroke
	line.Width = width
	return line, nil
}

// runInfo describes a run for its plots' legends.
type runInfo struct {
	scenario   string
	replicates int
	meanField  bool
}

// single says whether the run has one trajectory, with no spread to draw.
func (r runInfo) single() bool { return r.meanField || r.replicates == 1 }

// centre names the run's central line: "median of 40 replicates (baseline)", or the mean,
// or the one trajectory of a mean-field run or of a single replicate.
func (r runInfo) centre(mean bool) string {
	switch {
	case r.meanField:
		return "mean-field solution (" + r.scenario + ")"
	case r.replicates == 1:
		return "one replicate (" + r.scenario + ")"
	case mean:
		return "mean of " + groupThousands(strconv.Itoa(r.replicates)) + " replicates (" + r.scenario + ")"
	}
	return "median of " + groupThousands(strconv.Itoa(r.replicates)) + " replicates (" + r.scenario + ")"
}

// fanChart draws metric m of a run: the weekly median with its 50% (p25-p75) and 90%
// (p05-p95) bands over replicates; for a rare event, the same of the running totals; for
// a rare stock, the mean. Observed values, if any, are drawn beside it.
func fanChart(run runInfo, m model.Metric, clock scenario.Clock, t ensemble.Table, windows []window, obs []observed.Observation) (*chart, error) {
	c := newChart(titleOf(m, display(m).how, clock), axisOf(m, display(m).how), clock, windows)
	cv := curveOf(m.String(), m, clock, t)
	useMean := display(m).how == drawMean
	if !useMean && !run.single() {
		outer, err := band(cv, 0, 4, bandOuter)
		if err != nil {
			return nil, err
		}
		inner, err := band(cv, 1, 3, bandInner)
		if err != nil {
			return nil, err
		}
		c.add("90% of replicates", outer)
		c.add("50% of replicates", inner)
	}
	line, err := centreLine(cv, useMean, lineColor, vg.Points(1.5))
	if err != nil {
		return nil, err
	}
	c.add(run.centre(useMean), line)
	slices.Reverse(c.legend) // the median, then the 50% and the 90% band
	if err := addObservations(c, obs); err != nil {
		return nil, err
	}
	return c.finish(), nil
}

// zoneLabels are the zones as a legend names them.
var zoneLabels = [model.NumZones]string{"North", "Pacific", "Centre", "South-east", "Abroad"}

// zoneChart draws the median labs of each zone, a map-free view of where labs are.
func zoneChart(run runInfo, clock scenario.Clock, t ensemble.Table, windows []window) (*chart, error) {
	c := newChart("Labs by zone", "labs: "+run.centre(false), clock, windows)
	for z := range model.NumZones {
		m := model.LabsNorth + model.Metric(z)
		line, err := centreLine(curveOf(m.String(), m, clock, t), false, lineagePalette[z], vg.Points(1.5))
		if err != nil {
			return nil, err
		}
		c.add(zoneLabels[z], line)
	}
	return c.finish(), nil
}

// overlayChart draws several runs' medians and 90% bands of one metric on one plot (for
// a rare event, of the running totals; for a rare stock, the means).
func overlayChart(m model.Metric, how drawing, clock scenario.Clock, runs []curve, windows []window) (*chart, error) {
	c := newChart(titleOf(m, how, clock), axisOf(m, how), clock, windows)
	useMean := how == drawMean
	if !useMean {
		for i, cv := range runs {
			col := lineagePalette[i%len(lineagePalette)]
			col.A = 0x38
			poly, err := band(cv, 0, 4, col)
			if err != nil {
				return nil, err
			}
			c.add("", poly)
		}
	}
	for i, cv := range runs {
		line, err := centreLine(cv, useMean, lineagePalette[i%len(lineagePalette)], vg.Points(1.5))
		if err != nil {
			return nil, err
		}
		label := cv.label + " (median, 90% band)"
		if useMean {
			label = cv.label + " (mean)"
		}
		c.add(label, line)
	}
	return c.finish(), nil
}

// savePlot writes a chart of the standard size in the given format ("png" or "svg")
// atomically.
func savePlot(c *chart, path, format string) error {
	return saveSizedPlot(c, path, format, plotWidth, plotHeight)
}

func saveSizedPlot(c *chart, path, format string, width, height vg.Length) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return c.writeTo(w, width, height, format) })
}

// EconomyPlotMetrics are the metrics also drawn as fan charts when a world has an
// economy, beside plots/labs_by_zone.
var EconomyPlotMetrics = []model.Metric{model.Labs, model.Supply, model.Price, model.Revenue}

// DynamicPlotMetrics are the metrics also drawn when a world has group dynamics
// (fragmentation): leaders removed and splits, as running totals.
var DynamicPlotMetrics = []model.Metric{model.LeadersRemoved, model.Splits}

// writePlots draws every PlotMetrics chart (with group dynamics, the DynamicPlotMetrics;
// with an economy, the EconomyPlotMetrics and the labs by zone) as PNG and SVG into dir
// and returns the files' paths relative to the output directory. The scenario's
// intervention windows are shaded, and observed values drawn beside the model's where
// the run covers them.
func writePlots(dir string, sc *scenario.Scenario, t ensemble.Table, replicates int, world *model.World) ([]string, error) {
	var files []string
	save := func(c *chart, base string) error {
		for _, format := range []string{"png", "svg"} {
			name := filepath.Join(PlotsDir, base+"."+format)
			if err := savePlot(c, filepath.Join(dir, name), format); err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(name))
		}
		return nil
	}
	windows := InterventionWindows([]*scenario.Scenario{sc})
	run := runInfo{scenario: sc.Name, replicates: replicates, meanField: sc.Mode == model.MeanField}
	metrics := slices.Clone(PlotMetrics)
	if world.Dynamic() {
		metrics = append(metrics, DynamicPlotMetrics...)
	}
	if world.HasEconomy() {
		metrics = append(metrics, EconomyPlotMetrics...)
	}
	for _, m := range metrics {
		c, err := fanChart(run, m, sc.Clock, t, windows, observationsFor(m, sc.Clock, world))
		if err != nil {
			return nil, err
		}
		if err := save(c, m.String()); err != nil {
			return nil, err
		}
	}
	if world.HasEconomy() {
		c, err := zoneChart(run, sc.Clock, t, windows)
		if err != nil {
			return nil, err
		}
		if err := save(c, "labs_by_zone"); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// lineagePalette colours each initial group's descendants (Tableau 10).
var lineagePalette = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// lineageTree draws one replicate's groups as a tree over time: each group a horizontal
// line from its birth to its end, joined to its parent at its birth, groups ordered by
// descent (depth first, children in order of birth) and coloured by initial ancestor.
func lineageTree(title string, clock scenario.Clock, world *model.World, recs []model.LineageRecord, windows []window) (*chart, error) {
	children := make([][]int, len(recs))
	var roots []int
	for k, r := range recs {
		if r.Parent < 0 {
			roots = append(roots, k)
		} else {
			children[r.Parent] = append(children[r.Parent], k)
		}
	}
	row := make([]float64, len(recs))
	ancestor := make([]int, len(recs))
	next := 0.0
	var visit func(k, anc int)
	visit = func(k, anc int) {
		row[k], ancestor[k] = next, anc
		next--
		for _, c := range children[k] {
			visit(c, anc)
		}
	}
	for i, k := range roots {
		visit(k, i)
	}
	year := func(wk int) float64 { return decimalYear(clock.Date(wk)) }
	ch := newChart(title, "groups, by descent", clock, windows)
	p := ch.p
	p.Y.Tick.Marker = plot.ConstantTicks(nil)
	segment := func(pts plotter.XYs, c color.Color) error {
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("sim: plotting lineage: %w", err)
		}
		l.Color = c
		l.Width = vg.Points(0.7)
		p.Add(l)
		return nil
	}
	for k, r := range recs {
		c := lineagePalette[ancestor[k]%len(lineagePalette)]
		end := clock.Weeks
		if r.Cause != model.Alive {
			end = r.DiedWeek
		}
		if err := segment(plotter.XYs{{X: year(r.BornWeek), Y: row[k]}, {X: year(end), Y: row[k]}}, c); err != nil {
			return nil, err
		}
		if r.Parent >= 0 {
			x := year(r.BornWeek)
			if err := segment(plotter.XYs{{X: x, Y: row[r.Parent]}, {X: x, Y: row[k]}}, c); err != nil {
				return nil, err
			}
		}
	}
	for i, k := range roots {
		if i >= len(lineagePalette) {
			break
		}
		l, err := plotter.NewLine(plotter.XYs{{}, {}})
		if err != nil {
			return nil, err
		}
		l.Color = lineagePalette[i]
		ch.legend = append(ch.legend, legendEntry{"descendants of " + world.Network().Groups[k].Name, []plot.Thumbnailer{l}})
	}
	p.Y.Min, p.Y.Max = next, 1
	return ch.finish(), nil
}

// writeLineageTree draws replicate 0's lineage as plots/lineage.png and .svg.
func writeLineageTree(dir string, sc *scenario.Scenario, world *model.World, recs []model.LineageRecord) ([]string, error) {
	p, err := lineageTree("Groups by descent in one replicate ("+sc.Name+", replicate 0)", sc.Clock, world, recs, InterventionWindows([]*scenario.Scenario{sc}))
	if err != nil {
		return nil, err
	}
	var files []string
	for _, format := range []string{"png", "svg"} {
		name := filepath.Join(PlotsDir, "lineage."+format)
		if err := saveSizedPlot(p, filepath.Join(dir, name), format, plotWidth, 2*plotHeight); err != nil {
			return nil, err
		}
		files = append(files, filepath.ToSlash(name))
	}
	return files, nil
}

// observationsFor lists the published counts of metric m to draw on a run's plot: those
// whose date or period overlaps the run. Group counts need a world with group dynamics,
// which alone can gain groups.
func observationsFor(m model.Metric, clock scenario.Clock, world *model.World) []observed.Observation {
	if m == model.Groups && !world.Dynamic() {
		return nil
	}
	all, err := observed.All()
	if err != nil {
		panic(err) // embedded at build time, and tested
	}
	lo, hi := clock.Date(0), clock.Date(clock.Weeks)
	var out []observed.Observation
	for _, o := range all {
		if o.Metric == m && !o.From.After(hi) && !o.To.Before(lo) {
			out = append(out, o)
		}
	}
	return out
}

// observedColors and observedShapes tell the sources apart.
var (
	observedColors = []color.NRGBA{{0xb2, 0x18, 0x2b, 0xff}, {0x00, 0x00, 0x00, 0xff}, {0x54, 0x27, 0x88, 0xff}}
	observedShapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}
)

// addObservations draws published counts beside the model, one legend entry per
// source: a value as a marker, a range as a bar with caps, an upper bound as a downward
// triangle at the bound; a count over a period as a segment across it, the marker at its
// middle.
func addObservations(c *chart, obs []observed.Observation) error {
	var sources []string
	for _, o := range obs {
		if !slices.Contains(sources, o.Source) {
			sources = append(sources, o.Source)
		}
	}
	fail := func(err error) error { return fmt.Errorf("sim: plotting observations: %w", err) }
	for i, src := range sources {
		col := observedColors[i%len(observedColors)]
		var marks, bounds plotter.XYs
		var parts []plot.Plotter
		var thumbs []plot.Thumbnailer
		bound := false
		for _, o := range obs {
			if o.Source != src {
				continue
			}
			x0, x1 := decimalYear(o.From), decimalYear(o.To)
			if o.To.After(o.From) {
				x1 = decimalYear(o.To.AddDate(0, 0, 1)) // to the end of the last day
			}
			x := (x0 + x1) / 2
			y := o.Value
			switch {
			case o.IsBound():
				y = o.High
				bounds = append(bounds, plotter.XY{X: x, Y: y})
				bound = true
			case o.IsRange():
				bar, err := plotter.NewLine(plotter.XYs{{X: x, Y: o.Low}, {X: x, Y: o.High}})
				if err != nil {
					return fail(err)
				}
				bar.Color, bar.Width = col, vg.Points(2)
				caps, err := plotter.NewScatter(plotter.XYs{{X: x, Y: o.Low}, {X: x, Y: o.High}})
				if err != nil {
					return fail(err)
				}
				caps.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4), Shape: hBarGlyph{}}
				parts = append(parts, bar, caps)
				if len(thumbs) == 0 {
					thumbs = append(thumbs, bar)
				}
				if !math.IsNaN(o.Value) {
					marks = append(marks, plotter.XY{X: x, Y: o.Value})
				}
			default:
				marks = append(marks, plotter.XY{X: x, Y: y})
			}
			if x1 > x0 && !math.IsNaN(y) {
				seg, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
				if err != nil {
					return fail(err)
				}
				seg.Color, seg.Width = col, vg.Points(1.5)
				parts = append(parts, seg)
			}
		}
		for _, set := range []struct {
			pts   plotter.XYs
			shape draw.GlyphDrawer
		}{{marks, observedShapes[i%len(observedShapes)]}, {bounds, downTriangle{}}} {
			if len(set.pts) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(set.pts)
			if err != nil {
				return fail(err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: set.shape}
			parts = append(parts, sc)
			thumbs = append(thumbs, sc)
		}
		label := "observed: " + src
		if bound {
			label += " (\u25BC: fewer than)"
		}
		c.p.Add(parts...)
		c.legend = append(c.legend, legendEntry{label, thumbs})
	}
	return nil
}

// downTriangle is a filled triangle pointing down: an upper bound.
type downTriangle struct{}

func (downTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	c.FillPolygon(sty.Color, []vg.Point{{X: pt.X - r, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y + r}, {X: pt.X, Y: pt.Y - r}})
}

// hBarGlyph is a short horizontal stroke: the cap of a range.
type hBarGlyph struct{}

func (hBarGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.StrokeLine2(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.5)}, pt.X-sty.Radius, pt.Y, pt.X+sty.Radius, pt.Y)
}
