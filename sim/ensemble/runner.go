package ensemble

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

// MaxParts is the most partial ensembles of each world a run's workers fold into.
const MaxParts = 4

// WorkerCount is the number of workers asked for, or one per CPU for n <= 0.
func WorkerCount(n int) int {
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
	// Pick, if set, gives the world replicate r runs in place of World: a posterior run
	// draws each replicate's parameters (posteriorrun.go). The worlds differ only in
	// their numbers, never in their groups or sections.
	Pick func(replicate int) *model.World
	// states, if set, has the replicates' per-state values folded into years: they follow
	// each series' weeks in what Ensemble and the stateFolders receive.
	States *StatePlan
}

// StateFolder is a Folder that receives a replicate's per-state values (Job.States)
// after its weekly series; other folders receive the weeks only.
type StateFolder interface {
	Folder
	FoldsStates()
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
	b := Branched{Worlds: []*model.World{job.World}, Weeks: job.Weeks, Replicates: job.Replicates, First: job.First,
		Stride: job.Stride, Seed: job.Seed, Workers: job.Workers, Progress: job.Progress, step: job.step,
		Checkpoint: job.Checkpoint, CheckpointEvery: job.CheckpointEvery, Pick: job.Pick}
	if job.States != nil {
		b.States = []*StatePlan{job.States}
	}
	if job.Ensemble != nil {
		b.Ensembles = []*Ensemble{job.Ensemble}
	}
	if job.KeepLineage != nil {
		b.KeepLineage = func(_, rep int) bool { return job.KeepLineage(rep) }
	}
	err := RunBranched(ctx, b, [][]Folder{folders})
	if we, ok := err.(*WorldError); ok {
		return we.Err
	}
	return err
}

// Branched is a Monte Carlo run of several worlds with common random numbers: replicate
// r of every world draws from the same stream (ReplicateRNG(Seed, r)), so that worlds
// that agree up to a week (model.FirstDifference) are in the same state until then.
// RunBranched simulates the first world's replicate once and carries it over to each
// other world (a model.Fork) at the end of the weeks they share, each world then running
// on with a copy of the stream: every world's series is bit for bit what a Job of that
// world alone gives.
type Branched struct {
	Worlds     []*model.World // the first is the one whose past the others share
	Weeks      int
	Replicates int // how many replicates to simulate: First, First+Stride, ...
	First      int // the first replicate's number
	Stride     int // the step between replicate numbers; <= 0 means 1
	Seed       uint64
	Workers    int // <= 0: one per CPU
	// Progress, if set, is called from the folding goroutine after each replicate, folded
	// for every world, with the number of replicates folded so far.
	Progress func(done int)
	// KeepLineage, if set, says which worlds' replicates' lineage to hand to
	// LineageFolders.
	KeepLineage func(world, replicate int) bool
	// Ensembles, if set, has one entry per world, nil or the world's Job.Ensemble: the
	// workers fold each world's series into parts of its own, merged into it as Run
	// merges a Job's.
	Ensembles []*Ensemble
	// Checkpoint and CheckpointEvery are Job's, called with every world's Ensemble up to
	// date.
	Checkpoint      func() error
	CheckpointEvery time.Duration
	// step is Job.step.
	step func(r *model.Replicate, week int, rng *rand.Rand, out []float64)
	// Pick is Job.Pick, for a job of one world.
	Pick func(replicate int) *model.World
	// states, if set, has one entry per world, nil or the world's Job.states.
	States []*StatePlan
}

// WorldError is the error of one world of a branched run: the runaway guard stopped one
// of its replicates, or one of its folders failed.
type WorldError struct {
	World int // index in Branched.Worlds
	Err   error
}

func (e *WorldError) Error() string { return e.Err.Error() }
func (e *WorldError) Unwrap() error { return e.Err }

