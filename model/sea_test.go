package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// seaLineGeography is P - Q - N, N on the US border, P a port on the Pacific.
func seaLineGeography(t *testing.T) *Geography {
	t.Helper()
	g, err := NewGeography([]State{
		{Code: "P", Name: "Port", Population: 1e6, Zone: Pacific, Coast: PacificCoast},
		{Code: "Q", Name: "Quarry", Population: 1e6, Zone: Centre},
		{Code: "N", Name: "North", Population: 1e6, Zone: North, USBorder: true},
	}, [][2]string{{"P", "Q"}, {"Q", "N"}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// On P - Q - N with every state costing 1, Q seizing 0.2 and the border 0.1, the land
// path from P costs 1/2 + 1 + 1 + 1/2 (N to the US) = 3 and passes 0.8 x 0.9 = 0.72. A
// Pacific lane of cost 1.5 costs P (1 + 1.5)/2 = 1.25 and, seizing 0.3, passes 0.7: P
// sails (all of its shipment reaches the lane), Q, for which the lane costs 1 + 1.25 =
// 2.25 against 2 by land, does not. Closed, P goes by land again.
func TestSeaLaneByHand(t *testing.T) {
	g := seaLineGeography(t)
	rt := g.NewRouter()
	cost, seize := []float64{1, 1, 1}, []float64{0, 0.2, 0}
	var lanes SeaLanes
	lanes.Open = true
	lanes.Cost[PacificCoast], lanes.Seize[PacificCoast] = 1.5, 0.3
	rt.SetSea(lanes)
	var out Routes
	rt.Route(cost, seize, 0.1, &out)
	want := Routes{Pass: []float64{0.7, 0.72, 0.9}, Cost: []float64{1.25, 2, 1}, Next: []int{SeaLane, 2, -1}, Sea: []float64{1, 0, 0}}
	for s := range 3 {
		if math.Abs(out.Pass[s]-want.Pass[s]) > 1e-15 || out.Cost[s] != want.Cost[s] || out.Next[s] != want.Next[s] || out.Sea[s] != want.Sea[s] {
			t.Errorf("open, state %s: pass %v cost %v next %d sea %v; want %v %v %d %v", g.States[s].Code,
				out.Pass[s], out.Cost[s], out.Next[s], out.Sea[s], want.Pass[s], want.Cost[s], want.Next[s], want.Sea[s])
		}
	}
	// Q's own seizure applies on the way to a lane: with the lane at 0.2, Q sails through P
	// (1 + 0.6 = 1.6 < 2) and 0.8 of its shipment reaches the lane.
	lanes.Cost[PacificCoast] = 0.2
	rt.SetSea(lanes)
	rt.Route(cost, seize, 0.1, &out)
	if out.Next[1] != 0 || math.Abs(out.Sea[1]-0.8) > 1e-15 || math.Abs(out.Pass[1]-0.8*0.7) > 1e-15 {
		t.Errorf("cheap lane: Q next %d, sea %v, pass %v; want P, 0.8, 0.56", out.Next[1], out.Sea[1], out.Pass[1])
	}
	rt.SetSea(SeaLanes{})
	rt.Route(cost, seize, 0.1, &out)
	if out.Next[0] != 1 || math.Abs(out.Pass[0]-0.72) > 1e-15 || out.Cost[0] != 3 {
		t.Errorf("closed: P next %d pass %v cost %v; want Q, 0.72, 3", out.Next[0], out.Pass[0], out.Cost[0])
	}
}

// With the lanes closed, a geography with ports routes exactly as one without them.
func TestClosedLanesRouteAsWithout(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		g := randomGeography(t, rng)
		states := make([]State, g.Len())
		copy(states, g.States)
		var adjacency [][2]string
		for a := range states {
			for b := a + 1; b < len(states); b++ {
				if g.Adjacent(a, b) {
					adjacency = append(adjacency, [2]string{states[a].Code, states[b].Code})
				}
			}
			states[a].Coast = NoCoast
		}
		bare, err := NewGeography(states, adjacency)
		if err != nil {
			t.Fatal(err)
		}
		cost, seize := make([]float64, g.Len()), make([]float64, g.Len())
		for v := range cost {
			cost[v], seize[v] = 1+rng.Float64()*3, rng.Float64()*0.5
		}
		var with, without Routes
		rt := g.NewRouter()
		rt.SetSea(SeaLanes{Cost: [NumCoasts]float64{0, 0.1, 0.1}}) // cheap, but closed
		rt.Route(cost, seize, 0.1, &with)
		bare.NewRouter().Route(cost, seize, 0.1, &without)
		for s := range cost {
			if with.Pass[s] != without.Pass[s] || with.Cost[s] != without.Cost[s] || with.Next[s] != without.Next[s] {
				t.Fatalf("state %d: closed lanes route %v/%v/%d, without ports %v/%v/%d", s,
					with.Pass[s], with.Cost[s], with.Next[s], without.Pass[s], without.Cost[s], without.Next[s])
			}
		}
	}
}

// seaToy is the toy economy with a Pacific lane from P: cost 2 (P sails at (1 + 2)/2 =
// 1.5, its land path P-Q-N1 costing 3), seizing 0.3, a boat of a million doses with 4
// crew killed when struck.
func seaToy() Economy {
	e := toyLabs()
	e.SeaRoutes = 1
	e.PacificSeaCost, e.PacificSeaSeizure = 2, 0.3
	e.BoatLoad, e.CrewDeaths = 1e6, 4
	return e
}

// seaToyConfig is the toy world with P a Pacific port.
func seaToyConfig(t *testing.T, econ Economy, pol *Policy, ivs ...Intervention) Config {
	t.Helper()
	cfg := toyConfig(t, econ, nil, ivs...)
	g := cfg.Geography
	states := append([]State(nil), g.States...)
	states[0].Coast = PacificCoast // P
	var adjacency [][2]string
	for a := range states {
		for b := a + 1; b < len(states); b++ {
			if g.Adjacent(a, b) {
				adjacency = append(adjacency, [2]string{states[a].Code, states[b].Code})
			}
		}
	}
	geo, err := NewGeography(states, adjacency)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Geography, cfg.Policy = geo, pol
	return cfg
}

// seaWeekByHand gives group a 30 labs in P and nothing else, and runs week 1's policy,
// production, shipping and sea: it returns the metrics and what reached the US.
func seaWeekByHand(t *testing.T, e Economy, ivs ...Intervention) (out []float64, delivered float64) {
	t.Helper()
	w, err := NewWorld(seaToyConfig(t, e, nil, ivs...))
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(1, 2)))
	a := onlyA(t, r, 30, 0)
	out = make([]float64, NumMetrics)
	r.policy(1)
	r.produce(out)
	r.ship()
	r.seaWeek(1, out)
	for i := range r.c {
		if i != a && r.territory.delivered[i] != 0 {
			t.Fatalf("group %d delivered %v with no labs", i, r.territory.delivered[i])
		}
	}
	return out, r.territory.delivered[a]
}

