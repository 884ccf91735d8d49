package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// writeFiles writes name: text files under a new directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const extendsBase = `# the status quo
name: base
description: the base
start: 2025-01-05
weeks: 104
replicates: 4
seed: 3
world:
  groups:
    - {id: a, members: 5000, state: SIN}
    - {id: b, members: 3000, state: Jalisco}
parameters:
  recruitment: 0.002
  incapacitation: 90
economy:
  rebuild_weeks: 6
  border_seizure: 0.2
interventions:
  - {name: raids, kind: lab-dismantling, from: 0, intensity: 2, actor: mexico, targets: {groups: [b]}}
`

const extendsChild = `extends: base/status-quo.yaml
name: child
parameters:
  recruitment: 0.003
economy: {rebuild_weeks: 10}
policy: {}
interventions:
  - {name: strikes, kind: airstrikes, from: 10, intensity: 3, actor: us, targets: {states: [SIN]}}
`

// The merge, written out by hand: the child's keys win, key by key within a section,
// the interventions are the base's then the child's, and name and description are the
// child's own (it gives no description).
const extendsMerged = `name: child
start: 2025-01-05
weeks: 104
replicates: 4
seed: 3
world:
  groups:
    - {id: a, members: 5000, state: SIN}
    - {id: b, members: 3000, state: Jalisco}
parameters:
  recruitment: 0.003
  incapacitation: 90
economy:
  rebuild_weeks: 10
  border_seizure: 0.2
policy: {}
interventions:
  - {name: raids, kind: lab-dismantling, from: 0, intensity: 2, actor: mexico, targets: {groups: [b]}}
  - {name: strikes, kind: airstrikes, from: 10, intensity: 3, actor: us, targets: {states: [SIN]}}
