package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/path"
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
}

// MaxStates bounds the states of a geography: presence is kept as a bit set.
const MaxStates = 63

// Geography is the state graph: states, their land adjacency, the US
// border and the Pacific ports, with one region abroad (Canada) for relocated labs.
// Region indices 0..Len()-1 are the states; Len() is abroad.
type Geography struct {
	States []State
	adj    []uint64 // adjacency as bit sets
	nbrs   [][]graph.Node
	border uint64 // states on the US border
	ports  uint64 // states with a Pacific port
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
	g := &Geography{States: slices.Clone(states), adj: make([]uint64, n), nbrs: make([][]graph.Node, n+1), index: make(map[string]int, 2*n)}
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
	// Neighbour lists in increasing order, node n being the US: Dijkstra then visits
	// nodes in a fixed order and breaks ties between equal routes the same way each time.
	us := int64(n)
	for i := range n {
		for m := g.adj[i]; m != 0; m &= m - 1 {
			g.nbrs[i] = append(g.nbrs[i], simple.Node(bits.TrailingZeros64(m)))
		}
		if g.border&(1<<i) != 0 {
			g.nbrs[i] = append(g.nbrs[i], simple.Node(us))
			g.nbrs[n] = append(g.nbrs[n], simple.Node(i))
		}
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
	Next []int     // by state: the next state on the path, or -1 where it crosses into the US
}

// Router computes routes on a geography, reusing its buffers between calls. A router is
// not safe for concurrent use; the geography is.
type Router struct {
	graph routeGraph
	order []int
}

// NewRouter returns a router for g.
func (g *Geography) NewRouter() *Router {
	rt := &Router{graph: routeGraph{g: g, iters: make([]*iterator.OrderedNodes, len(g.nbrs))}}
	for i, nb := range g.nbrs {
		rt.graph.iters[i] = iterator.NewOrderedNodes(nb)
	}
	return rt
}

// Route computes least-cost paths to the US (gonum's Dijkstra from the US over the state
// graph). Entering a state costs cost[v] (its transit cost), so an edge between u and v
// weighs (cost[u] + cost[v])/2 and crossing into the US from a border state weighs
// cost[b]/2 + 1/2. A shipment crossing state v loses seize[v] of what reaches it and
// borderSeize of what reaches the border. out's slices are reused.
//
// Each state's next step is its first neighbour, in index order, on a least-cost path
// (the US last), so ties between equal routes break the same way every time.
func (rt *Router) Route(cost, seize []float64, borderSeize float64, out *Routes) {
	g := rt.graph.g
	n := g.Len()
	rt.graph.cost = cost
	sp := path.DijkstraFrom(simple.Node(n), &rt.graph)
	out.Pass = resize(out.Pass, n)
	out.Cost = resize(out.Cost, n)
	out.Next = resize(out.Next, n)
	rt.order = rt.order[:0]
	for s := range n {
		out.Cost[s] = sp.WeightTo(int64(s))
		rt.order = append(rt.order, s)
	}
	// States nearest the US first, so that each state's next step is already done.
	slices.SortStableFunc(rt.order, func(a, b int) int { return cmp.Compare(out.Cost[a], out.Cost[b]) })
	for _, s := range rt.order {
		// The neighbour through which the path is cheapest (the US counting as cost 0).
		best, bestCost := -1, math.Inf(1)
		for _, nb := range g.nbrs[s] {
			u := nb.ID()
			w, _ := rt.graph.Weight(int64(s), u)
			if u != int64(n) {
				w += out.Cost[u]
			}
			if w < bestCost {
				best, bestCost = int(u), w
			}
		}
		next := 1 - borderSeize
		out.Next[s] = -1
		if best < n {
			out.Next[s], next = best, out.Pass[best]
		}
		out.Pass[s] = (1 - seize[s]) * next
	}
}

// routeGraph is the state graph plus the US (node n) with transit costs, as gonum's
// path package reads graphs.
type routeGraph struct {
	g     *Geography
	cost  []float64
	iters []*iterator.OrderedNodes // one per node, reset at each visit: Dijkstra visits a node once
}

func (r *routeGraph) From(id int64) graph.Nodes {
	it := r.iters[id]
	it.Reset()
	return it
}

func (r *routeGraph) Edge(uid, vid int64) graph.Edge {
	if r.linked(uid, vid) {
		return simple.Edge{F: simple.Node(uid), T: simple.Node(vid)}
	}
	return nil
}

func (r *routeGraph) linked(uid, vid int64) bool {
	n := int64(r.g.Len())
	switch {
	case uid == n:
		return vid < n && r.g.border&(1<<vid) != 0
	case vid == n:
		return r.g.border&(1<<uid) != 0
	}
	return uid != vid && r.g.adj[uid]&(1<<vid) != 0
}

func (r *routeGraph) Weight(xid, yid int64) (float64, bool) {
	if xid == yid {
		return 0, true
	}
	if !r.linked(xid, yid) {
		return math.Inf(1), false
	}
	return (r.nodeCost(xid) + r.nodeCost(yid)) / 2, true
}

func (r *routeGraph) nodeCost(id int64) float64 {
	if id == int64(r.g.Len()) {
		return 1 // the crossing
	}
	return r.cost[id]
}
