package model

import "slices"

// RebuildRivalBitsAlways lets the external tests make formAlliances rebuild its rows of
// rival bits every week.
var RebuildRivalBitsAlways = &rebuildRivalBitsAlways

// CheckRivalBitRows makes every sync of formAlliances' rows of rivals and rivals' rivals
// report whether it updated them from the links made since the last (rather than
// rebuilding them), and whether they then equal the rows a rebuild gives; the returned
// function stops it.
func CheckRivalBitRows(report func(updated, equal bool)) (stop func()) {
	rivalBitsSynced = func(r *Replicate, updated bool) {
		kept, keptRR := slices.Clone(r.rivalBits), slices.Clone(r.rrBits)
		r.rivalBitRows(r.bitSlots, r.bitWords)
		report(updated, slices.Equal(kept, r.rivalBits) && slices.Equal(keptRR, r.rrBits))
	}
	return func() { rivalBitsSynced = nil }
}

// PlainSpatialExposure is spatialExposure written the plain way, for its test: each
// rival's reach worked out where it is read, in every state the group holds, whether or
// not the rival is near, with the same sums in the same order. It sets out to each group's
// mean exposure and local[i*states+v] to its exposure in each state v it holds. Without
// geography it returns false.
func (r *Replicate) PlainSpatialExposure(out, local []float64) bool {
	g, c := &r.groups, r.c
	if !g.space.on {
		return false
	}
	geo, t, sp := r.w.cfg.Geography, &g.territory, &g.space
	n, b, a := sp.states, sp.hostility, sp.adjacent
	dens, adjDens := make([]float64, n), make([]float64, n)
	other, home := make([]float64, len(c)), make([]float64, len(c))
	for j, x := range c {
		if !g.alive(j) || x <= 0 {
			continue
		}
		other[j], home[j] = placed(x, t.present[j])
		for v := range n {
			if t.present[j]&(1<<v) == 0 {
				continue
			}
			if v == t.home[j] {
				dens[v] += home[j]
			} else {
				dens[v] += other[j]
			}
		}
	}
	for v := range n {
		for u := range n {
			if geo.Adjacent(u, v) {
				adjDens[v] += dens[u]
			}
		}
	}
	reach := func(j, v int) float64 {
		around, in := membersAround(geo, t.present[j], t.home[j], v, other[j], home[j])
		return in + float64(a*around)
	}
	for i, x := range c {
		out[i] = 0
		if !g.alive(i) || x <= 0 {
			continue
		}
		mask := t.present[i]
		total := 0.0
		for v := range n {
			if mask&(1<<v) == 0 {
				continue
			}
			ownAround, own := membersAround(geo, mask, t.home[i], v, other[i], home[i])
			e := 0.0
			if b != 0 {
				e = float64(b * (max(0, dens[v]-own) + float64(a*max(0, adjDens[v]-ownAround))))
			}
			for _, l := range g.rivals[i] {
				e += float64(l.weight * reach(l.to, v))
			}
			e *= g.invAllies[i] * float64(n)
			local[i*n+v] = e
			total += float64(own * e)
		}
		out[i] = total / x
	}
	return true
}

// SpatialLocal is the exposure by slot and state spatialExposure leaves (set only for
// the states each living group holds).
func (r *Replicate) SpatialLocal() []float64 { return r.space.local }

// HeldWithMembers is the bit set of the states slot i holds, if it is alive and has
// members (those spatialExposure sets), and 0 otherwise.
func (r *Replicate) HeldWithMembers(i int) uint64 {
	if !r.alive(i) || r.c[i] <= 0 {
		return 0
	}
	return r.territory.present[i]
}
