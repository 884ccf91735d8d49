package sim

import (
	"context"
	"fmt"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

// BenchmarkRun times the whole Monte Carlo path, simulation plus in-order folding into
// the streaming statistics, for 520-week stochastic replicates of the BACRIM world.
// Compare ns/replicate across worker counts for parallel efficiency.
func BenchmarkRun(b *testing.B) {
	sc, err := LoadScenario("../scenarios/prieto-curiel-2023/baseline.yaml")
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
			for b.Loop() {
				ens := NewEnsemble(520, int(model.NumMetrics))
				job := Job{World: w, Weeks: 520, Replicates: replicates, Seed: 1, Workers: workers}
				if err := Run(context.Background(), job, ens); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*replicates), "ns/replicate")
		})
	}
}

// BenchmarkHistoryReplicate times one replicate of the kingpin and no-kingpin histories
// (734 weeks, 6 groups growing to about 200 under kingpin) through the runner on one
// worker, folding included.
func BenchmarkHistoryReplicate(b *testing.B) {
	for _, name := range []string{"2006-kingpin", "2006-no-kingpin"} {
		sc, err := LoadScenario("../scenarios/history/" + name + ".yaml")
		if err != nil {
			b.Fatal(err)
		}
		w, err := sc.NewWorld()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			const replicates = 16
			b.ReportAllocs()
			for b.Loop() {
				ens := NewEnsemble(sc.Clock.Weeks, int(model.NumMetrics))
				job := Job{World: w, Weeks: sc.Clock.Weeks, Replicates: replicates, Seed: sc.Seed, Workers: 1}
				if err := Run(context.Background(), job, ens); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*replicates), "ns/replicate")
		})
	}
}
