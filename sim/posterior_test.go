package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// writePosterior writes a posterior.csv with an earlier generation (which must be
// ignored) and the given last one.
func writePosterior(t *testing.T, dir, last string) string {
	t.Helper()
	text := "generation,particle,weight,distance,parameters.recruitment,fragmentation.clarity\n" +
		"0,0,1,5,0.009,0.9\n" + last
	path := filepath.Join(dir, "posterior.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A two-point posterior with weights 1 and 3 draws its particles a quarter and three
// quarters of the time (20,000 draws, within four standard errors), and each draw
// depends on the seed and its index alone.
func TestPosteriorDrawProportions(t *testing.T) {
	post, err := ReadPosterior(writePosterior(t, t.TempDir(), "1,0,1,0.5,0.002,0.4\n1,1,3,0.4,0.003,0.6\n"))
	if err != nil {
		t.Fatal(err)
	}
	if post.Generation != 1 || len(post.Particles) != 2 || post.Particles[1][0] != 0.003 {
		t.Fatalf("read generation %d, particles %v; want generation 1's two", post.Generation, post.Particles)
	}
	if !slices.Equal(post.Distances, []float64{0.5, 0.4}) {
		t.Fatalf("read distances %v, want the file's 0.5 and 0.4", post.Distances)
	}
	const n = 20000
	second := 0
	for d := range n {
		k := post.Draw(7, d)
		if k != post.Draw(7, d) {
			t.Fatal("the same draw gave two particles")
		}
		second += k
	}
	if se := math.Sqrt(0.75 * 0.25 / n); math.Abs(float64(second)/n-0.75) > 4*se {
		t.Errorf("particle 1 drawn %d times of %d, want three quarters", second, n)
	}
}

// ReadPosterior refuses what is not a posterior, naming the file and line.
func TestReadPosteriorRejects(t *testing.T) {
	for name, c := range map[string]struct{ text, want string }{
		"header":   {"a,b\n1,2\n", "posterior.csv:1:"},
		"weight":   {"generation,particle,weight,distance,parameters.recruitment\n0,0,-1,0,1\n", "posterior.csv:2: weight -1 is negative"},
		"number":   {"generation,particle,weight,distance,parameters.recruitment\n0,0,1,0,x\n", "posterior.csv:2: parameters.recruitment is \"x\""},
		"order":    {"generation,particle,weight,distance,parameters.recruitment\n1,0,1,0,1\n0,0,1,0,1\n", "posterior.csv:3: generation 0 after generation 1"},
		"no total": {"generation,particle,weight,distance,parameters.recruitment\n0,0,0,0,1\n", "sum to 0"},
		"distance": {"generation,particle,weight,distance,parameters.recruitment\n0,0,1,NaN,1\n", "posterior.csv:2: distance is \"NaN\""},
	} {
		path := filepath.Join(t.TempDir(), "posterior.csv")
		os.WriteFile(path, []byte(c.text), 0o644)
		_, err := ReadPosterior(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sim: ") {
			t.Errorf("%s: error %v, want one with %q", name, err, c.want)
		}
	}
}

// Generation 0 keeps every draw, a runaway replicate's distance of +Inf too (as
// cartelsim calibrate writes it): the file reads, and the last generation is the posterior.
func TestReadPosteriorInfiniteDistance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posterior.csv")
	text := "generation,particle,weight,distance,parameters.recruitment\n0,0,1,+Inf,0.003\n0,1,1,2,0.002\n1,0,1,1.5,0.0025\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ReadPosterior(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Generation != 1 || len(p.Particles) != 1 || p.Particles[0][0] != 0.0025 || p.Distances[0] != 1.5 {
		t.Errorf("generation %d, particles %v, distances %v: want generation 1's one particle", p.Generation, p.Particles, p.Distances)
	}
}

