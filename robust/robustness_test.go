package robust

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/experiment"
)

// writeExperiment writes a synthetic experiment directory as cartelsim experiment
// leaves it: experiment.json, design.csv and effects.csv. effects[output][policy][point]
// are {diff, lo, hi}.
func writeExperiment(t *testing.T, factors []string, design [][]float64, outputs, metrics []string, policies []string, effects [][][][3]float64) string {
	t.Helper()
	dir := t.TempDir()
	m := experiment.Manifest{Points: len(design), Replicates: 4, Complete: true, PointsDone: len(design)}
	m.Scenarios = append(m.Scenarios, experiment.ManifestScenario{Name: "status-quo"})
	for _, p := range policies {
		m.Scenarios = append(m.Scenarios, experiment.ManifestScenario{Name: p})
	}
	for _, f := range factors {
		m.Factors = append(m.Factors, experiment.ManifestFactor{Key: f, Range: []float64{0, 1}, Scale: "uniform"})
	}
	for i, o := range outputs {
		m.Outputs = append(m.Outputs, experiment.ManifestOutput{Name: o, Metric: metrics[i]})
	}
	data, _ := json.Marshal(m)
	var d, e strings.Builder
	d.WriteString("point," + strings.Join(factors, ",") + "\n")
	for p, row := range design {
		fmt.Fprintf(&d, "%d", p)
		for _, v := range row {
			fmt.Fprintf(&d, ",%g", v)
		}
		d.WriteString("\n")
	}
	e.WriteString("point,output,scenario,versus,replicates,diff,diff_lo95,diff_hi95\n")
	for p := range design {
		for o, name := range outputs {
			for s, pol := range policies {
				v := effects[o][s][p]
				fmt.Fprintf(&e, "%d,%s,%s,status-quo,4,%g,%g,%g\n", p, name, pol, v[0], v[1], v[2])
			}
		}
	}
	for name, body := range map[string]string{experiment.ManifestFile: string(data), experiment.DesignFile: d.String(), experiment.EffectsFile: e.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Four futures, two policies, homicides (fewer is better). Effects of A: -2, -1, 1, 3;
// of B: -3, 0, -1, 1. By hand: each beats the status quo at 2 of 4 points (B's 0 beats
// nothing). The best option per point is B (-3), A (-1), B (-1), the status quo (0), so
// the regrets are status quo 3, 1, 1, 0 (max 3, mean 1.25), A 1, 0, 2, 3 (max 3, mean
// 1.5), B 0, 1, 0, 1 (max 1, mean 0.5): minimax regret ranks B, the status quo, A.
func TestRobustnessByHand(t *testing.T) {
	a := [][3]float64{{-2, -3, -1}, {-1, -2.5, 0.5}, {1, 0.5, 1.5}, {3, 2, 4}}
	b := [][3]float64{{-3, -4, -2}, {0, 0, 0}, {-1, -1.5, -0.5}, {1, -1, 3}}
	dir := writeExperiment(t, []string{"f"}, [][]float64{{0.1}, {0.4}, {0.6}, {0.9}},
		[]string{"homicides_2030", "splits_2030"}, []string{"homicides", "splits"}, []string{"A", "B"},
		[][][][3]float64{{a, b}, {a, b}})
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	rows := Analyse(e, nil)
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 2 outputs x 3 options", len(rows))
	}
	type want struct {
		share, clear, against, meanR, maxR float64
		rank                               int
	}
	nan := math.NaN()
	wants := []want{
		{nan, nan, nan, 1.25, 3, 2}, // status quo
		{0.5, 0.25, 0.5, 1.5, 3, 3}, // A: clear below 0 at point 0, above at 2 and 3
		{0.5, 0.5, 0, 0.5, 1, 1},    // B: clear at 0 and 2; the interval [0,0] is not clear
		// splits has no direction: shares count positive effects; no regret.
		{nan, nan, nan, nan, nan, 0},
		{0.5, 0.5, 0.25, nan, nan, 0}, // A positive at 2 of 4; clearly above 0 at 2, below at 1
		{0.25, 0, 0.5, nan, nan, 0},
	}
	same := func(x, y float64) bool { return math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) < 1e-12 }
	for i, w := range wants {
		r := rows[i]
		if !same(r.Share, w.share) || !same(r.Clear, w.clear) || !same(r.Against, w.against) ||
			!same(r.MeanRegret, w.meanR) || !same(r.MaxRegret, w.maxR) || r.Rank != w.rank {
			t.Errorf("row %d (%s %s): share %g clear %g against %g regret mean %g max %g rank %d, want %+v",
				i, r.Output, r.Policy, r.Share, r.Clear, r.Against, r.MeanRegret, r.MaxRegret, r.Rank, w)
		}
	}
	// Wilson's 95% interval for 2 of 4: (0.150, 0.850) (Brown, Cai and DasGupta 2001,
	// or by hand: centre 0.5, half-width z/(1+z²/4)·sqrt(1/16+z²/64) = 0.34996).
	if math.Abs(rows[1].ShareLo-0.15004) > 1e-4 || math.Abs(rows[1].ShareHi-0.84996) > 1e-4 {
		t.Errorf("Wilson interval [%g, %g], want [0.15004, 0.84996]", rows[1].ShareLo, rows[1].ShareHi)
	}
	// Type-7 quantiles of A's -2, -1, 1, 3: the median halfway between -1 and 1; the
	// 5% quantile at 0.15 of the way from -2 to -1.
	if q := rows[1].Quantiles; math.Abs(q[2]) > 1e-12 || math.Abs(q[0]+1.85) > 1e-12 || math.Abs(q[4]-2.7) > 1e-12 {
		t.Errorf("quantiles %v, want median 0, 5%% -1.85, 95%% 2.7", q)
	}
	if d := rows[0].Direction; d != Lower {
		t.Errorf("homicides direction %s", d)
	}
}

