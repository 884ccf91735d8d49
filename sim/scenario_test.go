package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

const goodScenario = `name: test
start: 2012-01-01
weeks: 104
replicates: 8
seed: 42
mode: stochastic
world:
  dataset: bacrim2020
  initial_members: 115000
parameters:
  recruitment: 2.527474e-3
  incapacitation: 110
interventions:
  - kind: recruitment-reduction
    from: 52
    to: 2013-12-29
    intensity: 0.5
    actor: mexico
`

func TestParseGoodScenario(t *testing.T) {
	sc, err := ParseScenario("good.yaml", []byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "test" || sc.Clock.Weeks != 104 || sc.Replicates != 8 || sc.Seed != 42 || sc.Mode != model.Stochastic {
		t.Errorf("decoded %+v", sc)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	// to: 2013-12-29 is 728 days = week 104 after 2012-01-01.
	base := model.DefaultParams().Recruitment
	for _, c := range []struct {
		week int
		rho  float64
	}{{52, base}, {53, base / 2}, {104, base / 2}, {105, base}} {
		if got := w.ParamsAt(c.week).Recruitment; got != c.rho {
			t.Errorf("week %d: rho %v, want %v", c.week, got, c.rho)
		}
	}
}

// Every shipped scenario must load.
func TestShippedScenariosLoad(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("found %v (%v), want the four Prieto-Curiel scenarios at least", files, err)
	}
	for _, f := range files {
		if _, err := LoadScenario(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// scenarioErrorCase is a bad scenario and the error it must give: a *ScenarioError for
// bad.yaml at the line and key, with a message containing msg, on one line.
type scenarioErrorCase struct {
	name, yaml string
	line       int
	key, msg   string
}

func (c scenarioErrorCase) check(t *testing.T) {
	t.Helper()
	_, err := ParseScenario("bad.yaml", []byte(c.yaml))
	var se *ScenarioError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *ScenarioError", err, err)
	}
	if se.File != "bad.yaml" || se.Line != c.line || se.Key != c.key || !strings.Contains(se.Msg, c.msg) {
		t.Errorf("got %q (line %d, key %q), want line %d, key %q, message containing %q", err, se.Line, se.Key, c.line, c.key, c.msg)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

// replacer returns a function that makes a variant of base with one substring replaced,
// failing the test if base lacks it.
func replacer(t *testing.T, base string) func(old, new string) string {
	return func(old, new string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("test scenario lacks %q", old)
		}
		return strings.Replace(base, old, new, 1)
	}
}

// Each bad input gives one error naming the file, the line and the key; none panics.
func TestScenarioErrors(t *testing.T) {
	replace := replacer(t, goodScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown key", replace("seed: 42", "sede: 42"), 5, "sede", "unknown key"},
		{"unknown nested key", replace("  dataset: bacrim2020", "  datasett: bacrim2020"), 8, "datasett", "unknown key"},
		{"wrong type", replace("weeks: 104", "weeks: many"), 3, "weeks", "wrong type"},
		{"wrong type nested", replace("  incapacitation: 110", "  incapacitation: [110]"), 12, "parameters.incapacitation", "wrong type"},
		{"negative rate", replace("  recruitment: 2.527474e-3", "  recruitment: -0.1"), 11, "parameters.recruitment", "negative recruitment rate"},
		{"NaN rate", replace("  incapacitation: 110", "  incapacitation: .nan"), 12, "parameters.incapacitation", "want a finite number"},
		{"infinite rate", replace("  incapacitation: 110", "  incapacitation: 1e999"), 12, "parameters.incapacitation", ""},
		{"probability above 1", replace("intensity: 0.5", "intensity: 1.5"), 17, "interventions[0].intensity", "above 1"},
		{"negative intensity", replace("intensity: 0.5", "intensity: -2"), 17, "interventions[0].intensity", "negative intensity"},
		{"unknown kind", replace("kind: recruitment-reduction", "kind: carpet-bombing"), 14, "interventions[0].kind", `unknown intervention kind "carpet-bombing"`},
		{"unknown actor", replace("actor: mexico", "actor: narnia"), 18, "interventions[0].actor", `unknown actor "narnia"`},
		{"missing actor", replace("    actor: mexico\n", ""), 14, "interventions[0].actor", "missing"},
		{"bad date", replace("start: 2012-01-01", "start: 2012-13-45"), 2, "start", "not a date"},
		{"date out of range", replace("start: 2012-01-01", "start: 1812-06-24"), 2, "start", "out of range"},
		{"intervention after the run", replace("from: 52", "from: 2030-01-05"), 15, "interventions[0].from", "outside the run"},
		{"window backwards", replace("to: 2013-12-29", "to: 10"), 16, "interventions[0].to", "before it starts"},
		{"date off the week grid", replace("to: 2013-12-29", "to: 2013-12-30"), 16, "interventions[0].to", "week boundary"},
		{"weeks out of range", replace("weeks: 104", "weeks: 0"), 3, "weeks", "out of range"},
		{"too many weeks", replace("weeks: 104", "weeks: 99999"), 3, "weeks", "out of range"},
		{"negative seed", replace("seed: 42", "seed: -1"), 5, "seed", "wrong type"},
		{"unknown mode", replace("mode: stochastic", "mode: quantum"), 6, "mode", "unknown mode"},
		{"unknown data set", replace("dataset: bacrim2020", "dataset: bacrim1990"), 8, "world.dataset", "unknown data set"},
		{"truncated", goodScenario[:strings.Index(goodScenario, "world:")] + "world: {dataset: bacr", 7, "", "did not find expected"},
		{"bad indentation", replace("  dataset: bacrim2020", "    dataset: bacrim2020\n  - x"), 9, "", ""},
		{"not a mapping", "- start\n- weeks\n", 1, "", "mapping"},
		{"missing start", replace("start: 2012-01-01\n", ""), 0, "start", "missing"},
		{"empty", "", 0, "", "empty scenario file"},
		{"only a comment", "# nothing here\n", 0, "", "empty scenario file"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

func TestLoadScenarioFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadScenario(filepath.Join(dir, "missing.yaml"))
	var se *ScenarioError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "missing.yaml") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxScenarioBytes)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadScenario(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
	// An alias bomb (billion laughs) is refused by the decoder, not expanded.
	bomb := "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n" +
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	if _, err := ParseScenario("bomb.yaml", []byte(bomb)); err == nil {
		t.Error("alias bomb accepted")
	}
}

// FuzzParseScenario: whatever the bytes, the decoder returns a scenario or a
// *ScenarioError on one line, and never panics.
func FuzzParseScenario(f *testing.F) {
	f.Add([]byte(goodScenario))
	f.Add([]byte(""))
	f.Add([]byte("start: 2012-01-01\nweeks: 1\n"))
	f.Add([]byte("interventions:\n  - {kind: incapacitation, from: 1, intensity: 1e308, actor: us}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	files, _ := filepath.Glob("../scenarios/*/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario("fuzz.yaml", data)
		if err == nil {
			if sc.Clock.Weeks < 1 || sc.Clock.Weeks > MaxWeeks || sc.Replicates < 1 {
				t.Fatalf("accepted an invalid scenario: %+v", sc)
			}
			return
		}
		var se *ScenarioError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is a %T, not a *ScenarioError", err, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error spans lines: %q", err)
		}
	})
}

// kingpinScenario is a small inline world with group dynamics and a decapitation
// campaign, the base of the fragmentation error cases.
const kingpinScenario = `name: kingpin
start: 2006-12-03
weeks: 104
replicates: 4
world:
  groups:
    - {id: a, name: Alpha, members: 20000, lieutenants: 4}
    - {id: b, members: 8000, clarity: 0.5}
  rivalries:
    - {between: [a, b], weight: 2}
  alliances: []
fragmentation:
  clarity: 0.4
interventions:
  - kind: decapitation
    from: 0
    intensity: 5
    mode: kill
    targets: {largest: 2}
    actor: mexico
`

func TestParseKingpinScenario(t *testing.T) {
	sc, err := ParseScenario("k.yaml", []byte(kingpinScenario))
	if err != nil {
		t.Fatal(err)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if !w.Dynamic() || w.Network().Len() != 2 {
		t.Fatalf("dynamic %v, %d groups", w.Dynamic(), w.Network().Len())
	}
	// a ranks first (same strengths, file order); its lieutenants are as written, b's
	// from the default rule (8000/200 = 40, capped at 8) with the file's clarity.
	lead := w.InitialLeadership()
	want := []model.Leadership{{Lieutenants: 4, Clarity: 0.4, Cohesion: 1}, {Lieutenants: 8, Clarity: 0.5, Cohesion: 1}}
	if lead[0] != want[0] || lead[1] != want[1] {
		t.Errorf("leadership %+v, want %+v", lead, want)
	}
	if got := w.ExpectedInitialSizes(); got[0] != 20000 || got[1] != 8000 {
		t.Errorf("initial sizes %v", got)
	}
	if cfg := sc.Config(); cfg.Fragmentation.Clarity != 0.4 || cfg.Interventions[0].Removal != model.Kill {
		t.Errorf("config %+v", cfg)
	}
}

func TestFragmentationScenarioErrors(t *testing.T) {
	replace := replacer(t, kingpinScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown fragmentation key", replace("  clarity: 0.4", "  clearness: 0.4"), 13, "fragmentation.clearness", "unknown key"},
		{"fragmentation value not a number", replace("  clarity: 0.4", "  clarity: high"), 13, "fragmentation.clarity", "want a number"},
		{"fragmentation value out of range", replace("  clarity: 0.4", "  clarity: 1.5"), 13, "fragmentation.clarity", "in [0, 1]"},
		{"fragmentation not a mapping", replace("fragmentation:\n  clarity: 0.4", "fragmentation: [1]"), 12, "fragmentation", "mapping"},
		{"decapitation without fragmentation", replace("fragmentation:\n  clarity: 0.4\n", ""), 13, "interventions[0].kind", "needs group dynamics"},
		{"no targets", replace("    targets: {largest: 2}\n", ""), 15, "interventions[0].targets", "exactly one of"},
		{"two kinds of targets", replace("{largest: 2}", "{largest: 2, min_members: 10}"), 19, "interventions[0].targets", "exactly one of"},
		{"zero largest", replace("{largest: 2}", "{largest: 0}"), 19, "interventions[0].targets.largest", "at least 1"},
		{"unknown target", replace("{largest: 2}", "{groups: [a, zeta]}"), 19, "interventions[0].targets.groups[1]", `unknown group "zeta"`},
		{"unknown removal mode", replace("mode: kill", "mode: persuade"), 18, "interventions[0].mode", "capture or kill"},
		{"targets on another kind", replace("kind: decapitation", "kind: incapacitation"), 19, "interventions[0].targets", "takes no targets"},
		{"mean-field with fragmentation", replace("replicates: 4", "replicates: 4\nmode: meanfield"), 5, "mode", "mean-field"},
		{"dataset with groups", replace("world:\n", "world:\n  dataset: bacrim2020\n"), 6, "world.dataset", "not allowed with world.groups"},
		{"duplicate group", replace("id: b,", "id: a,"), 8, "world.groups[1].id", "duplicate"},
		{"missing members", replace(", members: 8000", ""), 8, "world.groups[1].members", "missing"},
		{"negative members", replace("members: 8000", "members: -8"), 8, "world.groups[1].members", "out of range"},
		{"lieutenants NaN", replace("lieutenants: 4", "lieutenants: .nan"), 7, "world.groups[0].lieutenants", "finite non-negative"},
		{"relation to an unknown group", replace("[a, b]", "[a, c]"), 10, "world.rivalries[0].between", `unknown group "c"`},
		{"relation of one group", replace("[a, b]", "[a]"), 10, "world.rivalries[0].between", "two group ids"},
		{"negative weight", replace("weight: 2", "weight: -2"), 10, "world.rivalries[0].weight", "non-negative"},
		{"intelligence above 1", replace("replicates: 4", "replicates: 4\nparameters: {intelligence: 2}"), 5, "parameters.intelligence", "[0,1]"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// labsScenario is a small inline world with an economy, a warm-up and the four economy
// kinds, the base of the economy error cases.
const labsScenario = `name: labs
start: 2025-01-05
weeks: 104
replicates: 4
world:
  groups:
    - {id: a, members: 5000, state: SIN}
    - {id: b, members: 3000, state: Jalisco}
  rivalries:
    - {between: [a, b], weight: 1}
  since: 2024-01-07
economy:
  rebuild_weeks: 6
interventions:
  - kind: airstrikes
    from: 2025-06-01
    to: 2026-01-04
    intensity: 3
    actor: us
    targets: {states: [SIN, DUR]}
    civilian_casualties: 0.5
  - kind: demand-reduction
    from: 10
    ramp_until: 60
    intensity: 0.3
    actor: us
  - {kind: interdiction, from: 0, intensity: 0.2, actor: mexico, targets: {states: [SON]}}
  - {kind: lab-dismantling, from: 0, intensity: 2, actor: mexico, targets: {groups: [b]}}
`

func TestParseLabsScenario(t *testing.T) {
	sc, err := ParseScenario("l.yaml", []byte(labsScenario))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	// 2024-01-07 to 2025-01-05 is 364 days: 52 weeks of warm-up.
	if cfg.WarmUpWeeks != 52 || cfg.Economy == nil || cfg.Economy.RebuildWeeks != 6 || cfg.Geography.Len() != 32 {
		t.Fatalf("warm-up %d, economy %+v", cfg.WarmUpWeeks, cfg.Economy)
	}
	strike, dr, interdict, raid := cfg.Interventions[0], cfg.Interventions[1], cfg.Interventions[2], cfg.Interventions[3]
	// 2025-06-01 is 147 days (21 weeks) after the start; 2026-01-04 is 364 days (52).
	if strike.From != 21 || strike.To != 52 || strike.Casualties != 0.5 || len(strike.Targets.States) != 2 {
		t.Errorf("airstrikes %+v", strike)
	}
	if dr.RampUntil != 60 || dr.To != model.Forever {
		t.Errorf("demand reduction %+v", dr)
	}
	if interdict.Casualties != 0 || raid.Casualties != model.DefaultCasualties(model.LabDismantling) {
		t.Errorf("casualties: interdiction %v, dismantling %v (want the default)", interdict.Casualties, raid.Casualties)
	}
	if _, err := sc.NewWorld(); err != nil {
		t.Fatal(err)
	}
}

func TestEconomyScenarioErrors(t *testing.T) {
	replace := replacer(t, labsScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown economy key", replace("  rebuild_weeks: 6", "  rebuild_days: 6"), 13, "economy.rebuild_days", "unknown key"},
		{"economy value out of range", replace("  rebuild_weeks: 6", "  rebuild_weeks: 0"), 13, "economy.rebuild_weeks", "at least 1"},
		{"economy value not a number", replace("  rebuild_weeks: 6", "  rebuild_weeks: soon"), 13, "economy.rebuild_weeks", "want a number"},
		{"border seizure of 1", replace("  rebuild_weeks: 6", "  border_seizure: 1"), 13, "economy.border_seizure", "[0, 0.99]"},
		{"unknown home state", replace("state: Jalisco", "state: Texas"), 8, "world.groups[1].state", `"Texas", not one of Mexico's states`},
		{"missing home state", replace(", state: Jalisco", ""), 8, "world.groups[1].state", `home state ""`},
		{"since after start", replace("since: 2024-01-07", "since: 2026-01-04"), 11, "world.since", "after the start"},
		{"since not a date", replace("since: 2024-01-07", "since: 52"), 11, "world.since", "not a date"},
		{"airstrikes without economy", replace("economy:\n  rebuild_weeks: 6\n", ""), 13, "interventions[0].kind", "add an economy section"},
		{"unknown target state", replace("[SIN, DUR]", "[SIN, Texas]"), 20, "interventions[0].targets.states[1]", `unknown state "Texas"`},
		{"states and groups", replace("{states: [SIN, DUR]}", "{states: [SIN], groups: [a]}"), 20, "interventions[0].targets", "one of them"},
		{"largest for strikes", replace("{states: [SIN, DUR]}", "{largest: 1}"), 20, "interventions[0].targets", "targets states or groups"},
		{"negative casualties", replace("civilian_casualties: 0.5", "civilian_casualties: -1"), 21, "interventions[0].civilian_casualties", "non-negative"},
		{"casualties on demand reduction", replace("    intensity: 0.3\n", "    intensity: 0.3\n    civilian_casualties: 1\n"), 26, "interventions[1].civilian_casualties", "no strikes"},
		{"demand reduction above 1", replace("intensity: 0.3", "intensity: 1.3"), 25, "interventions[1].intensity", "above 1"},
		{"ramp outside the run", replace("ramp_until: 60", "ramp_until: 600"), 24, "interventions[1].ramp_until", "outside the run"},
		{"ramp on strikes", replace("    civilian_casualties: 0.5\n", "    ramp_until: 40\n"), 21, "interventions[0].ramp_until", "only demand-reduction"},
		{"interdiction of everything", replace("intensity: 0.2", "intensity: 1"), 27, "interventions[2].intensity", "less than 1"},
		{"interdiction of groups", replace("targets: {states: [SON]}", "targets: {groups: [a]}"), 27, "interventions[2].targets", "targets states"},
		{"mean-field with an economy", replace("replicates: 4", "replicates: 4\nmode: meanfield"), 5, "mode", "mean-field"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// policyScenario is a small inline world with a policy section and the five policy kinds,
// the base of the policy error cases.
const policyScenario = `name: policy
start: 2025-01-05
weeks: 104
replicates: 4
world:
  groups:
    - {id: a, members: 5000, state: SIN}
    - {id: b, members: 3000, state: Jalisco}
    - {id: c, members: 1000, state: SON}
economy: {}
policy:
  corruption: 0.4
interventions:
  - {kind: cooperation, from: 0, intensity: 0.5, actor: joint}
  - {kind: precursor-control, from: 10, to: 60, intensity: 0.4, actor: mexico}
  - {kind: arms-interdiction, from: 0, intensity: 0.3, actor: us}
  - {kind: anti-corruption, from: 0, ramp_until: 52, intensity: 0.5, actor: mexico}
  - kind: ceasefire
    from: 20
    intensity: 0.9
    actor: mexico
    targets: {groups: [a, b]}
    enforced: true
    halt_shipments: true
`

func TestParsePolicyScenario(t *testing.T) {
	sc, err := ParseScenario("p.yaml", []byte(policyScenario))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	if cfg.Policy == nil || cfg.Policy.Corruption != 0.4 || cfg.Policy.GunShare != model.DefaultPolicy().GunShare {
		t.Fatalf("policy %+v", cfg.Policy)
	}
	truce, clean := cfg.Interventions[4], cfg.Interventions[3]
	if truce.Kind != model.Ceasefire || !truce.Enforced || !truce.HaltShipments || len(truce.Targets.Groups) != 2 || truce.To != model.Forever {
		t.Errorf("ceasefire %+v", truce)
	}
	if clean.RampUntil != 52 {
		t.Errorf("anti-corruption %+v", clean)
	}
	if _, err := sc.NewWorld(); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyScenarioErrors(t *testing.T) {
	replace := replacer(t, policyScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown policy key", replace("  corruption: 0.4", "  bribery: 0.4"), 12, "policy.bribery", "unknown key"},
		{"corruption of 1", replace("  corruption: 0.4", "  corruption: 1"), 12, "policy.corruption", "[0, 0.99]"},
		{"policy value not a number", replace("  corruption: 0.4", "  corruption: high"), 12, "policy.corruption", "want a number"},
		{"lever without a policy", replace("policy:\n  corruption: 0.4\n", ""), 12, "interventions[0].kind", "add a policy section"},
		{"unknown kind", replace("kind: cooperation", "kind: diplomacy"), 14, "interventions[0].kind", `unknown intervention kind "diplomacy"`},
		{"cooperation above 1", replace("intensity: 0.5, actor: joint", "intensity: 1.5, actor: joint"), 14, "interventions[0].intensity", "above 1"},
		{"precursor control without economy", replace("economy: {}\n", ""), 14, "interventions[1].kind", "add an economy section"},
		{"targets on arms interdiction", replace("intensity: 0.3, actor: us}", "intensity: 0.3, actor: us, targets: {groups: [a]}}"), 16, "interventions[2].targets", "takes no targets"},
		{"ceasefire on states", replace("targets: {groups: [a, b]}", "targets: {states: [SIN]}"), 22, "interventions[4].targets", "targets groups"},
		{"ceasefire on an unknown group", replace("groups: [a, b]", "groups: [a, z]"), 22, "interventions[4].targets.groups[1]", `unknown group "z"`},
		{"enforced airstrikes", replace("{kind: arms-interdiction, from: 0, intensity: 0.3, actor: us}", "{kind: arms-interdiction, from: 0, intensity: 0.3, actor: us, enforced: true}"), 16, "interventions[2].enforced", "only ceasefire"},
		{"halting shipments by cooperation", replace("intensity: 0.5, actor: joint}", "intensity: 0.5, actor: joint, halt_shipments: true}"), 14, "interventions[0].halt_shipments", "only ceasefire"},
		{"enforced not a boolean", replace("enforced: true", "enforced: maybe"), 23, "interventions[4].enforced", "wrong type"},
		{"mean-field with a policy", replace("replicates: 4", "replicates: 4\nmode: meanfield"), 5, "mode", "mean-field"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}
