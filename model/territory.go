package model

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// site is one group's labs in one region: a state, or abroad.
type site struct {
	labs     float64 // working labs
	pending  float64 // labs lost here awaiting rebuilding
	pressure float64 // labs lost here lately, decaying with Economy.PressureWeeks
	pass     float64 // share of shipments from here that reach the US
	sea      float64 // share of shipments from here that set sail (sea.go)
	output   float64 // this week's doses
}

// territory is a replicate's economy (see Economy): where each group is, its labs,
// savings and routes, by slot, and the week's market. Empty without geography; with a
// Territory and no economy, only where each group is (its labs stay at zero).
type territory struct {
	regions   int    // states + abroad; 0 without geography
	abroad    uint64 // abroad's bit: 1 << (regions-1)
	sites     []site // regions per slot
	present   []uint64
	home      []int
	funds     []float64
	have      []float64 // labs + pending, by slot, as of this week's production
	delivered []float64 // doses that reached the US this week, by slot
	rivalsAt  []uint64  // states held by rivals when the slot's routes were computed
	routedGen []uint64  // the policy generation of the slot's routes; 0: none yet

	// The week's policy: interdiction shares by state and at the border, and the demand
	// multiplier. gen changes whenever the shares do, so that routes are recomputed only
	// then (or when a group's rivals move).
	seize, lastSeize   []float64
	border, lastBorder float64
	demand             float64
	price              float64 // last week's clearing price; 0 before the first sale
	gen                uint64
	cost               []float64
	routes             Routes
	router             *Router
	// memo keeps the routes of this generation by the rival-held states they were
	// computed for (the only other input): groups whose rivals hold the same states share
	// them, as most large groups come to do when their rivals are everywhere.
	memo     map[uint64]int
	memoPass [][]float64
	memoSea  [][]float64 // Routes.Sea, kept alongside memoPass while the lanes are open
	// The week's sea lanes and share of boats struck, the lanes of the last routes, and
	// the doses that sailed this week (sea.go).
	sea, lastSea SeaLanes
	struck       float64
	seaborne     float64

	// This week's counts, for the conservation checks: labs and pending rebuilds that
	// ended with their group, labs built and labs closed; and routes computed since reset.
	lost, built, closed float64
	routings            int
	overdose            overdose // the US side's lagged exposure (overdose.go)
	cells               []labCell
	weights             []float64
}

// labCell is a strike's candidate: a group's labs in one state.
type labCell struct{ slot, state int }

func (t *territory) slot(i int) []site { return t.sites[i*t.regions : (i+1)*t.regions] }

// reset places the world's initial groups in their states, without labs yet.
func (t *territory) reset(w *World, n int) {
	t.regions = 0
	if !w.HasGeography() {
		return
	}
	states := w.cfg.Geography.Len()
	t.regions = states + 1
	t.abroad = 1 << states
	t.sites = resize(t.sites, n*t.regions)
	clear(t.sites)
	t.present = resize(t.present, n)
	t.home = resize(t.home, n)
	for _, s := range []*[]float64{&t.funds, &t.have, &t.delivered} {
		*s = resize(*s, n)
		clear(*s)
	}
	t.rivalsAt = resize(t.rivalsAt, n)
	t.routedGen = resize(t.routedGen, n)
	clear(t.rivalsAt)
	clear(t.routedGen)
	for i := range n {
		t.home[i] = w.homes[i]
		t.present[i] = w.held[i]
	}
	if t.router == nil || t.router.g != w.cfg.Geography {
		t.router = w.cfg.Geography.NewRouter()
	}
	t.seize = resize(t.seize, states)
	t.lastSeize = resize(t.lastSeize, states)
	t.cost = resize(t.cost, states)
	clear(t.seize)
	clear(t.lastSeize)
	t.border, t.lastBorder = w.econ.BorderSeizure, w.econ.BorderSeizure
	t.sea, t.lastSea, t.struck, t.seaborne = SeaLanes{}, SeaLanes{}, 0, 0
	t.demand, t.gen, t.routings = 1, 1, 0
	t.overdose = overdose{}
	t.clearMemo()
}

