package model

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
)

// FirstDifference is the first week whose step may differ between worlds made from
// configurations a and b, numbered as Step numbers them (warm-up weeks are 0 and below),
// or Forever if they never differ: replicates of the two worlds given the same random
// stream are in the same state at the end of every week before it.
//
// Configurations that differ in anything but their interventions (parameters, groups,
// sections, mode, warm-up) differ from the start: their initial draws (Reset) may
// differ, and FirstDifference is -WarmUpWeeks of the longer warm-up, the week whose end
// is their initial state, so that no week is shared. Otherwise it is the first week in which the interventions in force differ, in
// order, field by field: an intervention acts only in the weeks it is active (after From
// up to and including To; Intervention.Active), and what it does in them depends on its
// other fields only (its ramp included), so two lists can only start to differ in a week
// in which an intervention starts or ends. Their ends are compared only for ceasefires,
// whose state (holding, age) goes with the campaign from week to week: two campaigns that
// differ in their end alone are in force in the same order while both are.
func FirstDifference(a, b Config) int {
	ia, ib := a.Interventions, b.Interventions
	a.Interventions, b.Interventions = nil, nil
	if !reflect.DeepEqual(a, b) {
		return -max(a.WarmUpWeeks, b.WarmUpWeeks)
	}
	var weeks []int
	for _, iv := range slices.Concat(ia, ib) {
		weeks = append(weeks, iv.From+1)
		if iv.To < Forever {
			weeks = append(weeks, iv.To+1)
		}
	}
	slices.Sort(weeks)
	for _, w := range slices.Compact(weeks) {
		if !reflect.DeepEqual(inForce(ia, w), inForce(ib, w)) {
			return w
		}
	}
	return Forever
}

// FirstDifference is FirstDifference of the two worlds' configurations.
func (w *World) FirstDifference(o *World) int { return FirstDifference(w.cfg, o.cfg) }

// inForce lists the interventions active in week w, in order, as they act (actsAs).
func inForce(ivs []Intervention, w int) []Intervention {
	var on []Intervention
	for _, iv := range ivs {
		if iv.Active(w) {
			on = append(on, actsAs(iv))
		}
	}
	return on
}

// actsAs is an intervention as it acts in a week it is active: without its end, which
// plays no part then, except for a ceasefire, whose state is its own (FirstDifference).
func actsAs(iv Intervention) Intervention {
	if iv.Kind != Ceasefire {
		iv.To = 0
	}
	return iv
}

// Week returns the last week the replicate stepped: 0 after Reset (and its warm-up).
func (r *Replicate) Week() int { return r.week }

// CopyFrom makes r an exact copy of src, a replicate of the same world: stepped on with
// a copy of src's random stream, r gives the same weeks, bit for bit, as src would. It
// reuses r's memory, so a replicate kept as a snapshot and restored with CopyFrom
// allocates nothing once its buffers have grown.
func (r *Replicate) CopyFrom(src *Replicate) {
	if r.w != src.w {
		panic("model: CopyFrom between replicates of different worlds (use a Fork)")
	}
	r.copyState(src)
	r.truces = append(r.truces[:0], src.truces...)
	r.inForce = append(r.inForce[:0], src.inForce...)
	r.esc.losses = append(r.esc.losses[:0], src.esc.losses...)
	r.esc.level = append(r.esc.level[:0], src.esc.level...)
	r.esc.ended = append(r.esc.ended[:0], src.esc.ended...)
}

