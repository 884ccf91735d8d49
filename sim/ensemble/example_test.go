package ensemble_test

import (
	"context"
	"fmt"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
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
		ens := ensemble.NewEnsemble(52, int(model.NumMetrics))
		job := ensemble.Job{World: world, Weeks: 52, Replicates: 20, Seed: sc.Seed, Workers: workers}
		if err := ensemble.Run(context.Background(), job, ens); err != nil {
			panic(err)
		}
		s := ens.Summary(52, int(model.Groups))
		fmt.Printf("%d workers: %d replicates, median groups alive %v\n", workers, s.N, s.Q[2])
	}
	// Output:
	// 1 workers: 20 replicates, median groups alive 150
	// 2 workers: 20 replicates, median groups alive 150
}