// grow adds a slot.
func (t *territory) grow() {
	if t.regions == 0 {
		return
	}
	for range t.regions {
		t.sites = append(t.sites, site{})
	}
	t.present = append(t.present, 0)
	t.home = append(t.home, 0)
	t.funds = append(t.funds, 0)
	t.have = append(t.have, 0)
	t.delivered = append(t.delivered, 0)
	t.rivalsAt = append(t.rivalsAt, 0)
	t.routedGen = append(t.routedGen, 0)
}

// clearSlot empties an ended group's slot; labs still there are lost with it.
func (t *territory) clearSlot(i int) {
	if t.regions == 0 {
		return
	}
	for _, s := range t.slot(i) {
		t.lost += s.labs + s.pending
	}
	clear(t.slot(i))
	t.present[i], t.funds[i], t.have[i], t.delivered[i], t.routedGen[i] = 0, 0, 0, 0, 0
}

// merge hands group i's territory, labs and savings to group j, which absorbs it.
func (t *territory) merge(i, j int) {
	if t.regions == 0 {
		return
	}
	from, to := t.slot(i), t.slot(j)
	for v := range from {
		to[v].labs += from[v].labs
		to[v].pending += from[v].pending
		to[v].pressure = max(to[v].pressure, from[v].pressure)
	}
	clear(from)
	t.present[j] |= t.present[i]
	t.funds[j] += t.funds[i]
	t.funds[i] = 0
}

// pickState draws a state of mask in proportion to t.weights, one for each state of
// mask in increasing order, which sum to total; -1 if the total is zero.
func (t *territory) pickState(mask uint64, total float64, rng *rand.Rand) int {
	if total <= 0 {
		return -1
	}
	u := rng.Float64() * total
	last := -1
	k := 0
	for m := mask; m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		if t.weights[k] > 0 {
			last = v
			if u -= t.weights[k]; u < 0 {
				return v
			}
		}
		k++
	}
	return last // rounding left u just short of zero
}

// quietState draws one of group i's states other than except (-1 for none) in
// proportion to 1/(1 + pressure): where new and moved labs go. It returns except when
// the group holds no other state.
func (t *territory) quietState(i, except int, rng *rand.Rand) int {
	mask := t.present[i]
	if except >= 0 {
		mask &^= 1 << except
	}
	sites := t.slot(i)
	t.weights = t.weights[:0]
	total := 0.0
	for m := mask; m != 0; m &= m - 1 {
		x := 1 / (1 + sites[bits.TrailingZeros64(m)].pressure)
		t.weights = append(t.weights, x)
		total += x
	}
	v := t.pickState(mask, total, rng)
	if v < 0 {
		return except
	}
	return v
}

// pickShare draws a faction index in proportion to shares (which sum to 1).
func pickShare(shares []float64, rng *rand.Rand) int {
	u := rng.Float64()
	for j, s := range shares {
		if u -= s; u < 0 {
			return j
		}
	}
	return len(shares) - 1
}

