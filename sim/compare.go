package sim

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cartelsim/cartelsim/model"
)

// ComparisonFile is the table `cartelsim compare` writes.
const ComparisonFile = "comparison.csv"

// HorizonWindow is the number of weeks, ending at a horizon, over which a comparison
// averages each metric: a year, so that weekly flows are read as yearly rates and
// seasonally quiet weeks do not decide a comparison.
const HorizonWindow = 52

// DefaultCompareMetrics are the metrics compare plots and prints unless told otherwise.
var DefaultCompareMetrics = []model.Metric{model.Homicides, model.Supply, model.Members, model.Groups,
	model.Labs, model.Revenue, model.CooperationIndex, model.CivilianCasualties}

// CompareOptions control a comparison.
type CompareOptions struct {
	OutDir  string
	Force   bool
	Workers int
	// Horizons are weeks of the run (1 to Weeks) at which to compare; none: one year in,
	// five years in and the end.
	Horizons []int
	// Metrics are plotted and printed; every metric goes into comparison.csv.
	Metrics  []model.Metric
	Progress func(scenario string, done, total int)
}

// Interval is a mean with the bounds of an interval around it.
type Interval struct{ Mean, Lo, Hi float64 }

// ComparisonRow is one scenario's value of one metric at one horizon: the mean over
// replicates of the metric's mean over the HorizonWindow weeks to the horizon, the 5% and
// 95% quantiles over replicates, and the difference of means from the reference (the
// first scenario) with its 95% confidence interval (not for the reference itself).
type ComparisonRow struct {
	Metric   model.Metric
	Week     int
	Scenario string
	Value    Interval // mean, p05, p95 across replicates
	Diff     *Interval
}

// Comparison is the result of Compare.
type Comparison struct {
	Scenarios  []string // the first is the reference
	Seed       uint64
	Replicates int
	Clock      Clock
	Horizons   []int
	Rows       []ComparisonRow // by metric, then horizon, then scenario
}

// PairingNote says how the differences are paired, for the table's readers.
const PairingNote = "common random numbers: replicate r of every scenario draws from the same stream (seed, r), " +
	"so the scenarios share their world until their interventions first differ; differences are paired " +
	"replicate by replicate, with a paired t interval"

