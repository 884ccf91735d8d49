package experiment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// A posterior whose last generation is hand-checkable: particle 0 (recruitment 0.0021)
// weighs 1, particle 1 (0.0024) 0 and particle 2 (0.0029) 3, so a point takes particle 0
// with probability 1/4, particle 2 with 3/4 and never particle 1; generation 0's particle
// (0.0031) is not the posterior and is never drawn.
const handPosterior = `generation,particle,weight,distance,parameters.recruitment
0,0,1,9,0.0031
1,0,1,1,0.0021
1,1,0,1,0.0024
1,2,3,1,0.0029
`

func posteriorDesign(factors string, points int) string {
	return `name: post
scenarios: [ref.yaml, policy.yaml]
posterior: posterior.csv
` + factors + `design: latin-hypercube
points: ` + strconv.Itoa(points) + `
replicates: 2
seed: 7
outputs:
  - {metric: members, year: 2012}
`
}

func writePosteriorFiles(t *testing.T, design string) string {
	t.Helper()
	path := writeFiles(t, design)
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "posterior.csv"), []byte(handPosterior), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The points draw the posterior's last generation by weight.
func TestPosteriorDrawsFollowTheWeights(t *testing.T) {
	const n = 2000
	d, err := LoadDesign(writePosteriorFiles(t, posteriorDesign("", n)))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Factors) != 1 || !d.Factors[0].Posterior || d.Factors[0].Key != "parameters.recruitment" {
		t.Fatalf("factors %+v, want the posterior's one parameter", d.Factors)
	}
	// The range: the last generation's particles of positive weight, 0.0021 to 0.0029
	// (not generation 0's 0.0031).
	if f := d.Factors[0]; f.Lo != 0.0021 || f.Hi != 0.0029 {
		t.Errorf("range [%v, %v], want [0.0021, 0.0029]", f.Lo, f.Hi)
	}
	count := map[float64]int{}
	for _, row := range d.Matrix {
		count[row[0]]++
	}
	if count[0.0024] != 0 || count[0.0031] != 0 || count[0.0021]+count[0.0029] != n {
		t.Fatalf("%d distinct draws (0.0021: %d, 0.0029: %d, 0.0024: %d, 0.0031: %d): want only 0.0021 and 0.0029", len(count), count[0.0021], count[0.0029], count[0.0024], count[0.0031])
	}
	// Binomial(2000, 1/4): mean 500, sd 19.4; 4 sd either side.
	if c := count[0.0021]; c < 500-78 || c > 500+78 {
		t.Errorf("particle 0 drawn %d times in %d, want about 500 (weight 1 of 4)", c, n)
	}
	again, err := LoadDesign(writePosteriorFiles(t, posteriorDesign("", n)))
	if err != nil {
		t.Fatal(err)
	}
	for p := range d.Matrix {
		if again.Matrix[p][0] != d.Matrix[p][0] {
			t.Fatalf("point %d: %v, then %v: the draws are not a function of the seed", p, d.Matrix[p][0], again.Matrix[p][0])
		}
	}
}

