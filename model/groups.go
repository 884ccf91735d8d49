package model

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// Cause is why a group ended.
type Cause uint8

// The causes. A group that is still alive has cause Alive.
const (
	Alive     Cause = iota
	Extinct         // its last member left
	Dissolved       // fell below a viable size with no ally to take its members
	Absorbed        // fell below a viable size and joined its strongest ally
	Collapsed       // lost its leader with no one to succeed
)

var causeNames = [...]string{Alive: "", Extinct: "extinct", Dissolved: "dissolved", Absorbed: "absorbed", Collapsed: "collapse"}

func (c Cause) String() string { return causeNames[c] }

// Origin is how a group came to be.
type Origin uint8

// The origins.
const (
	Initial  Origin = iota // in the world at week 0
	Faction                // broke away from its parent in a succession war
	NewGroup               // a cell that left a saturated cartel to set up on its own
)

var originNames = [...]string{Initial: "initial", Faction: "faction", NewGroup: "new"}

func (o Origin) String() string { return originNames[o] }

// LineageRecord is one group's life. Records are indexed by lineage index: the initial
// groups by rank, then the others in order of birth.
type LineageRecord struct {
	Parent   int // lineage index of the group it came from; -1 for an initial group
	Root     int // the initial group it descends from through splits; itself otherwise
	Origin   Origin
	BornWeek int
	DiedWeek int // -1 while alive
	Cause    Cause
	Peak     float64 // most members at the end of any week
	// Breakaway is 1 + the index of the world's breakaway that created the group (its
	// Split names it), 0 for any other group.
	Breakaway int `json:",omitempty"`
}

// LineageID names lineage record k: an initial group by its data set ID, a faction by
// its root's ID and its index ("sinaloa.12"), a new group as "new.31".
func (w *World) LineageID(lineage []LineageRecord, k int) string {
	n := w.cfg.Network.Len()
	if k < n {
		return w.cfg.Network.Groups[k].ID
	}
	if b := lineage[k].Breakaway; b > 0 {
		return w.campaigns[b-1].Split.ID
	}
	prefix := "new"
	if root := lineage[k].Root; root < n {
		prefix = w.cfg.Network.Groups[root].ID
	}
	return prefix + "." + strconv.Itoa(k)
}

// link is one direction of a symmetric weighted relation.
type link struct {
	to     int
	weight float64
}

// groups is a replicate's population of groups: sizes, relations, leadership and
// lineage, kept in slots. A dead group's slot is freed and reused by the next group born,
// so the arrays grow only with the most groups alive at once.
type groups struct {
	c         []float64 // members
	exposure  []float64 // (K c)_i
	satExits  []float64 // this week's saturation exits
	peak      []float64 // most members at the end of a week, kept by slot in the hot loop
	rivals    [][]link  // symmetric rivalry weights, without the diagonal
	allies    [][]link  // symmetric alliance weights, without the diagonal
	allySelf  []float64 // twice the self-alliance weight: the part of A_i no link carries
	invAllies []float64 // 1/(A_i + 1)
	lead      []Leadership
	record    []int // lineage index of the group in the slot; -1 when free
	free      []int
	lineage   []LineageRecord
	// floor is the size below which a group ends: 1, or the viable size; unsettled says
	// that some group may have fallen below it this week.
	floor     float64
	unsettled bool

	// factor is each slot's recruitment multiplier from revenue: 1 without an economy.
	factor []float64
	// fury is each slot's successor lethality less 1 (Fragmentation.SuccessorLethality),
	// decaying to 0; fading are the sibling rivalries still fading; division is the
	// alliance division d of the kernel's row scale 1/(d A_i + 1).
	fury     []float64
	fading   []fadingRivalry
	division float64
	pairs    [][2]int
	// Scratch for forming alliances: each slot's rivals as a row of bits, each slot's
	// rivals' rivals (the OR of its rivals' rows), the living groups, one group's
	// candidates, and the indices of the draws below the hazard. The two rows of each
	// slot depend only on which rival links exist. Rows of bitWords words are kept for
	// the first bitSlots slots. Links made since (splits, breakaways, feuds) are listed
	// in rivalAdds and ORed in; a link removed (an end, a faded feud) sets rivalRowsStale,
	// and the rows are rebuilt (syncRivalBits). An ended group's slot has no links, so
	// its rows are empty when it is reused.
	rivalBits, rrBits, liveBits, candBits []uint64
	drawHits                              []int
	rivalAdds                             [][2]int
	bitWords, bitSlots                    int
	rivalRowsStale                        bool
	territory
	space

	targets []int // scratch for decapitation targets
	shares  []float64
	counts  []float64
	slots   []int
	snap    []link
	cum     []float64 // scratch: running totals of the week's exits, for many births
}

