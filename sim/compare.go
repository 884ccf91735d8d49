package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The files `cartelsim compare` writes besides its runs: the table of every metric, the
// printed table, and last the manifest of the comparison.
const (
	ComparisonFile         = "comparison.csv"
	ComparisonTextFile     = "comparison.txt"
	ComparisonManifestFile = "comparison.json"
)

// HorizonWindow is the number of weeks, ending at a horizon, over which a comparison
// averages each metric: a year, so that weekly flows are read as yearly rates and
// seasonally quiet weeks do not decide a comparison.
const HorizonWindow = 52

// DefaultCompareMetrics are the metrics compare plots and prints unless told otherwise.
var DefaultCompareMetrics = []model.Metric{model.Homicides, model.Supply, model.OverdoseDeaths, model.Members, model.Groups,
	model.Labs, model.Revenue, model.CooperationIndex, model.CivilianCasualties}

// CompareOptions control a comparison.
type CompareOptions struct {
	OutDir  string
	Force   bool
	Workers int
	// Horizons are weeks of the run (1 to Weeks) at which to compare; none: 1, 4 and 8
	// years after the scenarios first differ (DefaultHorizons).
	Horizons []int
	// Metrics are plotted and printed; every metric goes into comparison.csv. None: the
	// DefaultCompareMetrics that are not 0 throughout (Comparison.Dropped).
	Metrics []model.Metric
	// Progress, if set, is called after each replicate with the number of replicates
	// done and their total: the scenarios run together, replicate r of each at once.
	Progress func(done, total int)
	// Command, if set, is recorded in comparison.json: the command line that asked for
	// the comparison.
	Command string
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
	Clock      scenario.Clock
	Horizons   []int
	Rows       []ComparisonRow // by metric, then horizon, then scenario
	// FirstDifference is the first week in which a scenario's world or interventions
	// differ from the reference's (0: never); DefaultHorizons says the horizons were
	// chosen from it rather than asked for.
	FirstDifference int
	DefaultHorizons bool
	// Metrics are those in the printed table and the plots: the ones asked for or, by
	// default, those of DefaultCompareMetrics that are not 0 in every week of every
	// replicate of every scenario; Dropped are the defaults left out for being 0.
	Metrics, Dropped []model.Metric
	// PerDraw, above 1, says that consecutive blocks of PerDraw replicates share a
	// posterior draw (compare --posterior), and that the intervals take those blocks as
	// their units.
	PerDraw int
}

// nonZero is a Folder that notes the metrics that are not 0 in some week of a replicate.
type nonZero [model.NumMetrics]bool

func (z *nonZero) Fold(_ int, series []float64) error {
	for i, x := range series {
		if x != 0 {
			z[i%len(z)] = true
		}
	}
	return nil
}

// PairingNote says how the differences are paired, for the table's readers.
const PairingNote = "common random numbers: replicate r of every scenario draws from the same stream (seed, r), " +
	"so the scenarios share their world until their interventions first differ; differences are paired " +
	"replicate by replicate, with a paired t interval"

