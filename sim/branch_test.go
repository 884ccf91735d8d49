package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// keeper is a Folder that keeps every replicate's series and lineage.
type keeper struct {
	series  map[int][]float64
	lineage map[int][]model.LineageRecord
	order   []int
}

func (k *keeper) Fold(rep int, series []float64) error {
	if k.series == nil {
		k.series, k.lineage = map[int][]float64{}, map[int][]model.LineageRecord{}
	}
	k.series[rep] = slices.Clone(series)
	k.order = append(k.order, rep)
	return nil
}

func (k *keeper) FoldLineage(rep int, lineage []model.LineageRecord) error {
	k.lineage[rep] = slices.Clone(lineage)
	return nil
}

// sameSeries fails at the first value of two runs' series that differs, bit for bit.
func sameSeries(t *testing.T, what string, full, branched *keeper) {
	t.Helper()
	if !slices.Equal(full.order, branched.order) {
		t.Fatalf("%s: replicates folded in the order %v, want %v", what, branched.order, full.order)
	}
	nm := int(model.NumMetrics)
	for _, rep := range full.order {
		a, b := full.series[rep], branched.series[rep]
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Errorf("%s, replicate %d, week %d, %s: full run %v, branched %v", what, rep, i/nm+1, model.Metric(i%nm), a[i], b[i])
				return
			}
		}
		if fmt.Sprint(full.lineage[rep]) != fmt.Sprint(branched.lineage[rep]) {
			t.Errorf("%s, replicate %d: the lineages differ", what, rep)
		}
	}
}

// Runs that branch from a shared past give each scenario bit for bit the series (and the
// lineage) of its own full run, whatever the workers: the policy library's four published
// scenarios, which share the 678 weeks of warm-up from 2012 and 2025 (52 weeks: their
// policies start on 2026-01-04, week 52's end); the kingpin and no-kingpin histories,
// which share only their first week (the campaigns start on 2006-12-10, week 1's end);
// two histories whose initial draws differ, which share nothing; and worlds that leave
// the first's path at different weeks: the status quo, anti-recruitment from week 52,
// the status quo with one more lab raid a week from week 80 (shares 80 weeks) and with
// 1% more recruitment (shares nothing, not even the warm-up). Replicates 5, 8 and 11
// (First 5, Stride 3), as a shard would run them.
func TestBranchedRunsMatchFullRuns(t *testing.T) {
	bigger := func(cfg *model.Config) { cfg.InitialSizes[0] *= 2 }
	raids := func(cfg *model.Config) {
		cfg.Interventions = append(slices.Clone(cfg.Interventions), model.Intervention{Kind: model.LabDismantling, From: 80, To: model.Forever, Intensity: 1, Actor: model.Mexico})
	}
	recruits := func(cfg *model.Config) { cfg.Params.Recruitment *= 1.01 }
	for _, c := range []struct {
		name    string
		paths   []string
		weeks   int
		shared  []int // by world after the first
		changes map[int]func(*model.Config)
	}{
		{"policy", []string{"policy/status-quo.yaml", "policy/kingpin.yaml", "policy/demand-reduction.yaml", "policy/anti-recruitment.yaml"}, 120, []int{52, 52, 52}, nil},
		{"history", []string{"history/2006-kingpin.yaml", "history/2006-no-kingpin.yaml"}, 200, []int{1}, nil},
		{"history, initial sizes", []string{"history/2006-no-kingpin.yaml", "history/2006-no-kingpin.yaml"}, 100, []int{-1}, map[int]func(*model.Config){1: bigger}},
		{"policy, forks at different weeks", []string{"policy/status-quo.yaml", "policy/status-quo.yaml", "policy/anti-recruitment.yaml", "policy/status-quo.yaml"}, 100, []int{80, 52, -1},
			map[int]func(*model.Config){1: raids, 3: recruits}},
	} {
		var worlds []*model.World
		var seed uint64
		for i, p := range c.paths {
			sc := loadScenario(t, p)
			cfg := sc.Config()
			if change := c.changes[i]; change != nil {
				change(&cfg)
			}
			w, err := model.NewWorld(cfg)
			if err != nil {
				t.Fatal(err)
			}
			worlds, seed = append(worlds, w), sc.Seed
		}
		for k, want := range c.shared {
			if got := ensemble.SharedWeeks(worlds[0], worlds[k+1], c.weeks); got != want {
				t.Errorf("%s: world %d shares %d weeks with the first, want %d", c.name, k+1, got, want)
			}
		}
		keep := func(_, rep int) bool { return rep != 8 }
		full := make([]*keeper, len(worlds))
		for k, w := range worlds {
			full[k] = &keeper{}
			job := ensemble.Job{World: w, Weeks: c.weeks, Replicates: 3, First: 5, Stride: 3, Seed: seed, Workers: 1,
				KeepLineage: func(rep int) bool { return keep(k, rep) }}
			if err := ensemble.Run(context.Background(), job, full[k]); err != nil {
				t.Fatal(err)
			}
		}
		for _, workers := range []int{1, 2} {
			branched := make([][]ensemble.Folder, len(worlds))
			keepers := make([]*keeper, len(worlds))
			for k := range worlds {
				keepers[k] = &keeper{}
				branched[k] = []ensemble.Folder{keepers[k]}
			}
			done := 0
			job := ensemble.Branched{Worlds: worlds, Weeks: c.weeks, Replicates: 3, First: 5, Stride: 3, Seed: seed, Workers: workers,
				KeepLineage: keep, Progress: func(n int) { done = n }}
			if err := ensemble.RunBranched(context.Background(), job, branched); err != nil {
				t.Fatal(err)
			}
			if done != 3 {
				t.Errorf("%s: progress reached %d replicates, want 3", c.name, done)
			}
			for k := range worlds {
				sameSeries(t, fmt.Sprintf("%s, %s, %d workers", c.name, c.paths[k], workers), full[k], keepers[k])
			}
		}
	}
}

