package sim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

func mustOverrides(t *testing.T, sets ...string) []scenario.Override {
	t.Helper()
	out := make([]scenario.Override, len(sets))
	for i, s := range sets {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = o
	}
	return out
}

func TestParseOverride(t *testing.T) {
	for _, c := range []struct {
		in   string
		want scenario.Override
	}{
		{"economy.rebuild_weeks=52", scenario.Override{Key: "economy.rebuild_weeks", Value: "52"}},
		{"policy.unilateral_cost=0.1", scenario.Override{Key: "policy.unilateral_cost", Value: "0.1"}},
		{"interventions[2].intensity=0.5", scenario.Override{Key: "interventions[2].intensity", Value: "0.5"}},
		{"description=a=b", scenario.Override{Key: "description", Value: "a=b"}}, // the first '=' ends the key
		{"world.groups[0].state=", scenario.Override{Key: "world.groups[0].state", Value: ""}},
	} {
		got, err := scenario.ParseOverride(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseOverride(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"weeks", "=5", "a..b=1", "[0].x=1", "a[x]=1", "a[0=1", "a b=1", "interventions[99999999999999999999].x=1"} {
		if o, err := scenario.ParseOverride(bad); err == nil || !strings.HasPrefix(err.Error(), "sim: --set ") {
			t.Errorf("ParseOverride(%q) = %+v, %v; want an error naming --set", bad, o, err)
		}
	}
}

// ParseScenario is ParseScenarioWith without overrides, to the byte.
func TestNoOverridesIsTheFile(t *testing.T) {
	a, err := scenario.ParseScenario("good.yaml", []byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenario.ParseScenarioWith("good.yaml", []byte(goodScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != b.SHA256 || string(b.Source) != goodScenario || a.Config().Params != b.Config().Params {
		t.Errorf("with no overrides: sha256 %s vs %s", a.SHA256, b.SHA256)
	}
}

// An override gives the scenario the file would give with the value written in it.
func TestOverrideIsTheEditedFile(t *testing.T) {
	replace := replacer(t, labsScenario)
	for _, c := range []struct {
		set    []string
		edited string
	}{
		{[]string{"economy.rebuild_weeks=52"}, replace("  rebuild_weeks: 6", "  rebuild_weeks: 52")},
		{[]string{"weeks=60", "seed=9"}, replace("weeks: 104", "weeks: 60\nseed: 9")},
		{[]string{"economy.border_seizure=0.3"}, replace("  rebuild_weeks: 6", "  rebuild_weeks: 6\n  border_seizure: 0.3")},
		{[]string{"interventions[1].intensity=0.25"}, replace("intensity: 0.3", "intensity: 0.25")},
		{[]string{"interventions.1.intensity=0.25"}, replace("intensity: 0.3", "intensity: 0.25")},
		{[]string{"interventions[0].targets.states=[SIN]"}, replace("{states: [SIN, DUR]}", "{states: [SIN]}")},
		{[]string{"policy.corruption=0.2"}, replace("economy:", "policy: {corruption: 0.2}\neconomy:")},
		{[]string{"parameters.recruitment=0.002"}, replace("economy:", "parameters: {recruitment: 0.002}\neconomy:")},
	} {
		want, err := scenario.ParseScenario("l.yaml", []byte(c.edited))
		if err != nil {
			t.Fatalf("%v: edited file: %v", c.set, err)
		}
		got, err := scenario.ParseScenarioWith("l.yaml", []byte(labsScenario), mustOverrides(t, c.set...))
		if err != nil {
			t.Fatalf("%v: %v", c.set, err)
		}
		if g, w := got.Config(), want.Config(); g.Params != w.Params || *g.Economy != *w.Economy ||
			!equalPolicy(g.Policy, w.Policy) || got.Clock != want.Clock || got.Seed != want.Seed ||
			!equalInterventions(g.Interventions, w.Interventions) {
			t.Errorf("%v: scenario differs from the edited file's", c.set)
		}
		// The scenario as run reads back as itself, with the same sha256.
		again, err := scenario.ParseScenario("l.yaml", got.Source)
		if err != nil {
			t.Fatalf("%v: the scenario as run does not read back: %v\n%s", c.set, err, got.Source)
		}
		if again.SHA256 != got.SHA256 || !equalInterventions(again.Config().Interventions, got.Config().Interventions) {
			t.Errorf("%v: the scenario as run reads back differently", c.set)
		}
		plain, _ := scenario.ParseScenario("l.yaml", []byte(labsScenario))
		if got.SHA256 == plain.SHA256 {
			t.Errorf("%v: an overridden scenario has the plain file's sha256", c.set)
		}
		for _, s := range c.set {
			if !strings.Contains(string(got.Source), "--set "+s+"\n") {
				t.Errorf("%v: the scenario as run does not list --set %s", c.set, s)
			}
		}
	}
}

func equalPolicy(a, b *model.Policy) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func equalInterventions(a, b []model.Intervention) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.From != y.From || x.To != y.To || x.Intensity != y.Intensity || x.Actor != y.Actor ||
			x.Casualties != y.Casualties || x.RampUntil != y.RampUntil || strings.Join(x.Targets.States, ",") != strings.Join(y.Targets.States, ",") ||
			strings.Join(x.Targets.Groups, ",") != strings.Join(y.Targets.Groups, ",") {
			return false
		}
	}
	return true
}

// A section the file leaves out is created by setting one of its keys, and switches that
// part of the model on (here the economy, which a file without it does not run).
func TestOverrideCreatesASection(t *testing.T) {
	sc, err := scenario.ParseScenarioWith("good.yaml", []byte(goodScenario), mustOverrides(t, "economy.rebuild_weeks=52", "fragmentation={}"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	want := model.DefaultEconomy()
	want.RebuildWeeks = 52
	if cfg.Economy == nil || *cfg.Economy != want || cfg.Fragmentation == nil || *cfg.Fragmentation != model.DefaultFragmentation() {
		t.Errorf("economy %+v, fragmentation %+v", cfg.Economy, cfg.Fragmentation)
	}
}

// namedScenario has named interventions, for --set interventions.<name>.<key>.
const namedScenario = `name: named
start: 2012-01-01
weeks: 52
replicates: 2
interventions:
  - name: kingpin
    kind: incapacitation
    from: 26
    intensity: 1
    actor: joint
  - {name: fewer-recruits, kind: recruitment-reduction, from: 10, intensity: 0.5, actor: mexico}
`

func TestOverrideByName(t *testing.T) {
	sc, err := scenario.ParseScenarioWith("n.yaml", []byte(namedScenario), mustOverrides(t, "interventions.fewer-recruits.intensity=0.25", "interventions.kingpin.from=30"))
	if err != nil {
		t.Fatal(err)
	}
	ivs := sc.Config().Interventions
	if ivs[1].Intensity != 0.25 || ivs[0].From != 30 || ivs[0].Intensity != 1 || ivs[1].From != 10 {
		t.Errorf("interventions %+v", ivs)
	}
}

// Each bad override gives one error naming the file and the override, with no line: the
// value came from the command line.
func TestOverrideErrors(t *testing.T) {
	for _, c := range []struct {
		file string
		set  string
		key  string // the key the error names, if not the override's
		msg  string
	}{
		{labsScenario, "economy.rebuild_weeks=-1", "", "at least 1"},
		{labsScenario, "economy.rebuild_weeks=soon", "", `want a number, got "soon"`},
		{labsScenario, "economy.rebuild_wekes=5", "", "unknown key (did you mean rebuild_weeks?)"},
		{goodScenario, "economy.rebuild_wekes=5", "", "unknown key (did you mean rebuild_weeks?)"},
		{goodScenario, "sede=7", "", "unknown key (did you mean seed?)"},
		{goodScenario, "parameters.recrutment=0.1", "", "unknown key (did you mean recruitment?)"},
		{goodScenario, "world.initial_member=5", "", "unknown key (did you mean initial_members?)"},
		{goodScenario, "weeks=1.5", "", "want a whole number, got 1.5"},
		{goodScenario, "weeks=052", "", "leading zero"},
		{goodScenario, "weeks=0", "", "out of range (1 to 5200)"},
		{goodScenario, "replicates=many", "", `want a whole number, got "many"`},
		{goodScenario, "parameters.recruitment=-0.1", "", "negative recruitment rate"},
		{goodScenario, "parameters.pool_recruitment=0.1", "", "pool recruitment needs a world on the states"},
		{goodScenario, "interventions[0].intensity=.nan", "", "not a finite number"},
		{goodScenario, "interventions[0].intensity=[1]", "", "want a number, got a list"},
		{goodScenario, "interventions[0].kind=carpet-bombing", "", `unknown intervention kind "carpet-bombing"`},
		{goodScenario, "interventions[1].intensity=0.5", "", "index 1 is out of range: interventions has 1 item ([0] to [0])"},
		{goodScenario, "world.groups[0].members=5", "", "index 0 is out of range: world.groups is not in the scenario"},
		{goodScenario, "interventions.kingpin.intensity=0.5", "", `no intervention is named "kingpin"`},
		{namedScenario, "interventions.kingpni.intensity=0.5", "", `no intervention is named "kingpni" (did you mean kingpin?)`},
		{namedScenario, "interventions.kingpin.from=99", "interventions[0].from", "99 is outside the run"},
		{namedScenario, "interventions[1].name=kingpin", "", `duplicate intervention name "kingpin" (interventions[0] has it)`},
		{namedScenario, "interventions[0].name=1st", "", `"1st" is not a name`},
		{goodScenario, "weeks.x=1", "", "weeks holds a value"},
		{goodScenario, "world[0]=1", "", "world is a mapping, not a list"},
		{goodScenario, "interventions.x.y=1", "", `no intervention is named "x" (none has a name: key`},
		{goodScenario, "seed=*a", "", "not YAML"},
		{goodScenario, "seed=1\n---\n2", "", "more than one YAML document"},
		{goodScenario, "world.groups={}", "", "want a list, got a mapping"},
	} {
		o, err := scenario.ParseOverride(c.set)
		if err != nil {
			t.Errorf("%s: %v", c.set, err)
			continue
		}
		_, err = scenario.ParseScenarioWith("bad.yaml", []byte(c.file), []scenario.Override{o})
		var se *scenario.ScenarioError
		if !errors.As(err, &se) {
			t.Errorf("--set %s: error %v (%T), want a *ScenarioError", c.set, err, err)
			continue
		}
		want := "bad.yaml: --set " + scenario.Printable(c.set) + ": "
		if c.key != "" {
			want += c.key + ": "
		}
		if se.Line != 0 || se.Set != c.set || !strings.HasPrefix(err.Error(), want) || !strings.Contains(se.Msg, c.msg) || strings.Contains(err.Error(), "\n") {
			t.Errorf("--set %s: got %q (line %d), want %q... containing %q", c.set, err, se.Line, want, c.msg)
		}
	}
}

// A problem the override causes elsewhere is named where it shows: here an intervention
// the file dates after the shortened run.
func TestOverrideErrorElsewhereNamesTheFileLine(t *testing.T) {
	_, err := scenario.ParseScenarioWith("bad.yaml", []byte(goodScenario), mustOverrides(t, "weeks=20"))
	var se *scenario.ScenarioError
	if !errors.As(err, &se) || se.Line != 15 || se.Key != "interventions[0].from" || se.Set != "" {
		t.Errorf("got %v, want bad.yaml:15: interventions[0].from: ... outside the run", err)
	}
}

// The file's own duplicate intervention names, and names that are no identifiers.
func TestInterventionNameErrors(t *testing.T) {
	replace := replacer(t, namedScenario)
	for _, c := range []scenarioErrorCase{
		{"duplicate name", replace("name: fewer-recruits", "name: kingpin"), 11, "interventions[1].name", `duplicate intervention name "kingpin" (interventions[0] has it)`},
		{"name with a dot", replace("name: kingpin", "name: king.pin"), 6, "interventions[0].name", `"king.pin" is not a name`},
		{"numeric name", replace("name: kingpin", "name: 2"), 6, "interventions[0].name", `"2" is not a name`},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// An overridden run records its overrides in the manifest; its shards merge (the shard
// keeps the scenario as run) into the bytes of a whole run; and a resume with other
// overrides, or none, is refused.
func TestOverriddenRunsResumeAndMerge(t *testing.T) {
	sets := mustOverrides(t, "weeks=60", "interventions[0].to=58", "parameters.incapacitation=90")
	load := func(sets []scenario.Override) *scenario.Scenario {
		sc, err := scenario.ParseScenarioWith("test.yaml", []byte(goodScenario), sets)
		if err != nil {
			t.Fatal(err)
		}
		sc.Replicates = 6
		return sc
	}
	sc := load(sets)
	want := reference(t, sc)
	m, err := readManifest(want)
	if err != nil || strings.Join(m.Scenario.Overrides, " ") != "weeks=60 interventions[0].to=58 parameters.incapacitation=90" || m.Scenario.SHA256 != sc.SHA256 {
		t.Errorf("manifest scenario %+v (%v), want the three overrides", m.Scenario, err)
	}
	root := t.TempDir()
	var dirs []string
	for k := range 2 {
		dir := filepath.Join(root, string(rune('a'+k)))
		dirs = append(dirs, dir)
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 1, Shard: k, Shards: 2}); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(root, "merged")
	mm, err := Merge(dirs, MergeOptions{OutDir: merged})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(mm.Scenario.Overrides, " ") != "weeks=60 interventions[0].to=58 parameters.incapacitation=90" {
		t.Errorf("merged manifest scenario %+v, want the three overrides", mm.Scenario)
	}
	sameOutputs(t, want, merged)

	dir := filepath.Join(root, "resumed")
	interruptAt(t, load(sets), RunOptions{OutDir: dir, Workers: 1}, 2)
	for _, other := range [][]scenario.Override{nil, mustOverrides(t, "weeks=60", "interventions[0].to=58", "parameters.incapacitation=91")} {
		_, err := Execute(context.Background(), load(other), RunOptions{OutDir: dir, Resume: true})
		if err == nil || !strings.Contains(err.Error(), "it ran the scenario with --set weeks=60 --set interventions[0].to=58 --set parameters.incapacitation=90, this run with") {
			t.Errorf("resume with %v: %v", other, err)
		}
	}
	if _, err := Execute(context.Background(), load(sets), RunOptions{OutDir: dir, Resume: true}); err != nil {
		t.Errorf("resume with the same overrides: %v", err)
	}
}

// FuzzOverride: whatever the key and value, ParseScenarioWith never panics and returns a
// scenario or one line of error; a scenario it accepts is the one its Source (the
// scenario as run, which a shard keeps) reads back as, with the same sha256.
func FuzzOverride(f *testing.F) {
	for _, s := range []string{
		"economy.rebuild_weeks=52", "interventions[0].intensity=0.5", "interventions.0.to=60", "seed=0x10", "weeks=1e3",
		"world.groups[0].members=5", "interventions[0].targets={groups: [Los Zetas]}", "fragmentation={}", "policy=~", "name=a b",
		"description=\"\\x1b[31m\"", "parameters={recruitment: 0.1, incapacitation: 1e308}", "interventions=[]", "world.dataset=bacrim2020",
		"mode=meanfield", "start=2012-01-07", "seed=*a", "x=&a 1", "weeks=52 # a comment", "interventions[0].from=!!str 5",
		"parameters.recruitment=-0.0", "economy=[1, 2]", "interventions.x.y.z=1", "world.since=2011-01-02",
	} {
		if key, value, ok := strings.Cut(s, "="); ok {
			f.Add(key, value)
		}
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		o, err := scenario.ParseOverride(key + "=" + value)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sim: --set ") || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("ParseOverride error %q", err)
			}
			return
		}
		sc, err := scenario.ParseScenarioWith("fuzz.yaml", []byte(goodScenario), []scenario.Override{o})
		if err != nil {
			var se *scenario.ScenarioError
			if !errors.As(err, &se) || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error %q (%T)", err, err)
			}
			return
		}
		again, err := scenario.ParseScenario("fuzz.yaml", sc.Source)
		if err != nil {
			t.Fatalf("--set %s: the scenario as run does not read back: %v\n%s", o, err, sc.Source)
		}
		if again.SHA256 != sc.SHA256 || again.Name != sc.Name || again.Clock != sc.Clock || again.Seed != sc.Seed ||
			again.Replicates != sc.Replicates || again.Mode != sc.Mode || again.Config().Params != sc.Config().Params ||
			!equalInterventions(again.Config().Interventions, sc.Config().Interventions) {
			t.Fatalf("--set %s: the scenario as run reads back as another:\n%s", o, sc.Source)
		}
	})
}

// The scenario of a run with overrides is found again from its manifest (overlay plots
// shade its interventions), and not once the file has changed.
func TestRanScenarioWithOverrides(t *testing.T) {
	dir := writeFiles(t, map[string]string{"s.yaml": goodScenario})
	sc, err := scenario.LoadScenarioWith(filepath.Join(dir, "s.yaml"), mustOverrides(t, "interventions[0].intensity=0.25"))
	if err != nil {
		t.Fatal(err)
	}
	ms := manifestScenario(sc)
	if got := ranScenario(ms); got == nil || got.Config().Interventions[0].Intensity != 0.25 {
		t.Errorf("ranScenario(%+v) = %+v, want the overridden scenario", ms, got)
	}
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(goodScenario+"# changed\n"), 0o644)
	if got := ranScenario(ms); got != nil {
		t.Errorf("ranScenario of a changed file = %+v, want nil", got)
	}
}
