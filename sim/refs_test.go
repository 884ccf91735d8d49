package sim

import (
	"slices"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Groups are named by id, name or the data set's short name, and states by code, ISO
// code or name, case, accents and spacing aside. The ids expected are read from the data
// files: N10025 is "Cártel Jalisco Nueva Generación (CJNG)", short name CJNG; N10013 is
// "Cártel de Sinaloa", short name Sinaloa; N10017 is "Cártel del Golfo"; N10001 is ACME.
func TestGroupAndStateReferences(t *testing.T) {
	const base = `name: refs
start: 2025-01-05
weeks: 52
replicates: 2
economy: {}
policy: {}
interventions:
  - {kind: ceasefire, from: 0, intensity: 0.5, actor: mexico, targets: {groups: GROUPS}}
  - {kind: airstrikes, from: 0, intensity: 1, actor: us, targets: {states: STATES}}
`
	groups := `[cjng, CJNG, Cartel de Sinaloa, sinaloa, N10001, "cártel del  golfo", "Cártel Jalisco Nueva Generación (CJNG)"]`
	states := `[sin, SIN, Michoacan, MX-JAL, nuevo leon, "Nuevo León", "ciudad de mexico"]`
	yaml := strings.NewReplacer("GROUPS", groups, "STATES", states).Replace(base)
	sc, err := scenario.ParseScenario("refs.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	ivs := sc.Config().Interventions
	if got, want := ivs[0].Targets.Groups, []string{"N10025", "N10025", "N10013", "N10013", "N10001", "N10017", "N10025"}; !slices.Equal(got, want) {
		t.Errorf("groups resolve to %v, want %v", got, want)
	}
	if got, want := ivs[1].Targets.States, []string{"SIN", "SIN", "MIC", "JAL", "NLE", "NLE", "CMX"}; !slices.Equal(got, want) {
		t.Errorf("states resolve to %v, want %v", got, want)
	}
	if _, err := sc.NewWorld(); err != nil {
		t.Fatal(err)
	}

	fix := func(groups, states string) string {
		return strings.NewReplacer("GROUPS", groups, "STATES", states).Replace(base)
	}
	for _, c := range []scenarioErrorCase{
		// Two groups share the short name Tequileros: N10010 "Cártel de Los Tequileros"
		// and N10129 "Los Tequileros".
		{"ambiguous", fix("[tequileros]", "[SIN]"), 8, "interventions[0].targets.groups[0]",
			`"tequileros" could be any of 2 groups: N10010 (Cártel de Los Tequileros, Tequileros); N10129 (Los Tequileros, Tequileros); write the id`},
		{"misspelt", fix("[Los Zetaz]", "[SIN]"), 8, "interventions[0].targets.groups[0]",
			`unknown group "Los Zetaz" (did you mean Los Zetas, N10134?); cartelsim list groups lists them all`},
		{"part of a name", fix("[Jalisco]", "[SIN]"), 8, "interventions[0].targets.groups[0]", "did you mean Cártel Jalisco Nueva Generación (CJNG), N10025?"},
		{"unknown state", fix("[cjng]", "[SIN, sinalo]"), 9, "interventions[1].targets.states[1]",
			`unknown state "sinalo", not one of Mexico's 32 states (did you mean Sinaloa, SIN?); cartelsim list states lists them all`},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// In a world written out, relations name their groups by id or name, and a group's home
// state is resolved as targets are; an id beats another group's name.
func TestWrittenOutWorldReferences(t *testing.T) {
	base := `name: written
start: 2025-01-05
weeks: 52
world:
  groups:
    - {id: sin, name: Sinaloa cartel, state: sinaloa, members: 5000}
    - {id: gulf, name: Golfo, state: "Michoacan", members: 3000}
    - {id: golfo, name: Other, state: MX-SON, members: 1000}
  rivalries:
    - {between: [sinaloa cartel, Gulf], weight: 1}
    - {between: [golfo, SIN], weight: 2}
economy: {}
`
	sc, err := scenario.ParseScenario("w.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	net := sc.Config().Network
	i, _ := net.Lookup("sin")
	j, _ := net.Lookup("gulf")
	k, _ := net.Lookup("golfo")
	if net.Rivalry(i, j) != 1 || net.Rivalry(k, i) != 2 || net.Rivalry(j, k) != 0 {
		t.Errorf("rivalries sin-gulf %v, golfo-sin %v, gulf-golfo %v; want 1, 2, 0", net.Rivalry(i, j), net.Rivalry(k, i), net.Rivalry(j, k))
	}
	var states []string
	for _, g := range net.Groups {
		states = append(states, g.State)
	}
	slices.Sort(states)
	if want := []string{"MIC", "SIN", "SON"}; !slices.Equal(states, want) {
		t.Errorf("home states %v, want %v", states, want)
	}
	replace := replacer(t, base)
	scenarioErrorCase{"unknown relation end", replace("[golfo, SIN]", "[golfo, sinalo]"), 11, "world.rivalries[1].between[1]",
		`unknown group "sinalo" (did you mean sin (Sinaloa cartel)?); world.groups lists them all`}.check(t)
	scenarioErrorCase{"unknown home state", replace(`state: "Michoacan"`, `state: Texas`), 7, "world.groups[1].state", `unknown state "Texas"`}.check(t)
}
