package robust

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/experiment"
	"github.com/cartelsim/cartelsim/sim"
)

// Experiment is what the analyses read from an experiment directory.
type Experiment struct {
	Dir      string
	Manifest *experiment.Manifest
	// Design is each point's factor values: [point][factor], in the manifest's order.
	Design [][]float64
	// Effects is each policy's effect at each point: [output][scenario][point], the
	// scenario index as in the manifest (index 0, the reference, is nil).
	Effects [][][]sim.Interval
	// Points are the design's numbers of Design's and Effects' points: every point but
	// those set aside and the dependent ones.
	Points []int
	// SetAside are the points whose world ran away (the manifest's runaways) among those
	// read: they have no effects, and the analyses leave them out and say how many.
	SetAside []int
	// Dependent are a sobol design's AB rows, left unread: each shares all but one
	// factor with its block's A row, where the A and B rows are the design's
	// independent points, 2 of each block.
	Dependent []int
}

// N is the number of points analysed.
func (e *Experiment) N() int { return len(e.Points) }

// PointsText says over how many points the analyses run, and how many were set aside.
func (e *Experiment) PointsText() string {
	if len(e.SetAside) == 0 {
		return fmt.Sprintf("the %d %s", e.N(), e.pointsRead())
	}
	return fmt.Sprintf("the %d %s whose world did not run away (%d set aside)", e.N(), e.pointsRead(), len(e.SetAside))
}

// pointsRead names the points the analyses read: all, or a sobol design's A and B rows.
func (e *Experiment) pointsRead() string {
	if len(e.Dependent) > 0 {
		return "A and B points of the sobol design"
	}
	return "points"
}

// Policies are the scenarios compared with the reference: every one after the first.
func (e *Experiment) Policies() []string {
	var out []string
	for _, s := range e.Manifest.Scenarios[1:] {
		out = append(out, s.Name)
	}
	return out
}

// Load reads a complete experiment directory.
func Load(dir string) (*Experiment, error) {
	mpath := filepath.Join(dir, experiment.ManifestFile)
	data, err := os.ReadFile(mpath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("robust: %s: not an experiment directory (no %s)", dir, experiment.ManifestFile)
	}
	if err != nil {
		return nil, fmt.Errorf("robust: %w", err)
	}
	var m experiment.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("robust: %s: unreadable manifest: %v", mpath, err)
	}
	switch {
	case !m.Complete && m.Shards > 1:
		return nil, fmt.Errorf("robust: %s: shard %d of %d: merge the shards first (cartelsim experiment merge)", dir, m.Shard, m.Shards)
	case !m.Complete:
		return nil, fmt.Errorf("robust: %s: the experiment is not complete (%d of %d points): finish it with cartelsim experiment --resume", dir, m.PointsDone, m.Points)
	case len(m.Scenarios) < 2:
		return nil, fmt.Errorf("robust: %s: the experiment has one scenario and so no policy to compare with it", dir)
	case m.Points < 1 || len(m.Outputs) == 0:
		return nil, fmt.Errorf("robust: %s: the experiment has no points or no outputs", mpath)
	}
	e := &Experiment{Dir: dir, Manifest: &m}
	if e.Design, err = readDesign(filepath.Join(dir, experiment.DesignFile), &m); err != nil {
		return nil, err
	}
	if e.Effects, err = readEffects(filepath.Join(dir, experiment.EffectsFile), &m); err != nil {
		return nil, err
	}
	dep, err := dependent(&m)
	if err != nil {
		return nil, fmt.Errorf("robust: %s: %w", mpath, err)
	}
	e.setAside(m.RunawayPoints(), dep)
	if e.N() == 0 {
		return nil, fmt.Errorf("robust: %s: every one of the %d %s ran away (experiment.json's runaways): nothing to analyse", dir, len(e.SetAside), e.pointsRead())
	}
	return e, nil
}

// dependent marks a sobol design's AB rows: of each block of Saltelli's scheme, A, AB_1
// ... AB_k, B, all but the first and the last.
func dependent(m *experiment.Manifest) (func(p int) bool, error) {
	if m.Design.Kind != experiment.Sobol {
		return func(int) bool { return false }, nil
	}
	size := len(experiment.SaltelliGroups(m.Factors)) + 2
	if m.Points%size != 0 {
		return nil, fmt.Errorf("a sobol design of %d points is not blocks of %d (its factors + 2)", m.Points, size)
	}
	return func(p int) bool { r := p % size; return r != 0 && r != size-1 }, nil
}

// setAside leaves the runaway and the dependent points out of Design and Effects.
func (e *Experiment) setAside(away map[int]bool, dependent func(p int) bool) {
	e.Points, e.SetAside, e.Dependent = nil, nil, nil
	for p := range e.Design {
		switch {
		case dependent(p):
			e.Dependent = append(e.Dependent, p)
		case away[p]:
			e.SetAside = append(e.SetAside, p)
		default:
			e.Points = append(e.Points, p)
		}
	}
	e.Design = kept(e.Design, e.Points)
	for o := range e.Effects {
		for s := range e.Effects[o] {
			if e.Effects[o][s] != nil {
				e.Effects[o][s] = kept(e.Effects[o][s], e.Points)
			}
		}
	}
}