// events are the week's discrete events, for the metrics.
type events struct {
	leadersRemoved, splits, collapses, newGroups, dissolutions, dispersed float64
}

// reset loads the world's initial network, reusing the arrays' capacity.
func (g *groups) reset(w *World) {
	net := w.cfg.Network
	n := net.Len()
	for _, s := range []*[]float64{&g.c, &g.exposure, &g.satExits, &g.peak, &g.allySelf, &g.invAllies, &g.factor, &g.fury} {
		*s = resize(*s, n)
	}
	g.territory.reset(w, n)
	g.space.reset(w, &g.territory)
	g.lead = resize(g.lead, n)
	g.record = resize(g.record, n)
	g.rivals = resizeLinks(g.rivals, n)
	g.allies = resizeLinks(g.allies, n)
	g.free = g.free[:0]
	g.lineage = g.lineage[:0]
	g.fading = g.fading[:0]
	g.division = w.cfg.Params.AllianceDivision
	g.territory.price = 0
	g.floor = max(1, w.frag.ViableMembers)
	g.unsettled = false
	g.rivalRowsStale, g.rivalAdds = true, g.rivalAdds[:0]
	for i := range n {
		to, wt := net.rivals.row(i)
		for k := range to {
			g.rivals[i] = append(g.rivals[i], link{to[k], wt[k]})
		}
		to, wt = net.allies.row(i)
		self := net.AllianceStrength[i]
		for k := range to {
			g.allies[i] = append(g.allies[i], link{to[k], wt[k]})
			self -= wt[k]
		}
		g.allySelf[i] = max(0, self)
		g.invAllies[i] = 1 / (float64(g.division*net.AllianceStrength[i]) + 1) // net.invAllies[i] when d is 1
		g.c[i], g.satExits[i], g.peak[i], g.factor[i], g.fury[i] = 0, 0, 0, 1, 0
		g.lead[i] = w.leadership[i]
		g.record[i] = i
		g.lineage = append(g.lineage, LineageRecord{Parent: -1, Root: i, DiedWeek: -1})
	}
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		// Twice the old capacity when that is more, so that scratch growing with the
		// slots a group at a time is reallocated a few times, not at every birth.
		return make([]T, n, max(n, 2*cap(s)))
	}
	return s[:n]
}

// resizeLinks sets n empty link lists, keeping every list's capacity for reuse.
func resizeLinks(l [][]link, n int) [][]link {
	for len(l) < n {
		l = growLinks(l)
	}
	l = l[:n]
	for i := range l {
		l[i] = l[i][:0]
	}
	return l
}

// growLinks adds one empty list, reusing one left beyond the length when there is one.
func growLinks(l [][]link) [][]link {
	if len(l) < cap(l) {
		l = l[:len(l)+1]
		l[len(l)-1] = l[len(l)-1][:0]
		return l
	}
	return append(l, nil)
}

// alive reports whether slot i holds a living group.
func (g *groups) alive(i int) bool { return g.record[i] >= 0 }

// conflictExposure sets out[i] = (K c)_i and returns S = sum_j c_j. Without geography
// the kernel is K_ij = (R_ij + b)/(A_i + 1), K_ii = 0, b the baseline hostility (1 in
// the paper), as (sum_j R_ij c_j + b S - b c_i)/(A_i + 1), which is the paper's
// expression to the bit when b is 1; with geography, groups meet where they are
// (spatialExposure, docs/space.md).
func (r *Replicate) conflictExposure(c, out []float64) (s float64) {
	g := &r.groups
	for _, x := range c {
		s += x
	}
	if g.space.on {
		g.spatialExposure(r.w.cfg.Geography, c, out)
		return s
	}
	b := g.space.hostility
	out = out[:len(c)]
	for i, ci := range c {
		r := 0.0
		for _, l := range g.rivals[i] {
			r += float64(l.weight * c[l.to])
		}
		out[i] = (r + float64(b*s) - float64(b*ci)) * g.invAllies[i]
	}
	return s
}

// born gives a new group a slot and a lineage record; root < 0 makes it its own root.
func (g *groups) born(wk, parent, root int, origin Origin) int {
	k := len(g.lineage)
	if root < 0 {
		root = k
	}
	g.lineage = append(g.lineage, LineageRecord{Parent: parent, Root: root, Origin: origin, BornWeek: wk, DiedWeek: -1})
	var s int
	if n := len(g.free); n > 0 {
		s, g.free = g.free[n-1], g.free[:n-1]
	} else {
		s = len(g.c)
		g.c = append(g.c, 0)
		g.exposure = append(g.exposure, 0)
		g.satExits = append(g.satExits, 0)
		g.peak = append(g.peak, 0)
		g.allySelf = append(g.allySelf, 0)
		g.invAllies = append(g.invAllies, 1)
		g.lead = append(g.lead, Leadership{})
		g.record = append(g.record, 0)
		g.factor = append(g.factor, 1)
		g.fury = append(g.fury, 0)
		g.rivals = growLinks(g.rivals)
		g.allies = growLinks(g.allies)
		g.territory.grow()
	}
	g.c[s], g.satExits[s], g.peak[s], g.allySelf[s], g.invAllies[s], g.factor[s], g.fury[s] = 0, 0, 0, 0, 1, 1, 0
	g.rivals[s], g.allies[s] = g.rivals[s][:0], g.allies[s][:0]
	g.record[s] = k
	return s
}

