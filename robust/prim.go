package robust

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// PRIMOptions tune PRIM.
type PRIMOptions struct {
	// Alpha is the share of the box's points each peel removes (default 0.05, Friedman
	// and Fisher's usual value); at least one distinct value is always removed.
	Alpha float64
	// MinMass stops peeling before the box holds fewer than this share of the points
	// (default 0.05).
	MinMass float64
	// MinCoverage picks the box: the highest-density box on the trajectory whose
	// coverage is at least this (default 0.5); ties go to the earlier (larger) box.
	MinCoverage float64
	// Paste widens the chosen box again where that raises its density (Friedman and
	// Fisher's bottom-up pasting).
	Paste bool
	// MaxP drops, one at a time starting from the weakest, the chosen box's
	// restrictions whose quasi-p-value exceeds it (default 0.05; 1 keeps them all):
	// the one-sided binomial probability of the box's hits, or more, were its density
	// that of the box without the restriction (Bryant and Lempert 2010, sec. 3.3, as
	// the EMA Workbench computes it).
	MaxP float64
}

func (o PRIMOptions) withDefaults() PRIMOptions {
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.MinMass == 0 {
		o.MinMass = 0.05
	}
	if o.MinCoverage == 0 {
		o.MinCoverage = 0.5
	}
	if o.MaxP == 0 {
		o.MaxP = 0.05
	}
	return o
}

// Box is a PRIM box: the points whose value of each factor i lies in [Lo[i], Hi[i]]
// (values of points, inclusive; ±Inf where the side is not restricted).
type Box struct {
	Lo, Hi []float64
	// Points in the box, and of those the ones where the condition holds.
	Points, Hits int
	// Coverage: Hits over all points where the condition holds; Density: Hits over
	// Points; Mass: Points over all points.
	Coverage, Density, Mass float64
	// P is each restricted factor's quasi-p-value (NaN where unrestricted).
	P []float64
}

// Restricted lists the factors the box restricts.
func (b *Box) Restricted() []int {
	var out []int
	for i := range b.Lo {
		if !math.IsInf(b.Lo[i], -1) || !math.IsInf(b.Hi[i], 1) {
			out = append(out, i)
		}
	}
	return out
}

// PRIMResult is the peeling trajectory and the box chosen from it.
type PRIMResult struct {
	Trajectory []Box
	// Step is the trajectory's box the choice started from; Chosen is that box after
	// pasting and dropping insignificant restrictions.
	Step   int
	Chosen Box
	// Total points and points where the condition holds.
	N, Hits int
}

type primData struct {
	x     [][]float64 // [point][factor]
	y     []bool
	hits  int
	k     int
	min   []float64
	max   []float64
	maxP  float64
	paste bool
}

func (d *primData) inBox(p int, lo, hi []float64) bool {
	for i, v := range d.x[p] {
		if v < lo[i] || v > hi[i] {
			return false
		}
	}
	return true
}

func (d *primData) box(lo, hi []float64) Box {
	b := Box{Lo: slices.Clone(lo), Hi: slices.Clone(hi)}
	for p := range d.x {
		if d.inBox(p, lo, hi) {
			b.Points++
			if d.y[p] {
				b.Hits++
			}
		}
	}
	b.Mass = float64(b.Points) / float64(len(d.x))
	b.Coverage, b.Density = math.NaN(), math.NaN()
	if d.hits > 0 {
		b.Coverage = float64(b.Hits) / float64(d.hits)
	}
	if b.Points > 0 {
		b.Density = float64(b.Hits) / float64(b.Points)
	}
	// Bounds are stored as ±Inf where nothing is cut off.
	for i := range b.Lo {
		if b.Lo[i] <= d.min[i] {
			b.Lo[i] = math.Inf(-1)
		}
		if b.Hi[i] >= d.max[i] {
			b.Hi[i] = math.Inf(1)
		}
	}
	return b
}

