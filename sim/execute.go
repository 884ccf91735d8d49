package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Version is the cartelsim version recorded in manifests.
const Version = "0.1.0"

// DefaultCheckpointEvery is how often a run writes its checkpoint unless told otherwise.
const DefaultCheckpointEvery = time.Minute

// RunOptions control where and how a scenario runs.
type RunOptions struct {
	OutDir  string
	Force   bool // replace an earlier run in OutDir
	Workers int  // <= 0: one per CPU
	// AllLineages writes every replicate's lineage to lineage.csv, not only replicate 0's.
	AllLineages bool
	// AllEvents writes every replicate's events to events.csv, not only replicate 0's:
	// the replicates are simulated again at the end of the run, which doubles its time.
	AllEvents bool
	// Progress, if set, is called after each replicate is folded with the number of the
	// run's (or shard's) replicates done and their total.
	Progress func(done, total int)
	// Folders also receive every replicate's series, in replicate order (compare keeps
	// each replicate's values at its horizons with one). Not with Resume or shards.
	Folders []ensemble.Folder
	// Resume continues the run in OutDir from its checkpoint; with no run there, it
	// starts one, and a complete run is left as it is.
	Resume bool
	// Shard and Shards run only the replicates r with r mod Shards == Shard, into a
	// shard directory for Merge. Shards <= 1 runs every replicate.
	Shard, Shards int
	// CheckpointEvery is how often the checkpoint is rewritten while the run goes on:
	// 0 means DefaultCheckpointEvery, a negative value only when interrupted.
	CheckpointEvery time.Duration
}

// InterruptedError is returned when a run stops before its end because its context was
// cancelled (SIGINT or SIGTERM in the command line): its checkpoint holds every
// replicate folded, and running it again with Resume continues from there.
type InterruptedError struct {
	Dir         string
	Done, Total int
	Resume      string // the command line that resumes the run
	Err         error  // the context's error
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("sim: interrupted after %d of %d replicates; the checkpoint in %s keeps them; resume with: %s", e.Done, e.Total, e.Dir, e.Resume)
}

func (e *InterruptedError) Unwrap() error { return e.Err }

// ErrAlreadyComplete is returned by a resumed run that has nothing left to do.
var ErrAlreadyComplete = errors.New("sim: the run is already complete")

// Execute runs a scenario and writes its outputs: timeseries.csv, replicates.csv,
// lineage.csv, plots and, last, manifest.json with "complete": true. Until then the run
// keeps a checkpoint (checkpoint.bin, rewritten atomically every CheckpointEvery and when
// interrupted), partial CSV files and a manifest that says it is incomplete, so a failed
// or interrupted run loses no replicate it folded and can be resumed. A shard writes its
// partial results instead of tables and plots.
func Execute(ctx context.Context, sc *scenario.Scenario, opts RunOptions) (*Manifest, error) {
	p, err := startRun(ctx, sc, opts)
	if err != nil {
		return nil, err
	}
	defer p.close()
	if p.job.Replicates > 0 {
		if err := ensemble.Run(ctx, p.job, p.folders...); err != nil {
			return nil, p.r.stopped(ctx, err)
		}
	}
	return p.finish(ctx)
}