// divideTerritory gives the factions of a split (slots[0] is the parent, which keeps the
// largest share) their territory: every faction stays in the home state, where labs and
// rebuilds are dealt out multinomially, as they are abroad; each other state goes whole,
// labs and all, to one faction drawn by shares. Savings are divided by shares.
func (r *Replicate) divideTerritory(slots []int, shares []float64, rng *rand.Rand) {
	t := &r.territory
	if t.regions == 0 {
		return
	}
	i := slots[0]
	home := t.home[i]
	funds := t.funds[i]
	for j, s := range slots {
		t.funds[s] = funds * shares[j]
		if j > 0 {
			t.home[s], t.present[s] = home, 1<<home
		}
	}
	parent := t.slot(i)
	for m := t.present[i] &^ (1 << home); m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		f := pickShare(shares, rng)
		if f == 0 {
			continue
		}
		s := slots[f]
		t.slot(s)[v] = parent[v]
		parent[v] = site{}
		t.present[i] &^= 1 << v
		t.present[s] |= 1 << v
	}
	for _, v := range [2]int{home, t.regions - 1} {
		for _, field := range [2]func(*site) *float64{
			func(x *site) *float64 { return &x.labs },
			func(x *site) *float64 { return &x.pending },
		} {
			left, leftShare := *field(&parent[v]), 1.0
			if left == 0 {
				continue
			}
			for j := 1; j < len(slots); j++ {
				n := Binomial(rng, left, min(1, shares[j]/leftShare))
				*field(&t.slot(slots[j])[v]) = n
				left -= n
				leftShare -= shares[j]
			}
			*field(&parent[v]) = left
		}
		for _, s := range slots[1:] {
			t.slot(s)[v].pressure = parent[v].pressure
		}
	}
}

// placeNewGroup sets a new local group in one of its parent's states, drawn uniformly.
func (r *Replicate) placeNewGroup(s, parent int, rng *rand.Rand) {
	t := &r.territory
	if t.regions == 0 {
		return
	}
	mask := t.present[parent]
	k := rng.IntN(bits.OnesCount64(mask))
	for ; k > 0; k-- {
		mask &= mask - 1
	}
	v := bits.TrailingZeros64(mask)
	t.home[s], t.present[s] = v, 1<<v
}

// seedLabs gives each initial group its share of the labs the market needs, in its home
// state, and a year's savings, so that a world starts in balance.
func (r *Replicate) seedLabs() {
	t := &r.territory
	e := &r.w.econ
	total := 0.0
	for _, x := range r.c {
		total += x
	}
	if total <= 0 {
		return
	}
	need := e.labsNeeded(1)
	ref := e.ReferencePrice * e.ReferenceDemand
	for i, x := range r.c {
		t.slot(i)[t.home[i]].labs = math.Floor(need*x/total + 0.5)
		t.funds[i] = WeeksPerYear * e.Reinvestment * ref * x / total
	}
}

// economyWeek runs the week's territory, strikes, labs, production, trafficking and
// market (see Economy) and writes their metrics.
func (r *Replicate) economyWeek(wk int, p Params, rng *rand.Rand, out []float64) {
	t := &r.territory
	t.built, t.closed = 0, 0
	r.policy(wk)
	r.spread(rng)
	destroyed, casualties := r.strike(wk, p, rng)
	destroyed += r.canadaWeek(wk, rng)
	destroyed += r.esc.raidLabs
	r.equip(rng)
	r.produce(out)
	r.ship()
	r.sell(out)
	r.overdoseWeek(wk, out)
	r.seaWeek(wk, out)
	out[LabsDestroyed] = destroyed
	out[CivilianCasualties] += casualties // after the raids' (escalation.go)
}

// policy sets the week's interdiction and demand from the active interventions, and a new
// generation of routes when the interdiction shares changed.
func (r *Replicate) policy(wk int) {
	t := &r.territory
	clear(t.seize)
	t.border, t.demand = r.w.econ.BorderSeizure, 1
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if !cp.Active(wk) {
			continue
		}
		switch cp.Kind {
		case Interdiction:
			share := min(1, cp.Intensity*r.reach(cp.Actor))
			if cp.states == 0 {
				t.border = combineShares(t.border, share)
			}
			for m := cp.states; m != 0; m &= m - 1 {
				v := bits.TrailingZeros64(m)
				t.seize[v] = combineShares(t.seize[v], share)
			}
		case DemandReduction:
			t.demand *= 1 - cp.rampedIntensity(wk)
		}
	}
	r.seaPolicy(wk)
	changed := t.border != t.lastBorder || t.sea != t.lastSea
	for v, x := range t.seize {
		changed = changed || x != t.lastSeize[v]
	}
	if changed {
		t.gen++
		t.clearMemo()
		copy(t.lastSeize, t.seize)
		t.lastBorder = t.border
		t.lastSea = t.sea
	}
}

