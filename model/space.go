package model

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// Conflict where groups meet (docs/space.md).
//
// In a world with geography every group holds a set of states, its home among them. Its
// members are placed on them: each state it holds other than its home has
// floor(members/(states held + 1)) of them and its home the rest, about twice as many (an
// assumption: a group's home is its stronghold, where it began and which it never leaves;
// the other states it holds are the ground its size lets it cover, one for every
// Economy.MembersPerState members, so an even share of them is the placement the spread
// rule implies). Whole members are placed, so the states' members add up exactly to the
// group's.
//
// A member of group i in state s is exposed to every other group j's members there, and
// more weakly, by the adjacent weight a, to j's members in the states adjacent to s, each
// with the pair's hostility H_ij = R_ij + b (its rivalry weight plus the baseline
// hostility b), among the N states of the geography:
//
//	e_i(s) = N sum_{j != i} H_ij (m_j(s) + a sum_{s' ~ s} m_j(s')) / (A_i + 1)
//
// and is killed at the hazard theta e_i(s). The factor N is the density of meeting: the
// paper's theta is a rate per pair of members mixing over the whole country, and members
// who mix within one of N states (of equal size) meet N times as often, so that groups
// spread evenly over every state fight, in total, as the paper's do (with a = 0). A
// group's exposure, (K c)_i of the placeless model, is its members' mean,
// sum_s m_i(s) e_i(s) / c_i, and the members it loses to conflict in a week are dealt out
// to its states in proportion to m_i(s) e_i(s): a death lands in the state where the
// member killed was. With a single state the kernel is the paper's,
// K_ij = (R_ij + b)/(A_i + 1). Worlds without geography keep the paper's kernel, b
// included.
//
// The baseline part sums per-state totals (every group's members by state, and those of
// the adjacent states), so a week costs O(groups x states they hold) for it and
// O(rivalry links x states held) for the rivalries: no pair of unrelated groups is
// visited.

// StateMetric indexes the per-state weekly metrics of a world with geography.
type StateMetric int

// The per-state metrics, in output order.
const (
	// StateHomicides are intentional homicides occurring in the state as INEGI registers
	// them: BaselineHomicideRate x population (the week's, with Config.Population),
	// the homicides organised crime does not
	// drive, plus OCHomicideRatio x the conflict deaths in the state. Civilians killed by
	// strikes and raids (StateCivilianCasualties) are not in them.
	StateHomicides          StateMetric = iota
	StateDeaths                         // cartel members killed in conflict in the state during the week
	StateCivilianCasualties             // civilians killed by strikes and raids in the state during the week
	StateLabs                           // working labs in the state at the end of the week
	StateGroupsPresent                  // living groups present in the state at the end of the week
	StateMembers                        // members placed in the state at the end of the week
	NumStateMetrics
)

var stateMetricInfo = [NumStateMetrics]MetricInfo{
	StateHomicides:          {"homicides", "people per week", true},
	StateDeaths:             {"deaths", "people per week", true},
	StateCivilianCasualties: {"civilian_casualties", "people per week", true},
	StateLabs:               {"labs", "labs", false},
	StateGroupsPresent:      {"groups_present", "groups", false},
	StateMembers:            {"members", "people", false},
}

// Info returns the per-state metric's name, unit and kind.
func (m StateMetric) Info() MetricInfo { return stateMetricInfo[m] }

// String returns the per-state metric's name.
func (m StateMetric) String() string { return stateMetricInfo[m].Name }

// space is a replicate's spatial conflict: the week's kernel parameters, scratch for the
// exposure and the week's flows by state. Off (on false) without geography.
type space struct {
	on                  bool
	states              int
	hostility, adjacent float64   // the week's baseline hostility b and adjacent weight a
	sharing             bool      // the week's Params.SaturationSharing is above 0: crowd is needed
	dens, adjDens       []float64 // by state: members, and members in the adjacent states
	local               []float64 // by slot and state: e_i(s), for the states slot i holds
	reach               []float64 // by slot and state: scratch of spatialExposure
	// crowd is, by slot, the members around a group's (Params.SaturationSharing): the
	// members of every group in each state it holds, weighted by its own there, in the
	// units of a group alone, whose crowd is its own size; 0 unless sharing.
	crowd               []float64
	other, home         []float64 // by slot: members placed in each state held but home, and at home
	deaths, civilians   []float64 // by state: the week's flows
	homicides           []float64
	hits, aim, civ      []float64 // by state, for one strike or raid campaign: labs hit, labs aimed at, civilians killed
	raids               []float64 // by state, for one raid campaign: raids made (escalation.go)
	truceDens, truceAdj []float64 // by state: members in the ceasefire being applied
	deployed            bool      // some deployment is in force this week (deployment.go)
	level, arrest       []float64 // by state: the deployments' level; by slot: their arrest hazard
}

