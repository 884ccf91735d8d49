package sensitivity

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/experiment"
)

// The closed-form test functions, of points in the unit cube (the validation designs
// range every factor over [0, 1]).

// ishigami is Ishigami and Homma's function (1990) with a = 7, b = 0.1, its inputs mapped
// from [0, 1] to [-pi, pi].
func ishigami(u []float64) float64 {
	const a, b = 7, 0.1
	x1, x2, x3 := -math.Pi+2*math.Pi*u[0], -math.Pi+2*math.Pi*u[1], -math.Pi+2*math.Pi*u[2]
	return math.Sin(x1) + a*math.Sin(x2)*math.Sin(x2) + b*math.Pow(x3, 4)*math.Sin(x1)
}

// ishigamiIndices are its indices in closed form (Saltelli et al. 2008, "Global
// Sensitivity Analysis: The Primer", Wiley, sec. 4.6 (exercise with the Ishigami
// function); Sobol' and Levitan 1999): V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2,
// V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V3 = 0, V13 = 8 b^2 pi^8/225.
func ishigamiIndices() (s1, st []float64, v float64) {
	const a, b = 7.0, 0.1
	pi4, pi8 := math.Pow(math.Pi, 4), math.Pow(math.Pi, 8)
	v = a*a/8 + b*pi4/5 + b*b*pi8/18 + 0.5
	v1 := (1 + b*pi4/5) * (1 + b*pi4/5) / 2
	v2 := a * a / 8
	v13 := 8 * b * b * pi8 / 225
	return []float64{v1 / v, v2 / v, 0}, []float64{(v1 + v13) / v, v2 / v, v13 / v}, v
}

// gA is the g-function's vector of Saltelli et al. 2010 (Comput. Phys. Commun. 181:259,
// test case B) and SALib's test: two important factors, two less so, four unimportant.
var gA = []float64{0, 1, 4.5, 9, 99, 99, 99, 99}

// gFunction is Sobol's g-function (Sobol' 1993; Saltelli et al. 2008, the Primer, sec.
// 3.5): prod_i (|4 u_i - 2| + a_i) / (1 + a_i).
func gFunction(u []float64) float64 {
	y := 1.0
	for i, a := range gA {
		y *= (math.Abs(4*u[i]-2) + a) / (1 + a)
	}
	return y
}

// gIndices are its indices in closed form: V_i = 1/(3 (1 + a_i)^2), V = prod (1 + V_i) - 1,
// S1_i = V_i / V, ST_i = V_i prod_{j != i} (1 + V_j) / V.
func gIndices() (s1, st []float64) {
	vi := make([]float64, len(gA))
	prod := 1.0
	for i, a := range gA {
		vi[i] = 1 / (3 * (1 + a) * (1 + a))
		prod *= 1 + vi[i]
	}
	v := prod - 1
	for i := range gA {
		s1 = append(s1, vi[i]/v)
		st = append(st, vi[i]*prod/(1+vi[i])/v)
	}
	return s1, st
}

// unitKeys are scenario keys that take any value in [0, 1]: the validation designs vary
// them over [0, 1], so that a point's values are its coordinates in the unit cube.
var unitKeys = []string{"fragmentation.clarity", "fragmentation.kill_penalty", "fragmentation.cohesion_shock",
	"fragmentation.collapse_probability", "policy.cooperation", "policy.extradition", "policy.prison_command",
	"parameters.intelligence"}

const unitScenario = `name: unit
start: 2012-01-01
weeks: 10
replicates: 1
seed: 7
`

// functionExperiment samples a design with the experiment package (a design file over
// k of the unit keys, of the given kind and points), evaluates f at each point instead of
// the simulator (each replicate adding noise(point, replicate), if given) and writes the
// experiment's files as experiment.Run does: design.csv, results.csv and a complete
// experiment.json. It returns the directory.
func functionExperiment(t testing.TB, k int, kind string, points, levels, replicates int, f func([]float64) float64, noise func(p, r int) float64) string {
	t.Helper()
	return functionExperiments(t, k, kind, points, levels, replicates, []string{"unit"}, func(x []float64) []float64 { return []float64{f(x)} }, noise)
}