func TestWilsonEdges(t *testing.T) {
	// 0 of 10: the Wilson interval starts at 0 and ends at z²/(n+z²) = 0.2775.
	lo, hi := Wilson(0, 10, 0.95)
	if math.Abs(lo) > 1e-12 || math.Abs(hi-0.27754) > 1e-4 {
		t.Errorf("Wilson(0,10) = [%g, %g], want [0, 0.2775]", lo, hi)
	}
}

func TestLoadErrors(t *testing.T) {
	a := [][3]float64{{-2, -3, -1}, {1, 0, 2}}
	good := func() string {
		return writeExperiment(t, []string{"f"}, [][]float64{{0.1}, {0.9}}, []string{"h"}, []string{"homicides"}, []string{"A"}, [][][][3]float64{{a}})
	}
	for _, tc := range []struct {
		name, file, from, to, want string
	}{
		{"not complete", experiment.ManifestFile, `"complete":true`, `"complete":false`, "the experiment is not complete (2 of 2 points): finish it with cartelsim experiment --resume"},
		{"missing effect", experiment.EffectsFile, "1,h,A,status-quo,4,1,0,2\n", "", "effects.csv: no effect of A on h at point 1"},
		{"unknown policy", experiment.EffectsFile, "1,h,A,", "1,h,B,", `effects.csv:3: scenario "B" is not a policy of the manifest`},
		{"bad number", experiment.DesignFile, "0.9", "x", `design.csv:3: f: not a number: "x"`},
	} {
		dir := good()
		path := filepath.Join(dir, tc.file)
		data, _ := os.ReadFile(path)
		if !strings.Contains(string(data), tc.from) {
			t.Fatalf("%s: %q not in %s", tc.name, tc.from, data)
		}
		os.WriteFile(path, []byte(strings.Replace(string(data), tc.from, tc.to, 1)), 0o644)
		_, err := Load(dir)
		if err == nil || !strings.HasPrefix(err.Error(), "robust: ") || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", tc.name, err, tc.want)
		}
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not an experiment directory (no experiment.json)") {
		t.Errorf("empty dir: %v", err)
	}
}