// ExecuteBranched runs several scenarios as Execute runs each, with the same outputs
// byte for byte, but together: replicate r of every scenario at once, their shared past
// simulated once (RunBranched). The scenarios must share their seed, replicates, length
// and mode; resumed and sharded runs are not for it. An error of one scenario's run is a
// *WorldError naming it by index. When interrupted, every run keeps its checkpoint.
func ExecuteBranched(ctx context.Context, scs []*scenario.Scenario, opts []RunOptions) ([]*Manifest, error) {
	if len(scs) == 0 || len(opts) != len(scs) {
		return nil, errors.New("sim: a branched run needs scenarios and their options")
	}
	for k, sc := range scs {
		o, ref := opts[k], scs[0]
		switch {
		case o.Resume || o.Shards > 1:
			return nil, errors.New("sim: a branched run cannot resume or shard")
		case sc.Seed != ref.Seed || sc.Replicates != ref.Replicates || sc.Clock.Weeks != ref.Clock.Weeks || sc.Mode != ref.Mode:
			return nil, fmt.Errorf("sim: %s and %s differ in seed, replicates, length or mode: they cannot branch from a shared past", ref.Name, sc.Name)
		}
	}
	runs := make([]*pendingRun, len(scs))
	defer func() {
		for _, p := range runs {
			if p != nil {
				p.close()
			}
		}
	}()
	job := ensemble.Branched{Workers: ensemble.WorkerCount(opts[0].Workers)}
	folders := make([][]ensemble.Folder, len(scs))
	for k, sc := range scs {
		p, err := startRun(ctx, sc, opts[k])
		if err != nil {
			return nil, &ensemble.WorldError{World: k, Err: err}
		}
		runs[k] = p
		job.Worlds = append(job.Worlds, p.world)
		folders[k] = p.folders
	}
	first := runs[0].job
	job.Weeks, job.Replicates, job.Seed = first.Weeks, first.Replicates, first.Seed
	job.CheckpointEvery = first.CheckpointEvery
	job.Ensembles = make([]*ensemble.Ensemble, len(runs))
	job.States = make([]*ensemble.StatePlan, len(runs))
	for k, p := range runs {
		job.Ensembles[k] = p.job.Ensemble
		job.States[k] = p.job.States
	}
	job.Checkpoint = func() error {
		for k, p := range runs {
			if p.job.Checkpoint == nil {
				continue
			}
			if err := p.job.Checkpoint(); err != nil {
				return &ensemble.WorldError{World: k, Err: err}
			}
		}
		return nil
	}
	job.Progress = func(done int) {
		for _, p := range runs {
			if p.job.Progress != nil {
				p.job.Progress(done)
			}
		}
	}
	job.KeepLineage = func(k, rep int) bool { return runs[k].job.KeepLineage != nil && runs[k].job.KeepLineage(rep) }
	if err := ensemble.RunBranched(ctx, job, folders); err != nil {
		k := 0
		var we *ensemble.WorldError
		if errors.As(err, &we) {
			k, err = we.World, we.Err
		}
		var stopped error
		for j, p := range runs {
			if e := p.r.stopped(ctx, err); j == k {
				stopped = e
			}
		}
		return nil, &ensemble.WorldError{World: k, Err: stopped}
	}
	manifests := make([]*Manifest, len(scs))
	for k, p := range runs {
		m, err := p.finish(ctx)
		if err != nil {
			return nil, &ensemble.WorldError{World: k, Err: err}
		}
		manifests[k] = m
	}
	return manifests, nil
}

// pendingRun is a run set up in its directory, with the job that remains to be done
// (none when it has no replicates left) and the folders of its results.
type pendingRun struct {
	lock    *dirLock // held until the run ends: no other run or merge enters its directory
	sc      *scenario.Scenario
	world   *model.World
	r       *runDir
	job     ensemble.Job
	folders []ensemble.Folder
	workers int
	shards  int
}

