package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/mexico"
)

// gonumRoutes is the second method for Router.Route: the state graph plus the US (node
// n) as a gonum weighted graph, an edge u-v weighing (cost[u] + cost[v])/2 and a border
// crossing (cost[b] + 1)/2, least costs from gonum's path.DijkstraFrom, each state's next
// step its first neighbour in index order (the US last) through which the path is
// cheapest, and the share that gets through multiplied along that path.
func gonumRoutes(g *model.Geography, cost, seize []float64, borderSeize float64) model.Routes {
	n := g.Len()
	gg := simple.NewWeightedUndirectedGraph(0, math.Inf(1))
	for v := range n + 1 {
		gg.AddNode(simple.Node(v))
	}
	weight := func(s, u int) float64 {
		if u == n {
			return (cost[s] + 1) / 2
		}
		return (cost[s] + cost[u]) / 2
	}
	for a := range n {
		for b := a + 1; b < n; b++ {
			if g.Adjacent(a, b) {
				gg.SetWeightedEdge(gg.NewWeightedEdge(simple.Node(a), simple.Node(b), weight(a, b)))
			}
		}
		if g.States[a].USBorder {
			gg.SetWeightedEdge(gg.NewWeightedEdge(simple.Node(a), simple.Node(n), weight(a, n)))
		}
	}
	sp := path.DijkstraFrom(simple.Node(n), gg)
	r := model.Routes{Pass: make([]float64, n), Cost: make([]float64, n), Next: make([]int, n)}
	for s := range n {
		r.Cost[s] = sp.WeightTo(int64(s))
	}
	for s := range n {
		best, bestCost := -1, math.Inf(1)
		for u := range n {
			if g.Adjacent(s, u) {
				if w := weight(s, u) + r.Cost[u]; w < bestCost {
					best, bestCost = u, w
				}
			}
		}
		if g.States[s].USBorder && weight(s, n) < bestCost {
			best = n
		}
		r.Next[s] = best
		if best == n {
			r.Next[s] = -1
		}
	}
	var pass func(s int) float64
	pass = func(s int) float64 {
		if s < 0 {
			return 1 - borderSeize
		}
		return (1 - seize[s]) * pass(r.Next[s])
	}
	for s := range n {
		r.Pass[s] = pass(s)
	}
	return r
}

// randomGeography is a connected graph of n states (a random tree plus extra edges),
// some of them on the border.
func randomGeography(t *testing.T, rng *rand.Rand, n int) *model.Geography {
	states := make([]model.State, n)
	for i := range states {
		states[i] = model.State{Code: fmt.Sprint("S", i), Name: fmt.Sprint("State ", i), Population: 1, USBorder: rng.IntN(4) == 0}
	}
	states[rng.IntN(n)].USBorder = true
	var adj [][2]string
	for i := 1; i < n; i++ {
		adj = append(adj, [2]string{states[i].Code, states[rng.IntN(i)].Code})
	}
	for range rng.IntN(2 * n) {
		a, b := rng.IntN(n), rng.IntN(n)
		if a != b {
			adj = append(adj, [2]string{states[a].Code, states[b].Code})
		}
	}
	g, err := model.NewGeography(states, adj)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// randomCosts draws transit costs and seizures of one of three kinds: small whole
// numbers and halves, whose sums are exact and tie often (equal routes); continuous
// costs; and the model's own 1 + enforcement × seizure (+ rival cost) on a few states.
func randomCosts(rng *rand.Rand, n int) (cost, seize []float64) {
	cost, seize = make([]float64, n), make([]float64, n)
	kind := rng.IntN(3)
	for v := range n {
		switch kind {
		case 0:
			cost[v] = 1 + float64(rng.IntN(4))/2
		case 1:
			cost[v] = 0.1 + 10*rng.Float64()
		case 2:
			if rng.IntN(3) == 0 {
				seize[v] = 0.3 * rng.Float64()
			}
			cost[v] = 1 + 4*seize[v]
			if rng.IntN(2) == 0 {
				cost[v] += 2
			}
		}
		if kind != 2 {
			seize[v] = 0.2 * rng.Float64()
		}
	}
	return cost, seize
}

// Router.Route gives, to the bit, gonum's least costs and the same next steps and
// shares through, on the real state graph and on random graphs of up to MaxStates
// states (whose US node is bit 63), with costs that tie often.
func TestRouterMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	mx, err := mexico.Load()
	if err != nil {
		t.Fatal(err)
	}
	geos := []*model.Geography{mx}
	for _, n := range []int{1, 2, 5, 17, 40, model.MaxStates} {
		geos = append(geos, randomGeography(t, rng, n))
	}
	trials := 300
	if testing.Short() {
		trials = 60
	}
	for gi, g := range geos {
		router := g.NewRouter()
		var got model.Routes
		for trial := range trials {
			cost, seize := randomCosts(rng, g.Len())
			border := 0.3 * rng.Float64()
			router.Route(cost, seize, border, &got)
			want := gonumRoutes(g, cost, seize, border)
			for s := range g.Len() {
				if math.Float64bits(got.Cost[s]) != math.Float64bits(want.Cost[s]) || got.Next[s] != want.Next[s] ||
					math.Float64bits(got.Pass[s]) != math.Float64bits(want.Pass[s]) {
					t.Fatalf("graph %d (%d states), trial %d, state %d: cost %v next %d pass %v, gonum %v, %d, %v",
						gi, g.Len(), trial, s, got.Cost[s], got.Next[s], got.Pass[s], want.Cost[s], want.Next[s], want.Pass[s])
				}
			}
		}
	}
}

// Routing reuses the router's and the routes' buffers: once grown, a call allocates
// nothing.
func TestRouterAllocatesNothing(t *testing.T) {
	g, err := mexico.Load()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(13, 2))
	cost, seize := randomCosts(rng, g.Len())
	router := g.NewRouter()
	var r model.Routes
	router.Route(cost, seize, 0.1, &r)
	if allocs := testing.AllocsPerRun(20, func() { router.Route(cost, seize, 0.1, &r) }); allocs != 0 {
		t.Errorf("a routing allocates %v times, want 0", allocs)
	}
}
