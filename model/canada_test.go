package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// onlyA empties every group's sites but a's and gives a labs in Mexico's state P (its
// home, a port) and abroad, nothing pending and no pressure: a toy world set by hand.
func onlyA(t *testing.T, r *Replicate, inP, abroad float64) (a int) {
	t.Helper()
	tr := &r.territory
	a = slotOf(t, r, "a")
	for i := range r.c {
		clear(tr.slot(i))
	}
	tr.slot(a)[tr.home[a]].labs = inP
	tr.slot(a)[tr.regions-1].labs = abroad
	return a
}

// Canadian enforcement takes each lab abroad at its weekly hazard: 400 labs at 0.25
// lose 100 a week on average (binomial, sd sqrt(400 x 0.25 x 0.75) = 8.66), each turned
// into a pending rebuild with one unit of pressure abroad; labs in Mexico are untouched.
// At hazard 0 it does nothing and draws no random number.
func TestCanadianEnforcementDismantlesLabsAbroad(t *testing.T) {
	e := toyLabs()
	e.CanadaEnforcement = 0.25
	r, rng := startToy(t, e, 41)
	tr := &r.territory
	abroad := tr.regions - 1
	const trials = 400
	total := 0.0
	for range trials {
		a := onlyA(t, r, 30, 400)
		taken := r.canadaWeek(1, rng)
		s := tr.slot(a)[abroad]
		if s.labs+s.pending != 400 || s.pending != taken || s.pressure != taken {
			t.Fatalf("abroad after enforcement: %v labs, %v pending, %v pressure, %v taken; want 400 in all, pending = pressure = taken", s.labs, s.pending, s.pressure, taken)
		}
		if p := tr.slot(a)[tr.home[a]]; p.labs != 30 || p.pending != 0 || p.pressure != 0 {
			t.Fatalf("labs in Mexico changed: %+v", p)
		}
		total += taken
	}
	// The mean of 400 trials has sd 8.66/20 = 0.43; 2.5 is almost six of them.
	if mean := total / trials; math.Abs(mean-100) > 2.5 {
		t.Errorf("mean labs dismantled %v, want 400 x 0.25 = 100", mean)
	}

	r.w.econ.CanadaEnforcement = 0
	onlyA(t, r, 30, 400)
	fresh := func() *rand.Rand { return rand.New(rand.NewPCG(9, 9)) }
	used := fresh()
	if taken := r.canadaWeek(1, used); taken != 0 {
		t.Errorf("hazard 0 dismantled %v labs", taken)
	}
	if used.Uint64() != fresh().Uint64() {
		t.Error("hazard 0 drew random numbers")
	}
}

// A lab rebuilt abroad under pressure p moves with probability 1 - exp(-p/2) at
// relocation_scale 2, and goes home with probability return_share: at p = 2 and 0.5,
// (1 - 1/e)/2 = 0.316 of them go back, to a state the group holds. Without pressure or
// with return_share 0 none does.
func TestLabsAbroadMoveBackUnderPressure(t *testing.T) {
	e := toyLabs()
	e.RelocationScale = 2
	e.ReturnShare = 0.5
	r, rng := startToy(t, e, 43)
	tr := &r.territory
	a := onlyA(t, r, 30, 10)
	abroad := tr.regions - 1
	const draws = 20000
	back := 0
	for range draws {
		switch v := r.leaveAbroad(a, 2, rng); {
		case v == abroad:
		case v >= 0 && v < abroad && tr.present[a]&(1<<v) != 0:
			back++
		default:
			t.Fatalf("a lab left abroad for region %v, which a does not hold", v)
		}
	}
	// sd sqrt(0.316 x 0.684 / 20000) = 0.0033.
	want := (1 - math.Exp(-1)) / 2
	if got := float64(back) / draws; math.Abs(got-want) > 0.015 {
		t.Errorf("share gone back %v, want (1 - 1/e)/2 = %v", got, want)
	}
	used := rand.New(rand.NewPCG(9, 9))
	if v := r.leaveAbroad(a, 0, used); v != abroad || used.Uint64() != rand.New(rand.NewPCG(9, 9)).Uint64() {
		t.Errorf("without pressure a lab went to %v (abroad is %v) or random numbers were drawn", v, abroad)
	}
	r.w.econ.ReturnShare = 0
	for range 1000 {
		if v := r.leaveAbroad(a, 50, rng); v != abroad {
			t.Fatalf("return_share 0: a lab went back to %v", v)
		}
	}
}

// Precursors abroad: with precursor control cutting half of Mexico's 75 batches, a's
// 60 labs (40 in its port state, 20 abroad) share 37.5 batches, 0.625 a lab. A lab in
// Mexico makes 0.625 of its capacity; a lab abroad with abroad_precursor_access 0.4 makes
// 0.4 + 0.6 x 0.625 = 0.775 of it, and with access 0 the same 0.625 as in Mexico. With
// all of Mexico's batches cut, labs abroad still make 0.4 of their capacity.
func TestPrecursorsReachLabsAbroadByOtherRoutes(t *testing.T) {
	for _, c := range []struct{ access, cut, mexico, abroad float64 }{
		{0.4, 0.5, 0.625, 0.775},
		{0, 0.5, 0.625, 0.625},
		{0.4, 1, 0, 0.4},
		{0.4, 0, 1, 1},
	} {
		e := toyLabs()
		e.AbroadPrecursorAccess = c.access
		r, _ := startToy(t, e, 47)
		a := onlyA(t, r, 40, 20)
		r.precursorCut = c.cut
		out := make([]float64, NumMetrics)
		r.produce(out)
		tr := &r.territory
		capy := e.LabCapacity
		if got, want := tr.slot(a)[tr.home[a]].output, 40*c.mexico*capy; math.Abs(got-want) > 1e-6*capy {
			t.Errorf("access %v, cut %v: output in Mexico %v, want 40 x %v x capacity = %v", c.access, c.cut, got, c.mexico, want)
		}
		if got, want := tr.slot(a)[tr.regions-1].output, 20*c.abroad*capy; math.Abs(got-want) > 1e-6*capy {
			t.Errorf("access %v, cut %v: output abroad %v, want 20 x %v x capacity = %v", c.access, c.cut, got, c.abroad, want)
		}
		if out[Precursors] != 75*(1-c.cut) {
			t.Errorf("access %v, cut %v: Mexico's batches %v, want %v: access abroad adds none to them", c.access, c.cut, out[Precursors], 75*(1-c.cut))
		}
	}
}

