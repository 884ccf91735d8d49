package sim

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartelsim/cartelsim/sim/ensemble"

	"github.com/cartelsim/cartelsim/sim/scenario"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cartelsim/cartelsim/model"
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
	plots, err := overlayPlots(dirs, c.Metrics, filepath.Join(opts.OutDir, PlotsDir), interventionWindows(scs))
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

// ComparisonManifest is comparison.json: what was compared and how, written last. It
// holds no timestamps, so the same comparison by the same build writes the same bytes.
type ComparisonManifest struct {
	Complete bool      `json:"complete"`
	Version  string    `json:"version"`
	Build    BuildInfo `json:"build"` // the binary that made the comparison
	// Command is the command line that made the comparison, when there was one.
	Command         string              `json:"command,omitempty"`
	Scenarios       []ManifestScenario  `json:"scenarios"` // the first is the reference
	Seed            uint64              `json:"seed"`
	Replicates      int                 `json:"replicates"`
	Mode            string              `json:"mode"`
	StartDate       string              `json:"start_date"`
	Weeks           int                 `json:"weeks"`
	FirstDifference *ComparisonHorizon  `json:"first_difference"` // null: the scenarios never differ
	Horizons        []ComparisonHorizon `json:"horizons"`
	HorizonsFrom    string              `json:"horizons_from"`
	WindowWeeks     int                 `json:"window_weeks"`
	Pairing         string              `json:"pairing"`
	Metrics         []string            `json:"metrics"`
	Dropped         []string            `json:"dropped_metrics"`
	Files           []string            `json:"files"`
}

// ComparisonHorizon is a week of the run and the date it ends.
type ComparisonHorizon struct {
	Week int    `json:"week"`
	Date string `json:"date"`
}

func (c *Comparison) manifest(scs []*scenario.Scenario, command string) *ComparisonManifest {
	week := func(w int) ComparisonHorizon { return ComparisonHorizon{w, c.Clock.Date(w).Format(time.DateOnly)} }
	names := func(ms []model.Metric) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.String())
		}
		return out
	}
	m := &ComparisonManifest{
		Complete: true, Version: Version, Build: Build(), Command: command,
		Seed: c.Seed, Replicates: c.Replicates, Mode: scs[0].Mode.String(),
		StartDate: c.Clock.Start.Format(time.DateOnly), Weeks: c.Clock.Weeks,
		HorizonsFrom: "asked", WindowWeeks: HorizonWindow, Pairing: PairingNote,
		Metrics: names(c.Metrics), Dropped: names(c.Dropped),
		Files: []string{ComparisonFile, ComparisonTextFile},
	}
	for _, sc := range scs {
		m.Scenarios = append(m.Scenarios, manifestScenario(sc))
	}
	if c.FirstDifference > 0 {
		first := week(c.FirstDifference)
		m.FirstDifference = &first
	}
	if c.DefaultHorizons {
		m.HorizonsFrom = "default: " + defaultHorizonYearsText() + " years after the first difference, within the run"
	}
	for _, h := range c.Horizons {
		m.Horizons = append(m.Horizons, week(h))
	}
	return m
}

// comparisonOutputs are the files and folders compare writes in its output directory,
// besides one run directory per scenario: the manifest first, which is removed first and
// written last.
var comparisonOutputs = []string{ComparisonManifestFile, ComparisonFile, ComparisonTextFile, PlotsDir}

// prepareComparison creates dir, or checks that it holds no earlier comparison (nor a
// run). With force an earlier comparison's files are removed, manifest first, so that a
// comparison that fails part-way never leaves an old table or manifest beside new runs.
func prepareComparison(dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sim: cannot create output directory: %w", err)
	}
	found, err := ExistingFiles(dir, comparisonOutputs)
	if err != nil {
		return err
	}
	if len(found) > 0 && !force {
		return fmt.Errorf("sim: %s holds an earlier comparison (%s); use --force to replace it", dir, strings.Join(found, ", "))
	}
	for _, name := range found {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("sim: cannot replace earlier comparison: %w", err)
		}
	}
	return prepareOutput(dir, force)
}

