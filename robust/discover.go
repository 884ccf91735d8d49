package robust

import (
	"bufio"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cartelsim/cartelsim/internal/fpmath"
	"github.com/cartelsim/cartelsim/sim"
)

// Condition is what scenario discovery looks for at each point: a policy's effect on an
// output (policy minus reference, as effects.csv gives it) below or above a threshold;
// with Clear, its whole 95% replicate interval is.
type Condition struct {
	Policy, Output string
	Above          bool
	Threshold      float64
	Clear          bool
	// Relative: the threshold is a percentage of the reference's mean at the point (its
	// mean over the replicates in results.csv): -10 is "cuts it by more than 10%".
	Relative bool
}

func (c Condition) String() string {
	op := "<"
	if c.Above {
		op = ">"
	}
	s := fmt.Sprintf("effect of %s on %s %s %s", c.Policy, c.Output, op, fmtF(c.Threshold))
	if c.Relative {
		s += "% of the reference's mean"
	}
	if c.Clear {
		s += " (its whole 95% interval)"
	}
	return s
}

// Holds evaluates the condition at every point.
func (e *Experiment) Holds(c Condition) ([]bool, error) {
	m := e.Manifest
	s := slices.IndexFunc(m.Scenarios, func(sc experimentScenario) bool { return sc.Name == c.Policy })
	if s <= 0 {
		return nil, fmt.Errorf("robust: %s: no policy %q in the experiment (the policies are %s)", e.Dir, c.Policy, strings.Join(e.Policies(), ", "))
	}
	o := slices.IndexFunc(m.Outputs, func(mo experimentOutput) bool { return mo.Name == c.Output })
	if o < 0 {
		return nil, fmt.Errorf("robust: %s: no output %q in the experiment (the outputs are %s)", e.Dir, c.Output, strings.Join(e.OutputNames(), ", "))
	}
	var ref []float64
	if c.Relative {
		var err error
		if ref, err = e.ReferenceMeans(o); err != nil {
			return nil, err
		}
	}
	y := make([]bool, e.N())
	for p, iv := range e.Effects[o][s] {
		v := iv.Mean
		if c.Clear {
			v = iv.Hi
			if c.Above {
				v = iv.Lo
			}
		}
		if c.Relative {
			if ref[p] == 0 {
				return nil, fmt.Errorf("robust: %s: %s is 0 in %s at point %d, so an effect relative to it is undefined", e.Dir, c.Output, m.Scenarios[0].Name, e.Points[p])
			}
			v = 100 * v / math.Abs(ref[p])
		}
		y[p] = v < c.Threshold
		if c.Above {
			y[p] = v > c.Threshold
		}
	}
	return y, nil
}

// OutputNames are the experiment's outputs.
func (e *Experiment) OutputNames() []string {
	var out []string
	for _, o := range e.Manifest.Outputs {
		out = append(out, o.Name)
	}
	return out
}

// Discovery is PRIM run over an experiment's design for a condition.
type Discovery struct {
	Condition Condition
	Holds     []bool
	*PRIMResult
	// Bounds are the chosen box's restrictions as they read.
	Bounds []Bound
	// Text is the chosen box as it reads: "economy.rebuild_weeks > 10.8 and ...".
	Text string
}

// Discover runs PRIM over the experiment's factors for the condition.
func Discover(e *Experiment, c Condition, opts PRIMOptions) (*Discovery, error) {
	y, err := e.Holds(c)
	if err != nil {
		return nil, err
	}
	res, err := PRIM(e.Design, y, opts)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, c)
	}
	d := &Discovery{Condition: c, Holds: y, PRIMResult: res}
	d.Bounds = Bounds(res.Chosen, e.Design, e.logFactors())
	d.Text = Describe(d.Bounds, e.factorKeys())
	return d, nil
}

func (e *Experiment) logFactors() []bool {
	var out []bool
	for _, f := range e.Manifest.Factors {
		out = append(out, f.Scale == "log-uniform")
	}
	return out
}

func (e *Experiment) factorKeys() []string {
	var out []string
	for _, f := range e.Manifest.Factors {
		out = append(out, f.Key)
	}
	return out
}

