package sensitivity

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/experiment"
)

// withNaN inserts, before the groups listed, a group of size values with one NaN: a
// point whose world ran away.
func withNaN(y []float64, size int, before []int) []float64 {
	var out []float64
	for j := 0; j*size <= len(y); j++ {
		if slices.Contains(before, j) {
			bad := make([]float64, size)
			bad[size/2] = math.NaN()
			out = append(out, bad...)
		}
		if j*size < len(y) {
			out = append(out, y[j*size:(j+1)*size]...)
		}
	}
	return out
}

// A block with a runaway point is set aside whole: the indices and their bootstrap
// intervals are those of the design without it (a second computation over the complete
// blocks alone), and SetAside counts it.
func TestSobolSetsAsideNaNBlocks(t *testing.T) {
	const n, k = 300, 3
	rng := rand.New(rand.NewPCG(5, 6))
	y := make([]float64, n*(k+2))
	for i := range y {
		y[i] = rng.NormFloat64() + float64(i%(k+2))
	}
	want, err := Sobol(y, k, 200, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Sobol(withNaN(y, k+2, []int{0, 150, n}), k, 200, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got.SetAside != 3 {
		t.Errorf("SetAside %d, want the 3 blocks with a NaN", got.SetAside)
	}
	got.SetAside = 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with NaN blocks set aside %+v, want the indices without them %+v", got, want)
	}
	if _, err := Sobol(withNaN(nil, k+2, []int{0}), k, 10, rng); err != ErrAllSetAside {
		t.Errorf("every block NaN: %v, want ErrAllSetAside", err)
	}
}

// A Morris trajectory with a runaway point is set aside whole, in the same way.
func TestMorrisSetsAsideNaNTrajectories(t *testing.T) {
	const r, k, delta = 40, 2, 2.0 / 3
	rng := rand.New(rand.NewPCG(7, 8))
	var x [][]float64
	var y []float64
	for range r {
		p := []float64{float64(rng.IntN(2)) / 3, float64(rng.IntN(2)) / 3}
		for s := range k + 1 {
			if s > 0 {
				p = slices.Clone(p)
				p[s-1] += delta
			}
			x = append(x, p)
			y = append(y, 3*p[0]+p[0]*p[1]+0.1*rng.NormFloat64())
		}
	}
	want, err := Morris(x, y, k, delta, 100, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	// The NaN trajectories repeat the first one's points, with a NaN output.
	before := []int{3, r}
	var x2 [][]float64
	for j := 0; j <= r; j++ {
		if slices.Contains(before, j) {
			x2 = append(x2, x[:k+1]...)
		}
		if j < r {
			x2 = append(x2, x[j*(k+1):(j+1)*(k+1)]...)
		}
	}
	got, err := Morris(x2, withNaN(y, k+1, before), k, delta, 100, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if got.SetAside != 2 {
		t.Errorf("SetAside %d, want 2", got.SetAside)
	}
	got.SetAside = 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with NaN trajectories set aside %+v, want %+v", got, want)
	}
}

// Analyze sets aside the block of a point that experiment.json lists among its runaways
// (NaN in results.csv): its indices are the estimator's over the other blocks, computed
// here a second way by dropping the block from the outputs, sensitivity.csv's n counts
// the blocks kept, and a NaN at a point not listed is refused.
func TestAnalyzeSetsAsideRunawayBlocks(t *testing.T) {
	const n, k, bad = 64, 3, 5 // block 5's second point runs away
	dir := functionExperiment(t, k, "sobol", n, 0, 1, ishigami, nil)
	res0, err := Analyze(dir, Options{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	y := res0.Targets[0].Means
	want, err := Sobol(append(slices.Clone(y[:bad*(k+2)]), y[(bad+1)*(k+2):]...), k, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	point := bad*(k+2) + 1
	path := filepath.Join(dir, experiment.ResultsFile)
	data, _ := os.ReadFile(path)
	lines := strings.Split(string(data), "\n")
	prefix := strconv.Itoa(point) + ",unit,0,y,"
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
	lines[i] = prefix + "NaN"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Analyze(dir, Options{Bootstrap: -1}); err == nil || !strings.Contains(err.Error(), "does not list") {
		t.Errorf("a NaN at a point not listed as a runaway: %v, want refused", err)
	}
	mpath := filepath.Join(dir, experiment.ManifestFile)
	var m experiment.Manifest
	js, _ := os.ReadFile(mpath)
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	m.Runaways = []experiment.Runaway{{Point: point, Scenario: "unit", Week: 3, Quantity: "groups"}}
	js, _ = json.Marshal(m)
	if err := os.WriteFile(mpath, js, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(dir, Options{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Targets[0].Sobol
	if res.SetAside != 1 || got.SetAside != 1 {
		t.Errorf("set aside %d (result) and %d (indices), want 1", res.SetAside, got.SetAside)
	}
	got.SetAside = 0
	if fmt.Sprint(*got) != fmt.Sprint(want) {
		t.Errorf("indices with block %d set aside %+v, want those without it %+v", bad, *got, want)
	}
	var csv strings.Builder
	if err := res.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if row := strings.Split(csv.String(), "\n")[1]; !strings.HasSuffix(row, ",63,1") {
		t.Errorf("sensitivity.csv row %q: want n = 63 blocks kept of 64, 1 replicate", row)
	}
	if s := res.SetAsideText(); s != "1 of 64 blocks set aside: a point of theirs ran away" {
		t.Errorf("SetAsideText %q", s)
	}
}

// A sobol design with a posterior treats the posterior as one factor: AB_i takes the
// whole particle from B, and the analysis names it as one. With f = x + 2(c + i), x the
// design's own factor (uniform on [0, 1]) and c, i the two parameters of a posterior of
// five particles of weights 1, 1, 1, 1, 4 (c = j/4, i = (j/4)^2 for particle j), the
// effects are additive, so S1 = ST: x's is Var(x) / (Var(x) + Var(2(c + i))) with
// Var(x) = 1/12 and the posterior's variance over its weighted particles, by hand below.
func TestSobolPosteriorAsOneFactor(t *testing.T) {
	dir := t.TempDir()
	post := "generation,particle,weight,distance,policy.cooperation,parameters.intelligence\n"
	weights := []float64{1, 1, 1, 1, 4}
	var mean, sq float64
	for j, w := range weights {
		c := float64(j) / 4
		post += fmt.Sprintf("0,%d,%v,1,%v,%v\n", j, w, c, c*c)
		g := 2 * (c + c*c)
		mean += w / 8 * g
		sq += w / 8 * g * g
	}
	vPost, vX := sq-mean*mean, 1.0/12
	design := `name: grouped
scenarios: [unit.yaml]
factors:
  - {key: fragmentation.clarity, range: [0, 1]}
posterior: post.csv
design: sobol
points: 1024
replicates: 1
seed: 3
outputs:
  - {name: y, metric: members, year: 2012}
`
	for name, text := range map[string]string{"unit.yaml": unitScenario, "design.yaml": design, "post.csv": post} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := experiment.LoadDesign(filepath.Join(dir, "design.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Points != 1024*4 {
		t.Fatalf("%d points, want 1024 x (2 factors + 2)", d.Points)
	}
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	var dcsv, rcsv strings.Builder
	dcsv.WriteString("point,fragmentation.clarity,policy.cooperation,parameters.intelligence\n")
	rcsv.WriteString("point,scenario,replicate,output,value\n")
	for p, x := range d.Matrix {
		fmt.Fprintf(&dcsv, "%d,%s,%s,%s\n", p, num(x[0]), num(x[1]), num(x[2]))
		fmt.Fprintf(&rcsv, "%d,unit,0,y,%s\n", p, num(x[0]+2*(x[1]+x[2])))
	}
	m := experiment.Manifest{Design: experiment.ManifestDesign{Name: "grouped", Kind: experiment.Sobol},
		Scenarios: []experiment.ManifestScenario{{Name: "unit"}}, Outputs: []experiment.ManifestOutput{{Name: "y", Metric: "members"}},
		Points: d.Points, PointsDone: d.Points, Replicates: 1, Seed: 3, Complete: true,
		Factors: []experiment.ManifestFactor{{Key: "fragmentation.clarity", Range: []float64{0, 1}, Scale: "uniform"},
			{Key: "policy.cooperation", Scale: "posterior", Posterior: "x/mexico/post.csv"},
			{Key: "parameters.intelligence", Scale: "posterior", Posterior: "x/mexico/post.csv"}}}
	js, _ := json.Marshal(m)
	for name, text := range map[string]string{experiment.DesignFile: dcsv.String(), experiment.ResultsFile: rcsv.String(), experiment.ManifestFile: string(js)} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Analyze(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"fragmentation.clarity", "posterior mexico/post.csv (2 parameters)"}; !slices.Equal(res.Factors, want) {
		t.Errorf("factors %q, want %q", res.Factors, want)
	}
	si := res.Targets[0].Sobol
	want := []float64{vX / (vX + vPost), vPost / (vX + vPost)}
	checkSobol(t, "S1", si.S1, want, 0)
	checkSobol(t, "ST", si.ST, want, 0)
	// The particles are drawn in proportion to their weights: particle 4 (c = 1) in half
	// of the A rows, within 5 standard errors of 1,024 draws.
	heavy := 0
	for p := 0; p < d.Points; p += 4 {
		if d.Matrix[p][1] == 1 {
			heavy++
		}
	}
	if math.Abs(float64(heavy)/1024-0.5) > 5*math.Sqrt(0.25/1024) {
		t.Errorf("particle 4 in %d of 1,024 A rows, want about half", heavy)
	}
}