// spread lets groups take or leave states to match their size (see Economy and
// Territory).
func (r *Replicate) spread(rng *rand.Rand) {
	t := &r.territory
	e := &r.w.terr
	n := float64(r.w.cfg.Geography.Len())
	p := -fpmath.Expm1(-1 / e.ExpansionWeeks)
	for i, x := range r.c {
		if !r.alive(i) {
			continue
		}
		held := float64(bits.OnesCount64(t.present[i]))
		capacity := min(n, 1+math.Floor(x/e.MembersPerState))
		switch {
		case held < capacity:
			if rng.Float64() < p {
				r.expand(i, rng)
			}
		case held > capacity+1:
			if rng.Float64() < p {
				r.withdraw(i, rng)
			}
		}
	}
}

// expand takes a state adjacent to group i's, drawn in proportion to its population over
// one plus the rivals already there.
func (r *Replicate) expand(i int, rng *rand.Rand) {
	t := &r.territory
	geo := r.w.cfg.Geography
	var cand uint64
	for m := t.present[i]; m != 0; m &= m - 1 {
		cand |= geo.adj[bits.TrailingZeros64(m)]
	}
	cand &^= t.present[i]
	t.weights = t.weights[:0]
	total := 0.0
	for m := cand; m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		rivals := 0.0
		for _, l := range r.rivals[i] {
			if t.present[l.to]&(1<<v) != 0 {
				rivals++
			}
		}
		x := geo.States[v].Population / (1 + rivals)
		t.weights = append(t.weights, x)
		total += x
	}
	if v := t.pickState(cand, total, rng); v >= 0 {
		t.present[i] |= 1 << v
	}
}

// withdraw leaves group i's state with the fewest labs (other than its home), moving its
// labs and rebuilds to a quiet state it keeps; without an economy, a state drawn by
// withdrawAt.
func (r *Replicate) withdraw(i int, rng *rand.Rand) {
	t := &r.territory
	if !r.economyOn(r.week) {
		if v := r.withdrawAt(i, rng); v >= 0 {
			t.present[i] &^= 1 << v
		}
		return
	}
	sites := t.slot(i)
	leave, fewest := -1, math.Inf(1)
	for m := t.present[i] &^ (1 << t.home[i]); m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		if k := sites[v].labs + sites[v].pending; k < fewest {
			leave, fewest = v, k
		}
	}
	if leave < 0 {
		return
	}
	t.present[i] &^= 1 << leave
	to := t.quietState(i, -1, rng)
	sites[to].labs += sites[leave].labs
	sites[to].pending += sites[leave].pending
	sites[leave] = site{}
}

// withdrawAt draws the state other than its home that group i, with no labs to choose
// by, leaves: in proportion to one plus the rivals there over the state's population, the
// inverse of expand's weight (see Territory); -1 if it holds only its home.
func (r *Replicate) withdrawAt(i int, rng *rand.Rand) int {
	t := &r.territory
	geo := r.w.cfg.Geography
	mask := t.present[i] &^ (1 << t.home[i])
	t.weights = t.weights[:0]
	total := 0.0
	for m := mask; m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		rivals := 0.0
		for _, l := range r.rivals[i] {
			if t.present[l.to]&(1<<v) != 0 {
				rivals++
			}
		}
		x := (1 + rivals) / max(geo.States[v].Population, 1) // a state of no one: left first
		t.weights = append(t.weights, x)
		total += x
	}
	return t.pickState(mask, total, rng)
}