func (sp *space) reset(w *World, t *territory) {
	p := w.cfg.Params
	sp.hostility, sp.adjacent, sp.sharing = p.BaselineHostility, p.AdjacentWeight, p.SaturationSharing > 0
	sp.on = w.cfg.Geography != nil && t.regions > 0
	if !sp.on {
		return
	}
	sp.states = w.cfg.Geography.Len()
	for _, s := range []*[]float64{&sp.dens, &sp.adjDens, &sp.deaths, &sp.civilians, &sp.homicides, &sp.hits, &sp.aim, &sp.civ, &sp.raids, &sp.truceDens, &sp.truceAdj} {
		*s = resize(*s, sp.states)
		clear(*s)
	}
}

// placed returns the members a group of x members holding the states in mask places in
// each state it holds other than its home, and in its home.
func placed(x float64, mask uint64) (other, home float64) {
	n := bits.OnesCount64(mask)
	if n <= 1 {
		return 0, x
	}
	other = math.Floor(x / float64(n+1))
	return other, x - float64(float64(n-1)*other)
}

// membersAround returns what a group with other and home members per state (home at
// state home) places in the states of mask adjacent to state v, and in v itself.
func membersAround(geo *Geography, mask uint64, home, v int, other, homeMembers float64) (around, in float64) {
	near := geo.adj[v] & mask
	around = float64(other * float64(bits.OnesCount64(near)))
	if near&(1<<home) != 0 {
		around += homeMembers - other
	}
	if mask&(1<<v) != 0 {
		in = other
		if v == home {
			in = homeMembers
		}
	}
	return around, in
}

// spatialExposure sets out[i] to group i's mean exposure, and the scratch local to each
// member's exposure by the states it holds, for sizes c.
func (g *groups) spatialExposure(geo *Geography, c, out []float64) {
	sp := &g.space
	t := &g.territory
	n := sp.states
	clear(sp.dens)
	sp.other = resize(sp.other, len(c))
	sp.home = resize(sp.home, len(c))
	b, a := sp.hostility, sp.adjacent
	// reach[j*n+v] is what a rival meets of group j in state v, in v itself and, weighted
	// by a, around it: the same for every rival, so it is worked out once a week.
	sp.reach = resize(sp.reach, len(c)*n)
	clear(sp.reach)
	for j, x := range c {
		sp.other[j], sp.home[j] = 0, 0
		if !g.alive(j) || x <= 0 {
			continue
		}
		o, h := placed(x, t.present[j])
		sp.other[j], sp.home[j] = o, h
		mask := t.present[j]
		// Adjacency is symmetric, so the states next to one held are the neighbours of
		// those held: cover is where membersAround may be non-zero.
		cover := mask
		for m := mask; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			if v == t.home[j] {
				sp.dens[v] += h
			} else {
				sp.dens[v] += o
			}
			cover |= geo.adj[v]
		}
		row := sp.reach[j*n : (j+1)*n]
		for m := cover; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			around, in := membersAround(geo, mask, t.home[j], v, o, h)
			row[v] = in + float64(a*around)
		}
	}
	for v := range n {
		a := 0.0
		for m := geo.adj[v]; m != 0; m &= m - 1 {
			a += sp.dens[bits.TrailingZeros64(m)]
		}
		sp.adjDens[v] = a
	}
	sp.local = resize(sp.local, len(c)*n)
	sp.crowd = resize(sp.crowd, len(c))
	out = out[:len(c)]
	// A group's own members by state (the masks are 64 bits): each entry read is written
	// first for the same group, so the array is not cleared between groups.
	var owns [64]float64
	for i, x := range c {
		out[i], sp.crowd[i] = 0, 0
		if !g.alive(i) || x <= 0 {
			continue
		}
		loc := sp.local[i*n : (i+1)*n]
		mask, home := t.present[i], t.home[i]
		o, h := sp.other[i], sp.home[i]
		total, crowd, self := 0.0, 0.0, 0.0
		for m := mask; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			ownAround, own := membersAround(geo, mask, home, v, o, h)
			owns[v] = own
			if sp.sharing {
				crowd += float64(own * sp.dens[v])
				self += float64(own * own)
			}
			loc[v] = 0
			if b != 0 {
				loc[v] = float64(b * (max(0, sp.dens[v]-own) + float64(a*max(0, sp.adjDens[v]-ownAround))))
			}
		}
		// Each state's sum adds the rivals in list order, in a register: a group in one
		// state in one sum; one in several four states at a time, so that a pass over the
		// rivals reads each one's row of reach once for four sums that do not wait on one
		// another.
		several := mask
		if mask != 0 && mask&(mask-1) == 0 {
			v := bits.TrailingZeros64(mask)
			e := loc[v]
			for _, l := range g.rivals[i] {
				e += float64(l.weight * sp.reach[l.to*n+v])
			}
			loc[v] = e
			several = 0
		}
		for m := several; m != 0; {
			v0 := bits.TrailingZeros64(m)
			m &= m - 1
			v1, v2, v3 := v0, v0, v0 // fewer than four: the first state again, its sums discarded
			k := 1
			if m != 0 {
				v1, m, k = bits.TrailingZeros64(m), m&(m-1), 2
			}
			if m != 0 {
				v2, m, k = bits.TrailingZeros64(m), m&(m-1), 3
			}
			if m != 0 {
				v3, m, k = bits.TrailingZeros64(m), m&(m-1), 4
			}
			e0, e1, e2, e3 := loc[v0], loc[v1], loc[v2], loc[v3]
			for _, l := range g.rivals[i] {
				row := sp.reach[l.to*n : (l.to+1)*n]
				e0 += float64(l.weight * row[v0])
				e1 += float64(l.weight * row[v1])
				e2 += float64(l.weight * row[v2])
				e3 += float64(l.weight * row[v3])
			}
			loc[v0] = e0
			if k > 1 {
				loc[v1] = e1
			}
			if k > 2 {
				loc[v2] = e2
			}
			if k > 3 {
				loc[v3] = e3
			}
		}
		scale := g.invAllies[i] * float64(n)
		for m := mask; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			e := loc[v] * scale
			loc[v] = e
			total += float64(owns[v] * e)
		}
		out[i] = total / x
		if self > 0 {
			sp.crowd[i] = float64(x*crowd) / self
		}
	}
}

