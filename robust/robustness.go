package robust

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat"
)

// Direction says which way a metric's change is better.
type Direction string

const (
	Lower  Direction = "lower"  // less is better
	Higher Direction = "higher" // more is better
	None   Direction = "none"   // no direction: the share counts positive effects
)

// Directions is the rule for "better": a policy beats the reference at a point when its
// effect (policy minus reference) is below 0 for a Lower metric and above 0 for a Higher
// one; an effect of exactly 0 beats nothing. Metrics not listed have no direction
// (splits, arrests, leaders removed, groups: more or fewer is not plainly better).
var Directions = map[string]Direction{
	"members": Lower, "deaths": Lower, "homicides": Lower, "recruits": Lower,
	"grievance_recruits": Lower, "civilian_casualties": Lower, "retaliation": Lower,
	"labs": Lower, "labs_north": Lower, "labs_pacific": Lower, "labs_centre": Lower,
	"labs_southeast": Lower, "labs_abroad": Lower, "production": Lower, "supply": Lower,
	"revenue": Lower, "precursors": Lower, "guns": Lower, "corruption": Lower,
	"us_consumption": Lower, "overdose_deaths": Lower, "deaths_at_sea": Lower, "us_casualties": Lower,
	"us_agent_limits": Lower, "price": Higher, "cooperation": Higher,
}

// DirectionOf is a metric's direction from Directions (None if unlisted).
func DirectionOf(metric string) Direction {
	if d, ok := Directions[metric]; ok {
		return d
	}
	return None
}

// sign turns an effect into "smaller is better" (None counts as Higher: positive counts).
func (d Direction) sign() float64 {
	if d == Lower {
		return 1
	}
	return -1
}

// Robustness is one option's record over the points for one output. The reference's
// own row has Share, Clear and Against NaN and an effect of 0 everywhere.
type Robustness struct {
	Output, Metric, Policy, Versus string
	Reference                      bool
	Direction                      Direction
	Points                         int
	// Share is the share of points where the policy beats the reference (Direction
	// None: where the effect is positive), with its 95% Wilson interval.
	Share, ShareLo, ShareHi float64
	// Clear is the share of points where the effect's 95% replicate interval lies
	// wholly on the better (None: positive) side of 0; Against wholly on the other.
	Clear, Against float64
	// Quantiles of the effect over the points at QuantileLevels.
	Quantiles []float64
	// MeanRegret and MaxRegret: in each point, how much worse (in the metric's units,
	// oriented by Direction) the option is than the best of the reference and the
	// policies there; NaN for a metric without a direction. Rank orders the options
	// by MaxRegret, then MeanRegret (1 is the minimax-regret choice); 0 without a
	// direction.
	MeanRegret, MaxRegret float64
	Rank                  int
}

// QuantileLevels are the quantiles of the effect reported over the points.
var QuantileLevels = []float64{0.05, 0.25, 0.5, 0.75, 0.95}

// Wilson is the Wilson score interval for k successes in n trials at the given level
// (Wilson 1927, JASA 22:209; recommended by Brown, Cai and DasGupta 2001, Stat. Sci.
// 16:101 over the normal interval for small n and shares near 0 or 1).
func Wilson(k, n int, level float64) (lo, hi float64) {
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	// The standard normal's quantile, what distuv.UnitNormal.Quantile gives (0 + 1*q),
	// without its multiply-add, which is fused on arm64 and at GOAMD64=v3 when inlined.
	z := mathext.NormalQuantile(1 - float64((1-level)/2)) // x/2 is x*0.5, which would fuse
	nf, p := float64(n), float64(k)/float64(n)
	centre := (p + z*z/(2*nf)) / (1 + z*z/nf)
	half := float64(z / (1 + z*z/nf) * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)))
	return max(0, centre-half), min(1, centre+half)
}

// Quantile is the q-quantile of xs, in any order, by linear interpolation between the
// order statistics at (n-1)q (Hyndman and Fan 1996's type 7, the default of R, numpy
// and pandas, so that the numbers agree with theirs; gonum's stat.Quantile has types 1
// and 4 only).
func Quantile(q float64, xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	h := float64(float64(len(s)-1) * q)
	i := int(math.Floor(h))
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + float64((h-float64(i))*(s[i+1]-s[i]))
}

// Analyse computes, for each output the filter keeps (nil keeps all) and each option
// (the reference first, then the policies), its robustness record.
func Analyse(e *Experiment, keep func(output int) bool) []Robustness {
	m := e.Manifest
	var out []Robustness
	for o, mo := range m.Outputs {
		if keep != nil && !keep(o) {
			continue
		}
		dir := DirectionOf(mo.Metric)
		rows := make([]Robustness, len(m.Scenarios))
		regret := make([][]float64, len(m.Scenarios)) // [option][point]
		for s := range rows {
			regret[s] = make([]float64, e.N())
		}
		for p := range e.N() {
			best := 0.0 // the reference: effect 0
			for s := 1; s < len(m.Scenarios); s++ {
				best = min(best, dir.sign()*e.Effects[o][s][p].Mean)
			}
			for s := range m.Scenarios {
				v := 0.0
				if s > 0 {
					v = dir.sign() * e.Effects[o][s][p].Mean
				}
				regret[s][p] = v - best
			}
		}
		for s, sc := range m.Scenarios {
			r := Robustness{Output: mo.Name, Metric: mo.Metric, Policy: sc.Name, Versus: m.Scenarios[0].Name,
				Reference: s == 0, Direction: dir, Points: e.N(),
				Share: math.NaN(), ShareLo: math.NaN(), ShareHi: math.NaN(), Clear: math.NaN(), Against: math.NaN(),
				MeanRegret: math.NaN(), MaxRegret: math.NaN()}
			effects := make([]float64, e.N())
			if s > 0 {
				var better, clear, against int
				for p, iv := range e.Effects[o][s] {
					effects[p] = iv.Mean
					if dir.sign()*iv.Mean < 0 {
						better++
					}
					lo, hi := dir.sign()*iv.Lo, dir.sign()*iv.Hi
					if lo > hi {
						lo, hi = hi, lo
					}
					switch {
					case hi < 0: // NaN intervals (one replicate) are never clear
						clear++
					case lo > 0:
						against++
					}
				}
				n := float64(e.N())
				r.Share, r.Clear, r.Against = float64(better)/n, float64(clear)/n, float64(against)/n
				r.ShareLo, r.ShareHi = Wilson(better, e.N(), 0.95)
			}
			for _, q := range QuantileLevels {
				r.Quantiles = append(r.Quantiles, Quantile(q, effects))
			}
			if dir != None {
				r.MeanRegret, r.MaxRegret = stat.Mean(regret[s], nil), slices.Max(regret[s])
			}
			rows[s] = r
		}
		if dir != None {
			order := make([]int, len(rows))
			for i := range order {
				order[i] = i
			}
			sort.SliceStable(order, func(a, b int) bool {
				ra, rb := rows[order[a]], rows[order[b]]
				if ra.MaxRegret != rb.MaxRegret {
					return ra.MaxRegret < rb.MaxRegret
				}
				return ra.MeanRegret < rb.MeanRegret
			})
			for rank, i := range order {
				rows[i].Rank = rank + 1
			}
		}
		out = append(out, rows...)
	}
	return out
}
