package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Supply halved: consumption (exposure) halves at once, the price rises by
// 2^(1/elasticity) (demand's documented elasticity), and deaths close the gap to their new
// level as 1 - (1 - 1/lag)^n after n weeks, by hand.
func TestOverdoseSupplyHalvedByHand(t *testing.T) {
	e := DefaultEconomy()
	e.FentanylShare, e.FentanylGrowth = 0.5, 0 // constant share
	e.OverdoseFatality, e.OverdoseLagWeeks, e.OtherOverdoseDeaths = 2, 4, 10
	s0 := e.ReferenceDemand // supply at the reference price
	var o overdose
	for range 20 {
		o.step(&e, e.fentanylShare(0)*s0, 0)
	}
	// Before: 10 + 2 x 0.5 x s0 / 1e6 deaths a week.
	before := 10 + 2*0.5*s0/1e6
	if got := o.step(&e, 0.5*s0, 0); math.Abs(got-before) > 1e-9*before {
		t.Fatalf("deaths in balance %v, want %v", got, before)
	}
	// Price: supply halved at elasticity 0.5 quadruples it.
	p0, p1 := e.clearingPrice(s0, 1), e.clearingPrice(s0/2, 1)
	if el := math.Log(0.5) / math.Log(p1/p0); math.Abs(el+e.PriceElasticity) > 1e-12 {
		t.Errorf("consumption's elasticity to price %v, want -%v", el, e.PriceElasticity)
	}
	if math.Abs(p1/p0-4) > 1e-12 {
		t.Errorf("price ratio %v, want 4 (2^(1/0.5))", p1/p0)
	}
	after := 10 + 2*0.5*(s0/2)/1e6 // the new balance
	for n := 1; n <= 12; n++ {
		got := o.step(&e, 0.5*s0/2, 0)
		want := before + (after-before)*(1-math.Pow(0.75, float64(n)))
		if math.Abs(got-want) > 1e-9*want {
			t.Fatalf("week %d after the cut: deaths %v, want %v", n, got, want)
		}
	}
	// Harm reduction of 40% removes 40% of the week's deaths at once.
	lagged := o.lagged
	if got, want := o.step(&e, lagged, 0.4), 0.6*(10+2*lagged/1e6); math.Abs(got-want) > 1e-9*want {
		t.Errorf("deaths under 40%% harm reduction %v, want %v", got, want)
	}
}

// The adulterated share grows logistically from fentanyl_share at fentanyl_growth a year;
// from 2% at 0.7 a year without a ceiling (1) it is 4% a year on and 92% after nine years,
// by hand.
func TestFentanylShareByHand(t *testing.T) {
	e := DefaultEconomy()
	e.FentanylShare, e.FentanylGrowth, e.FentanylCeiling = 0.02, 0.7, 1
	for _, c := range []struct{ years, want float64 }{
		{0, 0.02},
		{1, 1 / (1 + 49*0.4965853)}, // e^-0.7
		{9, 1 / (1 + 49*0.0018363)}, // e^-6.3
	} {
		if got := e.fentanylShare(c.years * WeeksPerYear); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("share after %v years %v, want %v", c.years, got, c.want)
		}
	}
	e.FentanylGrowth = 0
	if got := e.fentanylShare(500); got != 0.02 {
		t.Errorf("share without growth %v, want 0.02", got)
	}
}

// With a ceiling K the share grows logistically towards K: from 2% at 0.7 a year under a
// ceiling of 0.5 it is 0.5 / (1 + 24 e^-0.7) = 3.87% a year on, 0.5 / (1 + 24 e^-6.3) =
// 47.9% after nine years and 0.5 in the long run, by hand; a share that starts at the
// ceiling stays there.
func TestFentanylShareCeilingByHand(t *testing.T) {
	e := DefaultEconomy()
	e.FentanylShare, e.FentanylGrowth, e.FentanylCeiling = 0.02, 0.7, 0.5
	for _, c := range []struct{ years, want float64 }{
		{0, 0.02},
		{1, 0.5 / (1 + 24*0.4965853)},
		{9, 0.5 / (1 + 24*0.0018363)},
		{100, 0.5},
	} {
		if got := e.fentanylShare(c.years * WeeksPerYear); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("share after %v years %v, want %v", c.years, got, c.want)
		}
	}
	if got := e.fentanylShare(1 * WeeksPerYear); math.Abs(got-0.03870) > 1e-5 {
		t.Errorf("share after a year %v, want 0.03870", got)
	}
	e.FentanylCeiling = 0.02
	if got := e.fentanylShare(5 * WeeksPerYear); got != 0.02 {
		t.Errorf("share starting at its ceiling %v after five years, want 0.02", got)
	}
}