// copyState copies every field of src into r except its world, deep-copying what
// references memory (so that the two never share a buffer) into r's own buffers, and
// keeping r's router. Values are copied by the struct assignment, so a field added to
// Replicate or the state it embeds is copied without being named here; a slice, map or
// pointer must be named (TestCopyFromSharesNothing fails until it is).
func (r *Replicate) copyState(src *Replicate) {
	old := *r
	*r = *src
	r.w = old.w

	// groups
	r.c = clone(old.c, src.c)
	r.exposure = clone(old.exposure, src.exposure)
	r.satExits = clone(old.satExits, src.satExits)
	r.peak = clone(old.peak, src.peak)
	r.rivals = cloneRows(old.rivals, src.rivals)
	r.allies = cloneRows(old.allies, src.allies)
	r.allySelf = clone(old.allySelf, src.allySelf)
	r.invAllies = clone(old.invAllies, src.invAllies)
	r.lead = clone(old.lead, src.lead)
	r.record = clone(old.record, src.record)
	r.free = clone(old.free, src.free)
	r.lineage = clone(old.lineage, src.lineage)
	r.factor = clone(old.factor, src.factor)
	r.fury = clone(old.fury, src.fury)
	r.fading = clone(old.fading, src.fading)
	r.pairs = clone(old.pairs, src.pairs)
	r.rivalBits = clone(old.rivalBits, src.rivalBits)
	r.rrBits = clone(old.rrBits, src.rrBits)
	r.liveBits = clone(old.liveBits, src.liveBits)
	r.candBits = clone(old.candBits, src.candBits)
	r.drawHits = clone(old.drawHits, src.drawHits)
	r.rivalAdds = clone(old.rivalAdds, src.rivalAdds)
	r.targets = clone(old.targets, src.targets)
	r.shares = clone(old.shares, src.shares)
	r.counts = clone(old.counts, src.counts)
	r.slots = clone(old.slots, src.slots)
	r.snap = clone(old.snap, src.snap)
	r.cum = clone(old.cum, src.cum)

	// territory
	t, ot, st := &r.territory, &old.territory, &src.territory
	t.sites = clone(ot.sites, st.sites)
	t.present = clone(ot.present, st.present)
	t.home = clone(ot.home, st.home)
	t.funds = clone(ot.funds, st.funds)
	t.have = clone(ot.have, st.have)
	t.delivered = clone(ot.delivered, st.delivered)
	t.rivalsAt = clone(ot.rivalsAt, st.rivalsAt)
	t.routedGen = clone(ot.routedGen, st.routedGen)
	t.seize = clone(ot.seize, st.seize)
	t.lastSeize = clone(ot.lastSeize, st.lastSeize)
	t.cost = clone(ot.cost, st.cost)
	t.routes.Pass = clone(ot.routes.Pass, st.routes.Pass)
	t.routes.Cost = clone(ot.routes.Cost, st.routes.Cost)
	t.routes.Next = clone(ot.routes.Next, st.routes.Next)
	t.routes.Sea = clone(ot.routes.Sea, st.routes.Sea)
	// The router is scratch bound to the geography, which the worlds share: r keeps its
	// own, or gets one when it has none.
	t.router = ot.router
	if st.router != nil && (t.router == nil || t.router.g != st.router.g) {
		t.router = st.router.g.NewRouter()
	}
	t.memo = ot.memo
	if st.memo != nil {
		if t.memo == nil {
			t.memo = make(map[uint64]int, len(st.memo))
		}
		clear(t.memo)
		maps.Copy(t.memo, st.memo)
	}
	t.memoPass = cloneRows(ot.memoPass, st.memoPass)
	t.memoSea = cloneRows(ot.memoSea, st.memoSea)
	t.cells = clone(ot.cells, st.cells)
	t.weights = clone(ot.weights, st.weights)

	// space
	sp, osp, ssp := &r.space, &old.space, &src.space
	sp.dens = clone(osp.dens, ssp.dens)
	sp.adjDens = clone(osp.adjDens, ssp.adjDens)
	sp.local = clone(osp.local, ssp.local)
	sp.reach = clone(osp.reach, ssp.reach)
	sp.crowd = clone(osp.crowd, ssp.crowd)
	sp.deaths = clone(osp.deaths, ssp.deaths)
	sp.civilians = clone(osp.civilians, ssp.civilians)
	sp.homicides = clone(osp.homicides, ssp.homicides)
	sp.hits = clone(osp.hits, ssp.hits)
	sp.aim = clone(osp.aim, ssp.aim)
	sp.civ = clone(osp.civ, ssp.civ)
	sp.raids = clone(osp.raids, ssp.raids)
	sp.truceDens = clone(osp.truceDens, ssp.truceDens)
	sp.truceAdj = clone(osp.truceAdj, ssp.truceAdj)
	sp.level = clone(osp.level, ssp.level)
	sp.arrest = clone(osp.arrest, ssp.arrest)
	sp.other = clone(osp.other, ssp.other)
	sp.home = clone(osp.home, ssp.home)

	// statecraft (truces and inForce are by campaign: the caller copies them)
	s, ost := &r.statecraft, &old.statecraft
	s.grievance = clone(ost.grievance, src.grievance)
	s.truces = ost.truces
	s.inForce = ost.inForce
	s.inTruce = clone(ost.inTruce, src.inTruce)
	s.there = clone(ost.there, src.there)
	s.hits = clone(ost.hits, src.hits)
	// the escalation layer's campaign states are by campaign too (the caller copies them)
	s.esc.losses, s.esc.level, s.esc.ended = ost.esc.losses, ost.esc.level, ost.esc.ended
	s.esc.targets = clone(ost.esc.targets, src.esc.targets)

	// the replicate's own
	r.k1 = clone(old.k1, src.k1)
	r.k2 = clone(old.k2, src.k2)
	r.k3 = clone(old.k3, src.k3)
	r.k4 = clone(old.k4, src.k4)
	r.c2 = clone(old.c2, src.c2)
	r.warmUp = clone(old.warmUp, src.warmUp)
	// The branch has the source's past events; whether it records is its own setting.
	r.events = clone(old.events, src.events)
	r.recording = old.recording
	// err is never changed once set: shared.
}