// spatialTruce takes the conflict between the groups of a holding ceasefire (inTruce by
// slot) out of their exposure, by intensity: the spatial form of truceExposure.
func (r *Replicate) spatialTruce(c []float64, inTruce []bool, intensity float64) {
	sp := &r.space
	t := &r.territory
	geo := r.w.cfg.Geography
	n := sp.states
	clear(sp.truceDens)
	for j, x := range c {
		if !inTruce[j] || x <= 0 {
			continue
		}
		o, h := placed(x, t.present[j])
		for m := t.present[j]; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			if v == t.home[j] {
				sp.truceDens[v] += h
			} else {
				sp.truceDens[v] += o
			}
		}
	}
	for v := range n {
		a := 0.0
		for m := geo.adj[v]; m != 0; m &= m - 1 {
			a += sp.truceDens[bits.TrailingZeros64(m)]
		}
		sp.truceAdj[v] = a
	}
	b, a := sp.hostility, sp.adjacent
	for i, x := range c {
		if !inTruce[i] || x <= 0 {
			continue
		}
		loc := sp.local[i*n : (i+1)*n]
		mask, home := t.present[i], t.home[i]
		o, h := placed(x, mask)
		total := 0.0
		for m := mask; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			ownAround, own := membersAround(geo, mask, home, v, o, h)
			e := float64(b * (max(0, sp.truceDens[v]-own) + float64(a*max(0, sp.truceAdj[v]-ownAround))))
			for _, l := range r.rivals[i] {
				j := l.to
				if !inTruce[j] || c[j] <= 0 {
					continue
				}
				oj, hj := placed(c[j], t.present[j])
				around, in := membersAround(geo, t.present[j], t.home[j], v, oj, hj)
				e += float64(l.weight * (in + float64(a*around)))
			}
			loc[v] = max(0, loc[v]-float64(intensity*e*r.invAllies[i]*float64(n)))
			total += float64(own * loc[v])
		}
		r.exposure[i] = total / x
	}
}

