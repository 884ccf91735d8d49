package model

import (
	"errors"
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// toyTerritoryConfig is toyConfig's world (a at P with 3,000 members, b at R with 2,000,
// c at N1 with 1,500; a and b rivals) with a Territory instead of the economy.
func toyTerritoryConfig(t testing.TB, terr Territory) Config {
	t.Helper()
	cfg := toyConfig(t, DefaultEconomy(), nil)
	cfg.Economy = nil
	cfg.Territory = &terr
	return cfg
}

// A world with a territory and no economy places groups on the states, where they spread
// with their size, and produces none of the economy's metrics: no labs, production,
// supply, price or revenue in any week.
func TestTerritoryWithoutEconomy(t *testing.T) {
	terr := DefaultTerritory()
	w, err := NewWorld(toyTerritoryConfig(t, terr))
	if err != nil {
		t.Fatal(err)
	}
	if !w.HasGeography() || w.HasEconomy() || w.Geography() == nil {
		t.Fatalf("HasGeography %v, HasEconomy %v, Geography %v: want a geography without an economy", w.HasGeography(), w.HasEconomy(), w.Geography())
	}
	economic := []Metric{Labs, LabsNorth, LabsPacific, LabsCentre, LabsSoutheast, LabsAbroad, LabsDestroyed,
		Production, Supply, Seized, Price, Revenue, CivilianCasualties, Precursors}
	for _, m := range economic {
		if w.Produces(m) {
			t.Errorf("Produces(%v) without an economy", m)
		}
	}
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(3, 4))
	r.Reset(rng)
	a := slotOf(t, r, "a")
	home := r.territory.home[a]
	if r.territory.present[a] != 1<<home {
		t.Fatalf("a holds %b at week 0, want its home alone", r.territory.present[a])
	}
	out := make([]float64, NumMetrics)
	maxHeld := 1
	const weeks = 300
	for wk := 1; wk <= weeks; wk++ {
		r.Step(wk, rng, out)
		for _, m := range economic {
			if out[m] != 0 {
				t.Fatalf("week %d: metric %v is %v without an economy", wk, m, out[m])
			}
		}
		for i, x := range r.c {
			if !r.alive(i) {
				continue
			}
			p := r.territory.present[i]
			if p&(1<<r.territory.home[i]) == 0 || p>>w.Geography().Len() != 0 {
				t.Fatalf("week %d: group in slot %d holds %b, not its home %d or beyond the states", wk, i, p, r.territory.home[i])
			}
			if held := bits.OnesCount64(p); held > 1+int(x/terr.MembersPerState)+1 && held > maxHeld {
				// Above capacity + 1 a group only withdraws: it never takes a state.
				t.Fatalf("week %d: group in slot %d took a state above its capacity (%d held, %v members)", wk, i, held, x)
			}
			if i == a {
				maxHeld = max(maxHeld, bits.OnesCount64(p))
			}
		}
		for i := range r.c {
			if r.alive(i) {
				continue
			}
			if r.territory.present[i] != 0 {
				t.Fatalf("week %d: ended slot %d still holds %b", wk, i, r.territory.present[i])
			}
		}
	}
	// a's 3,000 members can hold 4 states; it takes one at the weekly hazard 1/26 while
	// below that, so it holds one state only with probability about exp(-300/26) < 1e-5.
	if maxHeld < 2 {
		t.Errorf("a never spread beyond its home state in %d weeks", weeks)
	}
}

