package calibrate_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/cartelsim/cartelsim/calibrate"
)

// Calibrating the mean of a normal model whose posterior is known: 25 observations with
// sd 5 have a mean of 10, so the mean's likelihood is normal with sd 5/sqrt(25) = 1, and
// under a flat prior on [0, 20] the posterior is normal with mean 10 and sd 1 (the prior's
// edges are ten sds away). The simulator draws the sample mean directly.
func Example() {
	model := calibrate.SimulatorFunc(func(_ context.Context, theta []float64, seed uint64, replicates int) ([][]float64, error) {
		rng := rand.New(rand.NewPCG(seed, 0))
		out := make([][]float64, replicates)
		for r := range out {
			out[r] = []float64{theta[0] + rng.NormFloat64()}
		}
		return out, nil
	})
	c := &calibrate.Config{
		Params:   []calibrate.Param{{Key: "mean", Lo: 0, Hi: 20}},
		Targets:  []calibrate.Target{{Name: "sample_mean", Year: 1, Observed: 10, SD: 1}},
		Distance: calibrate.SquaredZ, Particles: 500, Replicates: 1, Alpha: 0.5,
		FinalTolerance: 0.05, MaxGenerations: 20, MaxAttempts: 10000, Seed: 1,
	}
	dir, err := os.MkdirTemp("", "calibrate-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	res, err := calibrate.Run(context.Background(), c, model, calibrate.Options{OutDir: dir})
	if err != nil {
		panic(err)
	}
	mean, sd := res.Posterior()
	fmt.Println("stopped:", res.Stop)
	fmt.Println("mean within 0.2 of 10:", math.Abs(mean[0]-10) < 0.2)
	fmt.Println("sd within 15% of 1:", math.Abs(sd[0]-1) < 0.15)
	// Output:
	// stopped: final tolerance 0.05 reached
	// mean within 0.2 of 10: true
	// sd within 15% of 1: true
}
