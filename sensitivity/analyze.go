package sensitivity

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/cartelsim/cartelsim/experiment"
)

// DefaultBootstrap is the number of bootstrap resamples behind each interval.
const DefaultBootstrap = 1000

// Options select what Analyze computes.
type Options struct {
	Outputs   []string // the outputs to analyse, by name (nil: every one)
	Bootstrap int      // resamples behind each interval (0: DefaultBootstrap; -1: none)
}

// InputError is a problem with what the user asked for or pointed at (not a failure while
// computing): a grid design, an incomplete experiment, an unknown output.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputf(format string, args ...any) error {
	return &InputError{Msg: "sensitivity: " + fmt.Sprintf(format, args...)}
}

// Target is one quantity analysed: an output of one scenario (Versus empty), or a
// policy's paired effect on it, the scenario minus Versus (effects.csv's diff).
type Target struct {
	Output, Scenario, Versus string
	// Means and Noise are, per point, the mean over the replicates and its variance
	// (the replicates' variance over their number; NaN with one replicate).
	Means, Noise []float64
	NoiseShare   float64
	Sobol        *SobolIndices
	Morris       *MorrisIndices
	Err          error // ErrNoVariance: the target does not vary over the design
}

// Name is the target as sensitivity.csv and the plots name it.
func (t *Target) Name() string {
	if t.Versus == "" {
		return t.Output + " of " + t.Scenario
	}
	return t.Output + ": " + t.Scenario + " minus " + t.Versus
}

// Result is an experiment's sensitivity analysis.
type Result struct {
	Dir      string
	Manifest *experiment.Manifest
	Factors  []string
	Design   [][]float64 // [point][factor], as design.csv holds it
	Base     int         // Sobol's base points N, or Morris's trajectories r
	// SetAside counts the blocks (Sobol) or trajectories (Morris) left out of every
	// target because a point of theirs ran away (experiment.json's runaways).
	SetAside  int
	Delta     float64 // Morris's step, in the unit interval
	Bootstrap int
	Targets   []*Target
}