// In a toy world where every moving lab goes abroad and strikes hit every state, Canadian
// enforcement leaves fewer labs abroad, and more so when those it presses go back to
// Mexico; the labs it dismantles count among the labs destroyed. return_share alone,
// without enforcement, changes nothing: the same bytes week by week.
func TestCanadaBothWaysInAToyWorld(t *testing.T) {
	const reps, weeks = 20, 120
	world := func(enforcement, back float64) [][NumMetrics]float64 {
		e := toyLabs()
		e.AbroadShare = 1
		e.CanadaEnforcement = enforcement
		e.ReturnShare = back
		return meanSeries(toyEconomyWorld(t, e, nil, strikes(t, 0, Forever, 20)), reps, weeks, 53)
	}
	none, pressed, home := world(0, 0), world(0.05, 0), world(0.05, 1)
	abroad := func(s [][NumMetrics]float64) float64 { return meanOver(s, LabsAbroad, 80, weeks) }
	if !(abroad(none) > abroad(pressed)) || !(abroad(pressed) > abroad(home)) {
		t.Errorf("labs abroad in weeks 80-120: %v without enforcement, %v with it, %v when pressed labs go home; want falling",
			abroad(none), abroad(pressed), abroad(home))
	}
	if d0, d1 := sumOver(none, LabsDestroyed, 0, weeks), sumOver(pressed, LabsDestroyed, 0, weeks); !(d1 > d0) {
		t.Errorf("labs destroyed %v with Canadian enforcement, %v without: want more", d1, d0)
	}
	if inert := world(0, 1); !equalSeries(inert, none) {
		t.Error("return_share changed the world without Canadian enforcement")
	}
}

func equalSeries(a, b [][NumMetrics]float64) bool {
	for wk := range a {
		if a[wk] != b[wk] {
			return false
		}
	}
	return len(a) == len(b)
}

// Lab-dismantling by Canada is the same hazard as a campaign: while active it combines
// with canada_enforcement as independent shares, 1 - (1 - 0.2)(1 - 0.25) = 0.4, so 400
// labs abroad lose 160 a week on average (sd sqrt(400 x 0.4 x 0.6) = 9.8); before it
// starts only the 0.2 acts (80). It never strikes labs in Mexico.
func TestCanadianLabDismantlingCampaign(t *testing.T) {
	iv, err := NewIntervention(LabDismantling, 10, Forever, 0.25, Canada)
	if err != nil {
		t.Fatal(err)
	}
	e := toyLabs()
	e.CanadaEnforcement = 0.2
	r, rng := startToy(t, e, 59, iv)
	const trials = 400
	for _, c := range []struct {
		wk   int
		want float64
	}{{5, 80}, {11, 160}} {
		total := 0.0
		for range trials {
			onlyA(t, r, 30, 400)
			total += r.canadaWeek(c.wk, rng)
		}
		// sd of the mean at most 9.8/20 = 0.49.
		if mean := total / trials; math.Abs(mean-c.want) > 3 {
			t.Errorf("week %d: mean labs dismantled %v, want %v", c.wk, mean, c.want)
		}
	}
	// As a strike campaign, 0.25 a week would make about 25 raids in 100 weeks.
	a := onlyA(t, r, 30, 400)
	for wk := 11; wk < 111; wk++ {
		if destroyed, _ := r.strike(wk, r.w.cfg.Params, rng); destroyed != 0 || r.territory.slot(a)[r.territory.home[a]].labs != 30 {
			t.Fatalf("week %d: Canada's campaign struck %v labs in Mexico", wk, destroyed)
		}
	}
}

// Canada dismantles labs abroad only: other kinds, intensities above 1 (a weekly hazard)
// and targets are refused with the field at fault.
func TestCanadaActorValidation(t *testing.T) {
	for _, c := range []struct {
		iv    Intervention
		field string
	}{
		{Intervention{Kind: Airstrikes, From: 0, To: Forever, Intensity: 1, Actor: Canada}, "actor"},
		{Intervention{Kind: Interdiction, From: 0, To: Forever, Intensity: 0.1, Actor: Canada}, "actor"},
		{Intervention{Kind: LabDismantling, From: 0, To: Forever, Intensity: 1.5, Actor: Canada}, "intensity"},
		{Intervention{Kind: LabDismantling, From: 0, To: Forever, Intensity: 0.1, Actor: Canada, Targets: Targets{States: []string{"P"}}}, "targets"},
	} {
		err := c.iv.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s by canada, intensity %v: error %v, want one on %s", c.iv.Kind, c.iv.Intensity, err, c.field)
		}
	}
	if err := (Intervention{Kind: LabDismantling, From: 0, To: Forever, Intensity: 1, Actor: Canada}).Validate(); err != nil {
		t.Errorf("lab-dismantling by canada at hazard 1: %v", err)
	}
}
