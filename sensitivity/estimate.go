package sensitivity

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// Interval is an index's estimate and its bootstrap 95% percentile interval.
type Interval struct {
	Estimate, Lo, Hi float64
}

// SobolIndices are each factor's first-order (S1) and total (ST) indices.
type SobolIndices struct {
	S1, ST []Interval
	// Variance is the output's variance over the A and B rows (population form): the
	// denominator of every index.
	Variance float64
	// SetAside counts the blocks left out because one of their points is NaN (its world
	// ran away): the indices are those of the other blocks.
	SetAside int
}

// MorrisIndices are each factor's elementary-effect statistics: Mu, the mean effect;
// MuStar, the mean absolute effect (Campolongo et al. 2007); Sigma, the standard deviation
// of the effects (n - 1 in the denominator, as Morris 1991). An effect is the change of the
// output per unit of the factor's range (Delta of the unit interval).
type MorrisIndices struct {
	Mu, MuStar, Sigma []Interval
	// SetAside counts the trajectories left out because one of their points is NaN.
	SetAside int
}

// ErrAllSetAside is returned when every block or trajectory has a NaN point.
var ErrAllSetAside = errors.New("sensitivity: every block or trajectory of the design has a NaN output (a point whose world ran away)")

// complete lists the groups of size points of y (blocks or trajectories) that hold no NaN.
func complete(y []float64, size int) []int {
	var out []int
	for j := 0; j+size <= len(y); j += size {
		if !slices.ContainsFunc(y[j:j+size], math.IsNaN) {
			out = append(out, j/size)
		}
	}
	return out
}

// resample draws len(idx) of the groups listed, with replacement, into idx.
func resample(idx, groups []int, rng *rand.Rand) {
	for j := range idx {
		idx[j] = groups[rng.IntN(len(groups))]
	}
}

// ErrNoVariance is returned for an output that does not vary over the design: its indices
// are undefined.
var ErrNoVariance = errors.New("sensitivity: the output does not vary over the design")

// Sobol estimates first-order and total indices from outputs laid out as Saltelli's
// scheme without second-order terms (experiment's sobol design; SALib's saltelli.sample
// with calc_second_order=False): n blocks of k+2 values, f(A), f(AB_1) ... f(AB_k), f(B),
// where AB_i is A with column i from B. First order is Saltelli et al.'s 2010 estimator
// (Comput. Phys. Commun. 181:259, table 2 (b)), S1_i = mean(f(B)(f(AB_i) - f(A))) / V, total
// Jansen's (1999, Comput. Phys. Commun. 117:35), ST_i = mean((f(A) - f(AB_i))^2) / (2V),
// with V the variance of f over the A and B rows, as SALib computes them, and f centred
// on its mean first (as SALib does): the first-order estimator is otherwise not
// invariant to the output's level, and its error grows with it. The intervals
// are 95% percentile intervals of bootstrap resamples of the n blocks (bootstrap of
// them; 0 leaves the intervals NaN). A block with a NaN output (a point whose world ran
// away) is set aside whole, as its A, B and AB_i rows belong together.
func Sobol(y []float64, k, bootstrap int, rng *rand.Rand) (SobolIndices, error) {
	if k < 1 || len(y) == 0 || len(y)%(k+2) != 0 {
		return SobolIndices{}, fmt.Errorf("sensitivity: %d outputs are not blocks of %d factors + 2", len(y), k)
	}
	blocks := complete(y, k+2)
	if len(blocks) == 0 {
		return SobolIndices{}, ErrAllSetAside
	}
	kept := y
	if len(blocks)*(k+2) < len(y) {
		kept = nil
		for _, j := range blocks {
			kept = append(kept, y[j*(k+2):(j+1)*(k+2)]...)
		}
	}
	mean := stat.Mean(kept, nil)
	centred := make([]float64, len(y))
	for i, x := range y {
		centred[i] = x - mean
	}
	y = centred
	s1, st, v := sobolOnce(y, k, blocks)
	if !(v > 0) {
		return SobolIndices{}, ErrNoVariance
	}
	out := SobolIndices{S1: make([]Interval, k), ST: make([]Interval, k), Variance: v, SetAside: len(y)/(k+2) - len(blocks)}
	b1 := make([][]float64, k)
	bt := make([][]float64, k)
	idx := make([]int, len(blocks))
	for range bootstrap {
		resample(idx, blocks, rng)
		r1, rt, _ := sobolOnce(y, k, idx)
		for i := range k {
			b1[i] = append(b1[i], r1[i])
			bt[i] = append(bt[i], rt[i])
		}
	}
	for i := range k {
		out.S1[i] = interval(s1[i], b1[i])
		out.ST[i] = interval(st[i], bt[i])
	}
	return out, nil
}

// sobolOnce computes the indices over the blocks listed (with repeats, for a bootstrap).
func sobolOnce(y []float64, k int, blocks []int) (s1, st []float64, v float64) {
	n := len(blocks)
	ab := make([]float64, 0, 2*n)
	for _, j := range blocks {
		b := y[j*(k+2):]
		ab = append(ab, b[0], b[k+1])
	}
	_, v = stat.PopMeanVariance(ab, nil)
	s1, st = make([]float64, k), make([]float64, k)
	if !(v > 0) {
		for i := range k {
			s1[i], st[i] = math.NaN(), math.NaN()
		}
		return s1, st, v
	}
	for i := range k {
		var first, total float64
		for _, j := range blocks {
			b := y[j*(k+2):]
			fa, fab, fb := b[0], b[1+i], b[k+1]
			first += float64(fb * (fab - fa))
			total += float64((fa - fab) * (fa - fab))
		}
		s1[i] = first / float64(n) / v
		st[i] = total / float64(2*n) / v
	}
	return s1, st, v
}