// With a factor of its own, the design's factor takes a Latin hypercube (one point in each
// stratum) and the posterior's parameters follow it in design.csv, which records both; the
// results are the same bytes for 1 and 2 workers and for 2 shards merged; points that draw
// the same particle give the same results (the replicates' streams depend on the seed
// alone), points that draw different ones differ (the particle is applied).
func TestPosteriorDesignRuns(t *testing.T) {
	const n = 6
	d, err := LoadDesign(writePosteriorFiles(t, posteriorDesign(`factors:
  - key: interventions[1].intensity
    range: [0, 2]
    scenarios: [policy]
`, n)))
	if err != nil {
		t.Fatal(err)
	}
	strata := make([]bool, n)
	for _, row := range d.Matrix {
		strata[min(int(row[0]/2*n), n-1)] = true
	}
	for s, ok := range strata {
		if !ok {
			t.Errorf("no point in stratum %d of the intensity", s)
		}
	}
	base := t.TempDir()
	ctx := context.Background()
	one := filepath.Join(base, "one")
	if _, err := Run(ctx, d, Options{OutDir: one, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	design := read(t, filepath.Join(one, DesignFile))
	rows, err := csv.NewReader(bytes.NewReader(design)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "point,interventions[1].intensity,parameters.recruitment" {
		t.Fatalf("design.csv header %q", got)
	}
	for p, rec := range rows[1:] {
		if rec[2] != strconv.FormatFloat(d.Matrix[p][1], 'g', -1, 64) {
			t.Errorf("design.csv point %d: recruitment %s, the point ran %v", p, rec[2], d.Matrix[p][1])
		}
	}
	want := read(t, filepath.Join(one, ResultsFile))
	two := filepath.Join(base, "two")
	if _, err := Run(ctx, d, Options{OutDir: two, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(two, ResultsFile)), want) {
		t.Error("2 workers: results.csv differs from 1 worker's")
	}
	var shards []string
	for k := range 2 {
		dir := filepath.Join(base, "shard"+strconv.Itoa(k))
		if _, err := Run(ctx, d, Options{OutDir: dir, Workers: 1, Shard: k, Shards: 2}); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(base, "merged")
	if _, err := Merge(shards, MergeOptions{OutDir: merged}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ResultsFile, EffectsFile, DesignFile} {
		if !bytes.Equal(read(t, filepath.Join(merged, f)), read(t, filepath.Join(one, f))) {
			t.Errorf("2 shards merged: %s differs from one run's", f)
		}
	}

	// The reference scenario has no factor of its own: its rows depend on the particle only.
	ref := map[int]string{}
	for _, line := range strings.Split(string(want), "\n")[1:] {
		f := strings.Split(line, ",")
		if len(f) == 5 && f[1] == "ref" {
			p, _ := strconv.Atoi(f[0])
			ref[p] += f[2] + "=" + f[4] + ";"
		}
	}
	same, differ := 0, 0
	for p := range n {
		for q := p + 1; q < n; q++ {
			if d.Matrix[p][1] == d.Matrix[q][1] {
				same++
				if ref[p] != ref[q] {
					t.Errorf("points %d and %d draw the same particle but the reference differs: %s vs %s", p, q, ref[p], ref[q])
				}
			} else {
				differ++
				if ref[p] == ref[q] {
					t.Errorf("points %d and %d draw different particles but the reference is the same: %s", p, q, ref[p])
				}
			}
		}
	}
	if same == 0 || differ == 0 {
		t.Fatalf("the seed's draws do not exercise both cases (same %d, differ %d): pick another seed", same, differ)
	}
}

// A second posterior, hand-checkable too: economy.rebuild_weeks 2 with weight 1 and 20
// with weight 1, so each is drawn half the time.
const secondPosterior = `generation,particle,weight,distance,economy.rebuild_weeks
0,0,1,1,2
0,1,1,1,20
`

// With two posteriors each point draws a particle of each, by weight and independently:
// the first's draws are those it makes alone (the design's seed), the second's parameters
// follow its, and the four combinations each come about a quarter of the time.
func TestTwoPosteriorsDrawIndependently(t *testing.T) {
	const n = 2000
	one, err := LoadDesign(writePosteriorFiles(t, posteriorDesign("", n)))
	if err != nil {
		t.Fatal(err)
	}
	path := writePosteriorFiles(t, strings.Replace(posteriorDesign("", n), "posterior: posterior.csv", "posterior: [posterior.csv, second.csv]", 1))
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "second.csv"), []byte(secondPosterior), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDesign(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Factors) != 2 || d.Factors[0].Key != "parameters.recruitment" || d.Factors[1].Key != "economy.rebuild_weeks" || !d.Factors[1].Posterior {
		t.Fatalf("factors %+v, want the first posterior's parameter, then the second's", d.Factors)
	}
	count := map[[2]float64]int{}
	for p, row := range d.Matrix {
		if row[0] != one.Matrix[p][0] {
			t.Fatalf("point %d draws %v from the first posterior, %v with it alone", p, row[0], one.Matrix[p][0])
		}
		count[[2]float64{row[0], row[1]}]++
	}
	// Probabilities 1/4 x 1/2 = 1/8 and 3/4 x 1/2 = 3/8: Binomial(2000, p), 4 sd either side.
	for pair, p := range map[[2]float64]float64{{0.0021, 2}: 0.125, {0.0021, 20}: 0.125, {0.0029, 2}: 0.375, {0.0029, 20}: 0.375} {
		mean, sd := n*p, math.Sqrt(n*p*(1-p))
		if c := float64(count[pair]); math.Abs(c-mean) > 4*sd {
			t.Errorf("%v drawn %v times in %d, want about %v", pair, c, n, mean)
		}
	}
	// The same parameter in two posteriors is refused.
	dup := strings.Replace(posteriorDesign("", 4), "posterior: posterior.csv", "posterior: [posterior.csv, posterior.csv]", 1)
	if _, err := LoadDesign(writePosteriorFiles(t, dup)); err == nil || !strings.Contains(err.Error(), "parameters.recruitment is a parameter of two posteriors") {
		t.Errorf("two posteriors with one parameter: %v", err)
	}
}

func TestPosteriorDesignErrors(t *testing.T) {
	for _, tc := range []struct{ design, want string }{
		{strings.Replace(posteriorDesign("", 4), "latin-hypercube", "grid", 1), "design.yaml:3: posterior: a posterior goes with design: latin-hypercube"},
		{strings.Replace(posteriorDesign("", 4), "latin-hypercube", "morris", 1), "or sobol (each posterior one factor of Saltelli's scheme), not morris"},
		{posteriorDesign("factors:\n  - {key: parameters.recruitment, range: [0.002, 0.003]}\n", 4), "design.yaml:5: factor parameters.recruitment: parameters.recruitment is a parameter of the posterior posterior.csv"},
		{strings.Replace(posteriorDesign("", 4), "posterior.csv", "missing.csv", 1), "design.yaml:3: posterior: "},
		{strings.Replace(posteriorDesign("", 4), "posterior.csv", "missing.csv", 1), "missing.csv: cannot read"},
	} {
		_, err := LoadDesign(writePosteriorFiles(t, tc.design))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

// The policy experiment of make policy runs every scenario of scenarios/policy/, the
// status quo first, over the calibrated posterior: a scenario added to the library and
// not to the design fails here. (The file is read, not loaded: loading checks every
// factor on every scenario, seconds of parsing.)
func TestPolicyRobustnessCoversTheLibrary(t *testing.T) {
	data, err := os.ReadFile("../experiments/policy-robustness.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Scenarios []string
		Posterior []string
		Design    string
		Outputs   []struct{ Metric string }
	}
	if err := yaml.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../scenarios/policy/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios in scenarios/policy (%v)", err)
	}
	var have []string
	for _, p := range d.Scenarios {
		have = append(have, filepath.Base(p))
	}
	for _, f := range files {
		// The sea's scenarios open the sea lanes, which the status quo keeps closed: their
		// reference is status-quo-sea.yaml, and make policy answers them in compare-sea.
		if text, err := os.ReadFile(f); err != nil || strings.Contains(string(text), "sea_routes: 1") {
			continue
		}
		if !slices.Contains(have, filepath.Base(f)) {
			t.Errorf("scenarios/policy/%s is not in experiments/policy-robustness.yaml", filepath.Base(f))
		}
	}
	if len(have) == 0 || have[0] != "status-quo.yaml" {
		t.Errorf("the reference is %v, want status-quo.yaml first", have)
	}
	// The history's posterior and the US overdose mechanism's, drawn together.
	if !slices.Equal(d.Posterior, []string{"../calibrations/mexico-2006/posterior.csv", "../calibrations/us-overdose/posterior.csv"}) || d.Design != string(LatinHypercube) {
		t.Errorf("posterior %q, design %q: want the history's and the US posterior.csv and latin-hypercube", d.Posterior, d.Design)
	}
	for _, metric := range []string{"homicides", "overdose_deaths"} {
		if !slices.ContainsFunc(d.Outputs, func(o struct{ Metric string }) bool { return o.Metric == metric }) {
			t.Errorf("no output of %s, which tools/policy-questions answers for", metric)
		}
	}
}

// --resume refuses a posterior that has changed since the experiment started: its points
// would draw other parameters.
func TestResumeRefusesChangedPosterior(t *testing.T) {
	path := writePosteriorFiles(t, posteriorDesign("", 3))
	d, err := LoadDesign(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Run(ctx, d, Options{OutDir: dir, Workers: 1, Progress: func(done, _ int) { cancel() }})
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("%v, want an InterruptedError", err)
	}
	post := filepath.Join(filepath.Dir(path), "posterior.csv")
	if err := os.WriteFile(post, []byte(strings.Replace(handPosterior, "1,2,3,1,", "1,2,2,1,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := LoadDesign(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), changed, Options{OutDir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), post+" has changed since") {
		t.Errorf("a changed posterior: %v", err)
	}
}

// A sobol design with a posterior: the posterior is one factor of Saltelli's layout (its
// row AB takes B's particle, every other row of the block A's), and a run's manifest
// names the posterior each posterior column comes from, which is how the sensitivity
// analysis groups them.
func TestSobolPosteriorLayout(t *testing.T) {
	design := strings.Replace(posteriorDesign("factors:\n  - {key: fragmentation.clarity, range: [0.2, 0.8]}\n", 4), "latin-hypercube", "sobol", 1)
	d, err := LoadDesign(writePosteriorFiles(t, design))
	if err != nil {
		t.Fatal(err)
	}
	if d.Points != 4*(2+2) {
		t.Fatalf("%d points, want 4 blocks of 1 factor + 1 posterior + 2", d.Points)
	}
	for j := 0; j < d.Points; j += 4 {
		a, ab1, ab2, b := d.Matrix[j], d.Matrix[j+1], d.Matrix[j+2], d.Matrix[j+3]
		if ab1[0] != b[0] || ab1[1] != a[1] || ab2[0] != a[0] || ab2[1] != b[1] {
			t.Errorf("block %d: A %v, AB1 %v, AB2 %v, B %v: want AB1 = (B's clarity, A's particle), AB2 = (A's clarity, B's particle)", j/4, a, ab1, ab2, b)
		}
	}
	out := t.TempDir()
	m, err := Run(context.Background(), d, Options{OutDir: out, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if f := m.Factors[1]; f.Scale != "posterior" || !strings.HasSuffix(f.Posterior, "/posterior.csv") || m.Factors[0].Posterior != "" {
		t.Errorf("manifest factors %+v, want the second drawn from posterior.csv and the first not", m.Factors)
	}
}