// clone copies src into dst's memory, growing it if needed.
func clone[T any](dst, src []T) []T { return append(dst[:0], src...) }

// cloneRows copies src row by row, reusing dst's rows, those beyond its length included.
func cloneRows[T any](dst, src [][]T) [][]T {
	out := dst[:0]
	for i, row := range src {
		var buf []T
		if i < cap(dst) {
			buf = dst[:cap(dst)][i]
		}
		out = append(out, append(buf[:0], row...))
	}
	return out
}

// A Fork carries replicates of one world, at the end of a week, over to another world
// that agrees with it up to then (FirstDifference), so that the past they share is
// simulated once: a replicate of the source world stepped to the fork's week and carried
// over steps on exactly as a replicate of the target world would have from its Reset with
// the same random stream.
type Fork struct {
	from, to *World
	week     int
	// state[k] is the index of the source world's campaign whose state target campaign k
	// takes, or -1 for one that has not acted yet and starts afresh.
	state []int
}

// NewFork prepares carrying replicates of from, stepped to week (0: just Reset, after the
// warm-up), over to to. It fails when the worlds may differ by then.
func NewFork(from, to *World, week int) (*Fork, error) {
	if week < 0 {
		return nil, fmt.Errorf("model: a fork at week %d, want 0 (after the warm-up) or later", week)
	}
	if d := FirstDifference(from.cfg, to.cfg); d <= week {
		return nil, fmt.Errorf("model: cannot fork at week %d: the worlds may differ from week %d", week, d)
	}
	f := &Fork{from: from, to: to, week: week, state: make([]int, len(to.campaigns))}
	// A campaign that has been active by the fork's week was in force, in both worlds and
	// in the same order, acting alike (actsAs): the n-th such campaign of the target takes
	// the state of the n-th one alike in the source. Only ceasefires and campaigns that
	// respond to retaliation have a state of their own; alike ceasefires are equal in
	// every field, and alike responding campaigns in all but their end, which stops their
	// count of losses only when it comes.
	used := make([]bool, len(from.campaigns))
	for k, cp := range to.campaigns {
		f.state[k] = -1
		if cp.From >= week {
			continue
		}
		for j, src := range from.campaigns {
			if !used[j] && src.From < week && reflect.DeepEqual(actsAs(src.Intervention), actsAs(cp.Intervention)) {
				used[j], f.state[k] = true, j
				break
			}
		}
		if f.state[k] < 0 {
			return nil, fmt.Errorf("model: cannot fork at week %d: %s from week %d has no twin in the source world", week, cp.Kind, cp.From)
		}
	}
	return f, nil
}

// Branch sets dst, a replicate of the fork's target world, to the state of src, a
// replicate of its source world stepped to the fork's week; src is left as it is, and
// dst's memory is reused. Step dst on from the week after the fork's with a copy of the
// random stream src had reached.
func (f *Fork) Branch(dst, src *Replicate) error {
	switch {
	case src.w != f.from || dst.w != f.to:
		return fmt.Errorf("model: a fork branches replicates of its own worlds")
	case src.week != f.week:
		return fmt.Errorf("model: the fork is at week %d, the replicate at week %d", f.week, src.week)
	}
	dst.copyState(src)
	s := &dst.statecraft
	if !s.on {
		s.truces, s.inForce = s.truces[:0], s.inForce[:0]
		s.esc.losses, s.esc.level, s.esc.ended = s.esc.losses[:0], s.esc.level[:0], s.esc.ended[:0]
		return nil
	}
	n := len(f.to.campaigns)
	s.truces = resize(s.truces, n)
	s.inForce = resize(s.inForce, n)
	e, se := &s.esc, &src.esc
	e.losses, e.level, e.ended = resize(e.losses, n), resize(e.level, n), resize(e.ended, n)
	for k, j := range f.state {
		if j >= 0 {
			s.truces[k], s.inForce[k] = src.truces[j], src.inForce[j]
			e.losses[k], e.level[k], e.ended[k] = se.losses[j], se.level[j], se.ended[j]
		} else {
			s.truces[k], s.inForce[k] = truce{holding: f.to.campaigns[k].Kind == Ceasefire}, false
			e.losses[k], e.level[k], e.ended[k] = 0, 0, false
		}
	}
	return nil
}
