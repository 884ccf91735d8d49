package experiment

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The files of an experiment's output directory.
const (
	DesignFile     = "design.csv"
	ResultsFile    = "results.csv"
	EffectsFile    = "effects.csv"
	ManifestFile   = "experiment.json"
	CheckpointFile = "experiment-checkpoint.json"
	PlotsDir       = "plots"
	partialSuffix  = ".partial"
)

// sensitivityFile is what cartelsim sensitivity writes beside the experiment (its plots go
// to PlotsDir), and robustness and discovery where cartelsim robustness and discover write
// by default: a new experiment removes an old one's analyses with the rest.
const sensitivityFile = "sensitivity.csv"

var ownedNames = []string{ManifestFile, CheckpointFile, DesignFile, ResultsFile, ResultsFile + partialSuffix, EffectsFile, PlotsDir, TrajectoriesDir,
	sensitivityFile, "robustness", "discovery"}

// ownedDir is an experiment's output directory.
func ownedDir(dir string) sim.OwnedDir {
	return sim.OwnedDir{Dir: dir, Names: ownedNames, Checkpoint: CheckpointFile, Prefix: "experiment", Noun: "experiment"}
}

// PairingNote says how replicates are paired.
const PairingNote = "common random numbers: replicate r of every point and every scenario draws from the same stream " +
	"(the design's seed, r), so differences from the first scenario are paired replicate by replicate, with a paired t interval"

// Options control where and how an experiment runs.
type Options struct {
	OutDir  string
	Force   bool // replace an earlier experiment in OutDir
	Resume  bool // continue the experiment in OutDir from its checkpoint
	Workers int  // <= 0: one per CPU
	// Shard and Shards run only the points p with p mod Shards == Shard, for Merge.
	Shard, Shards int
	// Progress, if set, is called after each point with the points of the run (or
	// shard) done and their total.
	Progress func(done, total int)
	// Command, if set, is recorded in the manifest.
	Command string
	// Trajectories writes every replicate's weekly values of the outputs' metrics to
	// trajectories/point-NNNNNN.parquet, one file per point.
	Trajectories bool
}

// InterruptedError is returned when an experiment stops because its context was
// cancelled: its checkpoint keeps every point finished, and Resume continues from there.
type InterruptedError struct {
	Dir         string
	Done, Total int
	Err         error
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("experiment: interrupted after %d of %d points; the checkpoint in %s keeps them (resume with --resume)", e.Done, e.Total, e.Dir)
}

func (e *InterruptedError) Unwrap() error { return e.Err }

// ErrAlreadyComplete is returned by a resumed experiment that has nothing left to do.
var ErrAlreadyComplete = errors.New("experiment: the experiment is already complete")

// checkpoint records how far a run (or shard) went: the points done and the length and
// checksum of the partial results that hold them.
type checkpoint struct {
	Format       int    `json:"format"`
	DesignSHA256 string `json:"design_sha256"`
	Scenarios    string `json:"scenarios_sha256"`
	// ScenarioFiles are the scenario files and their bases as read at the start.
	ScenarioFiles []ManifestSource `json:"scenario_files"`
	Shard         int              `json:"shard"`
	Shards        int              `json:"shards"`
	PointsDone    int              `json:"points_done"`
	PartialBytes  int64            `json:"partial_bytes"`
	PartialSHA    string           `json:"partial_sha256"`
	StartedAt     string           `json:"started_at"`
	Trajectories  bool             `json:"trajectories"`
	// Runaways are the points done whose world ran away, in point order.
	Runaways []Runaway `json:"runaways,omitempty"`

	hash hash.Hash // of the partial file's bytes so far
}

// Runaway is a point whose world ran away: the runaway guard (model.RunawayError) stopped
// a replicate of one of its scenarios. Such a future is an outcome of the design, not a
// failure of the run: the point's rows of results.csv are NaN, its trajectories file
// has no rows, the manifest lists it, and the analyses set it aside and say how many.
type Runaway struct {
	Point    int    `json:"point"`
	Scenario string `json:"scenario"`
	Week     int    `json:"week"`
	Quantity string `json:"quantity"`
	// Factors are the point's values of the design's own factors, key=value.
	Factors string `json:"factors"`
}

