package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// smallWorld has four groups: a and b rivals (2), b and c rivals (1), a and c allies (2),
// d allied with itself (1, so its alliance strength is 2), with group dynamics and the
// given campaigns.
func smallWorld(t testing.TB, frag Fragmentation, ivs ...Intervention) *World {
	t.Helper()
	net, err := NewNetwork(
		[]Group{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}},
		[]Edge{{"a", "b", 2}, {"b", "c", 1}},
		[]Edge{{"a", "c", 2}, {"d", "d", 1}},
	)
	if err != nil {
		t.Fatal(err)
	}
	ranked := make([]float64, net.Len())
	for i, g := range net.Groups {
		ranked[i] = map[string]float64{"a": 20000, "b": 8000, "c": 3000, "d": 500}[g.ID]
	}
	w, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialSizes: ranked, Fragmentation: &frag, Interventions: ivs})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func slotOf(t testing.TB, r *Replicate, id string) int {
	t.Helper()
	k, ok := r.w.Network().Lookup(id)
	if !ok {
		t.Fatalf("no group %q", id)
	}
	return k
}

// checkInvariants verifies the state a replicate must keep at the end of every week.
func checkInvariants(t *testing.T, r *Replicate, wk int) {
	t.Helper()
	aliveSlots := 0
	for i, x := range r.c {
		if x < 0 || x != math.Trunc(x) {
			t.Fatalf("week %d: slot %d has %v members", wk, i, x)
		}
		if !r.alive(i) {
			if x != 0 || r.satExits[i] != 0 || len(r.rivals[i]) > 0 || len(r.allies[i]) > 0 {
				t.Fatalf("week %d: free slot %d has %v members, %v saturation exits, %d rivals, %d allies",
					wk, i, x, r.satExits[i], len(r.rivals[i]), len(r.allies[i]))
			}
			continue
		}
		aliveSlots++
		if rec := r.lineage[r.record[i]]; rec.DiedWeek >= 0 {
			t.Fatalf("week %d: slot %d holds group %d, which died in week %d", wk, i, r.record[i], rec.DiedWeek)
		}
		a := r.allySelf[i]
		for _, rel := range [][][]link{r.rivals, r.allies} {
			seen := map[int]bool{}
			for _, l := range rel[i] {
				if l.to == i || seen[l.to] || !(l.weight >= 0) || !r.alive(l.to) {
					t.Fatalf("week %d: bad link %d->%+v", wk, i, l)
				}
				seen[l.to] = true
				back := -1.0
				for _, m := range rel[l.to] {
					if m.to == i {
						back = m.weight
					}
				}
				if back != l.weight {
					t.Fatalf("week %d: weight %d->%d is %v, back %v", wk, i, l.to, l.weight, back)
				}
			}
		}
		for _, l := range r.allies[i] {
			a += l.weight
		}
		if d := r.division; math.Abs(r.invAllies[i]-1/(d*a+1)) > 1e-12 {
			t.Fatalf("week %d: slot %d kernel scale %v, alliances give %v", wk, i, r.invAllies[i], 1/(d*a+1))
		}
	}
	living := 0
	for k, rec := range r.lineage {
		if (rec.DiedWeek >= 0) != (rec.Cause != Alive) {
			t.Fatalf("week %d: group %d died in week %d with cause %q", wk, k, rec.DiedWeek, rec.Cause)
		}
		if rec.DiedWeek < 0 {
			living++
		}
		if rec.Parent < 0 {
			if rec.Origin != Initial || rec.BornWeek != 0 {
				t.Fatalf("week %d: group %d has no parent but origin %v, born week %d", wk, k, rec.Origin, rec.BornWeek)
			}
			continue
		}
		p := r.lineage[rec.Parent]
		if rec.Parent >= k || p.BornWeek >= rec.BornWeek || p.DiedWeek >= 0 && p.DiedWeek < rec.BornWeek {
			t.Fatalf("week %d: group %d (born %d) has parent %d born %d, died %d", wk, k, rec.BornWeek, rec.Parent, p.BornWeek, p.DiedWeek)
		}
	}
	if living != aliveSlots {
		t.Fatalf("week %d: %d living groups in the lineage, %d in slots", wk, living, aliveSlots)
	}
}

// Invariants hold week by week through an intense kill campaign: members change only by
// the counted flows (splits, absorptions and collapses into allies move members), every
// dead group has a cause, parents existed and were born earlier, and relations stay
// symmetric and non-negative.
func TestDynamicInvariants(t *testing.T) {
	iv := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 40, Actor: Joint, Removal: Kill, Targets: Targets{Largest: 10}}
	w := smallWorld(t, DefaultFragmentation(), iv)
	r := w.NewReplicate()
	out := make([]float64, NumMetrics)
	var splits, removed, born, ended float64
	for rep := range 20 {
		rng := rand.New(rand.NewPCG(7, uint64(rep)))
		r.Reset(rng)
		members := 0.0
		for _, x := range r.c {
			members += x
		}
		for wk := 1; wk <= 520; wk++ {
			r.Step(wk, rng, out)
			want := members + out[Recruits] - out[Incapacitated] - out[Deaths] - out[SaturationExits] - out[Dispersed]
			if out[Members] != want {
				t.Fatalf("replicate %d week %d: %v members, flows give %v", rep, wk, out[Members], want)
			}
			members = out[Members]
			checkInvariants(t, r, wk)
			splits += out[Splits]
			removed += out[LeadersRemoved]
			born += out[NewGroups]
			ended += out[Collapses] + out[Dissolutions]
		}
	}
	// The checks above must have met every kind of event.
	if splits == 0 || removed == 0 || born == 0 || ended == 0 {
		t.Errorf("events: %v removals, %v splits, %v births, %v ends", removed, splits, born, ended)
	}
}

