package sim

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
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

// fanChart draws the median with 50% (p25-p75) and 90% (p05-p95) bands over weeks.
func fanChart(title string, m model.Metric, clock Clock, t Table, replicates int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "year"
	p.Y.Label.Text = fmt.Sprintf("%s (%s)", m, m.Info().Unit)
	n := clock.Weeks
	outer := make(plotter.XYs, 0, 2*n)
	inner := make(plotter.XYs, 0, 2*n)
	median := make(plotter.XYs, n)
	for wk := 1; wk <= n; wk++ {
		s := t.At(wk, int(m))
		x := decimalYear(clock.Date(wk))
		outer = append(outer, plotter.XY{X: x, Y: s.Q[0]})
		inner = append(inner, plotter.XY{X: x, Y: s.Q[1]})
		median[wk-1] = plotter.XY{X: x, Y: s.Q[2]}
	}
	for wk := n; wk >= 1; wk-- {
		s := t.At(wk, int(m))
		x := decimalYear(clock.Date(wk))
		outer = append(outer, plotter.XY{X: x, Y: s.Q[4]})
		inner = append(inner, plotter.XY{X: x, Y: s.Q[3]})
	}
	for _, band := range []struct {
		pts   plotter.XYs
		color color.Color
		label string
	}{{outer, bandOuter, "90% band"}, {inner, bandInner, "50% band"}} {
		poly, err := plotter.NewPolygon(band.pts)
		if err != nil {
			return nil, fmt.Errorf("sim: plotting %s: %w", m, err)
		}
		poly.Color = band.color
		poly.LineStyle.Width = 0
		p.Add(poly)
		p.Legend.Add(band.label, poly)
	}
	line, err := plotter.NewLine(median)
	if err != nil {
		return nil, fmt.Errorf("sim: plotting %s: %w", m, err)
	}
	line.Color = lineColor
	line.Width = vg.Points(1.5)
	p.Add(line)
	p.Legend.Add(fmt.Sprintf("median of %d", replicates), line)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	p.Y.Min = min(p.Y.Min, 0)
	return p, nil
}

// savePlot writes a plot in the given format ("png" or "svg") atomically.
func savePlot(p *plot.Plot, path, format string) error {
	wt, err := p.WriterTo(plotWidth, plotHeight, format)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// writePlots draws every PlotMetrics fan chart as PNG and SVG into dir and returns the
// files' paths relative to the output directory.
func writePlots(dir, scenario string, clock Clock, t Table, replicates int) ([]string, error) {
	var files []string
	for _, m := range PlotMetrics {
		p, err := fanChart(fmt.Sprintf("%s: %s", scenario, m), m, clock, t, replicates)
		if err != nil {
			return nil, err
		}
		for _, format := range []string{"png", "svg"} {
			name := filepath.Join(PlotsDir, m.String()+"."+format)
			if err := savePlot(p, filepath.Join(dir, name), format); err != nil {
				return nil, err
			}
			files = append(files, filepath.ToSlash(name))
		}
	}
	return files, nil
}
