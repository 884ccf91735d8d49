package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// Zone is a group of states for reporting labs: the plot of labs by zone
// is map-free.
type Zone uint8

// The zones; Abroad holds labs moved out of Mexico (Canada).
const (
	North     Zone = iota // the six states on the US border
	Pacific               // the Pacific coast south of the border states
	Centre                // the interior, from Durango to Mexico City and Puebla
	Southeast             // the Gulf and the south-east
	Abroad
	NumZones
)

var zoneNames = [NumZones]string{"north", "pacific", "centre", "southeast", "abroad"}

func (z Zone) String() string { return zoneNames[z] }

// ParseZone reads a zone's name.
func ParseZone(s string) (Zone, error) {
	for z, name := range zoneNames[:Abroad] {
		if s == name {
			return Zone(z), nil
		}
	}
	return 0, fmt.Errorf("model: unknown zone %q (want north, pacific, centre or southeast)", s)
}

// State is one of Mexico's states as the geography data lists it.
type State struct {
	Code        string // ISO 3166-2:MX suffix, e.g. "SIN"
	Name        string // e.g. "Sinaloa"
	Population  float64
	Zone        Zone
	USBorder    bool // shipments cross into the US from here
	PacificPort bool // precursors arrive here
	// Coast is the coast of the state's sea port with a lane to the US (sea.go), or
	// NoCoast. Lanes carry shipments only in an economy with sea_routes on.
	Coast Coast
}

// MaxStates bounds the states of a geography: presence is kept as a bit set.
const MaxStates = 63

// Geography is the state graph: states, their land adjacency, the US
// border and the Pacific ports, with one region abroad (Canada) for relocated labs.
// Region indices 0..Len()-1 are the states; Len() is abroad.
type Geography struct {
	States []State
	adj    []uint64 // adjacency as bit sets
	border uint64   // states on the US border
	ports  uint64   // states with a Pacific port
	coast  uint64   // states with a sea lane to the US
	index  map[string]int
}

// NewGeography validates states and their adjacency (pairs of codes, in either order):
// codes unique, at most MaxStates, every pair known, the graph connected and at least one
// state on the US border (so that every state can ship to the US).
func NewGeography(states []State, adjacency [][2]string) (*Geography, error) {
	n := len(states)
	if n == 0 || n > MaxStates {
		return nil, fmt.Errorf("model: a geography needs 1 to %d states, got %d", MaxStates, n)
	}
	g := &Geography{States: slices.Clone(states), adj: make([]uint64, n), index: make(map[string]int, 2*n)}
	und := simple.NewUndirectedGraph()
	for i, s := range states {
		if s.Code == "" || s.Name == "" {
			return nil, fmt.Errorf("model: state %d needs a code and a name", i+1)
		}
		for _, key := range []string{s.Code, s.Name} {
			if j, dup := g.index[key]; dup && j != i {
				return nil, fmt.Errorf("model: duplicate state %q", key)
			}
			g.index[key] = i
		}
		if !(s.Population >= 0) || math.IsInf(s.Population, 0) {
			return nil, fmt.Errorf("model: state %s has population %v", s.Code, s.Population)
		}
		if s.Zone >= Abroad {
			return nil, fmt.Errorf("model: state %s is in zone %v, want a zone of Mexico", s.Code, s.Zone)
		}
		if s.USBorder {
			g.border |= 1 << i
		}
		if s.PacificPort {
			g.ports |= 1 << i
		}
		if s.Coast >= NumCoasts {
			return nil, fmt.Errorf("model: state %s has unknown coast %d", s.Code, s.Coast)
		}
		if s.Coast != NoCoast {
			g.coast |= 1 << i
		}
		und.AddNode(simple.Node(i))
	}
	for _, e := range adjacency {
		a, okA := g.Lookup(e[0])
		b, okB := g.Lookup(e[1])
		if !okA || !okB || a == b {
			return nil, fmt.Errorf("model: adjacency %s-%s names an unknown state or a state twice", e[0], e[1])
		}
		g.adj[a] |= 1 << b
		g.adj[b] |= 1 << a
		und.SetEdge(und.NewEdge(simple.Node(a), simple.Node(b)))
	}
	if cc := topo.ConnectedComponents(und); len(cc) != 1 {
		return nil, fmt.Errorf("model: the state graph has %d separate parts, want one", len(cc))
	}
	if g.border == 0 {
		return nil, errors.New("model: no state is on the US border")
	}
	return g, nil
}

// Len returns the number of states.
func (g *Geography) Len() int { return len(g.States) }

// Lookup finds a state by code or name.
func (g *Geography) Lookup(codeOrName string) (int, bool) {
	i, ok := g.index[codeOrName]
	return i, ok
}

// Adjacent reports whether states a and b share a land border.
func (g *Geography) Adjacent(a, b int) bool { return g.adj[a]&(1<<b) != 0 }

// Degree returns how many states border state i.
func (g *Geography) Degree(i int) int { return bits.OnesCount64(g.adj[i]) }

// Routes are the least-cost paths from every state to the US for one set of state
// costs: the share of a shipment from each state that gets through, and each path.
type Routes struct {
	Pass []float64 // by state: the share not seized on the way and at the border
	Cost []float64 // by state: the path's cost
	Next []int     // by state: the next state on the path, -1 where it crosses into the US, SeaLane where it sails
	// Sea is, by state, the share of a shipment that reaches a sea lane (seized on land
	// on the way there, not yet at sea): 0 where the path goes by land. Set only when the
	// router's lanes are open (Router.SetSea).
	Sea []float64
}

