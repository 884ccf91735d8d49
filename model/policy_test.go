package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// policyWorld is the toy economy world with a policy and the given campaigns; frag may be
// nil.
func policyWorld(t testing.TB, pol Policy, frag *Fragmentation, ivs ...Intervention) *World {
	t.Helper()
	cfg := toyConfig(t, toyLabs(), frag, ivs...)
	cfg.Policy = &pol
	w, err := NewWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func lever(kind Kind, from, to int, intensity float64, actor Actor) Intervention {
	return Intervention{Kind: kind, From: from, To: to, Intensity: intensity, Actor: actor}
}

// meanOver is the mean of metric m over weeks from < wk <= to.
func meanOver(s [][NumMetrics]float64, m Metric, from, to int) float64 {
	return sumOver(s, m, from, to) / float64(to-from)
}

// A policy with no lever and no kinetic action leaves every multiplier at exactly 1, so
// the world runs as it does without a policy: the calibration holds.
func TestIdlePolicyChangesNothing(t *testing.T) {
	frag := DefaultFragmentation()
	capture := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 4, Actor: Mexico, Targets: Targets{Largest: 2}, Removal: Kill}
	with := meanSeries(policyWorld(t, DefaultPolicy(), &frag, capture), 10, 150, 3)
	without := meanSeries(toyEconomyWorld(t, toyLabs(), &frag, capture), 10, 150, 3)
	for wk := range with {
		for m := range Precursors {
			if with[wk][m] != without[wk][m] {
				t.Fatalf("week %d: %s is %v with an idle policy, %v without", wk+1, m, with[wk][m], without[wk][m])
			}
		}
		// The means of ten replicates' constants round in the last place.
		if math.Abs(with[wk][CooperationIndex]-DefaultPolicy().Cooperation) > 1e-15 || math.Abs(with[wk][Guns]-1) > 1e-15 {
			t.Fatalf("week %d: cooperation %v and guns %v drifted", wk+1, with[wk][CooperationIndex], with[wk][Guns])
		}
	}
}

// The cooperation lever moves the index towards its target with the stated time constant:
// C(t) = target - (target - C0) exp(-t/CooperationWeeks), target = 0.5 + 0.8 x 0.5 = 0.9;
// better intelligence then removes more leaders.
func TestCooperationLeverRaisesCooperationAndIntelligence(t *testing.T) {
	pol := DefaultPolicy()
	frag := DefaultFragmentation()
	capture := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 6, Actor: Mexico, Targets: Targets{Largest: 3}}
	base := meanSeries(policyWorld(t, pol, &frag, capture), 40, 208, 5)
	coop := meanSeries(policyWorld(t, pol, &frag, capture, lever(Cooperation, 0, Forever, 0.8, Joint)), 40, 208, 5)
	for _, wk := range []int{1, 104, 208} {
		want := 0.9 - 0.4*math.Exp(-float64(wk)/104)
		if got := coop[wk-1][CooperationIndex]; math.Abs(got-want) > 1e-9 {
			t.Errorf("week %d: cooperation %v, want %v", wk, got, want)
		}
	}
	b, c := sumOver(base, LeadersRemoved, 0, 208), sumOver(coop, LeadersRemoved, 0, 208)
	if !(c > 1.1*b) {
		t.Errorf("leaders removed: %v with cooperation, %v without; want more with better intelligence", c, b)
	}
}

