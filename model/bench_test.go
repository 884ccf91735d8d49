package model_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

const benchWeeks = 520 // the Mesa and deSolve comparisons time 520 weeks

// BenchmarkStochasticReplicate times one stochastic replicate of 520 weeks of the
// 150-group BACRIM world on one core.
func BenchmarkStochasticReplicate(b *testing.B) {
	w := newWorld(b, model.Stochastic, nil)
	r := w.NewReplicate()
	out := make([]float64, model.NumMetrics)
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
	w := newWorld(b, model.MeanField, nil)
	r := w.NewReplicate()
	out := make([]float64, model.NumMetrics)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(nil)
		for wk := 1; wk <= benchWeeks; wk++ {
			r.Step(wk, nil, out)
		}
	}
}

// drawTrace holds the parameters of every variate one stochastic replicate draws, in
// order.
type drawTrace struct {
	initial                []float64 // Poisson means of week 0
	exitN, exitH           []float64 // BinomialHazard(n, h)
	splitN, splitA, splitB []float64 // Split(n, a, b), the cause splits
	recruitLambda          []float64 // Poisson(lambda)
}

// recordDraws runs a replicate and, before each step, works out the variates it is
// about to draw (the hazards of DESIGN.md 3.1, as stepStochastic defines them), replaying
// the draws on a copy of the generator so that the recorded exit counts are the real ones.
func recordDraws(w *model.World, seed uint64) *drawTrace {
	tr := &drawTrace{initial: w.ExpectedInitialSizes()}
	rng := rand.New(rand.NewPCG(1, seed))
	r := w.NewReplicate()
	r.Reset(rng)
	exposure := make([]float64, w.Network().Len())
	out := make([]float64, model.NumMetrics)
	for wk := 1; wk <= benchWeeks; wk++ {
		p := w.ParamsAt(wk)
		s := w.Network().ConflictExposure(r.Sizes(), exposure)
		twin := *rng
		for i, x := range r.Sizes() {
			if x <= 0 {
				continue
			}
			arrest, death, sat := p.Incapacitation/s, p.ConflictLethality*exposure[i], p.Saturation*x
			h := arrest + death + sat
			tr.exitN, tr.exitH = append(tr.exitN, x), append(tr.exitH, h)
			if exits := model.BinomialHazard(&twin, x, h); exits > 0 {
				model.Split(&twin, exits, arrest/h, death/h)
				tr.splitN, tr.splitA, tr.splitB = append(tr.splitN, exits), append(tr.splitA, arrest/h), append(tr.splitB, death/h)
			}
			tr.recruitLambda = append(tr.recruitLambda, p.Recruitment*x)
			model.Poisson(&twin, p.Recruitment*x)
		}
		r.Step(wk, rng, out)
	}
	return tr
}

// BenchmarkRandomDrawsOnly draws exactly the variates of one replicate, from recorded
// parameters, with no model around them: the floor the stochastic step is measured
// against (DESIGN.md 6: within 2x of the cost of the random numbers it must draw).
func BenchmarkRandomDrawsOnly(b *testing.B) {
	tr := recordDraws(newWorld(b, model.Stochastic, nil), 0)
	sink := 0.0
	for i := 0; b.Loop(); i++ {
		rng := rand.New(rand.NewPCG(1, uint64(i)))
		for _, m := range tr.initial {
			sink += model.Poisson(rng, m)
		}
		for k := range tr.exitN {
			sink += model.BinomialHazard(rng, tr.exitN[k], tr.exitH[k])
		}
		for k := range tr.splitN {
			a, b := model.Split(rng, tr.splitN[k], tr.splitA[k], tr.splitB[k])
			sink += a + b
		}
		for _, l := range tr.recruitLambda {
			sink += model.Poisson(rng, l)
		}
	}
	if sink < 0 {
		b.Fatal("negative draws")
	}
	b.ReportMetric(float64(len(tr.initial)+len(tr.exitN)+len(tr.splitN)+len(tr.recruitLambda)), "variates/op")
}