// A point-mass posterior at one replicate a draw gives, byte for byte, the comparison.csv
// of a plain comparison with --set of its values; at two a draw, the same means with
// intervals that take the draws as their units (other bounds, which the table says); and
// the posterior comparison's files do not depend on the worker count.
func TestComparePosteriorPointMassIsPlainCompare(t *testing.T) {
	src := t.TempDir()
	writeScenario(t, src, "ref", "")
	writeScenario(t, src, "arms", "  - {kind: arms-interdiction, from: 60, intensity: 1, actor: us}\n")
	paths := []string{filepath.Join(src, "ref.yaml"), filepath.Join(src, "arms.yaml")}
	post, err := ReadPosterior(writePosterior(t, src, "3,0,0.5,0.1,0.0024,0.7\n"))
	if err != nil {
		t.Fatal(err)
	}
	const reps = 4
	ctx := context.Background()

	plain := filepath.Join(t.TempDir(), "plain")
	scs, err := scenario.LoadScenariosWith(paths, post.Overrides(0))
	if err != nil {
		t.Fatal(err)
	}
	scs[0].Replicates = reps
	if _, err := Compare(ctx, scs, CompareOptions{OutDir: plain, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, run := range []struct{ workers, perDraw int }{{1, 2}, {2, 2}, {2, 1}} {
		dir := filepath.Join(t.TempDir(), "post")
		if _, _, err := ComparePosterior(ctx, paths, nil, post, 7, reps, PosteriorOptions{OutDir: dir, Workers: run.workers, PerDraw: run.perDraw}); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, dir)
	}
	read := func(dir, name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(read(plain, ComparisonFile), read(outs[2], ComparisonFile)) {
		t.Error("a point-mass posterior's comparison.csv differs from the plain comparison's with --set")
	}
	// At two a draw: the columns up to diff are the plain comparison's, and the bounds
	// are not (4 replicates are 2 draws: t with 1 degree of freedom, not 3).
	rows := func(dir string) [][]string {
		recs, err := csv.NewReader(bytes.NewReader(read(dir, ComparisonFile))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	plainRows, drawRows := rows(plain), rows(outs[0])
	bounds := 0
	for i, rec := range plainRows {
		n := len(rec)
		if !slices.Equal(rec[:n-2], drawRows[i][:n-2]) {
			t.Errorf("row %d: %v at two a draw, %v plain", i, drawRows[i], rec)
		}
		if rec[n-2] != "" && rec[n-2] != drawRows[i][n-2] {
			bounds++
		}
	}
	if bounds == 0 {
		t.Error("at two a draw the intervals are the plain comparison's: the draws are not their units")
	}
	if !bytes.Contains(read(outs[0], ComparisonTextFile), []byte("Every 2 consecutive replicates share a posterior draw")) {
		t.Error("comparison.txt does not say the draws are the intervals' units")
	}
	for _, name := range []string{ComparisonFile, ComparisonTextFile, PosteriorDrawsFile, VarianceFile} {
		if !bytes.Equal(read(outs[0], name), read(outs[1], name)) {
			t.Errorf("%s differs between 1 and 2 workers", name)
		}
	}
}

// The variance decomposition by hand: blocks (1, 3) and (5, 7) have within-block
// variance 2 each, pooled 2; the total variance of 1, 3, 5, 7 is 20/3; between is the
// rest. A last block of one adds nothing to the within part.
func TestDecomposeByHand(t *testing.T) {
	total, within := decompose([]float64{1, 3, 5, 7}, 2)
	if math.Abs(total-20.0/3) > 1e-12 || within != 2 {
		t.Errorf("total %v within %v, want 20/3 and 2", total, within)
	}
	if _, within := decompose([]float64{1, 3, 5}, 2); within != 2 {
		t.Errorf("with a last block of one: within %v, want 2", within)
	}
	if _, within := decompose([]float64{1, 3, 5}, 1); !math.IsNaN(within) {
		t.Errorf("one replicate per draw: within %v, want NaN (not measurable)", within)
	}
}

// The registry's US defaults are the best particle (smallest distance) of the shipped US
// posterior (calibrations/us-overdose/posterior.csv, make calibrate-us), to the two or
// three figures model.DefaultEconomy gives them.
func TestUSDefaultsAreTheBestParticle(t *testing.T) {
	post, err := ReadPosterior(filepath.Join("..", "calibrations", "us-overdose", "posterior.csv"))
	if err != nil {
		t.Fatal(err)
	}
	best := 0
	for k, d := range post.Distances {
		if d < post.Distances[best] {
			best = k
		}
	}
	e := model.DefaultEconomy()
	want := map[string]float64{
		"economy.fentanyl_share":    e.FentanylShare,
		"economy.fentanyl_growth":   e.FentanylGrowth,
		"economy.fentanyl_ceiling":  e.FentanylCeiling,
		"economy.overdose_fatality": e.OverdoseFatality,
	}
	if len(post.Keys) != len(want) {
		t.Fatalf("posterior keys %v, want the four of %v", post.Keys, want)
	}
	for i, key := range post.Keys {
		def, ok := want[key]
		if got := post.Particles[best][i]; !ok || math.Abs(got-def) > 0.01*def {
			t.Errorf("%s: best particle %v, default %v (want within 1%%)", key, got, def)
		}
	}
}
