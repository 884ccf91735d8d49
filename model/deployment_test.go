package model

import (
	"math"
	"testing"
)

// deploymentWorld is the line A - M - B with x (home A, also holding M) and y in A, rivals,
// and z and u in B, rivals, on a territory that does not move, with the interventions
// given.
func deploymentWorld(t *testing.T, p Params, ivs ...Intervention) *World {
	t.Helper()
	net, err := NewNetwork([]Group{{ID: "x", State: "A", Holds: []string{"M"}}, {ID: "y", State: "A"}, {ID: "z", State: "B"}, {ID: "u", State: "B"}},
		[]Edge{{"x", "y", 1}, {"z", "u", 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorld(Config{Network: net, Params: p, InitialSizes: []float64{3000, 2000, 2000, 1500},
		Territory: &Territory{MembersPerState: 1000, ExpansionWeeks: 1e12}, Geography: lineGeography(t), Interventions: ivs})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// A deployment in A multiplies the conflict exposure of members in A by
// 1 + deployment_violence x level and adds the arrest hazard deployment_arrests x level
// for them, by hand: y, all in A, gets both in full; x, with floor(x/3) members in M and
// the rest at home in A, gets them for its members in A only; z and u, in B, get nothing.
func TestDeploymentActsOnlyWhereItIs(t *testing.T) {
	const level, violence, arrests = 0.5, 1.2, 0.001
	p := DefaultParams()
	p.DeploymentViolence, p.DeploymentArrests = violence, arrests
	w := deploymentWorld(t, p, Intervention{Kind: Deployment, From: 0, To: Forever, Intensity: level, Actor: Mexico, Targets: Targets{States: []string{"A"}}})
	r := w.NewReplicate()
	stepWeeks(w, r, 5, 1)
	r.deploy(2)
	r.conflictExposure(r.c, r.exposure)
	before := append([]float64(nil), r.exposure...)
	n := r.space.states
	loc := append([]float64(nil), r.space.local...)
	r.deployedExposure(r.c, p)
	x, y, z, u := slotOf(t, r, "x"), slotOf(t, r, "y"), slotOf(t, r, "z"), slotOf(t, r, "u")
	factor := 1 + violence*level
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Abs(b) }
	if !close(r.exposure[y], before[y]*factor) || !close(r.space.arrest[y], arrests*level) {
		t.Errorf("y: exposure %v and arrest hazard %v, want %v and %v", r.exposure[y], r.space.arrest[y], before[y]*factor, arrests*level)
	}
	c := r.c[x]
	inM := math.Floor(c / 3)
	inA := c - inM
	wantX := (inA*loc[x*n+0]*factor + inM*loc[x*n+1]) / c
	if !close(r.exposure[x], wantX) || !close(r.space.arrest[x], arrests*level*inA/c) {
		t.Errorf("x: exposure %v and arrest hazard %v, want %v and %v", r.exposure[x], r.space.arrest[x], wantX, arrests*level*inA/c)
	}
	for _, i := range []int{z, u} {
		if r.exposure[i] != before[i] || r.space.arrest[i] != 0 || before[i] == 0 {
			t.Errorf("slot %d in B: exposure %v (was %v), arrest hazard %v: want it unchanged and none", i, r.exposure[i], before[i], r.space.arrest[i])
		}
	}

	// Over weeks: more deaths and arrests where the troops are than without them, and a
	// deployment at level 0 changes nothing at all.
	p.ConflictLethality, p.DeploymentArrests = 2e-7, 0.01
	base := deploymentWorld(t, p)
	m0, s0 := stepWeeks(base, base.NewReplicate(), 9, 30)
	{
		dw := deploymentWorld(t, p, Intervention{Kind: Deployment, From: 0, To: Forever, Intensity: 0, Actor: Mexico, Targets: Targets{States: []string{"A"}}})
		m1, s1 := stepWeeks(dw, dw.NewReplicate(), 9, 30)
		for wk := range m0 {
			if !sameFloats(m0[wk], m1[wk]) || !sameFloats(s0[wk], s1[wk]) {
				t.Fatalf("a deployment at level 0 changed week %d", wk+1)
			}
		}
	}
	dw := deploymentWorld(t, p, Intervention{Kind: Deployment, From: 0, To: Forever, Intensity: 1, Actor: Mexico, Targets: Targets{States: []string{"A"}}})
	m1, s1 := stepWeeks(dw, dw.NewReplicate(), 9, 30)
	var deathsA0, deathsA1, arrested0, arrested1 float64
	k := int(NumStateMetrics)
	for wk := range m0 {
		deathsA0 += s0[wk][0*k+int(StateDeaths)]
		deathsA1 += s1[wk][0*k+int(StateDeaths)]
		arrested0 += m0[wk][Incapacitated]
		arrested1 += m1[wk][Incapacitated]
	}
	// Expected: deaths in A 2.2 times as many (fewer, as members are arrested), and extra
	// arrests 0.01 a week on the 3,000 to 4,000 members in A over 30 weeks, about 1,000,
	// against the 110 x 30 = 3,300 of incapacitation (Poisson noise: about 80).
	var deathsB0, deathsB1 float64
	for wk := range m0 {
		deathsB0 += s0[wk][2*k+int(StateDeaths)]
		deathsB1 += s1[wk][2*k+int(StateDeaths)]
	}
	t.Logf("deaths in A %v and %v, in B %v and %v; arrests %v and %v", deathsA0, deathsA1, deathsB0, deathsB1, arrested0, arrested1)
	if !(deathsA1 > 1.25*deathsA0) || !(arrested1 > arrested0+500) {
		t.Errorf("deaths in A %v with the deployment, %v without; arrests %v and %v: want more of both", deathsA1, deathsA0, arrested1, arrested0)
	}
}