// Router computes routes on a geography, reusing its buffers between calls, so that a
// call allocates nothing once they have grown. A router is not safe for concurrent use;
// the geography is.
type Router struct {
	g     *Geography
	dist  []float64 // by node (the states, then the US): the least cost found so far
	order []int
	sea   SeaLanes
}

// NewRouter returns a router for g.
func (g *Geography) NewRouter() *Router { return &Router{g: g} }

// Route computes least-cost paths to the US (Dijkstra from the US over the state graph,
// which gives the same costs, to the bit, as gonum's path.DijkstraFrom: see
// TestRouterMatchesGonum). Entering a state costs cost[v] (its transit cost, which must
// not be negative), so an edge between u and v weighs (cost[u] + cost[v])/2 and crossing
// into the US from a border state weighs cost[b]/2 + 1/2. A shipment crossing state v
// loses seize[v] of what reaches it and borderSeize of what reaches the border. out's
// slices are reused. With the sea lanes open (SetSea), a state with a port also sails to
// the US: an edge weighing (cost[s] + the coast's lane cost)/2, on which the coast's
// seizure share is lost.
//
// Each state's next step is its first neighbour, in index order, on a least-cost path
// (the US by land, then the sea lane, last), so ties between equal routes break the same
// way every time.
func (rt *Router) Route(cost, seize []float64, borderSeize float64, out *Routes) {
	g := rt.g
	n := g.Len()
	rt.shortest(cost)
	out.Pass = resize(out.Pass, n)
	out.Cost = resize(out.Cost, n)
	out.Next = resize(out.Next, n)
	sea := rt.seaOpen()
	if sea {
		out.Sea = resize(out.Sea, n)
	}
	copy(out.Cost, rt.dist[:n])
	// States nearest the US first, so that each state's next step is already done: a
	// stable insertion sort, ties in index order.
	rt.order = resize(rt.order, n)
	for s := range n {
		k := s
		for ; k > 0 && cmp.Compare(out.Cost[rt.order[k-1]], out.Cost[s]) > 0; k-- {
			rt.order[k] = rt.order[k-1]
		}
		rt.order[k] = s
	}
	for _, s := range rt.order {
		// The neighbour through which the path is cheapest (the US counting as cost 0).
		best, bestCost := -1, math.Inf(1)
		for m := g.adj[s]; m != 0; m &= m - 1 {
			u := bits.TrailingZeros64(m)
			if w := float64((cost[s]+cost[u])/2) + out.Cost[u]; w < bestCost {
				best, bestCost = u, w
			}
		}
		if g.border&(1<<s) != 0 {
			if w := (cost[s] + 1) / 2; w < bestCost {
				best, bestCost = n, w
			}
		}
		if sea && g.coast&(1<<s) != 0 {
			if w := (cost[s] + rt.sea.Cost[g.States[s].Coast]) / 2; w < bestCost {
				best = n + 1
			}
		}
		next := 1 - borderSeize
		out.Next[s] = -1
		switch {
		case best < n:
			out.Next[s], next = best, out.Pass[best]
		case best == n+1:
			out.Next[s], next = SeaLane, 1-rt.sea.Seize[g.States[s].Coast]
		}
		out.Pass[s] = (1 - seize[s]) * next
		if sea {
			switch {
			case best < n:
				out.Sea[s] = (1 - seize[s]) * out.Sea[best]
			case best == n+1:
				out.Sea[s] = 1 - seize[s]
			default:
				out.Sea[s] = 0
			}
		}
	}
}

// shortest sets rt.dist to the least cost from the US (node n, whose crossing costs 1)
// to every state. It is Dijkstra's algorithm with a linear scan for the nearest node, as
// the graph is small: each node, once settled, relaxes its neighbours with
// dist[u] + (cost[u] + cost[v])/2, the sum gonum's Dijkstra forms, and a node's cost is
// the least such sum over its neighbours however ties in the order of settling fall.
func (rt *Router) shortest(cost []float64) {
	g := rt.g
	n := g.Len()
	rt.dist = resize(rt.dist, n+1)
	dist := rt.dist
	for v := range dist {
		dist[v] = math.Inf(1)
	}
	dist[n] = 0
	nodeCost := func(v int) float64 {
		if v == n {
			return 1 // the crossing
		}
		return cost[v]
	}
	sea := rt.seaOpen()
	// n <= MaxStates, so the states and the US fit in one word.
	var settled uint64
	frontier := uint64(1) << n
	for frontier != 0 {
		u, du := -1, math.Inf(1)
		for m := frontier; m != 0; m &= m - 1 {
			if v := bits.TrailingZeros64(m); u < 0 || dist[v] < du {
				u, du = v, dist[v]
			}
		}
		frontier &^= 1 << u
		settled |= 1 << u
		nbrs := g.border
		if u < n {
			nbrs = g.adj[u]
			if g.border&(1<<u) != 0 {
				nbrs |= 1 << n
			}
		}
		if u == n && sea {
			nbrs |= g.coast
		}
		cu := nodeCost(u)
		for m := nbrs &^ settled; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			joint := math.Inf(1)
			if u < n || g.border&(1<<v) != 0 {
				joint = du + float64((cu+nodeCost(v))/2)
			}
			if u == n && sea && g.coast&(1<<v) != 0 {
				// The lane from the US (du is 0) to a port state.
				joint = min(joint, (rt.sea.Cost[g.States[v].Coast]+cost[v])/2)
			}
			if joint < dist[v] {
				dist[v] = joint
				frontier |= 1 << v
			}
		}
	}
}
