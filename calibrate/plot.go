package calibrate

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cartelsim/cartelsim/internal/fpmath"
	"github.com/cartelsim/cartelsim/sim"
)

const (
	plotWidth  = 16 * vg.Centimeter
	plotHeight = 11 * vg.Centimeter
)

var (
	bandColor  = color.NRGBA{0x1f, 0x77, 0xb4, 0x50}
	lineColor  = color.NRGBA{0x1f, 0x77, 0xb4, 0xff}
	dataColor  = color.NRGBA{0x00, 0x00, 0x00, 0xff}
	pointColor = color.NRGBA{0xd6, 0x27, 0x28, 0xa0}
)

// writePlots draws the posterior-predictive band of each target series beside its data,
// each parameter's marginal posterior and each pair's joint one (the last generation),
// and returns the files written, relative to dir.
func writePlots(dir string, c *Config, res *Result) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	var files []string
	save := func(p *plot.Plot, name string) error {
		name = filepath.Join(PlotsDir, name)
		if err := sim.SavePNG(p, plotWidth, plotHeight, filepath.Join(dir, name)); err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(name))
		return nil
	}
	var series []string
	for _, t := range c.Targets {
		if !contains(series, t.Name) {
			series = append(series, t.Name)
		}
	}
	for _, name := range series {
		p, err := predictivePlot(name, res.Predictive, math.MaxInt) // a calibration's bands are of the targets it fits
		if err != nil {
			return nil, err
		}
		if err := save(p, "predictive_"+sim.FileName(name)+".png"); err != nil {
			return nil, err
		}
	}
	g := res.Generations[len(res.Generations)-1]
	for k, prm := range c.Params {
		p, err := marginalPlot(prm, k, g)
		if err != nil {
			return nil, err
		}
		if err := save(p, "marginal_"+sim.FileName(prm.Key)+".png"); err != nil {
			return nil, err
		}
	}
	for a := range c.Params {
		for b := a + 1; b < len(c.Params); b++ {
			p, err := pairPlot(c.Params, a, b, g)
			if err != nil {
				return nil, err
			}
			if err := save(p, "pair_"+sim.FileName(c.Params[a].Key)+"_"+sim.FileName(c.Params[b].Key)+".png"); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// predictivePlot draws one target series: the model's 90% band and median by year, and
// the observed values with their 90% intervals (observed +- 1.645 sd); those of the years
// after lastFitted, which the fit left out, as open circles, so that a reader tells a fit
// from a forecast.
func predictivePlot(name string, bands []Band, lastFitted int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = name + ": posterior predictive (90% band, median) and data (+-1.645 sd)"
	p.X.Label.Text = "year"
	p.Y.Label.Text = name
	p.Y.Tick.Marker = sim.ValueTicks{}
	var lo, hi, med plotter.XYs
	for _, b := range bands {
		if b.Target.Name != name {
			continue
		}
		x := float64(b.Target.Year)
		lo, hi = append(lo, plotter.XY{X: x, Y: b.P05}), append(hi, plotter.XY{X: x, Y: b.P95})
		med = append(med, plotter.XY{X: x, Y: b.P50})
	}
	obs := observedPoints(name, bands, lastFitted)
	poly := append(plotter.XYs{}, lo...)
	for i := len(hi) - 1; i >= 0; i-- {
		poly = append(poly, hi[i])
	}
	band, err := plotter.NewPolygon(poly)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	band.Color, band.LineStyle.Width = bandColor, 0
	line, err := plotter.NewLine(med)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	line.Color, line.Width = lineColor, vg.Points(1.5)
	p.Add(band, line)
	p.Legend.Add("model, 90% band", band)
	p.Legend.Add("model, median", line)
	for k, o := range obs {
		if len(o.XYs) == 0 {
			continue
		}
		pts, err := plotter.NewScatter(o.XYs)
		if err != nil {
			return nil, fmt.Errorf("calibrate: %w", err)
		}
		bars, err := plotter.NewYErrorBars(o)
		if err != nil {
			return nil, fmt.Errorf("calibrate: %w", err)
		}
		pts.Color, pts.Shape = dataColor, draw.CircleGlyph{}
		label := "data"
		if k == notFitted {
			pts.Shape, label = draw.RingGlyph{}, "data, not fitted"
		}
		p.Add(bars, pts)
		p.Legend.Add(label, pts)
	}
	// Top left: the series the calibrations fit rise over time, so the band is lowest there.
	p.Legend.Top, p.Legend.Left = true, true
	return p, nil
}

// The two sets of observedPoints.
const fitted, notFitted = 0, 1

// observedPoints are the observed values of series name with their 90% intervals
// (+-1.645 sd): those of the years up to lastFitted, then those after it.
func observedPoints(name string, bands []Band, lastFitted int) [2]errorPoints {
	var obs [2]errorPoints
	for _, b := range bands {
		if b.Target.Name != name {
			continue
		}
		o := &obs[fitted]
		if b.Target.Year > lastFitted {
			o = &obs[notFitted]
		}
		e := 1.645 * b.Target.SD
		o.XYs = append(o.XYs, plotter.XY{X: float64(b.Target.Year), Y: b.Target.Observed})
		o.YErrors = append(o.YErrors, struct{ Low, High float64 }{e, e})
	}
	return obs
}

// marginalPlot is a weighted histogram of parameter k over the prior's range.
func marginalPlot(prm Param, k int, g *Generation) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = prm.Key + ": posterior (last generation, by weight)"
	p.X.Label.Text = prm.Key
	p.Y.Label.Text = "posterior weight"
	xy := make(plotter.XYs, len(g.Theta))
	for i, th := range g.Theta {
		xy[i] = plotter.XY{X: prm.u(th[k]), Y: g.Weights[i]}
	}
	if prm.Log {
		p.X.Label.Text = prm.Key + " (log scale)"
		p.X.Tick.Marker = expTicks{}
	}
	bins := max(5, min(40, int(math.Sqrt(float64(len(xy))))))
	h, err := plotter.NewHistogram(xy, bins)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	h.FillColor = bandColor
	p.Add(h)
	p.X.Min, p.X.Max = prm.u(prm.Lo), prm.u(prm.Hi)
	return p, nil
}

// pairPlot shows the last generation's particles in the plane of parameters a and b.
func pairPlot(params []Param, a, b int, g *Generation) (*plot.Plot, error) {
	pa, pb := params[a], params[b]
	p := plot.New()
	p.Title.Text = "posterior particles (last generation)"
	p.X.Label.Text, p.Y.Label.Text = pa.Key, pb.Key
	if pa.Log {
		p.X.Label.Text = pa.Key + " (log scale)"
		p.X.Tick.Marker = expTicks{}
	}
	if pb.Log {
		p.Y.Label.Text = pb.Key + " (log scale)"
		p.Y.Tick.Marker = expTicks{}
	}
	xy := make(plotter.XYs, len(g.Theta))
	for i, th := range g.Theta {
		xy[i] = plotter.XY{X: pa.u(th[a]), Y: pb.u(th[b])}
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	s.Color, s.Shape, s.Radius = pointColor, draw.CircleGlyph{}, vg.Points(1.5)
	p.Add(s)
	p.X.Min, p.X.Max = pa.u(pa.Lo), pa.u(pa.Hi)
	p.Y.Min, p.Y.Max = pb.u(pb.Lo), pb.u(pb.Hi)
	return p, nil
}

// expTicks labels an axis drawn in log(value) with values: 1, 2 and 5 times the powers
// of ten in its range (every digit's multiple when those are fewer than three).
type expTicks struct{}

func (expTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, mantissas := range [][]float64{{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}} {
		ticks = ticks[:0]
		for k := math.Floor(lo / math.Ln10); k <= math.Ceil(hi/math.Ln10); k++ {
			for _, m := range mantissas {
				v := m * math.Pow(10, k)
				if u := fpmath.Log(v); u >= lo && u <= hi {
					ticks = append(ticks, plot.Tick{Value: u, Label: strconv.FormatFloat(v, 'g', 3, 64)})
				}
			}
		}
		if len(ticks) >= 3 {
			break
		}
	}
	return ticks
}
