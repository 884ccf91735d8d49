package sim_test

import (
	"fmt"

	"github.com/cartelsim/cartelsim/sim"
)

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

// Six replicates in three posterior draws of two: the draws, not the replicates, are the
// units of the interval (by hand: 11/3 -+ 4.3027 x sqrt(13/9), t with 2 degrees of freedom).
func ExampleDrawPairedDifference() {
	policy := []float64{11, 13, 15, 17, 12, 14}
	statusQuo := []float64{10, 10, 10, 10, 10, 10}
	d := sim.DrawPairedDifference(policy, statusQuo, 2, 0.95)
	fmt.Printf("%.3f [%.3f, %.3f]\n", d.Mean, d.Lo, d.Hi)
	// Output:
	// 3.667 [-1.504, 8.838]
}
