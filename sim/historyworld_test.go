package sim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// pastScenario is a small history: three groups on the states with a territory and
// fragmentation, and a capture campaign that runs past week 40.
const pastScenario = `name: past
start: 2006-12-03
weeks: 60
replicates: 3
seed: 11
world:
  groups:
    - {id: a, members: 3000, states: [SIN, DUR]}
    - {id: b, members: 2000, states: [TAM, NLE]}
    - {id: c, members: 1500, states: [MIC]}
  rivalries:
    - {between: [a, b], weight: 2}
parameters:
  recruitment: 0.0027
fragmentation:
  lieutenant_span: 300
territory: {}
interventions:
  - {name: caps, kind: decapitation, from: 2006-12-10, to: 2008-01-06, intensity: 6, mode: capture, targets: {largest: 2}, actor: mexico}
`

// futureScenario goes on from the past's week 40 (2007-09-09) with an economy and a policy
// the past lacks.
const futureScenario = `name: future
start: 2007-09-09
weeks: 12
replicates: 7
seed: 5
world:
  history: past.yaml
parameters:
  homicide_ratio: 2
economy: {}
policy: {}
interventions:
  - {name: raids, kind: lab-dismantling, from: 2007-09-09, intensity: 2, actor: mexico}
`

func writeHistoryFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A world from a history is the history's world at the scenario's start, replicate by
// replicate: with replicate r's stream, the warm-up leaves the groups as the history's
// replicate r is after its first 40 weeks (its campaign included), having drawn the same
// random numbers; the history's parameters and sections hold unless overridden.
func TestHistoryWorldIsTheHistorysState(t *testing.T) {
	dir := t.TempDir()
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": pastScenario, "future.yaml": futureScenario})
	past, err := scenario.LoadScenario(filepath.Join(dir, "past.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	future, err := scenario.LoadScenario(filepath.Join(dir, "future.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pc, fc := past.Config(), future.Config()
	if fc.Params.Recruitment != 0.0027 || fc.Params.HomicideRatio != 2 || fc.Fragmentation.LieutenantSpan != 300 {
		t.Errorf("parameters: recruitment %v (want the history's 0.0027), homicide ratio %v (want the scenario's 2), lieutenant span %v (want the history's 300)",
			fc.Params.Recruitment, fc.Params.HomicideRatio, fc.Fragmentation.LieutenantSpan)
	}
	if fc.WarmUpWeeks != 40 || !fc.LateEconomy || !fc.LatePolicy || fc.Territory != nil || fc.Economy == nil {
		t.Errorf("warm-up %d weeks (want 40), late economy %v, late policy %v, territory %v, economy %v",
			fc.WarmUpWeeks, fc.LateEconomy, fc.LatePolicy, fc.Territory != nil, fc.Economy != nil)
	}
	// The past's homicide ratio is the future's, so that the two draw alike (homicides are
	// drawn from deaths); the history with the scenario's values is what replicate r runs.
	pc.Params.HomicideRatio = 2
	pw, err := model.NewWorld(pc)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := future.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, model.NumMetrics)
	differ := false
	var first []float64
	for r := range 4 {
		prng, frng := ensemble.ReplicateRNG(future.Seed, r), ensemble.ReplicateRNG(future.Seed, r)
		p, f := pw.NewReplicate(), fw.NewReplicate()
		p.Reset(prng)
		var removed float64
		for wk := 1; wk <= 40; wk++ {
			p.Step(wk, prng, out)
			removed += out[model.LeadersRemoved]
		}
		f.Reset(frng)
		if removed == 0 {
			t.Errorf("replicate %d: the history's campaign removed no leader in 40 weeks: the test needs it to act", r)
		}
		if !reflect.DeepEqual(p.Sizes(), f.Sizes()) {
			t.Errorf("replicate %d: sizes at the start %v, the history's after 40 weeks %v", r, f.Sizes(), p.Sizes())
		}
		if a, b := prng.Uint64(), frng.Uint64(); a != b {
			t.Errorf("replicate %d: the streams part after the history (%d, %d)", r, a, b)
		}
		if first == nil {
			first = cloneSizes(f.Sizes())
		} else if !reflect.DeepEqual(first, f.Sizes()) {
			differ = true
		}
	}
	if !differ {
		t.Error("every replicate starts from the same sizes: each should reach its own")
	}
}

func cloneSizes(x []float64) []float64 { return append([]float64(nil), x...) }

// Runs of a scenario on a history give the same bytes for any number of workers, merged
// from shards, and interrupted then resumed.
func TestHistoryWorldRunsAreDeterministic(t *testing.T) {
	dir := t.TempDir()
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": pastScenario, "future.yaml": futureScenario})
	sc, err := scenario.LoadScenario(filepath.Join(dir, "future.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := reference(t, sc)
	one := filepath.Join(t.TempDir(), "one")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: one, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, one)

	root := t.TempDir()
	var dirs []string
	for k := range 2 {
		d := filepath.Join(root, string(rune('a'+k)))
		dirs = append(dirs, d)
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: d, Workers: 1, Shard: k, Shards: 2}); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(root, "merged")
	if _, err := Merge(dirs, MergeOptions{OutDir: merged}); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, merged)

	resumed := filepath.Join(t.TempDir(), "resumed")
	opts := RunOptions{OutDir: resumed, Workers: 1, CheckpointEvery: -1}
	interruptAt(t, sc, opts, 3)
	opts.Resume = true
	if _, err := Execute(context.Background(), sc, opts); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, resumed)

	// A changed history is another scenario: its checksum changes, and resume refuses it.
	before := sc.SHA256
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": strings.Replace(pastScenario, "recruitment: 0.0027", "recruitment: 0.0028", 1)})
	changed, err := scenario.LoadScenario(filepath.Join(dir, "future.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if changed.SHA256 == before {
		t.Error("the scenario's checksum is the same after its history changed")
	}
}

