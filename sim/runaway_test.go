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

// A replicate the runaway guard stops ends the run with one line naming the replicate,
// the week and the quantity: recruitment of 3 a week quadruples members at most each
// week, so 115,000 members pass the cap (1e8) between weeks 5 and 8 (model's
// TestGuardStopsRunawayGrowth). Every replicate runs away, and the lowest, 0, is named
// whatever the number of workers. Nothing claims completeness: the manifest says the
// run is incomplete and no final table is written.
func TestRunawayReplicateStopsTheRun(t *testing.T) {
	src := strings.Replace(goodScenario, "recruitment: 2.527474e-3", "recruitment: 3", 1)
	sc, err := scenario.ParseScenario("runaway.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 3} {
		dir := filepath.Join(t.TempDir(), "out")
		_, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: workers, CheckpointEvery: -1})
		var re *model.RunawayError
		if !errors.As(err, &re) || re.Quantity != "members" || re.Week < 5 || re.Week > 8 {
			t.Fatalf("%d workers: error %v, want the guard's about members in week 5 to 8", workers, err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "sim: replicate 0: model: ") || strings.Contains(msg, "\n") {
			t.Errorf("%d workers: message %q, want one line naming replicate 0", workers, msg)
		}
		if _, err := os.Stat(filepath.Join(dir, TimeseriesFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%d workers: a stopped run wrote %s (%v)", workers, TimeseriesFile, err)
		}
		if m, err := readManifest(dir); err != nil || m.Complete {
			t.Errorf("%d workers: manifest %+v (%v), want one that says incomplete", workers, m, err)
		}
	}
}

// A mean-field run at rates too fast for a one-week step used to go silently to members
// of billions and then 0; its substeps now follow the growth until the guard stops it at
// the cap on members (recruitment 10 a week: members multiply by about e^10 a week).
func TestMeanFieldRunawayStopsTheRun(t *testing.T) {
	src := strings.Replace(goodScenario, "recruitment: 2.527474e-3", "recruitment: 10", 1)
	src = strings.Replace(src, "mode: stochastic", "mode: meanfield", 1)
	sc, err := scenario.ParseScenario("mf.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: filepath.Join(t.TempDir(), "out"), CheckpointEvery: -1})
	var re *model.RunawayError
	if !errors.As(err, &re) || re.Quantity != "members" || re.Week > 3 {
		t.Fatalf("error %v, want the guard's about members within 3 weeks", err)
	}
}
