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