// scenariosSum is a checksum of the scenario files the design names, as they are.
func (d *Design) scenariosSum() string {
	h := sha256.New()
	for _, sc := range d.Scenarios {
		fmt.Fprintln(h, sc.Name, sc.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// plan lists the points of one shard: p = shard, shard+shards, ...
type plan struct{ total, shard, shards int }

func (p plan) count() int       { return max(0, (p.total-p.shard+p.shards-1)/p.shards) }
func (p plan) number(i int) int { return p.shard + i*p.shards }

// Run runs the design's points x scenarios x replicates and writes its outputs into
// opts.OutDir: design.csv at once, results.csv (appended to results.csv.partial point by
// point, with a checkpoint after each), then effects.csv, plots and experiment.json with
// "complete": true. A shard leaves its results.csv and a complete manifest for Merge.
func Run(ctx context.Context, d *Design, opts Options) (*Manifest, error) {
	shards := max(opts.Shards, 1)
	if opts.Shard < 0 || opts.Shard >= shards {
		return nil, fmt.Errorf("experiment: shard %d of %d: want 0 to %d", opts.Shard, shards, shards-1)
	}
	pl := plan{total: d.Points, shard: opts.Shard, shards: shards}
	if pl.count() == 0 {
		return nil, fmt.Errorf("experiment: shard %d of %d has no points (the design has %d)", opts.Shard, shards, d.Points)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = max(1, runtimeCPUs())
	}
	cp := &checkpoint{Format: 1, DesignSHA256: d.SHA256, Scenarios: d.scenariosSum(), ScenarioFiles: d.scenarioFiles(), Shard: opts.Shard, Shards: shards,
		StartedAt: now(), Trajectories: opts.Trajectories}
	partialPath := filepath.Join(opts.OutDir, ResultsFile+partialSuffix)
	unlock, err := sim.LockDir(opts.OutDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	partial, err := openExperiment(opts, cp, d)
	if err != nil {
		return nil, err
	}
	defer partial.Close()
	m := d.manifest(opts, workers, cp)

	trajDir := ""
	if opts.Trajectories {
		trajDir = filepath.Join(opts.OutDir, TrajectoriesDir)
		if err := os.MkdirAll(trajDir, 0o755); err != nil {
			return nil, fmt.Errorf("experiment: %w", err)
		}
	}
	err = d.runPoints(ctx, pl, cp.PointsDone, workers, trajDir, func(i int, rows []byte, ra *Runaway) error {
		if _, err := partial.Write(rows); err != nil {
			return fmt.Errorf("experiment: writing %s: %w", partialPath, err)
		}
		if err := partial.Sync(); err != nil {
			return fmt.Errorf("experiment: writing %s: %w", partialPath, err)
		}
		cp.advance(rows)
		if ra != nil {
			cp.Runaways = append(cp.Runaways, *ra)
		}
		if err := sim.WriteJSONAtomic(filepath.Join(opts.OutDir, CheckpointFile), cp); err != nil {
			return err
		}
		if opts.Progress != nil {
			opts.Progress(cp.PointsDone, pl.count())
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, &InterruptedError{Dir: opts.OutDir, Done: cp.PointsDone, Total: pl.count(), Err: err}
		}
		return nil, err
	}
	if err := partial.Close(); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	if err := sim.RenameDurably(partialPath, filepath.Join(opts.OutDir, ResultsFile)); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	m.PointsDone, m.Runaways = cp.PointsDone, cp.Runaways
	if shards > 1 {
		m.Complete, m.FinishedAt = true, now()
		m.Files = []string{DesignFile, ResultsFile}
		if opts.Trajectories {
			m.Files = append(m.Files, TrajectoriesDir+"/")
		}
		if err := sim.WriteJSONAtomic(filepath.Join(opts.OutDir, ManifestFile), m); err != nil {
			return nil, err
		}
		return m, removeCheckpoint(opts.OutDir)
	}
	if err := finish(opts.OutDir, m); err != nil {
		return nil, err
	}
	return m, removeCheckpoint(opts.OutDir)
}

// advance counts one more point whose rows the partial file now ends with.
func (cp *checkpoint) advance(rows []byte) {
	cp.PointsDone++
	cp.PartialBytes += int64(len(rows))
	cp.hash.Write(rows)
	cp.PartialSHA = hex.EncodeToString(cp.hash.Sum(nil))
}

// fileSHA hashes the first n bytes of a file.
func fileSHA(path string, n int64) (hash.Hash, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if k, err := io.Copy(h, io.LimitReader(f, n)); err != nil || k != n {
		return nil, fmt.Errorf("experiment: %s is shorter than its checkpoint says (%d of %d bytes)", path, k, n)
	}
	return h, nil
}

func removeCheckpoint(dir string) error {
	if err := os.Remove(filepath.Join(dir, CheckpointFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// openExperiment prepares the output directory and returns the partial results file,
// positioned after the rows the checkpoint counts: a new experiment (after removing an
// old one with Force), or one resumed from its checkpoint.
func openExperiment(opts Options, cp *checkpoint, d *Design) (*os.File, error) {
	dir := opts.OutDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("experiment: cannot create output directory: %w", err)
	}
	od := ownedDir(dir)
	partialPath := filepath.Join(dir, ResultsFile+partialSuffix)
	if opts.Resume {
		var old checkpoint
		found, err := od.ReadCheckpoint(&old)
		switch {
		case found:
			if err := changedFile(old.ScenarioFiles, cp.ScenarioFiles); err != nil {
				return nil, fmt.Errorf("experiment: %s holds an experiment started on other scenario files: %w", dir, err)
			}
			switch {
			case old.DesignSHA256 != cp.DesignSHA256:
				return nil, fmt.Errorf("experiment: %s holds an experiment of another design file (sha256 %.12s, this one %.12s)", dir, old.DesignSHA256, cp.DesignSHA256)
			case old.Scenarios != cp.Scenarios:
				return nil, fmt.Errorf("experiment: %s holds an experiment whose scenario files have changed since", dir)
			case old.Shard != cp.Shard || old.Shards != cp.Shards:
				return nil, fmt.Errorf("experiment: %s holds shard %d of %d, not %d of %d", dir, old.Shard, old.Shards, cp.Shard, cp.Shards)
			case old.Trajectories != cp.Trajectories:
				return nil, fmt.Errorf("experiment: %s was started %s --trajectories: resume it the same way", dir, map[bool]string{true: "with", false: "without"}[old.Trajectories])
			}
			// A run stopped between renaming its complete results into place and writing
			// its manifest: the checkpoint still counts the rows, under their final name.
			if _, err := os.Stat(partialPath); errors.Is(err, fs.ErrNotExist) {
				os.Rename(filepath.Join(dir, ResultsFile), partialPath)
			}
			h, err := fileSHA(partialPath, old.PartialBytes)
			if err != nil {
				return nil, err
			}
			if hex.EncodeToString(h.Sum(nil)) != old.PartialSHA {
				return nil, fmt.Errorf("experiment: %s does not match its checkpoint (sha256 differs): start again with --force", partialPath)
			}
			f, err := os.OpenFile(partialPath, os.O_WRONLY, 0o644)
			if err != nil {
				return nil, fmt.Errorf("experiment: %w", err)
			}
			// Rows written after the last checkpoint belong to a point not counted.
			if err := f.Truncate(old.PartialBytes); err != nil {
				f.Close()
				return nil, fmt.Errorf("experiment: %w", err)
			}
			if _, err := f.Seek(old.PartialBytes, io.SeekStart); err != nil {
				f.Close()
				return nil, fmt.Errorf("experiment: %w", err)
			}
			*cp = old
			cp.hash = h
			return f, nil
		case err != nil:
			return nil, err
		}
		if m, err := readManifest(dir); err == nil && m.Complete {
			return nil, ErrAlreadyComplete
		}
	}
	if err := od.Clear(opts.Force || opts.Resume); err != nil { // the manifest first: it is first in ownedNames
		return nil, err
	}
	if err := sim.WriteFileAtomic(filepath.Join(dir, DesignFile), d.writeDesignCSV); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(partialPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	header := "point,scenario,replicate,output,value\n"
	if _, err := f.WriteString(header); err != nil {
		f.Close()
		return nil, fmt.Errorf("experiment: %w", err)
	}
	cp.PartialBytes, cp.hash = 0, sha256.New()
	cp.advance([]byte(header))
	cp.PointsDone = 0
	if err := sim.WriteJSONAtomic(filepath.Join(dir, CheckpointFile), cp); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// changedFile names the first file of then that now holds other bytes.
func changedFile(then, now []ManifestSource) error {
	for _, a := range then {
		for _, b := range now {
			if a.File == b.File && a.SHA256 != b.SHA256 {
				return fmt.Errorf("%s has changed since (sha256 %.12s, then %.12s): resume it as it was, or start again with --force", b.File, b.SHA256, a.SHA256)
			}
		}
	}
	return nil
}

// writeDesignCSV writes the design matrix: point, then each factor's value.
func (d *Design) writeDesignCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("point")
	for _, f := range d.Factors {
		bw.WriteString("," + sim.CSVField(f.Key))
	}
	bw.WriteString("\n")
	for p, row := range d.Matrix {
		bw.WriteString(strconv.Itoa(p))
		for _, x := range row {
			bw.WriteString("," + fmtG(x))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// outputFolder reduces each replicate's weekly series to the design's outputs as the
// replicate finishes: the series itself is never kept.
type outputFolder struct {
	outputs []Output
	values  [][]float64 // [replicate][output]
}

func (f *outputFolder) Fold(rep int, series []float64) error {
	nm := int(model.NumMetrics)
	row := make([]float64, len(f.outputs))
	for o, out := range f.outputs {
		sum := 0.0
		for w := out.From; w <= out.To; w++ {
			sum += series[(w-1)*nm+int(out.Metric)]
		}
		row[o] = sum / float64(out.To-out.From+1)
	}
	f.values = append(f.values, row)
	return nil
}

// runPoint runs every scenario at point p over the design's replicates and returns the
// point's rows of results.csv, in the order scenario, replicate, output, and, if its world
// ran away, what ran away (its rows then NaN).
func (d *Design) runPoint(ctx context.Context, p, workers int, trajDir string) (_ []byte, _ *Runaway, err error) {
	var b strings.Builder
	var traj *trajectoryWriter
	if trajDir != "" {
		if traj, err = newTrajectoryWriter(trajDir, p, d.trajectoryMetrics()); err != nil {
			return nil, nil, err
		}
		defer func() {
			if err != nil && traj != nil {
				traj.abort()
			}
		}()
	}
	scs := make([]*scenario.Scenario, len(d.Scenarios))
	worlds := make([]*model.World, len(d.Scenarios))
	for k := range d.Scenarios {
		sc, err := d.scenario(k, p)
		if err != nil {
			return nil, nil, err
		}
		if worlds[k], err = sc.NewWorld(); err != nil {
			return nil, nil, fmt.Errorf("experiment: point %d, scenario %s: %w", p, sc.Name, err)
		}
		scs[k] = sc
	}
	folders := make([]*outputFolder, len(scs))
	for k := range scs {
		folders[k] = &outputFolder{outputs: d.Outputs}
	}
	var ra *Runaway
	if err := d.runScenarios(ctx, p, scs, worlds, folders, traj, workers); err != nil {
		var away *runawayIn
		if !errors.As(err, &away) {
			return nil, nil, err
		}
		ra = &Runaway{Point: p, Scenario: scs[away.scenario].Name, Week: away.err.Week, Quantity: away.err.Quantity, Factors: d.pointFactors(p)}
		if traj != nil { // what was written of the point is incomplete: no rows instead
			traj.abort()
			empty, err := newTrajectoryWriter(trajDir, p, d.trajectoryMetrics())
			if err != nil {
				traj = nil // aborted above
				return nil, nil, err
			}
			traj = empty
		}
		for k := range folders {
			folders[k].values = make([][]float64, d.replicates(scs[0]))
			for r := range folders[k].values {
				folders[k].values[r] = make([]float64, len(d.Outputs))
				for o := range d.Outputs {
					folders[k].values[r][o] = math.NaN()
				}
			}
		}
	}
	for k, folder := range folders {
		for r, row := range folder.values {
			for o, x := range row {
				fmt.Fprintf(&b, "%d,%s,%d,%s,%s\n", p, d.Scenarios[k].Name, r, d.Outputs[o].Name, fmtG(x))
			}
		}
	}
	if traj != nil {
		if err := traj.commit(); err != nil {
			return nil, nil, err
		}
	}
	return []byte(b.String()), ra, nil
}

// runawayIn is the runaway guard's error in the scenario of that index.
type runawayIn struct {
	scenario int
	err      *model.RunawayError
}

func (e *runawayIn) Error() string { return e.err.Error() }
func (e *runawayIn) Unwrap() error { return e.err }

// scenarioError is the error of scenario k at point p: a runawayIn for the runaway
// guard's, the others named.
func scenarioError(p, k int, name string, err error) error {
	if re, ok := errors.AsType[*model.RunawayError](err); ok {
		return &runawayIn{scenario: k, err: re}
	}
	return fmt.Errorf("experiment: point %d, scenario %s: %w", p, name, err)
}

// replicates is how many replicates each scenario of the design runs: one for a
// mean-field design (the design refuses scenarios of different modes).
func (d *Design) replicates(first *scenario.Scenario) int {
	if first.Mode == model.MeanField {
		return 1
	}
	return d.Replicates
}

// runScenarios runs the point's scenarios over the design's replicates into their
// folders. Scenarios are run together, replicate r of each at once, their shared past
// (the warm-up and the weeks before their interventions differ) simulated once and
// branched (sim.RunBranched), which gives every scenario the series a run of its own
// would; scenarios that share nothing run each from its own start. Trajectories keep the
// order of separate runs, scenario after scenario: the other scenarios' values (of the
// trajectory metrics only) wait in memory until the first's are written.
func (d *Design) runScenarios(ctx context.Context, p int, scs []*scenario.Scenario, worlds []*model.World,
	folders []*outputFolder, traj *trajectoryWriter, workers int) error {
	replicates := d.replicates(scs[0])
	if !separateRuns {
		job := ensemble.Branched{Worlds: worlds, Weeks: scs[0].Clock.Weeks, Replicates: replicates, Seed: d.Seed, Workers: workers}
		all := make([][]ensemble.Folder, len(scs))
		var held []*heldTrajectories
		for k := range scs {
			all[k] = []ensemble.Folder{folders[k]}
			if traj == nil {
				continue
			}
			if k == 0 {
				all[k] = append(all[k], traj.folder(scs[k].Name))
			} else {
				h := &heldTrajectories{metrics: traj.metrics}
				held = append(held, h)
				all[k] = append(all[k], h)
			}
		}
		if err := ensemble.RunBranched(ctx, job, all); err != nil {
			if _, away := errors.AsType[*model.RunawayError](err); ctx.Err() != nil && !away {
				return err
			}
			k := 0
			var we *ensemble.WorldError
			if errors.As(err, &we) {
				k, err = we.World, we.Err
			}
			return scenarioError(p, k, scs[k].Name, err)
		}
		for i, h := range held {
			if err := h.replay(traj.folder(scs[i+1].Name)); err != nil {
				return err
			}
		}
		return nil
	}
	for k, sc := range scs {
		fs := []ensemble.Folder{folders[k]}
		if traj != nil {
			fs = append(fs, traj.folder(sc.Name))
		}
		job := ensemble.Job{World: worlds[k], Weeks: sc.Clock.Weeks, Replicates: replicates, Seed: d.Seed, Workers: workers}
		if err := ensemble.Run(ctx, job, fs...); err != nil {
			if _, away := errors.AsType[*model.RunawayError](err); ctx.Err() != nil && !away {
				return err
			}
			return scenarioError(p, k, sc.Name, err)
		}
	}
	return nil
}

// separateRuns runs each scenario of a point on its own, from its own warm-up, as the
// experiment did before it branched them: tests and the benchmark compare the two.
var separateRuns = false

// runPoints runs the shard's points from the i-th on, over the workers, and hands each
// point's rows to write in point order, whatever the scheduling. With more points left
// than workers, each worker runs whole points (its replicates one after another); with
// fewer, the workers are shared out among each point's replicates. A worker takes a slot
// before it claims the next point, so at most 2 x workers points' rows wait for an
// earlier one, and the earliest point not yet written is always being run.
func (d *Design) runPoints(ctx context.Context, pl plan, from, workers int, trajDir string, write func(i int, rows []byte, ra *Runaway) error) error {
	left := pl.count() - from
	if left <= 0 {
		return nil
	}
	outer := min(workers, left)
	inner := max(1, workers/outer)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i    int
		rows []byte
		ra   *Runaway
		err  error
	}
	slots := make(chan struct{}, 2*outer)
	for range cap(slots) {
		slots <- struct{}{}
	}
	done := make(chan result, cap(slots))
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	for range outer {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-slots:
				case <-ctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= pl.count() || ctx.Err() != nil {
					return
				}
				rows, ra, err := d.runPoint(ctx, pl.number(i), inner, trajDir)
				select {
				case done <- result{i, rows, ra, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	pending := map[int]result{}
	want := from
	var err error
	for res := range done {
		if err != nil {
			continue // drain
		}
		pending[res.i] = res
		for r, ok := pending[want]; ok; r, ok = pending[want] {
			delete(pending, want)
			switch {
			case r.err != nil:
				err = r.err // the lowest point that failed, whatever the timing
			case ctx.Err() != nil:
				err = ctx.Err() // interrupted: write no more
			default:
				err = write(want, r.rows, r.ra)
			}
			if err != nil {
				cancel()
				break
			}
			slots <- struct{}{}
			want++
		}
	}
	if err != nil {
		return err
	}
	if want < pl.count() {
		return ctx.Err()
	}
	return nil
}