// failAt is a Folder that fails on one replicate.
type failAt int

func (f failAt) Fold(rep int, _ []float64) error {
	if rep == int(f) {
		return fmt.Errorf("fold %d failed", rep)
	}
	return nil
}

// A folder's failure is its world's: RunBranched says which (WorldError), after folding
// every world's earlier replicates and, of the failing replicate, the worlds before it.
func TestBranchedRunNamesTheFailingWorld(t *testing.T) {
	a, b := loadScenario(t, "history/2006-kingpin.yaml"), loadScenario(t, "history/2006-no-kingpin.yaml")
	wa, _ := a.NewWorld()
	wb, _ := b.NewWorld()
	ka, kb := &keeper{}, &keeper{}
	err := ensemble.RunBranched(context.Background(), ensemble.Branched{Worlds: []*model.World{wa, wb}, Weeks: 10, Replicates: 5, Seed: 1, Workers: 2},
		[][]ensemble.Folder{{ka}, {kb, failAt(2)}})
	var we *ensemble.WorldError
	if !errors.As(err, &we) || we.World != 1 || err.Error() != "fold 2 failed" {
		t.Fatalf("error %v, want world 1's fold 2 failed", err)
	}
	if !slices.Equal(ka.order, []int{0, 1, 2}) || !slices.Equal(kb.order, []int{0, 1, 2}) {
		t.Errorf("folded %v and %v, want replicates 0, 1 and 2 in both (the failing folder comes after the keeper)", ka.order, kb.order)
	}
}