// Morris estimates elementary-effect statistics from r trajectories of k+1 points each
// (experiment's morris design; SALib's morris.sample): x holds the points' factor values,
// y the outputs. Each step of a trajectory moves one factor, found as the column that
// changed, by delta of the unit interval (p/(2(p-1)) for p levels), up or down as its value
// rose or fell; its elementary effect is the output's change over +-delta. The intervals
// are 95% percentile intervals of bootstrap resamples of the trajectories. A trajectory
// with a NaN output (a point whose world ran away) is set aside whole.
func Morris(x [][]float64, y []float64, k int, delta float64, bootstrap int, rng *rand.Rand) (MorrisIndices, error) {
	if k < 1 || len(x) == 0 || len(x)%(k+1) != 0 || len(y) != len(x) {
		return MorrisIndices{}, fmt.Errorf("sensitivity: %d points are not trajectories of %d factors + 1", len(x), k)
	}
	if !(delta > 0) {
		return MorrisIndices{}, fmt.Errorf("sensitivity: Delta %g: want above 0", delta)
	}
	r := len(x) / (k + 1)
	ee := make([][]float64, r) // [trajectory][factor]
	for t := range r {
		ee[t] = make([]float64, k)
		seen := make([]bool, k)
		for s := range k {
			p := t*(k+1) + s
			moved := -1
			for i := range k {
				if x[p+1][i] != x[p][i] {
					if moved >= 0 {
						return MorrisIndices{}, fmt.Errorf("sensitivity: point %d: a Morris step moves more than one factor (%d and %d)", p+1, moved, i)
					}
					moved = i
				}
			}
			if moved < 0 {
				return MorrisIndices{}, fmt.Errorf("sensitivity: point %d: a Morris step that moves no factor", p+1)
			}
			if seen[moved] {
				return MorrisIndices{}, fmt.Errorf("sensitivity: point %d: factor %d moves twice in one trajectory", p+1, moved)
			}
			seen[moved] = true
			d := delta
			if x[p+1][moved] < x[p][moved] {
				d = -delta
			}
			ee[t][moved] = (y[p+1] - y[p]) / d
		}
	}
	traj := complete(y, k+1)
	if len(traj) == 0 {
		return MorrisIndices{}, ErrAllSetAside
	}
	mu, star, sigma := morrisOnce(ee, k, traj)
	out := MorrisIndices{Mu: make([]Interval, k), MuStar: make([]Interval, k), Sigma: make([]Interval, k), SetAside: r - len(traj)}
	bm, bs, bsg := make([][]float64, k), make([][]float64, k), make([][]float64, k)
	idx := make([]int, len(traj))
	for range bootstrap {
		resample(idx, traj, rng)
		m, s, sg := morrisOnce(ee, k, idx)
		for i := range k {
			bm[i] = append(bm[i], m[i])
			bs[i] = append(bs[i], s[i])
			bsg[i] = append(bsg[i], sg[i])
		}
	}
	for i := range k {
		out.Mu[i] = interval(mu[i], bm[i])
		out.MuStar[i] = interval(star[i], bs[i])
		out.Sigma[i] = interval(sigma[i], bsg[i])
	}
	return out, nil
}

func morrisOnce(ee [][]float64, k int, traj []int) (mu, star, sigma []float64) {
	mu, star, sigma = make([]float64, k), make([]float64, k), make([]float64, k)
	col := make([]float64, len(traj))
	for i := range k {
		for j, t := range traj {
			col[j] = ee[t][i]
		}
		mu[i] = stat.Mean(col, nil)
		sigma[i] = math.NaN()
		if len(col) > 1 {
			sigma[i] = stat.StdDev(col, nil)
		}
		for j := range col {
			col[j] = math.Abs(col[j])
		}
		star[i] = floats.Sum(col) / float64(len(col))
	}
	return mu, star, sigma
}

// interval is the estimate with the 2.5% and 97.5% quantiles of its bootstrap replicates.
// A replicate can be NaN where a resample of few blocks or trajectories happens to have no
// variance (every block the same one): those are left out, and if they are more than half,
// or there are no replicates, the interval is NaN.
func interval(est float64, boot []float64) Interval {
	iv := Interval{Estimate: est, Lo: math.NaN(), Hi: math.NaN()}
	n := len(boot)
	boot = slices.DeleteFunc(boot, math.IsNaN)
	if len(boot) == 0 || 2*len(boot) < n {
		return iv
	}
	slices.Sort(boot)
	iv.Lo = stat.Quantile(0.025, stat.Empirical, boot, nil)
	iv.Hi = stat.Quantile(0.975, stat.Empirical, boot, nil)
	return iv
}

// NoiseShare is the share of an output's variance over the design's points that its
// replicate noise explains: the mean over points of the variance of each point's mean
// over its replicates (the within-point variance over the replicates, divided by their
// number), over the variance of the points' means. Near 0 the indices describe the
// factors; near 1 they describe noise. means and noise hold, per point, the mean and the
// variance of the mean; NaN if a point has one replicate.
func NoiseShare(means, noise []float64) float64 {
	if len(means) < 2 {
		return math.NaN()
	}
	v := stat.Variance(means, nil)
	if !(v > 0) {
		return math.NaN()
	}
	return stat.Mean(noise, nil) / v
}
