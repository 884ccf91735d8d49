package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Group is a criminal group as a data set lists it.
type Group struct {
	ID        string // unique identifier, e.g. "N10025"
	Name      string
	ShortName string // the data set's short name, e.g. "CJNG"; "" if it has none
	State     string // home state in Mexico
	// Holds are the other states the group holds at week 0 in a world with territory
	// (Territory or Economy), besides State; nil for its home state alone.
	Holds []string
}

// Edge is one directed, weighted relation between two groups, as listed in a data file.
type Edge struct {
	From, To string // group IDs
	Weight   float64
}

// Network holds groups ranked by how connected they are, with symmetric rivalry and
// alliance weights. Group k (0-based) is the one of rank k+1.
//
// Rivalries are stored sparsely (compressed rows, diagonal left out because a group does
// not fight itself), so the conflict term costs O(groups + rivalry edges).
type Network struct {
	Groups []Group

	// RivalryStrength and AllianceStrength are each group's row sum of the symmetric
	// weight matrix plus its diagonal, so a self-loop counts twice (as igraph's strength).
	RivalryStrength  []float64
	AllianceStrength []float64

	invAllies []float64 // 1/(A_i + 1), the kernel's row scale
	rivals    sparse    // off-diagonal rivalry weights
	allies    sparse    // off-diagonal alliance weights
	index     map[string]int
}

// sparse is a symmetric matrix without its diagonal in compressed rows: the entries of
// row i are to[start[i]:start[i+1]], in increasing column order.
type sparse struct {
	start  []int
	to     []int
	weight []float64
}

// row returns the columns and weights of row i.
func (s *sparse) row(i int) ([]int, []float64) {
	return s.to[s.start[i]:s.start[i+1]], s.weight[s.start[i]:s.start[i+1]]
}

// NewNetwork builds the network of Prieto-Curiel et al. (2023): directed edge weights are summed into
// a matrix, symmetrised with the larger of the two directions, and groups are ranked by
// rivalry strength plus alliance strength, descending, ties kept in input order.
func NewNetwork(groups []Group, rivalries, alliances []Edge) (*Network, error) {
	if len(groups) == 0 {
		return nil, errors.New("model: network has no groups")
	}
	index := make(map[string]int, len(groups))
	for i, g := range groups {
		if g.ID == "" {
			return nil, fmt.Errorf("model: group %d has an empty id", i+1)
		}
		if _, dup := index[g.ID]; dup {
			return nil, fmt.Errorf("model: duplicate group id %q", g.ID)
		}
		index[g.ID] = i
	}
	rival, err := symmetricWeights(index, rivalries, "rivalry")
	if err != nil {
		return nil, err
	}
	ally, err := symmetricWeights(index, alliances, "alliance")
	if err != nil {
		return nil, err
	}
	n := len(groups)
	rs, as := strength(rival, n), strength(ally, n)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rs[b]+as[b], rs[a]+as[a]) })
	rank := make([]int, n)
	for r, i := range order {
		rank[i] = r
	}

	net := &Network{
		Groups:           make([]Group, n),
		RivalryStrength:  make([]float64, n),
		AllianceStrength: make([]float64, n),
		rivals:           newSparse(rival, rank),
		allies:           newSparse(ally, rank),
		index:            make(map[string]int, 2*n),
	}
	for r, i := range order {
		net.Groups[r] = groups[i]
		net.RivalryStrength[r] = rs[i]
		net.AllianceStrength[r] = as[i]
		net.invAllies = append(net.invAllies, 1/(as[i]+1))
	}
	for r := n - 1; r >= 0; r-- { // the first group of a name wins; IDs beat names
		net.index[net.Groups[r].Name] = r
	}
	for r, g := range net.Groups {
		net.index[g.ID] = r
	}
	return net, nil
}

// newSparse stores the off-diagonal entries of w with groups renumbered by rank.
func newSparse(w map[pair]float64, rank []int) sparse {
	type entry struct {
		to     int
		weight float64
	}
	rows := make([][]entry, len(rank))
	for p, x := range w {
		if p.a != p.b {
			rows[rank[p.a]] = append(rows[rank[p.a]], entry{rank[p.b], x})
		}
	}
	s := sparse{start: make([]int, len(rank)+1)}
	for r, row := range rows {
		slices.SortFunc(row, func(x, y entry) int { return cmp.Compare(x.to, y.to) })
		for _, e := range row {
			s.to = append(s.to, e.to)
			s.weight = append(s.weight, e.weight)
		}
		s.start[r+1] = len(s.to)
	}
	return s
}

type pair struct{ a, b int }

// symmetricWeights sums directed weights per ordered pair, then keeps the larger of the
// two directions for both.
func symmetricWeights(index map[string]int, edges []Edge, what string) (map[pair]float64, error) {
	directed := make(map[pair]float64, len(edges))
	for k, e := range edges {
		a, okA := index[e.From]
		b, okB := index[e.To]
		switch {
		case !okA:
			return nil, fmt.Errorf("model: %s edge %d names unknown group %q", what, k+1, e.From)
		case !okB:
			return nil, fmt.Errorf("model: %s edge %d names unknown group %q", what, k+1, e.To)
		case math.IsNaN(e.Weight) || math.IsInf(e.Weight, 0) || e.Weight < 0:
			return nil, fmt.Errorf("model: %s edge %d has weight %v, want a finite non-negative number", what, k+1, e.Weight)
		}
		directed[pair{a, b}] += e.Weight
	}
	sym := make(map[pair]float64, 2*len(directed))
	for p, w := range directed {
		w = max(w, directed[pair{p.b, p.a}])
		sym[p] = w
		sym[pair{p.b, p.a}] = w
	}
	return sym, nil
}

func strength(w map[pair]float64, n int) []float64 {
	s := make([]float64, n)
	for p, x := range w {
		s[p.a] += x
		if p.a == p.b {
			s[p.a] += x
		}
	}
	return s
}

// Len is the number of groups.
func (n *Network) Len() int { return len(n.Groups) }

// Lookup returns the rank index of the group with the given ID or, failing that, name.
func (n *Network) Lookup(idOrName string) (int, bool) {
	i, ok := n.index[idOrName]
	return i, ok
}

// Rivalry returns the symmetric rivalry weight between groups i and j (0 on the diagonal).
func (n *Network) Rivalry(i, j int) float64 { return n.rivals.at(i, j) }

func (s *sparse) at(i, j int) float64 {
	to, w := s.row(i)
	for k, t := range to {
		if t == j {
			return w[k]
		}
	}
	return 0
}

// RivalryEdges is the number of non-zero off-diagonal rivalry entries (each pair twice).
func (n *Network) RivalryEdges() int { return len(n.rivals.to) }