// Analyze reads the complete experiment in dir (design.csv, results.csv and experiment.json
// of a morris or sobol design) and estimates the indices of the chosen outputs, for every
// scenario and every policy's effect.
func Analyze(dir string, opts Options) (*Result, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	kind := m.Design.Kind
	if kind != experiment.Sobol && kind != experiment.Morris {
		return nil, inputf("%s: sensitivity needs a morris or sobol design, not %s", dir, kind)
	}
	switch {
	case m.Shards > 1:
		return nil, inputf("%s holds shard %d of %d: merge the shards first (cartelsim experiment merge)", dir, m.Shard, m.Shards)
	case !m.Complete:
		return nil, inputf("%s: the experiment is incomplete (%d of %d points): finish it with cartelsim experiment --resume", dir, m.PointsDone, m.Points)
	}
	var outputs []int
	for _, name := range opts.Outputs {
		o := slices.IndexFunc(m.Outputs, func(mo experiment.ManifestOutput) bool { return mo.Name == name })
		if o < 0 {
			var names []string
			for _, mo := range m.Outputs {
				names = append(names, mo.Name)
			}
			return nil, inputf("unknown output %q (the experiment's outputs: %s)", name, strings.Join(names, ", "))
		}
		if !slices.Contains(outputs, o) {
			outputs = append(outputs, o)
		}
	}
	if outputs == nil {
		for o := range m.Outputs {
			outputs = append(outputs, o)
		}
	}
	res := &Result{Dir: dir, Manifest: m, Bootstrap: opts.Bootstrap}
	if res.Bootstrap == 0 {
		res.Bootstrap = DefaultBootstrap
	}
	res.Bootstrap = max(res.Bootstrap, 0)
	groups := experiment.SaltelliGroups(m.Factors)
	k := len(groups)
	for _, g := range groups {
		res.Factors = append(res.Factors, groupName(m.Factors, g))
	}
	if res.Design, err = experiment.ReadDesign(filepath.Join(dir, experiment.DesignFile), m); err != nil {
		return nil, inputf("%v", err)
	}
	switch kind {
	case experiment.Sobol:
		if err := checkSaltelli(res.Design, groups); err != nil {
			return nil, fmt.Errorf("sensitivity: %s: %w", filepath.Join(dir, experiment.DesignFile), err)
		}
		res.Base = m.Points / (k + 2)
	case experiment.Morris:
		if m.Design.Levels < 2 || m.Points%(k+1) != 0 {
			return nil, fmt.Errorf("sensitivity: %s: a morris design of %d points and %d levels is not trajectories of %d factors + 1", dir, m.Points, m.Design.Levels, k)
		}
		p := float64(m.Design.Levels)
		res.Delta = p / (2 * (p - 1))
		res.Base = m.Points / (k + 1)
	}
	vals, err := readResults(filepath.Join(dir, experiment.ResultsFile), m)
	if err != nil {
		return nil, err
	}
	// The points the indices rest on: those of the blocks or trajectories none of whose
	// points ran away. A NaN anywhere else is not the experiment's.
	away := m.RunawayPoints()
	size := m.Points / res.Base
	var kept []int
	for j := 0; j < m.Points; j += size {
		group := make([]int, size)
		for i := range group {
			group[i] = j + i
		}
		if slices.ContainsFunc(group, func(p int) bool { return away[p] }) {
			res.SetAside++
		} else {
			kept = append(kept, group...)
		}
	}
	if len(kept) == 0 {
		return nil, inputf("%s: every %s of the design has a point whose world ran away (experiment.json's runaways): nothing to analyse", dir, res.unit(false))
	}
	for _, o := range outputs {
		for s := range m.Scenarios {
			res.Targets = append(res.Targets, res.target(vals, o, s, -1, kept))
		}
		for s := 1; s < len(m.Scenarios); s++ {
			res.Targets = append(res.Targets, res.target(vals, o, s, 0, kept))
		}
	}
	for _, t := range res.Targets {
		for p, x := range t.Means {
			if math.IsNaN(x) != away[p] {
				return nil, inputf("%s: %s at point %d is %v, but experiment.json %s it among the points whose world ran away",
					filepath.Join(dir, experiment.ResultsFile), t.Name(), p, x, map[bool]string{true: "lists", false: "does not list"}[away[p]])
			}
		}
	}
	for _, t := range res.Targets {
		rng := rand.New(rand.NewPCG(m.Seed, targetSeed(t)))
		switch kind {
		case experiment.Sobol:
			si, err := Sobol(t.Means, k, res.Bootstrap, rng)
			t.Sobol, t.Err = &si, err
		case experiment.Morris:
			mi, err := Morris(res.Design, t.Means, k, res.Delta, res.Bootstrap, rng)
			if err != nil {
				return nil, fmt.Errorf("sensitivity: %s: %w", filepath.Join(dir, experiment.DesignFile), err)
			}
			t.Morris = &mi
			if v := stat.Variance(pick(t.Means, kept), nil); !(v > 0) {
				t.Err = ErrNoVariance
			}
		}
		if errors.Is(t.Err, ErrNoVariance) {
			t.Sobol, t.Morris = nil, nil
		} else if t.Err != nil {
			return nil, t.Err
		}
	}
	return res, nil
}

// targetSeed is a bootstrap stream of its own for each target, so that a target's
// intervals do not depend on which other outputs are analysed.
func targetSeed(t *Target) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s", t.Output, t.Scenario, t.Versus)
	return h.Sum64()
}

// SetAsideText says how many blocks or trajectories were set aside, and why.
func (r *Result) SetAsideText() string {
	return fmt.Sprintf("%d of %d %s set aside: a point of theirs ran away", r.SetAside, r.Base, r.unit(true))
}

// unit is what the design's points come in: Sobol's blocks or Morris's trajectories.
func (r *Result) unit(plural bool) string {
	switch {
	case r.Sobol() && plural:
		return "blocks"
	case r.Sobol():
		return "block"
	case plural:
		return "trajectories"
	}
	return "trajectory"
}

// pick is xs at the listed indices.
func pick(xs []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, p := range idx {
		out[i] = xs[p]
	}
	return out
}

// target gathers, for output o, scenario s's means per point (versus < 0) or its paired
// differences from scenario versus; its noise share is over the points kept.
func (r *Result) target(vals [][][][]float64, o, s, versus int, kept []int) *Target {
	m := r.Manifest
	t := &Target{Output: m.Outputs[o].Name, Scenario: m.Scenarios[s].Name}
	if versus >= 0 {
		t.Versus = m.Scenarios[versus].Name
	}
	t.Means, t.Noise = make([]float64, len(vals)), make([]float64, len(vals))
	for p := range vals {
		xs := vals[p][s][o]
		if versus >= 0 {
			b := vals[p][versus][o]
			n := min(len(xs), len(b))
			d := make([]float64, n)
			for i := range d {
				d[i] = xs[i] - b[i]
			}
			xs = d
		}
		t.Means[p] = stat.Mean(xs, nil)
		t.Noise[p] = math.NaN()
		if n := len(xs); n > 1 {
			t.Noise[p] = stat.Variance(xs, nil) / float64(n)
		}
	}
	t.NoiseShare = NoiseShare(pick(t.Means, kept), pick(t.Noise, kept))
	return t
}