// end closes the group in slot i: its relations are removed from both sides, keeping the
// order of every other list (so no other group's sums change), and the slot is freed.
func (g *groups) end(i, wk int, cause Cause) {
	rec := &g.lineage[g.record[i]]
	rec.DiedWeek, rec.Cause, rec.Peak = wk, cause, g.peak[i]
	// A group without rivals is in no row of formAlliances, and its own are empty.
	g.rivalRowsStale = g.rivalRowsStale || len(g.rivals[i]) > 0
	for _, l := range g.rivals[i] {
		g.rivals[l.to] = unlink(g.rivals[l.to], i)
	}
	for _, l := range g.allies[i] {
		g.allies[l.to] = unlink(g.allies[l.to], i)
		g.refreshAllies(l.to)
	}
	g.rivals[i], g.allies[i] = g.rivals[i][:0], g.allies[i][:0]
	g.c[i], g.satExits[i], g.allySelf[i], g.record[i], g.factor[i], g.fury[i] = 0, 0, 0, -1, 1, 0
	g.territory.clearSlot(i)
	g.free = append(g.free, i)
}

// linkTo returns the index of the link to group to in links, or -1.
func linkTo(links []link, to int) int {
	return slices.IndexFunc(links, func(x link) bool { return x.to == to })
}

// linkNear is linkTo, looking first at index at, where the link was.
func linkNear(links []link, to, at int) int {
	if at < len(links) && links[at].to == to {
		return at
	}
	return linkTo(links, to)
}

func unlink(l []link, to int) []link {
	return slices.DeleteFunc(l, func(x link) bool { return x.to == to })
}

// addWeight adds w to the symmetric relation between i and j, creating it if needed.
func addWeight(rel [][]link, i, j int, w float64) {
	for _, ends := range [2][2]int{{i, j}, {j, i}} {
		a, b := ends[0], ends[1]
		k := linkTo(rel[a], b)
		if k < 0 {
			rel[a] = append(rel[a], link{b, w})
		} else {
			rel[a][k].weight += w
		}
	}
}

// setWeight sets the symmetric relation between i and j, which must exist, to w.
func setWeight(rel [][]link, i, j int, w float64) {
	for _, ends := range [2][2]int{{i, j}, {j, i}} {
		a, b := ends[0], ends[1]
		rel[a][linkTo(rel[a], b)].weight = w
	}
}

// refreshAllies recomputes the kernel's row scale after i's alliances changed.
func (g *groups) refreshAllies(i int) {
	a := g.allySelf[i]
	for _, l := range g.allies[i] {
		a += l.weight
	}
	g.invAllies[i] = 1 / (float64(g.division*a) + 1)
}

// strongestAlly returns the slot of i's most strongly allied living group, or -1.
func (g *groups) strongestAlly(i int) int {
	best, bestW := -1, 0.0
	for _, l := range g.allies[i] {
		if l.weight > bestW {
			best, bestW = l.to, l.weight
		}
	}
	return best
}

// handOver gives group i's members to its strongest ally, or counts them as dispersed;
// it reports whether an ally took them.
func (g *groups) handOver(i int, ev *events) bool {
	if j := g.strongestAlly(i); j >= 0 {
		g.c[j] += g.c[i]
		g.notePeak(j)
		g.c[i] = 0
		g.territory.merge(i, j)
		return true
	}
	ev.dispersed += g.c[i]
	g.c[i] = 0
	return false
}

func (g *groups) notePeak(i int) { g.peak[i] = max(g.peak[i], g.c[i]) }

// syncPeaks copies the living groups' peaks into their lineage records.
func (g *groups) syncPeaks() {
	for i, k := range g.record {
		if k >= 0 {
			g.lineage[k].Peak = g.peak[i]
		}
	}
}

// settle ends the groups left without members or below viable size.
func (g *groups) settle(wk int, viable float64, ev *events) {
	for i, x := range g.c {
		if !g.alive(i) {
			continue
		}
		switch {
		case x < 1:
			ev.dissolutions++
			g.end(i, wk, Extinct)
		case x < viable:
			ev.dissolutions++
			cause := Dissolved
			if g.handOver(i, ev) {
				cause = Absorbed
			}
			g.end(i, wk, cause)
		}
	}
}