// locateDeaths deals group i's killed members of the week out to the states it holds, in
// proportion to m_i(s) e_i(s) (a multinomial draw, as sequential binomials; none when
// one state carries all the hazard).
func (r *Replicate) locateDeaths(i int, killed float64, rng *rand.Rand) {
	sp := &r.space
	t := &r.territory
	loc := sp.local[i*sp.states : (i+1)*sp.states]
	mask, home := t.present[i], t.home[i]
	o, h := placed(r.c[i], mask)
	weight := func(v int) float64 {
		if v == home {
			return h * loc[v]
		}
		return o * loc[v]
	}
	total, last := 0.0, home
	for m := mask; m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		if w := weight(v); w > 0 {
			total += w
			last = v
		}
	}
	left := killed
	for m := mask; m != 0 && left > 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		w := weight(v)
		if w <= 0 {
			continue
		}
		k := left
		if v != last {
			k = Binomial(rng, left, min(1, w/total))
		}
		sp.deaths[v] += k
		left -= k
		total -= w
	}
	if left > 0 { // no hazard anywhere: cannot happen, as killed > 0 needs one
		sp.deaths[home] += left
	}
}

// strikeWeek ends one strike campaign's week on the states: it deals the civilians the
// campaign killed out to the states its strikes hit, in proportion to the labs hit there
// (or to the labs aimed at, when every strike missed; a multinomial draw, none when one
// state takes them all), and records a strike event for every state with labs hit or
// civilians killed.
func (r *Replicate) strikeWeek(wk int, killed float64, cells []labCell, rng *rand.Rand) {
	sp := &r.space
	defer clear(sp.hits)
	defer clear(sp.aim)
	defer clear(sp.civ)
	if killed > 0 {
		weights := sp.hits
		if !slices.ContainsFunc(weights, func(w float64) bool { return w > 0 }) {
			for _, c := range cells {
				sp.aim[c.state] += r.territory.slot(c.slot)[c.state].labs
			}
			weights = sp.aim
		}
		if left := sp.deal(killed, weights, rng); left > 0 && len(cells) > 0 { // no weight anywhere: cannot happen, as strikes need labs
			v := cells[0].state
			sp.civ[v] += left
			sp.civilians[v] += left
		}
	}
	r.noteStrikes(wk)
}

// raidWeek ends one raid campaign's week on the states: it deals the civilians the raids
// killed out to the states where they were made (sp.raids: a raid that destroyed a lab
// where the lab was, any other at the raided group's home), in proportion to the raids
// made in each, as strikeWeek deals a strike's; there they are owed grievance recruits
// (Policy.RecruitsPerCasualty each), and a strike event is recorded for every state with
// labs destroyed or civilians killed.
func (r *Replicate) raidWeek(wk int, killed float64, rng *rand.Rand) {
	sp := &r.space
	defer clear(sp.hits)
	defer clear(sp.raids)
	defer clear(sp.civ)
	if killed > 0 {
		sp.deal(killed, sp.raids, rng)
		per := r.w.cfg.Policy.RecruitsPerCasualty
		for v, k := range sp.civ {
			if k > 0 {
				r.grievance[v] += float64(per * k)
			}
		}
	}
	r.noteStrikes(wk)
}

// deal deals killed civilians out to the states in proportion to weights (a multinomial
// draw, none when one state takes them all), adding them to the week's and the
// campaign's, and returns those left when no state has weight.
func (sp *space) deal(killed float64, weights []float64, rng *rand.Rand) (left float64) {
	total, last := 0.0, -1
	for v, w := range weights {
		if w > 0 {
			total += w
			last = v
		}
	}
	left = killed
	for v, w := range weights {
		if w <= 0 || left <= 0 {
			continue
		}
		k := left
		if v != last {
			k = Binomial(rng, left, min(1, w/total))
		}
		sp.civ[v] += k
		sp.civilians[v] += k
		left -= k
		total -= w
	}
	return left
}

// noteStrikes records a strike event for every state where the campaign just run hit labs
// or killed civilians.
func (r *Replicate) noteStrikes(wk int) {
	if !r.recording {
		return
	}
	sp := &r.space
	for v := range sp.states {
		if sp.hits[v] > 0 || sp.civ[v] > 0 {
			r.note(wk, EventStrike, -1, v, -1, sp.hits[v], sp.civ[v])
		}
	}
}

// largestPresence is the state where group i places the most members (ties: the lowest
// index), -1 without geography.
func (r *Replicate) largestPresence(i int) int {
	if !r.space.on {
		return -1
	}
	t := &r.territory
	o, h := placed(r.c[i], t.present[i])
	best, most := -1, -1.0
	for m := t.present[i]; m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		x := o
		if v == t.home[i] {
			x = h
		}
		if x > most {
			best, most = v, x
		}
	}
	return best
}

