package experiment

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
	"gonum.org/v1/gonum/stat/samplemv"

	"github.com/cartelsim/cartelsim/internal/yamlmap"
)

// Default levels of each ranged factor: a grid's, and Morris's p.
const (
	DefaultGridLevels   = 5
	DefaultMorrisLevels = 4
)

// designRNG is the design's own stream, apart from the replicates' (which use the seed
// through sim.ReplicateRNG): the same seed always gives the same points.
func designRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x64657369676e)) // "design"
}

// sample reads design, levels and points and fills the design's matrix.
func (d *Design) sample(top *mapping) error {
	n := top.Keys["design"]
	switch {
	case n.Kind == yaml.ScalarNode && slices.Contains(kinds[:4], n.Value):
		d.Kind = Kind(n.Value)
	case n.Kind == yaml.MappingNode:
		m, err := readMapping(d.File, "design.", n, "csv")
		if err != nil {
			return err
		}
		s, ok, err := m.Scalar("csv")
		if err != nil {
			return err
		}
		if !ok || s == "" {
			return top.Fail("design", "want {csv: FILE}")
		}
		d.Kind, d.CSVFile = CSV, s
	default:
		return top.Fail("design", "unknown design %q (known: %s)", n.Value, strings.Join(kinds, ", "))
	}
	points, hasPoints, err := top.Whole("points", 1, MaxPoints)
	if err != nil {
		return err
	}
	levels, hasLevels, err := top.Whole("levels", 2, 1000)
	if err != nil {
		return err
	}
	if hasLevels && d.Kind != Grid && d.Kind != Morris {
		return top.Fail("levels", "only grid and morris designs take levels")
	}
	if len(d.Posteriors) > 0 && d.Kind != LatinHypercube && d.Kind != Sobol {
		return top.Fail("posterior", "a posterior goes with design: latin-hypercube (each point draws a particle, the other factors a Latin hypercube) or sobol (each posterior one factor of Saltelli's scheme), not %s", d.Kind)
	}
	k := len(d.Factors)
	need := func() error {
		if !hasPoints {
			return top.Fail("design", "a %s design needs points", d.Kind)
		}
		return nil
	}
	tooMany := func(rows int, why string) error {
		return top.Fail("points", "more points than the design allows: %s", why)
	}
	switch d.Kind {
	case Grid:
		d.Levels = DefaultGridLevels
		if hasLevels {
			d.Levels = levels
		}
		total := 1
		for _, f := range d.Factors {
			l := d.Levels
			if f.Levels != nil {
				l = len(f.Levels)
			}
			if total > MaxPoints/l {
				return top.Fail("design", "the grid has more than %d points", MaxPoints)
			}
			total *= l
		}
		if hasPoints && points != total {
			if points > total {
				return tooMany(points, fmt.Sprintf("the grid of these factors has %d", total))
			}
			return top.Fail("points", "the grid of these factors has %d points, not %d (leave points out)", total, points)
		}
		d.Points = total
		d.Matrix = d.grid()
	case LatinHypercube:
		if err := need(); err != nil {
			return err
		}
		d.Points = points
		if own := d.ownFactors(); own > 0 {
			d.Matrix = d.values(latinHypercube(points, own, designRNG(d.Seed)))
		} else {
			d.Matrix = make([][]float64, points)
		}
		if len(d.Posteriors) > 0 {
			d.Matrix = d.posteriorColumns(d.Matrix)
		}
	case Sobol:
		if err := need(); err != nil {
			return err
		}
		// Each posterior is one factor of the scheme, its parameters drawn together.
		g := d.ownFactors() + len(d.Posteriors)
		if 2*g > MaxSobolDims {
			return top.Fail("factors", "a sobol design takes at most %d factors, a posterior counting as one (Saltelli's scheme needs 2 dimensions per factor)", MaxSobolDims/2)
		}
		if points > MaxPoints/(g+2) {
			return tooMany(points, fmt.Sprintf("Saltelli's scheme runs points x (factors + 2) = %d x %d, more than %d", points, g+2, MaxPoints))
		}
		d.Points = points * (g + 2)
		d.Matrix = d.sobolValues(saltelli(points, g))
	case Morris:
		if err := need(); err != nil {
			return err
		}
		d.Levels = DefaultMorrisLevels
		if hasLevels {
			d.Levels = levels
		}
		if d.Levels%2 != 0 {
			return top.Fail("levels", "morris needs an even number of levels (Morris 1991), got %d", d.Levels)
		}
		if points > MaxPoints/(k+1) {
			return tooMany(points, fmt.Sprintf("Morris's trajectories run points x (factors + 1) = %d x %d, more than %d", points, k+1, MaxPoints))
		}
		d.Points = points * (k + 1)
		d.Matrix = d.values(morris(points, k, d.Levels, designRNG(d.Seed)))
	case CSV:
		path := d.CSVFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(d.File), path)
		}
		m, err := d.readCSV(path)
		if err != nil {
			return err
		}
		if len(m) == 0 {
			return designError(path, 1, "", "no points")
		}
		if hasPoints {
			if points > len(m) {
				return tooMany(points, fmt.Sprintf("%s has %d", d.CSVFile, len(m)))
			}
			m = m[:points]
		}
		d.Points, d.Matrix = len(m), m
	}
	return nil
}

// values maps a matrix of points in the unit cube to the factors' values.
func (d *Design) values(unit [][]float64) [][]float64 {
	out := make([][]float64, len(unit))
	for p, row := range unit {
		out[p] = make([]float64, len(row))
		for i, u := range row {
			out[p][i] = d.Factors[i].Value(u)
		}
	}
	return out
}