// named reports whether the group in slot i descends through splits from a group the
// campaign names (new local groups never do).
func (g *groups) named(cp *campaign, i int) bool {
	root := g.lineage[g.record[i]].Root
	return root < len(cp.named) && cp.named[root]
}

// selectTargets lists the living groups a campaign goes after this week: for the N
// largest, in decreasing size (ties by slot), kept by insertion into a buffer of N, which
// costs O(groups) when N is small rather than a sort of every group each week.
func (g *groups) selectTargets(cp *campaign) []int {
	t := g.targets[:0]
	largest := cp.Targets.Largest
	for i, x := range g.c {
		if !g.alive(i) || x < 1 {
			continue
		}
		switch {
		case cp.named != nil:
			if g.named(cp, i) {
				t = append(t, i)
			}
		case cp.Targets.MinMembers > 0:
			if x >= cp.Targets.MinMembers {
				t = append(t, i)
			}
		default:
			// Slots come in increasing order, so a tie never displaces an earlier slot.
			if len(t) == largest && x <= g.c[t[largest-1]] {
				continue
			}
			if len(t) < largest {
				t = append(t, i)
			}
			k := len(t) - 1
			for ; k > 0 && g.c[t[k-1]] < x; k-- {
				t[k] = t[k-1]
			}
			t[k] = i
		}
	}
	g.targets = t
	return t
}

// decapitate runs the week's leadership strikes of every active campaign.
func (r *Replicate) decapitate(wk int, p Params, rng *rand.Rand, ev *events) {
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if cp.Kind != Decapitation || !r.running(k, wk) || cp.Intensity == 0 || p.Intelligence == 0 {
			continue
		}
		targets := r.selectTargets(cp)
		if len(targets) == 0 {
			continue
		}
		hazard := r.intensity(k) * p.Intelligence * r.intelligence(cp.Actor) * r.reach(cp.Actor) / (float64(len(targets)) * WeeksPerYear)
		prob := -fpmath.Expm1(-hazard)
		for _, i := range targets {
			// A slot is only freed when its own group ends, so every target still
			// holds the group selected.
			if rng.Float64() < prob {
				r.countAction(cp.Actor, 1)
				if cp.Removal != Kill && r.commandsFromPrison(rng) {
					continue
				}
				r.removeLeader(wk, i, cp.Removal == Kill, rng, ev)
			}
		}
	}
}

// removeLeader applies the succession rules of Fragmentation to group i.
func (r *Replicate) removeLeader(wk, i int, killed bool, rng *rand.Rand, ev *events) {
	fr := &r.w.frag
	ev.leadersRemoved++
	group, state := r.record[i], -1
	if r.recording {
		state = r.largestPresence(i)
		kind := EventCapture
		if killed {
			kind = EventKilling
		}
		r.note(wk, kind, group, state, -1, r.c[i], 0)
	}
	ld := &r.lead[i]
	whole := math.Floor(ld.Lieutenants)
	if whole < 1 {
		if rng.Float64() < fr.CollapseProbability {
			ev.collapses++
			r.handOver(i, ev)
			r.end(i, wk, Collapsed)
			return
		}
		ld.Cohesion *= 1 - fr.CohesionShock // an improvised successor
		r.fury[i] = fr.SuccessorLethality - 1
		r.note(wk, EventSuccession, group, state, -1, 0, 0)
		return
	}
	clarity := ld.Clarity
	if killed {
		clarity *= 1 - fr.KillPenalty
	}
	if whole >= 2 && rng.Float64() < 1-float64(clarity*ld.Cohesion) {
		ev.splits++
		first := len(r.lineage)
		r.split(wk, i, whole, rng, ev)
		if r.recording {
			other, factions := -1, len(r.lineage)-first
			if factions > 0 {
				other = first
			}
			r.note(wk, EventSplit, group, state, other, float64(factions), 0)
		}
		return
	}
	ld.Lieutenants--
	ld.Cohesion *= 1 - fr.CohesionShock
	r.fury[i] = fr.SuccessorLethality - 1
	r.note(wk, EventSuccession, group, state, -1, 0, 0)
}

