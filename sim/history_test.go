package sim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

func loadHistory(t *testing.T, name string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "history", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// collect runs a world and returns the probes' values, replicate by replicate.
func collect(t *testing.T, sc *scenario.Scenario, cfg model.Config, replicates int, probes ...ensemble.Probe) [][]float64 {
	t.Helper()
	w, err := model.NewWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &ensemble.Collector{Probes: probes}
	job := ensemble.Job{World: w, Weeks: sc.Clock.Weeks, Replicates: replicates, Seed: sc.Seed}
	if err := ensemble.Run(context.Background(), job, c); err != nil {
		t.Fatal(err)
	}
	return c.Values
}

// The old histories' calibration targets (groups in 2011 and 2020, leaders removed,
// conflict deaths) gave way to those of the calibrated history, mexico-2006.yaml, against
// the record: TestCalibratedHistory in package calibrate.

// runOutputs executes a scenario and returns the bytes of every file the run lists, by
// name (the manifest, which records times, aside).
func runOutputs(t *testing.T, sc *scenario.Scenario, opts RunOptions) map[string][]byte {
	t.Helper()
	opts.OutDir = filepath.Join(t.TempDir(), "out")
	m, err := Execute(context.Background(), sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range m.Files {
		files[f] = readFile(t, filepath.Join(opts.OutDir, f))
	}
	return files
}

func compareOutputs(t *testing.T, what string, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d files against %d", what, len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}

// With every campaign at intensity zero, the kingpin history is the no-kingpin history,
// byte for byte: tables, lineage and plots.
func TestZeroIntensityKingpinIsNoKingpin(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "scenarios", "history", "2006-kingpin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	zeroed := regexp.MustCompile(`intensity: [0-9.]+`).ReplaceAll(text, []byte("intensity: 0"))
	zeroed = bytes.Replace(zeroed, []byte("name: 2006-kingpin"), []byte("name: 2006-no-kingpin"), 1)
	if bytes.Equal(zeroed, text) {
		t.Fatal("found no intensity to zero")
	}
	sc, err := scenario.ParseScenario("zeroed.yaml", zeroed)
	if err != nil {
		t.Fatal(err)
	}
	none := loadHistory(t, "2006-no-kingpin")
	sc.Replicates, none.Replicates = 12, 12
	opts := RunOptions{Workers: 2, AllLineages: true}
	compareOutputs(t, "zero-intensity kingpin against no kingpin", runOutputs(t, sc, opts), runOutputs(t, none, opts))
}

// Splits, births and lineage do not depend on the number of workers either.
func TestHistoryIdenticalAcrossWorkerCounts(t *testing.T) {
	sc := loadHistory(t, "2006-kingpin")
	sc.Replicates = 10
	one := runOutputs(t, sc, RunOptions{Workers: 1, AllLineages: true})
	if _, ok := one["plots/lineage.png"]; !ok {
		t.Fatalf("no lineage tree among %d files", len(one))
	}
	compareOutputs(t, "1 against 3 workers", one, runOutputs(t, sc, RunOptions{Workers: 3, AllLineages: true}))
}
