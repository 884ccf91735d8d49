package model

import (
	"math/rand/v2"
	"testing"
)

// benchWorld builds the 150-group BACRIM world without importing model/bacrim (which
// imports this package): a Zipf-ranked network with the same size and a comparable
// number of rivalries, enough to time the step.
func benchWorld(b *testing.B, mode Mode) *World {
	b.Helper()
	const n = 150
	groups := make([]Group, n)
	for i := range groups {
		groups[i] = Group{ID: string(rune('A'+i/26)) + string(rune('a'+i%26))}
	}
	var rivals, allies []Edge
	rng := rand.New(rand.NewPCG(5, 5))
	for range 92 { // 184 directed off-diagonal entries, as in BACRIM 2020
		a, c := rng.IntN(n/3), rng.IntN(n)
		rivals = append(rivals, Edge{groups[a].ID, groups[c].ID, float64(1 + rng.IntN(5))})
	}
	for range 65 {
		a, c := rng.IntN(n/3), rng.IntN(n)
		allies = append(allies, Edge{groups[a].ID, groups[c].ID, float64(1 + rng.IntN(5))})
	}
	net, err := NewNetwork(groups, rivals, allies)
	if err != nil {
		b.Fatal(err)
	}
	w, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialMembers: DefaultInitialMembers, Mode: mode})
	if err != nil {
		b.Fatal(err)
	}
	return w
}

const benchWeeks = 520 // the Mesa and deSolve comparisons time 520 weeks

// BenchmarkStochasticReplicate times one stochastic replicate of 520 weeks on one core.
func BenchmarkStochasticReplicate(b *testing.B) {
	w := benchWorld(b, Stochastic)
	r := w.NewReplicate()
	out := make([]float64, NumMetrics)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rng := rand.New(rand.NewPCG(1, uint64(i)))
		r.Reset(rng)
		for wk := 1; wk <= benchWeeks; wk++ {
			r.Step(wk, rng, out)
		}
	}
}

// BenchmarkMeanFieldRun times one mean-field integration of 520 weeks.
func BenchmarkMeanFieldRun(b *testing.B) {
	w := benchWorld(b, MeanField)
	r := w.NewReplicate()
	out := make([]float64, NumMetrics)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(nil)
		for wk := 1; wk <= benchWeeks; wk++ {
			r.Step(wk, nil, out)
		}
	}
}

// drawTrace records the parameters of every variate one stochastic replicate draws, in
// order, by redoing the step's arithmetic beside it.
type drawTrace struct {
	initial          []float64 // Poisson means of week 0
	exitN, exitH     []float64 // BinomialHazard(n, h)
	splitN           []float64 // Split(n, a, b), the cause splits
	splitA, splitB   []float64
	recruitLambda    []float64 // Poisson(lambda)
	splitPerCartel   []int
	recruitPerCartel []int
}

func recordDraws(w *World, seed uint64) *drawTrace {
	tr := &drawTrace{initial: w.ExpectedInitialSizes()}
	rng := rand.New(rand.NewPCG(1, seed))
	r := w.NewReplicate()
	r.Reset(rng)
	p := w.Params()
	for wk := 1; wk <= benchWeeks; wk++ {
		c := r.c
		s := w.cfg.Network.ConflictExposure(c, r.exposure)
		// Replay the step with a twin generator so that the recorded exits are the ones
		// drawn, then let the real step advance the state identically.
		twin := *rng
		for i, x := range c {
			if x <= 0 {
				continue
			}
			arrest, death, sat := p.Incapacitation/s, p.ConflictLethality*r.exposure[i], p.Saturation*x
			h := arrest + death + sat
			tr.exitN, tr.exitH = append(tr.exitN, x), append(tr.exitH, h)
			exits := BinomialHazard(&twin, x, h)
			if exits > 0 {
				Split(&twin, exits, arrest/h, death/h)
				tr.splitN, tr.splitA, tr.splitB = append(tr.splitN, exits), append(tr.splitA, arrest/h), append(tr.splitB, death/h)
			}
			tr.recruitLambda = append(tr.recruitLambda, p.Recruitment*x)
			Poisson(&twin, p.Recruitment*x)
		}
		out := make([]float64, NumMetrics)
		r.Step(wk, rng, out)
	}
	return tr
}

// BenchmarkRandomDrawsOnly draws exactly the variates of one replicate, from recorded
// parameters, with no model around them: the floor the stochastic step is measured
// against (DESIGN.md 6: within 2x of the cost of the random numbers it must draw).
func BenchmarkRandomDrawsOnly(b *testing.B) {
	tr := recordDraws(benchWorld(b, Stochastic), 0)
	sink := 0.0
	for i := 0; b.Loop(); i++ {
		rng := rand.New(rand.NewPCG(1, uint64(i)))
		for _, m := range tr.initial {
			sink += Poisson(rng, m)
		}
		for k := range tr.exitN {
			sink += BinomialHazard(rng, tr.exitN[k], tr.exitH[k])
		}
		for k := range tr.splitN {
			a, b := Split(rng, tr.splitN[k], tr.splitA[k], tr.splitB[k])
			sink += a + b
		}
		for _, l := range tr.recruitLambda {
			sink += Poisson(rng, l)
		}
	}
	if sink < 0 {
		b.Fatal("negative draws")
	}
	b.ReportMetric(float64(len(tr.initial)+len(tr.exitN)+len(tr.splitN)+len(tr.recruitLambda)), "variates/op")
}