// split divides group i among factions after a succession war (see Fragmentation).
func (r *Replicate) split(wk, i int, whole float64, rng *rand.Rand, ev *events) {
	fr := &r.w.frag
	k := int(min(whole, 2+Poisson(rng, fr.ExtraFactions)))
	if !r.roomFor(wk, float64(k-1)) {
		return
	}

	// Shares from a flat Dirichlet, largest first: the largest faction keeps the name.
	shares := r.shares[:0]
	total := 0.0
	for range k {
		e := fpmath.ExpFloat64(rng)
		shares = append(shares, e)
		total += e
	}
	for j := range shares {
		shares[j] /= total
	}
	slices.Sort(shares)
	slices.Reverse(shares)
	r.shares = shares

	// Members dealt out multinomially: faction j (j >= 1) draws from what is left.
	counts := r.counts[:0]
	left, leftShare := r.c[i], 1.0
	counts = append(counts, 0)
	for j := 1; j < k; j++ {
		m := Binomial(rng, left, min(1, shares[j]/leftShare))
		counts = append(counts, m)
		left -= m
		leftShare -= shares[j]
	}
	counts[0] = left
	r.counts = counts

	parent := r.record[i]
	root := r.lineage[parent].Root
	spare := whole - float64(k) // the k faction leaders were lieutenants
	cohesion := r.lead[i].Cohesion * (1 - fr.CohesionShock)
	r.snap = append(r.snap[:0], r.allies[i]...)
	slots := append(r.slots[:0], i)
	for j := 1; j < k; j++ {
		s := r.born(wk, parent, root, Faction)
		slots = append(slots, s)
		r.c[s] = counts[j]
		r.inheritRivals(s, i, fr.RivalryInheritance, rng)
		for _, l := range r.snap {
			addWeight(r.allies, s, l.to, l.weight*shares[j])
		}
		r.allySelf[s] = r.allySelf[i] * shares[j]
		lt := math.Floor(spare * shares[j])
		r.lead[s] = Leadership{Lieutenants: lt, Clarity: fr.Clarity, Cohesion: cohesion}
		r.lead[i].Lieutenants -= lt
	}
	r.slots = slots
	r.c[i] = counts[0]
	r.lead[i].Lieutenants -= float64(k)
	r.lead[i].Cohesion = cohesion
	for _, l := range r.snap {
		setWeight(r.allies, i, l.to, l.weight*shares[0])
	}
	r.allySelf[i] *= shares[0]
	if fr.FactionRivalry > 0 {
		for a, x := range slots {
			for _, y := range slots[a+1:] {
				r.feud(x, y, fr.FactionRivalry)
			}
		}
	}
	for _, s := range slots {
		r.fury[s] = fr.SuccessorLethality - 1
		r.refreshAllies(s)
		r.notePeak(s)
	}
	r.divideTerritory(slots, shares, rng)
	r.unsettled = true // a faction may be too small to survive
	for _, l := range r.snap {
		r.refreshAllies(l.to)
	}
	ev.newGroups += float64(k - 1)
}

// births adds the week's new local groups (see Fragmentation) and returns their founders,
// who are recruits of the week.
func (r *Replicate) births(wk int, f flows, rng *rand.Rand, ev *events) (founders float64) {
	fr := &r.w.frag
	lambda := float64(fr.BirthsPerSaturationExit*f.saturation) + float64(fr.BirthsPerVacancy*(f.incapacitated+f.deaths))
	if lambda <= 0 || f.saturation <= 0 {
		return 0
	}
	n := Poisson(rng, lambda)
	if n == 0 || !r.roomFor(wk, n) {
		return 0
	}
	// Ended groups' exits were zeroed and new groups start at zero, so this total holds
	// for every birth of the week.
	total := 0.0
	for _, x := range r.satExits {
		total += x
	}
	// Beyond manyBirths births in a week, each parent is found by bisecting the running
	// totals of the exits rather than by scanning every slot: the same draw (a cartel with
	// probability in proportion to its exits, the totals being exact sums of whole
	// numbers) at O(log slots) a birth instead of O(slots).
	many := n > manyBirths
	if many {
		r.cum = r.cum[:0]
		run := 0.0
		for _, x := range r.satExits {
			run += x
			r.cum = append(r.cum, run)
		}
	}
	for range int(n) {
		u := rng.Float64() * total
		src := -1
		if many {
			src = r.bisectExits(u)
		} else {
			for i, x := range r.satExits {
				if x > 0 {
					src = i
					if u -= x; u < 0 {
						break
					}
				}
			}
		}
		size := max(math.Ceil(fr.ViableMembers), 1, Poisson(rng, fr.FounderMembers))
		if src < 0 {
			continue
		}
		s := r.born(wk, r.record[src], -1, NewGroup)
		r.placeNewGroup(s, src, rng)
		r.c[s] = size
		founders += size
		r.lead[s] = Leadership{Clarity: fr.Clarity, Cohesion: 1}
		if fr.NewGroupAlliance > 0 {
			addWeight(r.allies, src, s, fr.NewGroupAlliance)
			r.refreshAllies(src)
			r.refreshAllies(s)
		}
		r.notePeak(s)
		ev.newGroups++
	}
	return founders
}

