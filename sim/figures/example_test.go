package figures_test

import (
	"os"

	"github.com/cartelsim/cartelsim/sim/figures"
)

// A manifest is written with the keys of each entry in their documented order, and
// without the empty ones.
func ExampleFigureManifest_Encode() {
	m := &figures.FigureManifest{Figures: []figures.FigureEntry{{
		Name: "homicides", Scenario: "scenarios/history/2006-kingpin.yaml", Seed: 1, Replicates: 100,
		Mode: "stochastic", Output: "out/kingpin/plots/homicides.png", SHA256: "00",
	}}}
	if err := m.Encode(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// {
	//   "figures": [
	//     {
	//       "name": "homicides",
	//       "scenario": "scenarios/history/2006-kingpin.yaml",
	//       "seed": 1,
	//       "replicates": 100,
	//       "mode": "stochastic",
	//       "output": "out/kingpin/plots/homicides.png",
	//       "sha256": "00"
	//     }
	//   ]
	// }
}
