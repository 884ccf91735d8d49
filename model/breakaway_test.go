package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// breakawayWorld is smallWorld's four groups (a and b rivals, a and c allies) without
// births, so that a week draws the same numbers whatever the groups' number, with the
// interventions given.
func breakawayWorld(t *testing.T, ivs ...Intervention) *World {
	t.Helper()
	frag := DefaultFragmentation()
	frag.BirthsPerSaturationExit, frag.BirthsPerVacancy = 0, 0
	return smallWorld(t, frag, ivs...)
}

// A breakaway splits the group it names at its date: before it the replicate is the
// same as without it, in the step that ends at From+1 the group's members are shared
// between it and the new group (round(share x members) to the new one, none lost), the
// two are rivals with the weight given, the new group has its lineage record (a faction
// of its parent, named by its id) and the parent's rivals, the alliances keep their
// strength, and nothing else changes: the other groups' sizes and the random stream are
// those of the run without it.
func TestBreakawaySplitsAtItsDate(t *testing.T) {
	const from, share, rivalry = 5, 0.3, 2.5
	brk := Intervention{Kind: Breakaway, From: from, To: Forever, Intensity: share, Actor: Mexico,
		Targets: Targets{Groups: []string{"a"}}, Split: &BreakawayGroup{ID: "a2", Name: "A's breakaway", Rivalry: rivalry}}
	with, without := breakawayWorld(t, brk), breakawayWorld(t)
	rw, r0 := with.NewReplicate(), without.NewReplicate()
	gw, g0 := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	rw.Reset(gw)
	r0.Reset(g0)
	ow, o0 := make([]float64, NumMetrics), make([]float64, NumMetrics)
	for wk := 1; wk <= from+1; wk++ {
		rw.Step(wk, gw, ow)
		r0.Step(wk, g0, o0)
		if wk <= from && (len(rw.Lineage()) != len(r0.Lineage()) || ow != nil && !sameFloats(ow, o0)) {
			t.Fatalf("week %d: the breakaway changed the replicate before its date", wk)
		}
	}
	if len(rw.Lineage()) != len(r0.Lineage())+1 {
		t.Fatalf("%d groups in the lineage after the breakaway, want %d", len(rw.Lineage()), len(r0.Lineage())+1)
	}
	a := slotOf(t, rw, "a")
	k := len(rw.Lineage()) - 1
	rec := rw.Lineage()[k]
	if rec.Parent != 0 || rec.Root != 0 || rec.Origin != Faction || rec.BornWeek != from+1 || rec.DiedWeek != -1 {
		t.Errorf("the new group's lineage record is %+v, want a faction of a (lineage 0) born in week %d", rec, from+1)
	}
	if id := with.LineageID(rw.Lineage(), k); id != "a2" {
		t.Errorf("the new group is named %q, want a2", id)
	}
	s := -1
	for slot, rk := range rw.record {
		if rk == k {
			s = slot
		}
	}
	total := r0.c[a]
	if want := math.Round(share * total); rw.c[s] != want || rw.c[a]+rw.c[s] != total {
		t.Errorf("a has %v and its breakaway %v members, want %v and %v (a had %v without it)", rw.c[a], rw.c[s], total-want, want, total)
	}
	for _, id := range []string{"b", "c", "d"} {
		if i := slotOf(t, rw, id); rw.c[i] != r0.c[i] {
			t.Errorf("%s has %v members with the breakaway, %v without", id, rw.c[i], r0.c[i])
		}
	}
	if ow[Members] != o0[Members] || ow[Splits] != o0[Splits]+1 || ow[NewGroups] != o0[NewGroups]+1 {
		t.Errorf("members %v, splits %v, new groups %v; without it %v, %v, %v: want the same members and one more split and new group",
			ow[Members], ow[Splits], ow[NewGroups], o0[Members], o0[Splits], o0[NewGroups])
	}
	weight := func(rel [][]link, i, j int) float64 {
		for _, l := range rel[i] {
			if l.to == j {
				return l.weight
			}
		}
		return 0
	}
	b, c := slotOf(t, rw, "b"), slotOf(t, rw, "c")
	if got := weight(rw.rivals, a, s); got != rivalry {
		t.Errorf("rivalry between a and its breakaway %v, want %v", got, rivalry)
	}
	if got, want := weight(rw.rivals, s, b), weight(r0.rivals, a, b); got != want {
		t.Errorf("the breakaway's rivalry with b %v, want a's, %v", got, want)
	}
	if got, want := weight(rw.allies, c, a)+weight(rw.allies, c, s), weight(r0.allies, c, a); math.Abs(got-want) > 1e-12 {
		t.Errorf("c's alliances with a and its breakaway add up to %v, want a's before, %v", got, want)
	}
	if rw.invAllies[c] != r0.invAllies[c] && math.Abs(rw.invAllies[c]-r0.invAllies[c]) > 1e-15 {
		t.Errorf("c's alliance strength changed: %v, was %v", rw.invAllies[c], r0.invAllies[c])
	}
	if gw.Uint64() != g0.Uint64() {
		t.Errorf("the breakaway drew random numbers")
	}
}