// manyBirths is the number of births in a week above which births finds their parents by
// bisection. The calibrated rates make about one birth in ten weeks in the shipped worlds,
// so they never reach it and keep their random streams.
const manyBirths = 64

// bisectExits returns the slot whose share of the running totals of exits (r.cum) holds
// u: the first with a running total above u, or the last with exits if rounding left u
// at the total.
func (r *Replicate) bisectExits(u float64) int {
	i := sort.Search(len(r.cum), func(i int) bool { return r.cum[i] > u })
	if i == len(r.cum) {
		for i = len(r.cum) - 1; i >= 0 && r.satExits[i] <= 0; i-- {
		}
	}
	return i
}

// promote grows lieutenants towards each group's default and lets cohesion recover.
func (r *Replicate) promote() {
	fr := &r.w.frag
	for i, x := range r.c {
		if !r.alive(i) {
			continue
		}
		ld := &r.lead[i]
		if t := fr.lieutenantTarget(x); ld.Lieutenants < t {
			ld.Lieutenants += (t - ld.Lieutenants) / fr.PromotionWeeks
		}
		ld.Cohesion += (1 - ld.Cohesion) / fr.CohesionRecoveryWeeks
		if r.fury[i] != 0 {
			r.fury[i] *= fpmath.Exp(-1 / fr.SuccessorLethalityWeeks)
		}
	}
}

// fadingRivalry is a sibling rivalry still fading: the slots of the two factions, their
// lineage indices (a slot reused by another group ends it), the excess left and the
// excess it started with.
type fadingRivalry struct {
	a, b, recA, recB int
	excess, start    float64
	// atA and atB are where the link was found in a's and b's lists last week: it stays
	// there until a link before it goes.
	atA, atB int
}

// fade lets the sibling rivalries of succession wars and of scheduled breakaways decay
// with half-life Fragmentation.FactionRivalryHalfLife: each week the rivalry loses the
// fraction 1 - 2^(-1/h) of what is left of its excess; below a millionth of its start,
// the rest goes.
func (r *Replicate) fade() {
	fr := &r.w.frag
	if len(r.fading) == 0 {
		return
	}
	keep := math.Exp2(-1 / fr.FactionRivalryHalfLife)
	live := r.fading[:0]
	for _, f := range r.fading {
		if r.record[f.a] != f.recA || r.record[f.b] != f.recB {
			continue // a faction has ended: its rivalries went with it
		}
		k := linkNear(r.rivals[f.a], f.b, f.atA)
		if k < 0 {
			continue
		}
		f.atA = k
		cut := float64(f.excess * (1 - keep))
		f.excess -= cut
		if f.excess < 1e-6*f.start {
			cut, f.excess = cut+f.excess, 0
		}
		if w := r.rivals[f.a][k].weight - cut; w > 1e-12 {
			// setWeight's two searches, less the one just made: fading runs every week.
			r.rivals[f.a][k].weight = w
			f.atB = linkNear(r.rivals[f.b], f.a, f.atB)
			r.rivals[f.b][f.atB].weight = w
		} else {
			r.rivalRowsStale = true
			r.rivals[f.a] = unlink(r.rivals[f.a], f.b)
			r.rivals[f.b] = unlink(r.rivals[f.b], f.a)
			continue
		}
		if f.excess > 0 {
			live = append(live, f)
		}
	}
	r.fading = live
}

// realign ends and forms alliances at the week's hazards (Fragmentation.AllianceBreakRate
// and AllianceFormationRate): each alliance ends with probability 1 - exp(-break rate),
// and each pair of living groups that share a rival, and are neither rivals nor allies,
// allies with weight FormedAlliance with probability 1 - exp(-formation rate). Pairs
// are visited in slot order, so the draws are the replicate's own.
func (r *Replicate) realign(rng *rand.Rand) {
	fr := &r.w.frag
	if fr.AllianceBreakRate > 0 {
		p := -fpmath.Expm1(-fr.AllianceBreakRate)
		pairs := r.pairs[:0]
		for i := range r.c {
			for _, l := range r.allies[i] {
				if l.to > i && rng.Float64() < p {
					pairs = append(pairs, [2]int{i, l.to})
				}
			}
		}
		for _, pr := range pairs {
			r.allies[pr[0]] = unlink(r.allies[pr[0]], pr[1])
			r.allies[pr[1]] = unlink(r.allies[pr[1]], pr[0])
			r.refreshAllies(pr[0])
			r.refreshAllies(pr[1])
		}
		r.pairs = pairs
	}
	if fr.AllianceFormationRate > 0 {
		r.formAlliances(-fpmath.Expm1(-fr.AllianceFormationRate), rng)
	}
}