// startRun locks and opens a run's directory (or resumes it), fixes the quantile
// sketch's centres of a shard that needs them, and returns what remains to be run. The
// caller closes p.
func startRun(ctx context.Context, sc *scenario.Scenario, opts RunOptions) (*pendingRun, error) {
	workers := ensemble.WorkerCount(opts.Workers)
	world, err := sc.NewWorld()
	if err != nil {
		return nil, err
	}
	shards := max(opts.Shards, 1)
	if opts.Shard < 0 || opts.Shard >= shards {
		return nil, fmt.Errorf("sim: shard %d of %d: want 0 to %d", opts.Shard, shards, shards-1)
	}
	if len(opts.Folders) > 0 && (opts.Resume || shards > 1) {
		return nil, errors.New("sim: extra folders cannot follow a resumed or sharded run")
	}
	replicates := sc.Replicates
	if sc.Mode == model.MeanField {
		replicates = 1 // deterministic: every replicate would be the same
	}
	plan := shardPlan{total: replicates, shard: opts.Shard, shards: shards}
	if plan.count() == 0 {
		return nil, fmt.Errorf("sim: shard %d of %d has no replicates (the run has %d)", opts.Shard, shards, replicates)
	}
	lock, err := lockDir(opts.OutDir)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			lock.unlock()
		}
	}()
	if err := removeStaleTemps(opts.OutDir); err != nil {
		return nil, err
	}
	if err := checkFits(opts.OutDir, sc.Clock.Weeks, plan.count(), opts.AllLineages, runShape(world, sc.Clock, workers), heldBytes(opts.OutDir), 0); err != nil {
		return nil, err
	}
	head := &checkpointHeader{
		Format: checkpointFormat, Version: Version,
		Scenario: manifestScenario(sc),
		Seed:     sc.Seed, Replicates: replicates, Mode: sc.Mode.String(),
		Weeks: sc.Clock.Weeks, Metrics: int(model.NumMetrics),
		Shard: opts.Shard, Shards: shards, AllLineages: opts.AllLineages, AllEvents: opts.AllEvents,
		Idle:       ensemble.IdleMetrics(world),
		StateCells: ensemble.NewStatePlan(world, sc.Clock).Cells(),
		VoteCells:  ensemble.NewStatePlan(world, sc.Clock).VoteCells(),
		StartedAt:  time.Now().UTC().Format(time.RFC3339),
	}
	r, err := openRun(opts.OutDir, sc, head, opts.Resume, opts.Force, world)
	if err != nil {
		return nil, err
	}
	p := &pendingRun{lock: lock, sc: sc, world: world, r: r, workers: workers, shards: shards}
	if err := p.prepare(ctx, opts, plan); err != nil {
		r.close()
		return nil, err
	}
	ok = true
	return p, nil
}

// close closes the run's files, then gives up its directory.
func (p *pendingRun) close() {
	p.r.close()
	p.lock.unlock()
}

func (p *pendingRun) prepare(ctx context.Context, opts RunOptions, plan shardPlan) error {
	r, sc, world, workers := p.r, p.sc, p.world, p.workers
	r.workers = workers
	if p.shards > 1 {
		if err := r.copyScenario(sc); err != nil {
			return err
		}
	}

	// A shard that holds later replicates but not the first CentreReplicates simulates
	// those to fix the quantile sketch's centres, as one pass over every replicate would.
	if plan.total > ensemble.ExactQuantileLimit && p.shards > 1 && !r.ens.Centred() {
		pilot := ensemble.NewCentreFinder(r.ens)
		job := ensemble.Job{World: world, Weeks: sc.Clock.Weeks, Replicates: ensemble.CentreReplicates, Seed: sc.Seed, Workers: workers,
			States: ensemble.NewStatePlan(world, sc.Clock)}
		if err := ensemble.Run(ctx, job, pilot); err != nil {
			return r.stopped(ctx, err)
		}
		pilot.Apply()
	}

	if r.head.Done < plan.count() {
		p.job = ensemble.Job{
			World: world, Weeks: sc.Clock.Weeks, Seed: sc.Seed, Workers: workers,
			Replicates: plan.count() - r.head.Done, First: plan.number(r.head.Done), Stride: p.shards,
			States: ensemble.NewStatePlan(world, sc.Clock),
		}
		if opts.Progress != nil {
			done0 := r.head.Done
			p.job.Progress = func(done int) { opts.Progress(done0+done, plan.count()) }
		}
		p.folders = append([]ensemble.Folder{r.repWriter}, opts.Folders...)
		if r.linWriter != nil {
			p.folders = append(p.folders, r.linWriter)
			p.job.KeepLineage = func(rep int) bool { return rep == 0 || opts.AllLineages }
		}
		p.job.CheckpointEvery = opts.CheckpointEvery
		if p.job.CheckpointEvery == 0 {
			p.job.CheckpointEvery = DefaultCheckpointEvery
		}
		p.job.Ensemble, p.job.Checkpoint = r.ens, r.checkpoint
		p.folders = append(p.folders, counter{&r.head.Done})
	}
	return nil
}