// A relative condition divides each point's effect by the reference's mean there, from
// results.csv: by hand, -20 against 100 is -20% (below -10%), -20 against 400 is -5%.
func TestRelativeCondition(t *testing.T) {
	a := [][3]float64{{-20, -30, -10}, {-20, -30, -10}}
	dir := writeExperiment(t, []string{"f"}, [][]float64{{0.1}, {0.9}}, []string{"supply_2027"}, []string{"supply"}, []string{"A"}, [][][][3]float64{{a}})
	results := "point,scenario,replicate,output,value\n" +
		"0,status-quo,0,supply_2027,90\n0,status-quo,1,supply_2027,110\n0,A,0,supply_2027,70\n0,A,1,supply_2027,90\n" +
		"1,status-quo,0,supply_2027,400\n1,status-quo,1,supply_2027,400\n1,A,0,supply_2027,380\n1,A,1,supply_2027,380\n"
	if err := os.WriteFile(filepath.Join(dir, experiment.ResultsFile), []byte(results), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	y, err := e.Holds(Condition{Policy: "A", Output: "supply_2027", Threshold: -10, Relative: true})
	if err != nil || len(y) != 2 || !y[0] || y[1] {
		t.Errorf("holds %v (%v), want [true false]", y, err)
	}
	// With --clear, the interval's upper end: -10 of 100 is -10%, not below -10%.
	y, err = e.Holds(Condition{Policy: "A", Output: "supply_2027", Threshold: -10, Relative: true, Clear: true})
	if err != nil || y[0] || y[1] {
		t.Errorf("clear: holds %v (%v), want [false false]", y, err)
	}
	os.WriteFile(filepath.Join(dir, experiment.ResultsFile), []byte(strings.ReplaceAll(results, ",400\n", ",0\n")), 0o644)
	if _, err := e.Holds(Condition{Policy: "A", Output: "supply_2027", Threshold: -10, Relative: true}); err == nil ||
		!strings.Contains(err.Error(), "supply_2027 is 0 in status-quo at point 1, so an effect relative to it is undefined") {
		t.Errorf("a reference of 0: %v", err)
	}
}

// A second analysis into the same directory with fewer outputs leaves no plot of the
// first one's behind.
func TestWriteRobustnessRemovesStalePlots(t *testing.T) {
	a := [][3]float64{{-2, -3, -1}, {1, 0, 2}}
	dir := writeExperiment(t, []string{"f"}, [][]float64{{0.1}, {0.9}}, []string{"h", "s"}, []string{"homicides", "supply"}, []string{"A"}, [][][][3]float64{{a}, {a}})
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := WriteRobustness(out, e, Analyse(e, nil)); err != nil {
		t.Fatal(err)
	}
	files, err := WriteRobustness(out, e, Analyse(e, func(o int) bool { return o == 1 }))
	if err != nil {
		t.Fatal(err)
	}
	plots, _ := filepath.Glob(filepath.Join(out, PlotsDir, "*.png"))
	if len(plots) != 1 || filepath.Base(plots[0]) != "robustness_s.png" || len(files) != 2 {
		t.Errorf("plots %v, files %v: want robustness_s.png only", plots, files)
	}
}

// Quantile rounds the interpolation's product before adding it, as the default amd64
// build does, on every build: 0.1 + 0.3*(0.7-0.1) is 0.28 rounded twice, 0.27999999999999997
// fused (math.FMA). `GOAMD64=v3 go test ./robust/` fails here without the explicit rounding.
func TestQuantileRoundsLikeTheDefaultBuild(t *testing.T) {
	a, b, q := 0.1, 0.7, 0.3
	twice := a + float64(q*(b-a))
	if fused := math.FMA(q, b-a, a); fused == twice {
		t.Fatalf("the case does not tell fused from rounded twice (%v)", fused)
	}
	if twice != 0.28 {
		t.Fatalf("0.1 + 0.3*0.6 rounded twice is %v, want 0.28", twice)
	}
	if got := Quantile(q, []float64{b, a}); got != twice {
		t.Errorf("Quantile(0.3, {0.7, 0.1}) = %v, want %v", got, twice)
	}
}

// A future whose world ran away (experiment.json's runaways, NaN effects) is set aside:
// with one inserted among the four futures of TestRobustnessByHand, every record is the
// same as without it, and Load says which point it left out. NaN effects at a point the
// manifest does not list are refused.
func TestRunawayPointsSetAside(t *testing.T) {
	a := [][3]float64{{-2, -3, -1}, {-1, -2.5, 0.5}, {1, 0.5, 1.5}, {3, 2, 4}}
	b := [][3]float64{{-3, -4, -2}, {0, 0, 0}, {-1, -1.5, -0.5}, {1, -1, 3}}
	design := [][]float64{{0.1}, {0.4}, {0.6}, {0.9}}
	outputs, metrics := []string{"homicides_2030", "splits_2030"}, []string{"homicides", "splits"}
	e, err := Load(writeExperiment(t, []string{"f"}, design, outputs, metrics, []string{"A", "B"}, [][][][3]float64{{a, b}, {a, b}}))
	if err != nil {
		t.Fatal(err)
	}
	want := Analyse(e, nil)

	nan := [3]float64{math.NaN(), math.NaN(), math.NaN()}
	ins := func(xs [][3]float64) [][3]float64 { return slices.Insert(slices.Clone(xs), 2, nan) }
	a2, b2 := ins(a), ins(b)
	design2 := slices.Insert(slices.Clone(design), 2, []float64{0.5})
	dir := writeExperiment(t, []string{"f"}, design2, outputs, metrics, []string{"A", "B"}, [][][][3]float64{{a2, b2}, {a2, b2}})
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a finite number") {
		t.Errorf("NaN effects at a point not listed as a runaway: %v, want refused", err)
	}
	patchManifest(t, dir, func(m *experiment.Manifest) {
		m.Runaways = []experiment.Runaway{{Point: 2, Scenario: "status-quo", Week: 40, Quantity: "groups"}}
	})
	e2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e2.Points, []int{0, 1, 3, 4}) || !slices.Equal(e2.SetAside, []int{2}) {
		t.Errorf("points %v, set aside %v: want 0, 1, 3, 4 and 2", e2.Points, e2.SetAside)
	}
	if !reflect.DeepEqual(e2.Design, design) {
		t.Errorf("design %v, want %v", e2.Design, design)
	}
	got := Analyse(e2, nil)
	if !reflect.DeepEqual(fmt.Sprint(got), fmt.Sprint(want)) { // NaN != NaN: compare as text
		t.Errorf("with a future set aside:\n%v\nwant\n%v", got, want)
	}
	if s := e2.PointsText(); s != "the 4 points whose world did not run away (1 set aside)" {
		t.Errorf("PointsText %q", s)
	}
}

