package sensitivity

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/experiment"
)

const (
	refScenario = `name: ref
start: 2012-01-01
weeks: 30
replicates: 2
seed: 7
interventions:
  - {kind: incapacitation, from: 5, intensity: 0.5, actor: joint}
`
	policyScenario = `name: policy
start: 2012-01-01
weeks: 30
replicates: 2
seed: 7
interventions:
  - {kind: incapacitation, from: 5, intensity: 0.5, actor: joint}
  - {kind: incapacitation, from: 10, intensity: 1, actor: joint}
`
	realDesign = `name: small
scenarios: [ref.yaml, policy.yaml]
factors:
  - key: parameters.recruitment
    range: [0.002, 0.003]
  - key: economy.rebuild_weeks
    range: [1, 52]
    scale: log-uniform
  - key: interventions[1].intensity
    range: [0, 2]
    scenarios: [policy]
design: sobol
points: 4
replicates: 3
seed: 11
outputs:
  - {metric: members, year: 2012}
  - {name: homicides_w20, metric: homicides, at: 2012-05-20}
`
)

// runExperiment runs the design (with the given text) on the small scenarios and returns
// its output directory.
func runExperiment(t *testing.T, design string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"ref.yaml": refScenario, "policy.yaml": policyScenario, "design.yaml": design} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := experiment.LoadDesign(filepath.Join(dir, "design.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if _, err := experiment.Run(context.Background(), d, experiment.Options{OutDir: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return out
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// A real experiment: the paired effects analysed are effects.csv's diff column; the
// files are laid out as SALib reads them; sensitivity.csv has a row per target, factor
// and index, and the same bytes when written twice.
func TestRealExperiment(t *testing.T) {
	dir := runExperiment(t, realDesign)
	res, err := Analyze(dir, Options{Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	// 2 outputs x (2 scenarios + 1 effect).
	if len(res.Targets) != 6 {
		t.Fatalf("%d targets, want 6", len(res.Targets))
	}
	diffs := map[string]float64{} // "point,output" -> diff of policy vs ref
	for _, rec := range readCSV(t, filepath.Join(dir, experiment.EffectsFile))[1:] {
		x, err := strconv.ParseFloat(rec[5], 64)
		if err != nil {
			t.Fatal(err)
		}
		diffs[rec[0]+","+rec[1]] = x
	}
	for _, tg := range res.Targets {
		if tg.Versus == "" {
			continue
		}
		if tg.Scenario != "policy" || tg.Versus != "ref" {
			t.Fatalf("effect target %s", tg.Name())
		}
		for p, mean := range tg.Means {
			want, ok := diffs[strconv.Itoa(p)+","+tg.Output]
			if !ok || math.Abs(mean-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("%s at point %d: %v, effects.csv says %v", tg.Name(), p, mean, want)
			}
		}
	}

	// SALib's layout (saltelli.sample with calc_second_order=False, sobol.analyze likewise):
	// N (D + 2) rows, each block A, AB_1 ... AB_D, B, with AB_i A's row but for column i, B's.
	design := readCSV(t, filepath.Join(dir, experiment.DesignFile))
	const n, k = 4, 3
	if len(design) != 1+n*(k+2) || len(design[0]) != k+1 {
		t.Fatalf("design.csv: %d rows of %d columns, want %d of %d", len(design), len(design[0]), 1+n*(k+2), k+1)
	}
	for j := 1; j < len(design); j += k + 2 {
		a, b := design[j][1:], design[j+k+1][1:]
		for i := range k {
			for c, v := range design[j+1+i][1:] {
				want := a[c]
				if c == i {
					want = b[c]
				}
				if v != want {
					t.Errorf("design.csv row %d, column %d: %s, want %s (SALib's AB_%d)", j+1+i, c, v, want, i+1)
				}
			}
		}
	}
	// Y for SALib: results.csv grouped by point for one scenario and output, in point order,
	// one value per design row (the mean of the replicates).
	results := readCSV(t, filepath.Join(dir, experiment.ResultsFile))
	if strings.Join(results[0], ",") != "point,scenario,replicate,output,value" {
		t.Fatalf("results.csv header %v", results[0])
	}
	count := map[string]int{}
	last := -1
	for _, rec := range results[1:] {
		p, _ := strconv.Atoi(rec[0])
		if p < last {
			t.Fatalf("results.csv not in point order at point %d", p)
		}
		last = p
		if rec[1] == "policy" && rec[3] == "members_2012" {
			count[rec[0]]++
		}
	}
	if len(count) != n*(k+2) {
		t.Errorf("results.csv gives %d points for one scenario and output, want %d", len(count), n*(k+2))
	}
	for p, c := range count {
		if c != 3 {
			t.Errorf("point %s: %d replicates, want 3", p, c)
		}
	}
	// SALib's problem from experiment.json, read as Python's json would.
	var man map[string]any
	data, _ := os.ReadFile(filepath.Join(dir, experiment.ManifestFile))
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatal(err)
	}
	factors, _ := man["factors"].([]any)
	if len(factors) != k {
		t.Fatalf("experiment.json: %d factors, want %d", len(factors), k)
	}
	for i, f := range factors {
		fm, _ := f.(map[string]any)
		key, _ := fm["key"].(string)
		rng, _ := fm["range"].([]any)
		if key != design[0][i+1] || len(rng) != 2 {
			t.Errorf("experiment.json factor %d: key %q (design.csv's column %q), range %v", i, key, design[0][i+1], rng)
		}
	}

	var a, b bytes.Buffer
	if err := res.WriteCSV(&a); err != nil {
		t.Fatal(err)
	}
	res2, err := Analyze(dir, Options{Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	if err := res2.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("sensitivity.csv differs between two analyses of one experiment")
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if lines[0] != Header || len(lines) != 1+6*k*2 {
		t.Errorf("sensitivity.csv: header %q and %d rows, want %d (6 targets x 3 factors x S1, ST)", lines[0], len(lines)-1, 6*k*2)
	}
	// The reference's outputs do not see the policy's own factor: its total index is 0.
	for _, tg := range res.Targets {
		if tg.Scenario == "ref" && tg.Sobol != nil && tg.Sobol.ST[2].Estimate != 0 {
			t.Errorf("%s: ST of the policy-only factor %v, want 0", tg.Name(), tg.Sobol.ST[2].Estimate)
		}
	}
	out := t.TempDir()
	files, err := res.Write(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if info, err := os.Stat(filepath.Join(out, f)); err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// What Analyze refuses, each as an InputError naming the problem.
func TestAnalyzeRefuses(t *testing.T) {
	dir := runExperiment(t, strings.Replace(realDesign, "design: sobol\npoints: 4", "design: latin-hypercube\npoints: 3", 1))
	var ie *InputError
	if _, err := Analyze(dir, Options{}); !errors.As(err, &ie) || !strings.Contains(err.Error(), "sensitivity needs a morris or sobol design, not latin-hypercube") {
		t.Errorf("a latin-hypercube design: %v", err)
	}
	dir = runExperiment(t, realDesign)
	if _, err := Analyze(dir, Options{Outputs: []string{"members"}}); !errors.As(err, &ie) || !strings.Contains(err.Error(), `unknown output "members" (the experiment's outputs: members_2012, homicides_w20)`) {
		t.Errorf("an unknown output: %v", err)
	}
	if err := os.Rename(filepath.Join(dir, experiment.ManifestFile), filepath.Join(dir, experiment.CheckpointFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := Analyze(dir, Options{}); !errors.As(err, &ie) || !strings.Contains(err.Error(), "the experiment is incomplete") {
		t.Errorf("an incomplete experiment: %v", err)
	}
	if _, err := Analyze(t.TempDir(), Options{}); !errors.As(err, &ie) || !strings.Contains(err.Error(), "not an experiment's directory") {
		t.Errorf("an empty directory: %v", err)
	}
}

// A real Morris experiment: SALib's morris layout (trajectories of D + 1 rows, each step
// moving exactly one factor, each factor once), mu* per factor, and a factor that applies
// only to the policy has no effect on the reference (its every elementary effect is 0).
func TestRealMorrisExperiment(t *testing.T) {
	dir := runExperiment(t, strings.Replace(realDesign, "design: sobol\npoints: 4", "design: morris\npoints: 3\nlevels: 4", 1))
	design := readCSV(t, filepath.Join(dir, experiment.DesignFile))[1:]
	const k = 3
	if len(design) != 3*(k+1) {
		t.Fatalf("design.csv: %d rows, want 3 trajectories x %d", len(design), k+1)
	}
	for tr := 0; tr < len(design); tr += k + 1 {
		moved := map[int]bool{}
		for s := tr; s < tr+k; s++ {
			var cols []int
			for c := 1; c <= k; c++ {
				if design[s][c] != design[s+1][c] {
					cols = append(cols, c)
				}
			}
			if len(cols) != 1 || moved[cols[0]] {
				t.Fatalf("design.csv rows %d to %d: columns %v change (moved before: %v)", s, s+1, cols, moved)
			}
			moved[cols[0]] = true
		}
	}
	res, err := Analyze(dir, Options{Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delta != 4.0/6 || res.Base != 3 {
		t.Errorf("Delta %v and r %d, want 2/3 and 3", res.Delta, res.Base)
	}
	for _, tg := range res.Targets {
		if tg.Morris == nil {
			t.Fatalf("%s: no Morris indices (%v)", tg.Name(), tg.Err)
		}
		if tg.Scenario == "ref" && (tg.Morris.MuStar[2].Estimate != 0 || tg.Morris.Sigma[2].Estimate != 0) {
			t.Errorf("%s: the policy-only factor has mu* %v, sigma %v; want 0", tg.Name(), tg.Morris.MuStar[2].Estimate, tg.Morris.Sigma[2].Estimate)
		}
		if tg.Scenario == "policy" && tg.Morris.MuStar[2].Estimate == 0 {
			t.Errorf("%s: the policy's own factor has no effect", tg.Name())
		}
	}
	var b bytes.Buffer
	if err := res.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 1+6*k*3 {
		t.Errorf("sensitivity.csv: %d lines, want %d (6 targets x 3 factors x mu, mu_star, sigma)", n, 1+6*k*3)
	}
}

// An experiment rerun with --force over its directory removes the analysis of the old
// one (sensitivity.csv and its plots), which would otherwise look like the new one's.
func TestRerunRemovesOldAnalysis(t *testing.T) {
	dir := runExperiment(t, realDesign)
	res, err := Analyze(dir, Options{Bootstrap: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	d, err := experiment.LoadDesign(filepath.Join(filepath.Dir(dir), "design.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := experiment.Run(context.Background(), d, experiment.Options{OutDir: dir, Force: true, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, File)); err == nil {
		t.Errorf("%s of the old experiment is still there", File)
	}
	plots, _ := filepath.Glob(filepath.Join(dir, experiment.PlotsDir, "sensitivity_*"))
	if len(plots) > 0 {
		t.Errorf("the old experiment's sensitivity plots are still there: %v", plots)
	}
}