// finish writes the outputs of a run whose replicates are all folded.
func (p *pendingRun) finish(ctx context.Context) (*Manifest, error) {
	if p.shards > 1 {
		return p.r.finishShard(p.workers)
	}
	return p.r.finish(ctx, p.sc, p.world, p.workers)
}

// shardPlan lists the replicates of one shard: r = shard, shard+shards, ... below total.
type shardPlan struct{ total, shard, shards int }

func (p shardPlan) count() int       { return max(0, (p.total-p.shard+p.shards-1)/p.shards) }
func (p shardPlan) number(i int) int { return p.shard + i*p.shards }

// counter is the last folder of a run: it counts the replicates done, which the
// checkpoint records.
type counter struct{ n *int }

func (c counter) Fold(int, []float64) error {
	*c.n++
	return nil
}

// stopped turns a run's error into what Execute returns: after an interruption every
// replicate folded is checkpointed; after a failure the last checkpoint stands (the
// folders may have taken part of a replicate, which the checkpoint must not count).
func (r *runDir) stopped(ctx context.Context, err error) error {
	if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		return err
	}
	if cerr := r.checkpoint(); cerr != nil {
		return fmt.Errorf("%w (and the final checkpoint failed: %v)", err, cerr)
	}
	return &InterruptedError{Dir: r.dir, Done: r.head.Done, Total: shardPlan{r.head.Replicates, r.head.Shard, r.head.Shards}.count(),
		Resume: r.head.resumeCommand(r.dir), Err: err}
}

// finish writes an unsharded run's outputs from its complete statistics.
// The event log comes first, while the run is still one to resume: interrupted there,
// it is checkpointed with every replicate done, and resuming only writes the outputs.
func (r *runDir) finish(ctx context.Context, sc *scenario.Scenario, world *model.World, workers int) (*Manifest, error) {
	if err := writeEventLog(ctx, r.dir, sc, world, r.head, workers); err != nil {
		return nil, r.stopped(ctx, err)
	}
	files, err := r.commitPartials()
	if err != nil {
		return nil, err
	}
	files = append([]string{EventsFile}, files...)
	var first []model.LineageRecord
	if r.linWriter != nil {
		first = r.linWriter.first
	}
	m, err := writeOutputs(r.dir, sc, world, r.ens, first, r.head, files, workers, 0)
	if err != nil {
		return nil, err
	}
	return m, removeCheckpoint(r.dir)
}

// finishShard leaves a shard's partial results for Merge: its statistics in the final
// checkpoint, its rows of replicates.csv and lineage.csv, and a complete manifest.
func (r *runDir) finishShard(workers int) (*Manifest, error) {
	if err := r.checkpoint(); err != nil {
		return nil, err
	}
	files, err := r.commitPartials()
	if err != nil {
		return nil, err
	}
	m := r.manifest(workers)
	m.Complete, m.Resume, m.FinishedAt = true, "", time.Now().UTC().Format(time.RFC3339)
	m.Files = append(files, CheckpointFile, ShardScenarioFile)
	return m, writeManifest(r.dir, m)
}

// writeEventLog writes a run's events.csv: replicate 0's events, or every replicate's.
func writeEventLog(ctx context.Context, dir string, sc *scenario.Scenario, world *model.World, head *checkpointHeader, workers int) error {
	logged := 1
	if head.AllEvents {
		logged = head.Replicates
	}
	return WriteFileAtomic(filepath.Join(dir, EventsFile), func(w io.Writer) error {
		return writeEvents(ctx, w, sc, world, logged, workers)
	})
}