// patchManifest changes the experiment.json of a directory writeExperiment wrote.
func patchManifest(t *testing.T, dir string, change func(*experiment.Manifest)) {
	t.Helper()
	mpath := filepath.Join(dir, experiment.ManifestFile)
	var m experiment.Manifest
	data, err := os.ReadFile(mpath)
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	change(&m)
	data, _ = json.Marshal(m)
	if err := os.WriteFile(mpath, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Of a sobol design the analyses read the A and B rows of each block, the design's
// independent points: TestRobustnessByHand's four futures as the A and B rows of a
// one-factor design's two blocks (A, AB_1, B), its AB rows given effects that would
// change every answer, give TestRobustnessByHand's analysis. A runaway in an AB row is
// not read; one in an A row is set aside.
func TestSobolReadsTheAAndBRows(t *testing.T) {
	a := [][3]float64{{-2, -3, -1}, {-1, -2.5, 0.5}, {1, 0.5, 1.5}, {3, 2, 4}}
	b := [][3]float64{{-3, -4, -2}, {0, 0, 0}, {-1, -1.5, -0.5}, {1, -1, 3}}
	design := [][]float64{{0.1}, {0.4}, {0.6}, {0.9}}
	outputs, metrics := []string{"homicides_2030"}, []string{"homicides"}
	e, err := Load(writeExperiment(t, []string{"f"}, design, outputs, metrics, []string{"A", "B"}, [][][][3]float64{{a, b}}))
	if err != nil {
		t.Fatal(err)
	}
	want := Analyse(e, nil)

	// Blocks A, AB_1, B: the futures 0 and 1, then 2 and 3, with an AB row between.
	ab := [3]float64{-100, -101, -99}
	blocks := func(xs [][3]float64, mid [3]float64) [][3]float64 {
		return [][3]float64{xs[0], mid, xs[1], xs[2], mid, xs[3]}
	}
	a2, b2 := blocks(a, ab), blocks(b, [3]float64{50, 49, 51})
	design2 := [][]float64{{0.1}, {0.4}, {0.4}, {0.6}, {0.9}, {0.9}}
	dir := writeExperiment(t, []string{"f"}, design2, outputs, metrics, []string{"A", "B"}, [][][][3]float64{{a2, b2}})
	patchManifest(t, dir, func(m *experiment.Manifest) { m.Design.Kind = experiment.Sobol })
	e2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e2.Points, []int{0, 2, 3, 5}) || !slices.Equal(e2.Dependent, []int{1, 4}) || len(e2.SetAside) != 0 {
		t.Fatalf("points %v, dependent %v, set aside %v: want 0, 2, 3, 5; 1, 4; none", e2.Points, e2.Dependent, e2.SetAside)
	}
	if got := Analyse(e2, nil); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the sobol design's A and B rows:\n%v\nwant the four futures':\n%v", got, want)
	}
	if s := e2.PointsText(); s != "the 4 A and B points of the sobol design" {
		t.Errorf("PointsText %q", s)
	}

	// With a posterior of two parameters beside f, the posterior is one factor of the
	// scheme: blocks of 4 (A, AB_f, AB_posterior, B).
	a4, b4 := slices.Clone(a2), slices.Clone(b2)
	a4, b4 = slices.Insert(a4, 5, ab), slices.Insert(b4, 5, ab)
	a4, b4 = slices.Insert(a4, 2, ab), slices.Insert(b4, 2, ab)
	design4 := make([][]float64, len(a4))
	for p := range design4 {
		design4[p] = []float64{float64(p) / 8, 0.5, 0.5}
	}
	dir4 := writeExperiment(t, []string{"f", "p1", "p2"}, design4, outputs, metrics, []string{"A", "B"}, [][][][3]float64{{a4, b4}})
	patchManifest(t, dir4, func(m *experiment.Manifest) {
		m.Design.Kind = experiment.Sobol
		for i := 1; i <= 2; i++ {
			m.Factors[i].Scale, m.Factors[i].Posterior = "posterior", "calibrations/x/posterior.csv"
		}
	})
	e4, err := Load(dir4)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e4.Points, []int{0, 3, 4, 7}) || !slices.Equal(e4.Dependent, []int{1, 2, 5, 6}) {
		t.Errorf("with a posterior: points %v, dependent %v; want 0, 3, 4, 7 and 1, 2, 5, 6", e4.Points, e4.Dependent)
	}
	if got := Analyse(e4, nil); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("with a posterior, the A and B rows:\n%v\nwant:\n%v", got, want)
	}
	// A design that is not whole blocks is refused.
	patchManifest(t, dir4, func(m *experiment.Manifest) { m.Factors[2].Posterior = "calibrations/y/posterior.csv" })
	if _, err := Load(dir4); err == nil || !strings.Contains(err.Error(), "a sobol design of 8 points is not blocks of 5") {
		t.Errorf("8 points in blocks of 5: %v, want refused", err)
	}

	nan := [3]float64{math.NaN(), math.NaN(), math.NaN()}
	for _, c := range []struct {
		point         int
		points, aside []int
	}{{1, []int{0, 2, 3, 5}, nil}, {3, []int{0, 2, 5}, []int{3}}} {
		a3, b3 := slices.Clone(a2), slices.Clone(b2)
		a3[c.point], b3[c.point] = nan, nan
		dir := writeExperiment(t, []string{"f"}, design2, outputs, metrics, []string{"A", "B"}, [][][][3]float64{{a3, b3}})
		patchManifest(t, dir, func(m *experiment.Manifest) {
			m.Design.Kind = experiment.Sobol
			m.Runaways = []experiment.Runaway{{Point: c.point, Scenario: "status-quo", Week: 40, Quantity: "groups"}}
		})
		e3, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(e3.Points, c.points) || !slices.Equal(e3.SetAside, c.aside) {
			t.Errorf("runaway at point %d: points %v, set aside %v; want %v and %v", c.point, e3.Points, e3.SetAside, c.points, c.aside)
		}
	}
	// Every A and B row ran away (the AB rows did not): nothing is left to read.
	a5, b5 := slices.Clone(a2), slices.Clone(b2)
	var runaways []experiment.Runaway
	for _, p := range []int{0, 2, 3, 5} {
		a5[p], b5[p] = nan, nan
		runaways = append(runaways, experiment.Runaway{Point: p, Scenario: "status-quo", Week: 40, Quantity: "groups"})
	}
	dir5 := writeExperiment(t, []string{"f"}, design2, outputs, metrics, []string{"A", "B"}, [][][][3]float64{{a5, b5}})
	patchManifest(t, dir5, func(m *experiment.Manifest) { m.Design.Kind, m.Runaways = experiment.Sobol, runaways })
	if _, err := Load(dir5); err == nil || !strings.Contains(err.Error(), "every one of the 4 A and B points of the sobol design ran away") {
		t.Errorf("every A and B row ran away: %v, want refused", err)
	}
}

// A robustness plot's title goes on two lines when one would not hold it (a sobol
// design's, or one with points set aside), and stays on one otherwise, as the published
// plots of experiments/policy-robustness.yaml have it (the longest, 70 characters).
func TestRobustnessTitleWraps(t *testing.T) {
	if got := robustnessTitle("overdose_deaths_2029", "status-quo", "the 128 points"); got != "overdose_deaths_2029: each policy minus status-quo over the 128 points" {
		t.Errorf("a title that fits: %q", got)
	}
	if got := robustnessTitle("homicides_2030", "status-quo", "the 512 A and B points of the sobol design"); got != "homicides_2030: each policy minus status-quo\nover the 512 A and B points of the sobol design" {
		t.Errorf("a long title: %q", got)
	}
}
