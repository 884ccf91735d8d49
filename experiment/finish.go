package experiment

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/sim"
)

// Effect is one policy's paired difference from the reference at one point.
type Effect struct {
	Point    int
	Output   int // index into the manifest's outputs
	Scenario int // index into the manifest's scenarios, from 1
	Diff     sim.Interval
	N        int
}

// finish writes effects.csv, the plots and the complete manifest from design.csv and
// results.csv in dir.
func finish(dir string, m *Manifest) error {
	design, err := ReadDesign(filepath.Join(dir, DesignFile), m)
	if err != nil {
		return err
	}
	effects, err := readEffects(filepath.Join(dir, ResultsFile), m)
	if err != nil {
		return err
	}
	err = sim.WriteFileAtomic(filepath.Join(dir, EffectsFile), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString("point,output,scenario,versus,replicates,diff,diff_lo95,diff_hi95\n")
		for _, e := range effects {
			fmt.Fprintf(bw, "%d,%s,%s,%s,%d,%s,%s,%s\n", e.Point, m.Outputs[e.Output].Name, m.Scenarios[e.Scenario].Name,
				m.Scenarios[0].Name, e.N, fmtG(e.Diff.Mean), fmtG(e.Diff.Lo), fmtG(e.Diff.Hi))
		}
		return bw.Flush()
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	plots, err := writePlots(dir, m, design, effects)
	if err != nil {
		return err
	}
	m.Complete, m.PointsDone, m.FinishedAt = true, m.Points, now()
	m.Shard, m.Shards = 0, 0
	m.Files = append([]string{DesignFile, ResultsFile, EffectsFile}, plots...)
	if len(m.Trajectories) > 0 {
		m.Files = append(m.Files, TrajectoriesDir+"/")
	}
	return sim.WriteJSONAtomic(filepath.Join(dir, ManifestFile), m)
}

// ReadDesign reads an experiment's design.csv back, [point][factor], checked against its
// manifest: a header, then every point once, in order, each with a number for every factor.
// The analyses of a finished experiment (sensitivity, robustness) read it here too. Errors
// name the file and line.
func ReadDesign(path string, m *Manifest) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	defer f.Close()
	k := len(m.Factors)
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = k + 1
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("experiment: %s:1: %v", path, csvCause(err))
	}
	out := make([][]float64, 0, m.Points)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("experiment: %s:%d: %v", path, line, csvCause(err))
		}
		if p, err := strconv.Atoi(rec[0]); err != nil || p != len(out) {
			return nil, fmt.Errorf("experiment: %s:%d: point %q out of order (want %d)", path, line, rec[0], len(out))
		}
		row := make([]float64, k)
		for i := range row {
			if row[i], err = strconv.ParseFloat(rec[i+1], 64); err != nil || math.IsNaN(row[i]) {
				return nil, fmt.Errorf("experiment: %s:%d: %s: not a number: %q", path, line, m.Factors[i].Key, rec[i+1])
			}
		}
		out = append(out, row)
	}
	if len(out) != m.Points {
		return nil, fmt.Errorf("experiment: %s: %d points, the manifest says %d", path, len(out), m.Points)
	}
	return out, nil
}

// csvCause is a CSV error without the reader's own position, which the caller gives.
func csvCause(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readEffects streams results.csv, one point at a time, into each policy's paired
// differences from the reference: only one point's values are in memory at once.
func readEffects(path string, m *Manifest) ([]Effect, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = 5
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", path, err)
	}
	scIndex := map[string]int{}
	for i, s := range m.Scenarios {
		scIndex[s.Name] = i
	}
	outIndex := map[string]int{}
	for i, o := range m.Outputs {
		outIndex[o.Name] = i
	}
	var effects []Effect
	away := m.RunawayPoints()
	point := -1
	vals := make([][][]float64, len(m.Scenarios)) // [scenario][output][replicate]
	flush := func() {
		if point < 0 {
			return
		}
		for o := range m.Outputs {
			for s := 1; s < len(m.Scenarios); s++ {
				a, b := vals[s], vals[0]
				if len(a) == 0 || len(b) == 0 {
					continue
				}
				e := Effect{Point: point, Output: o, Scenario: s, Diff: sim.Interval{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}}
				if !away[point] { // a runaway point has no replicate to compare: its results are NaN
					e.N = min(len(a[o]), len(b[o]))
					e.Diff = sim.PairedDifference(a[o][:e.N], b[o][:e.N], 0.95)
				}
				effects = append(effects, e)
			}
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("experiment: %s: %w", path, err)
		}
		p, err1 := strconv.Atoi(rec[0])
		s, ok1 := scIndex[rec[1]]
		o, ok2 := outIndex[rec[3]]
		x, err2 := strconv.ParseFloat(rec[4], 64)
		if err1 != nil || err2 != nil || !ok1 || !ok2 || p < point {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("experiment: %s:%d: unexpected row %s", path, line, strings.Join(rec, ","))
		}
		if p != point {
			flush()
			point = p
			for i := range vals {
				vals[i] = make([][]float64, len(m.Outputs))
			}
		}
		vals[s][o] = append(vals[s][o], x)
	}
	flush()
	return effects, nil
}

// effectGrid lists, for one output and policy, each point's effect (NaN where missing).
func effectGrid(effects []Effect, points, output, scenario int) []sim.Interval {
	out := make([]sim.Interval, points)
	for i := range out {
		out[i] = sim.Interval{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	for _, e := range effects {
		if e.Output == output && e.Scenario == scenario && e.Point < points {
			out[e.Point] = e.Diff
		}
	}
	return out
}