func readManifest(dir string) (*experiment.Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, experiment.ManifestFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Stat(filepath.Join(dir, experiment.CheckpointFile)); err == nil {
				return nil, inputf("%s: the experiment is incomplete (no %s yet): finish it with cartelsim experiment --resume", dir, experiment.ManifestFile)
			}
			return nil, inputf("%s: not an experiment's directory (no %s)", dir, experiment.ManifestFile)
		}
		return nil, fmt.Errorf("sensitivity: %w", err)
	}
	var m experiment.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, inputf("%s: unreadable manifest: %v", filepath.Join(dir, experiment.ManifestFile), err)
	}
	if len(m.Factors) == 0 || len(m.Scenarios) == 0 || len(m.Outputs) == 0 {
		return nil, inputf("%s: a manifest without factors, scenarios or outputs", filepath.Join(dir, experiment.ManifestFile))
	}
	return &m, nil
}

// groupName names a group of experiment.SaltelliGroups: a factor's key, or a posterior's
// directory and file (two posteriors may share either) and how many parameters it draws.
func groupName(fs []experiment.ManifestFactor, g []int) string {
	f := fs[g[0]]
	if f.Scale != "posterior" {
		return f.Key
	}
	params := "parameters"
	if len(g) == 1 {
		params = "parameter"
	}
	return fmt.Sprintf("posterior %s (%d %s)", path.Join(path.Base(path.Dir(f.Posterior)), path.Base(f.Posterior)), len(g), params)
}

// checkSaltelli checks that the design is Saltelli's layout: blocks A, AB_1 ... AB_k, B
// with AB_i equal to A but in the columns of group i, which are B's.
func checkSaltelli(x [][]float64, groups [][]int) error {
	k := len(groups)
	if len(x)%(k+2) != 0 {
		return fmt.Errorf("%d points are not blocks of %d factors + 2 (Saltelli's layout)", len(x), k)
	}
	col := make([]int, len(x[0])) // column -> its group
	for i, g := range groups {
		for _, c := range g {
			col[c] = i
		}
	}
	for j := 0; j < len(x); j += k + 2 {
		a, b := x[j], x[j+k+1]
		for i := range k {
			ab := x[j+1+i]
			for c := range ab {
				want := a[c]
				if col[c] == i {
					want = b[c]
				}
				if ab[c] != want {
					return fmt.Errorf("point %d is not A with factor %d from B (Saltelli's layout)", j+1+i, i+1)
				}
			}
		}
	}
	return nil
}

// readResults reads results.csv into [point][scenario][output][replicate] and checks that
// every point has every scenario's and output's replicates.
func readResults(path string, m *experiment.Manifest) ([][][][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputf("%s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = 5
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return nil, inputf("%s: %v", path, err)
	}
	scIndex := map[string]int{}
	for i, s := range m.Scenarios {
		scIndex[s.Name] = i
	}
	outIndex := map[string]int{}
	for i, o := range m.Outputs {
		outIndex[o.Name] = i
	}
	vals := make([][][][]float64, m.Points)
	for p := range vals {
		vals[p] = make([][][]float64, len(m.Scenarios))
		for s := range vals[p] {
			vals[p][s] = make([][]float64, len(m.Outputs))
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, inputf("%s: %v", path, err)
		}
		p, err1 := strconv.Atoi(rec[0])
		s, ok1 := scIndex[rec[1]]
		o, ok2 := outIndex[rec[3]]
		x, err2 := strconv.ParseFloat(rec[4], 64)
		if err1 != nil || err2 != nil || !ok1 || !ok2 || p < 0 || p >= m.Points {
			return nil, inputf("%s:%d: unexpected row %s", path, line, strings.Join(rec, ","))
		}
		vals[p][s][o] = append(vals[p][s][o], x)
	}
	for p := range vals {
		for s := range vals[p] {
			for o, xs := range vals[p][s] {
				if len(xs) == 0 {
					return nil, inputf("%s: no value of %s for scenario %s at point %d: an incomplete experiment", path, m.Outputs[o].Name, m.Scenarios[s].Name, p)
				}
			}
		}
	}
	return vals, nil
}

// Sobol says whether the experiment's design is Sobol's (else Morris's).
func (r *Result) Sobol() bool { return r.Manifest.Design.Kind == experiment.Sobol }
