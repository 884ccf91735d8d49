package sim

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/observed"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Single values are written with three significant digits and a multiple from 10,000 on,
// with thousands separators below; never in scientific notation.
func TestCompactNumbersByHand(t *testing.T) {
	for x, want := range map[float64]string{
		1234567:   "1.23M",
		12345:     "12.3k",
		12000:     "12k",
		402e6:     "402M",
		1.5e6:     "1.5M",
		2.15e8:    "215M",
		3.2e9:     "3.2B",
		9999:      "9,999",
		1500:      "1,500",
		950:       "950",
		0:         "0",
		0.25:      "0.25",
		-1234567:  "-1.23M",
		173837.49: "174k",
	} {
		if got := CompactNumber(x); got != want {
			t.Errorf("CompactNumber(%v) = %q, want %q", x, got, want)
		}
	}
}

// Tick labels share one multiple and show as many decimals as the step needs.
func TestTickLabelsByHand(t *testing.T) {
	for _, c := range []struct {
		values []float64
		want   []string
	}{
		{[]float64{0, 50000, 100000, 150000}, []string{"0", "50k", "100k", "150k"}},
		{[]float64{0, 2e8, 4e8}, []string{"0", "200M", "400M"}},
		{[]float64{0, 500, 1000, 1500}, []string{"0", "500", "1,000", "1,500"}},
		{[]float64{0, 2500, 5000, 7500}, []string{"0", "2,500", "5,000", "7,500"}},
		{[]float64{0, 0.25, 0.5, 0.75}, []string{"0", "0.25", "0.50", "0.75"}},
		{[]float64{100000, 125000, 150000}, []string{"100k", "125k", "150k"}},
		{[]float64{1e6, 1.5e6, 2e6}, []string{"1.0M", "1.5M", "2.0M"}},
	} {
		if got := tickLabels(c.values); !slices.Equal(got, c.want) {
			t.Errorf("tickLabels(%v) = %q, want %q", c.values, got, c.want)
		}
	}
}

// The value ticker puts labels 1, 2, 2.5 or 5 times a power of ten apart, at most six
// intervals over the range: over 0-173,000, 50,000 apart (20,000 or 25,000 would make 8
// or 7 intervals, 50,000 makes 3.5).
func TestValueTicksOnKnownRange(t *testing.T) {
	var labels []string
	var values []float64
	for _, tk := range (ValueTicks{}).Ticks(0, 173000) {
		if tk.Label != "" {
			labels, values = append(labels, tk.Label), append(values, tk.Value)
		}
	}
	if want := []string{"0", "50k", "100k", "150k"}; !slices.Equal(labels, want) || !slices.Equal(values, []float64{0, 50000, 100000, 150000}) {
		t.Errorf("ticks over 0-173,000: %q at %v, want %q", labels, values, want)
	}
	sci := regexp.MustCompile(`[eE][+-]?\d`)
	for _, r := range [][2]float64{{0, 4.02e8}, {0, 0.012}, {0, 2.3e10}, {1e5, 1.9e5}, {0, 1}} {
		for _, tk := range (ValueTicks{}).Ticks(r[0], r[1]) {
			if sci.MatchString(tk.Label) {
				t.Errorf("ticks over %v: label %q in scientific notation", r, tk.Label)
			}
		}
	}
}