// A split by hand: a (20,000 members, rival of b at 2, ally of c at 2) splits into three
// factions. Members are conserved; every faction keeps the rivalry with b at 2 and is a
// rival of its siblings at FactionRivalry; the alliance with c is shared out so that c's
// alliance strength stays 2; the parent keeps its slot.
func TestSplitByHand(t *testing.T) {
	frag := DefaultFragmentation()
	w := smallWorld(t, frag)
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(1, 2))
	r.Reset(rng)
	a, b, c := slotOf(t, r, "a"), slotOf(t, r, "b"), slotOf(t, r, "c")
	r.c[a] = 20000
	r.lead[a].Lieutenants = 3.5
	before := 0.0
	for _, x := range r.c {
		before += x
	}
	var ev events
	r.split(1, a, 3, rng, &ev)
	after := 0.0
	for _, x := range r.c {
		after += x
	}
	if before != after {
		t.Errorf("members %v before the split, %v after", before, after)
	}
	factions := []int{a}
	for s := range r.c {
		if s != a && r.alive(s) && r.lineage[r.record[s]].Origin == Faction {
			factions = append(factions, s)
		}
	}
	if len(factions) != 3 || ev.newGroups != 2 {
		t.Fatalf("%d factions, %v new groups; want 3 and 2 (min(3 lieutenants, 2 + Poisson))", len(factions), ev.newGroups)
	}
	allyOfC, lieutenants := 0.0, 0.0
	for _, f := range factions {
		rivalOf := map[int]float64{}
		for _, l := range r.rivals[f] {
			rivalOf[l.to] = l.weight
		}
		if rivalOf[b] != 2 {
			t.Errorf("faction %d: rivalry with b %v, want 2", f, rivalOf[b])
		}
		for _, g := range factions {
			if g != f && rivalOf[g] != frag.FactionRivalry {
				t.Errorf("factions %d and %d: rivalry %v, want %v", f, g, rivalOf[g], frag.FactionRivalry)
			}
		}
		for _, l := range r.allies[f] {
			if l.to == c {
				allyOfC += l.weight
			}
		}
		lieutenants += r.lead[f].Lieutenants
		if f != a && r.lineage[r.record[f]].Parent != r.record[a] {
			t.Errorf("faction %d has parent %d", f, r.lineage[r.record[f]].Parent)
		}
		if f != a && r.c[f] > r.c[a] {
			t.Errorf("faction %d (%v) is larger than the parent (%v), which keeps the largest share", f, r.c[f], r.c[a])
		}
	}
	if math.Abs(allyOfC-2) > 1e-12 || math.Abs(r.invAllies[c]-1.0/3) > 1e-12 {
		t.Errorf("c's alliances with the factions sum to %v (want 2), kernel scale %v (want 1/3)", allyOfC, r.invAllies[c])
	}
	// 3.5 lieutenants, three of whom now lead factions: 0.5 left in all.
	if math.Abs(lieutenants-0.5) > 1e-12 {
		t.Errorf("lieutenants after the split %v, want 0.5", lieutenants)
	}
}

// The succession rules by frequency: with clarity 0.5 and full cohesion a removal starts
// a war with probability 1 - 0.5 = 0.5 after a capture and 1 - 0.25 = 0.75 after a
// killing (KillPenalty 0.5); a group without lieutenants collapses with probability 0.2.
func TestSuccessionProbabilities(t *testing.T) {
	frag := DefaultFragmentation()
	w := smallWorld(t, frag)
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 4000
	for _, c := range []struct {
		name        string
		lieutenants float64
		killed      bool
		count       func(events) float64
		want        float64
	}{
		{"war after capture", 4, false, func(e events) float64 { return e.splits }, 0.5},
		{"war after killing", 4, true, func(e events) float64 { return e.splits }, 0.75},
		{"collapse without successor", 0, false, func(e events) float64 { return e.collapses }, 0.2},
	} {
		hits := 0.0
		for range n {
			r.Reset(rng)
			a := slotOf(t, r, "a")
			r.lead[a] = Leadership{Lieutenants: c.lieutenants, Clarity: 0.5, Cohesion: 1}
			var ev events
			r.removeLeader(1, a, c.killed, rng, &ev)
			hits += c.count(ev)
		}
		p := hits / n
		if se := math.Sqrt(c.want * (1 - c.want) / n); math.Abs(p-c.want) > 4*se {
			t.Errorf("%s: frequency %.4f, want %.2f (4 standard errors %.4f)", c.name, p, c.want, 4*se)
		}
	}
}