// formAlliances draws, for each living group i in slot order, one uniform for each of its
// candidates (living groups j > i that share a rival with i and are neither its rivals nor
// its allies), in the order candidatePairs finds them, and allies i with each candidate
// whose uniform is below p. Counting the candidates takes bit sets: their number is the
// number of draws, and which candidate a draw belongs to matters only when it is below p,
// rarely at the weekly hazards of the registry's range, so the walk through the rivals'
// rivals that orders them (the sum of their rivals' counts for each group) is taken only
// then. The rows of rivals and rivals' rivals are kept from week to week, updated with
// the links made and rebuilt only when one is removed (syncRivalBits): building them was
// most of the work.
func (r *Replicate) formAlliances(p float64, rng *rand.Rand) {
	n := len(r.c)
	words := r.syncRivalBits(n)
	r.liveBits = resize(r.liveBits, words)
	clear(r.liveBits)
	for i := range n {
		if r.alive(i) && r.c[i] > 0 {
			r.liveBits[i/64] |= 1 << (i % 64)
		}
	}
	r.candBits = resize(r.candBits, words)
	cand := r.candBits
	for i := range n {
		if !r.alive(i) || r.c[i] <= 0 {
			continue
		}
		// Only j > i counts: the words from i's on, without i's own bits up to and
		// including i.
		first := i / 64
		up := cand[first:]
		rr := r.rrBits[i*words+first : (i+1)*words]
		own, live := r.rivalBits[i*words+first:(i+1)*words], r.liveBits[first:]
		for k := range up {
			up[k] = (rr[k] &^ own[k]) & live[k]
		}
		for _, l := range r.allies[i] {
			if l.to > i {
				cand[l.to/64] &^= 1 << (l.to % 64)
			}
		}
		up[0] &^= 1<<(i%64+1) - 1
		count := 0
		for _, c := range up {
			count += bits.OnesCount64(c)
		}
		hits := r.drawHits[:0]
		for k := range count {
			if rng.Float64() < p {
				hits = append(hits, k)
			}
		}
		r.drawHits = hits
		if len(hits) == 0 {
			continue
		}
		pairs := r.candidatePairs(i, hits[len(hits)-1]+1, cand)
		for _, k := range hits {
			pr := pairs[k]
			addWeight(r.allies, pr[0], pr[1], FormedAlliance)
			r.refreshAllies(pr[0])
			r.refreshAllies(pr[1])
		}
	}
}

// inheritRivals gives the new group s each rival of its parent p, with the parent's
// weight, with chance q (one draw a rival when q < 1; rng may be nil when q is 1).
func (r *Replicate) inheritRivals(s, p int, q float64, rng *rand.Rand) {
	for _, l := range r.rivals[p] {
		if q < 1 && !(rng.Float64() < q) {
			continue
		}
		r.addRivalry(s, l.to, l.weight)
	}
}

// addRivalry adds w to the rivalry of a and b, noting the link for the rows of
// formAlliances unless they are to be rebuilt anyway (as they always are in a world whose
// alliances never form). Past maxRivalAdds notes since the last sync they are: a rebuild
// is then as cheap.
func (r *Replicate) addRivalry(a, b int, w float64) {
	if !r.rivalRowsStale {
		if len(r.rivalAdds) < maxRivalAdds {
			r.rivalAdds = append(r.rivalAdds, [2]int{a, b})
		} else {
			r.rivalRowsStale, r.rivalAdds = true, r.rivalAdds[:0]
		}
	}
	addWeight(r.rivals, a, b, w)
}

const maxRivalAdds = 1 << 12

// feud adds w to the rivalry of a and b, the war between factions of one group (a
// succession war's siblings, a breakaway and its parent), which fades with
// FactionRivalryHalfLife when that is above 0.
func (r *Replicate) feud(a, b int, w float64) {
	r.addRivalry(a, b, w)
	if r.w.frag.FactionRivalryHalfLife > 0 {
		r.fading = append(r.fading, fadingRivalry{a: a, b: b, recA: r.record[a], recB: r.record[b], excess: w, start: w})
	}
}

// rebuildRivalBitsAlways makes formAlliances rebuild its rows every week, for the test
// that keeping them gives the same replicate (TestRivalBitRowsKept).
var rebuildRivalBitsAlways = false