// strike runs the week's airstrikes and raids, returning the labs destroyed and the
// civilians killed.
func (r *Replicate) strike(wk int, p Params, rng *rand.Rand) (destroyed, casualties float64) {
	t := &r.territory
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if !cp.Kind.StrikesLabs() || !r.running(k, wk) || cp.Intensity == 0 || cp.Actor == Canada {
			continue
		}
		cells := t.cells[:0]
		total := 0.0
		for i := range r.c {
			if !r.alive(i) {
				continue
			}
			if cp.named != nil && !r.named(cp, i) {
				continue
			}
			mask := t.present[i]
			if cp.states != 0 {
				mask &= cp.states
			}
			sites := t.slot(i)
			for m := mask; m != 0; m &= m - 1 {
				if v := bits.TrailingZeros64(m); sites[v].labs > 0 {
					cells = append(cells, labCell{i, v})
					total += sites[v].labs
				}
			}
		}
		t.cells = cells
		if total == 0 {
			continue // nothing to aim at
		}
		strikes := Poisson(rng, r.intensity(k)*r.reach(cp.Actor))
		accuracy := min(1, p.Intelligence*r.intelligence(cp.Actor))
		made := 0.0
		if strikes <= manyStrikes {
			// Strike by strike: each hits with probability accuracy, until the labs
			// run out.
			for ; made < strikes && total > 0; made++ {
				if rng.Float64() >= accuracy {
					continue // a miss
				}
				r.hitLab(cp, cells, total, rng)
				total--
				destroyed++
			}
		} else {
			// Hit by hit: the misses before each hit are geometric (the failures before
			// a success of probability accuracy), floor(E/c) for E ~ Exp(1) and
			// c = -log(1 - accuracy), so the work is one draw per hit (at most the labs)
			// rather than one per strike, which intensities up to 1e12 a week make
			// endless; the strikes made and the hits have the strike-by-strike
			// distribution.
			c := -fpmath.Log1p(-accuracy)
			for total > 0 {
				misses := strikes - made // no hit among the rest, when accuracy is 0
				if c > 0 {
					misses = math.Floor(fpmath.ExpFloat64(rng) / c)
				}
				if made+misses >= strikes {
					made = strikes
					break
				}
				made += misses + 1
				r.hitLab(cp, cells, total, rng)
				total--
				destroyed++
			}
		}
		r.countAction(cp.Actor, made)
		killed := 0.0
		if made > 0 && cp.Casualties > 0 {
			killed = Poisson(rng, made*cp.Casualties*r.casualtyScale())
			casualties += killed
			if r.statecraft.on {
				r.blame(killed, cells)
			}
		}
		if r.space.on {
			r.strikeWeek(wk, killed, cells, rng)
		}
	}
	return destroyed, casualties
}

// manyStrikes is the number of strikes in a week of one campaign above which strike
// draws its hits rather than each strike. The shipped scenarios make about 20 a week, so
// they never reach it and keep their random streams.
const manyStrikes = 1000

// hitLab destroys one of the labs in cells, drawn uniformly among the total, leaving it
// to be rebuilt, and returns its state.
func (r *Replicate) hitLab(cp *campaign, cells []labCell, total float64, rng *rand.Rand) int {
	t := &r.territory
	u := rng.Float64() * total
	var hit *site
	hitState := 0
	for _, c := range cells {
		s := &t.slot(c.slot)[c.state]
		if s.labs > 0 {
			hit, hitState = s, c.state
			if u -= s.labs; u < 0 {
				break
			}
		}
	}
	hit.labs--
	hit.pending++
	hit.pressure++
	if r.space.on {
		r.space.hits[hitState]++
	}
	if r.statecraft.on && cp.Casualties > 0 { // for blame, which clears them
		r.hits[hitState]++
	}
	return hitState
}

// regionsOf returns group i's regions as a bit set: the states it holds and abroad,
// whose index is above every state's, so that taking the bits in increasing order visits
// the states, then abroad. (A geography has at most MaxStates = 63 states, so abroad's
// bit fits.)
func (t *territory) regionsOf(i int) uint64 { return t.present[i] | t.abroad }

