package sensitivity

import (
	"bufio"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cartelsim/cartelsim/experiment"
	"github.com/cartelsim/cartelsim/sim"
)

// File is the table Write writes.
const File = "sensitivity.csv"

// Header is sensitivity.csv's header: one row per target, factor and index. versus is
// empty for an output of one scenario, and names the reference for a policy's paired
// effect; index is S1 or ST (method sobol) or mu, mu_star or sigma (method morris);
// lo95 and hi95 bound the bootstrap 95% interval; noise_share is the target's replicate
// noise share; n is the base points (sobol) or trajectories (morris) behind the indices
// (without those set aside, whose world ran away), replicates per point.
const Header = "output,scenario,versus,method,factor,index,estimate,lo95,hi95,noise_share,n,replicates"

// Write writes the plots (plots/sensitivity_*.png) and then sensitivity.csv into outDir and
// returns the files written, relative to it.
func (r *Result) Write(outDir string) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(outDir, experiment.PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sensitivity: %w", err)
	}
	var files []string
	for _, t := range r.Targets {
		if t.Err != nil {
			continue
		}
		var p *plot.Plot
		var err error
		if t.Sobol != nil {
			p, err = r.sobolPlot(t)
		} else {
			p, err = r.morrisPlot(t)
		}
		if err != nil {
			return nil, err
		}
		name := "sensitivity_" + sim.FileName(t.Output) + "_" + sim.FileName(t.Scenario)
		if t.Versus != "" {
			name += "_vs_" + sim.FileName(t.Versus)
		}
		name = filepath.Join(experiment.PlotsDir, name+".png")
		if err := sim.SavePNG(p, 16*vg.Centimeter, 11*vg.Centimeter, filepath.Join(outDir, name)); err != nil {
			return nil, err
		}
		files = append(files, filepath.ToSlash(name))
	}
	if err := sim.WriteFileAtomic(filepath.Join(outDir, File), r.WriteCSV); err != nil {
		return nil, err
	}
	return append([]string{File}, files...), nil
}

// WriteCSV writes sensitivity.csv's rows. A target that does not vary over the design has
// one row, with index "none" and NaN estimates.
func (r *Result) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(Header + "\n")
	method := string(r.Manifest.Design.Kind)
	reps := r.Manifest.Replicates
	for _, t := range r.Targets {
		row := func(factor, index string, iv Interval) {
			fmt.Fprintf(bw, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d\n", sim.CSVField(t.Output), sim.CSVField(t.Scenario), sim.CSVField(t.Versus),
				method, sim.CSVField(factor), index, num(iv.Estimate), num(iv.Lo), num(iv.Hi), num(t.NoiseShare), r.Base-r.SetAside, reps)
		}
		nan := Interval{math.NaN(), math.NaN(), math.NaN()}
		switch {
		case t.Err != nil:
			row("", "none", nan)
		case t.Sobol != nil:
			for i, f := range r.Factors {
				row(f, "S1", t.Sobol.S1[i])
				row(f, "ST", t.Sobol.ST[i])
			}
		case t.Morris != nil:
			for i, f := range r.Factors {
				row(f, "mu", t.Morris.Mu[i])
				row(f, "mu_star", t.Morris.MuStar[i])
				row(f, "sigma", t.Morris.Sigma[i])
			}
		}
	}
	return bw.Flush()
}