// Scenarios on one history that differ only in their own interventions share the history:
// compare and the experiments branch them after it (ensemble.SharedWeeks >= 0), so each replicate
// runs it once; one that changes a parameter changes the history too, and shares nothing.
func TestScenariosOnAHistoryShareIt(t *testing.T) {
	dir := t.TempDir()
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": pastScenario, "future.yaml": futureScenario,
		"strikes.yaml": "extends: future.yaml\nname: strikes\ninterventions:\n  - {kind: airstrikes, from: 2007-10-07, intensity: 1, actor: us}\n",
		"other.yaml":   "extends: future.yaml\nname: other\nparameters: {recruitment: 0.003}\n"})
	var worlds []*model.World
	for _, name := range []string{"future", "strikes", "other"} {
		sc, err := scenario.LoadScenario(filepath.Join(dir, name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := sc.NewWorld()
		if err != nil {
			t.Fatal(err)
		}
		worlds = append(worlds, w)
	}
	if s := ensemble.SharedWeeks(worlds[0], worlds[1], 12); s != 4 {
		t.Errorf("future and strikes share %d weeks after the history, want 4 (strikes start in week 5)", s)
	}
	if s := ensemble.SharedWeeks(worlds[0], worlds[2], 12); s >= 0 {
		t.Errorf("future and other share %d weeks, want none: other's parameter changes the history", s)
	}
}

// Bad histories are refused at world.history's line, naming the file.
func TestHistoryWorldErrors(t *testing.T) {
	for _, c := range []struct {
		name, future string
		files        map[string]string
		want         string
	}{
		{"ends before the start", strings.ReplaceAll(futureScenario, "2007-09-09", "2008-03-09"), nil,
			"future.yaml:7: world.history: past.yaml ends on 2008-01-27, before this scenario's start, 2008-03-09"},
		{"missing", strings.Replace(futureScenario, "history: past.yaml", "history: gone.yaml", 1), nil,
			"future.yaml:7: world.history: "},
		{"cycle", futureScenario, map[string]string{"past.yaml": "name: past\nstart: 2006-12-03\nweeks: 60\nworld:\n  history: future.yaml\n"},
			"past.yaml:5: world.history: future.yaml is a cycle"},
		{"itself", strings.Replace(futureScenario, "history: past.yaml", "history: future.yaml", 1), nil,
			"future.yaml:7: world.history: future.yaml is a cycle"},
		{"not on the states", futureScenario, map[string]string{"past.yaml": strings.NewReplacer("territory: {}\n", "",
			", states: [SIN, DUR]", ", state: SIN", ", states: [TAM, NLE]", ", state: TAM", ", states: [MIC]", ", state: MIC").Replace(pastScenario)},
			"future.yaml:7: world.history: past.yaml's groups are not on the states"},
		{"another world key", strings.Replace(futureScenario, "history: past.yaml", "history: past.yaml\n  dataset: bacrim2020", 1), nil,
			"future.yaml:8: world.dataset: not with world.history"},
		{"off the grid", strings.ReplaceAll(futureScenario, "2007-09-09", "2007-09-10"), nil,
			"is not on past.yaml's week grid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"past.yaml": pastScenario, "future.yaml": c.future}
			for k, v := range c.files {
				files[k] = v
			}
			writeHistoryFiles(t, dir, files)
			_, err := scenario.LoadScenario(filepath.Join(dir, "future.yaml"))
			var se *scenario.ScenarioError
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &se) {
				t.Errorf("got %v, want a scenario.ScenarioError with %q", err, c.want)
			}
		})
	}
}

