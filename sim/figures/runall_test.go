package figures

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// runAll runs every task, never more than jobs at once.
func TestRunAllRunsEveryTaskJobsAtATime(t *testing.T) {
	var running, most, done atomic.Int32
	gate := make(chan struct{})
	tasks := make([]func(context.Context) error, 7)
	for i := range tasks {
		tasks[i] = func(context.Context) error {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			if i < 2 {
				<-gate // the first two wait until a third could have started
			}
			running.Add(-1)
			done.Add(1)
			return nil
		}
	}
	go func() {
		for running.Load() < 2 {
		}
		close(gate)
	}()
	if err := runAll(context.Background(), 2, tasks); err != nil {
		t.Fatal(err)
	}
	if done.Load() != 7 || most.Load() != 2 {
		t.Errorf("%d of 7 tasks done, at most %d at once; want 7 and 2", done.Load(), most.Load())
	}
}

// The first failure is the error; it cancels the running tasks and starts no more.
func TestRunAllStopsAtTheFirstFailure(t *testing.T) {
	boom := errors.New("boom")
	var started atomic.Int32
	tasks := []func(context.Context) error{
		func(ctx context.Context) error { started.Add(1); <-ctx.Done(); return ctx.Err() },
		func(context.Context) error { started.Add(1); return boom },
		func(context.Context) error { started.Add(1); return nil },
	}
	if err := runAll(context.Background(), 2, tasks); err != boom {
		t.Errorf("runAll = %v, want boom", err)
	}
	if started.Load() != 2 {
		t.Errorf("%d tasks started, want 2 (none after the failure)", started.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := runAll(ctx, 2, tasks[2:]); !errors.Is(err, context.Canceled) || started.Load() != 2 {
		t.Errorf("with a cancelled context: %v and %d tasks started, want context.Canceled and none", err, started.Load()-2)
	}
}
