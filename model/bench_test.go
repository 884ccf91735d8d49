package model_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/mexico"
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
// about to draw (the hazards of the Prieto-Curiel et al. 2023 model, as stepStochastic defines them), replaying
// the draws on a copy of the generator so that the recorded exit counts are the real ones.
func recordDraws(w *model.World, seed uint64) *drawTrace {
	tr := &drawTrace{initial: w.ExpectedInitialSizes()}
	rng := rand.New(rand.NewPCG(1, seed))
	r := w.NewReplicate()
	r.Reset(rng)
	exposure := make([]float64, len(r.Sizes()))
	out := make([]float64, model.NumMetrics)
	for wk := 1; wk <= benchWeeks; wk++ {
		p := w.ParamsAt(wk)
		s := r.ConflictExposure(exposure)
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
// against (the project's target: within 2x of the cost of the random numbers it must draw).
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

// scaledWorld is a synthetic world of n groups with the shape of the BACRIM data: Zipf
// sizes averaging 770 members (115,000 over 150 groups), about 0.85 rivalries and 0.87
// alliances per group (127 and 130 edges over 150 groups), weights 1-3, group dynamics on
// and a kingpin campaign of 18 removals a year on the 40 largest (the 2013-2018 pace).
func scaledWorld(b testing.TB, n int) *model.World {
	rng := rand.New(rand.NewPCG(uint64(n), 0))
	groups := make([]model.Group, n)
	for i := range groups {
		groups[i] = model.Group{ID: fmt.Sprint(i)}
	}
	edges := func(count int) []model.Edge {
		var e []model.Edge
		for range count {
			a, c := rng.IntN(n), rng.IntN(n)
			if a != c {
				e = append(e, model.Edge{From: groups[a].ID, To: groups[c].ID, Weight: float64(1 + rng.IntN(3))})
			}
		}
		return e
	}
	net, err := model.NewNetwork(groups, edges(n*127/150), edges(n*130/150))
	if err != nil {
		b.Fatal(err)
	}
	frag := model.DefaultFragmentation()
	campaign := model.Intervention{Kind: model.Decapitation, To: model.Forever, Intensity: 18, Actor: model.Mexico,
		Targets: model.Targets{Largest: 40}}
	w, err := model.NewWorld(model.Config{Network: net, Params: model.DefaultParams(), InitialMembers: 770 * float64(n),
		Fragmentation: &frag, Interventions: []model.Intervention{campaign}})
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkDynamicReplicate times a 520-week replicate with splits, births and a kingpin
// campaign as the number of groups grows; ns/group-week shows whether the cost per group
// stays flat (the kernel is O(groups + edges)).
func BenchmarkDynamicReplicate(b *testing.B) {
	for _, n := range []int{50, 100, 200, 400, 800} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			w := scaledWorld(b, n)
			r := w.NewReplicate()
			out := make([]float64, model.NumMetrics)
			groupWeeks := 0.0
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				rng := rand.New(rand.NewPCG(1, uint64(i)))
				r.Reset(rng)
				for wk := 1; wk <= benchWeeks; wk++ {
					r.Step(wk, rng, out)
					groupWeeks += out[model.Groups]
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/groupWeeks, "ns/group-week")
		})
	}
}

// BenchmarkConflictExposure times the conflict kernel, (K c)_i for every group, on the
// 150-group BACRIM world placed on Mexico's states (an economy, so that groups hold
// territory), after five years in which they spread, and reports its cost per
// group-week. It uses only ConflictExposure, so it runs unchanged on earlier commits for
// benchstat.
func BenchmarkConflictExposure(b *testing.B) {
	geo, err := mexico.Load()
	if err != nil {
		b.Fatal(err)
	}
	econ := model.DefaultEconomy()
	w, err := model.NewWorld(model.Config{
		Network: bacrimNetwork(b), Params: model.DefaultParams(),
		InitialMembers: model.DefaultInitialMembers, Economy: &econ, Geography: geo,
	})
	if err != nil {
		b.Fatal(err)
	}
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(1, 2))
	r.Reset(rng)
	out := make([]float64, model.NumMetrics)
	for wk := 1; wk <= 260; wk++ {
		r.Step(wk, rng, out)
	}
	exposure := make([]float64, len(r.Sizes()))
	b.ReportAllocs()
	for b.Loop() {
		r.ConflictExposure(exposure)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(exposure)), "ns/group-week")
}