// An override of an intervention the history schedules (a posterior fitted on the history
// holds such keys) reaches the history's intervention, changes the scenario's checksum,
// and leaves the scenario's own interventions to their own overrides; a name in neither
// file is refused.
func TestOverridesReachTheHistorysInterventions(t *testing.T) {
	dir := t.TempDir()
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": pastScenario, "future.yaml": futureScenario})
	path := filepath.Join(dir, "future.yaml")
	plain, err := scenario.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	set, err := scenario.LoadScenarioWith(path, []scenario.Override{
		{Key: "interventions.caps.intensity", Value: "9"}, {Key: "interventions.raids.intensity", Value: "3"}})
	if err != nil {
		t.Fatal(err)
	}
	intensity := func(sc *scenario.Scenario, kind model.Kind) float64 {
		for _, iv := range sc.Config().Interventions {
			if iv.Kind == kind {
				return iv.Intensity
			}
		}
		t.Fatalf("no %s intervention", kind)
		return 0
	}
	if a, b := intensity(plain, model.Decapitation), intensity(set, model.Decapitation); a != 6 || b != 9 {
		t.Errorf("the history's campaign: intensity %v plain, %v with --set (want 6 and 9)", a, b)
	}
	if a, b := intensity(plain, model.LabDismantling), intensity(set, model.LabDismantling); a != 2 || b != 3 {
		t.Errorf("the scenario's raids: intensity %v plain, %v with --set (want 2 and 3)", a, b)
	}
	if plain.SHA256 == set.SHA256 {
		t.Error("the override of the history left the scenario's checksum unchanged")
	}
	// The error is the scenario's (its override), with both files' names.
	_, err = scenario.LoadScenarioWith(path, []scenario.Override{{Key: "interventions.capz.intensity", Value: "9"}})
	if err == nil || !strings.HasPrefix(err.Error(), path+": --set interventions.capz.intensity=9: neither this scenario (its interventions: raids) nor its history, past.yaml, has an intervention named \"capz\" (did you mean caps?)") {
		t.Errorf("a name in neither file: %v", err)
	}
	_, err = scenario.LoadScenarioWith(path, []scenario.Override{{Key: "interventions.zzz.intensity", Value: "9"}})
	if err == nil || !strings.HasSuffix(err.Error(), `has an intervention named "zzz" (the history's are caps)`) {
		t.Errorf("a name in neither file, near none: %v", err)
	}
}