// Unilateral strikes end with lower cooperation than joint ones, and the consequences
// follow: a smaller share of captured leaders extradited and a weaker precursor cut.
func TestUnilateralStrikesCostCooperationAndItsConsequences(t *testing.T) {
	frag := DefaultFragmentation()
	capture := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 10, Actor: Mexico, Targets: Targets{Largest: 3}}
	control := lever(PrecursorControl, 100, Forever, 0.5, Joint)
	run := func(actor Actor) [][NumMetrics]float64 {
		s := strikes(t, 0, 100, 4)
		s.Actor = actor
		return meanSeries(policyWorld(t, DefaultPolicy(), &frag, capture, s, control), 40, 110, 9)
	}
	us, joint := run(US), run(Joint)
	if cu, cj := us[99][CooperationIndex], joint[99][CooperationIndex]; !(cu < cj-0.2) {
		t.Fatalf("cooperation after 100 weeks: %v unilateral, %v joint; want unilateral well below", cu, cj)
	}
	// Poorer intelligence misses more and kills more civilians per strike: (2 - q)
	// casualties per strike against a hit rate of q, so more casualties per lab destroyed.
	perLab := func(s [][NumMetrics]float64) float64 {
		return sumOver(s, CivilianCasualties, 50, 100) / sumOver(s, LabsDestroyed, 50, 100)
	}
	if pu, pj := perLab(us), perLab(joint); !(pu > 1.2*pj) {
		t.Errorf("civilians killed per lab destroyed: %v unilateral, %v joint; want well more unilateral", pu, pj)
	}
	share := func(s [][NumMetrics]float64) float64 {
		return sumOver(s, Extraditions, 50, 110) / (sumOver(s, Extraditions, 50, 110) + sumOver(s, LeadersRemoved, 50, 110))
	}
	if su, sj := share(us), share(joint); !(su < sj) {
		t.Errorf("share of captures extradited: %v unilateral, %v joint; want fewer unilateral", su, sj)
	}
	// The cut the first week of control is 0.5 x the intelligence multiplier 1 + (C - C0).
	for name, s := range map[string][][NumMetrics]float64{"unilateral": us, "joint": joint} {
		c := s[99][CooperationIndex]
		want := 75 * (1 - 0.5*(1+c-0.5))
		if got := s[100][Precursors]; math.Abs(got-want) > 1e-6*75 {
			t.Errorf("%s: precursors in the first week of control %v, want 75 x (1 - 0.5 x (1 + %v - 0.5)) = %v", name, got, c, want)
		}
	}
	if pu, pj := us[100][Precursors], joint[100][Precursors]; !(pu > pj) {
		t.Errorf("precursors getting through: %v unilateral, %v joint; want more unilateral", pu, pj)
	}
	if ru, rj := sumOver(us, Retaliation, 0, 110), sumOver(joint, Retaliation, 0, 110); ru == 0 || rj == 0 {
		t.Errorf("retaliation %v unilateral, %v joint; US kinetic action of either kind invites some", ru, rj)
	}
}

// Each civilian killed brings RecruitsPerCasualty recruits in expectation: over a long
// horizon the grievance recruits add up to 5 per casualty, and strikes without casualties
// bring none. Mexican raids invite no retaliation.
func TestCasualtiesRaiseRecruitment(t *testing.T) {
	s := strikes(t, 0, 30, 6, "P")
	s.Actor = Mexico
	w := policyWorld(t, DefaultPolicy(), nil, s)
	m := meanSeries(w, 100, 600, 11)
	killed, drawn := sumOver(m, CivilianCasualties, 0, 600), sumOver(m, GrievanceRecruits, 0, 600)
	if killed < 50 {
		t.Fatalf("only %v casualties per replicate; the test needs more", killed)
	}
	if math.Abs(drawn/killed-5) > 0.25 {
		t.Errorf("%v grievance recruits for %v casualties: %v each, want 5", drawn, killed, drawn/killed)
	}
	if r := sumOver(m, Retaliation, 0, 600); r != 0 {
		t.Errorf("Mexican raids drew %v retaliation events", r)
	}
	s.Casualties = 0
	m = meanSeries(policyWorld(t, DefaultPolicy(), nil, s), 20, 200, 11)
	if g := sumOver(m, GrievanceRecruits, 0, 200); g != 0 {
		t.Errorf("strikes without casualties drew %v grievance recruits", g)
	}
}

// Arms interdiction lowers deaths and leaves recruitment alone in the short run: the gun
// stock decays as exp(-t/GunLifeWeeks), and lethality with it.
func TestArmsInterdictionLowersDeathsNotRecruitment(t *testing.T) {
	base := meanSeries(policyWorld(t, DefaultPolicy(), nil), 200, 52, 13)
	arms := meanSeries(policyWorld(t, DefaultPolicy(), nil, lever(ArmsInterdiction, 0, Forever, 1, US)), 200, 52, 13)
	if got, want := arms[51][Guns], math.Exp(-52.0/260); math.Abs(got-want) > 1e-9 {
		t.Errorf("gun stock after a year of full interdiction %v, want exp(-52/260) = %v", got, want)
	}
	d0, d1 := sumOver(base, Deaths, 26, 52), sumOver(arms, Deaths, 26, 52)
	if !(d1 < 0.95*d0) {
		t.Errorf("deaths in weeks 27-52: %v with arms interdiction, %v without; want at least 5%% fewer", d1, d0)
	}
	r0, r1 := sumOver(base, Recruits, 0, 52), sumOver(arms, Recruits, 0, 52)
	if math.Abs(r1/r0-1) > 0.01 {
		t.Errorf("recruits in the first year: %v with arms interdiction, %v without; want within 1%%", r1, r0)
	}
}

