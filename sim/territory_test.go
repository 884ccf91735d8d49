package sim

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// territoryScenario is a small inline world on the states without an economy: a group
// given three states, one given one.
const territoryScenario = `name: territory
start: 2006-12-03
weeks: 52
replicates: 2
world:
  groups:
    - {id: a, members: 3000, states: [Sinaloa, DUR, MX-SON]}
    - {id: b, members: 2000, state: TAM}
  rivalries:
    - {between: [a, b], weight: 1}
territory:
  expansion_weeks: 13
`

// A territory section puts the groups on Mexico's states without an economy, with its
// keys over the defaults; a group's states are all held at week 0, the first its home.
func TestParseTerritoryScenario(t *testing.T) {
	sc, err := scenario.ParseScenario("t.yaml", []byte(territoryScenario))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	if cfg.Economy != nil || cfg.Territory == nil || cfg.Geography == nil || cfg.Geography.Len() != 32 {
		t.Fatalf("economy %v, territory %v, geography %v: want Mexico's states without an economy", cfg.Economy, cfg.Territory, cfg.Geography)
	}
	if want := (model.Territory{MembersPerState: model.DefaultTerritory().MembersPerState, ExpansionWeeks: 13}); *cfg.Territory != want {
		t.Errorf("territory %+v, want %+v", *cfg.Territory, want)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if !w.HasGeography() || w.HasEconomy() || w.Produces(model.Labs) || w.Produces(model.Supply) {
		t.Errorf("HasGeography %v, HasEconomy %v, Produces labs %v, supply %v: want geography alone",
			w.HasGeography(), w.HasEconomy(), w.Produces(model.Labs), w.Produces(model.Supply))
	}
	a, _ := w.Network().Lookup("a")
	if g := w.Network().Groups[a]; g.State != "SIN" || len(g.Holds) != 2 || g.Holds[0] != "DUR" || g.Holds[1] != "SON" {
		t.Errorf("a: home %q, holds %q; want SIN, then DUR and SON", g.State, g.Holds)
	}
	// It steps, with no labs or supply (model's TestInitialStatesAndWithdrawal checks
	// that a group holds its states at week 0).
	r := w.NewReplicate()
	rng := rand.New(rand.NewPCG(1, 2))
	r.Reset(rng)
	out := make([]float64, model.NumMetrics)
	for wk := 1; wk <= sc.Clock.Weeks; wk++ {
		r.Step(wk, rng, out)
		if out[model.Labs] != 0 || out[model.Supply] != 0 {
			t.Fatalf("week %d: labs %v, supply %v without an economy", wk, out[model.Labs], out[model.Supply])
		}
	}
}

// Bad territory input is one error naming the line and the key.
func TestTerritoryScenarioErrors(t *testing.T) {
	replace := replacer(t, territoryScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown territory key", replace("  expansion_weeks: 13", "  expansion_week: 13"), 12, "territory.expansion_week", "unknown key (did you mean expansion_weeks?)"},
		{"territory value out of range", replace("  expansion_weeks: 13", "  expansion_weeks: 0"), 12, "territory.expansion_weeks", "at least 1"},
		{"territory value not a number", replace("  expansion_weeks: 13", "  expansion_weeks: soon"), 12, "territory.expansion_weeks", "want a number"},
		{"territory not a mapping", replace("territory:\n  expansion_weeks: 13", "territory: [1]"), 11, "territory", "mapping"},
		{"territory with an economy", replace("territory:", "economy: {}\nterritory:"), 12, "territory", "not with an economy section"},
		{"several states without territory", replace("territory:\n  expansion_weeks: 13\n", ""), 7, "world.groups[0].states", "add a territory section"},
		{"state and states", replace("members: 2000, state: TAM", "members: 2000, state: TAM, states: [TAM]"), 8, "world.groups[1].states", "not with state"},
		{"empty states", replace("states: [Sinaloa, DUR, MX-SON]", "states: []"), 7, "world.groups[0].states", "empty"},
		{"unknown state", replace("states: [Sinaloa, DUR, MX-SON]", "states: [Sinaloa, Texas]"), 7, "world.groups[0].states[1]", `unknown state "Texas"`},
		{"state given twice", replace("states: [Sinaloa, DUR, MX-SON]", "states: [Sinaloa, DUR, SIN]"), 7, "world.groups[0].states[2]", "given twice"},
		{"no home state", replace(", state: TAM", ""), 8, "world.groups[1].state", "missing: a world on the states places group b"},
		// c, first in the file, ranks last (no relations): the key is the file's index.
		{"no home state, ranked otherwise", replace("    - {id: a,", "    - {id: c, members: 100}\n    - {id: a,"), 7, "world.groups[0].state", "missing: a world on the states places group c"},
		{"mean-field with a territory", replace("replicates: 2", "replicates: 2\nmode: meanfield"), 5, "mode", "territory"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// The history scenarios put their organisations on Mexico's states without an economy,
// each in its home state of the scenario's first version (Sinaloa, Tamaulipas, Chihuahua,
// Michoacan, Baja California, Jalisco) and in the others its sources give; the two files
// agree state by state (the kingpin file at zero intensity is the no-kingpin file).
func TestHistoryOnTheStates(t *testing.T) {
	home := map[string]string{"sinaloa": "SIN", "gulf": "TAM", "juarez": "CHH", "familia": "MIC", "tijuana": "BCN", "milenio": "JAL"}
	var worlds [2]*model.World
	for k, name := range []string{"2006-kingpin", "2006-no-kingpin"} {
		w, err := loadHistory(t, name).NewWorld()
		if err != nil {
			t.Fatal(err)
		}
		if !w.HasGeography() || w.HasEconomy() {
			t.Errorf("%s: HasGeography %v, HasEconomy %v; want the states without an economy", name, w.HasGeography(), w.HasEconomy())
		}
		for _, g := range w.Network().Groups {
			if g.State != home[g.ID] {
				t.Errorf("%s: %s's home state is %s, want %s", name, g.ID, g.State, home[g.ID])
			}
		}
		worlds[k] = w
	}
	for i, g := range worlds[0].Network().Groups {
		h := worlds[1].Network().Groups[i]
		if g.ID != h.ID || g.State != h.State || !slices.Equal(g.Holds, h.Holds) {
			t.Errorf("the history files differ on %s: %s %q against %s %q", g.ID, g.State, g.Holds, h.State, h.Holds)
		}
	}
	if n := len(worlds[0].Network().Groups); n != 6 {
		t.Errorf("%d organisations, want the six of 2006", n)
	}
}
