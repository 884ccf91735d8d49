package model

import "math/bits"

// DominantByState sets out[s], for each state s of the Geography (states only, not
// abroad), to the lineage index (into Lineage()) of the group with the most members
// placed in state s at the end of the week last stepped, as StateWeek places them, or to
// -1 where no group is present. A group is present where StateGroupsPresent counts it:
// alive, with at least one member, in a state it holds. Ties go to the lowest lineage
// index. It does nothing in worlds without geography, and allocates nothing.
func (r *Replicate) DominantByState(out []int) {
	sp := &r.space
	if !sp.on {
		return
	}
	out = out[:sp.states]
	for v := range out {
		out[v] = -1 // a slot while the groups are scanned, then its lineage index
	}
	t := &r.territory
	members := func(i, v int) float64 {
		o, h := placed(r.c[i], t.present[i])
		if v == t.home[i] {
			return h
		}
		return o
	}
	for i, x := range r.c {
		if !r.alive(i) || x < 1 {
			continue
		}
		o, h := placed(x, t.present[i])
		for m := t.present[i]; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			here := o
			if v == t.home[i] {
				here = h
			}
			if b := out[v]; b < 0 || here > members(b, v) || here == members(b, v) && r.record[i] < r.record[b] {
				out[v] = i
			}
		}
	}
	for v, i := range out {
		if i >= 0 {
			out[v] = r.record[i]
		}
	}
}
