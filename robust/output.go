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
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/cartelsim/cartelsim/sim"
)

// Files the commands write in their output directory.
const (
	RobustnessFile = "robustness.csv"
	DiscoveryFile  = "discovery.csv"
	PlotsDir       = "plots"
)

const (
	plotWidth  = 16 * vg.Centimeter
	plotHeight = 11 * vg.Centimeter
)

// fmtF writes a number as short as it reads back exactly; NaN as an empty field.
func fmtF(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// WriteRobustness writes robustness.csv and, for each output, plots/robustness_OUTPUT.png:
// each policy's effects over the points, sorted (the effect's quantile function over
// the futures). It returns the files written, relative to dir.
func WriteRobustness(dir string, e *Experiment, rows []Robustness) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("robust: %w", err)
	}
	err := sim.WriteFileAtomic(filepath.Join(dir, RobustnessFile), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString("output,metric,better,option,versus,points,share,share_lo95,share_hi95,clear_share,clear_against," +
			"effect_q05,effect_q25,effect_median,effect_q75,effect_q95,mean_regret,max_regret,minimax_rank\n")
		for _, r := range rows {
			rank := ""
			if r.Rank > 0 {
				rank = strconv.Itoa(r.Rank)
			}
			fields := []string{r.Output, r.Metric, string(r.Direction), r.Policy, r.Versus, strconv.Itoa(r.Points),
				fmtF(r.Share), fmtF(r.ShareLo), fmtF(r.ShareHi), fmtF(r.Clear), fmtF(r.Against)}
			for _, q := range r.Quantiles {
				fields = append(fields, fmtF(q))
			}
			fields = append(fields, fmtF(r.MeanRegret), fmtF(r.MaxRegret), rank)
			bw.WriteString(strings.Join(fields, ",") + "\n")
		}
		return bw.Flush()
	})
	if err != nil {
		return nil, err
	}
	files := []string{RobustnessFile}
	m := e.Manifest
	for o, mo := range m.Outputs {
		if !slices.ContainsFunc(rows, func(r Robustness) bool { return r.Output == mo.Name }) {
			continue
		}
		p := plot.New()
		p.Title.Text = robustnessTitle(mo.Name, m.Scenarios[0].Name, e.PointsText())
		p.X.Label.Text = "share of points with a smaller effect"
		p.Y.Label.Text = "effect (" + mo.Metric + ", " + betterText(DirectionOf(mo.Metric)) + ")"
		p.Y.Tick.Marker = sim.ValueTicks{}
		// Sorted effects rise from the lower left to the upper right, so the lower right
		// corner is where no curve is.
		p.Legend.Top, p.Legend.Left = false, false
		zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
		zero.Color = color.Gray{Y: 140}
		zero.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(zero)
		for s := 1; s < len(m.Scenarios); s++ {
			eff := make([]float64, e.N())
			for pt, iv := range e.Effects[o][s] {
				eff[pt] = iv.Mean
			}
			slices.Sort(eff)
			xy := make(plotter.XYs, len(eff))
			for i, v := range eff {
				xy[i] = plotter.XY{X: (float64(i) + 0.5) / float64(len(eff)), Y: v}
			}
			l, sc, err := plotter.NewLinePoints(xy)
			if err != nil {
				return nil, fmt.Errorf("robust: %w", err)
			}
			// Colours repeat after seven policies: the next seven are dashed, with other glyphs.
			l.Color, l.Dashes = plotutil.Color(s-1), plotutil.Dashes((s-1)/7)
			sc.Color, sc.Radius, sc.Shape = l.Color, vg.Points(2), plotutil.Shape((s-1)/7)
			p.Add(l, sc)
			p.Legend.Add(m.Scenarios[s].Name, l, sc)
		}
		p.Add(plotter.NewGrid())
		name := filepath.ToSlash(filepath.Join(PlotsDir, "robustness_"+sim.FileName(mo.Name)+".png"))
		if err := savePlot(p, filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		files = append(files, name)
	}
	return files, removeStale(dir, "robustness_*.png", files)
}

// removeStale removes the plots matching pattern in dir/plots that an earlier call wrote
// and this one did not (another choice of outputs, say), so none is left looking current.
func removeStale(dir, pattern string, keep []string) error {
	old, _ := filepath.Glob(filepath.Join(dir, PlotsDir, pattern))
	for _, path := range old {
		rel := filepath.ToSlash(filepath.Join(PlotsDir, filepath.Base(path)))
		if !slices.Contains(keep, rel) {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("robust: %w", err)
			}
		}
	}
	return nil
}

func betterText(d Direction) string {
	switch d {
	case Lower:
		return "lower is better"
	case Higher:
		return "higher is better"
	}
	return "no better direction"
}

func savePlot(p *plot.Plot, path string) error {
	return sim.SavePNG(p, plotWidth, plotHeight, path)
}

// titleWidth is about the most characters a plot title holds on one line at the plots'
// width; a longer one is clipped at both ends.
const titleWidth = 72

// robustnessTitle titles the robustness plot of an output, on two lines if one would not
// hold it.
func robustnessTitle(output, reference, points string) string {
	t := fmt.Sprintf("%s: each policy minus %s over %s", output, reference, points)
	if len(t) > titleWidth {
		t = fmt.Sprintf("%s: each policy minus %s\nover %s", output, reference, points)
	}
	return t
}