// A group given several states at week 0 holds all of them, with a territory or an
// economy; one holding more than its size can keep withdraws to at most one above its
// capacity and keeps its home.
func TestInitialStatesAndWithdrawal(t *testing.T) {
	for _, economy := range []bool{false, true} {
		cfg := toyTerritoryConfig(t, DefaultTerritory())
		if economy {
			cfg = toyConfig(t, toyLabs(), nil)
		}
		groups := []Group{{ID: "a", State: "P", Holds: []string{"Q", "R", "N1", "N2"}}, {ID: "b", State: "R"}, {ID: "c", State: "N1"}}
		net, err := NewNetwork(groups, []Edge{{"a", "b", 1}}, []Edge{{"b", "c", 1}})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Network = net
		for i, g := range net.Groups {
			cfg.InitialSizes[i] = map[string]float64{"a": 300, "b": 2000, "c": 1500}[g.ID]
		}
		w, err := NewWorld(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		rng := rand.New(rand.NewPCG(5, 6))
		r.Reset(rng)
		a := slotOf(t, r, "a")
		if got := r.territory.present[a]; got != 1<<5-1 {
			t.Fatalf("economy %v: a holds %05b at week 0, want all five states", economy, got)
		}
		out := make([]float64, NumMetrics)
		for wk := 1; wk <= 400 && r.alive(a); wk++ {
			r.Step(wk, rng, out)
		}
		if !r.alive(a) {
			t.Fatalf("economy %v: a ended; the test needs it alive", economy)
		}
		// Three withdrawals at the weekly hazard 1/26 take about 78 weeks; all three
		// within 400 fail with probability below 1e-4.
		held := bits.OnesCount64(r.territory.present[a])
		capacity := 1 + int(r.c[a]/DefaultTerritory().MembersPerState)
		if held > capacity+1 || r.territory.present[a]&1 == 0 {
			t.Errorf("economy %v: a holds %05b (%d states) with %v members (capacity %d), want at most %d states, P among them",
				economy, r.territory.present[a], held, r.c[a], capacity, capacity+1)
		}
	}
}

// Without labs to choose by, a group leaves a state in proportion to one plus the rivals
// there over its population: from Q (a rival there) and R (none), equally peopled, it
// leaves Q with probability 2/3.
func TestWithdrawalWeights(t *testing.T) {
	g, err := NewGeography([]State{
		{Code: "H", Name: "Home", Population: 1e6, USBorder: true},
		{Code: "Q", Name: "Q", Population: 1e6},
		{Code: "R", Name: "R", Population: 1e6},
	}, [][2]string{{"H", "Q"}, {"H", "R"}})
	if err != nil {
		t.Fatal(err)
	}
	net, err := NewNetwork([]Group{{ID: "a", State: "H", Holds: []string{"Q", "R"}}, {ID: "b", State: "Q"}}, []Edge{{"a", "b", 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	terr := DefaultTerritory()
	w, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialSizes: []float64{100, 100}, Territory: &terr, Geography: g})
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(7, 8))
	r.Reset(rng)
	a := slotOf(t, r, "a")
	q, _ := g.Lookup("Q")
	const n = 9000
	leftQ := 0
	all := r.territory.present[a]
	for range n {
		r.territory.present[a] = all
		r.withdraw(a, rng)
		if r.territory.present[a]&(1<<q) == 0 {
			leftQ++
		}
	}
	// Binomial(9000, 2/3): mean 6000, sd about 44.7; five sd either side.
	if math.Abs(float64(leftQ)-n*2.0/3) > 5*math.Sqrt(n*2.0/9) {
		t.Errorf("left Q %d times in %d, want about %d", leftQ, n, n*2/3)
	}
}

// Placement is validated: a geography with nothing to place, an economy and a territory
// together, an unknown or repeated state held, and a territory in mean-field mode.
func TestTerritoryConfigErrors(t *testing.T) {
	base := func() Config { return toyTerritoryConfig(t, DefaultTerritory()) }
	holding := func(holds ...string) Config {
		cfg := base()
		net, err := NewNetwork([]Group{{ID: "a", State: "P", Holds: holds}}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Network, cfg.InitialSizes = net, []float64{100}
		return cfg
	}
	bad := Territory{MembersPerState: 0, ExpansionWeeks: 26}
	econ := DefaultEconomy()
	for _, c := range []struct {
		name string
		cfg  func() Config
		want string
	}{
		{"geography alone", func() Config { cfg := base(); cfg.Territory = nil; return cfg }, "model: a geography needs an economy or a territory"},
		{"both", func() Config { cfg := base(); cfg.Economy = &econ; return cfg }, "model: a world has an economy or a territory, not both"},
		{"no geography", func() Config { cfg := base(); cfg.Geography = nil; return cfg }, "model: a territory needs a geography"},
		{"bad field", func() Config { cfg := base(); cfg.Territory = &bad; return cfg }, "territory members_per_state is 0"},
		{"unknown state held", func() Config { return holding("Q", "Atlantis") }, `model: group a holds state "Atlantis", not a state of the geography`},
		{"home held again", func() Config { return holding("P") }, `model: group a holds state "P" twice`},
		{"held twice", func() Config { return holding("Q", "Q") }, `model: group a holds state "Q" twice`},
	} {
		_, err := NewWorld(c.cfg())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	cfg := base()
	cfg.Mode = MeanField
	if _, err := NewWorld(cfg); !errors.Is(err, ErrMeanFieldFragmentation) {
		t.Errorf("mean-field territory: %v, want ErrMeanFieldFragmentation", err)
	}
}