// SharedWeeks is how many weeks of a run of the given length world shares with first:
// weeks when they never differ within the run, 0 when they share their warm-up (or
// initial draw) only, -1 when they differ from the start.
func SharedWeeks(first, world *model.World, weeks int) int {
	return max(min(weeks, first.FirstDifference(world)-1), -1)
}

// RunBranched runs job and hands world k's series to folders[k], in replicate order and,
// for each replicate, in the order of the worlds, so that the results do not depend on
// the number of workers or on scheduling. Each worker keeps one replicate of each world:
// the first's, stepped week by week, is the snapshot each other world branches from at
// the end of the weeks it shares with the first (SharedWeeks; a world that shares none
// runs from its own Reset). At most a few series of each world are in memory at once.
// It stops early when ctx is done, a folder fails, or the runaway guard stops a
// replicate of some world; errors of a world are *WorldErrors, the runaway guard's
// naming the lowest replicate it stopped (in the first world it stopped, when several)
// and wrapping its *model.RunawayError.
func RunBranched(ctx context.Context, job Branched, folders [][]Folder) error {
	n := len(job.Worlds)
	if n == 0 || slices.Contains(job.Worlds, nil) || len(folders) != n || job.Weeks < 1 || job.Replicates < 1 || job.First < 0 {
		return errors.New("sim: a job needs a world, at least one week and one replicate, and replicate numbers from 0")
	}
	if job.Pick != nil && n != 1 {
		return errors.New("sim: a job that picks each replicate's world has one world")
	}
	if job.Ensembles != nil && len(job.Ensembles) != n {
		return fmt.Errorf("sim: a branched job of %d worlds has %d ensembles", n, len(job.Ensembles))
	}
	plans := job.States
	if plans == nil {
		plans = make([]*StatePlan, n)
	} else if len(plans) != n {
		return fmt.Errorf("sim: a branched job of %d worlds has %d state plans", n, len(plans))
	}
	// The other worlds in the order in which they leave the first's path: by the weeks
	// they share with it, those that share none first.
	shared := make([]int, n)
	forks := make([]*model.Fork, n)
	var order []int
	for k := 1; k < n; k++ {
		order = append(order, k)
		if shared[k] = SharedWeeks(job.Worlds[0], job.Worlds[k], job.Weeks); shared[k] >= 0 {
			f, err := model.NewFork(job.Worlds[0], job.Worlds[k], shared[k])
			if err != nil {
				return fmt.Errorf("sim: %w", err)
			}
			forks[k] = f
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return shared[a] - shared[b] })
	workers := min(WorkerCount(job.Workers), job.Replicates)
	stride := max(job.Stride, 1)
	number := func(i int) int { return job.First + i*stride }
	nm := int(model.NumMetrics)
	size := job.Weeks * nm

	// A worker takes buffers before it claims the next replicate number, so the lowest
	// replicate not yet handed to the folders is always being simulated and the folding
	// goroutine never waits on a replicate that cannot start: bounded memory without
	// deadlock. Buffers handed to the folders go to a worker to fold into its part of
	// each world's ensemble, then back to free.
	free := make(chan [][]float64, 2*workers)
	for range cap(free) {
		bufs := make([][]float64, n)
		for k := range bufs {
			bufs[k] = make([]float64, size+plans[k].Size())
		}
		free <- bufs
	}
	type result struct {
		i       int // the job's i-th replicate
		series  [][]float64
		lineage [][]model.LineageRecord
		errs    []error // the runaway guard stopped the world's replicate
	}
	done := make(chan result, cap(free))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cancelled := ctx.Done() // workers look at it before every week
	step := job.step
	if step == nil {
		step = (*model.Replicate).Step
	}

	// The parallel fold: a worker with a replicate to fold takes a set of parts (one per
	// world) from the pool, folds each world's series into its part and gives the set
	// back. At most MaxParts sets bound the memory on machines with many CPUs.
	type task struct {
		rep    int
		series [][]float64
	}
	var (
		folds    = make(chan task, cap(free)) // never full: a task holds buffers
		parts    [][]*Ensemble                // set, world
		pool     = make(chan []*Ensemble, MaxParts)
		inFlight sync.WaitGroup // tasks sent and not yet folded
		foldMu   sync.Mutex
		foldErr  error // of the lowest replicate whose fold failed
		foldRep  int
	)
	if slices.ContainsFunc(job.Ensembles, func(e *Ensemble) bool { return e != nil }) {
		parts = make([][]*Ensemble, min(workers, MaxParts))
		for j := range parts {
			parts[j] = make([]*Ensemble, n)
			for k, e := range job.Ensembles {
				if e != nil {
					parts[j][k] = e.part()
				}
			}
			pool <- parts[j]
		}
	}
	fold := func(set []*Ensemble, t task) {
		if set == nil {
			set = <-pool
			defer func() { pool <- set }()
		}
		for k, e := range set {
			if e == nil {
				continue
			}
			if err := e.Fold(t.rep, t.series[k]); err != nil {
				foldMu.Lock()
				if foldErr == nil || t.rep < foldRep {
					foldErr, foldRep = &WorldError{World: k, Err: err}, t.rep
				}
				foldMu.Unlock()
				return
			}
		}
	}
	// settled marks a task done once its series are no longer read.
	settled := func(t task) {
		free <- t.series
		inFlight.Done()
	}
	// centred says whether every world's parts have their sketches' centres.
	centred := func() bool {
		for _, e := range parts[0] {
			if e != nil && !e.Centred() {
				return false
			}
		}
		return true
	}
	// settle waits for the folds in flight, folding those no worker took straight into
	// job.Ensembles (which only this goroutine touches), and merges the parts into them;
	// unless final, it empties them for more.
	settle := func(final bool) error {
		if parts == nil {
			return nil
		}
	drain:
		for {
			select {
			case t := <-folds:
				fold(job.Ensembles, t)
				settled(t)
			default:
				break drain
			}
		}
		inFlight.Wait()
		if foldErr != nil {
			return foldErr
		}
		// Merged on as many goroutines as the run has workers: on one, the final merge
		// was the serial part of a run, with the workers done.
		for k, e := range job.Ensembles {
			if e == nil {
				continue
			}
			world := make([]*Ensemble, len(parts))
			for j, set := range parts {
				world[j] = set[k]
			}
			if err := e.mergeParts(world, final, workers); err != nil {
				return &WorldError{World: k, Err: err}
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
			reps := make([]*model.Replicate, n)
			scratch := make([]*stateScratch, n) // a week's per-state values
			picked := job.Worlds[0]
			for k, w := range job.Worlds {
				reps[k] = w.NewReplicate()
				if plans[k] != nil {
					scratch[k] = plans[k].scratch()
				}
			}
			for {
				var bufs [][]float64
				select { // folding first: it frees buffers
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
				case bufs = <-free:
				case <-ctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= job.Replicates || ctx.Err() != nil { // select picks at random when both are ready
					free <- bufs // the folds left are settle's
					return
				}
				if job.Pick != nil { // one world, replicate by replicate (Job.Pick)
					if w := job.Pick(number(i)); w != picked {
						reps[0], picked = w.NewReplicate(), w
					}
				}
				pcg := ReplicatePCG(job.Seed, number(i))
				rng := rand.New(pcg)
				// weeks steps r through weeks from..to, stopping at the runaway guard if
				// stopOnErr; it returns false when the run is cancelled, the replicate
				// abandoned (nobody waits for it).
				for k, p := range plans {
					if p != nil {
						clear(bufs[k][size:])
					}
				}
				weeks := func(k int, rng *rand.Rand, from, to int, stopOnErr bool) bool {
					r, buf, plan := reps[k], bufs[k], plans[k]
					for w := from; w <= to && (!stopOnErr || r.Err() == nil); w++ {
						select {
						case <-cancelled:
							return false
						default:
						}
						step(r, w, rng, buf[(w-1)*nm:w*nm])
						if plan != nil {
							plan.add(buf[size:], w, r, scratch[k])
						}
					}
					return true
				}
				first := reps[0]
				first.Reset(rng)
				week := 0 // the first world's
				for _, k := range order {
					if forks[k] == nil { // no shared past: from its own start
						own := rand.New(ReplicatePCG(job.Seed, number(i)))
						reps[k].Reset(own)
						if !weeks(k, own, 1, job.Weeks, true) {
							return
						}
						continue
					}
					// The first world up to the fork, stepped even after a runaway (which
					// only clears the weeks) so that the fork finds it at its week.
					if !weeks(0, rng, week+1, shared[k], false) {
						return
					}
					week = max(week, shared[k])
					if err := forks[k].Branch(reps[k], first); err != nil {
						panic(err) // the fork and the replicate are this function's own
					}
					copy(bufs[k][:week*nm], bufs[0][:week*nm])
					if plans[k] != nil { // the years so far: the first world's, up to the fork
						copy(bufs[k][size:], bufs[0][size:])
					}
					past := *pcg
					if !weeks(k, rng, week+1, job.Weeks, true) {
						return
					}
					*pcg = past
				}
				if !weeks(0, rng, week+1, job.Weeks, true) {
					return
				}
				for k, p := range plans {
					if p != nil {
						p.finish(bufs[k][size:])
					}
				}
				res := result{i: i, series: bufs, lineage: make([][]model.LineageRecord, n), errs: make([]error, n)}
				for k, r := range reps {
					res.errs[k] = r.Err()
					if res.errs[k] == nil && job.KeepLineage != nil && job.KeepLineage(k, number(i)) {
						res.lineage[k] = slices.Clone(r.Lineage())
					}
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
			return FirstErr(settle(true), ctx.Err())
		}
		if !ok { // every worker stopped: cancelled while the last were claimed
			break
		}
		pending[res.i] = res
		for res, ok := pending[want]; ok; res, ok = pending[want] {
			delete(pending, want)
			rep := number(want)
			if err := foldReplicate(res.series, size, res.lineage, res.errs, rep, folders); err != nil {
				return err // the deferred cancel stops the workers
			}
			if parts == nil {
				free <- res.series
			} else {
				if rep >= ExactQuantileLimit && !centred() {
					// The sketches need the centres the first replicates fix: all of them
					// are handed over by now (or the ensembles were given their centres).
					if err := settle(false); err != nil {
						return err
					}
					for k, e := range job.Ensembles {
						if e != nil && !e.Centred() {
							if err := e.fixCentres(); err != nil {
								return &WorldError{World: k, Err: err}
							}
						}
					}
					for _, set := range parts {
						for k, p := range set {
							if p != nil {
								p.copyCentres(job.Ensembles[k])
							}
						}
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
		return FirstErr(settle(true), FirstErr(ctx.Err(), context.Canceled))
	}
	return settle(true)
}

// foldReplicate hands one replicate of each world to the world's folders, or returns the error of
// the first world the runaway guard stopped (before folding any: a replicate is folded
// for every world or none).
func foldReplicate(series [][]float64, size int, lineage [][]model.LineageRecord, errs []error, rep int, folders [][]Folder) error {
	for k, err := range errs {
		if err != nil {
			return &WorldError{World: k, Err: fmt.Errorf("sim: replicate %d: %w", rep, err)}
		}
	}
	for k, fs := range folders {
		for _, f := range fs {
			s := series[k]
			if _, ok := f.(StateFolder); !ok {
				s = s[:size]
			}
			if err := f.Fold(rep, s); err != nil {
				return &WorldError{World: k, Err: err}
			}
			if lf, ok := f.(LineageFolder); ok && lineage[k] != nil {
				if err := lf.FoldLineage(rep, lineage[k]); err != nil {
					return &WorldError{World: k, Err: err}
				}
			}
		}
	}
	return nil
}
