package ensemble

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Cancelled part-way through a replicate, a worker stops within a week: it does not
// finish the replicate first.
func TestRunStopsWithinAWeek(t *testing.T) {
	sc := interruptScenario(t, 3)
	world, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var steps, afterCancel atomic.Int64
	step := func(r *model.Replicate, wk int, rng *rand.Rand, out []float64) {
		if ctx.Err() != nil {
			afterCancel.Add(1)
		}
		if steps.Add(1) == 10 {
			cancel()
		}
		r.Step(wk, rng, out)
	}
	err = Run(ctx, Job{World: world, Weeks: sc.Clock.Weeks, Replicates: 3, Seed: 1, Workers: 1, step: step})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	if n := afterCancel.Load(); n > 0 {
		t.Errorf("%d weeks were stepped after the cancellation (of %d in the replicate)", n, sc.Clock.Weeks)
	}
}

// Run returns once cancelled, without waiting for a replicate that is still in flight
// (here one whose week never ends): an interrupted run exits promptly however slow its
// replicates are. Without that this test never ends.
func TestRunDoesNotWaitForReplicatesInFlight(t *testing.T) {
	sc := interruptScenario(t, 4)
	world, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	var steps, folded atomic.Int64
	step := func(r *model.Replicate, wk int, rng *rand.Rand, out []float64) {
		if steps.Add(1) == int64(sc.Clock.Weeks)+3 { // replicate 1's third week
			// Cancel once replicate 0 is folded: were both ready at once, Run could as
			// well stop before folding it (select picks at random), on a busy machine.
			for folded.Load() < 1 {
				time.Sleep(time.Millisecond)
			}
			cancel()
			<-release
		}
		r.Step(wk, rng, out)
	}
	err = Run(ctx, Job{World: world, Weeks: sc.Clock.Weeks, Replicates: 4, Seed: 1, Workers: 1, step: step},
		foldFunc(func(int, []float64) error { folded.Add(1); return nil }))
	if folded := folded.Load(); !errors.Is(err, context.Canceled) || folded != 1 {
		t.Errorf("Run returned %v after folding %d replicates; want context.Canceled after 1", err, folded)
	}
}

// interruptScenario is a default world of two years, enough weeks to interrupt.
func interruptScenario(t *testing.T, replicates int) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ParseScenario("test.yaml", []byte("start: 2012-01-01\nweeks: 104\nseed: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	sc.Replicates = replicates
	return sc
}

// foldFunc is a Folder made of a function.
type foldFunc func(int, []float64) error

func (f foldFunc) Fold(rep int, s []float64) error { return f(rep, s) }
