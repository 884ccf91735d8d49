package model

import (
	"math"
	"math/bits"
)

// Breakaways: a scheduled split of a named group (kind breakaway), for the splits the
// record dates, such as the Beltran Leyva Organization's from the Sinaloa cartel in
// January 2008 or Los Zetas' from the Gulf cartel in early 2010, which a history should
// not leave to chance. In the step that ends at week From+1 the group named by
// Targets.Groups (an initial group, in the slot that kept its name) gives a share of its
// members, Intensity (rounded to whole members), to a new group that Split describes.
// The new group is a faction of it, with a lineage record as any split's (its parent
// the group, its root the group's root), named by Split.ID. As in a split, it takes the
// parent's rivals and a share of its alliances and lieutenants (so every other group's
// relations keep their strength), and the two become rivals with weight Split.Rivalry.
// With geography the new group holds Split.States (its home the first), and the parent
// gives up Split.Ceded (never its home), with its labs there; savings go by the share.
// Nothing else changes: no random number is drawn, so the rest of the replicate's
// stream is the same as without the breakaway up to that step. A group that has ended
// by then does not break up.

// BreakawayGroup is the new group of a breakaway.
type BreakawayGroup struct {
	ID, Name string
	// States are the new group's states, its home first (with geography; none: the
	// parent's home); Ceded those of them the parent leaves.
	States, Ceded []string
	// Rivalry is the rivalry weight between the new group and its parent.
	Rivalry float64
}

// breakPlan is a breakaway resolved against the world: the parent's lineage index, the
// new group's home and states, and the states the parent cedes.
type breakPlan struct {
	parent        int
	home          int
	states, ceded uint64
}