// num writes a number as the experiment's files do (the shortest that reads back), NaN as
// NaN (which pandas, R and SALib's users read as missing).
func num(x float64) string {
	if math.IsNaN(x) {
		return "NaN"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

var (
	firstColor = color.RGBA{R: 31, G: 119, B: 180, A: 255} // the experiment's plots' blue
	totalColor = color.RGBA{R: 255, G: 127, B: 14, A: 255}
)

func (r *Result) title(t *Target) string {
	s := t.Name()
	if !math.IsNaN(t.NoiseShare) {
		s += fmt.Sprintf(" (replicate noise %.0f%% of variance)", 100*t.NoiseShare)
	}
	if r.SetAside > 0 {
		s += fmt.Sprintf("\n%s", r.SetAsideText())
	}
	return s
}

// sobolPlot draws each factor's S1 and ST as horizontal bars with their intervals, the
// factors top to bottom in the design's order.
func (r *Result) sobolPlot(t *Target) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = r.title(t)
	p.X.Label.Text = fmt.Sprintf("Sobol index (N = %d, 95%% bootstrap interval)", r.Base)
	p.X.Tick.Marker = sim.ValueTicks{}
	k := len(r.Factors)
	pos := func(i int) float64 { return float64(k - 1 - i) }
	s1 := bars{color: firstColor}
	st := bars{color: totalColor}
	var e1, et errorPoints
	for i := range r.Factors {
		a, b := t.Sobol.S1[i], t.Sobol.ST[i]
		s1.items = append(s1.items, bar{y: pos(i) + 0.18, x: a.Estimate, h: 0.32})
		st.items = append(st.items, bar{y: pos(i) - 0.18, x: b.Estimate, h: 0.32})
		e1.add(a, pos(i)+0.18)
		et.add(b, pos(i)-0.18)
	}
	p.Add(plotter.NewGrid(), s1, st)
	for _, e := range []errorPoints{e1, et} {
		if len(e.XYs) == 0 {
			continue
		}
		eb, err := plotter.NewXErrorBars(e)
		if err != nil {
			return nil, fmt.Errorf("sensitivity: %w", err)
		}
		p.Add(eb)
	}
	p.Legend.Add("first order S1", s1)
	p.Legend.Add("total ST", st)
	p.Legend.Top = true
	p.Y.Tick.Marker = factorTicks(r.Factors)
	p.Y.Min, p.Y.Max = -0.6, float64(k)+0.3 // a free row at the top for the legend
	p.X.Min = min(p.X.Min, 0)
	return p, nil
}

// morrisPlot draws each factor at (mu*, sigma), with mu*'s interval, labelled.
func (r *Result) morrisPlot(t *Target) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = r.title(t)
	p.X.Label.Text = fmt.Sprintf("mu* (mean |elementary effect|, r = %d, 95%% bootstrap interval)", r.Base)
	p.Y.Label.Text = "sigma (standard deviation of the effects)"
	p.X.Tick.Marker = sim.ValueTicks{}
	p.Y.Tick.Marker = sim.ValueTicks{}
	var e errorPoints
	var labels plotter.XYLabels
	for i, f := range r.Factors {
		y := t.Morris.Sigma[i].Estimate
		if math.IsNaN(y) {
			y = 0
		}
		e.add(t.Morris.MuStar[i], y)
		labels.XYs = append(labels.XYs, plotter.XY{X: t.Morris.MuStar[i].Estimate, Y: y})
		labels.Labels = append(labels.Labels, " "+f)
	}
	p.Add(plotter.NewGrid())
	if eb, err := plotter.NewXErrorBars(e); err == nil {
		eb.Color = color.Gray{Y: 160}
		p.Add(eb)
	}
	sc, err := plotter.NewScatter(e.XYs)
	if err != nil {
		return nil, fmt.Errorf("sensitivity: %w", err)
	}
	sc.GlyphStyle.Color = firstColor
	sc.GlyphStyle.Radius = vg.Points(3)
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("sensitivity: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = vg.Points(8)
	}
	p.Add(sc, l)
	p.X.Min, p.Y.Min = min(p.X.Min, 0), min(p.Y.Min, 0)
	p.X.Max *= 1.25 // room for the labels
	p.Y.Max *= 1.08
	return p, nil
}

// errorPoints are estimates with their intervals as x error bars (none where NaN).
type errorPoints struct {
	plotter.XYs
	plotter.XErrors
}

func (e *errorPoints) add(iv Interval, y float64) {
	lo, hi := iv.Estimate-iv.Lo, iv.Hi-iv.Estimate
	if math.IsNaN(lo) || math.IsNaN(hi) {
		lo, hi = 0, 0
	}
	e.XYs = append(e.XYs, plotter.XY{X: iv.Estimate, Y: y})
	e.XErrors = append(e.XErrors, struct{ Low, High float64 }{lo, hi})
}

type bar struct{ y, x, h float64 }

// bars are horizontal bars from 0 to x, centred on y, h high, in data coordinates.
type bars struct {
	items []bar
	color color.Color
}

func (b bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, it := range b.items {
		if math.IsNaN(it.x) {
			continue
		}
		x0, x1 := trX(0), trX(it.x)
		y0, y1 := trY(it.y-float64(it.h/2)), trY(it.y+float64(it.h/2)) // h/2 is h*0.5, which would fuse
		c.FillPolygon(b.color, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
	}
}

func (b bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = 0, 0, math.Inf(1), math.Inf(-1)
	for _, it := range b.items {
		if !math.IsNaN(it.x) {
			xmin, xmax = min(xmin, it.x), max(xmax, it.x)
		}
		ymin, ymax = min(ymin, it.y-float64(it.h/2)), max(ymax, it.y+float64(it.h/2))
	}
	return xmin, xmax, ymin, ymax
}

func (b bars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.color, pts)
}

// factorTicks labels the bars' rows with the factors, the first at the top.
type factorTicks []string

func (f factorTicks) Ticks(_, _ float64) []plot.Tick {
	out := make([]plot.Tick, len(f))
	for i, name := range f {
		out[i] = plot.Tick{Value: float64(len(f) - 1 - i), Label: name}
	}
	return out
}