// PRIM runs the patient rule induction method over points x ([point][factor]) with the
// condition y. It peels from the whole space: at each step, over every factor and both
// sides, the peel of about Alpha of the box's points (all points at the cut value go
// together, so a grid's level leaves whole) whose remaining box has the highest density
// (Friedman and Fisher 1999, sec. 4.1), until a peel would leave less than MinMass.
func PRIM(x [][]float64, y []bool, opts PRIMOptions) (*PRIMResult, error) {
	opts = opts.withDefaults()
	if len(x) == 0 || len(x) != len(y) {
		return nil, fmt.Errorf("robust: PRIM needs as many conditions as points, got %d and %d", len(y), len(x))
	}
	if opts.Alpha <= 0 || opts.Alpha >= 1 || opts.MinMass <= 0 || opts.MinMass >= 1 || opts.MinCoverage <= 0 || opts.MinCoverage > 1 || opts.MaxP <= 0 || opts.MaxP > 1 {
		return nil, fmt.Errorf("robust: PRIM options out of range: alpha %g and min mass %g want (0,1), min coverage %g and max p %g want (0,1]", opts.Alpha, opts.MinMass, opts.MinCoverage, opts.MaxP)
	}
	d := &primData{x: x, y: y, k: len(x[0]), maxP: opts.MaxP, paste: opts.Paste}
	for _, h := range y {
		if h {
			d.hits++
		}
	}
	if d.hits == 0 {
		return nil, fmt.Errorf("robust: the condition holds at none of the %d points: there is no box to find", len(x))
	}
	d.min, d.max = make([]float64, d.k), make([]float64, d.k)
	for i := range d.k {
		d.min[i], d.max[i] = math.Inf(1), math.Inf(-1)
	}
	for _, row := range x {
		if len(row) != d.k {
			return nil, fmt.Errorf("robust: PRIM needs the same factors at every point")
		}
		for i, v := range row {
			d.min[i], d.max[i] = min(d.min[i], v), max(d.max[i], v)
		}
	}
	lo, hi := slices.Clone(d.min), slices.Clone(d.max)
	res := &PRIMResult{N: len(x), Hits: d.hits}
	res.Trajectory = append(res.Trajectory, d.box(lo, hi))
	minPoints := opts.MinMass * float64(len(x))
	for {
		cur := res.Trajectory[len(res.Trajectory)-1]
		var vals []float64
		bestDensity, bestI, bestLo, bestHi := -1.0, -1, 0.0, 0.0
		for i := range d.k {
			vals = vals[:0]
			for p := range x {
				if d.inBox(p, lo, hi) {
					vals = append(vals, x[p][i])
				}
			}
			sort.Float64s(vals)
			cut := max(1, int(math.Floor(opts.Alpha*float64(len(vals)))))
			// Bottom: drop every point at or below the cut-th smallest value.
			if cut < len(vals) {
				v := vals[cut-1]
				j := sort.SearchFloat64s(vals, math.Nextafter(v, math.Inf(1)))
				if j < len(vals) && float64(len(vals)-j) >= minPoints {
					nlo := slices.Clone(lo)
					nlo[i] = vals[j]
					if b := d.box(nlo, hi); b.Density > bestDensity {
						bestDensity, bestI, bestLo, bestHi = b.Density, i, vals[j], hi[i]
					}
				}
				// Top: drop every point at or above the cut-th largest.
				v = vals[len(vals)-cut]
				j = sort.SearchFloat64s(vals, v) // first index with value v
				if j > 0 && float64(j) >= minPoints {
					nhi := slices.Clone(hi)
					nhi[i] = vals[j-1]
					if b := d.box(lo, nhi); b.Density > bestDensity {
						bestDensity, bestI, bestLo, bestHi = b.Density, i, lo[i], vals[j-1]
					}
				}
			}
		}
		if bestI < 0 || cur.Density >= 1 {
			break
		}
		lo[bestI], hi[bestI] = bestLo, bestHi
		res.Trajectory = append(res.Trajectory, d.box(lo, hi))
	}
	res.Step = -1
	for s, b := range res.Trajectory {
		if b.Coverage >= opts.MinCoverage && (res.Step < 0 || b.Density > res.Trajectory[res.Step].Density) {
			res.Step = s
		}
	}
	if res.Step < 0 {
		res.Step = 0 // the whole space always has coverage 1
	}
	chosen := res.Trajectory[res.Step]
	clo, chi := d.finite(chosen)
	if opts.Paste {
		clo, chi = d.pasteBox(clo, chi, opts.Alpha)
	}
	res.Chosen = d.simplify(clo, chi)
	return res, nil
}

// finite is a box's bounds with ±Inf back to the data's range.
func (d *primData) finite(b Box) (lo, hi []float64) {
	lo, hi = slices.Clone(b.Lo), slices.Clone(b.Hi)
	for i := range lo {
		lo[i], hi[i] = max(lo[i], d.min[i]), min(hi[i], d.max[i])
	}
	return lo, hi
}

// pasteBox widens a side of the box, to take in about alpha of its points more, while
// that raises its density the most; it stops when no paste raises it.
func (d *primData) pasteBox(lo, hi []float64, alpha float64) ([]float64, []float64) {
	for {
		cur := d.box(lo, hi)
		add := max(1, int(math.Floor(alpha*float64(cur.Points))))
		bestDensity, bestI, bestLo, bestHi := cur.Density, -1, 0.0, 0.0
		for i := range d.k {
			// The points outside the box only on factor i, below and above it.
			var below, above []float64
			for p, row := range d.x {
				olo, ohi := slices.Clone(lo), slices.Clone(hi)
				olo[i], ohi[i] = math.Inf(-1), math.Inf(1)
				if !d.inBox(p, olo, ohi) {
					continue
				}
				switch {
				case row[i] < lo[i]:
					below = append(below, row[i])
				case row[i] > hi[i]:
					above = append(above, row[i])
				}
			}
			sort.Sort(sort.Reverse(sort.Float64Slice(below)))
			sort.Float64s(above)
			if len(below) > 0 {
				nlo := slices.Clone(lo)
				nlo[i] = below[min(add, len(below))-1]
				if b := d.box(nlo, hi); b.Density > bestDensity {
					bestDensity, bestI, bestLo, bestHi = b.Density, i, nlo[i], hi[i]
				}
			}
			if len(above) > 0 {
				nhi := slices.Clone(hi)
				nhi[i] = above[min(add, len(above))-1]
				if b := d.box(lo, nhi); b.Density > bestDensity {
					bestDensity, bestI, bestLo, bestHi = b.Density, i, lo[i], nhi[i]
				}
			}
		}
		if bestI < 0 {
			return lo, hi
		}
		lo[bestI], hi[bestI] = bestLo, bestHi
	}
}

