package experiment

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/cartelsim/cartelsim/sim"
)

const (
	plotWidth  = 16 * vg.Centimeter
	plotHeight = 11 * vg.Centimeter
)

// writePlots draws, for each output and policy, the policy's effect (its paired
// difference from the reference, with its 95% interval) against each factor, and, for a
// grid of two factors, a heat map of the effect over both. It returns the files written,
// relative to dir.
func writePlots(dir string, m *Manifest, design [][]float64, effects []Effect) ([]string, error) {
	var files []string
	for o, out := range m.Outputs {
		for s := 1; s < len(m.Scenarios); s++ {
			eff := effectGrid(effects, len(design), o, s)
			title := fmt.Sprintf("%s: %s minus %s", out.Name, m.Scenarios[s].Name, m.Scenarios[0].Name)
			for i, f := range m.Factors {
				p := scatter(title, f, i, design, eff)
				name := filepath.Join(PlotsDir, fmt.Sprintf("%s_%s_vs_%s.png", sim.FileName(out.Name), sim.FileName(m.Scenarios[s].Name), sim.FileName(f.Key)))
				if err := savePlot(p, filepath.Join(dir, name)); err != nil {
					return nil, err
				}
				files = append(files, filepath.ToSlash(name))
			}
			if m.Design.Kind == Grid && len(m.Factors) == 2 {
				p, err := heatMap(title, m.Factors, design, eff)
				if err != nil {
					return nil, err
				}
				name := filepath.Join(PlotsDir, fmt.Sprintf("%s_%s_heatmap.png", sim.FileName(out.Name), sim.FileName(m.Scenarios[s].Name)))
				if err := savePlot(p, filepath.Join(dir, name)); err != nil {
					return nil, err
				}
				files = append(files, filepath.ToSlash(name))
			}
		}
	}
	return files, nil
}

func savePlot(p *plot.Plot, path string) error {
	return sim.SavePNG(p, plotWidth, plotHeight, path)
}

type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// scatter draws each point's effect against factor i, with its interval as error bars
// and a line at no effect.
func scatter(title string, f ManifestFactor, i int, design [][]float64, eff []sim.Interval) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = f.Key
	p.Y.Label.Text = "paired difference (mean, 95% interval)"
	p.Y.Tick.Marker = sim.ValueTicks{}
	if f.Scale == "log-uniform" {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	var pts errorPoints
	lo, hi := math.Inf(1), math.Inf(-1)
	for pt, e := range eff {
		if math.IsNaN(e.Mean) {
			continue
		}
		x := design[pt][i]
		lo, hi = min(lo, x), max(hi, x)
		pts.XYs = append(pts.XYs, plotter.XY{X: x, Y: e.Mean})
		l, h := e.Mean-e.Lo, e.Hi-e.Mean
		if math.IsNaN(l) {
			l, h = 0, 0
		}
		pts.YErrors = append(pts.YErrors, struct{ Low, High float64 }{l, h})
	}
	if len(pts.XYs) == 0 {
		return p
	}
	zero, _ := plotter.NewLine(plotter.XYs{{X: lo, Y: 0}, {X: hi, Y: 0}})
	zero.Color = color.Gray{Y: 140}
	zero.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(zero)
	if bars, err := plotter.NewYErrorBars(pts); err == nil {
		bars.Color = color.Gray{Y: 160}
		p.Add(bars)
	}
	if sc, err := plotter.NewScatter(pts.XYs); err == nil {
		sc.GlyphStyle.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
		sc.GlyphStyle.Radius = vg.Points(2.5)
		p.Add(sc)
	}
	p.Add(plotter.NewGrid())
	return p
}

// effectGrid2 is a grid's effects as plotter.GridXYZ: columns the first factor's levels,
// rows the second's.
type effectGrid2 struct {
	xs, ys []float64
	z      map[[2]float64]float64
}

func (g effectGrid2) Dims() (int, int)   { return len(g.xs), len(g.ys) }
func (g effectGrid2) X(c int) float64    { return float64(c) }
func (g effectGrid2) Y(r int) float64    { return float64(r) }
func (g effectGrid2) Z(c, r int) float64 { return g.z[[2]float64{g.xs[c], g.ys[r]}] }

// heatMap draws the effect over a grid of two factors, each cell labelled with its value
// (blue below zero, red above, white at none).
func heatMap(title string, fs []ManifestFactor, design [][]float64, eff []sim.Interval) (*plot.Plot, error) {
	g := effectGrid2{z: map[[2]float64]float64{}}
	bound := 0.0
	for pt, e := range eff {
		x, y := design[pt][0], design[pt][1]
		if !slices.Contains(g.xs, x) {
			g.xs = append(g.xs, x)
		}
		if !slices.Contains(g.ys, y) {
			g.ys = append(g.ys, y)
		}
		g.z[[2]float64{x, y}] = e.Mean
		if !math.IsNaN(e.Mean) {
			bound = max(bound, math.Abs(e.Mean))
		}
	}
	slices.Sort(g.xs)
	slices.Sort(g.ys)
	cm := moreland.SmoothBlueRed()
	if bound == 0 {
		bound = 1
	}
	cm.SetMin(-bound)
	cm.SetMax(bound)
	hm := plotter.NewHeatMap(g, cm.Palette(255))
	hm.Min, hm.Max = -bound, bound
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = fs[0].Key
	p.Y.Label.Text = fs[1].Key
	p.Add(hm)
	var labels plotter.XYLabels
	for c, x := range g.xs {
		for r, y := range g.ys {
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			labels.Labels = append(labels.Labels, compact(g.z[[2]float64{x, y}]))
		}
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = -0.5, -0.5
	}
	p.Add(l)
	p.X.Tick.Marker = indexTicks(g.xs)
	p.Y.Tick.Marker = indexTicks(g.ys)
	return p, nil
}

// indexTicks labels cell i with the factor's value there.
type indexTicks []float64

func (t indexTicks) Ticks(_, _ float64) []plot.Tick {
	out := make([]plot.Tick, len(t))
	for i, v := range t {
		out[i] = plot.Tick{Value: float64(i), Label: compact(v)}
	}
	return out
}

// compact labels a single value as sim's plots do (-1.19M, 25.3k), blank for none.
func compact(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return sim.CompactNumber(x)
}