// homicideWeek sets the week's homicides by state and returns their national total,
// summed over the states in index order.
func (r *Replicate) homicideWeek(p Params) float64 {
	sp := &r.space
	geo := r.w.cfg.Geography
	f := r.w.populationFactor(r.week) // 1 without a Population: the census counts
	total := 0.0
	for v := range sp.states {
		h := float64(p.BaselineHomicideRate*float64(geo.States[v].Population*f)/1e5/WeeksPerYear) + float64(p.OCHomicideRatio*sp.deaths[v])
		sp.homicides[v] = h
		total += h
	}
	return total
}

// StateWeek writes the per-state values of the week last stepped into
// out[s*int(NumStateMetrics)+int(m)] for s in 0..Geography().Len()-1 (states only, not
// abroad): flows of that week, stocks at its end. It does nothing in worlds without
// geography. It allocates nothing.
//
// Summed over the states in index order from 0, homicides, deaths and civilian
// casualties equal the week's national Homicides, Deaths and CivilianCasualties exactly
// (no one is killed abroad: only labs are there), and members equal Members.
func (r *Replicate) StateWeek(out []float64) {
	sp := &r.space
	if !sp.on {
		return
	}
	const k = int(NumStateMetrics)
	out = out[:sp.states*k]
	clear(out)
	for v := range sp.states {
		out[v*k+int(StateHomicides)] = sp.homicides[v]
		out[v*k+int(StateDeaths)] = sp.deaths[v]
		out[v*k+int(StateCivilianCasualties)] = sp.civilians[v]
	}
	t := &r.territory
	economy := r.w.HasEconomy()
	for i, x := range r.c {
		if !r.alive(i) {
			continue
		}
		o, h := placed(x, t.present[i])
		for m := t.present[i]; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			if v == t.home[i] {
				out[v*k+int(StateMembers)] += h
			} else {
				out[v*k+int(StateMembers)] += o
			}
			if x >= 1 {
				out[v*k+int(StateGroupsPresent)]++
			}
			if economy {
				out[v*k+int(StateLabs)] += t.slot(i)[v].labs
			}
		}
	}
}

// EventKind is the kind of an event of the event log.
type EventKind uint8

// The event kinds.
const (
	EventCapture            EventKind = iota // a leader captured (Value: the group's members)
	EventKilling                             // a leader killed (Value: the group's members)
	EventSplit                               // a succession war split the group (Other: the first new faction's lineage index, -1 if the world had no room; Value: new factions)
	EventSuccession                          // a leader replaced without a split
	EventStrike                              // a strike/raid hit labs in the state (Value: labs destroyed, Value2: civilian casualties)
	EventCeasefireStart                      // a ceasefire began (Group, Other: its first two named groups, -1 if none)
	EventCeasefireBreakdown                  // a ceasefire broke down (Group, Other as at its start)
	NumEventKinds
)

var eventNames = [NumEventKinds]string{"capture", "killing", "split", "succession", "strike", "ceasefire_start", "ceasefire_breakdown"}

func (k EventKind) String() string { return eventNames[k] }

// Event is one event of the event log.
type Event struct {
	Week          int // as Step numbers weeks (warm-up weeks <= 0 are never recorded)
	Kind          EventKind
	Group         int // lineage index (index into Replicate.Lineage()), -1 if none
	State         int // state index in the Geography, -1 if none or no geography
	Other         int // second lineage index (split: new faction; ceasefire: other party), -1 if none
	Value, Value2 float64
}

// RecordEvents switches the event log on or off (off by default: it then costs nothing).
// The setting survives Reset; recording draws no random number and changes no metric.
func (r *Replicate) RecordEvents(on bool) { r.recording = on }

// Events returns the events since Reset, in order; the slice is the replicate's own.
func (r *Replicate) Events() []Event { return r.events }

// note records an event when the log is on and the week is not a warm-up week.
func (r *Replicate) note(wk int, kind EventKind, group, state, other int, v, v2 float64) {
	if !r.recording || wk <= 0 {
		return
	}
	r.events = append(r.events, Event{Week: wk, Kind: kind, Group: group, State: state, Other: other, Value: v, Value2: v2})
}

// ceasefireParties returns the lineage indices of a ceasefire's first two named groups.
func ceasefireParties(cp *campaign) (a, b int) {
	a, b = -1, -1
	for k, named := range cp.named {
		if !named {
			continue
		}
		if a < 0 {
			a = k
		} else {
			b = k
			break
		}
	}
	return a, b
}