// Precursor control halves the batches at once (37.5 of 75: the labs need 60), the price
// jumps, and producers work around it: by 17 weeks (4 months, as after the 1995 US
// methamphetamine crackdown) the price is back within 10% of the baseline.
func TestPrecursorControlBitesThenSubstitutionRestoresThePrice(t *testing.T) {
	base := meanSeries(policyWorld(t, DefaultPolicy(), nil), 40, 30, 17)
	cut := meanSeries(policyWorld(t, DefaultPolicy(), nil, lever(PrecursorControl, 0, Forever, 0.5, US)), 40, 30, 17)
	if cut[0][Precursors] != 37.5 {
		t.Errorf("precursors in the first week %v, want 75 x 0.5 = 37.5", cut[0][Precursors])
	}
	if got, want := cut[1][Precursors], 75*(1-0.5*math.Exp(-1.0/6)); math.Abs(got-want) > 1e-9 {
		t.Errorf("precursors in the second week %v, want 75 (1 - 0.5 exp(-1/6)) = %v", got, want)
	}
	// 37.5 batches of the 60 needed: supply x 0.625, price x 0.625^-2 = 2.56 at elasticity 0.5.
	if p0, p1 := base[0][Price], cut[0][Price]; math.Abs(p1/p0/2.56-1) > 0.05 {
		t.Errorf("price in the first week %v under control, %v without; want 2.56 times", p1, p0)
	}
	if p0, p1 := meanOver(base, Price, 17, 30), meanOver(cut, Price, 17, 30); math.Abs(p1/p0-1) > 0.1 {
		t.Errorf("price after 17 weeks %v under control, %v without; want within 10%%", p1, p0)
	}
}

// Anti-corruption lets more of Mexico's enforcement through: corruption 0.3 halved gives
// arrests x (1 - 0.15)/(1 - 0.3); lethality is untouched.
func TestAntiCorruptionRaisesArrests(t *testing.T) {
	base := meanSeries(policyWorld(t, DefaultPolicy(), nil), 200, 20, 19)
	clean := meanSeries(policyWorld(t, DefaultPolicy(), nil, lever(AntiCorruption, 0, Forever, 0.5, Mexico)), 200, 20, 19)
	if c := clean[0][Corruption]; math.Abs(c-0.15) > 1e-12 {
		t.Errorf("corruption %v, want 0.15", c)
	}
	ratio := sumOver(clean, Incapacitated, 0, 20) / sumOver(base, Incapacitated, 0, 20)
	if want := 0.85 / 0.7; math.Abs(ratio/want-1) > 0.03 {
		t.Errorf("arrests rose %vx, want %v", ratio, want)
	}
	// Nothing else: of the week's parameters only arrests change.
	w := policyWorld(t, DefaultPolicy(), nil, lever(AntiCorruption, 0, Forever, 0.5, Mexico))
	r := w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(1, 2)))
	p := w.ParamsAt(1)
	r.adjust(1, &p)
	want := w.Params()
	want.Incapacitation *= 0.85 / 0.7
	if math.Abs(p.Incapacitation/want.Incapacitation-1) > 1e-12 {
		t.Errorf("arrests %v, want %v", p.Incapacitation, want.Incapacitation)
	}
	p.Incapacitation = want.Incapacitation
	if p != want {
		t.Errorf("anti-corruption changed other parameters: %+v, want %+v", p, want)
	}
}

