package robust_test

import (
	"fmt"

	"github.com/cartelsim/cartelsim/robust"
)

// PRIM over a 5 x 5 grid of two factors where the condition holds when the first is
// at least 3 and the second at most 1: the box it finds, as it reads.
func ExamplePRIM() {
	var x [][]float64
	var y []bool
	for a := range 5 {
		for b := range 5 {
			x = append(x, []float64{float64(a), float64(b)})
			y = append(y, a >= 3 && b <= 1)
		}
	}
	res, err := robust.PRIM(x, y, robust.PRIMOptions{MinCoverage: 0.9})
	if err != nil {
		fmt.Println(err)
		return
	}
	b := res.Chosen
	fmt.Println(robust.Describe(robust.Bounds(b, x, nil), []string{"rebuild", "intensity"}))
	fmt.Printf("coverage %.2f, density %.2f, mass %.2f\n", b.Coverage, b.Density, b.Mass)
	// Output:
	// rebuild > 2.5 and intensity < 1.5
	// coverage 1.00, density 1.00, mass 0.16
}

// The share of futures in which a policy beats the status quo, with its Wilson interval.
func ExampleWilson() {
	lo, hi := robust.Wilson(17, 25, 0.95)
	fmt.Printf("17 of 25: %.2f [%.2f, %.2f]\n", 17.0/25, lo, hi)
	// Output:
	// 17 of 25: 0.68 [0.48, 0.83]
}
