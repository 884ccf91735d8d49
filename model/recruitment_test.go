package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// poolWorld is the line geography (6 million people) with x (home A) at 3,000 members, y
// (home M) at 1,000 and z (home B) at 500, nobody spreading, on a territory without an
// economy (so no revenue factor), and no losses: every change is a recruit.
func poolWorld(t *testing.T, rho, pool float64, ivs ...Intervention) *World {
	t.Helper()
	net, err := NewNetwork([]Group{{ID: "x", State: "A"}, {ID: "y", State: "M"}, {ID: "z", State: "B"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Recruitment, p.PoolRecruitment = rho, pool
	p.Incapacitation, p.ConflictLethality, p.Saturation = 0, 0, 0
	terr := DefaultTerritory()
	terr.MembersPerState = 1e9
	w, err := NewWorld(Config{Network: net, Params: p, InitialSizes: []float64{3000, 1000, 500},
		Territory: &terr, Geography: lineGeography(t), Interventions: ivs})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Pool recruitment checked by hand: 10 recruits per 100,000 people a week among the line
// geography's 6 million people are 600 a week, shared by size (3,000 : 1,000 : 500), on
// top of rho's. Each group's recruits in one week are Poisson, so over n independent
// one-week replicates their mean is within 4 sd (sqrt(mean/n)) of the hand figure.
func TestPoolRecruitmentByHand(t *testing.T) {
	const n = 4000
	for _, c := range []struct {
		name      string
		rho, pool float64
		intensity float64 // of a recruitment reduction over the week, 0 for none
		want      [3]float64
	}{
		// rho alone: 0.002 x (3000, 1000, 500).
		{"rho only", 0.002, 0, 0, [3]float64{6, 2, 1}},
		// The pool alone: 600 x (3000, 1000, 500) / 4500.
		{"pool only", 0, 10, 0, [3]float64{400, 400.0 / 3, 200.0 / 3}},
		// Both add.
		{"both", 0.002, 10, 0, [3]float64{406, 2 + 400.0/3, 1 + 200.0/3}},
		// A reduction of 0.25 prevents a quarter of both.
		{"both, a quarter prevented", 0.002, 10, 0.25, [3]float64{304.5, 0.75 * (2 + 400.0/3), 0.75 * (1 + 200.0/3)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ivs []Intervention
			if c.intensity > 0 {
				ivs = append(ivs, Intervention{Kind: RecruitmentReduction, Actor: Mexico, From: 0, To: 1, Intensity: c.intensity})
			}
			w := poolWorld(t, c.rho, c.pool, ivs...)
			r := w.NewReplicate()
			slots := [3]int{}
			var sum [3]float64
			out := make([]float64, NumMetrics)
			for k := range n {
				rng := rand.New(rand.NewPCG(uint64(k), 7))
				r.Reset(rng)
				for g, id := range []string{"x", "y", "z"} {
					slots[g] = slotOf(t, r, id)
				}
				before := [3]float64{}
				for g, s := range slots {
					before[g] = r.c[s]
				}
				r.Step(1, rng, out)
				for g, s := range slots {
					sum[g] += r.c[s] - before[g]
				}
			}
			for g := range sum {
				mean, want := sum[g]/n, c.want[g]
				if sd := math.Sqrt(want / n); math.Abs(mean-want) > 4*sd {
					t.Errorf("group %d: %v recruits a week on average, want %v (sd of the mean %.3g)", g, mean, want, sd)
				}
			}
		})
	}
}

// The pool is the population's: it follows the calendar when the world has one. With the
// population doubling between the start and day 70 (week 11 starts on it), the pool's
// recruits double from week 1 to week 11, and at week 6 (day 35, halfway) they are sqrt(2)
// times week 1's (geometric interpolation).
func TestPoolRecruitmentFollowsPopulation(t *testing.T) {
	w := poolWorld(t, 0, 10)
	r := w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(1, 2)))
	w.cfg.Population = &Population{Start: 0, Counts: []PopulationCount{{Day: 0, Ratio: 1}, {Day: 70, Ratio: 2}}}
	for _, c := range []struct {
		week   int
		factor float64
	}{{1, 1}, {6, math.Sqrt2}, {11, 2}} {
		r.week = c.week
		want := c.factor * 600 / 4500 // 10 per 100,000 of 6 million, over 4,500 members
		if got := r.recruitmentRate(w.cfg.Params, 4500); math.Abs(got-want) > 1e-12 {
			t.Errorf("week %d: rate %v, want %v", c.week, got, want)
		}
	}
}

// Without a geography there is no population to recruit from: refused, not ignored.
func TestPoolRecruitmentNeedsGeography(t *testing.T) {
	p := DefaultParams()
	p.PoolRecruitment = 0.1
	net, err := NewNetwork([]Group{{ID: "x"}, {ID: "y"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewWorld(Config{Network: net, Params: p, InitialMembers: 1000})
	if err == nil || !strings.Contains(err.Error(), "pool recruitment needs a geography") {
		t.Errorf("got %v, want the pool recruitment refused", err)
	}
}

// Replacement checked against the members each group loses: a group's recruits in a
// week are Poisson(replacement x its members arrested or killed that week) when rho and
// the pool are 0, so that summed over n independent one-week replicates the recruits
// differ from replacement x the losses by a sum of centred Poisson draws, whose sd is
// sqrt(replacement x the losses): within 4 of it. Members also die in conflict and leave
// to saturation, so that a replacement of the killed left out, or of the saturation's
// exits put in, would miss by many sd. A recruitment reduction of a quarter prevents a
// quarter of the replacements too.
func TestReplacementByHand(t *testing.T) {
	const n = 3000
	for _, c := range []struct {
		name                       string
		replacement, intensity, kw float64
	}{
		{"none", 0, 0, 0},
		{"half", 0.5, 0, 0.5},
		{"all", 1, 0, 1},
		{"all, a quarter prevented", 1, 0.25, 0.75},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ivs []Intervention
			if c.intensity > 0 {
				ivs = append(ivs, Intervention{Kind: RecruitmentReduction, Actor: Mexico, From: 0, To: 1, Intensity: c.intensity})
			}
			w := poolWorld(t, 0, 0, ivs...)
			w.cfg.Params.Incapacitation = 450 // a tenth of the 4,500 members a week
			w.cfg.Params.ConflictLethality = 2e-5
			w.cfg.Params.Saturation = 1e-5
			w.cfg.Params.Replacement = c.replacement
			f := oneWeekSums(w, n, 11, nil)
			recruits, lost, killed, saturated := f.recruits, f.lost, f.killed, f.saturated
			// About 450 arrests a week, and enough killed and saturated that leaving either
			// out, or in, moves the sum by far more than its sd.
			if lost < 400*n || killed < 10*n || saturated < 10*n {
				t.Fatalf("%v members lost (%v killed) and %v saturated in %d weeks: too few to test", lost, killed, saturated, n)
			}
			want := c.kw * lost
			if d := recruits - want; math.Abs(d) > 4*math.Sqrt(want) || (want == 0 && recruits != 0) {
				t.Errorf("%v recruits for %v members lost, want %v (sd %.3g)", recruits, lost, want, math.Sqrt(want))
			}
		})
	}
}

// In the mean field, replacing every member arrested or killed, with no other
// recruitment and no saturation, holds every group's size where it starts, and the
// week's recruits are its arrests and deaths: a second, closed-form check of the
// derivative's terms.
func TestReplacementHoldsMeanField(t *testing.T) {
	p := DefaultParams()
	p.Recruitment, p.Saturation, p.Replacement = 0, 0, 1
	r, rng, out := meanFieldTriple(t, p)
	for wk := 1; wk <= 520; wk++ {
		r.Step(wk, rng, out)
		if got, want := out[Recruits], out[Incapacitated]+out[Deaths]; math.Abs(got-want) > 1e-9*want {
			t.Fatalf("week %d: %v recruits, want the %v arrested or killed", wk, got, want)
		}
	}
	if out[Deaths] <= 0 {
		t.Fatal("no deaths: the check replaces nothing")
	}
	for i, x := range tripleSizes {
		if got := r.c[slotOf(t, r, string(rune('a'+i)))]; math.Abs(got-x) > 1e-9*x {
			t.Errorf("group %c: %v members after ten years, want the %v it started with", 'a'+i, got, x)
		}
	}
}

// In the mean field at replacement 0.5, with saturation, the week's recruits are half its
// arrests and deaths, and the members' change is exactly the recruits less every loss:
// flows and sizes are integrated alike, so a loss term scaled twice by (1 - r), or
// saturation scaled with the others, breaks one equality or the other.
func TestReplacementHalfMeanField(t *testing.T) {
	p := DefaultParams()
	p.Recruitment, p.Replacement = 0, 0.5
	r, rng, out := meanFieldTriple(t, p)
	before := floats.Sum(tripleSizes) // the three groups' members at the start
	for wk := 1; wk <= 104; wk++ {
		r.Step(wk, rng, out)
		if got, want := out[Recruits], 0.5*(out[Incapacitated]+out[Deaths]); math.Abs(got-want) > 1e-9*want {
			t.Fatalf("week %d: %v recruits, want half the %v arrested or killed", wk, got, 2*want)
		}
		change := out[Recruits] - out[Incapacitated] - out[Deaths] - out[SaturationExits]
		if got := out[Members] - before; math.Abs(got-change) > 1e-6*math.Abs(change) {
			t.Fatalf("week %d: members changed by %v, want the flows' %v", wk, got, change)
		}
		before = out[Members]
	}
	if out[SaturationExits] <= 0 || out[Deaths] <= 0 {
		t.Fatal("no saturation or no deaths: the check tests nothing")
	}
}

// weekFlows are flows summed over replicates: lost counts the arrested and the killed,
// the members replacement replaces.
type weekFlows struct{ recruits, lost, killed, saturated float64 }

// oneWeekSums runs n independent one-week replicates of w, the k-th on the stream
// (k, seed) and set up by prepare (if not nil) after its Reset, and sums their flows.
func oneWeekSums(w *World, n int, seed uint64, prepare func(*Replicate)) weekFlows {
	r := w.NewReplicate()
	out := make([]float64, NumMetrics)
	var f weekFlows
	for k := range n {
		rng := rand.New(rand.NewPCG(uint64(k), seed))
		r.Reset(rng)
		if prepare != nil {
			prepare(r)
		}
		r.Step(1, rng, out)
		f.recruits += out[Recruits]
		f.lost += out[Incapacitated] + out[Deaths]
		f.killed += out[Deaths]
		f.saturated += out[SaturationExits]
	}
	return f
}

// tripleSizes are meanFieldTriple's groups' sizes at the start.
var tripleSizes = []float64{60000, 40000, 15000}

// meanFieldTriple is a replicate, reset, of a mean-field world of three groups (a and b
// rivals of weight 2, c apart) at tripleSizes, with its random numbers and a metrics row.
func meanFieldTriple(t *testing.T, p Params) (*Replicate, *rand.Rand, []float64) {
	t.Helper()
	net, err := NewNetwork([]Group{{ID: "a"}, {ID: "b"}, {ID: "c"}}, []Edge{{"a", "b", 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorld(Config{Network: net, Params: p, InitialSizes: tripleSizes, Mode: MeanField})
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(1, 2))
	r.Reset(rng)
	return r, rng, make([]float64, NumMetrics)
}

// Under an economy each group's recruitment from rho and the pool is scaled by its revenue
// factor, and the replacement of its losses is not (Params.Replacement, economy.go). With
// factors 1.5, 0.5 and 0 on the pool world's groups (rho 0.002, 10 per 100,000 people a
// week, replacement 0.5; eta 450, which with the conflict deaths draws about 420 arrests
// and 100 deaths a week), a week's expected recruits are
// 1.5 x (6 + 400) + 0.5 x (2 + 400/3) + 0 x (1 + 200/3) = 676.67 plus half the members
// arrested or killed. (Reset draws the sizes around 3,000, 1,000 and 500; a group's share
// of the pool is then unbiased, so the figure holds in expectation.) Summed over n
// one-week replicates, the recruits less half the losses differ from n x 676.67 by a sum
// of centred draws, of sd about sqrt(n x 676.67 + half the losses): within 4 sd. Scaling the
// replacements by the factors too adds about 19 a week (x, at 1.5, loses most), 34 sd
// over n weeks; ignoring the factors removes 68 a week (both checked).
func TestRevenueFactorScalesRecruitmentNotReplacement(t *testing.T) {
	const n = 3000
	w := poolWorld(t, 0.002, 10)
	w.cfg.Params.Incapacitation = 450
	w.cfg.Params.ConflictLethality = 2e-5
	w.cfg.Params.Replacement = 0.5
	factors := map[string]float64{"x": 1.5, "y": 0.5, "z": 0}
	f := oneWeekSums(w, n, 13, func(r *Replicate) {
		for id, x := range factors {
			r.factor[slotOf(t, r, id)] = x
		}
	})
	recruits, lost := f.recruits, f.lost
	if lost < 400*n {
		t.Fatalf("%v members lost in %d weeks: too few to test", lost, n)
	}
	want := 1.5*(6+400) + 0.5*(2+400.0/3)
	mean := n*want + 0.5*lost
	if d := recruits - mean; math.Abs(d) > 4*math.Sqrt(mean) {
		t.Errorf("%v recruits, want %v (sd %.3g): %.3g a week off", recruits, mean, math.Sqrt(mean), d/n)
	}
}
