package model

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The dominant group by hand on the line A - M - B. x (home A, also holding M) has 3,000
// members: floor(3000/3) = 1,000 in M and 2,000 in A; y (home M) has 1,200, all in M; z
// (home B) 600. So A is x's, M is y's (1,200 > 1,000), B is z's. With y at 900, M is x's;
// at 1,000 exactly the tie goes to x, the lower lineage index. With z below one member,
// B has no group (StateGroupsPresent counts it 0), and y dead leaves M to x.
func TestDominantByStateByHand(t *testing.T) {
	w := lineWorld(t, DefaultParams(), map[string]string{"x": "A", "y": "M", "z": "B"}, nil, nil)
	r := w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(1, 2)))
	x, y, z := slotOf(t, r, "x"), slotOf(t, r, "y"), slotOf(t, r, "z")
	lx, ly, lz := r.record[x], r.record[y], r.record[z]
	if lx > ly {
		t.Fatalf("x's lineage index %d is not below y's %d: the tie case needs it", lx, ly)
	}
	r.territory.present[x] |= 1 << 1 // M
	out := []int{-7, -7, -7}
	for _, c := range []struct {
		name    string
		x, y, z float64
		want    []int
	}{
		{"y larger in M", 3000, 1200, 600, []int{lx, ly, lz}},
		{"x larger in M", 3000, 900, 600, []int{lx, lx, lz}},
		{"tie in M", 3000, 1000, 600, []int{lx, lx, lz}},
		{"z below one member", 3000, 1200, 0.5, []int{lx, ly, -1}},
	} {
		r.c[x], r.c[y], r.c[z] = c.x, c.y, c.z
		r.DominantByState(out)
		if !slices.Equal(out, c.want) {
			t.Errorf("%s: dominant %v, want %v (x %d, y %d, z %d)", c.name, out, c.want, lx, ly, lz)
		}
		// Cross-check against StateWeek: a state has a dominant group iff some group is present.
		st := make([]float64, 3*int(NumStateMetrics))
		r.StateWeek(st)
		for v := range 3 {
			if present := st[v*int(NumStateMetrics)+int(StateGroupsPresent)] > 0; present != (out[v] >= 0) {
				t.Errorf("%s: state %d: groups_present %v, dominant %d", c.name, v, st[v*int(NumStateMetrics)+int(StateGroupsPresent)], out[v])
			}
		}
	}
	r.c[x], r.c[y], r.c[z] = 3000, 1200, 600
	r.record[y] = -1 // y's slot freed: y has ended
	r.DominantByState(out)
	if want := []int{lx, lx, lz}; !slices.Equal(out, want) {
		t.Errorf("y ended: dominant %v, want %v", out, want)
	}
	if testing.AllocsPerRun(10, func() { r.DominantByState(out) }) != 0 {
		t.Errorf("DominantByState allocates")
	}
}
