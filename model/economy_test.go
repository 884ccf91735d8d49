package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// toyGeography is five states: a Pacific port P, two central states Q and R, and two
// border states N1 and N2, linked P-Q, Q-R, Q-N1, R-N2, N1-N2.
func toyGeography(t testing.TB) *Geography {
	t.Helper()
	g, err := NewGeography([]State{
		{Code: "P", Name: "Port", Population: 1e6, Zone: Pacific, PacificPort: true},
		{Code: "Q", Name: "Quarry", Population: 2e6, Zone: Centre},
		{Code: "R", Name: "Ridge", Population: 1e6, Zone: Centre},
		{Code: "N1", Name: "North one", Population: 1e6, Zone: North, USBorder: true},
		{Code: "N2", Name: "North two", Population: 1e6, Zone: North, USBorder: true},
	}, [][2]string{{"P", "Q"}, {"Q", "R"}, {"Q", "N1"}, {"R", "N2"}, {"N1", "N2"}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// toyLabs is the economy of the toy world: a market for 60 labs.
func toyLabs() Economy {
	e := DefaultEconomy()
	e.ReferenceDemand = 60 * e.LabCapacity * (1 - e.BorderSeizure)
	e.PrecursorBatches = 75
	return e
}

// toyEconomyWorld has three groups: a (home P, 3,000 members) and b (home R, 2,000) are
// rivals, b and c (home N1, 1,500) allies. Arrests are scaled to the world's size so that
// the groups grow slowly, as the paper's world does.
func toyEconomyWorld(t testing.TB, econ Economy, frag *Fragmentation, ivs ...Intervention) *World {
	t.Helper()
	w, err := NewWorld(toyConfig(t, econ, frag, ivs...))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// toyConfig is the configuration of toyEconomyWorld, for tests that add to it.
func toyConfig(t testing.TB, econ Economy, frag *Fragmentation, ivs ...Intervention) Config {
	t.Helper()
	net, err := NewNetwork(
		[]Group{{ID: "a", State: "P"}, {ID: "b", State: "R"}, {ID: "c", State: "N1"}},
		[]Edge{{"a", "b", 1}},
		[]Edge{{"b", "c", 1}},
	)
	if err != nil {
		t.Fatal(err)
	}
	sizes := make([]float64, net.Len())
	for i, g := range net.Groups {
		sizes[i] = map[string]float64{"a": 3000, "b": 2000, "c": 1500}[g.ID]
	}
	p := DefaultParams()
	p.Incapacitation = 4
	return Config{Network: net, Params: p, InitialSizes: sizes, Economy: &econ, Geography: toyGeography(t),
		Fragmentation: frag, Interventions: ivs}
}

// startToy builds the toy world and resets a replicate of it with the given seed.
func startToy(t testing.TB, econ Economy, seed uint64, ivs ...Intervention) (*Replicate, *rand.Rand) {
	t.Helper()
	r := toyEconomyWorld(t, econ, nil, ivs...).NewReplicate()
	rng := rand.New(rand.NewPCG(seed, seed+1))
	r.Reset(rng)
	return r, rng
}

// meanSeries runs replicates and returns the mean of every metric by week (index wk-1).
func meanSeries(w *World, reps, weeks int, seed uint64) [][NumMetrics]float64 {
	mean := make([][NumMetrics]float64, weeks)
	r := w.NewReplicate()
	out := make([]float64, NumMetrics)
	for rep := range reps {
		rng := rand.New(rand.NewPCG(seed, uint64(rep)))
		r.Reset(rng)
		for wk := 1; wk <= weeks; wk++ {
			r.Step(wk, rng, out)
			for m := range NumMetrics {
				mean[wk-1][m] += out[m] / float64(reps)
			}
		}
	}
	return mean
}

// sumOver adds metric m over weeks from < wk <= to.
func sumOver(s [][NumMetrics]float64, m Metric, from, to int) float64 {
	total := 0.0
	for wk := from + 1; wk <= to; wk++ {
		total += s[wk-1][m]
	}
	return total
}

func strikes(t testing.TB, from, to int, perWeek float64, states ...string) Intervention {
	t.Helper()
	iv, err := NewIntervention(Airstrikes, from, to, perWeek, US)
	if err != nil {
		t.Fatal(err)
	}
	iv.Targets.States = states
	iv.Casualties = DefaultCasualties(Airstrikes)
	return iv
}

// capacity is labs plus pending rebuilds of every living group.
func capacity(r *Replicate) float64 {
	total := 0.0
	for i := range r.c {
		if r.alive(i) {
			for _, s := range r.territory.slot(i) {
				total += s.labs + s.pending
			}
		}
	}
	return total
}

// checkEconomy verifies the economy's invariants after a week: no negative labs, labs
// only where their group is, supply within production, a positive finite price, labs by
// zone adding up, and capacity changed only by building, closing and groups ending (a
// strike turns a lab into a pending rebuild; a rebuild, relocated or not, turns it back).
func checkEconomy(t *testing.T, r *Replicate, wk int, before float64, out []float64) {
	t.Helper()
	tr := &r.territory
	n := r.w.Geography().Len()
	for i := range r.c {
		for v, s := range tr.slot(i) {
			if s.labs < 0 || s.pending < 0 || s.labs != math.Trunc(s.labs) || s.pending != math.Trunc(s.pending) {
				t.Fatalf("week %d: slot %d region %d has %v labs and %v pending", wk, i, v, s.labs, s.pending)
			}
			held := v == n || tr.present[i]&(1<<v) != 0
			if (s.labs > 0 || s.pending > 0) && (!r.alive(i) || !held) {
				t.Fatalf("week %d: slot %d (alive %v) has labs in region %d, which it does not hold", wk, i, r.alive(i), v)
			}
		}
		if r.alive(i) && tr.present[i]&(1<<tr.home[i]) == 0 {
			t.Fatalf("week %d: slot %d left its home state", wk, i)
		}
	}
	if out[Supply] > out[Production]*(1+1e-12) || out[Seized] < -1e-6*out[Production] {
		t.Fatalf("week %d: supply %v, production %v, seized %v", wk, out[Supply], out[Production], out[Seized])
	}
	if !(out[Price] > 0) || math.IsInf(out[Price], 0) {
		t.Fatalf("week %d: price %v", wk, out[Price])
	}
	zones := out[LabsNorth] + out[LabsPacific] + out[LabsCentre] + out[LabsSoutheast]
	if out[Labs] != zones {
		t.Fatalf("week %d: labs %v, zones add to %v", wk, out[Labs], zones)
	}
	after := capacity(r)
	if want := before + tr.built - tr.closed - tr.lost; after != want {
		t.Fatalf("week %d: capacity %v, want %v + %v built - %v closed - %v lost = %v", wk, after, before, tr.built, tr.closed, tr.lost, want)
	}
}

// runChecked steps reps replicates of w for weeks weeks, checking the core's and the
// economy's invariants after every week, and hands each week's metrics to each.
func runChecked(t *testing.T, w *World, reps, weeks int, seed uint64, each func(wk int, out []float64)) {
	t.Helper()
	r := w.NewReplicate()
	out := make([]float64, NumMetrics)
	for rep := range reps {
		rng := rand.New(rand.NewPCG(seed, uint64(rep)))
		r.Reset(rng)
		for wk := 1; wk <= weeks; wk++ {
			before := capacity(r)
			r.Step(wk, rng, out)
			checkInvariants(t, r, wk)
			checkEconomy(t, r, wk, before, out)
			each(wk, out)
		}
	}
}

// Everything at once, with splits dividing labs and territory: the invariants hold every
// week of every replicate.
func TestEconomyInvariants(t *testing.T) {
	frag := DefaultFragmentation()
	frag.ViableMembers = 5
	kill := Intervention{Kind: Decapitation, From: 10, To: 300, Intensity: 20, Actor: US, Targets: Targets{Largest: 3}, Removal: Kill}
	interdict := Intervention{Kind: Interdiction, From: 50, To: 150, Intensity: 0.4, Actor: Mexico, Targets: Targets{States: []string{"N2", "Q"}}}
	border := Intervention{Kind: Interdiction, From: 100, To: 200, Intensity: 0.3, Actor: US}
	demand := Intervention{Kind: DemandReduction, From: 150, To: Forever, Intensity: 0.6, RampUntil: 250, Actor: US}
	w := toyEconomyWorld(t, toyLabs(), &frag, kill, strikes(t, 20, 120, 8), strikes(t, 60, 90, 30, "P", "N1"), interdict, border, demand)
	splits, abroad := 0.0, 0.0
	runChecked(t, w, 20, 300, 7, func(wk int, out []float64) {
		splits += out[Splits]
		abroad = max(abroad, out[LabsAbroad])
	})
	if splits == 0 || abroad == 0 {
		t.Errorf("the test exercised %v splits and at most %v labs abroad; want some of each", splits, abroad)
	}
}

// The clearing price: hand values of ReferencePrice x (Q/demand)^(-1/elasticity), and
// positive and finite at every extreme.
func TestClearingPrice(t *testing.T) {
	e := DefaultEconomy()
	d := e.ReferenceDemand
	for _, c := range []struct {
		q, m, want float64
	}{
		{d, 1, 0.5},
		{d / 2, 1, 0.5 * 4},    // half the supply, elasticity 0.5: four times the price
		{d, 0.5, 0.5 / 4},      // half the demand: a quarter of the price
		{d / 2, 0.5, 0.5},      // both halved
		{0, 1, 0.5 * 20},       // nothing delivered: the cap
		{d * 1e6, 1, 0.5 / 20}, // a glut: the floor
		{d, 0, 0.5 / 20},       // no demand left
	} {
		if got := e.clearingPrice(c.q, c.m); math.Abs(got-c.want) > 1e-12*c.want {
			t.Errorf("price(q=%g, m=%g) = %v, want %v", c.q, c.m, got, c.want)
		}
	}
	for _, el := range []float64{0.01, 0.5, 100} {
		for _, ratio := range []float64{1, 20, 1e6} {
			e.PriceElasticity, e.MaxPriceRatio = el, ratio
			for _, q := range []float64{0, 1e-300, 1, d, 1e300, math.MaxFloat64} {
				for _, m := range []float64{0, 1e-300, 0.5, 1} {
					if p := e.clearingPrice(q, m); !(p > 0) || math.IsInf(p, 0) {
						t.Fatalf("elasticity %v, ratio %v: price(%g, %g) = %v", el, ratio, q, m, p)
					}
				}
			}
		}
	}
}

// Border interdiction seizes its share of what reaches the border: with the baseline 10%
// and 50% more, 1 - 0.9 x 0.5 = 55% of production, every week.
func TestBorderInterdictionShare(t *testing.T) {
	iv := Intervention{Kind: Interdiction, From: 0, To: Forever, Intensity: 0.5, Actor: US}
	r, rng := startToy(t, toyLabs(), 1, iv)
	out := make([]float64, NumMetrics)
	for wk := 1; wk <= 52; wk++ {
		r.Step(wk, rng, out)
		if got := out[Seized] / out[Production]; math.Abs(got-0.55) > 1e-12 {
			t.Fatalf("week %d: seized %v of production, want 0.55", wk, got)
		}
	}
}

// Interdiction in a state seizes there, and routes divert around it once it costs more
// than the detour: b ships from R through N2 (two steps) rather than Q and N1 (three).
func TestRoutesDivertAroundInterdiction(t *testing.T) {
	iv := Intervention{Kind: Interdiction, From: 0, To: Forever, Intensity: 0.5, Actor: Mexico, Targets: Targets{States: []string{"N2"}}}
	for _, c := range []struct {
		cost, want float64
	}{
		{0, 0.9 * 0.5}, // no cost to enforcement: b keeps the short route and loses half there
		{5, 0.9},       // N2 costs 1 + 5 x 0.5: the detour through Q and N1 is cheaper
	} {
		econ := toyLabs()
		econ.EnforcementCost = c.cost
		r, rng := startToy(t, econ, 1, iv)
		r.Step(1, rng, make([]float64, NumMetrics))
		b := slotOf(t, r, "b")
		ridge, _ := r.w.Geography().Lookup("R")
		if got := r.territory.slot(b)[ridge].pass; math.Abs(got-c.want) > 1e-12 {
			t.Errorf("enforcement cost %v: b's shipments from R pass %v, want %v", c.cost, got, c.want)
		}
	}
}

// Routes are computed once per group and policy, not every week: over two years with an
// interdiction that starts and ends, a handful of computations per group.
func TestRoutesRecomputedOnlyWhenCostsChange(t *testing.T) {
	iv := Intervention{Kind: Interdiction, From: 30, To: 60, Intensity: 0.5, Actor: Mexico, Targets: Targets{States: []string{"N2"}}}
	r, rng := startToy(t, toyLabs(), 3, iv)
	out := make([]float64, NumMetrics)
	for wk := 1; wk <= 104; wk++ {
		r.Step(wk, rng, out)
	}
	// Three groups with different rivals (c has none), three policies (before, during,
	// after), plus one recomputation per move of a rival (a and b each spread into a few
	// states).
	if got := r.territory.routings; got < 9 || got > 30 {
		t.Errorf("%d route computations in 104 weeks, want between 9 and 30", got)
	}
}

// Strikes lower labs while they last, labs recover once they end, and struck labs move:
// out of the struck state and some abroad.
func TestStrikesLowerLabsThenLabsRecoverAndMove(t *testing.T) {
	const reps, weeks = 40, 250
	base := meanSeries(toyEconomyWorld(t, toyLabs(), nil), reps, weeks, 11)
	struck := meanSeries(toyEconomyWorld(t, toyLabs(), nil, strikes(t, 50, 100, 6, "P")), reps, weeks, 11)
	at := func(s [][NumMetrics]float64, m Metric, wk int) float64 { return s[wk-1][m] }
	if b, s := at(base, LabsPacific, 100), at(struck, LabsPacific, 100); s > 0.5*b {
		t.Errorf("labs in the struck state at the end of the strikes: %v, want under half of the baseline's %v", s, b)
	}
	if b, s := at(base, Labs, 100)+at(base, LabsAbroad, 100), at(struck, Labs, 100)+at(struck, LabsAbroad, 100); s >= b {
		t.Errorf("labs at the end of the strikes: %v, want fewer than the baseline's %v", s, b)
	}
	if s := at(struck, LabsAbroad, 100); s <= 0 {
		t.Errorf("no lab moved abroad (%v)", s)
	}
	other := func(s [][NumMetrics]float64, wk int) float64 { return at(s, Labs, wk) - at(s, LabsPacific, wk) }
	// Most of the labs that left the struck state went to the group's other states.
	left := at(base, LabsPacific, 100) - at(struck, LabsPacific, 100)
	if b, s := other(base, 100), other(struck, 100); s < b+0.5*left {
		t.Errorf("labs in unstruck states: %v, want at least half of the %v labs that left the struck state above the baseline's %v", s, left, b)
	}
	total := func(s [][NumMetrics]float64, wk int) float64 { return at(s, Labs, wk) + at(s, LabsAbroad, wk) }
	if b, s := total(base, weeks), total(struck, weeks); math.Abs(s-b) > 0.05*b {
		t.Errorf("labs 150 weeks after the strikes: %v, want within 5%% of the baseline's %v", s, b)
	}
	// Whack-a-mole: the strikes destroy about as many labs as the state had, then find
	// fewer and fewer there as rebuilt labs go elsewhere.
	if d, had := sumOver(struck, LabsDestroyed, 50, 100), at(base, LabsPacific, 50); d < 0.9*had || d > 300-1 {
		t.Errorf("%v labs destroyed in 50 weeks of 6 strikes a week on a state with %v labs, want at least 90%% of them and fewer than the 300 strikes", d, had)
	}
	if c := sumOver(struck, CivilianCasualties, 50, 100); c <= 0 {
		t.Errorf("strikes killed no civilians (%v)", c)
	}
}

// Slower or costlier rebuilding makes the same strikes cut supply more.
func TestSlowerCostlierRebuildingCutsSupplyMore(t *testing.T) {
	const reps, weeks = 30, 130
	shortfall := func(econ Economy) float64 {
		base := meanSeries(toyEconomyWorld(t, econ, nil), reps, weeks, 5)
		struck := meanSeries(toyEconomyWorld(t, econ, nil, strikes(t, 50, 100, 6)), reps, weeks, 5)
		return sumOver(base, Supply, 50, weeks) - sumOver(struck, Supply, 50, weeks)
	}
	fast := shortfall(toyLabs())
	slow := toyLabs()
	slow.RebuildWeeks = 16
	costly := toyLabs()
	costly.LabCost = 2e7
	if s := shortfall(slow); s <= fast*1.2 {
		t.Errorf("supply lost with 16-week rebuilding %v, want well above 4-week rebuilding's %v", s, fast)
	}
	if s := shortfall(costly); s <= fast*1.2 {
		t.Errorf("supply lost with $20m labs %v, want well above $20,000 labs' %v", s, fast)
	}
	if fast <= 0 {
		t.Errorf("strikes cost no supply (%v)", fast)
	}
}

// Demand reduction lowers the value of sales, revenue and recruitment at once, and
// members over the years.
func TestDemandReductionLowersRevenueRecruitmentMembers(t *testing.T) {
	const reps, weeks = 30, 300
	dr := Intervention{Kind: DemandReduction, From: 20, To: Forever, Intensity: 0.5, Actor: US}
	base := meanSeries(toyEconomyWorld(t, toyLabs(), nil), reps, weeks, 9)
	cut := meanSeries(toyEconomyWorld(t, toyLabs(), nil, dr), reps, weeks, 9)
	value := func(s [][NumMetrics]float64) float64 {
		v := 0.0
		for wk := 21; wk <= weeks; wk++ {
			v += s[wk-1][Price] * s[wk-1][Supply]
		}
		return v
	}
	if b, c := value(base), value(cut); c >= 0.75*b {
		t.Errorf("price x supply %v, want well below the baseline's %v", c, b)
	}
	for _, m := range []Metric{Revenue, Recruits} {
		if b, c := sumOver(base, m, 20, weeks), sumOver(cut, m, 20, weeks); c >= b {
			t.Errorf("%s %v, want below the baseline's %v", m, c, b)
		}
	}
	if b, c := base[weeks-1][Members], cut[weeks-1][Members]; c >= b {
		t.Errorf("members after %d weeks %v, want below the baseline's %v", weeks, c, b)
	}
}

// At baseline revenue, recruitment is the core's: the recruitment factor of every group
// stays near 1 in a world in balance.
func TestBaselineRevenueKeepsCalibratedRecruitment(t *testing.T) {
	r, rng := startToy(t, toyLabs(), 5)
	out := make([]float64, NumMetrics)
	for wk := 1; wk <= 52; wk++ {
		r.Step(wk, rng, out)
		for i, f := range r.factor {
			if r.alive(i) && math.Abs(f-1) > 0.05 {
				t.Fatalf("week %d: slot %d recruits at %v times the core's rate", wk, i, f)
			}
		}
	}
}