`

func sameScenario(t *testing.T, got, want *scenario.Scenario) {
	t.Helper()
	g, w := got.Config(), want.Config()
	if got.Name != want.Name || got.Description != want.Description || got.Clock != want.Clock || got.Replicates != want.Replicates ||
		got.Seed != want.Seed || got.Mode != want.Mode || g.Params != w.Params || (g.Economy == nil) != (w.Economy == nil) ||
		g.Economy != nil && *g.Economy != *w.Economy || !equalPolicy(g.Policy, w.Policy) || (g.Fragmentation == nil) != (w.Fragmentation == nil) ||
		!equalInterventions(g.Interventions, w.Interventions) || g.Network.Len() != w.Network.Len() {
		t.Errorf("scenario %q differs from %q:\n%+v\n%+v", got.File, want.File, got, want)
	}
}

func TestExtends(t *testing.T) {
	dir := writeFiles(t, map[string]string{"base/status-quo.yaml": extendsBase, "child.yaml": extendsChild})
	got, err := scenario.LoadScenario(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := scenario.ParseScenario(filepath.Join(dir, "child.yaml"), []byte(extendsMerged))
	if err != nil {
		t.Fatal(err)
	}
	sameScenario(t, got, want)
	if got.Description != "" || got.Config().Economy.RebuildWeeks != 10 || got.Config().Economy.BorderSeizure != 0.2 || len(got.Config().Interventions) != 2 {
		t.Errorf("merged: %+v, economy %+v", got, got.Config().Economy)
	}
	if len(got.Bases) != 1 || got.Bases[0] != filepath.Join(dir, "base", "status-quo.yaml") {
		t.Errorf("bases %v", got.Bases)
	}
	// The scenario as run reads back as itself, with the same sha256, and names both
	// files with their sha256 (so the sha256 covers the base as well).
	again, err := scenario.ParseScenario(filepath.Join(dir, "child.yaml"), got.Source)
	if err != nil {
		t.Fatalf("the scenario as run does not read back: %v\n%s", err, got.Source)
	}
	sameScenario(t, again, got)
	if again.SHA256 != got.SHA256 || !strings.Contains(string(got.Source), "#   extends base/status-quo.yaml (sha256 ") {
		t.Errorf("the scenario as run:\n%s", got.Source)
	}
	// A change to the base alone, even to a comment, changes the sha256.
	os.WriteFile(filepath.Join(dir, "base", "status-quo.yaml"), []byte(strings.Replace(extendsBase, "# the status quo", "# the status quo, reworded", 1)), 0o644)
	changed, err := scenario.LoadScenario(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if changed.SHA256 == got.SHA256 {
		t.Error("the sha256 does not change with the base")
	}
}

// A chain: a extends b (in another directory) extends c; each path is relative to the
// directory of the file that writes it. Overrides apply to the merge.
func TestExtendsChainAndOverrides(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"c.yaml":         strings.Replace(extendsBase, "interventions:\n", "mode: stochastic\ninterventions:\n", 1),
		"lib/b.yaml":     "extends: ../c.yaml\nweeks: 60\nparameters: {incapacitation: 100}\n",
		"scen/deep.yaml": "extends: ../lib/b.yaml\nseed: 11\ninterventions:\n  - {name: late, kind: incapacitation, from: 20, intensity: 1, actor: joint}\n",
	})
	sc, err := scenario.LoadScenarioWith(filepath.Join(dir, "scen", "deep.yaml"), mustOverrides(t, "interventions.raids.intensity=4", "economy.rebuild_weeks=8"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	ivs := cfg.Interventions
	if sc.Name != "deep" || sc.Clock.Weeks != 60 || sc.Seed != 11 || sc.Mode != model.Stochastic || cfg.Params.Incapacitation != 100 ||
		cfg.Params.Recruitment != 0.002 || cfg.Economy.RebuildWeeks != 8 || len(ivs) != 2 || ivs[0].Intensity != 4 || ivs[1].Kind != model.Incapacitation {
		t.Errorf("scenario %+v, config %+v", sc, cfg)
	}
	if len(sc.Bases) != 2 || !strings.Contains(string(sc.Source), "#   extends ../lib/b.yaml (sha256 ") || !strings.Contains(string(sc.Source), "#   extends ../c.yaml (sha256 ") ||
		!strings.Contains(string(sc.Source), "#   --set economy.rebuild_weeks=8\n") {
		t.Errorf("bases %v, the scenario as run:\n%s", sc.Bases, sc.Source)
	}
}

// Each problem of a chain is named by the file and line it is in, or by the extends key
// that leads to it.
func TestExtendsErrors(t *testing.T) {
	base := "name: base\nstart: 2025-01-05\nweeks: 52\ninterventions:\n  - {kind: incapacitation, from: 0, intensity: 1, actor: joint}\n"
	for _, c := range []struct {
		name  string
		files map[string]string
		file  string // the file and line the error must name
		line  int
		key   string
		msg   string
	}{
		{"missing base", map[string]string{"a.yaml": "name: a\nextends: nobase.yaml\n"},
			"a.yaml", 2, "extends", "nobase.yaml: cannot read scenario: no such file or directory"},
		{"cycle", map[string]string{"a.yaml": "extends: b.yaml\n", "b.yaml": "weeks: 5\nextends: a.yaml\n"},
			"b.yaml", 2, "extends", "a.yaml is already in the chain, a cycle: a.yaml extends b.yaml extends a.yaml"},
		{"itself", map[string]string{"a.yaml": "extends: ./a.yaml\n"},
			"a.yaml", 1, "extends", "./a.yaml is already in the chain, a cycle"},
		{"absolute", map[string]string{"a.yaml": "extends: /etc/base.yaml\n"},
			"a.yaml", 1, "extends", "/etc/base.yaml is an absolute path"},
		{"a list", map[string]string{"a.yaml": "extends: [b.yaml]\n"},
			"a.yaml", 1, "extends", "want a scenario file (a path relative to this file's directory), got a list"},
		{"a directory", map[string]string{"a.yaml": "extends: lib\n", "lib/x.yaml": base},
			"a.yaml", 1, "extends", "not a regular file (a directory)"},
		{"bad YAML in the base", map[string]string{"a.yaml": "extends: b.yaml\n", "b.yaml": "weeks: [1\n"},
			"b.yaml", 2, "", "did not find expected"},
		{"wrong type in the base", map[string]string{"a.yaml": "extends: b.yaml\nseed: 1\n", "b.yaml": base + "replicates: many\n"},
			"b.yaml", 6, "replicates", `want a whole number, got "many"`},
		{"unknown key in the base", map[string]string{"a.yaml": "extends: b.yaml\nseed: 1\n", "b.yaml": "\n" + base + "sede: 1\n"},
			"b.yaml", 7, "sede", "unknown key (did you mean seed?)"},
		{"base intervention outside the child's run", map[string]string{"a.yaml": "extends: b.yaml\nweeks: 10\n", "b.yaml": strings.Replace(base, "from: 0", "from: 20", 1)},
			"b.yaml", 5, "interventions[0].from", "20 is outside the run"},
		{"child intervention after the base's", map[string]string{"a.yaml": "extends: b.yaml\ninterventions:\n  - {kind: incapacitation, from: 0, intensity: -1, actor: joint}\n", "b.yaml": base},
			"a.yaml", 3, "interventions[1].intensity", "negative intensity"},
		{"duplicate key in the base", map[string]string{"a.yaml": "extends: b.yaml\n", "b.yaml": base + "weeks: 30\n"},
			"b.yaml", 6, "weeks", "given twice (first on line 3)"},
		{"duplicate intervention name across files", map[string]string{"a.yaml": "extends: b.yaml\ninterventions:\n  - {name: x, kind: incapacitation, from: 0, intensity: 1, actor: joint}\n",
			"b.yaml": strings.Replace(base, "{kind", "{name: x, kind", 1)},
			"a.yaml", 3, "interventions[1].name", `duplicate intervention name "x" (interventions[0] has it)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			_, err := scenario.LoadScenario(filepath.Join(dir, "a.yaml"))
			var se *scenario.ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *ScenarioError", err, err)
			}
			msg := strings.ReplaceAll(se.Msg, dir+string(filepath.Separator), "")
			if se.File != filepath.Join(dir, c.file) || se.Line != c.line || se.Key != c.key || !strings.Contains(msg, c.msg) {
				t.Errorf("got %q (file %s, line %d, key %q), want %s:%d, key %q, message containing %q", err, se.File, se.Line, se.Key, c.file, c.line, c.key, c.msg)
			}
		})
	}
}