// The share's clock: with a calendar it counts from FentanylWeekOne weeks before week 1,
// whatever the warm-up; without one, from the world's first week.
func TestFentanylClock(t *testing.T) {
	c := Config{WarmUpWeeks: 30}
	if got := c.fentanylWeeks(1); got != 30 {
		t.Errorf("no calendar: week 1 at %v weeks, want the 30 of the warm-up", got)
	}
	one := 679.0
	c.FentanylWeekOne = &one
	for wk, want := range map[int]float64{1: 679, 11: 689, -29: 649} {
		if got := c.fentanylWeeks(wk); got != want {
			t.Errorf("calendar: week %d at %v weeks, want %v", wk, got, want)
		}
	}
}

// Harm reduction lowers overdose deaths by its intensity and moves nothing else: the
// same seed with and without it gives the same metrics every week but overdose deaths,
// which are (1 - intensity) of the baseline's in every week it is active.
func TestHarmReductionMovesOnlyOverdoseDeaths(t *testing.T) {
	const weeks, from = 60, 20
	hr := Intervention{Kind: HarmReduction, From: from, To: Forever, Intensity: 0.4, Actor: US}
	base := toyEconomyWorld(t, toyLabs(), nil).NewReplicate()
	cut := toyEconomyWorld(t, toyLabs(), nil, hr).NewReplicate()
	rb, rc := rand.New(rand.NewPCG(7, 8)), rand.New(rand.NewPCG(7, 8))
	base.Reset(rb)
	cut.Reset(rc)
	ob, oc := make([]float64, NumMetrics), make([]float64, NumMetrics)
	for wk := 1; wk <= weeks; wk++ {
		base.Step(wk, rb, ob)
		cut.Step(wk, rc, oc)
		for m := range NumMetrics {
			want := ob[m]
			if m == OverdoseDeaths && wk > from { // active in the steps after from (Intervention.Active)
				want *= 0.6
			}
			if math.Abs(oc[m]-want) > 1e-9*math.Abs(want) {
				t.Fatalf("week %d: %s %v with harm reduction, want %v", wk, m, oc[m], want)
			}
		}
		if ob[OverdoseDeaths] <= 0 || ob[USConsumption] <= 0 {
			t.Fatalf("week %d: overdose deaths %v, consumption %v, want positive", wk, ob[OverdoseDeaths], ob[USConsumption])
		}
	}
}

// In the toy world, border interdiction of half the shipments from week 21 halves the
// supply that week (the labs' production is the same: the cut acts after it), so by hand:
// US consumption halves, the price rises by 2^(1/elasticity) = 4 (demand's elasticity,
// 0.5), and deaths fall by fatality x (the drop in exposure) / lag that week, then close
// 1 - (3/4)^n of the gap to half after n weeks (lag 4 weeks).
func TestSupplyHalvedInToyWorld(t *testing.T) {
	const from, weeks = 20, 36
	econ := toyLabs()
	econ.FentanylShare, econ.FentanylGrowth, econ.OtherOverdoseDeaths = 0.5, 0, 0
	// The border's 10% and 50% more of what passes: 1 - 0.9 x 0.5 = 0.55 seized, half of
	// the 0.9 that passed.
	cut := Intervention{Kind: Interdiction, From: from, To: Forever, Intensity: 0.5, Actor: US}
	run := func(ivs ...Intervention) [][]float64 {
		r, rng := startToy(t, econ, 3, ivs...)
		var series [][]float64
		for wk := 1; wk <= weeks; wk++ {
			out := make([]float64, NumMetrics)
			r.Step(wk, rng, out)
			series = append(series, out)
		}
		return series
	}
	base, half := run(), run(cut)
	b, h := base[from], half[from] // week 21
	if b[Production] != h[Production] || b[Supply] <= 0 {
		t.Fatalf("week %d: production %v and %v, supply %v; want the same production and some supply", from+1, b[Production], h[Production], b[Supply])
	}
	for _, c := range []struct {
		m    Metric
		want float64
	}{
		{Supply, b[Supply] / 2},
		{USConsumption, 0.5 * b[Supply] / 2},
		{Price, 4 * b[Price]},
		{OverdoseDeaths, b[OverdoseDeaths] - econ.OverdoseFatality*(0.5*b[Supply]/2)/4/1e6},
	} {
		if math.Abs(h[c.m]-c.want) > 1e-9*c.want {
			t.Errorf("week %d: %s %v with half the supply, want %v", from+1, c.m, h[c.m], c.want)
		}
	}
	// n weeks on, deaths have closed 1 - (3/4)^n of the way to half the baseline's; the
	// worlds drift apart slowly (revenue moves recruitment), hence the 3% tolerance.
	for _, n := range []int{4, 12} {
		got := half[from+n-1][OverdoseDeaths] / base[from+n-1][OverdoseDeaths]
		want := 1 - 0.5*(1-math.Pow(0.75, float64(n)))
		if math.Abs(got-want) > 0.03 {
			t.Errorf("%d weeks after the cut: deaths %v of the baseline's, want %v", n, got, want)
		}
	}
}