// Compare runs each scenario with the same seed and replicate count into OutDir/<name>/,
// then writes OutDir/comparison.csv and overlay plots of the key metrics in
// OutDir/plots/. The scenarios run together (ExecuteBranched): replicate r of each at
// once, the weeks they share simulated once. The first scenario is the reference. The scenarios must share their start
// and length; their seed and replicate count are set to the first's (callers override
// them on the first beforehand).
func Compare(ctx context.Context, scs []*scenario.Scenario, opts CompareOptions) (*Comparison, error) {
	if len(scs) < 2 {
		return nil, errors.New("sim: compare needs at least two scenarios")
	}
	if err := checkComparable(scs); err != nil {
		return nil, err
	}
	ref := scs[0]
	for _, sc := range scs {
		if _, err := scenario.SafeJoin(opts.OutDir, sc.Name); err != nil {
			return nil, err
		}
		sc.Seed, sc.Replicates = ref.Seed, ref.Replicates
	}
	first := 0
	for _, sc := range scs[1:] {
		if w := firstDifference(ref, sc); w > 0 && (first == 0 || w < first) {
			first = w
		}
	}
	horizons, err := compareHorizons(opts.Horizons, ref.Clock.Weeks, first)
	if err != nil {
		return nil, err
	}
	replicates := ref.Replicates
	if ref.Mode == model.MeanField {
		replicates = 1
	}
	shapes := make([]statShape, len(scs))
	for k, sc := range scs {
		world, err := sc.NewWorld()
		if err != nil {
			return nil, err
		}
		shapes[k] = runShape(world, sc.Clock, ensemble.WorkerCount(opts.Workers))
	}
	if err := checkFitsRuns(opts.OutDir, ref.Clock.Weeks, replicates, false, shapes, 0, 0); err != nil {
		return nil, err
	}
	if err := prepareComparison(opts.OutDir, opts.Force); err != nil {
		return nil, err
	}
	var probes []ensemble.Probe
	for m := range model.NumMetrics {
		for _, h := range horizons {
			probes = append(probes, ensemble.Probe{Metric: m, From: max(1, h-HorizonWindow+1), To: h})
		}
	}
	var nonzero nonZero
	values := make([][][]float64, len(scs)) // scenario, probe, replicate
	dirs := make([]string, len(scs))
	cols := make([]*ensemble.Collector, len(scs))
	runs := make([]RunOptions, len(scs))
	for k, sc := range scs {
		if dirs[k], err = scenario.SafeJoin(opts.OutDir, sc.Name); err != nil {
			return nil, err
		}
		cols[k] = &ensemble.Collector{Probes: probes}
		runs[k] = RunOptions{OutDir: dirs[k], Force: opts.Force, Workers: opts.Workers, Folders: []ensemble.Folder{cols[k], &nonzero}}
	}
	if opts.Progress != nil {
		runs[0].Progress = opts.Progress
	}
	// The scenarios run together, replicate by replicate, their shared past once.
	if _, err := ExecuteBranched(ctx, scs, runs); err != nil {
		k := 0
		var we *ensemble.WorldError
		if errors.As(err, &we) {
			k, err = we.World, we.Err
		}
		if ctx.Err() != nil {
			return nil, interrupted(opts.OutDir, scs, err)
		}
		return nil, fmt.Errorf("sim: %s: %w", scs[k].Name, err)
	}
	for k := range scs {
		values[k] = cols[k].Values
	}
	c := &Comparison{Seed: ref.Seed, Replicates: len(values[0][0]), Clock: ref.Clock, Horizons: horizons,
		FirstDifference: first, DefaultHorizons: len(opts.Horizons) == 0}
	for _, sc := range scs {
		c.Scenarios = append(c.Scenarios, sc.Name)
	}
	c.Metrics = opts.Metrics
	if len(c.Metrics) == 0 {
		for _, m := range DefaultCompareMetrics {
			if nonzero[m] {
				c.Metrics = append(c.Metrics, m)
			} else {
				c.Dropped = append(c.Dropped, m)
			}
		}
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
	if err := WriteFileAtomic(filepath.Join(opts.OutDir, ComparisonFile), c.writeCSV); err != nil {
		return nil, err
	}
	if err := WriteFileAtomic(filepath.Join(opts.OutDir, ComparisonTextFile), c.Summary); err != nil {
		return nil, err
	}
	plots, err := OverlayPlotsShaded(dirs, c.Metrics, filepath.Join(opts.OutDir, PlotsDir), InterventionWindows(scs))
	if err != nil {
		return nil, err
	}
	m := c.manifest(scs, opts.Command)
	for _, p := range plots {
		m.Files = append(m.Files, filepath.ToSlash(filepath.Join(PlotsDir, filepath.Base(p))))
	}
	if err := WriteFileAtomic(filepath.Join(opts.OutDir, ComparisonManifestFile), func(w io.Writer) error { return writeJSON(w, m) }); err != nil {
		return nil, err
	}
	return c, nil
}

// DefaultHorizonYears are the default horizons, in years of HorizonWindow weeks after the
// week before the scenarios first differ: the first averages exactly the first year of
// the difference, the others its medium and long run. Horizons past the end of the run
// become the run's last week.
var DefaultHorizonYears = []int{1, 4, 8}

// defaultHorizonYearsText is DefaultHorizonYears as prose: "1, 4 and 8".
func defaultHorizonYearsText() string {
	ys := make([]string, len(DefaultHorizonYears))
	for i, y := range DefaultHorizonYears {
		ys[i] = strconv.Itoa(y)
	}
	if len(ys) < 2 {
		return strings.Join(ys, "")
	}
	return strings.Join(ys[:len(ys)-1], ", ") + " and " + ys[len(ys)-1]
}

// compareHorizons checks the horizons asked for or, when none were, picks
// DefaultHorizonYears after first, the first week in which the scenarios differ (from
// the start of the run when they never do).
func compareHorizons(asked []int, weeks, first int) ([]int, error) {
	if len(asked) == 0 {
		for _, years := range DefaultHorizonYears {
			asked = append(asked, min(max(first, 1)-1+years*HorizonWindow, weeks))
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

// firstDifference is the first week (1 to the run's length) whose step may differ
// between two scenarios as the model sees them (model.FirstDifference), or 0 if none
// does. Worlds that differ in anything but their interventions (parameters, groups,
// sections) differ from week 1 (their warm-ups differ too, but those are not weeks of
// the run).
func firstDifference(a, b *scenario.Scenario) int {
	w := model.FirstDifference(a.Config(), b.Config())
	if w > a.Clock.Weeks {
		return 0
	}
	return max(w, 1)
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

// DrawPairedDifference is PairedDifference where consecutive blocks of perDraw pairs share
// a posterior draw, and so are not independent: the draws are the units. The mean is the
// pairs'; its variance is the cluster-robust one, G/(G-1) sum_g S_g^2 / N^2 over the G
// blocks, S_g the sum of block g's differences from the mean (N pairs in all, a last
// block maybe shorter); the interval is Student's t with G-1 degrees of freedom. With
// equal blocks that is the paired interval of the blocks' means, so blocks whose sums tie
// give an interval of no width, however their pairs differ; with perDraw 1 it is
// PairedDifference's, which it returns. Pairs that never differ give the mean itself;
// fewer than two blocks give NaN bounds.
func DrawPairedDifference(a, b []float64, perDraw int, level float64) Interval {
	if perDraw <= 1 {
		return PairedDifference(a, b, level)
	}
	d := differences(a, b)
	mean := stat.Mean(d, nil)
	g := (len(d) + perDraw - 1) / perDraw
	if g < 2 {
		return Interval{mean, math.NaN(), math.NaN()}
	}
	if !slices.ContainsFunc(d, func(x float64) bool { return x != d[0] }) {
		return Interval{mean, mean, mean} // as PairedDifference: no spread, not one of rounding
	}
	ss := 0.0
	for from := 0; from < len(d); from += perDraw {
		sum := 0.0
		for _, x := range d[from:min(from+perDraw, len(d))] {
			sum += x - mean
		}
		ss += float64(sum * sum)
	}
	if ss == 0 {
		return Interval{mean, mean, mean}
	}
	n := float64(len(d))
	se := math.Sqrt(float64(g) / float64(g-1) * ss / float64(n*n))
	t := tQuantile(g-1, level)
	return Interval{mean, mean - float64(t*se), mean + float64(t*se)}
}

// tQuantile is the upper point of Student's t with df degrees of freedom that a
// two-sided interval at the given level reaches.
func tQuantile(df int, level float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.5 + float64(level/2))
}

// differences returns a[r] - b[r] for each pair r.
func differences(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for r := range a {
		d[r] = a[r] - b[r]
	}
	return d
}

// PairedDifference is the mean of a[r] - b[r] with its two-sided confidence interval at
// the given level from Student's t with n-1 degrees of freedom. Pairs that never differ
// give the mean itself as the interval; with fewer than two pairs there is no interval,
// and its bounds are NaN.
func PairedDifference(a, b []float64, level float64) Interval {
	d := differences(a, b)
	if len(d) < 2 {
		return Interval{stat.Mean(d, nil), math.NaN(), math.NaN()}
	}
	mean, sd := stat.MeanStdDev(d, nil)
	if sd == 0 {
		return Interval{mean, mean, mean}
	}
	t := tQuantile(len(d)-1, level)
	half := t * sd / math.Sqrt(float64(len(d)))
	return Interval{mean, mean - half, mean + half}
}