// Below the viable size a group joins its strongest ally; without one it dissolves and
// its members disperse.
func TestDissolution(t *testing.T) {
	frag := DefaultFragmentation()
	w := smallWorld(t, frag)
	r := w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(5, 6)))
	a, b, c := slotOf(t, r, "a"), slotOf(t, r, "b"), slotOf(t, r, "c")
	r.c[a], r.c[b], r.c[c] = 1000, 10, 5
	var ev events
	r.settle(3, frag.ViableMembers, &ev)
	if r.c[a] != 1005 || r.alive(c) || r.lineage[c].Cause != Absorbed || r.lineage[c].DiedWeek != 3 {
		t.Errorf("c should be absorbed by its ally a: a has %v, c's record %+v", r.c[a], r.lineage[c])
	}
	if r.alive(b) || r.lineage[b].Cause != Dissolved || ev.dispersed != 10 || ev.dissolutions != 2 {
		t.Errorf("b should dissolve: record %+v, events %+v", r.lineage[b], ev)
	}
}

// A campaign of intensity zero draws nothing, so the run equals one without it.
func TestZeroIntensityCampaignChangesNothing(t *testing.T) {
	iv := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 0, Actor: Mexico, Targets: Targets{Largest: 3}}
	with, without := smallWorld(t, DefaultFragmentation(), iv), smallWorld(t, DefaultFragmentation())
	ra, rb := with.NewReplicate(), without.NewReplicate()
	ga, gb := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	ra.Reset(ga)
	rb.Reset(gb)
	oa, ob := make([]float64, NumMetrics), make([]float64, NumMetrics)
	for wk := 1; wk <= 520; wk++ {
		ra.Step(wk, ga, oa)
		rb.Step(wk, gb, ob)
		for m := range NumMetrics {
			if oa[m] != ob[m] {
				t.Fatalf("week %d %v: %v with a zero campaign, %v without", wk, m, oa[m], ob[m])
			}
		}
	}
}

// Named targets follow their factions; the N largest are the N largest.
func TestTargetSelection(t *testing.T) {
	named := Intervention{Kind: Decapitation, To: Forever, Intensity: 1, Actor: Mexico, Targets: Targets{Groups: []string{"a"}}}
	w := smallWorld(t, DefaultFragmentation(), named)
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(1, 1))
	r.Reset(rng)
	a := slotOf(t, r, "a")
	r.c[a] = 20000
	var ev events
	r.split(1, a, 2, rng, &ev)
	got := r.selectTargets(&w.campaigns[0])
	if len(got) != 2 {
		t.Fatalf("targets %v, want a and its faction", got)
	}
	for _, s := range got {
		if root := r.lineage[r.record[s]].Root; root != a {
			t.Errorf("target %d descends from %d, not a", s, root)
		}
	}
	largest := w.campaigns[0]
	largest.named, largest.Targets = nil, Targets{Largest: 2}
	got = r.selectTargets(&largest)
	for _, s := range got {
		for i, x := range r.c {
			if r.alive(i) && x > r.c[s] && i != got[0] && i != got[1] {
				t.Errorf("target %d (%v members) is not among the 2 largest: %d has %v", s, r.c[s], i, x)
			}
		}
	}
}

// Replaying the same replicate allocates nothing: growth of the slots, relation lists and
// lineage is kept across Reset, so births cost only amortised allocation.
func TestDynamicReplayAllocatesNothing(t *testing.T) {
	iv := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 40, Actor: Joint, Targets: Targets{Largest: 10}}
	w := smallWorld(t, DefaultFragmentation(), iv)
	r := w.NewReplicate()
	pcg := rand.NewPCG(0, 0)
	rng := rand.New(pcg)
	out := make([]float64, NumMetrics)
	born := 0.0
	replay := func() {
		pcg.Seed(11, 12)
		r.Reset(rng)
		born = 0
		for wk := 1; wk <= 520; wk++ {
			r.Step(wk, rng, out)
			born += out[NewGroups]
		}
	}
	if a := testing.AllocsPerRun(3, replay); a != 0 {
		t.Errorf("%v allocations per replayed replicate", a)
	}
	if born == 0 {
		t.Error("no group was born: the test exercises nothing")
	}
}

// An empty world is valid with or without group dynamics, and its groups start with
// no lieutenants.
func TestEmptyWorldIsValid(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "a"}, {ID: "b"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	frag := DefaultFragmentation()
	for _, f := range []*Fragmentation{nil, &frag} {
		w, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialMembers: 0, Fragmentation: f})
		if err != nil {
			t.Fatalf("fragmentation %v: %v", f != nil, err)
		}
		if l := w.InitialLeadership()[0]; l.Lieutenants != 0 {
			t.Errorf("fragmentation %v: %v lieutenants in an empty group", f != nil, l.Lieutenants)
		}
	}
}
