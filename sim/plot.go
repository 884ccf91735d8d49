package sim

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/cartelsim/cartelsim/model"
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

// curve is one run's quantiles of one metric by week, ready to draw.
type curve struct {
	label string
	x     []float64                 // decimal years
	q     [][len(Quantiles)]float64 // by week
}

// curveOf takes metric m's quantiles from a run's table.
func curveOf(label string, m model.Metric, clock Clock, t Table) curve {
	c := curve{label: label, x: make([]float64, clock.Weeks), q: make([][len(Quantiles)]float64, clock.Weeks)}
	for wk := 1; wk <= clock.Weeks; wk++ {
		c.x[wk-1] = decimalYear(clock.Date(wk))
		c.q[wk-1] = t.At(wk, int(m)).Q
	}
	return c
}

// addBand fills the area between quantiles lo and hi of c.
func addBand(p *plot.Plot, c curve, lo, hi int, fill color.Color, label string) error {
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
		return fmt.Errorf("sim: plotting %s: %w", c.label, err)
	}
	poly.Color = fill
	poly.LineStyle.Width = 0
	p.Add(poly)
	if label != "" {
		p.Legend.Add(label, poly)
	}
	return nil
}

// addMedian draws c's median as a line.
func addMedian(p *plot.Plot, c curve, stroke color.Color, width vg.Length, label string) error {
	pts := make(plotter.XYs, len(c.x))
	for k := range c.x {
		pts[k] = plotter.XY{X: c.x[k], Y: c.q[k][2]}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("sim: plotting %s: %w", c.label, err)
	}
	line.Color = stroke
	line.Width = width
	p.Add(line)
	p.Legend.Add(label, line)
	return nil
}

// newChart starts a plot with the project's axes, legend and grid conventions.
func newChart(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "year"
	p.Y.Label.Text = ylabel
	return p
}

// finishChart places the legend and grid and starts the y axis at zero.
func finishChart(p *plot.Plot) *plot.Plot {
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	p.Y.Min = min(p.Y.Min, 0)
	return p
}

func axisLabel(m model.Metric) string { return fmt.Sprintf("%s (%s)", m, m.Info().Unit) }

// fanChart draws the median with 50% (p25-p75) and 90% (p05-p95) bands over weeks.
func fanChart(title string, m model.Metric, clock Clock, t Table, replicates int) (*plot.Plot, error) {
	p := newChart(title, axisLabel(m))
	c := curveOf(m.String(), m, clock, t)
	if err := addBand(p, c, 0, 4, bandOuter, "90% band"); err != nil {
		return nil, err
	}
	if err := addBand(p, c, 1, 3, bandInner, "50% band"); err != nil {
		return nil, err
	}
	if err := addMedian(p, c, lineColor, vg.Points(1.5), fmt.Sprintf("median of %d", replicates)); err != nil {
		return nil, err
	}
	return finishChart(p), nil
}

// zoneChart draws the median labs of each zone, a map-free view of where labs are.
func zoneChart(title string, clock Clock, t Table) (*plot.Plot, error) {
	p := newChart(title, "labs (median)")
	for z := range model.NumZones {
		m := model.LabsNorth + model.Metric(z)
		if err := addMedian(p, curveOf(m.String(), m, clock, t), lineagePalette[z], vg.Points(1.5), model.Zone(z).String()); err != nil {
			return nil, err
		}
	}
	return finishChart(p), nil
}

// overlayChart draws several runs' medians and 90% bands of one metric on one plot.
func overlayChart(title string, m model.Metric, runs []curve) (*plot.Plot, error) {
	p := newChart(title, axisLabel(m))
	for i, c := range runs {
		col := lineagePalette[i%len(lineagePalette)]
		col.A = 0x38
		if err := addBand(p, c, 0, 4, col, ""); err != nil {
			return nil, err
		}
	}
	for i, c := range runs {
		if err := addMedian(p, c, lineagePalette[i%len(lineagePalette)], vg.Points(1.5), c.label+" (median, 90% band)"); err != nil {
			return nil, err
		}
	}
	finishChart(p)
	p.Legend.Top = false // below the curves, which start from the same world
	return p, nil
}

// savePlot writes a plot of the standard size in the given format ("png" or "svg")
// atomically.
func savePlot(p *plot.Plot, path, format string) error {
	return saveSizedPlot(p, path, format, plotWidth, plotHeight)
}

func saveSizedPlot(p *plot.Plot, path, format string, width, height vg.Length) error {
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// EconomyPlotMetrics are the metrics also drawn as fan charts when a world has an
// economy, beside plots/labs_by_zone.
var EconomyPlotMetrics = []model.Metric{model.Labs, model.Supply, model.Price, model.Revenue}

// writePlots draws every PlotMetrics fan chart (and, with an economy, the
// EconomyPlotMetrics and the labs by zone) as PNG and SVG into dir and returns the files'
// paths relative to the output directory.
func writePlots(dir, scenario string, clock Clock, t Table, replicates int, economy bool) ([]string, error) {
	var files []string
	save := func(p *plot.Plot, base string) error {
		for _, format := range []string{"png", "svg"} {
			name := filepath.Join(PlotsDir, base+"."+format)
			if err := savePlot(p, filepath.Join(dir, name), format); err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(name))
		}
		return nil
	}
	metrics := PlotMetrics
	if economy {
		metrics = append(slices.Clone(metrics), EconomyPlotMetrics...)
	}
	for _, m := range metrics {
		p, err := fanChart(fmt.Sprintf("%s: %s", scenario, m), m, clock, t, replicates)
		if err != nil {
			return nil, err
		}
		if err := save(p, m.String()); err != nil {
			return nil, err
		}
	}
	if economy {
		p, err := zoneChart(scenario+": labs by zone", clock, t)
		if err != nil {
			return nil, err
		}
		if err := save(p, "labs_by_zone"); err != nil {
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
func lineageTree(title string, clock Clock, world *model.World, recs []model.LineageRecord) (*plot.Plot, error) {
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
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "year"
	p.Y.Label.Text = "groups, by descent"
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
		p.Legend.Add(world.Network().Groups[k].Name, l)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	p.X.Min, p.X.Max = year(0), year(clock.Weeks)
	p.Y.Min, p.Y.Max = next, 1-0.12*next // headroom above the first group for the legend
	return p, nil
}

// writeLineageTree draws replicate 0's lineage as plots/lineage.png and .svg.
func writeLineageTree(dir, scenario string, clock Clock, world *model.World, recs []model.LineageRecord) ([]string, error) {
	p, err := lineageTree(fmt.Sprintf("%s: lineage of replicate 0", scenario), clock, world, recs)
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
