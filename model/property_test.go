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