// functionExperiments is functionExperiment over several scenarios, f giving each one's
// value (the first the reference); noise(p, r), if given, is added to every scenario's
// replicate r at point p, as common random numbers would.
func functionExperiments(t testing.TB, k int, kind string, points, levels, replicates int, scenarios []string, f func([]float64) []float64, noise func(p, r int) float64) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "name: closed-form\nscenarios: [unit.yaml]\nfactors:\n")
	for _, key := range unitKeys[:k] {
		fmt.Fprintf(&b, "  - {key: %s, range: [0, 1]}\n", key)
	}
	fmt.Fprintf(&b, "design: %s\npoints: %d\nreplicates: %d\nseed: 17\n", kind, points, replicates)
	if levels > 0 {
		fmt.Fprintf(&b, "levels: %d\n", levels)
	}
	b.WriteString("outputs:\n  - {name: y, metric: members, year: 2012}\n")
	for name, text := range map[string]string{"unit.yaml": unitScenario, "design.yaml": b.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := experiment.LoadDesign(filepath.Join(dir, "design.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var design, results strings.Builder
	design.WriteString("point")
	for _, fc := range d.Factors {
		design.WriteString("," + fc.Key)
	}
	design.WriteString("\n")
	results.WriteString("point,scenario,replicate,output,value\n")
	for p, x := range d.Matrix {
		fmt.Fprintf(&design, "%d", p)
		for _, v := range x {
			fmt.Fprintf(&design, ",%s", num(v))
		}
		design.WriteString("\n")
		ys := f(x)
		for s, name := range scenarios {
			for r := range d.Replicates {
				yr := ys[s]
				if noise != nil {
					yr += noise(p, r)
				}
				fmt.Fprintf(&results, "%d,%s,%d,y,%s\n", p, name, r, num(yr))
			}
		}
	}
	m := experiment.Manifest{
		Design:     experiment.ManifestDesign{Name: d.Name, Kind: d.Kind, Levels: d.Levels},
		Outputs:    []experiment.ManifestOutput{{Name: "y", Metric: "members"}},
		Points:     d.Points,
		Replicates: d.Replicates, Seed: d.Seed, PointsDone: d.Points, Complete: true,
	}
	for _, name := range scenarios {
		m.Scenarios = append(m.Scenarios, experiment.ManifestScenario{Name: name})
	}
	for _, fc := range d.Factors {
		m.Factors = append(m.Factors, experiment.ManifestFactor{Key: fc.Key, Range: []float64{fc.Lo, fc.Hi}, Scale: "uniform"})
	}
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{experiment.DesignFile: design.String(), experiment.ResultsFile: results.String(), experiment.ManifestFile: string(js)} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// The sample sizes the docs recommend (docs/sensitivity.md): Sobol indices within 0.02 of
// their closed forms at N = 4096 base points (CARTELSIM_LONG_TESTS=1; a second or two), and
// within three bootstrap standard errors at N = 1024 (the quick form).
const (
	recommendedN = 4096
	quickN       = 1024
)

func long() bool { return os.Getenv("CARTELSIM_LONG_TESTS") == "1" }

// checkSobol compares estimated indices with closed forms: within tol, or, with tol 0,
// within three bootstrap standard errors (the 95% interval's width over 2 x 1.96), which
// must themselves be below 0.075 for the test to mean anything.
func checkSobol(t *testing.T, what string, got []Interval, want []float64, tol float64) {
	t.Helper()
	for i, iv := range got {
		lim := tol
		if tol == 0 {
			se := (iv.Hi - iv.Lo) / (2 * 1.96)
			if !(se < 0.075) {
				t.Errorf("%s x%d: bootstrap standard error %.3f, too wide to test anything", what, i+1, se)
			}
			lim = 3 * se
		}
		if d := math.Abs(iv.Estimate - want[i]); !(d <= lim) {
			t.Errorf("%s x%d: %.4f, closed form %.4f (off by %.4f, more than %.4f)", what, i+1, iv.Estimate, want[i], d, lim)
		}
	}
}

func sobolOf(t *testing.T, dir string) *SobolIndices {
	t.Helper()
	res, err := Analyze(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 1 || res.Targets[0].Sobol == nil {
		t.Fatalf("want one target with Sobol indices, got %+v", res.Targets)
	}
	return res.Targets[0].Sobol
}

// Ishigami's indices (a = 7, b = 0.1: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244)
// through the experiment's own Saltelli design, results.csv and the analysis.
func TestSobolIshigami(t *testing.T) {
	s1, st, v := ishigamiIndices()
	// The rounded values, as a check on the closed form above.
	for i, want := range []float64{0.314, 0.442, 0} {
		if math.Abs(s1[i]-want) > 0.0005 {
			t.Fatalf("closed form S1_%d = %.4f, published %.3f", i+1, s1[i], want)
		}
	}
	for i, want := range []float64{0.558, 0.442, 0.244} {
		if math.Abs(st[i]-want) > 0.0005 {
			t.Fatalf("closed form ST_%d = %.4f, published %.3f", i+1, st[i], want)
		}
	}
	n, tol := quickN, 0.0
	if long() {
		n, tol = recommendedN, 0.02
	}
	si := sobolOf(t, functionExperiment(t, 3, "sobol", n, 0, 1, ishigami, nil))
	checkSobol(t, "S1", si.S1, s1, tol)
	checkSobol(t, "ST", si.ST, st, tol)
	if rel := math.Abs(si.Variance-v) / v; rel > 0.1 {
		t.Errorf("variance %.3f, closed form %.3f", si.Variance, v)
	}
}

// The g-function's indices (a = 0, 1, 4.5, 9, 99, 99, 99, 99), likewise.
func TestSobolGFunction(t *testing.T) {
	s1, st := gIndices()
	n, tol := quickN, 0.0
	if long() {
		n, tol = recommendedN, 0.02
	}
	si := sobolOf(t, functionExperiment(t, 8, "sobol", n, 0, 1, gFunction, nil))
	checkSobol(t, "S1", si.S1, s1, tol)
	checkSobol(t, "ST", si.ST, st, tol)
}

// morrisPopulation is the exact mu* of f over every base point of the p-level grid and
// every factor (each move of Delta up from a level that allows it; a move down is the
// same pair of points), by enumeration: the value Morris's estimate converges to.
func morrisPopulation(f func([]float64) float64, k, p int) []float64 {
	delta := float64(p) / (2 * float64(p-1))
	out := make([]float64, k)
	x := make([]float64, k)
	var walk func(d int, acc []float64, n []int)
	counts := make([]int, k)
	walk = func(d int, _ []float64, _ []int) {
		if d == k {
			for i := range k {
				if x[i]+delta > 1+1e-12 {
					continue
				}
				y := append([]float64(nil), x...)
				y[i] += delta
				out[i] += math.Abs(f(y)-f(x)) / delta
				counts[i]++
			}
			return
		}
		for l := range p {
			x[d] = float64(l) / float64(p-1)
			walk(d+1, nil, nil)
		}
	}
	walk(0, nil, nil)
	for i := range out {
		out[i] /= float64(counts[i])
	}
	return out
}

// Morris on Ishigami (4 levels, the default): mu* agrees with its exact value over the
// grid (enumerated) within the bootstrap interval, and ranks x3 last. With 4 levels x1
// and x2 are nearly tied (7.70 and 7.875 exactly; their total indices are 0.558 and 0.442):
// mu* is a screening measure (Campolongo et al. 2007), not the total index.
func TestMorrisIshigami(t *testing.T) {
	r := 100
	if long() {
		r = 1000
	}
	res, err := Analyze(functionExperiment(t, 3, "morris", r, 4, 1, ishigami, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	mi := res.Targets[0].Morris
	exact := morrisPopulation(ishigami, 3, 4)
	if math.Abs(exact[1]-7.875) > 1e-9 { // 7 x 3/4 over Delta = 2/3, by hand
		t.Fatalf("enumerated mu*_2 = %v, want 7.875", exact[1])
	}
	for i, iv := range mi.MuStar {
		if slack := 1e-9 * exact[i]; exact[i] < iv.Lo-slack || exact[i] > iv.Hi+slack {
			t.Errorf("mu*_%d = %.3f [%.3f, %.3f]; exact %.3f outside the interval", i+1, iv.Estimate, iv.Lo, iv.Hi, exact[i])
		}
	}
	if !(mi.MuStar[2].Estimate < mi.MuStar[0].Estimate && mi.MuStar[2].Estimate < mi.MuStar[1].Estimate) {
		t.Errorf("mu* = %.3f, %.3f, %.3f: x3 should rank last", mi.MuStar[0].Estimate, mi.MuStar[1].Estimate, mi.MuStar[2].Estimate)
	}
	// x2 enters additively (7 sin^2 x2): its effects at 4 levels are all +-7.875, so mu is
	// near 0 and sigma near 7.875 x sqrt(r/(r-1)).
	if s := mi.Sigma[1].Estimate; math.Abs(s-7.875) > 0.1 {
		t.Errorf("sigma_2 = %.3f, want about 7.875", s)
	}
}

// Morris on the g-function ranks the factors as their a does (Campolongo et al. 2007,
// Environ. Model. Softw. 22:1509, test their screening on it): mu* decreasing over
// x1 ... x4, and the four with a = 99 below a fifth of x4's (1/(1 + a): about a tenth).
func TestMorrisGFunction(t *testing.T) {
	res, err := Analyze(functionExperiment(t, 8, "morris", 50, 4, 1, gFunction, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	mu := res.Targets[0].Morris.MuStar
	for i := 1; i < 4; i++ {
		if !(mu[i].Estimate < mu[i-1].Estimate) {
			t.Errorf("mu*_%d = %.4f not below mu*_%d = %.4f", i+1, mu[i].Estimate, i, mu[i-1].Estimate)
		}
	}
	for i := 4; i < 8; i++ {
		if !(mu[i].Estimate < mu[3].Estimate/5) {
			t.Errorf("mu*_%d = %.4f, not below a fifth of mu*_4 = %.4f", i+1, mu[i].Estimate, mu[3].Estimate)
		}
	}
}

// gauss is a deterministic standard normal draw for point p, replicate r (Box-Muller over
// a hash), so the test needs no stream of its own.
func gauss(p, r int) float64 {
	h := func(x uint64) float64 {
		x ^= x >> 33
		x *= 0xff51afd7ed558ccd
		x ^= x >> 33
		x *= 0xc4ceb9fe1a85ec53
		x ^= x >> 33
		return (float64(x>>11) + 0.5) / (1 << 53)
	}
	u1, u2 := h(uint64(p)<<20|uint64(r)), h(uint64(p)<<20|uint64(r)|1<<19)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// Replicate noise: with noise of variance sigma^2 = R V added to each of R replicates, the
// variance of a point's mean is V and the noise share is V / (V + V) = 1/2. A policy whose
// effect is Ishigami's function, under common random numbers (the same noise in both
// scenarios), has a noise-free effect: share 0 and Ishigami's indices.
func TestNoiseShareAndPairedEffect(t *testing.T) {
	_, _, v := ishigamiIndices()
	const reps = 4
	sd := math.Sqrt(reps * v)
	dir := functionExperiments(t, 3, "sobol", quickN, 0, reps, []string{"ref", "policy"},
		func(x []float64) []float64 { return []float64{5 * x[2], 5*x[2] + ishigami(x)} },
		func(p, r int) float64 { return sd * gauss(p, r) })
	res, err := Analyze(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Target{}
	for _, tg := range res.Targets {
		byName[tg.Scenario+"/"+tg.Versus] = tg
	}
	ref, policy, effect := byName["ref/"], byName["policy/"], byName["policy/ref"]
	if ref == nil || policy == nil || effect == nil || len(res.Targets) != 3 {
		t.Fatalf("targets %v: want ref, policy and policy minus ref", byName)
	}
	// The policy's level: f varies with variance about V, so does the noise of its mean.
	if s := policy.NoiseShare; math.Abs(s-0.5) > 0.08 {
		t.Errorf("policy's noise share %.3f, want about 0.5", s)
	}
	// The reference (5 x3: variance 25/12) is drowned: share V / (V + 25/12), about 0.87.
	if s, want := ref.NoiseShare, v/(v+25.0/12); math.Abs(s-want) > 0.05 {
		t.Errorf("reference's noise share %.3f, want about %.3f", s, want)
	}
	if !(math.Abs(effect.NoiseShare) < 1e-12) {
		t.Errorf("the paired effect's noise share %v, want 0 (common random numbers)", effect.NoiseShare)
	}
	s1, st, _ := ishigamiIndices()
	checkSobol(t, "effect S1", effect.Sobol.S1, s1, 0)
	checkSobol(t, "effect ST", effect.Sobol.ST, st, 0)
}

// The indices do not depend on the output's level: Ishigami's function plus 10,000 (as
// a count of members is far from 0) gives the indices of the function itself. The first
// order estimator, mean(f(B)(f(AB_i) - f(A))), is not shift-invariant unless f is centred
// first (as SALib does); uncentred, its error grows with the level.
func TestSobolShiftInvariant(t *testing.T) {
	a := sobolOf(t, functionExperiment(t, 3, "sobol", 64, 0, 1, ishigami, nil))
	b := sobolOf(t, functionExperiment(t, 3, "sobol", 64, 0, 1, func(u []float64) float64 { return 1e4 + ishigami(u) }, nil))
	for i := range 3 {
		for _, pair := range [][2]Interval{{a.S1[i], b.S1[i]}, {a.ST[i], b.ST[i]}} {
			if d := math.Abs(pair[0].Estimate - pair[1].Estimate); d > 1e-6 {
				t.Errorf("x%d: %.6f for f, %.6f for f + 10,000", i+1, pair[0].Estimate, pair[1].Estimate)
			}
		}
	}
}

// The Sobol sequence's first point is (1/2, ..., 1/2) in every dimension, so the first
// block has A = B and no variance: a bootstrap resample of a small design drawing only that
// block has undefined indices. Such resamples are left out, not allowed to blank the
// interval (at N = 4 one resample in 256 is one).
func TestBootstrapLeavesOutDegenerateResamples(t *testing.T) {
	si := sobolOf(t, functionExperiment(t, 3, "sobol", 4, 0, 1, ishigami, nil))
	for i := range 3 {
		for _, iv := range []Interval{si.S1[i], si.ST[i]} {
			if math.IsNaN(iv.Lo) || math.IsNaN(iv.Hi) || !(iv.Lo <= iv.Hi) {
				t.Errorf("x%d: interval [%v, %v]", i+1, iv.Lo, iv.Hi)
			}
		}
	}
}