// equip rebuilds struck labs (relocating some) and builds or closes labs towards each
// group's share of what the market needs.
func (r *Replicate) equip(rng *rand.Rand) {
	t := &r.territory
	e := &r.w.econ
	decay := fpmath.Exp(-1 / e.PressureWeeks)
	pRebuild := -fpmath.Expm1(-1 / e.RebuildWeeks)
	pBuild := -fpmath.Expm1(-1 / e.BuildWeeks)
	members := 0.0
	for _, x := range r.c {
		members += x
	}
	need := e.labsNeeded(t.demand)
	abroad := t.regions - 1
	for i, x := range r.c {
		if !r.alive(i) {
			continue
		}
		sites := t.slot(i)
		afford := math.Inf(1)
		if e.LabCost > 0 {
			afford = math.Floor(t.funds[i] / e.LabCost)
		}
		have, pressure := 0.0, 0.0
		for m := t.regionsOf(i); m != 0; m &= m - 1 {
			s := &sites[bits.TrailingZeros64(m)]
			s.pressure = float64(s.pressure * decay)
			have += s.labs + s.pending
			pressure += s.pressure
		}
		for m := t.regionsOf(i); m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			s := &sites[v]
			if s.pending == 0 || afford < 1 {
				continue
			}
			for range int(t.spend(i, Binomial(rng, s.pending, pRebuild), &afford, e.LabCost)) {
				s.pending--
				to := v
				if v == abroad {
					to = r.leaveAbroad(i, s.pressure, rng)
				} else if rng.Float64() < -fpmath.Expm1(-s.pressure/e.RelocationScale) {
					if rng.Float64() < e.AbroadShare {
						to = abroad
					} else {
						to = t.quietState(i, v, rng)
					}
				}
				sites[to].labs++
			}
		}
		if members <= 0 {
			continue
		}
		share := need * x / members
		if e.LabPriceElasticity != 0 || e.LabStrikeElasticity != 0 {
			share = min(need, share*r.profitFactor(pressure)) // at most the whole market's
		}
		switch gap := math.Floor(share+0.5) - have; {
		case gap > 0:
			for range int(t.spend(i, Binomial(rng, gap, pBuild), &afford, e.LabCost)) {
				sites[t.quietState(i, -1, rng)].labs++
				t.built++
			}
		case gap < 0:
			r.closeLabs(i, Binomial(rng, -gap, pBuild), rng)
		}
	}
}

// profitFactor is the multiplier of a group's share of the labs the market needs when labs
// answer to profit (Economy.LabPriceElasticity and LabStrikeElasticity), for a group under
// the given strike pressure: (P/P_ref)^e_p / (1 + e_s x pressure), P last week's price (the
// reference price before the first sale).
func (r *Replicate) profitFactor(pressure float64) float64 {
	e := &r.w.econ
	f := 1 / (1 + float64(e.LabStrikeElasticity*pressure))
	if p := r.territory.price; p > 0 {
		f *= fpmath.Exp(float64(e.LabPriceElasticity * fpmath.Log(p/e.ReferencePrice)))
	}
	return f
}

// spend pays for up to k labs of group i, of the afford it can still pay for at
// labCost each, and returns how many.
func (t *territory) spend(i int, k float64, afford *float64, labCost float64) float64 {
	k = min(k, *afford)
	*afford -= k
	t.funds[i] -= float64(k * labCost)
	return k
}

// closeLabs closes k of group i's labs: rebuilds it has not started first, then working
// labs drawn in proportion to where they are.
func (r *Replicate) closeLabs(i int, k float64, rng *rand.Rand) {
	t := &r.territory
	sites := t.slot(i)
	for m := t.regionsOf(i); m != 0; m &= m - 1 {
		s := &sites[bits.TrailingZeros64(m)]
		d := min(k, s.pending)
		s.pending -= d
		k -= d
		t.closed += d
	}
	for ; k > 0; k-- {
		total := 0.0
		for m := t.regionsOf(i); m != 0; m &= m - 1 {
			total += sites[bits.TrailingZeros64(m)].labs
		}
		if total == 0 {
			return
		}
		u := rng.Float64() * total
		var last *site
		for m := t.regionsOf(i); m != 0 && u >= 0; m &= m - 1 {
			if s := &sites[bits.TrailingZeros64(m)]; s.labs != 0 {
				last = s
				u -= s.labs
			}
		}
		last.labs--
		t.closed++
	}
}