// Compare runs each scenario with the same seed and replicate count into OutDir/<name>/,
// then writes OutDir/comparison.csv and overlay plots of the key metrics in
// OutDir/plots/. The first scenario is the reference. The scenarios must share their start
// and length; their seed and replicate count are set to the first's (callers override
// them on the first beforehand).
func Compare(ctx context.Context, scs []*Scenario, opts CompareOptions) (*Comparison, error) {
	if len(scs) < 2 {
		return nil, errors.New("sim: compare needs at least two scenarios")
	}
	ref := scs[0]
	seen := map[string]bool{}
	for _, sc := range scs {
		switch {
		case seen[sc.Name]:
			return nil, fmt.Errorf("sim: two scenarios are named %q; compare writes each to its own directory by name", sc.Name)
		case !sc.Clock.Start.Equal(ref.Clock.Start) || sc.Clock.Weeks != ref.Clock.Weeks:
			return nil, fmt.Errorf("sim: %s runs %d weeks from %s, %s %d weeks from %s: compared scenarios must share start and length",
				sc.Name, sc.Clock.Weeks, sc.Clock.Start.Format(time.DateOnly), ref.Name, ref.Clock.Weeks, ref.Clock.Start.Format(time.DateOnly))
		case sc.Mode != ref.Mode:
			return nil, fmt.Errorf("sim: %s runs in %s mode, %s in %s: compared scenarios must share their mode", sc.Name, sc.Mode, ref.Name, ref.Mode)
		}
		if _, err := SafeJoin(opts.OutDir, sc.Name); err != nil {
			return nil, err
		}
		seen[sc.Name] = true
		sc.Seed, sc.Replicates = ref.Seed, ref.Replicates
	}
	horizons, err := compareHorizons(opts.Horizons, ref.Clock.Weeks)
	if err != nil {
		return nil, err
	}
	metrics := opts.Metrics
	if len(metrics) == 0 {
		metrics = DefaultCompareMetrics
	}
	if err := prepareOutput(opts.OutDir, opts.Force); err != nil {
		return nil, err
	}
	var probes []Probe
	for m := range model.NumMetrics {
		for _, h := range horizons {
			probes = append(probes, Probe{Metric: m, From: max(1, h-HorizonWindow+1), To: h})
		}
	}
	values := make([][][]float64, len(scs)) // scenario, probe, replicate
	dirs := make([]string, len(scs))
	for k, sc := range scs {
		if dirs[k], err = SafeJoin(opts.OutDir, sc.Name); err != nil {
			return nil, err
		}
		col := &Collector{Probes: probes}
		run := RunOptions{OutDir: dirs[k], Force: opts.Force, Workers: opts.Workers, Folders: []Folder{col}}
		if opts.Progress != nil {
			run.Progress = func(done, total int) { opts.Progress(sc.Name, done, total) }
		}
		if _, err := Execute(ctx, sc, run); err != nil {
			return nil, fmt.Errorf("sim: %s: %w", sc.Name, err)
		}
		values[k] = col.Values
	}
	c := &Comparison{Seed: ref.Seed, Replicates: len(values[0][0]), Clock: ref.Clock, Horizons: horizons}
	for _, sc := range scs {
		c.Scenarios = append(c.Scenarios, sc.Name)
	}
	for p, pr := range probes {
		window := float64(pr.To - pr.From + 1)
		means := make([][]float64, len(scs))
		for k := range scs {
			means[k] = make([]float64, len(values[k][p]))
			for r, v := range values[k][p] {
				means[k][r] = v / window
			}
		}
		for k := range scs {
			row := ComparisonRow{Metric: pr.Metric, Week: pr.To, Scenario: scs[k].Name, Value: Spread(means[k])}
			if k > 0 {
				d := PairedDifference(means[k], means[0], 0.95)
				row.Diff = &d
			}
			c.Rows = append(c.Rows, row)
		}
	}
	if err := writeFileAtomic(filepath.Join(opts.OutDir, ComparisonFile), c.writeCSV); err != nil {
		return nil, err
	}
	if _, err := OverlayPlots(dirs, metrics, filepath.Join(opts.OutDir, PlotsDir)); err != nil {
		return nil, err
	}
	return c, nil
}

// compareHorizons checks the horizons asked for, or picks one year in, five years in and
// the end of a run of the given length.
func compareHorizons(asked []int, weeks int) ([]int, error) {
	if len(asked) == 0 {
		for _, h := range []int{HorizonWindow, 5 * HorizonWindow, weeks} {
			if h <= weeks {
				asked = append(asked, h)
			}
		}
	}
	for _, h := range asked {
		if h < 1 || h > weeks {
			return nil, fmt.Errorf("sim: horizon week %d is outside the run (1 to %d)", h, weeks)
		}
	}
	h := slices.Clone(asked)
	slices.Sort(h)
	return slices.Compact(h), nil
}

// Spread returns the mean of xs and its 5% and 95% empirical quantiles (gonum's
// stat.Empirical: the smallest value with at least that share of values at or below it).
func Spread(xs []float64) Interval {
	s := slices.Clone(xs)
	slices.Sort(s)
	return Interval{
		Mean: stat.Mean(s, nil),
		Lo:   stat.Quantile(0.05, stat.Empirical, s, nil),
		Hi:   stat.Quantile(0.95, stat.Empirical, s, nil),
	}
}