// Over a run from 1 January 2012 to 13 December 2026 (15 years), the labelled ticks fall
// on 1 January of every second year, 2012 to 2026, the other years are minor ticks, and
// no label is a fraction of a year. Over a three-year run, every year is labelled and
// the quarters are minor ticks.
func TestYearTicksOnKnownRanges(t *testing.T) {
	clock := scenario.Clock{Start: time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC), Weeks: 780}
	lo, hi := decimalYear(clock.Date(0)), decimalYear(clock.Date(clock.Weeks))
	var labels []string
	var minor []float64
	for _, tk := range (yearTicks{}).Ticks(lo, hi) {
		if tk.Label == "" {
			minor = append(minor, tk.Value)
			continue
		}
		labels = append(labels, tk.Label)
		if y, err := strconv.Atoi(tk.Label); err != nil || float64(y) != tk.Value {
			t.Errorf("label %q at %v, want a year on its 1 January", tk.Label, tk.Value)
		}
	}
	if want := []string{"2012", "2014", "2016", "2018", "2020", "2022", "2024", "2026"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	if want := []float64{2013, 2015, 2017, 2019, 2021, 2023, 2025}; !slices.Equal(minor, want) {
		t.Errorf("minor ticks %v, want %v", minor, want)
	}

	short := scenario.Clock{Start: time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC), Weeks: 155} // to 2027-12-26
	labels, minor = nil, nil
	for _, tk := range (yearTicks{}).Ticks(decimalYear(short.Date(0)), decimalYear(short.Date(short.Weeks))) {
		if tk.Label == "" {
			minor = append(minor, tk.Value)
		} else {
			labels = append(labels, tk.Label)
		}
	}
	if want := []string{"2026", "2027"}; !slices.Equal(labels, want) {
		t.Errorf("three years: labels %q, want %q", labels, want)
	}
	// April, July and October of 2025, 2026 and 2027 (before 26 December 2027).
	if len(minor) != 9 || !slices.Contains(minor, decimalYear(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))) {
		t.Errorf("three years: minor ticks %v, want the 9 quarters", minor)
	}
}

// The plot's curve of a rare event is the replicates' running totals, from 0 at week 0
// (the five replicates of TestCumulativeBandsByHand).
func TestRareEventCurveIsTheTotals(t *testing.T) {
	weekly := [5][4]float64{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}}
	nm := int(model.NumMetrics)
	one := ensemble.NewEnsemble(4, nm)
	for r := range weekly {
		series := make([]float64, 4*nm)
		for w := range 4 {
			series[w*nm+int(model.Extraditions)] = weekly[r][w]
		}
		if err := one.Fold(r, series); err != nil {
			t.Fatal(err)
		}
	}
	clock := scenario.Clock{Start: time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC), Weeks: 4}
	c := curveOf("x", model.Extraditions, clock, one.Summaries())
	if len(c.x) != 5 || c.q[0] != [5]float64{} || c.q[2] != [5]float64{0, 0, 1, 1, 1} || c.mean[4] != 1.6 {
		t.Errorf("curve of extraditions: %+v", c)
	}
}

// Every metric has a title and an axis label, and the rare events are drawn as totals.
func TestEveryMetricHasADisplay(t *testing.T) {
	for m := range model.NumMetrics {
		d := display(m)
		if d.title == "" || d.axis == "" || strings.Contains(d.title, "_") {
			t.Errorf("%s: display %+v", m, d)
		}
		if cumulative := slices.Contains(ensemble.CumulativeMetrics, m); cumulative != (d.how == drawCumulative) {
			t.Errorf("%s: drawn as %v, in CumulativeMetrics: %v", m, d.how, cumulative)
		}
		if d.how == drawCumulative && !m.Info().Flow {
			t.Errorf("%s: a stock drawn as a running total", m)
		}
	}
}

