package mexico_test

import (
	"fmt"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/mexico"
)

// Routes from Sinaloa to the US: one border state away, so only the border seizes; with
// Sonora and Chihuahua made costly by interdiction, shipments divert around them.
func ExampleLoad() {
	g, err := mexico.Load()
	if err != nil {
		panic(err)
	}
	n := g.Len()
	cost, seize := make([]float64, n), make([]float64, n)
	for i := range cost {
		cost[i] = 1
	}
	var r model.Routes
	router := g.NewRouter()
	sin, _ := g.Lookup("Sinaloa")
	router.Route(cost, seize, 0.1, &r)
	fmt.Printf("%d states; Sinaloa ships through %s, %.2f reaches the US\n", n, g.States[r.Next[sin]].Name, r.Pass[sin])
	for _, code := range []string{"SON", "CHH"} {
		i, _ := g.Lookup(code)
		cost[i], seize[i] = 20, 0.5
	}
	router.Route(cost, seize, 0.1, &r)
	fmt.Printf("with interdiction in Sonora and Chihuahua: through %s, %.2f reaches the US\n", g.States[r.Next[sin]].Name, r.Pass[sin])
	// Output:
	// 32 states; Sinaloa ships through Chihuahua, 0.90 reaches the US
	// with interdiction in Sonora and Chihuahua: through Durango, 0.90 reaches the US
}