// PairedDifference is the mean of a[r] - b[r] with its two-sided confidence interval at
// the given level from Student's t with n-1 degrees of freedom. With fewer than two
// pairs, or pairs that never differ, the interval is the mean itself.
func PairedDifference(a, b []float64, level float64) Interval {
	d := make([]float64, len(a))
	for r := range a {
		d[r] = a[r] - b[r]
	}
	mean, sd := stat.MeanStdDev(d, nil)
	if len(d) < 2 || sd == 0 {
		return Interval{mean, mean, mean}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(d) - 1)}.Quantile(0.5 + level/2)
	half := t * sd / math.Sqrt(float64(len(d)))
	return Interval{mean, mean - half, mean + half}
}

// writeCSV writes the table: one row per metric, horizon and scenario.
func (c *Comparison) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"metric", "week", "date", "window_weeks", "scenario", "replicates", "mean", "p05", "p95",
		"versus", "diff", "diff_lo95", "diff_hi95"}
	if err := cw.Write(header); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }
	for _, row := range c.Rows {
		rec := []string{row.Metric.String(), strconv.Itoa(row.Week), c.Clock.Date(row.Week).Format(time.DateOnly),
			strconv.Itoa(min(HorizonWindow, row.Week)), row.Scenario, strconv.Itoa(c.Replicates),
			f(row.Value.Mean), f(row.Value.Lo), f(row.Value.Hi), "", "", "", ""}
		if row.Diff != nil {
			rec[9], rec[10], rec[11], rec[12] = c.Scenarios[0], f(row.Diff.Mean), f(row.Diff.Lo), f(row.Diff.Hi)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Summary writes a table of the given metrics for people: at each horizon, each
// scenario's mean and 90% range across replicates, and its difference from the reference
// with the 95% interval, marked when the interval excludes zero.
func (c *Comparison) Summary(w io.Writer, metrics []model.Metric) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Compared with %s: %d replicates each, seed %d; %s.\n", c.Scenarios[0], c.Replicates, c.Seed, PairingNote)
	fmt.Fprintf(&b, "Each value is a metric's mean over the %d weeks to the horizon; \"90%% range\" spans replicates, \"95%% CI\" is for the difference of means (* : excludes 0).\n", HorizonWindow)
	name := 10
	for _, s := range c.Scenarios {
		name = max(name, len(s))
	}
	for _, m := range metrics {
		info := m.Info()
		for _, h := range c.Horizons {
			fmt.Fprintf(&b, "\n%s (%s), year to %s (week %d)\n", info.Name, info.Unit, c.Clock.Date(h).Format(time.DateOnly), h)
			fmt.Fprintf(&b, "  %-*s %12s  %-25s  %s\n", name, "scenario", "mean", "90% range", "difference (95% CI)")
			for _, row := range c.Rows {
				if row.Metric != m || row.Week != h {
					continue
				}
				rng := "[" + num(row.Value.Lo) + ", " + num(row.Value.Hi) + "]"
				diff := "(reference)"
				if d := row.Diff; d != nil {
					diff = signed(d.Mean) + " [" + signed(d.Lo) + ", " + signed(d.Hi) + "]"
					if d.Lo > 0 || d.Hi < 0 {
						diff += " *"
					}
				}
				fmt.Fprintf(&b, "  %-*s %12s  %-25s  %s\n", name, row.Scenario, num(row.Value.Mean), rng, diff)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// num formats a value with four significant digits, in plain notation where that is short.
func num(x float64) string {
	a := math.Abs(x)
	if a != 0 && (a >= 1e7 || a < 1e-3) {
		return strconv.FormatFloat(x, 'e', 3, 64)
	}
	return strconv.FormatFloat(x, 'f', max(0, 3-int(math.Floor(math.Log10(max(a, 1))))), 64)
}

func signed(x float64) string {
	if x >= 0 {
		return "+" + num(x)
	}
	return num(x)
}

// LoadScenarios reads several scenario files, stopping at the first error.
func LoadScenarios(paths []string) ([]*Scenario, error) {
	scs := make([]*Scenario, len(paths))
	for i, p := range paths {
		var err error
		if scs[i], err = LoadScenario(p); err != nil {
			return nil, err
		}
	}
	return scs, nil
}