// Compare's runs, which branch from the scenarios' shared past, write byte for byte the
// files (tables, lineage, plots) each scenario's own run writes: the policy library's
// four published scenarios, cut short (the histories' series are compared in
// TestBranchedRunsMatchFullRuns).
func TestCompareRunsAreTheScenariosOwnRuns(t *testing.T) {
	for _, c := range []struct {
		paths []string
		weeks int
	}{
		{[]string{"policy/status-quo.yaml", "policy/kingpin.yaml", "policy/demand-reduction.yaml", "policy/anti-recruitment.yaml"}, 60},
	} {
		var scs []*scenario.Scenario
		for _, p := range c.paths {
			sc := loadScenario(t, p)
			sc.Replicates, sc.Clock.Weeks = 2, c.weeks
			scs = append(scs, sc)
		}
		out := filepath.Join(t.TempDir(), "cmp")
		if _, err := Compare(context.Background(), scs, CompareOptions{OutDir: out, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		for _, sc := range scs {
			own := runOutputs(t, sc, RunOptions{Workers: 1})
			compared := map[string][]byte{}
			for name := range own {
				compared[name] = readFile(t, filepath.Join(out, sc.Name, name))
			}
			compareOutputs(t, sc.Name+": compared against its own run", own, compared)
		}
	}
}

// A branched run folds each world's series into that world's ensemble (Branched.Ensembles,
// the workers' parallel fold) with the statistics of one ordered pass of that world alone
// through an ensemble of every metric, on any number of workers, past
// ExactQuantileLimit replicates (the sketches' centres fixed per world); a world without
// an ensemble is left out.
func TestBranchedEnsemblesMatchOrderedPasses(t *testing.T) {
	const weeks, replicates = 80, ensemble.ExactQuantileLimit + 9
	src := t.TempDir()
	scs := []*scenario.Scenario{writeScenario(t, src, "ref", ""), // fragmentation, economy, policy
		writeScenario(t, src, "arms", "  - {kind: arms-interdiction, from: 60, intensity: 1, actor: us}\n"),
		testScenario(t, replicates)} // none of them: other series held
	var worlds []*model.World
	seed := scs[0].Seed
	for _, sc := range scs {
		w, err := sc.NewWorld()
		if err != nil {
			t.Fatal(err)
		}
		worlds = append(worlds, w)
	}
	want := make([]ensemble.Table, len(worlds))
	for k, w := range worlds {
		full := ensemble.NewEnsemble(weeks, int(model.NumMetrics))
		job := ensemble.Job{World: w, Weeks: weeks, Replicates: replicates, Seed: seed, Workers: 1}
		if err := ensemble.Run(context.Background(), job, full); err != nil {
			t.Fatal(err)
		}
		want[k] = full.Summaries()
	}
	if reflect.DeepEqual(want[0], want[1]) || reflect.DeepEqual(want[1], want[2]) {
		t.Fatal("the worlds' statistics do not differ: the test could not tell them apart")
	}
	for _, workers := range []int{1, 2, 3} {
		ens := []*ensemble.Ensemble{ensemble.NewWorldEnsemble(worlds[0], weeks), nil, ensemble.NewWorldEnsemble(worlds[2], weeks)}
		job := ensemble.Branched{Worlds: worlds, Weeks: weeks, Replicates: replicates, Seed: seed, Workers: workers, Ensembles: ens}
		if err := ensemble.RunBranched(context.Background(), job, make([][]ensemble.Folder, len(worlds))); err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{0, 2} {
			if ens[k].N() != replicates {
				t.Errorf("%d workers, world %d: %d replicates folded, want %d", workers, k, ens[k].N(), replicates)
			}
			if !reflect.DeepEqual(ens[k].Summaries(), want[k]) {
				t.Errorf("%d workers, world %d: the branched fold's statistics differ from the world's ordered pass", workers, k)
			}
		}
	}
}

// An interrupted branched run (compare's) leaves in each scenario's checkpoint exactly
// the replicates whose rows it wrote, past ExactQuantileLimit: each run resumed on its
// own ends with the bytes of the scenario's uninterrupted run.
func TestInterruptedBranchedRunsResumeExactly(t *testing.T) {
	const stopAfter = ensemble.ExactQuantileLimit + 3
	var scs []*scenario.Scenario
	src := t.TempDir()
	for _, sc := range []*scenario.Scenario{writeScenario(t, src, "ref", ""),
		writeScenario(t, src, "arms", "  - {kind: arms-interdiction, from: 60, intensity: 1, actor: us}\n")} {
		sc.Replicates, sc.Clock.Weeks = ensemble.ExactQuantileLimit+8, 80
		scs = append(scs, sc)
	}
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := make([]RunOptions, len(scs))
	for k, sc := range scs {
		opts[k] = RunOptions{OutDir: filepath.Join(root, sc.Name), Workers: 2, CheckpointEvery: -1}
	}
	opts[0].Progress = func(done, _ int) {
		if done == stopAfter {
			cancel()
		}
	}
	_, err := ExecuteBranched(ctx, scs, opts)
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Done < stopAfter || ie.Done >= scs[0].Replicates {
		t.Fatalf("error %v, want an interruption after %d replicates or a few more", err, stopAfter)
	}
	for k, sc := range scs {
		m, err := Execute(context.Background(), sc, RunOptions{OutDir: opts[k].OutDir, Workers: 1, Resume: true})
		if err != nil {
			t.Fatal(err)
		}
		resumed := map[string][]byte{}
		for _, f := range m.Files {
			resumed[f] = readFile(t, filepath.Join(opts[k].OutDir, f))
		}
		compareOutputs(t, sc.Name+": interrupted, then resumed", runOutputs(t, sc, RunOptions{Workers: 2}), resumed)
	}
}
