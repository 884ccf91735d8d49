package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// lineGeography is three states in a line, A - M - B: A and B never touch.
func lineGeography(t testing.TB) *Geography {
	t.Helper()
	g, err := NewGeography([]State{
		{Code: "A", Name: "Alpha", Population: 1e6, Zone: North, USBorder: true},
		{Code: "M", Name: "Middle", Population: 2e6, Zone: Centre},
		{Code: "B", Name: "Beta", Population: 3e6, Zone: Pacific},
	}, [][2]string{{"A", "M"}, {"M", "B"}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// lineWorld places groups on the line geography, each in its home state and staying
// there (members_per_state so large that no group spreads), with the rivalries given;
// ivs and frag as given.
func lineWorld(t testing.TB, p Params, homes map[string]string, rivals []Edge, frag *Fragmentation, ivs ...Intervention) *World {
	t.Helper()
	var groups []Group
	for _, id := range []string{"x", "y", "z", "u"} {
		if s, ok := homes[id]; ok {
			groups = append(groups, Group{ID: id, State: s})
		}
	}
	net, err := NewNetwork(groups, rivals, nil)
	if err != nil {
		t.Fatal(err)
	}
	econ := toyLabs()
	econ.MembersPerState = 1e9
	sizes := make([]float64, net.Len())
	for i := range sizes {
		sizes[i] = 1000
	}
	w, err := NewWorld(Config{Network: net, Params: p, InitialSizes: sizes, Economy: &econ,
		Geography: lineGeography(t), Fragmentation: frag, Interventions: ivs})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// lineReplicate is a replicate of the line world with x (home A, also holding M) at 3,000
// members, y in M at 1,200 and z in B at 600, with the rivalries given, and their slots.
func lineReplicate(t *testing.T, p Params, rivals []Edge) (r *Replicate, x, y, z int) {
	t.Helper()
	w := lineWorld(t, p, map[string]string{"x": "A", "y": "M", "z": "B"}, rivals, nil)
	r = w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(1, 2)))
	x, y, z = slotOf(t, r, "x"), slotOf(t, r, "y"), slotOf(t, r, "z")
	r.c[x], r.c[y], r.c[z] = 3000, 1200, 600
	r.territory.present[x] |= 1 << 1 // M
	return r, x, y, z
}

// The spatial kernel checked by hand on the line A - M - B. x (home A, also holding M)
// has 3,000 members: 1,000 in M (floor(3000/3)) and 2,000 at home; y has 1,200 in M, z
// 600 in B; x and z are rivals (weight 2); no alliances, so A_i + 1 = 1. A member's
// exposure in state s is b (others' members in s + a x others' members in the states
// adjacent to s) plus R (the rival's members in s + a x in the adjacent states); a
// group's is its members' mean; all times N = 3, the density of meeting in one of three
// states rather than over all of them.
func TestSpatialExposureByHand(t *testing.T) {
	for _, c := range []struct {
		name    string
		b, a    float64
		x, y, z float64
	}{
		// b = 1, a = 0.5. Members by state: A 2,000 (x), M 2,200 (x 1,000, y 1,200), B 600 (z).
		// x in A: 0 + 0.5 (2200 - 1000) = 600; rival z: not in A, not in M: 0.
		// x in M: (2200 - 1000) + 0.5 (2000 + 600 - 2000) = 1500; rival z: 2 (0 + 0.5 x 600) = 600.
		// x: (2000 x 600 + 1000 x 2100)/3000 = 1100. y in M: (2200 - 1200) + 0.5 (2600) = 2300.
		// z in B: 0 + 0.5 x 2200 = 1100; rival x: 2 (0 + 0.5 x 1000) = 1000: 2100.
		{"b=1 a=0.5", 1, 0.5, 1100, 2300, 2100},
		// a = 0: x meets y in M only: 1000 x 1200/3000 = 400; y meets x's 1,000: 1000; z no one.
		{"b=1 a=0", 1, 0, 400, 1000, 0},
		// b = 0: only rivals fight. x in M: 2 x 0.5 x 600 = 600, weighted 1000/3000: 200.
		// z in B: 2 x 0.5 x 1000 = 1000. y has no rival: 0.
		{"b=0 a=0.5", 0, 0.5, 200, 0, 1000},
		{"b=0 a=0", 0, 0, 0, 0, 0},
	} {
		p := DefaultParams()
		p.BaselineHostility, p.AdjacentWeight = c.b, c.a
		r, x, y, z := lineReplicate(t, p, []Edge{{"x", "z", 2}})
		out := make([]float64, len(r.c))
		r.ConflictExposure(out)
		for i := range out {
			out[i] /= 3 // the density of meeting in one of the N = 3 states
		}
		for _, g := range []struct {
			id   string
			slot int
			want float64
		}{{"x", x, c.x}, {"y", y, c.y}, {"z", z, c.z}} {
			if math.Abs(out[g.slot]-g.want) > 1e-9 {
				t.Errorf("%s: %s's exposure %v, want %v", c.name, g.id, out[g.slot], g.want)
			}
		}
	}
}

// A rival that is alive but has no members adds nothing to a group's exposure: the
// by-hand world above with z emptied. b = 1, a = 0.5: members by state A 2,000, M 2,200,
// B 0. x in A: 0.5 (2200 - 1000) = 600; x in M: (2200 - 1000) + 0.5 (2000 - 2000) = 1200;
// x: (2000 x 600 + 1000 x 1200)/3000 = 800 (x holds two states, z one). y in M: 1000 +
// 0.5 x 2000 = 2000. With b = 0 only rivals fight, and x's one rival is empty: 0.
func TestEmptyRivalAddsNothing(t *testing.T) {
	for _, c := range []struct{ b, x, y float64 }{{1, 800, 2000}, {0, 0, 0}} {
		p := DefaultParams()
		p.BaselineHostility, p.AdjacentWeight = c.b, 0.5
		r, x, y, z := lineReplicate(t, p, []Edge{{"x", "z", 2}})
		r.c[z] = 0
		if !r.alive(z) {
			t.Fatal("z should stay alive with no members for this test")
		}
		out := make([]float64, len(r.c))
		r.ConflictExposure(out)
		if got := out[x] / 3; math.Abs(got-c.x) > 1e-9 {
			t.Errorf("b=%v: x's exposure %v, want %v", c.b, got, c.x)
		}
		if got := out[y] / 3; math.Abs(got-c.y) > 1e-9 {
			t.Errorf("b=%v: y's exposure %v, want %v", c.b, got, c.y)
		}
	}
}

// With one state, where every group is, the spatial kernel is the placeless one,
// (R_ij + b)/(A_i + 1): computed both ways for b = 1 (the paper's) and b = 0.3, with
// alliances.
func TestOneStateIsThePaperKernel(t *testing.T) {
	geo, err := NewGeography([]State{{Code: "O", Name: "One", Population: 1e6, USBorder: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	net, err := NewNetwork([]Group{{ID: "a", State: "O"}, {ID: "b", State: "O"}, {ID: "c", State: "O"}},
		[]Edge{{"a", "b", 3}}, []Edge{{"b", "c", 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []float64{1, 0.3} {
		p := DefaultParams()
		p.BaselineHostility = b
		econ := toyLabs()
		sizes := []float64{5000, 2000, 700}
		placed, err := NewWorld(Config{Network: net, Params: p, InitialSizes: sizes, Economy: &econ, Geography: geo})
		if err != nil {
			t.Fatal(err)
		}
		placeless, err := NewWorld(Config{Network: net, Params: p, InitialSizes: sizes})
		if err != nil {
			t.Fatal(err)
		}
		var got [2][]float64
		for k, w := range []*World{placed, placeless} {
			r := w.NewReplicate()
			r.Reset(rand.New(rand.NewPCG(3, 4)))
			copy(r.c, sizes)
			got[k] = make([]float64, len(r.c))
			r.ConflictExposure(got[k])
		}
		if !r0(got[1]) {
			t.Fatalf("b=%v: the placeless exposures %v are not all positive", b, got[1])
		}
		for i := range got[0] {
			if math.Abs(got[0][i]-got[1][i]) > 1e-12*got[1][i] {
				t.Errorf("b=%v: group %d's exposure %v in one state, %v placeless", b, i, got[0][i], got[1][i])
			}
		}
	}
}

func r0(x []float64) bool {
	for _, v := range x {
		if !(v > 0) {
			return false
		}
	}
	return true
}

// stepWeeks steps a replicate and returns each week's metrics and states.
func stepWeeks(w *World, r *Replicate, seed uint64, weeks int) (metrics, states [][]float64) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	r.Reset(rng)
	n := 0
	if w.Geography() != nil {
		n = w.Geography().Len() * int(NumStateMetrics)
	}
	for wk := 1; wk <= weeks; wk++ {
		out := make([]float64, NumMetrics)
		st := make([]float64, n)
		r.Step(wk, rng, out)
		r.StateWeek(st)
		metrics = append(metrics, out)
		states = append(states, st)
	}
	return metrics, states
}

// Groups that never share or touch a state do not fight: x in A and z in B (not
// adjacent) lose no one to conflict, however lethal it is and whatever the adjacent
// weight; without geography the same two groups fight.
func TestGroupsApartDoNotFight(t *testing.T) {
	p := DefaultParams()
	p.ConflictLethality = 1e-4 // 1,000 enemies: a tenth of a group a week
	p.AdjacentWeight = 1
	w := lineWorld(t, p, map[string]string{"x": "A", "z": "B"}, []Edge{{"x", "z", 5}}, nil)
	metrics, _ := stepWeeks(w, w.NewReplicate(), 7, 20)
	for wk, out := range metrics {
		if out[Deaths] != 0 {
			t.Fatalf("week %d: %v conflict deaths between groups in states that do not touch", wk+1, out[Deaths])
		}
	}
	cfg := w.cfg
	cfg.Economy, cfg.Geography = nil, nil
	placeless, err := NewWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ = stepWeeks(placeless, placeless.NewReplicate(), 7, 20)
	if metrics[0][Deaths] == 0 {
		t.Errorf("without geography the same groups do not fight either: the test shows nothing")
	}
}

// Deaths land in the state where the fighting is: x and y share A, z is alone in B. Every
// death is in A, none in M or B; with an adjacent weight, y moved to M fights x across
// the border and z (adjacent to M) too, but no one dies in a state nobody is exposed in.
func TestDeathsLandWhereTheFightingIs(t *testing.T) {
	p := DefaultParams()
	p.ConflictLethality = 1e-4
	p.AdjacentWeight = 0
	w := lineWorld(t, p, map[string]string{"x": "A", "y": "A", "z": "B"}, nil, nil)
	metrics, states := stepWeeks(w, w.NewReplicate(), 11, 10)
	k := int(NumStateMetrics)
	total := 0.0
	for wk, out := range metrics {
		st := states[wk]
		if st[0*k+int(StateDeaths)] != out[Deaths] || st[1*k+int(StateDeaths)] != 0 || st[2*k+int(StateDeaths)] != 0 {
			t.Fatalf("week %d: deaths by state A %v, M %v, B %v; national %v, want all in A",
				wk+1, st[int(StateDeaths)], st[k+int(StateDeaths)], st[2*k+int(StateDeaths)], out[Deaths])
		}
		total += out[Deaths]
	}
	if total == 0 {
		t.Fatal("x and y, sharing A, never fought")
	}

	// The adjacent weight acts only between adjacent states: x in A, y in M, z in B. With
	// a = 0 no one fights (no state is shared); with a = 1, x and z both fight y, who is
	// adjacent to both, and y's deaths land in M, x's in A, z's in B.
	for _, a := range []float64{0, 1} {
		p.AdjacentWeight = a
		w := lineWorld(t, p, map[string]string{"x": "A", "y": "M", "z": "B"}, nil, nil)
		metrics, states := stepWeeks(w, w.NewReplicate(), 13, 10)
		var byState [3]float64
		for wk, out := range metrics {
			sum := 0.0
			for v := range 3 {
				byState[v] += states[wk][v*k+int(StateDeaths)]
				sum += states[wk][v*k+int(StateDeaths)]
			}
			if sum != out[Deaths] {
				t.Errorf("a=%v week %d: %v deaths over the states, %v national", a, wk+1, sum, out[Deaths])
			}
		}
		switch {
		case a == 0 && byState != [3]float64{}:
			t.Errorf("a=0: deaths %v by state, want none: no state is shared", byState)
		case a == 1 && !(byState[0] > 0 && byState[1] > 0 && byState[2] > 0):
			t.Errorf("a=1: deaths %v by state, want some in each: each group is next to y", byState)
		}
	}
}

// Baseline hostility 0 lets only rivals fight, 1 every pair that meets: x and y share A
// and are not rivals.
func TestBaselineHostility(t *testing.T) {
	for _, b := range []float64{0, 1} {
		p := DefaultParams()
		p.ConflictLethality = 1e-4
		p.BaselineHostility = b
		w := lineWorld(t, p, map[string]string{"x": "A", "y": "A"}, nil, nil)
		metrics, _ := stepWeeks(w, w.NewReplicate(), 17, 10)
		total := 0.0
		for _, out := range metrics {
			total += out[Deaths]
		}
		if (b == 0) != (total == 0) {
			t.Errorf("baseline hostility %v: %v deaths in 10 weeks", b, total)
		}
	}
}

// Homicides by hand: with no conflict (lethality 0) each state's homicides are its
// baseline, rate x population / 100,000 a year, a week being 7/365.25 of a year: at 10
// per 100,000, A's million people have 100 x 7/365.25 = 1.91650 a week, M 3.83299, B
// 5.74949; and with conflict, the OC ratio times each state's deaths on top.
func TestHomicidesByHand(t *testing.T) {
	p := DefaultParams()
	p.ConflictLethality = 0
	p.BaselineHomicideRate = 10
	w := lineWorld(t, p, map[string]string{"x": "A", "y": "M"}, nil, nil)
	metrics, states := stepWeeks(w, w.NewReplicate(), 19, 3)
	k := int(NumStateMetrics)
	want := []float64{100 * 7 / 365.25, 200 * 7 / 365.25, 300 * 7 / 365.25}
	for wk, out := range metrics {
		for v, h := range want {
			if got := states[wk][v*k+int(StateHomicides)]; math.Abs(got-h) > 1e-12 {
				t.Errorf("week %d state %d: %v homicides, want %v", wk+1, v, got, h)
			}
		}
		if math.Abs(out[Homicides]-600*7/365.25) > 1e-12 {
			t.Errorf("week %d: %v homicides nationally, want %v", wk+1, out[Homicides], 600*7/365.25)
		}
	}

	p.ConflictLethality = 1e-4
	p.OCHomicideRatio = 3
	w = lineWorld(t, p, map[string]string{"x": "A", "y": "A"}, nil, nil)
	metrics, states = stepWeeks(w, w.NewReplicate(), 19, 3)
	for wk, out := range metrics {
		if out[Deaths] == 0 {
			t.Fatalf("week %d: no deaths", wk+1)
		}
		if got, h := states[wk][int(StateHomicides)], want[0]+3*out[Deaths]; math.Abs(got-h) > 1e-9 {
			t.Errorf("week %d: A has %v homicides with %v deaths, want %v", wk+1, got, out[Deaths], h)
		}
	}
}

// The per-state series add up to the national ones, exactly, week by week, in the toy
// economy world with strikes (civilian casualties) and captures, and StateWeek, with
// the event log off, allocates nothing.
func TestStatesSumToNational(t *testing.T) {
	frag := DefaultFragmentation()
	strikes := Intervention{Kind: Airstrikes, From: 0, To: Forever, Intensity: 5, Actor: US, Casualties: 0.5}
	capture := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 6, Actor: Mexico, Targets: Targets{Largest: 2}}
	w := toyEconomyWorld(t, toyLabs(), &frag, strikes, capture)
	r := w.NewReplicate()
	metrics, states := stepWeeks(w, r, 23, 150)
	k := int(NumStateMetrics)
	var civ, deaths float64
	for wk, out := range metrics {
		var sum [NumStateMetrics]float64
		for v := range w.Geography().Len() {
			for m := range NumStateMetrics {
				sum[m] += states[wk][v*k+int(m)]
			}
		}
		if sum[StateHomicides] != out[Homicides] || sum[StateDeaths] != out[Deaths] ||
			sum[StateCivilianCasualties] != out[CivilianCasualties] || sum[StateMembers] != out[Members] || sum[StateLabs] != out[Labs] {
			t.Fatalf("week %d: states sum to %v; national homicides %v, deaths %v, civilians %v, members %v, labs %v",
				wk+1, sum, out[Homicides], out[Deaths], out[CivilianCasualties], out[Members], out[Labs])
		}
		civ += out[CivilianCasualties]
		deaths += out[Deaths]
	}
	if civ == 0 || deaths == 0 {
		t.Fatalf("%v civilian casualties and %v deaths in 150 weeks: the sums show nothing", civ, deaths)
	}
	st := make([]float64, w.Geography().Len()*k)
	if a := testing.AllocsPerRun(20, func() { r.StateWeek(st) }); a != 0 {
		t.Errorf("StateWeek allocates %v times", a)
	}
	// Nor does a week of the spatial kernel with the event log off, once the scratch has
	// grown.
	rng := rand.New(rand.NewPCG(5, 6))
	out := make([]float64, NumMetrics)
	wk := len(metrics)
	if a := testing.AllocsPerRun(50, func() { wk++; r.Step(wk, rng, out); r.StateWeek(st) }); a != 0 {
		t.Errorf("a week with geography allocates %v times", a)
	}
}

// The event log: one capture or killing per leader removed, one split per split (its
// Other a faction of the group), strikes adding up to the labs destroyed and the
// civilians killed; and recording changes no metric, no state and no lineage (the same
// seed run with the log off and on).
func TestEventsMatchTheMetrics(t *testing.T) {
	frag := DefaultFragmentation()
	strikes := Intervention{Kind: Airstrikes, From: 0, To: Forever, Intensity: 5, Actor: US, Casualties: 0.5}
	capture := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 8, Actor: Mexico, Targets: Targets{Largest: 3}}
	kill := Intervention{Kind: Decapitation, From: 50, To: Forever, Intensity: 4, Actor: Mexico, Targets: Targets{Largest: 2}, Removal: Kill}
	w := toyEconomyWorld(t, toyLabs(), &frag, strikes, capture, kill)
	off := w.NewReplicate()
	m0, s0 := stepWeeks(w, off, 29, 200)
	on := w.NewReplicate()
	on.RecordEvents(true)
	m1, s1 := stepWeeks(w, on, 29, 200)
	for wk := range m0 {
		if !slices.Equal(m0[wk], m1[wk]) || !slices.Equal(s0[wk], s1[wk]) {
			t.Fatalf("week %d: recording events changed the outputs", wk+1)
		}
	}
	if !slices.Equal(off.Lineage(), on.Lineage()) {
		t.Fatal("recording events changed the lineage")
	}
	if len(off.Events()) != 0 {
		t.Errorf("%d events recorded with the log off", len(off.Events()))
	}
	var removed, splits, destroyed, civilians float64
	for _, out := range m0 {
		removed += out[LeadersRemoved]
		splits += out[Splits]
		destroyed += out[LabsDestroyed]
		civilians += out[CivilianCasualties]
	}
	var count [NumEventKinds]float64
	var hit, killed float64
	lineage := on.Lineage()
	kinds := map[EventKind]bool{}
	for _, e := range on.Events() {
		count[e.Kind]++
		kinds[e.Kind] = true
		if e.Week < 1 || e.Week > 200 {
			t.Errorf("event %+v outside the run's weeks", e)
		}
		switch e.Kind {
		case EventStrike:
			hit += e.Value
			killed += e.Value2
			if e.State < 0 || e.State >= w.Geography().Len() {
				t.Errorf("strike %+v without a state", e)
			}
		case EventSplit:
			if e.Other >= 0 && lineage[e.Other].Parent != e.Group {
				t.Errorf("split %+v: faction %d's parent is %d", e, e.Other, lineage[e.Other].Parent)
			}
			fallthrough
		case EventCapture, EventKilling, EventSuccession:
			if e.Group < 0 || e.Group >= len(lineage) || e.State < 0 {
				t.Errorf("event %+v without its group or state", e)
			}
		}
	}
	if count[EventCapture]+count[EventKilling] != removed || count[EventSplit] != splits {
		t.Errorf("%v captures, %v killings, %v splits recorded; metrics %v removed, %v splits",
			count[EventCapture], count[EventKilling], count[EventSplit], removed, splits)
	}
	if hit != destroyed || killed != civilians {
		t.Errorf("strike events: %v labs, %v civilians; metrics %v, %v", hit, killed, destroyed, civilians)
	}
	for _, k := range []EventKind{EventCapture, EventKilling, EventStrike} {
		if !kinds[k] {
			t.Errorf("no %s event in 200 weeks: the test shows little", k)
		}
	}
	// Reset clears the log and keeps it on.
	on.Reset(rand.New(rand.NewPCG(1, 1)))
	if len(on.Events()) != 0 || !on.recording {
		t.Errorf("after Reset: %d events, recording %v", len(on.Events()), on.recording)
	}
}

// A ceasefire's start and breakdown are logged with its two named groups.
func TestCeasefireEvents(t *testing.T) {
	truce := lever(Ceasefire, 10, Forever, 1, Mexico)
	truce.Targets.Groups = []string{"a", "b"}
	pol := DefaultPolicy()
	pol.UnenforcedTruceWeeks = 2
	w := policyWorld(t, pol, nil, truce)
	r := w.NewReplicate()
	r.RecordEvents(true)
	metrics, _ := stepWeeks(w, r, 31, 60)
	a, b := slotOf(t, r, "a"), slotOf(t, r, "b")
	var starts, breaks []Event
	for _, e := range r.Events() {
		switch e.Kind {
		case EventCeasefireStart:
			starts = append(starts, e)
		case EventCeasefireBreakdown:
			breaks = append(breaks, e)
		}
	}
	if len(starts) != 1 || starts[0].Week != 11 || starts[0].Group != min(a, b) || starts[0].Other != max(a, b) {
		t.Fatalf("ceasefire starts %+v, want one in week 11 between %d and %d", starts, a, b)
	}
	if len(breaks) != 1 {
		t.Fatalf("ceasefire breakdowns %+v, want one (mean life 2 weeks, 50 weeks)", breaks)
	}
	// The truce holds until the week of its breakdown.
	if wk := breaks[0].Week; metrics[wk-1][Truces] != 0 || metrics[wk-2][Truces] != 1 && wk > 11 {
		t.Errorf("breakdown in week %d, truces %v then %v", wk, metrics[wk-2][Truces], metrics[wk-1][Truces])
	}
}

// Crowding by hand on the line A - M - B, as TestSpatialExposureByHand places the groups:
// x has 2,000 in A and 1,000 in M, y 1,200 in M, z 600 in B, so A has 2,000 members, M
// 2,200 and B 600. A group's crowd is its size times the members of its states weighted by
// its own there, over its own squared: x 3000 (2000 x 2000 + 1000 x 2200)/(2000^2 + 1000^2)
// = 3,720; y 1200 x 1200 x 2200/1200^2 = 2,200, its own and x's in M; z, alone, its own
// 600. The saturation hazard is omega ((1-s) C + s crowd): at s = 0 the paper's omega C.
// The world shares crowding, so that its exposure works the crowds out.
func TestCrowdingByHand(t *testing.T) {
	p := DefaultParams()
	p.SaturationSharing = 1
	r, x, y, z := lineReplicate(t, p, nil)
	out := make([]float64, len(r.c))
	total := r.ConflictExposure(out)
	for _, g := range []struct {
		id          string
		slot        int
		size, crowd float64
	}{{"x", x, 3000, 3720}, {"y", y, 1200, 2200}, {"z", z, 600, 600}} {
		for _, s := range []float64{0, 0.5, 1} {
			p.SaturationSharing = s
			want := p.Saturation * ((1-s)*g.size + s*g.crowd)
			if got := r.saturationHazard(p, g.slot, g.size, total); math.Abs(got-want) > 1e-12*want {
				t.Errorf("%s at sharing %v: saturation hazard %v, want %v", g.id, s, got, want)
			}
		}
	}
}