// svgOf draws a chart as SVG.
func svgOf(t *testing.T, c *chart) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.writeTo(&b, plotWidth, plotHeight, "svg"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// shadeFill is how the SVG writer spells the windows' first fill colour.
const shadeFill = "fill:#7F7F7F;fill-opacity:0.14118"

// The airstrikes of the labs scenario (4 January 2026 to 2 January 2028) are shaded on
// its plots, and labelled; interventions over the whole run (the policy library's
// background) and of intensity zero are not; a comparison labels a window with the
// scenarios that have it.
func TestInterventionWindowsShaded(t *testing.T) {
	strikes, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "labs", "airstrikes-2026.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ws := InterventionWindows([]*scenario.Scenario{strikes})
	from, to := decimalYear(time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)), decimalYear(time.Date(2028, 1, 2, 0, 0, 0, 0, time.UTC))
	if len(ws) != 1 || ws[0].from != from || ws[0].to != to || ws[0].label != "airstrikes" {
		t.Fatalf("windows %+v, want airstrikes from %v to %v", ws, from, to)
	}
	sc := testScenario(t, 2)
	ens := ensemble.NewEnsemble(strikes.Clock.Weeks, int(model.NumMetrics))
	series := make([]float64, strikes.Clock.Weeks*int(model.NumMetrics))
	for i := range series {
		series[i] = float64(i % 7)
	}
	for r := range 2 {
		if err := ens.Fold(r, series); err != nil {
			t.Fatal(err)
		}
	}
	tab := ens.Summaries()
	shaded, err := fanChart(runInfo{sc.Name, 2, false}, model.Labs, strikes.Clock, tab, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(shaded.windows) != 1 || !strings.Contains(svgOf(t, shaded), shadeFill) {
		t.Errorf("the airstrikes are not shaded (windows %+v)", shaded.windows)
	}
	plain, err := fanChart(runInfo{sc.Name, 2, false}, model.Labs, strikes.Clock, tab, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(svgOf(t, plain), shadeFill) {
		t.Error("a chart without windows has the windows' shade")
	}

	if ws := InterventionWindows(nil); len(ws) != 0 { // OverlayPlots found no scenario
		t.Errorf("no scenarios: windows %+v", ws)
	}
	quo, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "policy", "status-quo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if ws := InterventionWindows([]*scenario.Scenario{quo}); len(ws) != 0 {
		t.Errorf("status quo: windows %+v, want none (its interventions last the whole run)", ws)
	}
	joint, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "policy", "airstrikes-joint.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ws = InterventionWindows([]*scenario.Scenario{quo, joint})
	if len(ws) != 1 || ws[0].label != "airstrikes (not status-quo)" {
		t.Errorf("comparison windows %+v, want the joint airstrikes, labelled as not in the reference", ws)
	}
	// Two kinds over the same weeks share one window; windows are in order of start, then
	// end (both strikes start on 4 January 2026; shock and awe's end a year earlier).
	shock, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "policy", "shock-and-awe-enforced.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ws = InterventionWindows([]*scenario.Scenario{joint, quo, shock})
	want := []string{"incapacitation, airstrikes (shock-and-awe-enforced)", "airstrikes (airstrikes-joint)", "ceasefire (shock-and-awe-enforced)"}
	var got []string
	for _, w := range ws {
		got = append(got, w.label)
	}
	if !slices.Equal(got, want) {
		t.Errorf("windows of three scenarios %q, want %q", got, want)
	}
}

// svgPath matches an SVG path and its stroke colour.
var svgPath = regexp.MustCompile(`<path d="([^"]*)" style="[^"]*stroke:(#[0-9A-F]{6})`)

// The legend is drawn below the data area, never over it: with members at 0 every week,
// the median runs along the bottom of the data area, and the median's legend sample (a
// short line in the median's colour) must lie below it (the SVG writer flips its y axis:
// y grows upwards in the paths).
func TestLegendBelowTheData(t *testing.T) {
	sc := testScenario(t, 2)
	clock := sc.Clock
	ens := ensemble.NewEnsemble(clock.Weeks, int(model.NumMetrics))
	if err := ens.Fold(0, make([]float64, clock.Weeks*int(model.NumMetrics))); err != nil {
		t.Fatal(err)
	}
	c, err := fanChart(runInfo{sc.Name, 2, false}, model.Members, clock, ens.Summaries(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	svg := svgOf(t, c)
	var data, sample []float64 // y coordinates
	for _, m := range svgPath.FindAllStringSubmatch(svg, -1) {
		if m[2] != "#0B3C5D" { // lineColor
			continue
		}
		var ys []float64
		for _, pt := range strings.FieldsFunc(m[1], func(r rune) bool { return r == 'M' || r == 'L' }) {
			_, y, _ := strings.Cut(pt, ",")
			v, err := strconv.ParseFloat(y, 64)
			if err != nil {
				t.Fatalf("path point %q", pt)
			}
			ys = append(ys, v)
		}
		if len(ys) == 2 && len(sample) == 0 && len(data) > 0 {
			sample = ys
		} else {
			data = append(data, ys...)
		}
	}
	if len(data) < clock.Weeks || len(sample) != 2 {
		t.Fatalf("found %d points of the median and a sample of %d", len(data), len(sample))
	}
	if lowest := slices.Min(data); sample[0] >= lowest {
		t.Errorf("the legend's sample at y %v is not below the data (lowest point at y %v)", sample[0], lowest)
	}
}

// The embedded observations parse, and a run's plots get those of its metric and time:
// the history gets the three group counts, the baseline the paper's two membership
// counts; a world without group dynamics gets no group counts, and a run after 2022 none.
func TestObservationsForRuns(t *testing.T) {
	if _, err := observed.All(); err != nil {
		t.Fatal(err)
	}
	hist := loadHistory(t, "2006-kingpin")
	hw, err := hist.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if obs := observationsFor(model.Groups, hist.Clock, hw); len(obs) != 3 {
		t.Errorf("history: %d group counts, want 3", len(obs))
	}
	if obs := observationsFor(model.Members, hist.Clock, hw); len(obs) != 1 || obs[0].Value != 115000 {
		t.Errorf("history: membership counts %+v, want 2012's 115,000", obs)
	}
	base, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "prieto-curiel-2023", "baseline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bw, err := base.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if obs := observationsFor(model.Members, base.Clock, bw); len(obs) != 2 || !obs[1].IsRange() || obs[1].Low != 160000 || obs[1].High != 185000 {
		t.Errorf("baseline: membership counts %+v, want 115,000 and 160,000-185,000", obs)
	}
	if obs := observationsFor(model.Groups, base.Clock, bw); len(obs) != 0 {
		t.Errorf("baseline, without group dynamics: group counts %+v", obs)
	}
	quo, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "policy", "status-quo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	qw, err := quo.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []model.Metric{model.Members, model.Groups} {
		if obs := observationsFor(m, quo.Clock, qw); len(obs) != 0 {
			t.Errorf("status quo (from 2025): %s counts %+v", m, obs)
		}
	}
	var _ plot.Ticker = ValueTicks{}
	var _ plot.Ticker = yearTicks{}
}

// OverlayPlots draws runs whose scenario file is gone (here never written: test.yaml),
// without windows, and draws a rare event from cumulative.csv as running totals.
func TestOverlayOfRunsWithoutTheirScenarioFiles(t *testing.T) {
	sc := testScenario(t, 2)
	root := t.TempDir()
	var dirs []string
	for _, name := range []string{"a", "b"} {
		dir := filepath.Join(root, name)
		if _, err := Execute(t.Context(), sc, RunOptions{OutDir: dir, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	files, err := OverlayPlots(dirs, []model.Metric{model.Members, model.LeadersRemoved}, filepath.Join(root, "overlay"))
	if err != nil || len(files) != 4 {
		t.Fatalf("overlay: %v, %v", files, err)
	}
	rc, err := readRunCurves(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	total, ok := rc.totals[model.LeadersRemoved.String()]
	if !ok || len(total.x) != sc.Clock.Weeks+1 || total.q[0] != [5]float64{} {
		t.Errorf("running totals of leaders removed: %d points (%v), want %d from 0", len(total.x), ok, sc.Clock.Weeks+1)
	}
}

// A run's legend names its central line, and a run with one trajectory (mean-field, or a
// single replicate) draws no bands, which would only repeat the line.
func TestRunLegendLabels(t *testing.T) {
	for _, c := range []struct {
		run  runInfo
		mean bool
		want string
	}{
		{runInfo{"baseline", 40, false}, false, "median of 40 replicates (baseline)"},
		{runInfo{"baseline", 1200, false}, true, "mean of 1,200 replicates (baseline)"},
		{runInfo{"baseline", 1, false}, false, "one replicate (baseline)"},
		{runInfo{"baseline", 1, true}, false, "mean-field solution (baseline)"},
	} {
		if got := c.run.centre(c.mean); got != c.want {
			t.Errorf("%+v: %q, want %q", c.run, got, c.want)
		}
	}
	sc := testScenario(t, 1)
	ens := ensemble.NewEnsemble(sc.Clock.Weeks, int(model.NumMetrics))
	if err := ens.Fold(0, make([]float64, sc.Clock.Weeks*int(model.NumMetrics))); err != nil {
		t.Fatal(err)
	}
	c, err := fanChart(runInfo{sc.Name, 1, true}, model.Deaths, sc.Clock, ens.Summaries(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.legend) != 1 || c.legend[0].text != "mean-field solution (test)" {
		t.Errorf("mean-field legend %+v, want the solution alone", c.legend)
	}
}