// validateOwn checks the intensity of a breakaway (a share of members) or a deployment
// (a level in [0,1]), and a breakaway's targets and new group.
func (iv Intervention) validateOwn() error {
	if iv.Intensity > 1 {
		return fieldErrorf("intensity", "%s intensity %v is a share, above 1", iv.Kind, iv.Intensity)
	}
	t := iv.Targets
	if iv.Kind == Deployment {
		if t.set() > 0 && len(t.States) == 0 {
			return fieldErrorf("targets", "a deployment targets states (targets.states), or every state without targets")
		}
		if iv.Split != nil {
			return fieldErrorf("breakaway", "deployment takes no breakaway (only a breakaway does)")
		}
		return nil
	}
	switch b := iv.Split; {
	case len(t.Groups) != 1 || t.set() != 1:
		return fieldErrorf("targets", "a breakaway targets one group (targets.groups: [ID])")
	case b == nil:
		return fieldErrorf("breakaway", "a breakaway needs its new group (breakaway: {id: ..., name: ...})")
	case b.ID == "":
		return fieldErrorf("breakaway", "the breakaway's new group has no id")
	case math.IsNaN(b.Rivalry) || math.IsInf(b.Rivalry, 0) || b.Rivalry < 0:
		return fieldErrorf("breakaway.rivalry", "the breakaway's rivalry %v, want a finite non-negative weight", b.Rivalry)
	}
	for _, c := range iv.Split.Ceded {
		if !containsString(iv.Split.States, c) {
			return fieldErrorf("breakaway", "the breakaway cedes state %q, not one of the new group's states", c)
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// resolveOwn checks a breakaway or a deployment against the world and resolves a
// breakaway's group and states.
func (w *World) resolveOwn(c campaign) (campaign, error) {
	switch {
	case c.Split != nil && c.Kind != Breakaway:
		return c, fieldErrorf("breakaway", "%s takes no breakaway (only a breakaway does)", c.Kind)
	case c.Kind == Deployment && !w.HasGeography():
		return c, fieldErrorf("kind", "a deployment needs the states: give the world a territory or an economy")
	case c.Kind == Deployment:
		if len(c.Targets.States) == 0 {
			c.states = 1<<w.cfg.Geography.Len() - 1
		}
		return c, nil
	case c.Kind != Breakaway:
		return c, nil
	case !w.Dynamic():
		return c, fieldErrorf("kind", "a breakaway needs group dynamics (fragmentation) switched on")
	}
	b := c.Split
	if _, ok := w.cfg.Network.Lookup(b.ID); ok {
		return c, fieldErrorf("breakaway", "the breakaway's new group %q has the id or name of a group of the world", b.ID)
	}
	c.brk.parent = slicesIndex(c.named)
	if len(b.States) > 0 && !w.HasGeography() {
		return c, fieldErrorf("breakaway", "the breakaway's new group has states, but the world has none (give it a territory or an economy)")
	}
	for k, name := range b.States {
		v, ok := w.cfg.Geography.Lookup(name)
		if !ok {
			return c, fieldErrorf("breakaway", "the breakaway's new group holds unknown state %q", name)
		}
		if k == 0 {
			c.brk.home = v
		}
		c.brk.states |= 1 << v
		if containsString(b.Ceded, name) {
			if v == w.homes[c.brk.parent] {
				return c, fieldErrorf("breakaway", "the breakaway cedes %s, its parent's home state (a group never leaves its home)", name)
			}
			c.brk.ceded |= 1 << v
		}
	}
	return c, nil
}

func slicesIndex(named []bool) int {
	for i, b := range named {
		if b {
			return i
		}
	}
	return -1
}

// breakAway runs the breakaways scheduled for the step that ends at week wk.
func (r *Replicate) breakAway(wk int, ev *events) {
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if cp.Kind != Breakaway || wk != cp.From+1 {
			continue
		}
		i := -1
		for s, rec := range r.record {
			if rec == cp.brk.parent {
				i = s
			}
		}
		if i < 0 || r.c[i] < 1 {
			continue // the group has ended
		}
		x := r.c[i]
		m := math.Round(cp.Intensity * x)
		if m < 1 || !r.roomFor(wk, 1) {
			continue
		}
		share := m / x
		parent := r.record[i]
		s := r.born(wk, parent, r.lineage[parent].Root, Faction)
		r.lineage[r.record[s]].Breakaway = k + 1
		r.c[s], r.c[i] = m, x-m
		r.snap = append(r.snap[:0], r.allies[i]...)
		r.inheritRivals(s, i, 1, nil) // a scheduled breakaway keeps its parent's wars
		for _, l := range r.snap {
			addWeight(r.allies, s, l.to, l.weight*share)
			setWeight(r.allies, i, l.to, l.weight*(1-share))
		}
		r.allySelf[s] = r.allySelf[i] * share
		r.allySelf[i] *= 1 - share
		if w := cp.Split.Rivalry; w > 0 {
			r.feud(i, s, w) // a war of secession fades as a succession war's
		}
		lt := math.Floor(r.lead[i].Lieutenants * share)
		r.lead[s] = Leadership{Lieutenants: lt, Clarity: r.w.frag.Clarity, Cohesion: 1}
		r.lead[i].Lieutenants -= lt
		r.refreshAllies(i)
		r.refreshAllies(s)
		for _, l := range r.snap {
			r.refreshAllies(l.to)
		}
		r.breakTerritory(i, s, &cp.brk, share)
		r.notePeak(s)
		r.unsettled = true // either may now be below the viable size
		ev.splits++
		ev.newGroups++
		if r.recording {
			r.note(wk, EventSplit, parent, r.largestPresence(i), r.record[s], 1, 0)
		}
	}
}

// breakTerritory places a breakaway's new group s and takes the ceded states, with their
// labs, from its parent i; savings go by share.
func (r *Replicate) breakTerritory(i, s int, plan *breakPlan, share float64) {
	t := &r.territory
	if t.regions == 0 {
		return
	}
	home, mask := plan.home, plan.states
	if mask == 0 {
		home, mask = t.home[i], 1<<t.home[i]
	}
	t.home[s], t.present[s] = home, mask
	parent, child := t.slot(i), t.slot(s)
	for m := plan.ceded & t.present[i] &^ (1 << t.home[i]); m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		child[v], parent[v] = parent[v], site{}
		t.present[i] &^= 1 << v
	}
	f := float64(t.funds[i] * share)
	t.funds[s] = f
	t.funds[i] -= f
}
