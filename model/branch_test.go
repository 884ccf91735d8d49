package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// FirstDifference by hand, from Intervention.Active (in force in the weeks after From up
// to and including To): an intervention from week 100 first acts in week 101, one that
// ends at week 150 last acts in week 150. Worlds that differ otherwise differ from their
// initial draw, the end of week -WarmUpWeeks (0 without a warm-up).
func TestFirstDifferenceByHand(t *testing.T) {
	net, err := NewNetwork([]Group{{ID: "a"}, {ID: "b"}}, []Edge{{"a", "b", 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := Config{Network: net, Params: DefaultParams(), InitialMembers: 1000}
	iv := func(kind Kind, from, to int, intensity float64) Intervention {
		return Intervention{Kind: kind, From: from, To: to, Intensity: intensity, Actor: Mexico}
	}
	// A ceasefire's state (holding, age) goes with it, so that its end matters from the
	// start: two that differ in their ends only, in another order, would swap states.
	truce := func(from, to int) Intervention { return iv(Ceasefire, from, to, 1) }
	x := iv(Incapacitation, 100, 200, 1)
	y := iv(RecruitmentReduction, 100, Forever, 0.5)
	early := iv(Incapacitation, 0, 10, 1)
	late := iv(RecruitmentReduction, 20, 30, 0.5)
	ramp := iv(DemandReduction, 100, 300, 0.5)
	ramp.RampUntil = 200
	steeper := ramp
	steeper.RampUntil = 150
	with := func(change func(*Config), ivs ...Intervention) Config {
		c := base
		c.Interventions = ivs
		if change != nil {
			change(&c)
		}
		return c
	}
	warm := func(weeks int) func(*Config) { return func(c *Config) { c.WarmUpWeeks = weeks } }
	for _, c := range []struct {
		name string
		a, b Config
		want int
	}{
		{"the same", with(nil, x, y), with(nil, x, y), Forever},
		{"no interventions", with(nil), with(nil), Forever},
		{"one more from week 100", with(nil), with(nil, x), 101},
		{"one more from week 0", with(nil), with(nil, early), 1},
		{"ends earlier", with(nil, iv(Incapacitation, 100, 150, 1)), with(nil, x), 151},
		{"ends at 200 or never", with(nil, x), with(nil, iv(Incapacitation, 100, Forever, 1)), 201},
		{"another intensity", with(nil, x), with(nil, iv(Incapacitation, 100, 200, 2)), 101},
		{"another actor, never mind the kind", with(nil, x), with(nil, Intervention{Kind: Incapacitation, From: 100, To: 200, Intensity: 1, Actor: US}), 101},
		{"another ramp", with(nil, ramp), with(nil, steeper), 101},
		{"in force together, in another order", with(nil, x, y), with(nil, y, x), 101},
		{"never together, in another order", with(nil, early, late), with(nil, late, early), Forever},
		{"a later one added", with(nil, early), with(nil, early, late), 21},
		{"a ceasefire that ends earlier", with(nil, truce(100, 150)), with(nil, truce(100, 200)), 101},
		{"ceasefires in force together, in another order", with(nil, truce(100, 150), truce(100, 200)), with(nil, truce(100, 200), truce(100, 150)), 101},
		{"another parameter", with(nil), with(func(c *Config) { c.Params.Recruitment *= 2 }), 0},
		{"another parameter, warm-up", with(warm(30)), with(func(c *Config) { c.WarmUpWeeks = 30; c.InitialMembers = 2000 }), -30},
		{"another warm-up", with(warm(30)), with(warm(20)), -30},
		{"another mode", with(nil), with(func(c *Config) { c.Mode = MeanField }), 0},
		{"other initial members", with(nil), with(func(c *Config) { c.InitialMembers = 2000 }), 0},
		{"same warm-up and interventions", with(warm(30), x), with(warm(30), x), Forever},
		{"same warm-up, one more", with(warm(30)), with(warm(30), x), 101},
	} {
		if got := FirstDifference(c.a, c.b); got != c.want {
			t.Errorf("%s: FirstDifference = %d, want %d", c.name, got, c.want)
		}
		if got := FirstDifference(c.b, c.a); got != c.want {
			t.Errorf("%s, swapped: FirstDifference = %d, want %d", c.name, got, c.want)
		}
	}
}

// everythingWorld is the toy economy world with group dynamics, a policy and one
// campaign of every kind, acting from week 3 (ceasefires halting shipments and not),
// plus the interventions given.
func everythingConfig(t testing.TB, extra ...Intervention) Config {
	ivs := []Intervention{
		{Kind: RecruitmentReduction, From: 3, To: 60, Intensity: 0.2, Actor: Mexico},
		{Kind: Incapacitation, From: 3, To: Forever, Intensity: 0.5, Actor: Mexico},
		{Kind: Decapitation, From: 3, To: Forever, Intensity: 6, Actor: Joint, Targets: Targets{Largest: 2}, Removal: Kill},
		{Kind: Airstrikes, From: 3, To: 40, Intensity: 2, Actor: US, Casualties: 1},
		{Kind: LabDismantling, From: 3, To: Forever, Intensity: 3, Actor: Mexico, Targets: Targets{States: []string{"P"}}},
		{Kind: Interdiction, From: 3, To: Forever, Intensity: 0.3, Actor: Joint, Targets: Targets{States: []string{"Q"}}},
		{Kind: DemandReduction, From: 3, To: Forever, Intensity: 0.4, Actor: US, RampUntil: 50},
		{Kind: Cooperation, From: 3, To: Forever, Intensity: 0.5, Actor: Joint},
		{Kind: PrecursorControl, From: 3, To: Forever, Intensity: 0.5, Actor: Mexico},
		{Kind: ArmsInterdiction, From: 3, To: Forever, Intensity: 0.5, Actor: US},
		{Kind: AntiCorruption, From: 3, To: Forever, Intensity: 0.5, Actor: Mexico, RampUntil: 30},
		{Kind: Ceasefire, From: 3, To: 80, Intensity: 0.8, Actor: Mexico, Targets: Targets{Groups: []string{"a", "b"}}},
		{Kind: Ceasefire, From: 3, To: Forever, Intensity: 0.5, Actor: Joint, Enforced: true, HaltShipments: true},
	}
	frag := DefaultFragmentation()
	frag.BirthsPerSaturationExit *= 20 // births and slots reused within a short run
	frag.BirthsPerVacancy *= 20
	frag.AllianceFormationRate = 0.01 // the alliance rows and the links made since they were synced
	cfg := toyConfig(t, toyLabs(), &frag, append(ivs, extra...)...)
	pol := DefaultPolicy()
	cfg.Policy = &pol
	cfg.WarmUpWeeks = 10
	return cfg
}

func mustWorld(t testing.TB, cfg Config) *World {
	t.Helper()
	w, err := NewWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// stream is a replicate's random stream with the generator exposed, so that it can be
// copied: math/rand/v2's Rand keeps no state but its source's.
type stream struct {
	pcg *rand.PCG
	rng *rand.Rand
}

func newStream(seed, seq uint64) stream {
	p := rand.NewPCG(seed, seq)
	return stream{p, rand.New(p)}
}

func (s stream) copy() stream {
	p := *s.pcg
	return stream{&p, rand.New(&p)}
}

// sharesNothing reports, by path, every slice, map or pointer that a and b share, but the
// world they both belong to and the runaway error, which is never changed once made.
func sharesNothing(t *testing.T, a, b *Replicate) {
	t.Helper()
	var walk func(path string, x, y reflect.Value)
	walk = func(path string, x, y reflect.Value) {
		switch x.Kind() {
		case reflect.Struct:
			for i := range x.NumField() {
				walk(path+"."+x.Type().Field(i).Name, x.Field(i), y.Field(i))
			}
		case reflect.Slice:
			if x.Cap() > 0 && y.Cap() > 0 && x.Pointer() == y.Pointer() {
				t.Errorf("%s: the copy shares the original's slice", path)
			}
			for i := range min(x.Len(), y.Len()) {
				walk(fmt.Sprintf("%s[%d]", path, i), x.Index(i), y.Index(i))
			}
		case reflect.Map, reflect.Pointer, reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Interface:
			if path == "Replicate.w" || path == "Replicate.err" {
				return
			}
			if !x.IsNil() && !y.IsNil() && x.Pointer() == y.Pointer() {
				t.Errorf("%s: the copy shares the original's %s", path, x.Kind())
			}
		}
	}
	// Unexported fields are read through reflection without their values' methods.
	x := reflect.NewAt(reflect.TypeFor[Replicate](), unsafe.Pointer(a)).Elem()
	y := reflect.NewAt(reflect.TypeFor[Replicate](), unsafe.Pointer(b)).Elem()
	walk("Replicate", x, y)
}

// steps runs a replicate through weeks from..to, returning its metrics week by week.
func steps(r *Replicate, s stream, from, to int) []float64 {
	out := make([]float64, 0, max(0, to-from+1)*int(NumMetrics))
	week := make([]float64, NumMetrics)
	for wk := from; wk <= to; wk++ {
		r.Step(wk, s.rng, week)
		out = append(out, week...)
	}
	return out
}

// sameBits reports the first week at which two series (from week `from`) differ, in any
// metric, bit for bit.
func sameBits(t *testing.T, what string, a, b []float64, from int) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: series of %d and %d values", what, len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Errorf("%s: week %d, %s: %v then %v", what, from+i/int(NumMetrics), Metric(i%int(NumMetrics)), a[i], b[i])
			return
		}
	}
}

// copyWorlds are the worlds of the snapshot tests: the toy world with every section and
// every kind of campaign, and worlds drawn as the property tests draw them (every
// combination of sections, random parameters and campaigns, the shipped data among them).
func copyWorlds(t *testing.T, draws int) []Config {
	cfgs := []Config{everythingConfig(t)}
	for d := range draws {
		cfgs = append(cfgs, drawWorld(t, rand.New(rand.NewPCG(7, uint64(d)))).cfg)
	}
	return cfgs
}

// A replicate copied at the end of a week, into a new replicate and into one that has
// run another replicate of the world (stale buffers), continues bit for bit as the
// original does with a copy of its random stream, stepped in turn so that any buffer they
// shared would show; the copy shares no slice, map or pointer with the original.
func TestCopyFromContinuesBitIdentically(t *testing.T) {
	draws := 24
	if testing.Short() {
		draws = 8
	}
	for i, cfg := range copyWorlds(t, draws) {
		t.Run(fmt.Sprintf("world%02d", i), func(t *testing.T) {
			w := mustWorld(t, cfg)
			const at, more = 40, 80
			fresh := func() (*Replicate, stream) {
				r, s := w.NewReplicate(), newStream(11, uint64(i))
				r.Reset(s.rng)
				steps(r, s, 1, at)
				return r, s
			}
			stale := w.NewReplicate()
			other := newStream(12, uint64(i))
			stale.Reset(other.rng)
			steps(stale, other, 1, 2*at)

			for name, dst := range map[string]*Replicate{"new": w.NewReplicate(), "stale": stale} {
				orig, s := fresh()
				dst.CopyFrom(orig)
				sharesNothing(t, orig, dst)
				if dst.Week() != at {
					t.Errorf("%s: the copy is at week %d, want %d", name, dst.Week(), at)
				}
				sa, sb := s, s.copy()
				var seriesA, seriesB []float64
				for wk := at + 1; wk <= at+more; wk++ {
					seriesA = append(seriesA, steps(orig, sa, wk, wk)...)
					seriesB = append(seriesB, steps(dst, sb, wk, wk)...)
				}
				sameBits(t, name, seriesA, seriesB, at+1)
				if !reflect.DeepEqual(orig.Lineage(), dst.Lineage()) {
					t.Errorf("%s: the lineages differ", name)
				}
				if !reflect.DeepEqual(orig.Err(), dst.Err()) {
					t.Errorf("%s: errors %v and %v", name, orig.Err(), dst.Err())
				}
			}
		})
	}
}

// A replicate of one world stepped to the week before another world's first extra
// campaign acts, and carried over by a Fork, goes on bit for bit as a replicate of the
// other world run from its Reset with the same stream; and the two worlds' full runs
// agree in every week before FirstDifference. The extra campaign comes first or last in
// the other world's list, so that its campaigns' states are carried over by their own
// index; the stale target replicate has run another replicate before.
func TestForkContinuesAsAFullRun(t *testing.T) {
	draws := 24
	if testing.Short() {
		draws = 8
	}
	for i, a := range copyWorlds(t, draws) {
		t.Run(fmt.Sprintf("world%02d", i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(8, uint64(i)))
			var extra Intervention
			if i == 0 {
				extra = Intervention{Kind: Ceasefire, From: 30, To: Forever, Intensity: 1, Actor: US, Targets: Targets{Groups: []string{"b", "c"}}}
			} else {
				kinds := allowedKinds(&a)
				if len(kinds) == 0 {
					t.Skip("no kind of campaign allowed")
				}
				pw := &propWorld{}
				for _, g := range a.Network.Groups {
					pw.groupNames = append(pw.groupNames, g.ID)
				}
				if a.Geography != nil {
					for _, s := range a.Geography.States {
						pw.stateNames = append(pw.stateNames, s.Code)
					}
				}
				extra = drawIntervention(rng, &a, pw, kinds[rng.IntN(len(kinds))])
			}
			b := a
			if i%2 == 0 {
				b.Interventions = append([]Intervention{extra}, a.Interventions...)
			} else {
				b.Interventions = append(slices.Clone(a.Interventions), extra)
			}
			d := FirstDifference(a, b)
			if d != extra.From+1 {
				t.Fatalf("FirstDifference = %d, want %d: the extra campaign's first week", d, extra.From+1)
			}
			wa, wb := mustWorld(t, a), mustWorld(t, b)
			end := d + 40
			full := func(w *World) []float64 {
				r, s := w.NewReplicate(), newStream(21, uint64(i))
				r.Reset(s.rng)
				return steps(r, s, 1, end)
			}
			fullA, fullB := full(wa), full(wb)
			nm := int(NumMetrics)
			sameBits(t, "the worlds before they differ", fullA[:(d-1)*nm], fullB[:(d-1)*nm], 1)

			fork, err := NewFork(wa, wb, d-1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := NewFork(wa, wb, d); err == nil {
				t.Errorf("a fork at week %d, when the worlds differ from week %d: no error", d, d)
			}
			stale := wb.NewReplicate()
			other := newStream(22, uint64(i))
			stale.Reset(other.rng)
			steps(stale, other, 1, end)
			for name, dst := range map[string]*Replicate{"new": wb.NewReplicate(), "stale": stale} {
				src, s := wa.NewReplicate(), newStream(21, uint64(i))
				src.Reset(s.rng)
				steps(src, s, 1, d-1)
				if err := fork.Branch(dst, src); err != nil {
					t.Fatal(err)
				}
				sharesNothing(t, src, dst)
				sameBits(t, name, steps(dst, s.copy(), d, end), fullB[(d-1)*nm:], d)
				if wrong := wa.NewReplicate(); d > 1 && fork.Branch(dst, wrong) == nil {
					t.Errorf("%s: a branch from a replicate at week 0 of a fork at week %d: no error", name, d-1)
				}
			}
		})
	}
}

// Worlds whose initial draws differ share no week, not even their start: a fork at week 0
// is refused, as one between worlds alike is allowed.
func TestForkRefusesWorldsThatDifferFromTheStart(t *testing.T) {
	a := everythingConfig(t)
	b := everythingConfig(t)
	b.InitialSizes = slices.Clone(b.InitialSizes)
	b.InitialSizes[0]++
	if _, err := NewFork(mustWorld(t, a), mustWorld(t, b), 0); err == nil {
		t.Error("a fork at week 0 of worlds with other initial sizes: no error")
	}
	if _, err := NewFork(mustWorld(t, a), mustWorld(t, everythingConfig(t)), 0); err != nil {
		t.Errorf("a fork at week 0 of worlds alike: %v", err)
	}
}