// checkComparable refuses, before anything runs, scenarios that cannot be compared:
// duplicate names, a name that is one of compare's own outputs (its run directory would
// be that file or folder), or a start, length or mode other than the first scenario's.
// The errors are ScenarioErrors, naming the file: bad input, not a failure.
func checkComparable(scs []*scenario.Scenario) error {
	ref := scs[0]
	for i, sc := range scs {
		bad := func(key, format string, args ...any) error {
			return &scenario.ScenarioError{File: sc.File, Key: key, Msg: fmt.Sprintf(format, args...)}
		}
		// Names differing only in case share a directory on macOS and Windows.
		if j := slices.IndexFunc(scs[:i], func(o *scenario.Scenario) bool { return strings.EqualFold(o.Name, sc.Name) }); j >= 0 {
			return bad("name", "two scenarios are named %q (%s is %q); compare writes each to its own directory by name", sc.Name, scs[j].File, scs[j].Name)
		}
		if err := scenario.ValidName(sc.Name); err != nil {
			return bad("name", "%v (compare writes each scenario's run to the directory of its name); rename the scenario", err)
		}
		if k := slices.IndexFunc(comparisonOutputs, func(o string) bool { return strings.EqualFold(o, sc.Name) }); k >= 0 {
			return bad("name", "scenario name %q is taken by compare's own %s (compare writes each scenario's run to the directory of its name); rename the scenario", sc.Name, comparisonOutputs[k])
		}
		switch {
		case !sc.Clock.Start.Equal(ref.Clock.Start) || sc.Clock.Weeks != ref.Clock.Weeks:
			return bad("start", "%s runs %d weeks from %s, %s %d weeks from %s: compared scenarios must share start and length",
				sc.Name, sc.Clock.Weeks, sc.Clock.Start.Format(time.DateOnly), ref.Name, ref.Clock.Weeks, ref.Clock.Start.Format(time.DateOnly))
		case sc.Mode != ref.Mode:
			return bad("mode", "%s runs in %s mode, %s in %s: compared scenarios must share their mode", sc.Name, sc.Mode, ref.Name, ref.Mode)
		}
	}
	return nil
}

// CompareInterruptedError is returned when a comparison stops because its context was
// cancelled. It wraps the first run's InterruptedError (so a command line exits as for an
// interrupted run), but says what to do about a comparison: compare keeps no checkpoint
// of its own, so it starts again.
type CompareInterruptedError struct {
	Dir string
	N   int // scenarios, which run together
	Err *InterruptedError
}

func (e *CompareInterruptedError) Error() string {
	return fmt.Sprintf("sim: interrupted after %d of %d replicates of each of the %d scenarios; %s holds no comparison, "+
		"and compare cannot resume: run the same command again with --force", e.Err.Done, e.Err.Total, e.N, e.Dir)
}

func (e *CompareInterruptedError) Unwrap() error { return e.Err }

func interrupted(dir string, scs []*scenario.Scenario, err error) error {
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		ie = &InterruptedError{Dir: filepath.Join(dir, scs[0].Name), Total: scs[0].Replicates, Err: err}
	}
	return &CompareInterruptedError{Dir: dir, N: len(scs), Err: ie}
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

// PairedDifference is the mean of a[r] - b[r] with its two-sided confidence interval at
// the given level from Student's t with n-1 degrees of freedom. Pairs that never differ
// give the mean itself as the interval; with fewer than two pairs there is no interval,
// and its bounds are NaN.
func PairedDifference(a, b []float64, level float64) Interval {
	d := make([]float64, len(a))
	for r := range a {
		d[r] = a[r] - b[r]
	}
	if len(d) < 2 {
		return Interval{stat.Mean(d, nil), math.NaN(), math.NaN()}
	}
	mean, sd := stat.MeanStdDev(d, nil)
	if sd == 0 {
		return Interval{mean, mean, mean}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(d) - 1)}.Quantile(0.5 + float64(level/2))
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
	f := func(x float64) string {
		if math.IsNaN(x) { // no interval from one replicate
			return ""
		}
		return strconv.FormatFloat(x, 'g', 10, 64)
	}
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

