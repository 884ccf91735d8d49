package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// runBounded steps r from week 1 to weeks with a random source that allows at most
// limit draws (a work bound, not a clock), stopping at the first week the guard stops
// it; it returns the weeks stepped and the guard's error.
func runBounded(t *testing.T, r *Replicate, seed uint64, weeks, limit int) (stepped int, err error) {
	t.Helper()
	src := &boundedSource{src: rand.NewPCG(seed, seed+1), limit: limit}
	rng := rand.New(src)
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(tooManyDraws); !ok {
				panic(p)
			}
			t.Fatalf("week %d: more than %d random draws: the replicate does not finish in bounded work", stepped+1, limit)
		}
	}()
	out := make([]float64, NumMetrics)
	r.Reset(rng)
	if err := r.Err(); err != nil {
		return 0, err
	}
	for wk := 1; wk <= weeks; wk++ {
		r.Step(wk, rng, out)
		stepped = wk
		if len(r.Sizes()) > MaxGroups {
			t.Fatalf("week %d: %d group slots, more than MaxGroups", wk, len(r.Sizes()))
		}
		if err := r.Err(); err != nil {
			return stepped, err
		}
	}
	return stepped, nil
}

// runaway asserts that err is the guard's error about quantity, past its cap.
func runaway(t *testing.T, err error, quantity string) *RunawayError {
	t.Helper()
	var re *RunawayError
	if !errors.As(err, &re) {
		t.Fatalf("error %v, want a RunawayError about %s", err, quantity)
	}
	if re.Quantity != quantity || !(re.Value > re.Limit) && re.Limit != 0 {
		t.Fatalf("runaway %+v, want %s past its cap", re, quantity)
	}
	return re
}