// simplify drops, weakest first, the restrictions whose quasi-p-value exceeds maxP, and
// returns the box with each remaining restriction's quasi-p-value.
func (d *primData) simplify(lo, hi []float64) Box {
	for {
		b := d.box(lo, hi)
		b.P = make([]float64, d.k)
		worst, worstP := -1, -1.0
		for i := range d.k {
			b.P[i] = math.NaN()
			if !slices.Contains(b.Restricted(), i) {
				continue
			}
			wlo, whi := slices.Clone(lo), slices.Clone(hi)
			wlo[i], whi[i] = d.min[i], d.max[i]
			wider := d.box(wlo, whi)
			b.P[i] = quasiP(b.Hits, b.Points, wider.Density)
			if b.P[i] > worstP {
				worst, worstP = i, b.P[i]
			}
		}
		if worst < 0 || worstP <= d.maxP {
			return b
		}
		lo[worst], hi[worst] = d.min[worst], d.max[worst]
	}
}

// quasiP is P(X >= hits) for X binomial with n trials and probability p: the sum of
// the binomial probabilities from hits to n, each from log-factorials, in explicitly
// rounded arithmetic (internal/fpmath) so that every build prints the same digits
// (gonum's incomplete beta, which distuv.Binomial uses, may fuse multiply-adds).
func quasiP(hits, n int, p float64) float64 {
	switch {
	case hits <= 0 || p >= 1:
		return 1
	case hits > n || !(p > 0):
		return 0
	}
	lnP, lnQ := fpmath.Log(p), fpmath.Log1p(-p)
	lnN := fpmath.LgammaWhole(float64(n + 1))
	sum := 0.0
	for k := hits; k <= n; k++ {
		lnC := float64(lnN-fpmath.LgammaWhole(float64(k+1))) - fpmath.LgammaWhole(float64(n-k+1))
		sum += fpmath.Exp(float64(lnC+float64(float64(k)*lnP)) + float64(float64(n-k)*lnQ))
	}
	return min(sum, 1)
}

// Bound is one restriction of a box as it reads: the factor's value between the last
// point cut off and the first point kept (the midpoint; the geometric mean for a
// log-uniform factor), NaN where that side is not restricted.
type Bound struct {
	Factor int
	Above  float64 // the factor's value is above this
	Below  float64 // and below this
	P      float64
}

// Bounds turns the box's restrictions into readable bounds over the points x; log[i]
// says factor i is log-uniform.
func Bounds(b Box, x [][]float64, log []bool) []Bound {
	var out []Bound
	for _, i := range b.Restricted() {
		bd := Bound{Factor: i, Above: math.NaN(), Below: math.NaN(), P: math.NaN()}
		if b.P != nil {
			bd.P = b.P[i]
		}
		mid := func(a, c float64) float64 {
			if log != nil && log[i] && a > 0 && c > 0 {
				return math.Sqrt(a * c)
			}
			return (a + c) / 2
		}
		if !math.IsInf(b.Lo[i], -1) {
			out := math.Inf(-1) // the largest value below the box's bound
			for _, row := range x {
				if row[i] < b.Lo[i] {
					out = max(out, row[i])
				}
			}
			bd.Above = mid(out, b.Lo[i])
		}
		if !math.IsInf(b.Hi[i], 1) {
			out := math.Inf(1)
			for _, row := range x {
				if row[i] > b.Hi[i] {
					out = min(out, row[i])
				}
			}
			bd.Below = mid(b.Hi[i], out)
		}
		out = append(out, bd)
	}
	return out
}

// Describe writes bounds as "name > a and b < name < c", names indexed by factor.
func Describe(bounds []Bound, names []string) string {
	if len(bounds) == 0 {
		return "anywhere (no factor restricted)"
	}
	var parts []string
	for _, b := range bounds {
		switch {
		case math.IsNaN(b.Below):
			parts = append(parts, fmt.Sprintf("%s > %.4g", names[b.Factor], b.Above))
		case math.IsNaN(b.Above):
			parts = append(parts, fmt.Sprintf("%s < %.4g", names[b.Factor], b.Below))
		default:
			parts = append(parts, fmt.Sprintf("%.4g < %s < %.4g", b.Above, names[b.Factor], b.Below))
		}
	}
	return strings.Join(parts, " and ")
}