// produce runs the labs on the week's precursors and counts labs by zone.
func (r *Replicate) produce(out []float64) {
	t := &r.territory
	e := &r.w.econ
	geo := r.w.cfg.Geography
	need, weight := 0.0, 0.0
	for i := range r.c {
		if !r.alive(i) {
			continue
		}
		labs := 0.0
		sites := t.slot(i)
		for m := t.regionsOf(i); m != 0; m &= m - 1 {
			labs += sites[bits.TrailingZeros64(m)].labs
		}
		need += labs
		weight += float64(labs * r.precursorAccess(i))
	}
	batches := e.PrecursorBatches * (1 - r.precursorCut)
	out[Precursors] = batches
	full := need <= batches
	// The totals in registers, added to in the same order as into out (which the loop's
	// stores kept in memory, a chain of store-to-load waits).
	production := out[Production]
	var zones [NumZones]float64
	copy(zones[:], out[LabsNorth:LabsNorth+Metric(NumZones)])
	for i := range r.c {
		if !r.alive(i) {
			continue
		}
		share := 1.0
		if !full {
			share = 0
			if weight > 0 {
				share = min(1, batches*r.precursorAccess(i)/weight)
			}
		}
		halted := r.halted(i)
		if halted {
			share = 0
		}
		have := 0.0
		sites := t.slot(i)
		for m := t.regionsOf(i); m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			s := &sites[v]
			if v == geo.Len() && !halted {
				s.output = s.labs * e.abroadPrecursors(share) * e.LabCapacity
			} else {
				s.output = s.labs * share * e.LabCapacity
			}
			have += s.labs + s.pending
			z := Abroad
			if v < geo.Len() {
				z = geo.States[v].Zone
			}
			zones[z] += s.labs
			production += s.output
		}
		t.have[i] = have
	}
	copy(out[LabsNorth:], zones[:])
	out[Production] = production
	for z := range Abroad {
		out[Labs] += out[LabsNorth+Metric(z)]
	}
}

// precursorAccess is the weight of one of group i's labs in the precursor market.
func (r *Replicate) precursorAccess(i int) float64 {
	if r.territory.present[i]&r.w.cfg.Geography.ports != 0 {
		return 1
	}
	return r.w.econ.InlandPrecursorAccess
}

// ship sends each group's output to the US along its routes, recomputing them when the
// interdiction or the states its rivals hold changed.
func (r *Replicate) ship() {
	t := &r.territory
	geo := r.w.cfg.Geography
	n := geo.Len()
	sea := t.sea.Open
	t.seaborne = 0
	for i := range r.c {
		t.delivered[i] = 0
		if !r.alive(i) {
			continue
		}
		sites := t.slot(i)
		sites[n].pass = 1 - t.border
		inMexico := false
		for m := t.present[i]; m != 0 && !inMexico; m &= m - 1 {
			inMexico = sites[bits.TrailingZeros64(m)].output > 0
		}
		if inMexico {
			var rivalsAt uint64
			for _, l := range r.rivals[i] {
				rivalsAt |= t.present[l.to]
			}
			if t.routedGen[i] != t.gen || t.rivalsAt[i] != rivalsAt {
				pass, seaShare := r.passFor(rivalsAt)
				for v, x := range pass {
					sites[v].pass = x
				}
				for v, x := range seaShare {
					sites[v].sea = x
				}
				t.rivalsAt[i], t.routedGen[i] = rivalsAt, t.gen
			}
		}
		delivered := 0.0
		for m := t.regionsOf(i); m != 0; m &= m - 1 {
			s := &sites[bits.TrailingZeros64(m)]
			delivered += float64(s.output * s.pass)
			if sea {
				t.seaborne += float64(s.output * s.sea)
			}
		}
		t.delivered[i] = delivered
	}
}