// sobolValues maps Saltelli's points, one coordinate per own factor and then one per
// posterior, to the factors' values: a posterior's coordinate picks a particle from the
// weights' cumulative distribution (sim.Posterior.At), whose parameters fill the
// posterior's columns, so that a posterior's AB row takes its whole particle from B.
func (d *Design) sobolValues(unit [][]float64) [][]float64 {
	own := d.ownFactors()
	rows := make([][]float64, len(unit))
	for p, u := range unit {
		rows[p] = u[:own]
	}
	out := d.values(rows)
	for p, u := range unit {
		for j, post := range d.Posteriors {
			out[p] = append(out[p], post.Particles[post.At(u[own+j])]...)
		}
	}
	return out
}

// grid enumerates every combination of the factors' levels, the last factor fastest: a
// ranged factor takes Levels evenly spaced values from low to high (in the logarithm,
// log-uniform), a factor with levels its own.
func (d *Design) grid() [][]float64 {
	vals := make([][]float64, len(d.Factors))
	for i, f := range d.Factors {
		if f.Levels != nil {
			vals[i] = f.Levels
			continue
		}
		for j := range d.Levels {
			vals[i] = append(vals[i], f.Value(float64(j)/float64(d.Levels-1)))
		}
	}
	return product(vals)
}

func product(vals [][]float64) [][]float64 {
	out := [][]float64{{}}
	for _, vs := range vals {
		var next [][]float64
		for _, row := range out {
			for _, v := range vs {
				next = append(next, append(slices.Clone(row), v))
			}
		}
		out = next
	}
	return out
}

// latinHypercube draws n points in [0, 1)^k with exactly one in each of the n strata of
// every dimension (gonum's samplemv.LatinHypercube).
func latinHypercube(n, k int, rng *rand.Rand) [][]float64 {
	src := rand.NewPCG(rng.Uint64(), rng.Uint64())
	batch := mat.NewDense(n, k, nil)
	samplemv.LatinHypercube{Q: distmv.NewUnitUniform(k, src), Src: src}.Sample(batch)
	out := make([][]float64, n)
	for i := range n {
		out[i] = slices.Clone(batch.RawRowView(i))
	}
	return out
}

// morris draws r trajectories of k+1 points each on the grid {0, 1/(p-1), ..., 1} (Morris,
// "Factorial sampling plans for preliminary computational experiments", Technometrics 33,
// 161-174, 1991; Campolongo, Cariboni and Saltelli, Environ. Model. Softw. 22, 1509-1518,
// 2007): a random base point, then each factor in random order moves by Delta = p/(2(p-1)),
// up or down at random, one factor per step. Campolongo's selection of the most spread
// trajectories among many candidates is not applied.
func morris(r, k, p int, rng *rand.Rand) [][]float64 {
	delta := float64(p) / (2 * float64(p-1))
	step := 1 / float64(p-1)
	out := make([][]float64, 0, r*(k+1))
	for range r {
		x := make([]float64, k)
		sign := make([]float64, k)
		for i := range k {
			// A base level from 0 to 1 - Delta, so that both ends of the move are levels.
			x[i] = float64(rng.IntN(p/2)) * step
			sign[i] = 1
			if rng.IntN(2) == 1 {
				sign[i] = -1
				x[i] += delta
			}
		}
		out = append(out, slices.Clone(x))
		for _, i := range rng.Perm(k) {
			x[i] += float64(sign[i] * delta)
			x[i] = math.Round(x[i]*float64(p-1)) / float64(p-1) // exactly on the grid
			out = append(out, slices.Clone(x))
		}
	}
	return out
}

// readCSV reads a design matrix: a header naming every factor by its key (in any order,
// and optionally a point column, which is ignored), then one row per point.
func (d *Design) readCSV(path string) ([][]float64, error) {
	data, err := yamlmap.ReadLimited(path, 64<<20)
	if err != nil {
		return nil, designError(d.File, 0, "design.csv", "%s: %v", path, err)
	}
	r := csv.NewReader(strings.NewReader(string(data)))
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, designError(path, 1, "", "no header: want a column per factor")
	}
	col := make([]int, len(d.Factors))
	for i := range col {
		col[i] = -1
	}
	for j, h := range header {
		h = strings.TrimSpace(h)
		if h == "point" {
			continue
		}
		i := slices.IndexFunc(d.Factors, func(f Factor) bool { return f.Key == h })
		if i < 0 {
			return nil, designError(path, 1, h, "unknown column: not a factor of the design")
		}
		if col[i] >= 0 {
			return nil, designError(path, 1, h, "column given twice")
		}
		col[i] = j
	}
	for i, c := range col {
		if c < 0 {
			return nil, designError(path, 1, d.Factors[i].Key, "missing column for factor %s", d.Factors[i].Key)
		}
	}
	var out [][]float64
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, designError(path, pe.Line, "", "%v", pe.Err)
			}
			return nil, designError(path, line, "", "%v", err)
		}
		if len(out) >= MaxPoints {
			return nil, designError(path, line, "", "more than %d points", MaxPoints)
		}
		row := make([]float64, len(d.Factors))
		for i, f := range d.Factors {
			s := strings.TrimSpace(rec[col[i]])
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, designError(path, line, f.Key, "%q is not a finite number", s)
			}
			switch {
			case f.Levels != nil && !slices.Contains(f.Levels, x):
				return nil, designError(path, line, f.Key, "%s is not one of the factor's levels", s)
			case f.Levels == nil && (x < f.Lo || x > f.Hi):
				return nil, designError(path, line, f.Key, "%s is outside the factor's range [%s, %s]", s, fmtG(f.Lo), fmtG(f.Hi))
			}
			row[i] = x
		}
		out = append(out, row)
	}
	return out, nil
}