// With the states, the new group holds the states it names, its home the first, and the
// parent leaves the ones it cedes and keeps the rest.
func TestBreakawayStates(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "x", State: "A", Holds: []string{"M", "B"}}, {ID: "y", State: "B"}}, []Edge{{"x", "y", 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	frag := DefaultFragmentation()
	brk := Intervention{Kind: Breakaway, From: 2, To: Forever, Intensity: 0.4, Actor: Mexico, Targets: Targets{Groups: []string{"x"}},
		Split: &BreakawayGroup{ID: "x2", States: []string{"M", "A"}, Ceded: []string{"M"}, Rivalry: 1}}
	w, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialSizes: []float64{5000, 2000}, Fragmentation: &frag,
		Territory: &Territory{MembersPerState: 1000, ExpansionWeeks: 1e12}, Geography: lineGeography(t), Interventions: []Intervention{brk}})
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	stepWeeks(w, r, 1, 3)
	x := slotOf(t, r, "x")
	s := -1
	for slot, k := range r.record {
		if k >= 0 && r.lineage[k].Breakaway == 1 {
			s = slot
		}
	}
	if s < 0 {
		t.Fatal("no breakaway")
	}
	A, M, B := uint64(1), uint64(2), uint64(4)
	if got := r.territory.present[s]; got != A|M || r.territory.home[s] != 1 {
		t.Errorf("the breakaway holds %b with home %d, want A and M (%b) with home M (1)", got, r.territory.home[s], A|M)
	}
	if got := r.territory.present[x]; got != A|B {
		t.Errorf("x holds %b after ceding M, want A and B (%b)", got, A|B)
	}
	bad := brk
	bad.Split = &BreakawayGroup{ID: "x2", States: []string{"A"}, Ceded: []string{"A"}}
	if _, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialSizes: []float64{5000, 2000}, Fragmentation: &frag,
		Territory: &Territory{MembersPerState: 1000, ExpansionWeeks: 26}, Geography: lineGeography(t), Interventions: []Intervention{bad}}); err == nil {
		t.Error("a breakaway that cedes its parent's home was accepted")
	}
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// A war of secession fades as a succession war does: with FactionRivalryHalfLife 10
// weeks, the breakaway's rivalry of 8 with its parent is 8 x 2^(-n/10) after the n
// weeks of fading that end with the breakaway's (the first in the step it splits), half of
// it after 10, and gone after 250 (below a millionth of 8 after 200); at half-life 0 it
// stays 8.
func TestBreakawayRivalryFades(t *testing.T) {
	const from, rivalry = 5, 8.0
	for _, h := range []float64{0, 10} {
		frag := DefaultFragmentation()
		frag.BirthsPerSaturationExit, frag.BirthsPerVacancy = 0, 0
		frag.FactionRivalryHalfLife = h
		brk := Intervention{Kind: Breakaway, From: from, To: Forever, Intensity: 0.4, Actor: Mexico,
			Targets: Targets{Groups: []string{"a"}}, Split: &BreakawayGroup{ID: "a2", Name: "A's breakaway", Rivalry: rivalry}}
		r := smallWorld(t, frag, brk).NewReplicate()
		rng := rand.New(rand.NewPCG(5, 6))
		r.Reset(rng)
		out := make([]float64, NumMetrics)
		for wk := 1; wk <= from; wk++ {
			r.Step(wk, rng, out)
		}
		a, s := slotOf(t, r, "a"), -1
		recA := r.record[a]
		for n := 1; n <= 250; n++ {
			r.Step(from+n, rng, out)
			if s < 0 {
				s = slices.IndexFunc(r.record, func(k int) bool { return k == len(r.lineage)-1 })
				if s < 0 || r.lineage[r.record[s]].Breakaway != 1 {
					t.Fatal("no breakaway after its date")
				}
			}
			want := rivalry
			if h > 0 {
				want = rivalry * math.Exp2(-float64(n)/h)
			}
			if n <= 20 && (math.Abs(r.rivalryOf(a, s)-want) > 1e-9 || r.rivalryOf(s, a) != r.rivalryOf(a, s)) {
				t.Fatalf("half-life %v, %d weeks: rivalry %v (back %v), want %v", h, n, r.rivalryOf(a, s), r.rivalryOf(s, a), want)
			}
		}
		if r.record[a] != recA || !r.alive(a) || !r.alive(s) {
			t.Fatalf("half-life %v: a or its breakaway ended within 250 weeks: the test needs both", h)
		}
		if want := map[bool]float64{true: 0, false: rivalry}[h > 0]; r.rivalryOf(a, s) != want {
			t.Errorf("half-life %v: rivalry after 250 weeks %v, want %v", h, r.rivalryOf(a, s), want)
		}
	}
}