// kept is xs at the listed indices.
func kept[T any](xs []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, p := range idx {
		out[i] = xs[p]
	}
	return out
}

func openCSV(path string, fields int) (*os.File, *csv.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("robust: %w", err)
	}
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = fields
	if _, err := r.Read(); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("robust: %s:1: %v", path, csvErr(err))
	}
	return f, r, nil
}

// csvErr drops encoding/csv's own position ("record on line 3: ..."): the caller names it.
func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func readDesign(path string, m *experiment.Manifest) ([][]float64, error) {
	design, err := experiment.ReadDesign(path, m)
	if err != nil {
		return nil, fmt.Errorf("robust: %w", err)
	}
	return design, nil
}

func readEffects(path string, m *experiment.Manifest) ([][][]sim.Interval, error) {
	f, r, err := openCSV(path, 8)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := map[string]int{}
	for i, s := range m.Scenarios[1:] {
		sc[s.Name] = i + 1
	}
	away := m.RunawayPoints()
	out := map[string]int{}
	for i, o := range m.Outputs {
		out[o.Name] = i
	}
	eff := make([][][]sim.Interval, len(m.Outputs))
	seen := make([][][]bool, len(m.Outputs))
	for o := range eff {
		eff[o] = make([][]sim.Interval, len(m.Scenarios))
		seen[o] = make([][]bool, len(m.Scenarios))
		for s := 1; s < len(m.Scenarios); s++ {
			eff[o][s] = make([]sim.Interval, m.Points)
			seen[o][s] = make([]bool, m.Points)
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("robust: %s:%d: %v", path, line, csvErr(err))
		}
		p, err := strconv.Atoi(rec[0])
		o, okO := out[rec[1]]
		s, okS := sc[rec[2]]
		switch {
		case err != nil || p < 0 || p >= m.Points:
			return nil, fmt.Errorf("robust: %s:%d: bad point %q (the manifest has %d points)", path, line, rec[0], m.Points)
		case !okO:
			return nil, fmt.Errorf("robust: %s:%d: output %q is not in the manifest", path, line, rec[1])
		case !okS:
			return nil, fmt.Errorf("robust: %s:%d: scenario %q is not a policy of the manifest", path, line, rec[2])
		case seen[o][s][p]:
			return nil, fmt.Errorf("robust: %s:%d: point %d, %s, %s appears twice", path, line, p, rec[1], rec[2])
		}
		var v [3]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(rec[5+i], 64); err != nil {
				return nil, fmt.Errorf("robust: %s:%d: not a number: %q", path, line, rec[5+i])
			}
		}
		if (math.IsNaN(v[0]) && !away[p]) || math.IsInf(v[0], 0) {
			return nil, fmt.Errorf("robust: %s:%d: effect %q is not a finite number", path, line, rec[5])
		}
		eff[o][s][p] = sim.Interval{Mean: v[0], Lo: v[1], Hi: v[2]}
		seen[o][s][p] = true
	}
	for o := range seen {
		for s := 1; s < len(seen[o]); s++ {
			for p, ok := range seen[o][s] {
				if !ok {
					return nil, fmt.Errorf("robust: %s: no effect of %s on %s at point %d", path, m.Scenarios[s].Name, m.Outputs[o].Name, p)
				}
			}
		}
	}
	return eff, nil
}

type (
	experimentScenario = experiment.ManifestScenario
	experimentOutput   = experiment.ManifestOutput
)

// ReferenceMeans reads results.csv for the reference's mean of output o at each point
// analysed (e.Points), over its replicates.
func (e *Experiment) ReferenceMeans(o int) ([]float64, error) {
	m := e.Manifest
	path := filepath.Join(e.Dir, experiment.ResultsFile)
	f, r, err := openCSV(path, 5)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r.ReuseRecord = true
	sum, n := make([]float64, m.Points), make([]int, m.Points)
	ref, out := m.Scenarios[0].Name, m.Outputs[o].Name
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("robust: %s:%d: %v", path, line, csvErr(err))
		}
		if rec[1] != ref || rec[3] != out {
			continue
		}
		p, err1 := strconv.Atoi(rec[0])
		x, err2 := strconv.ParseFloat(rec[4], 64)
		if err1 != nil || err2 != nil || p < 0 || p >= m.Points {
			return nil, fmt.Errorf("robust: %s:%d: bad point or value: %s", path, line, strings.Join(rec, ","))
		}
		sum[p] += x
		n[p]++
	}
	for p := range sum {
		if n[p] == 0 {
			return nil, fmt.Errorf("robust: %s: no replicate of %s for %s at point %d", path, ref, out, p)
		}
		sum[p] /= float64(n[p])
	}
	return kept(sum, e.Points), nil
}
