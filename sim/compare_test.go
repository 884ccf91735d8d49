package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The paired interval against a hand calculation: differences 1..5 have mean 3, standard
// deviation sqrt(2.5) and standard error sqrt(0.5); Student's t with 4 degrees of freedom
// has its 97.5% point at 2.776445 (any t table), so the 95% interval is 3 -+ 1.963243.
func TestPairedDifferenceByHand(t *testing.T) {
	got := PairedDifference([]float64{2, 3, 4, 5, 6}, []float64{1, 1, 1, 1, 1}, 0.95)
	half := 2.776445 * math.Sqrt(0.5)
	if math.Abs(got.Mean-3) > 1e-12 || math.Abs(got.Lo-(3-half)) > 1e-5 || math.Abs(got.Hi-(3+half)) > 1e-5 {
		t.Errorf("interval %+v, want 3 [%v, %v]", got, 3-half, 3+half)
	}
	// Identical pairs differ by exactly nothing.
	same := PairedDifference([]float64{1, 5, 9}, []float64{1, 5, 9}, 0.95)
	if same != (Interval{0, 0, 0}) {
		t.Errorf("identical pairs: %+v", same)
	}
}

// A second method: over many trials of 20 pairs with a known difference of means, the 95%
// interval covers it about 95% of the time (binomial sd of the rate over 4,000 trials:
// 0.34%), and pairing makes the interval much narrower than the spread of either side
// when the pairs are correlated.
func TestPairedDifferenceCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const trials, n = 4000, 20
	covered := 0
	for range trials {
		a, b := make([]float64, n), make([]float64, n)
		for r := range n {
			common := 10 * rng.NormFloat64() // shared by the pair, as common random numbers make it
			a[r] = 1 + common + rng.NormFloat64()
			b[r] = common + rng.NormFloat64()
		}
		d := PairedDifference(a, b, 0.95)
		if d.Lo <= 1 && 1 <= d.Hi {
			covered++
		}
		if d.Hi-d.Lo > 3 {
			t.Fatalf("interval %+v is as wide as unpaired ones would be", d)
		}
	}
	if rate := float64(covered) / trials; math.Abs(rate-0.95) > 0.015 {
		t.Errorf("coverage %v, want 0.95", rate)
	}
}

// The draw-clustered interval by hand. Differences 1, 3 | 5, 7 | 2, 4 in draws of two have
// mean 11/3; the blocks' sums about it are -10/3, 14/3 and -4/3, so the variance of the
// mean is 3/2 x (312/9) / 36 = 13/9, and Student's t with 2 degrees of freedom has its
// 97.5% point at 4.302653 (any t table). A second method: with equal blocks that is the
// paired interval of the blocks' means, 2, 6 and 3. Differences 1, 3 | 5 (a last block of
// one): mean 3, sums -2 and 2, variance 2 x 8 / 9 = 16/9, t with 1 degree of freedom
// 12.706205. One replicate a draw is PairedDifference itself.
func TestDrawPairedDifferenceByHand(t *testing.T) {
	zeros := make([]float64, 6)
	got := DrawPairedDifference([]float64{1, 3, 5, 7, 2, 4}, zeros, 2, 0.95)
	half := 4.302653 * math.Sqrt(13.0/9)
	if math.Abs(got.Mean-11.0/3) > 1e-12 || math.Abs(got.Lo-(11.0/3-half)) > 1e-5 || math.Abs(got.Hi-(11.0/3+half)) > 1e-5 {
		t.Errorf("interval %+v, want 11/3 -+ %v", got, half)
	}
	blocks := PairedDifference([]float64{2, 6, 3}, zeros[:3], 0.95)
	if math.Abs(blocks.Lo-got.Lo) > 1e-12 || math.Abs(blocks.Hi-got.Hi) > 1e-12 {
		t.Errorf("interval %+v, the blocks' means' %+v", got, blocks)
	}
	short := DrawPairedDifference([]float64{1, 3, 5}, zeros[:3], 2, 0.95)
	if half := 12.706205 * 4.0 / 3; math.Abs(short.Mean-3) > 1e-12 || math.Abs(short.Hi-(3+half)) > 1e-5 || math.Abs(short.Lo-(3-half)) > 1e-5 {
		t.Errorf("with a last block of one: %+v, want 3 -+ %v", short, half)
	}
	a, b := []float64{2, 3, 4, 5, 6}, []float64{1, 1, 1, 2, 1}
	if DrawPairedDifference(a, b, 1, 0.95) != PairedDifference(a, b, 0.95) {
		t.Error("one replicate a draw differs from PairedDifference")
	}
	if one := DrawPairedDifference([]float64{1, 2}, []float64{0, 0}, 2, 0.95); !math.IsNaN(one.Lo) || one.Mean != 1.5 {
		t.Errorf("one draw: %+v, want mean 1.5 and no interval", one)
	}
	// Pairs that never differ: the mean, with no width from rounding. Draws whose sums tie
	// (1, 3 | 0, 4 | 2, 2) give no width either: the draws' means do not vary.
	if same := DrawPairedDifference([]float64{0.1, 0.1, 0.1}, []float64{0, 0, 0}, 2, 0.95); same.Lo != same.Mean || same.Hi != same.Mean {
		t.Errorf("equal differences: %+v, want the mean alone", same)
	}
	if tied := DrawPairedDifference([]float64{1, 3, 0, 4, 2, 2}, zeros, 2, 0.95); tied != (Interval{2, 2, 2}) {
		t.Errorf("tied draws: %+v, want 2 [2, 2]", tied)
	}
}