// WriteDiscovery writes discovery.csv (each box of the peeling trajectory, then the
// chosen box, with its bounds as they read), plots/discovery_trajectory.png (density
// against coverage along the trajectory) and plots/discovery_box.png (the points on the
// chosen box's two most restricted factors, the condition marked, the box drawn). It
// returns the files written, relative to dir.
func WriteDiscovery(dir string, e *Experiment, d *Discovery) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("robust: %w", err)
	}
	keys, logs := e.factorKeys(), e.logFactors()
	err := sim.WriteFileAtomic(filepath.Join(dir, DiscoveryFile), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		head := []string{"box", "points", "hits", "coverage", "density", "mass", "restricted"}
		for _, k := range keys {
			head = append(head, k+"_above", k+"_below", k+"_p")
		}
		bw.WriteString(strings.Join(head, ",") + "\n")
		row := func(label string, b Box) {
			f := []string{label, strconv.Itoa(b.Points), strconv.Itoa(b.Hits), fmtF(b.Coverage), fmtF(b.Density), fmtF(b.Mass), strconv.Itoa(len(b.Restricted()))}
			bounds := Bounds(b, e.Design, logs)
			for i := range keys {
				above, below, p := math.NaN(), math.NaN(), math.NaN()
				if j := slices.IndexFunc(bounds, func(bd Bound) bool { return bd.Factor == i }); j >= 0 {
					above, below, p = bounds[j].Above, bounds[j].Below, bounds[j].P
				}
				f = append(f, fmtF(above), fmtF(below), fmtF(p))
			}
			bw.WriteString(strings.Join(f, ",") + "\n")
		}
		for s, b := range d.Trajectory {
			row(strconv.Itoa(s), b)
		}
		row("chosen", d.Chosen)
		return bw.Flush()
	})
	if err != nil {
		return nil, err
	}
	files := []string{DiscoveryFile}

	// The trajectory: density against coverage.
	p := plot.New()
	p.Title.Text = "PRIM peeling trajectory: " + d.Condition.String()
	p.X.Label.Text = "coverage (share of the points where it holds that are in the box)"
	p.Y.Label.Text = "density (share of the box's points where it holds)"
	var traj plotter.XYs
	for _, b := range d.Trajectory {
		traj = append(traj, plotter.XY{X: b.Coverage, Y: b.Density})
	}
	l, sc, err := plotter.NewLinePoints(traj)
	if err != nil {
		return nil, fmt.Errorf("robust: %w", err)
	}
	l.Color, sc.Color, sc.Radius = color.Gray{Y: 120}, color.RGBA{R: 31, G: 119, B: 180, A: 255}, vg.Points(2)
	chosen, _ := plotter.NewScatter(plotter.XYs{{X: d.Chosen.Coverage, Y: d.Chosen.Density}})
	chosen.Color, chosen.Radius, chosen.Shape = color.RGBA{R: 214, G: 39, B: 40, A: 255}, vg.Points(5), draw.RingGlyph{}
	p.Add(plotter.NewGrid(), l, sc, chosen)
	p.Legend.Add("peeling trajectory", l, sc)
	p.Legend.Add("chosen box", chosen)
	p.Legend.Left = true
	name := filepath.ToSlash(filepath.Join(PlotsDir, "discovery_trajectory.png"))
	if err := savePlot(p, filepath.Join(dir, name)); err != nil {
		return nil, err
	}
	files = append(files, name)

	if len(keys) < 2 {
		return files, removeStale(dir, "discovery_box.png", files)
	}
	// The box's projection on its two most restricted factors: the ones whose bounds
	// keep the least of their range (the factors in order where fewer are restricted).
	share := func(i int) float64 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, row := range e.Design {
			lo, hi = min(lo, row[i]), max(hi, row[i])
		}
		b := d.Chosen
		return (min(b.Hi[i], hi) - max(b.Lo[i], lo)) / (hi - lo)
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return share(order[a]) < share(order[b]) })
	fx, fy := min(order[0], order[1]), max(order[0], order[1])
	p = plot.New()
	p.Title.Text = d.Text
	p.X.Label.Text, p.Y.Label.Text = keys[fx], keys[fy]
	p.X.Tick.Marker, p.Y.Tick.Marker = sim.ValueTicks{}, sim.ValueTicks{}
	if logs[fx] {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if logs[fy] {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	var yes, no plotter.XYs
	for pt, row := range e.Design {
		xy := plotter.XY{X: row[fx], Y: row[fy]}
		if d.Holds[pt] {
			yes = append(yes, xy)
		} else {
			no = append(no, xy)
		}
	}
	for _, g := range []struct {
		pts   plotter.XYs
		c     color.Color
		shape draw.GlyphDrawer
		label string
	}{{no, color.Gray{Y: 170}, draw.CircleGlyph{}, "does not hold"}, {yes, color.RGBA{R: 214, G: 39, B: 40, A: 255}, draw.CrossGlyph{}, "holds"}} {
		if len(g.pts) == 0 {
			continue
		}
		s, _ := plotter.NewScatter(g.pts)
		s.Color, s.Shape, s.Radius = g.c, g.shape, vg.Points(2.5)
		p.Add(s)
		p.Legend.Add(g.label, s)
	}
	// The box's edges: the readable bounds, or the data's range where unrestricted.
	edge := func(i int, above bool) float64 {
		for _, b := range d.Bounds {
			if b.Factor == i {
				if above && !math.IsNaN(b.Above) {
					return b.Above
				}
				if !above && !math.IsNaN(b.Below) {
					return b.Below
				}
			}
		}
		v := math.Inf(1)
		if !above {
			v = math.Inf(-1)
		}
		for _, row := range e.Design {
			if above {
				v = min(v, row[i])
			} else {
				v = max(v, row[i])
			}
		}
		return v
	}
	x0, x1, y0, y1 := edge(fx, true), edge(fx, false), edge(fy, true), edge(fy, false)
	box, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
	box.Color, box.Width = color.RGBA{R: 31, G: 119, B: 180, A: 255}, vg.Points(1.5)
	p.Add(box)
	// Room around the points, and above them for the legend.
	pad := func(a *plot.Axis, i int, log bool, top float64) {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, row := range e.Design {
			lo, hi = min(lo, row[i]), max(hi, row[i])
		}
		if log && lo > 0 {
			r := fpmath.Log(hi / lo)
			a.Min, a.Max = lo*fpmath.Exp(-0.05*r), hi*fpmath.Exp(top*r)
			return
		}
		r := max(hi-lo, 1e-9)
		a.Min, a.Max = lo-float64(0.05*r), hi+float64(top*r)
	}
	pad(&p.X, fx, logs[fx], 0.05)
	pad(&p.Y, fy, logs[fy], 0.3)
	p.Legend.Add(fmt.Sprintf("box: coverage %.2f, density %.2f", d.Chosen.Coverage, d.Chosen.Density), box)
	p.Legend.Top = true
	name = filepath.ToSlash(filepath.Join(PlotsDir, "discovery_box.png"))
	if err := savePlot(p, filepath.Join(dir, name)); err != nil {
		return nil, err
	}
	return append(files, name), nil
}