// Closing the sea moves exactly the maritime flow to land. Group a's 30 labs in P make
// 30 x 400,000 = 1.2e7 doses. With the lane open they all sail, and 0.7 of them arrive
// (8.4e6). Naval interdiction of 0.8 raises the lane's cost by enforcement_cost 5 x 0.8 =
// 4 to 6, so that P's lane costs (1 + 6)/2 = 3.5 against 3 by land: the 1.2e7 doses go by
// land instead, nothing sails, and 0.9 of them pass the border (1.08e7). Production is the
// same, and every dose is delivered or seized either way.
func TestClosingTheSeaMovesTheMaritimeFlowToLand(t *testing.T) {
	e := seaToy()
	open, viaSea := seaWeekByHand(t, e)
	closed, viaLand := seaWeekByHand(t, e, Intervention{Kind: NavalInterdiction, From: 0, To: Forever, Intensity: 0.8, Actor: US})
	const made = 30 * 400_000
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"production, open", open[Production], made},
		{"production, closed", closed[Production], made},
		{"sea shipments, open", open[SeaShipments], made},
		{"sea shipments, closed", closed[SeaShipments], 0},
		{"delivered, open", viaSea, 0.7 * made},
		{"delivered, closed", viaLand, 0.9 * made},
		{"deaths at sea, open", open[DeathsAtSea], 0},
		{"deaths at sea, closed", closed[DeathsAtSea], 0},
	} {
		if math.Abs(c.got-c.want) > 1e-9*max(1, c.want) {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	// What left by sea now crosses the border: the land flow out of P rose by exactly the
	// maritime flow, and seizures account for the rest in both worlds.
	if got := closed[Production] - closed[SeaShipments] - (open[Production] - open[SeaShipments]); got != open[SeaShipments] {
		t.Errorf("the land flow rose by %v, the maritime flow was %v", got, open[SeaShipments])
	}
}

// Strikes on a share s of the boats seize (destroy) s of what sails and kill 4 a boat of
// 1e6 doses, and raise the lane's cost by enforcement_cost x strike_deterrence x s = 15 s.
// At 0.1 the lane costs 3.5, P (1 + 3.5)/2 = 2.25 < 3, so all still sails: 0.7 x 0.9 of
// 1.2e7 arrives (7.56e6), 1.2 boats are struck, 4.8 crew killed. At 0.25 it costs 5.75,
// P 3.375 > 3: all goes by land, nothing sails, no one dies. Boarding 0.25 raises the cost
// by 5 x 0.25 only (to 3.25, P 2.125): all sails, 0.7 x 0.75 arrives (6.3e6), no one dies.
func TestMaritimeStrikesAndNavalInterdictionByHand(t *testing.T) {
	e := seaToy()
	const made = 30 * 400_000
	for _, c := range []struct {
		kind                      Kind
		share                     float64
		sailed, delivered, killed float64
	}{
		{MaritimeStrikes, 0.1, made, 0.63 * made, 4.8},
		{MaritimeStrikes, 0.25, 0, 0.9 * made, 0},
		{NavalInterdiction, 0.25, made, 0.525 * made, 0},
	} {
		out, delivered := seaWeekByHand(t, e, Intervention{Kind: c.kind, From: 0, To: Forever, Intensity: c.share, Actor: Joint})
		if math.Abs(out[SeaShipments]-c.sailed) > 1e-9*made || math.Abs(delivered-c.delivered) > 1e-9*made ||
			math.Abs(out[DeathsAtSea]-c.killed) > 1e-12 {
			t.Errorf("%s %v: sailed %v, delivered %v, %v killed; want %v, %v, %v", c.kind, c.share,
				out[SeaShipments], delivered, out[DeathsAtSea], c.sailed, c.delivered, c.killed)
		}
	}
}

// Each kind at sea moves its quantities and nothing else. In the week a campaign starts,
// the world with it and the one without (same seed) differ only in what reaches the US
// (supply, seized, the price, revenue, US consumption and overdose deaths), in deaths at
// sea (strikes only) and, through the kinetic actions, cooperation (unilateral US strikes
// only, by unilateral_cost a boat) and the retaliation still to come (US and joint strikes,
// retaliation_per_action a boat); boarding has no such side effects. Mexico's action runs
// at its reach (corruption), which changes the numbers, not the rule.
func TestSeaKindsMoveOnlyTheirQuantities(t *testing.T) {
	const from = 30
	e := seaToy()
	pol := DefaultPolicy()
	market := map[Metric]bool{Supply: true, Seized: true, Price: true, Revenue: true, USConsumption: true, OverdoseDeaths: true}
	run := func(ivs ...Intervention) ([]float64, *Replicate) {
		w, err := NewWorld(seaToyConfig(t, e, &pol, ivs...))
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		rng := rand.New(rand.NewPCG(11, 12))
		r.Reset(rng)
		out := make([]float64, NumMetrics)
		for wk := 1; wk <= from+1; wk++ {
			r.Step(wk, rng, out)
		}
		return out, r
	}
	base, rb := run()
	if base[SeaShipments] <= 0 {
		t.Fatalf("nothing sails in the toy world (sea shipments %v)", base[SeaShipments])
	}
	for _, kind := range []Kind{MaritimeStrikes, NavalInterdiction} {
		for _, actor := range []Actor{US, Joint, Mexico} {
			out, r := run(Intervention{Kind: kind, From: from, To: Forever, Intensity: 0.05, Actor: actor})
			if out[Supply] >= base[Supply] {
				t.Errorf("%s by %s: supply %v, not below %v", kind, actor, out[Supply], base[Supply])
			}
			boats := 0.0
			if kind == MaritimeStrikes {
				boats = out[SeaShipments] * 0.05 * r.statecraft.reach(actor) / e.BoatLoad
				if math.Abs(out[DeathsAtSea]-4*boats) > 1e-12 || boats <= 0 {
					t.Errorf("%s by %s: %v deaths at sea, want 4 x %v boats", kind, actor, out[DeathsAtSea], boats)
				}
			}
			for m := range NumMetrics {
				if market[m] || m == DeathsAtSea || m == CooperationIndex {
					continue
				}
				if out[m] != base[m] {
					t.Errorf("%s by %s: %s %v, without it %v", kind, actor, m, out[m], base[m])
				}
			}
			coopCost := 0.0
			if kind == MaritimeStrikes && actor == US {
				coopCost = pol.UnilateralCost * boats
			}
			if got := base[CooperationIndex] - out[CooperationIndex]; math.Abs(got-coopCost) > 1e-15 {
				t.Errorf("%s by %s: cooperation fell by %v, want %v", kind, actor, got, coopCost)
			}
			due := 0.0
			if kind == MaritimeStrikes && actor != Mexico {
				due = pol.RetaliationPerAction * boats * (1 - relax(pol.RetaliationWeeks))
			}
			if got := r.statecraft.retaliation - rb.statecraft.retaliation; math.Abs(got-due) > 1e-15 {
				t.Errorf("%s by %s: retaliation to come rose by %v, want %v", kind, actor, got, due)
			}
		}
	}
}

// The lanes are a switch; the kinds at sea need them open, and open lanes need a port.
func TestSeaValidation(t *testing.T) {
	e := toyLabs()
	e.SeaRoutes = 0.5
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "sea_routes is 0.5") {
		t.Errorf("sea_routes 0.5: %v", err)
	}
	strike := Intervention{Kind: MaritimeStrikes, From: 1, To: 5, Intensity: 0.1, Actor: US}
	if _, err := NewWorld(seaToyConfig(t, toyLabs(), nil, strike)); err == nil ||
		err.Error() != "model: maritime-strikes needs the sea lanes open (economy sea_routes: 1)" {
		t.Errorf("strikes with the lanes closed: %v", err)
	}
	e.SeaRoutes = 1
	if _, err := NewWorld(toyConfig(t, e, nil)); err == nil || !strings.Contains(err.Error(), "no state of the geography has a sea port") {
		t.Errorf("lanes open without a port: %v", err)
	}
	for _, iv := range []Intervention{
		{Kind: NavalInterdiction, From: 1, To: 5, Intensity: 1, Actor: Mexico},
		{Kind: MaritimeStrikes, From: 1, To: 5, Intensity: 0.1, Actor: US, Targets: Targets{States: []string{"P"}}},
		{Kind: MaritimeStrikes, From: 1, To: 5, Intensity: 0.1, Actor: Canada},
	} {
		if err := iv.Validate(); err == nil {
			t.Errorf("%+v accepted", iv)
		}
	}
}

// A world whose geography has ports but whose lanes are closed (the default) gives the
// same weeks, bit for bit, as the same world without ports.
func TestClosedLanesKeepTheWeeks(t *testing.T) {
	e := toyLabs()
	a, err := NewWorld(seaToyConfig(t, e, nil))
	if err != nil {
		t.Fatal(err)
	}
	b := toyEconomyWorld(t, e, nil)
	sa, sb := meanSeries(a, 2, 60, 3), meanSeries(b, 2, 60, 3)
	for wk := range sa {
		if sa[wk] != sb[wk] {
			t.Fatalf("week %d: with closed lanes %v, without ports %v", wk+1, sa[wk], sb[wk])
		}
	}
	if sa[59][Supply] <= 0 {
		t.Fatal("the toy world supplies nothing")
	}
}
