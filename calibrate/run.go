package calibrate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/cartelsim/cartelsim/sim"
)

// The files of a calibration's output directory.
const (
	ManifestFile   = "calibration.json"
	CheckpointFile = "calibration-checkpoint.json"
	PosteriorFile  = "posterior.csv"
	SummaryFile    = "summary.csv"
	PredictiveFile = "predictive.csv"
	GenerationsDir = "generations"
	PlotsDir       = "plots"
)

var ownedNames = []string{ManifestFile, CheckpointFile, PosteriorFile, SummaryFile, PredictiveFile, GenerationsDir, PlotsDir}

// Options control where and how a calibration runs.
type Options struct {
	OutDir  string
	Force   bool // replace an earlier calibration in OutDir
	Resume  bool // continue the calibration in OutDir from its last finished generation
	Workers int  // <= 0: one per CPU
	// Name labels the calibration in the manifest and the plots.
	Name string
	// Inputs are the files the calibration reads (calibration file, scenario, targets),
	// by path, with their checksums: recorded in the manifest, and a resume refuses a
	// directory whose inputs differ.
	Inputs []Input
	// Progress, if set, is called after each generation.
	Progress func(g *Generation)
	// Command, if set, is recorded in the manifest.
	Command string
}

// Input is a file a calibration reads.
type Input struct {
	Role   string `json:"role"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

// InterruptedError is returned when a calibration stops because its context was
// cancelled: the generations finished are kept, and Resume continues from there.
type InterruptedError struct {
	Dir         string
	Generations int
	Err         error
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("calibrate: interrupted during generation %d; %s keeps the %d finished (resume with --resume)", e.Generations, e.Dir, e.Generations)
}

func (e *InterruptedError) Unwrap() error { return e.Err }

// ErrAlreadyComplete is returned by a resumed calibration that has nothing left to do.
var ErrAlreadyComplete = errors.New("calibrate: the calibration is already complete")

// Result is a finished calibration.
type Result struct {
	Generations []*Generation
	Stop        string // why it stopped
	Predictive  []Band // one per target
	Manifest    *Manifest
}

// Band is the posterior-predictive distribution of one target: the quantiles of the
// model's values over the last generation's particles (by weight) and replicates.
type Band struct {
	Target              Target
	P05, P50, P95, Mean float64
}

type checkpoint struct {
	Format      int    `json:"format"`
	Fingerprint string `json:"fingerprint"`
	Generations int    `json:"generations"`
	StartedAt   string `json:"started_at"`
}

// fingerprint identifies a calibration: its configuration and its inputs' checksums.
func fingerprint(c *Config, inputs []Input) string {
	h := sha256.New()
	fmt.Fprintf(h, "%#v\n", *c)
	for _, in := range inputs {
		fmt.Fprintln(h, in.Role, in.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Run calibrates: it runs generations until the stop rule holds, writing each to
// generations/generation-NNN.csv as it finishes, then the posterior-predictive
// simulations, and writes posterior.csv, summary.csv, predictive.csv, the plots and
// calibration.json (last, with "complete": true).
func Run(ctx context.Context, c *Config, s Simulator, opts Options) (*Result, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	unlock, err := sim.LockDir(opts.OutDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cp := &checkpoint{Format: 1, Fingerprint: fingerprint(c, opts.Inputs), StartedAt: time.Now().UTC().Format(time.RFC3339)}
	gens, err := open(opts, c, cp)
	if err != nil {
		return nil, err
	}
	interrupted := func(err error) error {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return &InterruptedError{Dir: opts.OutDir, Generations: len(gens), Err: err}
		}
		return err
	}
	stop := ""
	if len(gens) > 0 {
		stop = c.Stop(gens)
	}
	for stop == "" {
		led, err := openLedger(opts.OutDir, c, len(gens))
		if err != nil {
			return nil, err
		}
		var g *Generation
		if len(gens) == 0 {
			g, err = c.first(ctx, s, workers, led)
		} else {
			prev := gens[len(gens)-1]
			g, err = c.next(ctx, s, workers, prev, c.nextTolerance(prev), led)
		}
		if cerr := led.close(); err == nil && cerr != nil {
			err = cerr
		}
		if errors.Is(err, ErrAttemptCap) {
			// The abandoned generation's ledger goes: its lines are in the order the
			// particles finished, which would make the outputs depend on the workers.
			if err := os.Remove(led.path); err != nil {
				return nil, fmt.Errorf("calibrate: %w", err)
			}
			stop = strings.TrimPrefix(err.Error(), "calibrate: ") + "; the last generation is the one before"
			break
		}
		if err != nil {
			return nil, interrupted(err)
		}
		if err := writeGeneration(opts.OutDir, c, g); err != nil {
			return nil, err
		}
		if err := os.Remove(led.path); err != nil {
			return nil, fmt.Errorf("calibrate: %w", err)
		}
		gens = append(gens, g)
		cp.Generations = len(gens)
		if err := sim.WriteJSONAtomic(filepath.Join(opts.OutDir, CheckpointFile), cp); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(g)
		}
		stop = c.Stop(gens)
	}
	bands, err := c.predictive(ctx, s, workers, gens[len(gens)-1])
	if err != nil {
		return nil, interrupted(err)
	}
	res := &Result{Generations: gens, Stop: stop, Predictive: bands}
	res.Manifest = c.manifest(opts, workers, cp, res)
	if err := res.write(opts.OutDir, c); err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(opts.OutDir, CheckpointFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return res, nil
}

// open prepares the output directory and returns the generations a resumed calibration
// has finished.
func open(opts Options, c *Config, cp *checkpoint) ([]*Generation, error) {
	dir := opts.OutDir
	od := sim.OwnedDir{Dir: dir, Names: ownedNames, Checkpoint: CheckpointFile, Prefix: "calibrate", Noun: "calibration"}
	if opts.Resume {
		var old checkpoint
		found, err := od.ReadCheckpoint(&old)
		switch {
		case found:
			if old.Fingerprint != cp.Fingerprint {
				return nil, fmt.Errorf("calibrate: %s holds a calibration of another configuration or other input files: start again with --force", dir)
			}
			*cp = old
			var gens []*Generation
			for t := range old.Generations {
				g, err := readGeneration(dir, c, t)
				if err != nil {
					return nil, err
				}
				gens = append(gens, g)
			}
			return gens, nil
		case err != nil:
			return nil, err
		}
		if _, err := os.Lstat(filepath.Join(dir, ManifestFile)); err == nil {
			return nil, ErrAlreadyComplete
		}
	}
	if err := od.Clear(opts.Force || opts.Resume); err != nil { // the manifest first: it is first in ownedNames
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, GenerationsDir), 0o755); err != nil {
		return nil, fmt.Errorf("calibrate: cannot create output directory: %w", err)
	}
	return nil, sim.WriteJSONAtomic(filepath.Join(dir, CheckpointFile), cp)
}

// particle is a finished particle of the generation in progress.
type particle struct {
	attempts int
	moves    int // accepted MCMC steps, with Replenishment
	distance float64
	theta    []float64
}

// ledger keeps the particles of the generation in progress as each finishes, in
// generations/generation-NNN.partial (one line each: particle, attempts, moves, distance
// and the parameters), so that a resumed calibration runs only the others. The lines are in
// the order the particles finished, which the generation's file does not depend on.
type ledger struct {
	path string
	done map[int]particle // read from the file when the calibration resumed
	mu   sync.Mutex
	f    *os.File
	err  error
}

// openLedger reads generation t's ledger, if an interrupted calibration left one, keeping
// its whole lines up to the first that does not read back, and opens it to record more.
func openLedger(dir string, c *Config, t int) (*ledger, error) {
	l := &ledger{path: filepath.Join(dir, GenerationsDir, fmt.Sprintf("generation-%03d.partial", t)), done: map[int]particle{}}
	data, err := os.ReadFile(l.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	keep := 0
	for keep < len(data) {
		end := bytes.IndexByte(data[keep:], '\n')
		if end < 0 {
			break
		}
		p, i, ok := c.parseParticle(string(data[keep : keep+end]))
		if _, dup := l.done[i]; !ok || dup {
			break
		}
		l.done[i] = p
		keep += end + 1
	}
	if l.f, err = os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE, 0o644); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	if err := l.f.Truncate(int64(keep)); err != nil {
		l.f.Close()
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	if _, err := l.f.Seek(int64(keep), io.SeekStart); err != nil {
		l.f.Close()
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return l, nil
}

func (c *Config) parseParticle(line string) (p particle, i int, ok bool) {
	fields := strings.Split(line, ",")
	if len(fields) != 4+len(c.Params) {
		return p, 0, false
	}
	i, err1 := strconv.Atoi(fields[0])
	attempts, err2 := strconv.Atoi(fields[1])
	moves, err4 := strconv.Atoi(fields[2])
	d, err3 := strconv.ParseFloat(fields[3], 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || i < 0 || i >= c.Particles || attempts < 0 || moves < 0 || moves > attempts {
		return p, 0, false
	}
	p = particle{attempts: attempts, moves: moves, distance: d}
	for k, f := range fields[4:] {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || !(x >= c.Params[k].Lo && x <= c.Params[k].Hi) {
			return p, 0, false
		}
		p.theta = append(p.theta, x)
	}
	return p, i, true
}

// record appends a finished particle to the ledger (unsynced: a particle lost to a crash
// of the machine is run again).
func (l *ledger) record(i int, p particle) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d,%d,%d,%s", i, p.attempts, p.moves, fmtG(p.distance))
	for _, x := range p.theta {
		b.WriteString("," + fmtG(x))
	}
	b.WriteString("\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		if _, err := l.f.WriteString(b.String()); err != nil {
			l.err = fmt.Errorf("calibrate: writing %s: %w", l.path, err)
		}
	}
	return l.err
}

func (l *ledger) close() error {
	if err := l.f.Close(); err != nil && l.err == nil {
		l.err = fmt.Errorf("calibrate: %w", err)
	}
	return l.err
}

func generationPath(dir string, t int) string {
	return filepath.Join(dir, GenerationsDir, fmt.Sprintf("generation-%03d.csv", t))
}

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// writeGeneration writes a generation's checkpoint file: one row per particle with the
// generation's tolerance, attempts, proposals and moves, its weight, distance and parameter values, every
// number as the shortest decimal that reads back as the same float64.
func writeGeneration(dir string, c *Config, g *Generation) error {
	return sim.WriteFileAtomic(generationPath(dir, g.Index), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString("generation,particle,tolerance,attempts,proposals,moves,weight,distance")
		for _, p := range c.Params {
			bw.WriteString("," + p.Key)
		}
		bw.WriteString("\n")
		for i, th := range g.Theta {
			fmt.Fprintf(bw, "%d,%d,%s,%d,%d,%d,%s,%s", g.Index, i, fmtG(g.Tolerance), g.Attempts, g.Proposals, g.Moves,
				fmtG(g.Weights[i]), fmtG(g.Distances[i]))
			for _, x := range th {
				bw.WriteString("," + fmtG(x))
			}
			bw.WriteString("\n")
		}
		return bw.Flush()
	})
}

func readGeneration(dir string, c *Config, t int) (*Generation, error) {
	path := generationPath(dir, t)
	fail := func(format string, args ...any) (*Generation, error) {
		return nil, fmt.Errorf("calibrate: %s: %s: start again with --force", path, fmt.Sprintf(format, args...))
	}
	f, err := os.Open(path)
	if err != nil {
		return fail("%v", errors.Unwrap(err))
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fail("%v", err)
	}
	if len(rows) != c.Particles+1 || len(rows[0]) != 8+len(c.Params) {
		return fail("want %d particles of %d parameters", c.Particles, len(c.Params))
	}
	g := &Generation{Index: t}
	for i, row := range rows[1:] {
		xs := make([]float64, len(row))
		for k, s := range row {
			if xs[k], err = strconv.ParseFloat(s, 64); err != nil {
				return fail("row %d: %q is not a number", i+2, s)
			}
		}
		if int(xs[0]) != t || int(xs[1]) != i {
			return fail("row %d is not particle %d of generation %d", i+2, i, t)
		}
		g.Tolerance, g.Attempts, g.Proposals, g.Moves = xs[2], int(xs[3]), int(xs[4]), int(xs[5])
		g.Weights = append(g.Weights, xs[6])
		g.Distances = append(g.Distances, xs[7])
		g.Theta = append(g.Theta, xs[8:])
	}
	return g, nil
}

// predictive simulates each particle of the last generation afresh (its own stream,
// apart from the generations') and returns each target's weighted quantiles over the
// particles and replicates (with Noise, of the values with their observation error).
func (c *Config) predictive(ctx context.Context, s Simulator, workers int, g *Generation) ([]Band, error) {
	n := len(g.Theta)
	outs := make([][][]float64, n)
	err := parallel(ctx, n, workers, func(i int) error {
		rng := attemptRNG(c.Seed, predictiveStream, i, 0)
		out, err := c.simulate(ctx, s, g.Theta[i], rng.Uint64())
		if err != nil {
			return err
		}
		if c.Noise { // the band is of the data: the model's values with their error
			for _, row := range out {
				for t, tg := range c.Targets {
					row[t] += float64(tg.SD * rng.NormFloat64())
				}
			}
		}
		outs[i] = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	bands := make([]Band, len(c.Targets))
	for t, tg := range c.Targets {
		var x, xw []float64
		for i, out := range outs {
			for _, row := range out {
				x, xw = append(x, row[t]), append(xw, g.Weights[i]/float64(len(out)))
			}
		}
		v, w := SortedWeighted(x, xw)
		bands[t] = Band{Target: tg, Mean: weightedMean(v, w),
			P05: stat.Quantile(0.05, stat.Empirical, v, w),
			P50: stat.Quantile(0.5, stat.Empirical, v, w),
			P95: stat.Quantile(0.95, stat.Empirical, v, w)}
	}
	return bands, nil
}

// Manifest describes a finished calibration.
type Manifest struct {
	Version        string          `json:"version"`
	Command        string          `json:"command,omitempty"`
	Name           string          `json:"name"`
	Inputs         []Input         `json:"inputs,omitempty"`
	Params         []ManifestParam `json:"parameters"`
	Targets        []string        `json:"targets"`
	Method         Method          `json:"method,omitempty"`
	Unmoved        float64         `json:"unmoved,omitempty"` // with Replenishment
	Distance       Distance        `json:"distance"`
	Noise          bool            `json:"noise"`
	Particles      int             `json:"particles"`
	Replicates     int             `json:"replicates"`
	Alpha          float64         `json:"alpha"`
	FinalTolerance float64         `json:"final_tolerance"`
	MinAcceptance  float64         `json:"min_acceptance"`
	MaxGenerations int             `json:"max_generations"`
	MaxAttempts    int             `json:"max_attempts"`
	Seed           uint64          `json:"seed"`
	Workers        int             `json:"workers"`
	Generations    int             `json:"generations"`
	Stop           string          `json:"stop"`
	Complete       bool            `json:"complete"`
	StartedAt      string          `json:"started_at"`
	FinishedAt     string          `json:"finished_at"`
	Files          []string        `json:"files"`
}

type ManifestParam struct {
	Key   string    `json:"key"`
	Prior string    `json:"prior"`
	Range []float64 `json:"range"`
}

func (c *Config) manifest(opts Options, workers int, cp *checkpoint, res *Result) *Manifest {
	m := &Manifest{Version: sim.Version, Command: opts.Command, Name: opts.Name, Inputs: opts.Inputs, Method: c.Method, Distance: c.Distance, Noise: c.Noise,
		Particles: c.Particles, Replicates: c.Replicates, Alpha: c.Alpha, FinalTolerance: c.FinalTolerance,
		MinAcceptance: c.MinAcceptance, MaxGenerations: c.MaxGenerations, MaxAttempts: c.MaxAttempts, Seed: c.Seed,
		Workers: workers, Generations: len(res.Generations), Stop: res.Stop, Complete: true, StartedAt: cp.StartedAt}
	if c.Method == Replenishment {
		m.Unmoved = c.Unmoved
	}
	for _, p := range c.Params {
		m.Params = append(m.Params, ManifestParam{Key: p.Key, Prior: p.Prior(), Range: []float64{p.Lo, p.Hi}})
	}
	for _, t := range c.Targets {
		m.Targets = append(m.Targets, t.Label())
	}
	return m
}

// write writes the calibration's outputs, the manifest last.
func (res *Result) write(dir string, c *Config) error {
	err := sim.WriteFileAtomic(filepath.Join(dir, PosteriorFile), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString("generation,particle,weight,distance")
		for _, p := range c.Params {
			bw.WriteString("," + p.Key)
		}
		bw.WriteString("\n")
		for _, g := range res.Generations {
			for i, th := range g.Theta {
				fmt.Fprintf(bw, "%d,%d,%s,%s", g.Index, i, fmtG(g.Weights[i]), fmtG(g.Distances[i]))
				for _, x := range th {
					bw.WriteString("," + fmtG(x))
				}
				bw.WriteString("\n")
			}
		}
		return bw.Flush()
	})
	if err != nil {
		return err
	}
	if err := sim.WriteFileAtomic(filepath.Join(dir, SummaryFile), func(w io.Writer) error {
		_, err := io.WriteString(w, res.SummaryCSV())
		return err
	}); err != nil {
		return err
	}
	err = sim.WriteFileAtomic(filepath.Join(dir, PredictiveFile), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString("target,name,year,metric,aggregation,observed,sd,p05,p50,p95,mean,source\n")
		for _, b := range res.Predictive {
			t := b.Target
			fmt.Fprintf(bw, "%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", t.Label(), t.Name, t.Year, t.Metric, t.Aggregation,
				fmtG(t.Observed), fmtG(t.SD), fmtG(b.P05), fmtG(b.P50), fmtG(b.P95), fmtG(b.Mean), sim.CSVField(t.Source))
		}
		return bw.Flush()
	})
	if err != nil {
		return err
	}
	plots, err := writePlots(dir, c, res)
	if err != nil {
		return err
	}
	m := res.Manifest
	m.FinishedAt = time.Now().UTC().Format(time.RFC3339)
	m.Files = append([]string{PosteriorFile, SummaryFile, PredictiveFile, GenerationsDir + "/"}, plots...)
	return sim.WriteJSONAtomic(filepath.Join(dir, ManifestFile), m)
}

// SummaryCSV is summary.csv: per generation, the tolerance, the simulations run, the
// acceptance rate, the effective sample size and the smallest and median distance.
func (res *Result) SummaryCSV() string {
	var b strings.Builder
	b.WriteString("generation,tolerance,attempts,acceptance_rate,ess,min_distance,median_distance\n")
	for _, g := range res.Generations {
		d := slices.Clone(g.Distances)
		slices.Sort(d)
		fmt.Fprintf(&b, "%d,%s,%d,%s,%s,%s,%s\n", g.Index, fmtG(g.Tolerance), g.Attempts, fmtG(g.AcceptanceRate()),
			fmtG(g.ESS()), fmtG(d[0]), fmtG(stat.Quantile(0.5, stat.Empirical, d, nil)))
	}
	return b.String()
}

// Summary is the per-generation summary as a table for people.
func (res *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %12s %9s %10s %8s %12s\n", "generation", "tolerance", "attempts", "acceptance", "ESS", "min distance")
	for _, g := range res.Generations {
		fmt.Fprintf(&b, "%-10d %12.4g %9d %10.4f %8.1f %12.4g\n", g.Index, g.Tolerance, g.Attempts, g.AcceptanceRate(),
			g.ESS(), slices.Min(g.Distances))
	}
	fmt.Fprintf(&b, "stopped: %s\n", res.Stop)
	return b.String()
}

// Posterior is the weighted mean and standard deviation of each parameter in the last
// generation.
func (res *Result) Posterior() (mean, sd []float64) {
	g := res.Generations[len(res.Generations)-1]
	for k := range g.Theta[0] {
		x := make([]float64, len(g.Theta))
		for i, th := range g.Theta {
			x[i] = th[k]
		}
		m, v := weightedMeanVar(x, g.Weights)
		mean, sd = append(mean, m), append(sd, math.Sqrt(v))
	}
	return mean, sd
}

// Quantile is the weighted p-quantile of parameter k in the last generation.
func (res *Result) Quantile(k int, p float64) float64 {
	g := res.Generations[len(res.Generations)-1]
	x := make([]float64, len(g.Theta))
	for i, th := range g.Theta {
		x[i] = th[k]
	}
	x, w := SortedWeighted(x, g.Weights)
	return stat.Quantile(p, stat.Empirical, x, w)
}

// SortedWeighted returns the values x with their weights w in increasing order of x, ties
// in their given order: what gonum's weighted empirical quantile (stat.Quantile) takes.
func SortedWeighted(x, w []float64) (xs, ws []float64) {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	xs, ws = make([]float64, len(x)), make([]float64, len(x))
	for k, i := range idx {
		xs[k], ws[k] = x[i], w[i]
	}
	return xs, ws
}

// weightedMeanVar is the mean and variance of x under normalised weights w (the
// population's, not a sample estimate's, variance).
func weightedMeanVar(x, w []float64) (mean, variance float64) {
	for i := range x {
		mean += w[i] * x[i]
	}
	for i := range x {
		variance += w[i] * (x[i] - mean) * (x[i] - mean)
	}
	return mean, variance
}

// weightedMean is stat.Mean(x, w), sum_i w_i x_i / sum_i w_i in the same order, with each
// product rounded: inlined, gonum's loop is fused on arm64 and the bytes would differ.
func weightedMean(x, w []float64) float64 {
	sx, sw := 0.0, 0.0
	for i, wi := range w {
		sx += float64(wi * x[i])
		sw += wi
	}
	return sx / sw
}
