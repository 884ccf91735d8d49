package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

// Folder receives every replicate's weekly series, in replicate order, exactly once.
// series holds weeks x model.NumMetrics values, week-major; it is only valid during the
// call.
type Folder interface {
	Fold(replicate int, series []float64) error
}

// LineageFolder is a Folder that also receives the lineage of the replicates a Job keeps
// it for (Job.KeepLineage), in replicate order, after their series.
type LineageFolder interface {
	Folder
	FoldLineage(replicate int, lineage []model.LineageRecord) error
}

// maxParts is the most partial ensembles a Job's workers fold into.
const maxParts = 4

// workerCount is the number of workers asked for, or one per CPU for n <= 0.
func workerCount(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// Job is a Monte Carlo run of one world.
type Job struct {
	World      *model.World
	Weeks      int
	Replicates int // how many replicates to simulate: First, First+Stride, ...
	First      int // the first replicate's number
	Stride     int // the step between replicate numbers; <= 0 means 1
	Seed       uint64
	Workers    int // <= 0: one per CPU
	// Progress, if set, is called from the folding goroutine after each replicate with
	// the number folded so far.
	Progress func(done int)
	// KeepLineage, if set, says which replicates' lineage to hand to LineageFolders.
	KeepLineage func(replicate int) bool
	// Ensemble, if set, receives every replicate's series too, folded by the workers in
	// parallel: each folds into a part of its own, and the parts merge exactly (the
	// statistics do not depend on the order of replicates) into Ensemble when Run
	// returns, also when ctx is done, and before each Checkpoint. Ensemble then holds
	// exactly the replicates handed to the folders. Not on failure: after a folder's or
	// the fold's error, or the runaway guard's, it holds an unspecified part of them, and
	// the last Checkpoint stands.
	Ensemble *Ensemble
	// Checkpoint, if set, is called from the folding goroutine after a replicate is
	// handed to the folders, once CheckpointEvery has passed since the start or the last
	// call (never for a negative CheckpointEvery), with Ensemble up to date.
	Checkpoint      func() error
	CheckpointEvery time.Duration

	// step, if set, advances a replicate by a week in place of its Step: tests watch or
	// hold the weeks a worker steps with it.
	step func(r *model.Replicate, week int, rng *rand.Rand, out []float64)
}

// Run simulates job.Replicates replicates over job.Workers goroutines and hands each
// one's series, with its replicate number, to the folders in replicate order, so their
// results do not depend on the number of workers or on scheduling; the workers fold
// them into job.Ensemble, in parallel. At most a few series per worker are in memory at
// once, whatever the number of replicates. It stops early, returning the error, when ctx
// is done, a folder fails, or the runaway guard stops a replicate (the error, a
// *model.RunawayError, names the lowest such replicate; none of it is folded). Once ctx
// is done it returns as soon as the folds in hand are merged, without waiting for the
// replicates in flight: their workers drop them at their next week and exit, and no
// folder is called after Run returns.
func Run(ctx context.Context, job Job, folders ...Folder) error {
	if job.World == nil || job.Weeks < 1 || job.Replicates < 1 || job.First < 0 {
		return errors.New("sim: a job needs a world, at least one week and one replicate, and replicate numbers from 0")
	}
	workers := min(workerCount(job.Workers), job.Replicates)
	stride := max(job.Stride, 1)
	number := func(i int) int { return job.First + i*stride }
	size := job.Weeks * int(model.NumMetrics)

	// A worker takes a buffer before it claims the next replicate number, so the lowest
	// replicate not yet handed to the folders is always being simulated and the folding
	// goroutine never waits on a replicate that cannot start: bounded memory without
	// deadlock. A buffer handed to the folders goes to a worker to fold into its part of
	// the ensemble, then back to free.
	free := make(chan []float64, 2*workers)
	for range cap(free) {
		free <- make([]float64, size)
	}
	type result struct {
		i       int // the job's i-th replicate
		series  []float64
		lineage []model.LineageRecord
		err     error // the runaway guard stopped the replicate
	}
	done := make(chan result, cap(free))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cancelled := ctx.Done() // workers look at it before every week
	step := job.step
	if step == nil {
		step = (*model.Replicate).Step
	}

	// The parallel fold: a worker with a replicate to fold takes a part from the pool,
	// folds into it and gives it back. At most maxParts parts bound the memory on
	// machines with many CPUs.
	type task struct {
		rep    int
		series []float64
	}
	var (
		folds    = make(chan task, cap(free)) // never full: a task holds a buffer
		parts    []*Ensemble
		pool     = make(chan *Ensemble, maxParts)
		inFlight sync.WaitGroup // tasks sent and not yet folded
		foldMu   sync.Mutex
		foldErr  error // of the lowest replicate whose fold failed
		foldRep  int
	)
	if job.Ensemble != nil {
		parts = make([]*Ensemble, min(workers, maxParts))
		for k := range parts {
			parts[k] = job.Ensemble.part()
			pool <- parts[k]
		}
	}
	fold := func(part *Ensemble, t task) {
		if part == nil {
			part = <-pool
			defer func() { pool <- part }()
		}
		if err := part.Fold(t.rep, t.series); err != nil {
			foldMu.Lock()
			if foldErr == nil || t.rep < foldRep {
				foldErr, foldRep = err, t.rep
			}
			foldMu.Unlock()
		}
	}
	// settled marks a task done once its series is no longer read.
	settled := func(t task) {
		free <- t.series
		inFlight.Done()
	}
	// settle waits for the folds in flight, folding those no worker took straight into
	// job.Ensemble (which only this goroutine touches), and merges the parts into it;
	// unless final, it empties them for more.
	settle := func(final bool) error {
		if parts == nil {
			return nil
		}
	drain:
		for {
			select {
			case t := <-folds:
				fold(job.Ensemble, t)
				settled(t)
			default:
				break drain
			}
		}
		inFlight.Wait()
		if foldErr != nil {
			return foldErr
		}
		for _, p := range parts {
			if err := job.Ensemble.mergeFrom(p, final); err != nil {
				return err
			}
			if !final {
				p.reset()
			}
		}
		if final {
			parts = nil
		}
		return nil
	}

	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := job.World.NewReplicate()
			for {
				var buf []float64
				select { // folding first: it frees a buffer
				case t := <-folds:
					fold(nil, t)
					settled(t)
					continue
				default:
				}
				select {
				case t := <-folds:
					fold(nil, t)
					settled(t)
					continue
				case buf = <-free:
				case <-ctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= job.Replicates || ctx.Err() != nil { // select picks at random when both are ready
					free <- buf // the folds left are settle's
					return
				}
				rng := ReplicateRNG(job.Seed, number(i))
				r.Reset(rng)
				for w := 1; w <= job.Weeks && r.Err() == nil; w++ {
					select {
					case <-cancelled:
						return // abandon the replicate: nobody waits for it
					default:
					}
					step(r, w, rng, buf[(w-1)*int(model.NumMetrics):w*int(model.NumMetrics)])
				}
				res := result{i: i, series: buf, err: r.Err()}
				if res.err == nil && job.KeepLineage != nil && job.KeepLineage(number(i)) {
					res.lineage = slices.Clone(r.Lineage())
				}
				select {
				case done <- res:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	pending := make(map[int]result, cap(free))
	want := 0
	last := time.Now()
	for want < job.Replicates {
		var res result
		var ok bool
		select {
		case res, ok = <-done:
		case <-ctx.Done():
			return firstErr(settle(true), ctx.Err())
		}
		if !ok { // every worker stopped: cancelled while the last were claimed
			break
		}
		pending[res.i] = res
		for res, ok := pending[want]; ok; res, ok = pending[want] {
			delete(pending, want)
			rep := number(want)
			if res.err != nil {
				// The lowest replicate the guard stopped, whatever the workers' timing.
				return fmt.Errorf("sim: replicate %d: %w", rep, res.err) // the deferred cancel stops the workers
			}
			for _, f := range folders {
				err := f.Fold(rep, res.series)
				if lf, ok := f.(LineageFolder); ok && err == nil && res.lineage != nil {
					err = lf.FoldLineage(rep, res.lineage)
				}
				if err != nil {
					return err // the deferred cancel stops the workers
				}
			}
			if parts == nil {
				free <- res.series
			} else {
				if rep >= ExactQuantileLimit && !parts[0].centred() {
					// The sketches need the centres the first replicates fix: all of them
					// are handed over by now (or the ensemble was given its centres).
					if err := settle(false); err != nil {
						return err
					}
					if !job.Ensemble.centred() {
						if err := job.Ensemble.fixCentres(); err != nil {
							return err
						}
					}
					for _, p := range parts {
						p.copyCentres(job.Ensemble)
					}
				}
				inFlight.Add(1)
				folds <- task{rep, res.series}
			}
			want++
			if job.Checkpoint != nil && job.CheckpointEvery >= 0 && time.Since(last) >= job.CheckpointEvery {
				if err := settle(false); err != nil {
					return err
				}
				if err := job.Checkpoint(); err != nil {
					return err
				}
				last = time.Now()
			}
			if job.Progress != nil {
				job.Progress(want)
			}
		}
	}
	if want < job.Replicates {
		return firstErr(settle(true), firstErr(ctx.Err(), context.Canceled))
	}
	return settle(true)
}