// Recruitment of 3 a week, within its documented range, brings Poisson(3 C) recruits a
// week to C members, so members at most quadruple a week (less the exits): 115,000 x 4^4
// = 2.9e7 is below MaxMembers (1e8), 115,000 x 4^5 = 1.2e8 above, and saturation exits
// (hazard 4e-8 x C) slow the growth by a few weeks at most. The guard stops the
// replicate there (with fragmentation, the births of those exits may pass MaxGroups
// first), where it used to grow for 5,200 weeks until its counts overflowed to infinity
// and its samplers looped on NaN.
func TestGuardStopsRunawayGrowth(t *testing.T) {
	for _, frag := range []*Fragmentation{nil, {}} {
		net, err := NewNetwork([]Group{{ID: "a"}, {ID: "b"}}, []Edge{{"a", "b", 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := DefaultParams()
		p.Recruitment = 3
		cfg := Config{Network: net, Params: p, InitialMembers: DefaultInitialMembers}
		if frag != nil {
			f := DefaultFragmentation()
			cfg.Fragmentation = &f
		}
		w, err := NewWorld(cfg)
		if err != nil {
			t.Fatal(err)
		}
		weeks, err := runBounded(t, w.NewReplicate(), 1, 5200, 1_000_000)
		quantity := "members"
		var re *RunawayError
		if errors.As(err, &re) && frag != nil && re.Quantity == "groups" {
			quantity = "groups"
		}
		re = runaway(t, err, quantity)
		if weeks < 5 && quantity == "members" || weeks > 8 || re.Week != weeks {
			t.Errorf("fragmentation %v: stopped in week %d (error's week %d), want week 5 to 8", frag != nil, weeks, re.Week)
		}
	}
}

// The warm-up runs inside Reset, before any step the caller sees: the guard stops it too,
// naming a warm-up week (0 or before).
func TestGuardStopsRunawayWarmUp(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "a"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Recruitment = 3
	w, err := NewWorld(Config{Network: net, Params: p, InitialMembers: 1000, WarmUpWeeks: 5000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = runBounded(t, w.NewReplicate(), 1, 10, 100_000)
	if re := runaway(t, err, "members"); re.Week > 0 {
		t.Errorf("stopped in week %d, want a warm-up week", re.Week)
	}
}

// Births of one new group per member arrested or killed, with founders of 0 (so each is
// the viable size, 20): births feed exits that feed births. The guard refuses the week's
// births before making them once they would pass MaxGroups groups alive, so no week
// holds more, where the replicate used to run for hours making thousands of groups a
// week.
func TestGuardStopsRunawayBirths(t *testing.T) {
	f := DefaultFragmentation()
	f.BirthsPerVacancy = 1
	f.FounderMembers = 0
	w := smallWorld(t, f)
	_, err := runBounded(t, w.NewReplicate(), 3, 5200, 10_000_000)
	runaway(t, err, "groups")
}

// A world cannot start past the caps: more members than MaxMembers, more groups than
// MaxGroups.
func TestWorldsPastTheCapsRefused(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "a"}, {ID: "b"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{
		{Network: net, Params: DefaultParams(), InitialMembers: math.Nextafter(MaxMembers, math.Inf(1))},
		{Network: net, Params: DefaultParams(), InitialSizes: []float64{MaxMembers, 1}},
	} {
		if _, err := NewWorld(cfg); err == nil {
			t.Errorf("a world of %v members (%v by group) accepted", cfg.InitialMembers, cfg.InitialSizes)
		}
	}
	if _, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialMembers: MaxMembers}); err != nil {
		t.Errorf("a world of MaxMembers rejected: %v", err)
	}
	many := make([]Group, MaxGroups+1)
	for i := range many {
		many[i] = Group{ID: "g" + formatG(float64(i))}
	}
	big, err := NewNetwork(many, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewWorld(Config{Network: big, Params: DefaultParams(), InitialMembers: 1000}); err == nil {
		t.Errorf("a world of %d groups accepted", big.Len())
	}
}

// An economy whose market needs more than MaxLabsNeeded labs is refused, naming
// reference_demand: lab_capacity 10,000 (its lowest) and reference_demand 1e10 (its
// highest) need 1e10 / (1e4 x 0.9) = 1.1 million labs, built and struck one at a time.
func TestEconomyNeedingTooManyLabsRefused(t *testing.T) {
	e := DefaultEconomy()
	e.LabCapacity, e.ReferenceDemand = 1e4, 1e10
	var fe *FieldError
	if err := e.Validate(); !errors.As(err, &fe) || fe.Field != "reference_demand" {
		t.Errorf("an economy needing %v labs: error %v, want one naming reference_demand", e.labsNeeded(1), err)
	}
	e.ReferenceDemand = MaxLabsNeeded * e.LabCapacity * (1 - e.BorderSeizure)
	if err := e.Validate(); err != nil {
		t.Errorf("an economy needing exactly MaxLabsNeeded labs rejected: %v", err)
	}
}

// A trillion strikes a week (an intensity within the documented range) finish the week
// in work bounded by the labs, not the strikes: with accuracy 0 every strike misses, and
// the week used to loop a trillion times. With accuracy 0 no lab is hit and every strike
// is made: Poisson(1e12) civilian casualties at one per strike; with accuracy 1 every lab
// in Mexico is hit, and the strikes stop there.
func TestTrillionStrikesEndTheWeek(t *testing.T) {
	for _, intelligence := range []float64{0, 1} {
		cfg := toyConfig(t, toyLabs(), nil, strikes(t, 0, Forever, 1e12))
		cfg.Params.Intelligence = intelligence
		w, err := NewWorld(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		src := &boundedSource{src: rand.NewPCG(5, 6), limit: 1_000_000}
		rng := rand.New(src)
		func() {
			defer func() {
				if p := recover(); p != nil {
					if _, ok := p.(tooManyDraws); !ok {
						panic(p)
					}
					t.Fatalf("intelligence %v: more than %d random draws in a week", intelligence, src.limit)
				}
			}()
			r.Reset(rng)
			inMexico := 0.0
			for i := range r.c {
				for v, s := range r.territory.slot(i) {
					if v < r.territory.regions-1 {
						inMexico += s.labs
					}
				}
			}
			out := make([]float64, NumMetrics)
			r.Step(1, rng, out)
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if want := intelligence * inMexico; out[LabsDestroyed] != want || inMexico == 0 {
				t.Errorf("intelligence %v: %v labs destroyed of %v in Mexico, want %v", intelligence, out[LabsDestroyed], inMexico, want)
			}
			// Strikes stop when the labs run out: with accuracy 1 they make one strike
			// per lab, Poisson(labs) casualties (within 6 standard deviations).
			made := 1e12
			if intelligence == 1 {
				made = inMexico
			}
			if c := out[CivilianCasualties]; math.Abs(c-made) > 6*math.Sqrt(made)+1 {
				t.Errorf("intelligence %v: %v civilian casualties, want about %v (one per strike made)", intelligence, c, made)
			}
		}()
	}
}

// Above manyStrikes strikes a week, hits are drawn hit by hit with geometric misses
// between them; the strikes made and the labs destroyed must keep the strike-by-strike
// distribution. With S strikes of accuracy a and more labs than hits, the hits are
// Binomial(S, a), mean S a, and every strike is made: 2,000 strikes at a = 0.002 give 4
// hits a week on average (variance S a (1-a) = 3.99), and 2,000 casualties (one per
// strike, Poisson). Within labs' reach (60 labs, rebuilt within weeks), over 400
// replicate-weeks the mean hits are 4 +- 0.1 (one standard error) and casualties 2000 +-
// 2.3.
func TestManyStrikesKeepTheirDistribution(t *testing.T) {
	cfg := toyConfig(t, toyLabs(), nil, strikes(t, 0, Forever, 2000))
	cfg.Params.Intelligence = 0.002
	w, err := NewWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	out := make([]float64, NumMetrics)
	var hits, casualties, n float64
	for rep := range 100 {
		rng := rand.New(rand.NewPCG(77, uint64(rep)))
		r.Reset(rng)
		for wk := 1; wk <= 4; wk++ {
			r.Step(wk, rng, out)
			hits += out[LabsDestroyed]
			casualties += out[CivilianCasualties]
			n++
		}
	}
	// Poisson(2000) strikes: the hits are Poisson(4) overall (thinning), standard error
	// sqrt(4/400) = 0.1; casualties Poisson with mean 2000, standard error sqrt(2 x
	// 2000/400) (strikes and casualties both Poisson) = 3.2.
	if m := hits / n; math.Abs(m-4) > 0.4 {
		t.Errorf("mean hits a week %v, want 4 (+-0.4, four standard errors)", m)
	}
	if m := casualties / n; math.Abs(m-2000) > 13 {
		t.Errorf("mean casualties a week %v, want 2000 (+-13, four standard errors)", m)
	}
}

// bisectExits picks the slot the linear scan picks, for every u: the running totals of
// whole numbers are exact, so the two agree even at the boundaries.
func TestBisectExitsAgreesWithTheScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	r := &Replicate{}
	for range 200 {
		r.satExits = r.satExits[:0]
		for range 1 + rng.IntN(40) {
			x := 0.0
			if rng.IntN(3) > 0 {
				x = float64(rng.IntN(1000))
			}
			r.satExits = append(r.satExits, x)
		}
		r.cum = r.cum[:0]
		total := 0.0
		for _, x := range r.satExits {
			total += x
			r.cum = append(r.cum, total)
		}
		us := []float64{0, total, math.Nextafter(total, 0)}
		for _, c := range r.cum {
			us = append(us, c, math.Nextafter(c, 0), math.Nextafter(c, total+1))
		}
		for range 50 {
			us = append(us, rng.Float64()*total)
		}
		for _, u := range us {
			if u < 0 || u > total {
				continue
			}
			want := -1
			v := u
			for i, x := range r.satExits {
				if x > 0 {
					want = i
					if v -= x; v < 0 {
						break
					}
				}
			}
			if got := r.bisectExits(u); got != want {
				t.Fatalf("exits %v, u = %v: bisection picks slot %d, the scan %d", r.satExits, u, got, want)
			}
		}
	}
}

// The mean-field integration of a fast logistic group follows its exact solution. One
// group, no arrests or conflict: dC/dt = rho C - omega C^2, so C(t) = K / (1 + (K/C0 -
// 1) e^(-rho t)) with K = rho/omega. At rho = 5 a week the one-week Runge-Kutta step is
// unstable (rate x step past 2.79 near K): it overshot to 1e7 members and then to 0.
// Cut into substeps it stays within 1e-3 of the exact curve every week.
func TestMeanFieldFastRatesFollowTheExactSolution(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "a"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const rho, k, c0 = 5.0, 1e6, 1000.0
	p := Params{Recruitment: rho, Saturation: rho / k, Intelligence: 1}
	w, err := NewWorld(Config{Network: net, Params: p, InitialSizes: []float64{c0}, Mode: MeanField})
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	r.Reset(nil)
	out := make([]float64, NumMetrics)
	for wk := 1; wk <= 20; wk++ {
		r.Step(wk, nil, out)
		if err := r.Err(); err != nil {
			t.Fatalf("week %d: %v", wk, err)
		}
		want := k / (1 + (k/c0-1)*math.Exp(-rho*float64(wk)))
		if got := out[Members]; math.Abs(got-want) > 1e-3*want {
			t.Fatalf("week %d: %v members, the exact solution %v", wk, got, want)
		}
	}
}

// A million recruits per civilian killed (within the documented range) owe millions of
// grievance recruits a week. Above manyGrievance they are dealt out by a multinomial
// draw in work bounded by the groups, where they were dealt one at a time (a draw and a
// scan of the groups each); every one dealt is counted: the week's members are last
// week's plus recruits less exits.
func TestManyGrievanceRecruitsDealtInBulk(t *testing.T) {
	pol := DefaultPolicy()
	pol.RecruitsPerCasualty = 1e6
	pol.GrievanceWeeks = 1
	w := policyWorld(t, pol, nil, strikes(t, 0, Forever, 10, "P", "Q", "R", "N1", "N2"))
	r := w.NewReplicate()
	src := &boundedSource{src: rand.NewPCG(3, 4), limit: 200_000}
	rng := rand.New(src)
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(tooManyDraws); !ok {
				panic(p)
			}
			t.Fatalf("more than %d random draws in a few weeks", src.limit)
		}
	}()
	r.Reset(rng)
	members := 0.0
	for _, x := range r.c {
		members += x
	}
	out := make([]float64, NumMetrics)
	most := 0.0
	for wk := 1; wk <= 4 && r.Err() == nil; wk++ {
		r.Step(wk, rng, out)
		if r.Err() != nil {
			break
		}
		want := members + out[Recruits] - out[Deaths] - out[Incapacitated] - out[SaturationExits] - out[Dispersed]
		if out[Members] != want {
			t.Fatalf("week %d: %v members, flows give %v (%v grievance recruits)", wk, out[Members], want, out[GrievanceRecruits])
		}
		members = out[Members]
		most = max(most, out[GrievanceRecruits])
	}
	if most <= manyGrievance {
		t.Fatalf("at most %v grievance recruits a week: the test did not reach the bulk path", most)
	}
}

// The guard's message is one line naming the week (a warm-up week as such), the
// quantity, its value (whole numbers in full) and the cap.
func TestRunawayErrorMessages(t *testing.T) {
	for _, c := range []struct {
		err  RunawayError
		want string
	}{
		{RunawayError{5, "members", 110949683, MaxMembers},
			"model: runaway replicate stopped in week 5: members reached 110949683, above the cap of 100000000; lower the rates that make it grow"},
		{RunawayError{1, "members", 9.8727e8 + 0.5, MaxMembers},
			"model: runaway replicate stopped in week 1: members reached 9.873e+08, above the cap of 100000000; lower the rates that make it grow"},
		{RunawayError{-12, "groups", 2109, MaxGroups},
			"model: runaway replicate stopped in warm-up week -12: groups reached 2109, above the cap of 2000; lower the rates that make it grow"},
		{RunawayError{3, "recruits", math.Inf(1), 0},
			"model: runaway replicate stopped in week 3: recruits is +Inf, not a finite number; the rates are too high to simulate"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.err, got, c.want)
		}
	}
}

// Rates too fast even for MaxSubsteps substeps: recruitment of 1e12 a week used to
// overshoot to zero members without a word (its Runge-Kutta stages pass the carrying
// capacity and go negative), and conflict lethality of 1e12 a week per exposed member
// cannot be integrated either; the guard stops both in week 1 naming the rate. Arrests
// of 1e12 a week empty the world in 1e-9 weeks (the exact solution reaches zero in
// finite time), which the clamp at zero represents without an error.
func TestMeanFieldRatesBeyondTheSubsteps(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "a"}, {ID: "b"}}, []Edge{{"a", "b", 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	step := func(change func(*Params)) (*Replicate, []float64) {
		p := DefaultParams()
		change(&p)
		w, err := NewWorld(Config{Network: net, Params: p, InitialMembers: 1000, Mode: MeanField})
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		r.Reset(nil)
		out := make([]float64, NumMetrics)
		r.Step(1, nil, out)
		return r, out
	}
	for name, change := range map[string]func(*Params){
		"recruitment":        func(p *Params) { p.Recruitment = 1e12 },
		"conflict lethality": func(p *Params) { p.ConflictLethality = 1e12 },
	} {
		r, _ := step(change)
		var re *RunawayError
		if !errors.As(r.Err(), &re) || re.Week != 1 || re.Quantity != "the fastest mean-field rate per member and week" || !(re.Value >= 1e12) {
			t.Errorf("%s 1e12: error %v, want the guard's about the mean-field rate in week 1", name, r.Err())
		}
	}
	r, out := step(func(p *Params) { p.Incapacitation = 1e12 })
	if r.Err() != nil || out[Members] != 0 {
		t.Errorf("incapacitation 1e12: %v members, error %v; want none left and no error", out[Members], r.Err())
	}
}