// A chain longer than MaxExtends is refused, and extends cannot be set by an override.
func TestExtendsLimits(t *testing.T) {
	files := map[string]string{filepathName(0): "name: s\nstart: 2025-01-05\nweeks: 5\n"}
	for k := 1; k <= scenario.MaxExtends+1; k++ {
		files[filepathName(k)] = "extends: " + filepathName(k-1) + "\n"
	}
	dir := writeFiles(t, files)
	if _, err := scenario.LoadScenario(filepath.Join(dir, filepathName(scenario.MaxExtends))); err != nil {
		t.Errorf("a chain of %d bases: %v", scenario.MaxExtends, err)
	}
	if _, err := scenario.LoadScenario(filepath.Join(dir, filepathName(scenario.MaxExtends+1))); err == nil || !strings.Contains(err.Error(), "a chain of more than 16 bases") {
		t.Errorf("a chain of %d bases: %v", scenario.MaxExtends+1, err)
	}
	_, err := scenario.LoadScenarioWith(filepath.Join(dir, filepathName(0)), mustOverrides(t, "extends=x.yaml"))
	if err == nil || !strings.Contains(err.Error(), "--set extends=x.yaml: extends cannot be set from the command line") {
		t.Errorf("--set extends: %v", err)
	}
}

func filepathName(k int) string { return "s" + string(rune('a'+k)) + ".yaml" }