// writeOutputs writes the tables, plots and the complete manifest of a run whose
// statistics are all in ens (after one pass, a resume or a merge). files are the CSV
// files already in place, events.csv among them.
func writeOutputs(dir string, sc *scenario.Scenario, world *model.World, ens *ensemble.Ensemble, first []model.LineageRecord, head *checkpointHeader, files []string, workers, mergedShards int) (*Manifest, error) {
	table := ens.Summaries()
	err := WriteFileAtomic(filepath.Join(dir, TimeseriesFile), func(w io.Writer) error {
		return writeTimeseries(w, sc.Name, sc.Clock, table)
	})
	if err != nil {
		return nil, err
	}
	err = WriteFileAtomic(filepath.Join(dir, CumulativeFile), func(w io.Writer) error {
		return writeCumulative(w, sc.Name, sc.Clock, table)
	})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	plots, err := writePlots(dir, sc, table, head.Replicates, world)
	if err != nil {
		return nil, err
	}
	if first != nil && world.Dynamic() {
		tree, err := writeLineageTree(dir, sc, world, first)
		if err != nil {
			return nil, err
		}
		plots = append(plots, tree...)
	}
	written := []string{TimeseriesFile, CumulativeFile}
	if sp := ensemble.NewStatePlan(world, sc.Clock); sp != nil {
		if ens.Annex != sp.Cells() || len(ens.Votes) != sp.VoteCells() {
			return nil, fmt.Errorf("sim: the statistics hold %d per-state values and %d votes, the scenario's states and years %d and %d", ens.Annex, len(ens.Votes), sp.Cells(), sp.VoteCells())
		}
		err := WriteFileAtomic(filepath.Join(dir, StatesFile), func(w io.Writer) error {
			return writeStates(w, sc.Name, sp, ens)
		})
		if err != nil {
			return nil, err
		}
		err = WriteFileAtomic(filepath.Join(dir, DominantFile), func(w io.Writer) error {
			return writeDominant(w, sc.Name, sp, ens)
		})
		if err != nil {
			return nil, err
		}
		written = append(written, StatesFile, DominantFile)
	}
	maps, err := writeRunMap(dir, head.Replicates)
	if err != nil {
		return nil, err
	}
	plots = append(plots, maps...)
	m := newManifest(sc, head, workers)
	m.Complete = true
	m.ReplicatesDone = head.Replicates
	m.MergedShards = mergedShards
	m.Files = append(append(written, files...), plots...)
	return m, writeManifest(dir, m)
}

func newManifest(sc *scenario.Scenario, head *checkpointHeader, workers int) *Manifest {
	return &Manifest{
		Version:         Version,
		Build:           Build(),
		Scenario:        head.Scenario,
		Seed:            head.Seed,
		Replicates:      head.Replicates,
		Mode:            head.Mode,
		Workers:         workers,
		Weeks:           head.Weeks,
		StartDate:       sc.Clock.Start.Format(time.DateOnly),
		EndDate:         sc.Clock.Date(sc.Clock.Weeks).Format(time.DateOnly),
		StartedAt:       head.StartedAt,
		FinishedAt:      time.Now().UTC().Format(time.RFC3339),
		QuantileMethod:  fmt.Sprintf("exact up to %d replicates; beyond, DDSketch of deviations from the median of the first %d (below %g of their range taken as 0), relative accuracy %g, clamped to the exact range", ensemble.ExactQuantileLimit, ensemble.CentreReplicates, ensemble.ZeroBand, ensemble.QuantileAccuracy),
		Metrics:         metricsManifest(),
		ReplicateSeeds:  "replicate r uses PCG seeded with (splitmix64(seed), splitmix64(splitmix64(seed) xor r))",
		TimeseriesOrder: "week, then metric in the order of metrics",
	}
}