// syncRivalBits brings the rows of rivals and rivals' rivals up to date for n slots and
// returns their words a row. Without a link removed since the last call, each link made is
// ORed into the rows it reaches, which gives the rows a rebuild would: a link a-b puts b
// in a's row and a in b's, b in the rivals' rivals of a's rivals and a in b's, and each
// one's row in the other's rivals' rivals. Those are all the bits it adds, as a link
// takes none away, and its rivals are taken once every link is in (the lists of now), so
// that the order of the links does not matter.
func (r *Replicate) syncRivalBits(n int) int {
	words := r.bitWords
	if r.rivalRowsStale || rebuildRivalBitsAlways || n > 64*words || n < r.bitSlots {
		r.rivalBitRows(n, (n+63)/64)
		if rivalBitsSynced != nil {
			rivalBitsSynced(r, false)
		}
		return r.bitWords
	}
	if n > r.bitSlots {
		// New slots' rows start empty: their groups' links are all in rivalAdds.
		r.rivalBits = slices.Grow(r.rivalBits, (n-r.bitSlots)*words)[:n*words]
		r.rrBits = slices.Grow(r.rrBits, (n-r.bitSlots)*words)[:n*words]
		clear(r.rivalBits[r.bitSlots*words:])
		clear(r.rrBits[r.bitSlots*words:])
		r.bitSlots = n
	}
	for _, e := range r.rivalAdds {
		for _, ends := range [2][2]int{e, {e[1], e[0]}} {
			r.rivalBits[ends[0]*words+ends[1]/64] |= 1 << (ends[1] % 64)
		}
	}
	for _, e := range r.rivalAdds {
		for _, ends := range [2][2]int{e, {e[1], e[0]}} {
			a, b := ends[0], ends[1]
			for _, l := range r.rivals[a] {
				r.rrBits[l.to*words+b/64] |= 1 << (b % 64)
			}
			rr, row := r.rrBits[a*words:(a+1)*words], r.rivalBits[b*words:(b+1)*words]
			for k := range rr {
				rr[k] |= row[k]
			}
		}
	}
	if rivalBitsSynced != nil && len(r.rivalAdds) > 0 {
		rivalBitsSynced(r, true)
	}
	r.rivalAdds = r.rivalAdds[:0]
	return words
}

// rivalBitsSynced, when a test sets it, is called after each syncRivalBits that rebuilt
// the rows (updated false) or updated them from links made (TestRivalBitRowsUpdated).
var rivalBitsSynced func(r *Replicate, updated bool)

// rivalBitRows builds each slot's row of rivals and row of rivals' rivals (n slots, words
// words a row).
func (r *Replicate) rivalBitRows(n, words int) {
	r.rivalBits = resize(r.rivalBits, n*words)
	clear(r.rivalBits)
	for i := range n {
		row := r.rivalBits[i*words : (i+1)*words]
		for _, l := range r.rivals[i] {
			row[l.to/64] |= 1 << (l.to % 64)
		}
	}
	r.rrBits = resize(r.rrBits, n*words)
	clear(r.rrBits)
	for i := range n {
		rr := r.rrBits[i*words : (i+1)*words]
		for _, l := range r.rivals[i] {
			row := r.rivalBits[l.to*words : (l.to+1)*words]
			for k := range rr {
				rr[k] |= row[k]
			}
		}
	}
	r.bitWords, r.bitSlots = words, n
	r.rivalAdds = r.rivalAdds[:0]
	r.rivalRowsStale = false
}

// candidatePairs lists i's first want candidates for an alliance, the set bits of cand
// (see formAlliances), in the order the walk through i's rivals' rivals first meets them.
// It clears the bits it lists.
func (r *Replicate) candidatePairs(i, want int, cand []uint64) [][2]int {
	pairs := r.pairs[:0]
	for _, l := range r.rivals[i] {
		for _, m := range r.rivals[l.to] {
			j := m.to
			if j > i && cand[j/64]&(1<<(j%64)) != 0 {
				cand[j/64] &^= 1 << (j % 64)
				if pairs = append(pairs, [2]int{i, j}); len(pairs) == want {
					r.pairs = pairs
					return pairs
				}
			}
		}
	}
	r.pairs = pairs
	return pairs
}

// endOfWeek runs the week's discrete events after its flows, adding new groups' founders
// to the week's recruits, and writes the events' metrics.
func (r *Replicate) endOfWeek(wk int, p Params, f *flows, rng *rand.Rand, out []float64) {
	var ev events
	viable := 0.0
	if r.w.Dynamic() {
		r.decapitate(wk, p, rng, &ev)
		r.raid(wk, p, rng, &ev, out)
		r.breakAway(wk, &ev)
		f.recruits += r.births(wk, *f, rng, &ev)
		viable = r.w.frag.ViableMembers
	}
	if r.unsettled {
		r.settle(wk, viable, &ev)
		r.unsettled = false
	}
	if r.w.Dynamic() {
		r.promote()
		r.fade()
		r.realign(rng)
	}
	out[LeadersRemoved] = ev.leadersRemoved
	out[Splits] = ev.splits
	out[Collapses] = ev.collapses
	out[NewGroups] = ev.newGroups
	out[Dissolutions] = ev.dissolutions
	out[Dispersed] = ev.dispersed
}
