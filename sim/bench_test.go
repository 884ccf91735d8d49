package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// BenchmarkRun times the whole Monte Carlo path, simulation plus the workers' folding into
// the streaming statistics, for 520-week stochastic replicates of the BACRIM world.
// Compare ns/replicate across worker counts for parallel efficiency; cpu-ns/replicate
// (the process's CPU time, unix only) shows the work a worker count adds, which a
// shared, busy machine blurs less than wall time.
func BenchmarkRun(b *testing.B) {
	sc, err := scenario.LoadScenario("../scenarios/prieto-curiel-2023/baseline.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc.Mode = model.Stochastic
	w, err := sc.NewWorld()
	if err != nil {
		b.Fatal(err)
	}
	const replicates = 64
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				job := ensemble.Job{World: w, Weeks: 520, Replicates: replicates, Seed: 1, Workers: workers, Ensemble: ensemble.NewWorldEnsemble(w, 520)}
				if err := ensemble.Run(context.Background(), job); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*replicates), "ns/replicate")
			reportCPU(b, cpu, replicates)
		})
	}
}

// BenchmarkHistoryReplicate times one replicate of the kingpin and no-kingpin histories
// (734 weeks, 6 groups growing to about 200 under kingpin) and of the calibrated history
// on the states (944 weeks, 6 groups growing to about 270, alliances forming and
// breaking) through the runner on one worker, folding included.
func BenchmarkHistoryReplicate(b *testing.B) {
	for _, name := range []string{"2006-kingpin", "2006-no-kingpin", "mexico-2006"} {
		benchScenarioReplicate(b, name, "../scenarios/history/"+name+".yaml", nil)
	}
}

// BenchmarkLabsReplicate times one replicate of the 2025 scenarios (678 weeks of warm-up
// from 2012, then 469 weeks, 150 groups on 32 states with about 1,200 labs), and of the
// baseline with the economy switched off, which isolates the economy's cost.
func BenchmarkLabsReplicate(b *testing.B) {
	for _, name := range []string{"labs/baseline-2025", "labs/airstrikes-2026", "demand/demand-reduction-2026"} {
		benchScenarioReplicate(b, name, "../scenarios/"+name+".yaml", nil)
	}
	benchScenarioReplicate(b, "labs/baseline-2025-no-economy", "../scenarios/labs/baseline-2025.yaml", func(c *model.Config) { c.Economy = nil })
}

// BenchmarkPolicyReplicate times one replicate of the policy library (the 2025 world with
// group dynamics, warm-up included), of the status quo without its policy section, which
// isolates the policy's cost, and of the busiest scenarios: unilateral airstrikes, shock
// and awe then a ceasefire, and the cooperation package (precursors and anti-corruption
// change the routes' costs every week).
func BenchmarkPolicyReplicate(b *testing.B) {
	for _, name := range []string{"status-quo", "airstrikes-unilateral", "shock-and-awe-enforced", "cooperation-package"} {
		benchScenarioReplicate(b, "policy/"+name, "../scenarios/policy/"+name+".yaml", nil)
	}
	benchScenarioReplicate(b, "policy/status-quo-no-policy", "../scenarios/policy/status-quo.yaml", func(c *model.Config) { c.Policy = nil })
}

func benchScenarioReplicate(b *testing.B, name, path string, change func(*model.Config)) {
	sc, err := scenario.LoadScenario(path)
	if err != nil {
		b.Fatal(err)
	}
	cfg := sc.Config()
	if change != nil {
		change(&cfg)
	}
	w, err := model.NewWorld(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(name, func(b *testing.B) {
		const replicates = 16
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			job := ensemble.Job{World: w, Weeks: sc.Clock.Weeks, Replicates: replicates, Seed: sc.Seed, Workers: 1, Ensemble: ensemble.NewWorldEnsemble(w, sc.Clock.Weeks)}
			if err := ensemble.Run(context.Background(), job); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*replicates), "ns/replicate")
		reportCPU(b, cpu, replicates)
	})
}

// BenchmarkPolicyComparison times a 4-scenario comparison of the policy library (the
// status quo, kingpin, demand reduction and anti-recruitment, which share 678 weeks of
// warm-up and 52 weeks of 2025) per replicate of all four, folding included, on one
// worker: each scenario run on its own ("full"), and the four run together from their
// shared past (RunBranched, as compare runs them).
func BenchmarkPolicyComparison(b *testing.B) {
	var worlds []*model.World
	var sc *scenario.Scenario
	for _, name := range []string{"status-quo", "kingpin", "demand-reduction", "anti-recruitment"} {
		var err error
		if sc, err = scenario.LoadScenario("../scenarios/policy/" + name + ".yaml"); err != nil {
			b.Fatal(err)
		}
		w, err := sc.NewWorld()
		if err != nil {
			b.Fatal(err)
		}
		worlds = append(worlds, w)
	}
	const replicates = 4
	weeks := sc.Clock.Weeks
	ensembles := func() []*ensemble.Ensemble { // folded as runs fold them
		es := make([]*ensemble.Ensemble, len(worlds))
		for k, w := range worlds {
			es[k] = ensemble.NewWorldEnsemble(w, weeks)
		}
		return es
	}
	b.Run("mode=full", func(b *testing.B) {
		for b.Loop() {
			for k, e := range ensembles() {
				job := ensemble.Job{World: worlds[k], Weeks: weeks, Replicates: replicates, Seed: sc.Seed, Workers: 1, Ensemble: e}
				if err := ensemble.Run(context.Background(), job); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*replicates), "ns/replicate")
	})
	b.Run("mode=branched", func(b *testing.B) {
		for b.Loop() {
			job := ensemble.Branched{Worlds: worlds, Weeks: weeks, Replicates: replicates, Seed: sc.Seed, Workers: 1, Ensembles: ensembles()}
			if err := ensemble.RunBranched(context.Background(), job, make([][]ensemble.Folder, len(worlds))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*replicates), "ns/replicate")
	})
}

// reportCPU reports the process's CPU time since start per replicate, where measured.
func reportCPU(b *testing.B, start int64, replicates int) {
	if start > 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N*replicates), "cpu-ns/replicate")
	}
}

// BenchmarkHistoryExposure times the conflict kernel, (K c)_i for every group, on the
// calibrated history's world at its end (944 weeks, about 280 slots, groups with dozens of
// rivals spread over several states each), per call and per slot.
func BenchmarkHistoryExposure(b *testing.B) {
	sc, err := scenario.LoadScenario("../scenarios/history/mexico-2006.yaml")
	if err != nil {
		b.Fatal(err)
	}
	w, err := model.NewWorld(sc.Config())
	if err != nil {
		b.Fatal(err)
	}
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(1, 2))
	r.Reset(rng)
	out := make([]float64, model.NumMetrics)
	for wk := 1; wk <= sc.Clock.Weeks; wk++ {
		r.Step(wk, rng, out)
	}
	exposure := make([]float64, len(r.Sizes()))
	b.ReportAllocs()
	for b.Loop() {
		r.ConflictExposure(exposure)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(exposure)), "ns/slot-week")
}