// memoLimit bounds the routes kept per generation.
const memoLimit = 256

func (t *territory) clearMemo() {
	if t.memo == nil {
		t.memo = make(map[uint64]int)
	}
	clear(t.memo)
	t.memoPass = t.memoPass[:0]
}

// passFor returns, by state, the share of shipments that reach the US for a group whose
// rivals hold the states in rivalsAt, and the share that sets sail (nil while the sea
// lanes are closed), computing the routes if this generation has not.
func (r *Replicate) passFor(rivalsAt uint64) (pass, sea []float64) {
	t := &r.territory
	if k, ok := t.memo[rivalsAt]; ok {
		return t.memoPass[k], t.seaRow(k)
	}
	e := &r.w.econ
	for v := range t.cost {
		t.cost[v] = 1 + float64(e.EnforcementCost*t.seize[v])
		if rivalsAt&(1<<v) != 0 {
			t.cost[v] += e.RivalCost
		}
	}
	t.router.SetSea(t.sea)
	t.router.Route(t.cost, t.seize, t.border, &t.routes)
	t.routings++
	if len(t.memo) >= memoLimit {
		t.clearMemo()
	}
	k := len(t.memoPass)
	if k < cap(t.memoPass) {
		t.memoPass = t.memoPass[:k+1]
		t.memoPass[k] = append(t.memoPass[k][:0], t.routes.Pass...)
	} else {
		t.memoPass = append(t.memoPass, slices.Clone(t.routes.Pass))
	}
	if t.sea.Open {
		for len(t.memoSea) <= k {
			t.memoSea = append(t.memoSea, nil)
		}
		t.memoSea[k] = append(t.memoSea[k][:0], t.routes.Sea...)
	}
	t.memo[rivalsAt] = k
	return t.memoPass[k], t.seaRow(k)
}

// seaRow is memo entry k's shares that set sail, nil while the sea lanes are closed.
func (t *territory) seaRow(k int) []float64 {
	if !t.sea.Open {
		return nil
	}
	return t.memoSea[k]
}

// sell clears the market and sets each group's income, savings and recruitment factor.
func (r *Replicate) sell(out []float64) {
	t := &r.territory
	e := &r.w.econ
	supply, members, have := 0.0, 0.0, 0.0
	for i, x := range r.c {
		if r.alive(i) {
			supply += t.delivered[i]
			members += x
			have += t.have[i]
		}
	}
	price := e.clearingPrice(supply, t.demand)
	t.price = price
	value := price * supply
	ref := e.ReferencePrice * e.ReferenceDemand
	pi := e.ProducerShare
	revenue := 0.0
	for i, x := range r.c {
		if !r.alive(i) || members <= 0 {
			continue
		}
		capacity := 0.0
		if have > 0 {
			capacity = t.have[i] / have
		}
		drug := float64(pi*price*t.delivered[i]) + (1-pi)*value*x/members
		base := ref * (float64(pi*capacity) + (1-pi)*x/members)
		income := max(drug, e.RentFloor*base)
		if cut := r.launderingCut(i); cut > 0 {
			income = float64(income * (1 - cut)) // designation's cost of laundering
		}
		r.factor[i] = 1
		if base > 0 {
			r.factor[i] = min(e.MaxRecruitmentFactor, max(0, 1+float64(e.RevenueElasticity*(income/base-1))))
		}
		saved := float64(e.Reinvestment * income)
		t.funds[i] = min(t.funds[i]+saved, WeeksPerYear*saved)
		revenue += income
	}
	out[Supply] = supply
	out[Seized] = out[Production] - supply
	out[Price] = price
	out[Revenue] = revenue
}
