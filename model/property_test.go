package model

import (
	"math/rand/v2"
	"testing"
)

// A group drawn with no members at week 0 ends in week 1, extinct and counted among the
// week's dissolutions, in a fixed network and with fragmentation. It used to stay alive
// in the lineage with no members, not counted in groups, until another group's end
// happened to settle it (its dissolution then counted in that week).
func TestInitialGroupWithoutMembersEnds(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "a"}, {ID: "b"}}, []Edge{{"a", "b", 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	frag := DefaultFragmentation()
	for _, f := range []*Fragmentation{nil, &frag} {
		w, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialSizes: []float64{5000, 0}, Fragmentation: f})
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		rng := rand.New(rand.NewPCG(1, 2))
		r.Reset(rng)
		out := make([]float64, NumMetrics)
		r.Step(1, rng, out)
		b := slotOf(t, r, "b")
		if rec := r.Lineage()[b]; r.alive(b) || rec.Cause != Extinct || rec.DiedWeek != 1 || out[Dissolutions] != 1 || out[Groups] != 1 {
			t.Errorf("fragmentation %v: after week 1, b (no members) is %+v, alive %v; %v dissolutions, %v groups; want it extinct in week 1, 1 dissolution, 1 group",
				f != nil, rec, r.alive(b), out[Dissolutions], out[Groups])
		}
	}
}

// Strikes that kill no civilians leave nothing to blame: grievance accrues only in the
// states where strikes that kill civilians hit. Casualty-free strikes used to leave their
// hits behind, blamed with the next strikes that killed civilians, elsewhere (or, after a
// Reset, in the next replicate, whose series then depended on the one before).
func TestCasualtyFreeStrikesLeaveNoGrievance(t *testing.T) {
	quiet := strikes(t, 0, Forever, 10, "P")
	quiet.Casualties = 0
	deadly := strikes(t, 0, Forever, 10, "N1")
	w := policyWorld(t, DefaultPolicy(), nil, quiet, deadly)
	port, _ := w.Geography().Lookup("P")
	north, _ := w.Geography().Lookup("N1")
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(5, 6))
	r.Reset(rng)
	out := make([]float64, NumMetrics)
	blamed := false
	for wk := 1; wk <= 52; wk++ {
		r.Step(wk, rng, out)
		if g := r.grievance[port]; g != 0 {
			t.Fatalf("week %d: %v recruits owed to grievance in P, where strikes killed no one", wk, g)
		}
		blamed = blamed || r.grievance[north] > 0
	}
	if !blamed {
		t.Error("no grievance in N1: the test did not exercise blame")
	}
}

// Precursor control campaigns combine as independent cuts of at most the whole: with
// Mexico's enforcement capacity doubled or tripled, two campaigns of intensity 1 cut every
// batch, as one does. Cuts above 1 used to combine into nonsense: 1 - (1-2)(1-2) = 0, no
// cut at all, and 1 - (1-3)(1-3) = -3, four times the batches that arrive.
func TestPrecursorControlCampaignsCombine(t *testing.T) {
	for _, enforcement := range []float64{2, 3} {
		for n := 1; n <= 2; n++ {
			pol := DefaultPolicy()
			pol.EnforcementCapacity = enforcement
			var ivs []Intervention
			for range n {
				ivs = append(ivs, lever(PrecursorControl, 0, Forever, 1, Mexico))
			}
			r := policyWorld(t, pol, nil, ivs...).NewReplicate()
			rng := rand.New(rand.NewPCG(1, 1))
			r.Reset(rng)
			out := make([]float64, NumMetrics)
			r.Step(1, rng, out)
			if out[Precursors] != 0 {
				t.Errorf("enforcement capacity %v, %d campaigns of intensity 1: %v batches, want none", enforcement, n, out[Precursors])
			}
		}
	}
}