// Summary writes a table of the comparison's metrics for people: at each horizon, each
// scenario's mean and 90% range across replicates, and its difference from the reference
// with the 95% interval, marked when the interval excludes zero, and as a percentage of
// the reference's mean. With one replicate there is neither range nor interval, and the
// table says so. Every number is formatted by num.
func (c *Comparison) Summary(w io.Writer) error {
	var b strings.Builder
	ref := c.Scenarios[0]
	one := c.Replicates < 2
	fmt.Fprintf(&b, "Compared with %s: %s each, seed %d; %s.\n", ref, scenario.Plural(c.Replicates, "replicate"), c.Seed, PairingNote)
	if one {
		fmt.Fprintf(&b, "Each value is a metric's mean over the %d weeks to the horizon. With one replicate per scenario (as in mean-field mode) "+
			"there is no range across replicates and no interval for a difference: both need at least two.\n", HorizonWindow)
	} else {
		fmt.Fprintf(&b, "Each value is a metric's mean over the %d weeks to the horizon; \"90%% range\" spans replicates, "+
			"\"95%% CI\" is for the difference of means (* : excludes 0).\n", HorizonWindow)
	}
	fmt.Fprintf(&b, "\"change\" is the difference as a percentage of %s's mean (n/a where that is 0); numbers have 4 significant digits.\n", ref)
	switch first := c.FirstDifference; {
	case first == 0:
		fmt.Fprintf(&b, "The scenarios never differ, in their worlds or their interventions: every difference is 0.\n")
	case c.DefaultHorizons:
		fmt.Fprintf(&b, "The scenarios first differ in week %d (the week to %s); the horizons are %s years after, within the run.\n",
			first, c.Clock.Date(first).Format(time.DateOnly), defaultHorizonYearsText())
	case c.Horizons[0] < first:
		fmt.Fprintf(&b, "The scenarios first differ in week %d (the week to %s): every difference before it is 0.\n",
			first, c.Clock.Date(first).Format(time.DateOnly))
	}
	if len(c.Dropped) > 0 {
		fmt.Fprintf(&b, "Not shown, being 0 in every week of every scenario: %s (--metrics shows them).\n", metricList(c.Dropped))
	}
	for _, m := range c.Metrics {
		info := m.Info()
		for _, h := range c.Horizons {
			fmt.Fprintf(&b, "\n%s (%s), year to %s (week %d)\n", info.Name, info.Unit, c.Clock.Date(h).Format(time.DateOnly), h)
			table := [][]string{{"scenario", "mean", "90% range", "difference (95% CI)", "change"}}
			if one {
				table[0] = []string{"scenario", "mean", "difference", "change"}
			}
			var base float64
			for _, row := range c.Rows {
				if row.Metric != m || row.Week != h {
					continue
				}
				cells := []string{row.Scenario, num(row.Value.Mean)}
				if !one {
					cells = append(cells, "["+num(row.Value.Lo)+", "+num(row.Value.Hi)+"]")
				}
				d := row.Diff
				if d == nil {
					base = row.Value.Mean
					table = append(table, append(cells, "(reference)", ""))
					continue
				}
				mean := d.Mean
				if math.Abs(mean) <= 1e-9*max(math.Abs(base), math.Abs(row.Value.Mean)) {
					mean = 0 // rounding in the sum of differences, not a difference
				}
				diff := signed(mean)
				if !one {
					diff += " [" + signed(d.Lo) + ", " + signed(d.Hi) + "]"
					if d.Lo > 0 || d.Hi < 0 {
						diff += " *"
					}
				}
				table = append(table, append(cells, diff, percent(mean, base)))
			}
			writeColumns(&b, table)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeColumns writes rows of cells indented by two spaces, in columns two spaces apart:
// the second column (means) aligned right, the others left.
func writeColumns(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, r := range rows {
		line := " "
		for i, cell := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i == 1 {
				line += " " + pad + cell + " "
			} else {
				line += " " + cell + pad + " "
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

// num formats a value for the table, the same way everywhere: rounded to four significant
// digits, in plain notation with commas between thousands (402,700,000; -255,700; 3,699;
// 12.35; 0.03212; 0). The table never mixes exponents with plain numbers.
func num(x float64) string {
	switch {
	case x == 0:
		return "0"
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	e := strconv.FormatFloat(x, 'e', 3, 64) // d.ddde+XX: rounded to 4 significant digits
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	r, _ := strconv.ParseFloat(e, 64)
	return groupThousands(strconv.FormatFloat(r, 'f', max(0, 3-exp), 64))
}

// signed is num with a plus sign on positive values.
func signed(x float64) string {
	if x > 0 {
		return "+" + num(x)
	}
	return num(x)
}

// percent is a difference as a percentage of the reference's mean, with one decimal, or
// n/a where the reference's mean is 0.
func percent(diff, base float64) string {
	if base == 0 || math.IsNaN(diff) {
		return "n/a"
	}
	if diff == 0 {
		return "0.0%"
	}
	p := groupThousands(strconv.FormatFloat(100*diff/math.Abs(base), 'f', 1, 64)) + "%"
	if diff > 0 {
		p = "+" + p
	}
	return p
}

// LoadScenarios reads several scenario files, stopping at the first error.
func LoadScenarios(paths []string) ([]*scenario.Scenario, error) {
	return scenario.LoadScenariosWith(paths, nil)
}

// metricList is "a, b and c".
func metricList(ms []model.Metric) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.String()
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