// A ceasefire between a and b (rivals) leaves a exposed only to c: without geography a's
// exposure becomes (S - c_a - c_b)/(A_a + 1) = c_c/(A_a + 1), while c's is unchanged. With
// geography (every group holding every state, so that all meet) a's becomes what it is
// when b has no members, and likewise b's.
func TestCeasefireSuspendsConflictBetweenItsGroups(t *testing.T) {
	truce := lever(Ceasefire, 0, Forever, 1, Mexico)
	truce.Targets.Groups = []string{"a", "b"}
	truce.Enforced = true
	for _, spatial := range []bool{false, true} {
		cfg := toyConfig(t, toyLabs(), nil, truce)
		pol := DefaultPolicy()
		cfg.Policy = &pol
		if !spatial {
			cfg.Economy, cfg.Geography = nil, nil
		}
		w, err := NewWorld(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		r.Reset(rand.New(rand.NewPCG(1, 2)))
		r.adjust(1, new(Params))
		a, b, c := slotOf(t, r, "a"), slotOf(t, r, "b"), slotOf(t, r, "c")
		wantA, wantB := r.c[c]*r.invAllies[a], r.c[c]*r.invAllies[b]
		if spatial {
			for _, i := range []int{a, b, c} {
				r.territory.present[i] = 1<<5 - 1
			}
			without := func(x, of int) float64 {
				sizes := slices.Clone(r.c)
				sizes[x] = 0
				out := make([]float64, len(sizes))
				r.conflictExposure(sizes, out)
				return out[of]
			}
			wantA, wantB = without(b, a), without(a, b)
			if !(wantA > 0 && wantB > 0) {
				t.Fatalf("a and c, b and c do not meet: %v, %v", wantA, wantB)
			}
		}
		r.conflictExposure(r.c, r.exposure)
		before := r.exposure[c]
		r.truceExposure(r.c)
		if math.Abs(r.exposure[a]-wantA) > 1e-9*wantA {
			t.Errorf("geography %v: a's exposure under the truce %v, want %v", spatial, r.exposure[a], wantA)
		}
		if math.Abs(r.exposure[b]-wantB) > 1e-9*wantB {
			t.Errorf("geography %v: b's exposure under the truce %v, want %v", spatial, r.exposure[b], wantB)
		}
		if r.exposure[c] != before {
			t.Errorf("geography %v: c's exposure changed from %v to %v", spatial, before, r.exposure[c])
		}
	}
}

// A full ceasefire among all groups with shipments halted: no conflict deaths and no
// supply while it holds; it breaks down at a constant hazard when enforced (survival
// exp(-t/156)) and at a rising one when not (Rayleigh with mean 70: exp(-t^2/(2 sigma^2)),
// sigma^2 = 2 x 70^2/pi).
func TestCeasefireHoldsThenBreaksDown(t *testing.T) {
	for _, enforced := range []bool{true, false} {
		truce := lever(Ceasefire, 0, Forever, 1, Mexico)
		truce.Enforced, truce.HaltShipments = enforced, true
		w := policyWorld(t, DefaultPolicy(), nil, truce)
		r := w.NewReplicate()
		out := make([]float64, NumMetrics)
		holding := 0.0
		const reps, horizon = 600, 104
		for rep := range reps {
			rng := rand.New(rand.NewPCG(23, uint64(rep)))
			r.Reset(rng)
			for wk := 1; wk <= horizon; wk++ {
				r.Step(wk, rng, out)
				if out[Truces] == 1 && (out[Deaths] != 0 || out[Supply] != 0) {
					t.Fatalf("enforced %v, week %d: %v deaths and %v supply under a holding truce", enforced, wk, out[Deaths], out[Supply])
				}
			}
			holding += out[Truces]
		}
		want := math.Exp(-horizon / 156.0)
		if !enforced {
			want = math.Exp(-horizon * horizon / (2 * 2 * 70 * 70 / math.Pi))
		}
		if got := holding / reps; math.Abs(got-want) > 0.05 {
			t.Errorf("enforced %v: %v of truces hold after %d weeks, want %v", enforced, got, horizon, want)
		}
	}
}

// Extradition: at full cooperation every captured leader is extradited; at none, with
// PrisonCommand 1, no capture changes anything.
func TestExtraditionFollowsCooperation(t *testing.T) {
	frag := DefaultFragmentation()
	capture := Intervention{Kind: Decapitation, From: 0, To: Forever, Intensity: 10, Actor: Mexico, Targets: Targets{Largest: 3}}
	for _, c := range []float64{0, 1} {
		pol := DefaultPolicy()
		pol.Cooperation, pol.PrisonCommand = c, 1
		m := meanSeries(policyWorld(t, pol, &frag, capture), 20, 104, 29)
		removed, extradited := sumOver(m, LeadersRemoved, 0, 104), sumOver(m, Extraditions, 0, 104)
		switch {
		case c == 1 && (removed == 0 || extradited != removed):
			t.Errorf("full cooperation: %v removed, %v extradited; want all extradited", removed, extradited)
		case c == 0 && (removed != 0 || extradited != 0):
			t.Errorf("no cooperation, prison command certain: %v removed, %v extradited; want none", removed, extradited)
		}
	}
}

func TestPolicyLeversNeedAPolicy(t *testing.T) {
	for _, k := range []Kind{Cooperation, PrecursorControl, ArmsInterdiction, AntiCorruption, Ceasefire} {
		cfg := toyConfig(t, toyLabs(), nil, lever(k, 0, Forever, 0.5, Joint))
		if _, err := NewWorld(cfg); err == nil {
			t.Errorf("%s without a policy: no error", k)
		}
	}
	bad := DefaultPolicy()
	bad.Corruption = 1
	cfg := toyConfig(t, toyLabs(), nil)
	cfg.Policy = &bad
	if _, err := NewWorld(cfg); err == nil {
		t.Error("corruption 1 (no enforcement at all, a division by zero): no error")
	}
}

// Every lever at once, with splits: the core's and the economy's invariants hold every
// week, and the policy's quantities stay in their ranges.
func TestPolicyInvariants(t *testing.T) {
	frag := DefaultFragmentation()
	frag.ViableMembers = 5
	kill := Intervention{Kind: Decapitation, From: 10, To: 300, Intensity: 20, Actor: US, Targets: Targets{Largest: 3}, Removal: Kill}
	truce := lever(Ceasefire, 150, 280, 0.7, Mexico)
	truce.Targets.Groups, truce.HaltShipments = []string{"a", "c"}, true
	clean := lever(AntiCorruption, 40, Forever, 0.6, Mexico)
	clean.RampUntil = 100
	w := policyWorld(t, DefaultPolicy(), &frag, kill, strikes(t, 20, 120, 8), truce, clean,
		lever(Cooperation, 0, 200, 0.5, Joint), lever(PrecursorControl, 30, 90, 0.7, Mexico), lever(ArmsInterdiction, 60, Forever, 0.8, US))
	runChecked(t, w, 10, 300, 31, func(wk int, out []float64) {
		for m, x := range out[:NumMetrics] {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				t.Fatalf("week %d: %s is %v", wk, Metric(m), x)
			}
		}
		if out[CooperationIndex] > 1 || out[Guns] > 1 || out[Corruption] > 0.3 || out[Truces] > 1 {
			t.Fatalf("week %d: cooperation %v, guns %v, corruption %v, truces %v", wk, out[CooperationIndex], out[Guns], out[Corruption], out[Truces])
		}
	})
}

// Better intelligence kills fewer civilians per strike: with casualties costing no
// cooperation, the lever sets C(t) = 0.9 - 0.4 exp(-t/104) exactly, strikes always hit
// (q >= 1), and each kills 2 - q = 0.6 + 0.4 exp(-t/104) civilians on average, using the
// index at the end of the week before.
func TestCooperationLowersCasualtiesPerStrike(t *testing.T) {
	pol := DefaultPolicy()
	pol.CasualtyCost, pol.UnilateralCost = 0, 0
	m := meanSeries(policyWorld(t, pol, nil, lever(Cooperation, 0, Forever, 0.8, Joint), strikes(t, 0, 100, 4)), 60, 100, 37)
	want := 0.0
	for wk := range 100 {
		want += (0.6 + 0.4*math.Exp(-float64(wk)/104)) * m[wk][LabsDestroyed]
	}
	want /= sumOver(m, LabsDestroyed, 0, 100)
	got := sumOver(m, CivilianCasualties, 0, 100) / sumOver(m, LabsDestroyed, 0, 100)
	if math.Abs(got/want-1) > 0.03 {
		t.Errorf("civilians killed per strike %v, want %v", got, want)
	}
}
