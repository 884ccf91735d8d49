package sim_test

import (
	"context"
	"fmt"

	"github.com/cartelsim/cartelsim/sim/scenario"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
)

// Run folds every replicate, in replicate order, into an Ensemble of streaming
// statistics; the worker count does not change the result.
func ExampleRun() {
	sc, err := scenario.ParseScenario("demo.yaml", []byte("start: 2012-01-01\nweeks: 52\nseed: 7\n"))
	if err != nil {
		panic(err)
	}
	world, err := sc.NewWorld()
	if err != nil {
		panic(err)
	}
	for _, workers := range []int{1, 2} {
		ens := sim.NewEnsemble(52, int(model.NumMetrics))
		job := sim.Job{World: world, Weeks: 52, Replicates: 20, Seed: sc.Seed, Workers: workers}
		if err := sim.Run(context.Background(), job, ens); err != nil {
			panic(err)
		}
		s := ens.Summary(52, int(model.Groups))
		fmt.Printf("%d workers: %d replicates, median groups alive %v\n", workers, s.N, s.Q[2])
	}
	// Output:
	// 1 workers: 20 replicates, median groups alive 150
	// 2 workers: 20 replicates, median groups alive 150
}

// A paired difference with its 95% interval: replicate r of two scenarios shares its
// random stream, so their difference is read pair by pair. By hand: differences 650, 750,
// 580, 720, 700 have mean 680 and standard deviation sqrt(17800/4) = 66.71; with
// t(0.975, 4) = 2.776 the half-width is 2.776 x 66.71/sqrt(5) = 82.8.
func ExamplePairedDifference() {
	kingpin := []float64{3100, 3350, 2980, 3420, 3200}
	statusQuo := []float64{2450, 2600, 2400, 2700, 2500}
	d := sim.PairedDifference(kingpin, statusQuo, 0.95)
	fmt.Printf("%+.0f [%+.0f, %+.0f]\n", d.Mean, d.Lo, d.Hi)
	// Output:
	// +680 [+597, +763]
}