// A second method for the clusters: draws that move the difference (a parameter effect,
// sd 1, shared by a draw's 4 replicates) beside replicate noise (sd 1). Over 4,000 trials
// of 10 draws, the draw-clustered 95% interval covers the true difference about 95% of
// the time, where the replicate-by-replicate one, which takes the 40 replicates as
// independent, falls well short (by the design effect 1 + 3 x 0.5 = 2.5, its half-width
// is too narrow by a factor of about 1.6: coverage about 0.78).
func TestDrawPairedDifferenceCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const trials, draws, per = 4000, 10, 4
	clustered, naive := 0, 0
	for range trials {
		a, b := make([]float64, draws*per), make([]float64, draws*per)
		for d := range draws {
			effect := rng.NormFloat64()
			for k := range per {
				r := d*per + k
				common := 10 * rng.NormFloat64()
				a[r] = 1 + effect + common + rng.NormFloat64()/math.Sqrt2
				b[r] = common + rng.NormFloat64()/math.Sqrt2
			}
		}
		if c := DrawPairedDifference(a, b, per, 0.95); c.Lo <= 1 && 1 <= c.Hi {
			clustered++
		}
		if c := PairedDifference(a, b, 0.95); c.Lo <= 1 && 1 <= c.Hi {
			naive++
		}
	}
	if rate := float64(clustered) / trials; math.Abs(rate-0.95) > 0.015 {
		t.Errorf("clustered coverage %v, want 0.95", rate)
	}
	if rate := float64(naive) / trials; rate > 0.88 {
		t.Errorf("replicate-by-replicate coverage %v: want it well short of 0.95, or the test tells nothing", rate)
	}
}

// The 90% range by hand: of 1..100 the empirical 5% quantile is 5, the 95% is 95.
func TestSpreadByHand(t *testing.T) {
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(100 - i) // unsorted on purpose
	}
	if got := Spread(xs); got != (Interval{50.5, 5, 95}) {
		t.Errorf("spread %+v, want {50.5 5 95}", got)
	}
	// Of 1..30, 5% is 1.5 values: the smallest value with at least that many at or below
	// it is the 2nd, 2; 95% is 28.5 values: the 29th, 29 (interpolation would give 1.5
	// and 29.5).
	if got := Spread(xs[70:]); got != (Interval{15.5, 2, 29}) {
		t.Errorf("spread of 1..30 %+v, want {15.5 2 29}", got)
	}
}

// compareScenario is a small world with a policy; the lever is added by the tests.
const compareScenario = `name: %s
start: 2025-01-05
weeks: 120
replicates: 6
seed: 7
world:
  groups:
    - {id: a, members: 30000, state: SIN}
    - {id: b, members: 20000, state: Jalisco}
    - {id: c, members: 10000, state: SON}
  rivalries:
    - {between: [a, b], weight: 3}
parameters:
  incapacitation: 20   # scaled to the small world, which then grows slowly
fragmentation: {}
economy: {}
policy: {}
interventions:
  - {kind: lab-dismantling, from: 0, intensity: 2, actor: mexico}
`

func writeScenario(t *testing.T, dir, name, extra string) *scenario.Scenario {
	t.Helper()
	text := strings.Replace(compareScenario, "%s", name, 1) + extra
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func readComparison(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, ComparisonFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Compare end to end: a scenario against its twin (same world, another name) differs by
// exactly zero everywhere; against arms interdiction from week 60, by exactly zero at a
// horizon before the lever and by the decay of the gun stock at the end. The table has a row per
// metric, horizon and scenario, and does not depend on the worker count.
func TestCompare(t *testing.T) {
	src := t.TempDir()
	ref := writeScenario(t, src, "ref", "")
	twin := writeScenario(t, src, "twin", "")
	arms := writeScenario(t, src, "arms", "  - {kind: arms-interdiction, from: 60, intensity: 1, actor: us}\n")
	out := filepath.Join(t.TempDir(), "cmp")
	c, err := Compare(context.Background(), []*scenario.Scenario{ref, twin, arms}, CompareOptions{OutDir: out, Workers: 2, Horizons: []int{52, 120}})
	if err != nil {
		t.Fatal(err)
	}
	// The gun stock decays as exp(-t/260) from week 60 (Policy.GunLifeWeeks): its mean over
	// weeks 69-120 less the baseline's 1.
	gunsDiff := 0.0
	for wk := 69; wk <= 120; wk++ {
		gunsDiff += (math.Exp(-float64(wk-60)/260) - 1) / 52
	}
	if want := int(model.NumMetrics) * 2 * 3; len(c.Rows) != want {
		t.Fatalf("%d rows, want %d", len(c.Rows), want)
	}
	for _, row := range c.Rows {
		switch {
		case row.Scenario == "ref" && row.Diff != nil:
			t.Errorf("the reference has a difference: %+v", row)
		case row.Scenario == "twin" && *row.Diff != (Interval{}):
			t.Errorf("%s at week %d: the twin differs by %+v", row.Metric, row.Week, *row.Diff)
		case row.Scenario == "arms" && row.Week == 52 && *row.Diff != (Interval{}):
			t.Errorf("%s at week 52, before the lever: differs by %+v", row.Metric, *row.Diff)
		case row.Scenario == "arms" && row.Week == 120 && row.Metric == model.Guns && math.Abs(row.Diff.Mean-gunsDiff) > 1e-12:
			t.Errorf("guns over the last year under arms interdiction: difference %+v, want %v", *row.Diff, gunsDiff)
		}
	}
	rows := readComparison(t, out)
	if len(rows) != len(c.Rows)+1 || rows[0][0] != "metric" || rows[0][12] != "diff_hi95" {
		t.Fatalf("comparison.csv has %d rows, header %v", len(rows), rows[0])
	}
	for _, name := range []string{"plots/homicides.png", "plots/cooperation.svg", "ref/timeseries.csv", "arms/manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	var summary bytes.Buffer
	c.Metrics = []model.Metric{model.Deaths, model.Guns}
	if err := c.Summary(&summary); err != nil || !strings.Contains(summary.String(), "arms") {
		t.Errorf("summary %q, error %v", summary.String(), err)
	}
	// The guns row at week 120: the gun stock's fall as a percentage of the baseline's 1.
	if want := percent(gunsDiff, 1); !strings.Contains(summary.String(), want) || strings.Contains(summary.String(), "e+") || strings.Contains(summary.String(), "e-") {
		t.Errorf("summary lacks the guns change %s, or has exponents:\n%s", want, summary.String())
	}

	one := filepath.Join(t.TempDir(), "cmp1")
	if _, err := Compare(context.Background(), []*scenario.Scenario{ref, twin, arms}, CompareOptions{OutDir: one, Workers: 1, Horizons: []int{52, 120}}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(out, ComparisonFile))
	b, _ := os.ReadFile(filepath.Join(one, ComparisonFile))
	if !bytes.Equal(a, b) {
		t.Error("comparison.csv differs between 1 and 2 workers")
	}
}

// Scenarios that cannot be compared are bad input, refused before anything runs with a
// ScenarioError naming the file (the command line's exit status 2): different starts,
// lengths or modes, duplicate names, and names that are compare's own outputs, so that a
// scenario's run directory would be comparison.csv, plots/ or the output directory itself.
func TestCompareRejects(t *testing.T) {
	src := t.TempDir()
	a := writeScenario(t, src, "a", "")
	long := writeScenario(t, src, "long", "")
	long.Clock.Weeks = 130
	later := writeScenario(t, src, "later", "")
	later.Clock.Start = later.Clock.Start.AddDate(0, 0, 7)
	meanfield := writeScenario(t, src, "mf", "")
	meanfield.Mode = model.MeanField
	named := func(name string) *scenario.Scenario {
		sc := writeScenario(t, src, "b", "")
		sc.Name = name
		return sc
	}
	for name, c := range map[string]struct {
		scs  []*scenario.Scenario
		want string
	}{
		"same name":           {[]*scenario.Scenario{a, a}, "two scenarios are named"},
		"same name but case":  {[]*scenario.Scenario{a, named("A")}, "two scenarios are named"},
		"different length":    {[]*scenario.Scenario{a, long}, "share start and length"},
		"different start":     {[]*scenario.Scenario{a, later}, "share start and length"},
		"different mode":      {[]*scenario.Scenario{a, meanfield}, "share their mode"},
		"named plots":         {[]*scenario.Scenario{a, named("plots")}, "compare's own plots"},
		"named Plots":         {[]*scenario.Scenario{a, named("Plots")}, "compare's own plots"},
		"named the table":     {[]*scenario.Scenario{named("comparison.csv"), a}, "compare's own comparison.csv"},
		"named the directory": {[]*scenario.Scenario{a, named(".")}, "is not a name"},
		"named its parent":    {[]*scenario.Scenario{a, named("..")}, "is not a name"},
		"named a path":        {[]*scenario.Scenario{a, named("x/y")}, "is not a name"},
	} {
		out := filepath.Join(t.TempDir(), "x")
		_, err := Compare(context.Background(), c.scs, CompareOptions{OutDir: out})
		var se *scenario.ScenarioError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), src) {
			t.Errorf("%s: error %v, want a ScenarioError naming the file and saying %q", name, err, c.want)
		}
		if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the output directory was created before the check", name)
		}
	}
	for name, c := range map[string]struct {
		scs  []*scenario.Scenario
		opts CompareOptions
		want string
	}{
		"one scenario":    {[]*scenario.Scenario{a}, CompareOptions{}, "at least two"},
		"horizon outside": {[]*scenario.Scenario{a, writeScenario(t, src, "b", "")}, CompareOptions{Horizons: []int{121}}, "outside the run"},
	} {
		c.opts.OutDir = filepath.Join(t.TempDir(), "x")
		if _, err := Compare(context.Background(), c.scs, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}

// An interrupted comparison is an interrupted run to the command line (exit status 130),
// and its message says where it stopped and how to start again: compare has no --resume.
func TestCompareInterrupted(t *testing.T) {
	src := t.TempDir()
	a, b := writeScenario(t, src, "a", ""), writeScenario(t, src, "b", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "cmp")
	_, err := Compare(ctx, []*scenario.Scenario{a, b}, CompareOptions{OutDir: out, Workers: 1})
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is not an InterruptedError", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "after 0 of 6 replicates of each of the 2 scenarios") || !strings.Contains(msg, "--force") || strings.Contains(msg, "--resume") {
		t.Errorf("message %q: want where it stopped and --force, no --resume", msg)
	}
	if _, err := os.Stat(filepath.Join(out, ComparisonFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an interrupted comparison wrote %s", ComparisonFile)
	}
}

func TestClockWeek(t *testing.T) {
	sc := scenario.Clock{Start: mustDate(t, "2025-01-05"), Weeks: 469}
	for in, want := range map[string]int{"1": 1, "469": 469, "2025-01-12": 1, "2025-01-18": 1, "2030-01-06": 261} {
		if got, err := sc.Week(in); err != nil || got != want {
			t.Errorf("Week(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "470", "2025-01-11", "2040-01-01", "soon"} {
		if _, err := sc.Week(bad); err == nil {
			t.Errorf("Week(%q): no error", bad)
		}
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The table's numbers, by hand: four significant digits, plain, with commas between
// thousands, whatever the magnitude (the table once showed 4.027e+08 beside -255669), and
// percent changes with one decimal.
func TestTableNumbers(t *testing.T) {
	for x, want := range map[float64]string{
		4.027e8: "402,700,000", -255669: "-255,700", 3699.4: "3,699", 12.3456: "12.35", 0.032123: "0.03212",
		0: "0", 999.96: "1,000", -0.5: "-0.5000", 1234567: "1,235,000", 1e15: "1,000,000,000,000,000", 7: "7.000",
	} {
		if got := num(x); got != want {
			t.Errorf("num(%v) = %q, want %q", x, got, want)
		}
	}
	if got := signed(1184); got != "+1,184" {
		t.Errorf("signed(1184) = %q", got)
	}
	// 1,184 of 2,515 is 47.08%; -877 of 2,506 is -35.00%; 50,000 of 1,000 is 5,000%.
	for _, c := range []struct {
		diff, base float64
		want       string
	}{{1184, 2515, "+47.1%"}, {-877, 2506, "-35.0%"}, {50000, 1000, "+5,000.0%"}, {-5, 0, "n/a"}, {0, 3, "0.0%"}} {
		if got := percent(c.diff, c.base); got != c.want {
			t.Errorf("percent(%v, %v) = %q, want %q", c.diff, c.base, got, c.want)
		}
	}
}

// With one replicate a difference has no interval: the table prints none and no star,
// and says why; comparison.csv leaves the interval's bounds empty. (It once printed a
// zero-width interval, starred.)
func TestCompareOneReplicate(t *testing.T) {
	src := t.TempDir()
	ref := writeScenario(t, src, "ref", "")
	arms := writeScenario(t, src, "arms", "  - {kind: arms-interdiction, from: 60, intensity: 1, actor: us}\n")
	ref.Replicates = 1
	out := filepath.Join(t.TempDir(), "cmp")
	c, err := Compare(context.Background(), []*scenario.Scenario{ref, arms}, CompareOptions{OutDir: out, Workers: 1, Horizons: []int{120}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	c.Metrics = []model.Metric{model.Guns}
	if err := c.Summary(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	if strings.Contains(text, "*") || strings.Contains(text, "95% CI") || strings.Contains(text, "[") ||
		!strings.Contains(text, "no interval for a difference: both need at least two") {
		t.Errorf("one-replicate table:\n%s", text)
	}
	for _, rec := range readComparison(t, out)[1:] {
		if rec[4] == "arms" && (rec[10] == "" || rec[11] != "" || rec[12] != "") {
			t.Errorf("one-replicate row %v: want a difference without bounds", rec)
		}
	}
}

// The default horizons follow the first week the scenarios differ, read from the shipped
// files: the policy library's levers start on 2026-01-04, week 52 of runs from
// 2025-01-05 (2025-01-05 + 52 x 7 days), so they first act in week 53 and the horizons are
// weeks 52+52 = 104, 52+208 = 260 and 52+416 = 468 (of 469). The Prieto-Curiel levers
// start at week 520 of 780: 572, 728 and 936, which is past the end and becomes 780.
// (The old defaults, weeks 52, 260 and the end, put the first horizon wholly before the
// library's levers, and two of three before the paper's.)
func TestDefaultHorizons(t *testing.T) {
	load := func(paths ...string) []*scenario.Scenario {
		scs, err := LoadScenarios(paths)
		if err != nil {
			t.Fatal(err)
		}
		return scs
	}
	p := load("../scenarios/policy/status-quo.yaml", "../scenarios/policy/kingpin.yaml", "../scenarios/policy/demand-reduction.yaml",
		"../scenarios/policy/cooperation-package.yaml", "../scenarios/policy/shock-and-awe-enforced.yaml")
	pc := load("../scenarios/prieto-curiel-2023/baseline.yaml", "../scenarios/prieto-curiel-2023/halve-recruitment.yaml",
		"../scenarios/prieto-curiel-2023/double-incapacitation.yaml")
	for _, c := range []struct {
		name     string
		a, b     *scenario.Scenario
		first    int
		horizons []int
	}{
		{"kingpin", p[0], p[1], 53, []int{104, 260, 468}},
		{"demand reduction", p[0], p[2], 53, []int{104, 260, 468}},
		{"cooperation package", p[0], p[3], 53, []int{104, 260, 468}},
		{"shock and awe", p[0], p[4], 53, []int{104, 260, 468}},
		{"halve recruitment", pc[0], pc[1], 521, []int{572, 728, 780}},
		{"double incapacitation", pc[0], pc[2], 521, []int{572, 728, 780}},
		{"the same world", p[0], p[0], 0, []int{52, 208, 416}},
	} {
		first := firstDifference(c.a, c.b)
		h, err := compareHorizons(nil, c.a.Clock.Weeks, first)
		if first != c.first || err != nil || !slices.Equal(h, c.horizons) {
			t.Errorf("%s: first difference in week %d, horizons %v (%v); want %d and %v", c.name, first, h, err, c.first, c.horizons)
		}
	}
	// A parameter differs from the first week, wherever the interventions start.
	src := t.TempDir()
	ref := writeScenario(t, src, "ref", "")
	// overridden reloads a scenario written above with one key set on the command line.
	overridden := func(name, set string) *scenario.Scenario {
		t.Helper()
		o, err := scenario.ParseOverride(set)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.LoadScenarioWith(filepath.Join(src, name+".yaml"), []scenario.Override{o})
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	writeScenario(t, src, "other", "")
	other := overridden("other", "parameters.recruitment="+strconv.FormatFloat(2*ref.Config().Params.Recruitment, 'g', -1, 64))
	if w := firstDifference(ref, other); w != 1 {
		t.Errorf("a parameter differs from week %d, want 1", w)
	}
	// Lab raids that end at week 60 rather than never act alike up to their end: the
	// worlds differ from week 61.
	writeScenario(t, src, "ends", "")
	ends := overridden("ends", "interventions[0].to=60")
	if w := firstDifference(ref, ends); w != 61 {
		t.Errorf("lab raids that end at week 60 differ from week %d, want 61", w)
	}
	// An asked horizon stays as asked.
	if h, err := compareHorizons([]int{30, 10, 30}, 120, 61); err != nil || !slices.Equal(h, []int{10, 30}) {
		t.Errorf("asked horizons: %v, %v", h, err)
	}
}

// By default no horizon is all zero: in the small world with arms interdiction from week
// 60 (in force from week 61), the horizons are 60+52 = 112 and the end, 120 (60+208 and
// 60+416 are past it), and at each some metric differs between the scenarios.
func TestCompareDefaultHorizons(t *testing.T) {
	src := t.TempDir()
	ref := writeScenario(t, src, "ref", "")
	arms := writeScenario(t, src, "arms", "  - {kind: arms-interdiction, from: 60, intensity: 1, actor: us}\n")
	ref.Replicates = 2
	c, err := Compare(context.Background(), []*scenario.Scenario{ref, arms}, CompareOptions{OutDir: filepath.Join(t.TempDir(), "cmp"), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Horizons, []int{112, 120}) || c.FirstDifference != 61 {
		t.Fatalf("horizons %v, first difference %d; want [112 120] and 61", c.Horizons, c.FirstDifference)
	}
	for _, h := range c.Horizons {
		differs := false
		for _, row := range c.Rows {
			differs = differs || row.Week == h && row.Diff != nil && row.Diff.Mean != 0
		}
		if !differs {
			t.Errorf("every difference is 0 at horizon %d", h)
		}
	}
	var b bytes.Buffer
	c.Metrics = []model.Metric{model.Guns}
	if err := c.Summary(&b); err != nil || !strings.Contains(b.String(), "first differ in week 61 (the week to 2026-03-08)") {
		t.Errorf("summary does not say where the horizons come from (%v):\n%s", err, b.String())
	}
}

// A world without economy or policy sections has its economy and policy metrics at 0
// throughout (README, "Metrics"): by default the table and the plots leave out supply,
// labs, revenue, cooperation and civilian casualties, and say so; asked for, they are
// shown. comparison.csv keeps every metric either way.
func TestCompareDropsZeroMetrics(t *testing.T) {
	src := t.TempDir()
	bare := strings.NewReplacer("fragmentation: {}\n", "", "economy: {}\n", "", "policy: {}\n", "",
		"interventions:\n  - {kind: lab-dismantling, from: 0, intensity: 2, actor: mexico}\n", "").Replace(compareScenario)
	write := func(name, extra string) *scenario.Scenario {
		path := filepath.Join(src, name+".yaml")
		if err := os.WriteFile(path, []byte(strings.Replace(bare, "%s", name, 1)+extra), 0o644); err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.LoadScenario(path)
		if err != nil {
			t.Fatal(err)
		}
		sc.Replicates = 2
		return sc
	}
	ref := write("ref", "interventions: []\n")
	inc := write("inc", "interventions: [{kind: incapacitation, from: 20, intensity: 1, actor: mexico}]\n")
	out := filepath.Join(t.TempDir(), "cmp")
	c, err := Compare(context.Background(), []*scenario.Scenario{ref, inc}, CompareOptions{OutDir: out, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	zero := []model.Metric{model.Supply, model.OverdoseDeaths, model.Labs, model.Revenue, model.CooperationIndex, model.CivilianCasualties}
	shown := []model.Metric{model.Homicides, model.Members, model.Groups}
	if !slices.Equal(c.Dropped, zero) || !slices.Equal(c.Metrics, shown) {
		t.Errorf("shown %v, dropped %v; want %v and %v", c.Metrics, c.Dropped, shown, zero)
	}
	var b bytes.Buffer
	if err := c.Summary(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	if !strings.Contains(text, "Not shown, being 0 in every week of every scenario: supply, overdose_deaths, labs, revenue, cooperation and civilian_casualties") ||
		strings.Contains(text, "\nsupply (") || !strings.Contains(text, "\nhomicides (") {
		t.Errorf("table:\n%s", text)
	}
	for name, want := range map[string]bool{"plots/homicides.png": true, "plots/supply.png": false, "plots/labs.svg": false} {
		if _, err := os.Stat(filepath.Join(out, name)); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", name, err == nil, want)
		}
	}
	if n := len(readComparison(t, out)); n != 1+int(model.NumMetrics)*len(c.Horizons)*2 {
		t.Errorf("comparison.csv has %d rows, want every metric", n)
	}
	asked := filepath.Join(t.TempDir(), "cmp")
	c, err = Compare(context.Background(), []*scenario.Scenario{ref, inc}, CompareOptions{OutDir: asked, Workers: 1, Metrics: []model.Metric{model.Supply}})
	if err != nil || !slices.Equal(c.Metrics, []model.Metric{model.Supply}) || len(c.Dropped) != 0 {
		t.Fatalf("asked for supply: %v, shown %v, dropped %v", err, c.Metrics, c.Dropped)
	}
	if _, err := os.Stat(filepath.Join(asked, "plots", "supply.png")); err != nil {
		t.Error(err)
	}
}

// The printed table is saved as comparison.txt, and comparison.json, written last, says
// what was compared and how; a forced comparison removes an earlier one's files before
// it runs anything, so one that stops part-way leaves no old table beside new runs.
func TestCompareSavesTableAndManifest(t *testing.T) {
	src := t.TempDir()
	ref := writeScenario(t, src, "ref", "")
	arms := writeScenario(t, src, "arms", "  - {kind: arms-interdiction, from: 60, intensity: 1, actor: us}\n")
	ref.Replicates = 2
	out := filepath.Join(t.TempDir(), "cmp")
	c, err := Compare(context.Background(), []*scenario.Scenario{ref, arms}, CompareOptions{OutDir: out, Workers: 1, Command: "cartelsim compare ref.yaml arms.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := c.Summary(&table); err != nil {
		t.Fatal(err)
	}
	if saved, err := os.ReadFile(filepath.Join(out, ComparisonTextFile)); err != nil || !bytes.Equal(saved, table.Bytes()) {
		t.Errorf("comparison.txt (%v) is not the printed table:\n%s", err, saved)
	}
	data, err := os.ReadFile(filepath.Join(out, ComparisonManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m ComparisonManifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if !m.Complete || m.Command != "cartelsim compare ref.yaml arms.yaml" || len(m.Scenarios) != 2 || m.Scenarios[1].Name != "arms" ||
		m.Scenarios[0].SHA256 != ref.SHA256 || m.Replicates != 2 || m.FirstDifference == nil || m.FirstDifference.Week != 61 ||
		len(m.Horizons) != 2 || m.Horizons[0] != (ComparisonHorizon{112, "2027-02-28"}) || !strings.HasPrefix(m.HorizonsFrom, "default") {
		t.Errorf("comparison.json:\n%s", data)
	}
	if m.Build.GoVersion != runtime.Version() || m.Build.GOOS != runtime.GOOS || m.Build.GOARCH != runtime.GOARCH {
		t.Errorf("comparison.json names the build %+v, this is %s %s/%s", m.Build, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	for _, f := range m.Files {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("comparison.json lists %s: %v", f, err)
		}
	}
	if !slices.Contains(m.Files, "plots/homicides.svg") {
		t.Errorf("comparison.json lists no plots: %v", m.Files)
	}

	if _, err := Compare(context.Background(), []*scenario.Scenario{ref, arms}, CompareOptions{OutDir: out}); err == nil || !strings.Contains(err.Error(), "use --force") {
		t.Errorf("a second comparison without force: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compare(ctx, []*scenario.Scenario{ref, arms}, CompareOptions{OutDir: out, Force: true}); err == nil {
		t.Fatal("an interrupted comparison succeeded")
	}
	for _, name := range []string{ComparisonManifestFile, ComparisonFile, ComparisonTextFile, PlotsDir} {
		if _, err := os.Stat(filepath.Join(out, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the earlier comparison's %s is still there after a forced comparison stopped", name)
		}
	}
}

// A difference of means that is rounding in the sum of paired differences (-5.55e-18
// where the means are both 0.2019, seen in the policy library) prints as 0, not as
// -0.000000000000000005551.
func TestSummaryRoundingNoise(t *testing.T) {
	c := &Comparison{Scenarios: []string{"a", "b"}, Replicates: 10, Clock: scenario.Clock{Start: mustDate(t, "2025-01-05"), Weeks: 469},
		Horizons: []int{260}, FirstDifference: 53, Metrics: []model.Metric{model.CivilianCasualties},
		Rows: []ComparisonRow{
			{Metric: model.CivilianCasualties, Week: 260, Scenario: "a", Value: Interval{0.2019230769, 0.07692, 0.2692}},
			{Metric: model.CivilianCasualties, Week: 260, Scenario: "b", Value: Interval{0.2019230769, 0.1154, 0.3846},
				Diff: &Interval{-5.551115123e-18, -0.07044564944, 0.07044564944}},
		}}
	var b bytes.Buffer
	if err := c.Summary(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "  0 [-0.07045, +0.07045]  0.0%") {
		t.Errorf("table:\n%s", b.String())
	}
}
