package sim

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The files compare --posterior writes besides comparison.csv and comparison.txt: the
// particle each replicate drew, and the variance decomposition.
const (
	PosteriorDrawsFile = "posterior_draws.csv"
	VarianceFile       = "variance.csv"
)

// Posterior is the last generation of a calibration's posterior.csv (docs/calibration.md):
// its particles, their weights and the scenario keys they set.
type Posterior struct {
	File       string
	Generation int
	Keys       []string    // the parameters' scenario keys, e.g. parameters.recruitment
	Particles  [][]float64 // by particle, one value per key
	Weights    []float64   // by particle, non-negative, summing to a positive total
	Distances  []float64   // by particle, its distance to the targets in the calibration
	total      float64
}

// ReadPosterior reads a posterior.csv: the header generation,particle,weight,distance and
// the parameters' keys, then one row per particle of every generation. Only the last
// generation is kept: it is the posterior.
func ReadPosterior(path string) (*Posterior, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("sim: %s:1: no header (%v)", path, err)
	}
	want := []string{"generation", "particle", "weight", "distance"}
	if len(header) <= len(want) {
		return nil, fmt.Errorf("sim: %s:1: header %q, want generation,particle,weight,distance and at least one parameter key", path, header)
	}
	for i, w := range want {
		if header[i] != w {
			return nil, fmt.Errorf("sim: %s:1: column %d is %q, want %q (a posterior.csv of cartelsim calibrate)", path, i+1, header[i], w)
		}
	}
	p := &Posterior{File: path, Keys: header[len(want):], Generation: -1}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sim: %s:%d: %v", path, line, err)
		}
		num := func(col int) (float64, error) {
			x, err := strconv.ParseFloat(rec[col], 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return 0, fmt.Errorf("sim: %s:%d: %s is %q, want a finite number", path, line, header[col], rec[col])
			}
			return x, nil
		}
		g, err := strconv.Atoi(rec[0])
		if err != nil || g < 0 {
			return nil, fmt.Errorf("sim: %s:%d: generation is %q, want a whole number from 0", path, line, rec[0])
		}
		w, err := num(2)
		if err != nil {
			return nil, err
		}
		if w < 0 {
			return nil, fmt.Errorf("sim: %s:%d: weight %v is negative", path, line, w)
		}
		// A distance may be +Inf: generation 0 keeps every draw, a runaway replicate's too.
		dist, err := strconv.ParseFloat(rec[3], 64)
		if err != nil || math.IsNaN(dist) || math.IsInf(dist, -1) {
			return nil, fmt.Errorf("sim: %s:%d: distance is %q, want a number or +Inf", path, line, rec[3])
		}
		values := make([]float64, len(p.Keys))
		for k := range values {
			if values[k], err = num(len(want) + k); err != nil {
				return nil, err
			}
		}
		switch {
		case g < p.Generation:
			return nil, fmt.Errorf("sim: %s:%d: generation %d after generation %d (generations come in order)", path, line, g, p.Generation)
		case g > p.Generation:
			p.Generation, p.Particles, p.Weights, p.Distances, p.total = g, nil, nil, nil, 0
		}
		p.Particles = append(p.Particles, values)
		p.Weights = append(p.Weights, w)
		p.Distances = append(p.Distances, dist)
		p.total += w
	}
	if len(p.Particles) == 0 {
		return nil, fmt.Errorf("sim: %s: no particles", path)
	}
	if !(p.total > 0) || math.IsInf(p.total, 0) {
		return nil, fmt.Errorf("sim: %s: the weights of generation %d sum to %v, want a positive finite total", path, p.Generation, p.total)
	}
	return p, nil
}

// posteriorStream separates the stream of posterior draws from the replicates' own
// (ReplicateRNG(seed, r)), so that drawing a parameter set takes nothing from a replicate.
const posteriorStream = 0x706f737465726972 // "posterir"

// Draw returns the particle that draw d takes: a particle with probability in proportion
// to its weight, from a stream that depends on the seed and d alone, so that neither the
// workers nor the order of replicates change it.
func (p *Posterior) Draw(seed uint64, d int) int {
	rng := rand.New(rand.NewPCG(seed^posteriorStream, uint64(d)))
	return p.At(rng.Float64())
}

// At returns the particle at u in [0, 1) of the weights' cumulative distribution, the
// particles in their order: a particle in proportion to its weight for a uniform u.
func (p *Posterior) At(u float64) int {
	u *= p.total
	last := 0
	for k, w := range p.Weights {
		if w > 0 {
			last = k
			if u -= w; u < 0 {
				return k
			}
		}
	}
	return last // rounding left u at the total
}

// Overrides are particle k's values as --set would set them.
func (p *Posterior) Overrides(k int) []scenario.Override {
	out := make([]scenario.Override, len(p.Keys))
	for i, key := range p.Keys {
		out[i] = scenario.Override{Key: key, Value: scenario.FormatG(p.Particles[k][i])}
	}
	return out
}

// PosteriorOptions control ComparePosterior.
type PosteriorOptions struct {
	OutDir  string
	Force   bool
	Workers int
	// Horizons and Metrics as for Compare; none: the default ones.
	Horizons []int
	Metrics  []model.Metric
	// PerDraw is how many consecutive replicates share a parameter set: replicates
	// r = d x PerDraw ... (d+1) x PerDraw - 1 run draw d. At least 1; 2 or more let the
	// variance decomposition measure the Monte Carlo part within a draw.
	PerDraw int
}

// VarianceRow splits one scenario's variance of one metric at one horizon across
// replicates (the horizon's yearly mean, as in comparison.csv) by the law of total
// variance: Within, the mean variance among replicates of the same parameter set (Monte
// Carlo), pooled over the draws; Between = Total - Within, the part parameter uncertainty
// adds (0 when Monte Carlo noise explains all of it). NaN when no draw has two replicates.
type VarianceRow struct {
	Metric                 model.Metric
	Week                   int
	Scenario               string
	Total, Within, Between float64
}

// ComparePosterior compares the scenarios as Compare does, with parameter uncertainty:
// replicate r runs every scenario with the parameter set of draw r / PerDraw from the
// posterior (set as --set would, after sets), and with the stream of replicate r, so the
// differences stay paired by common random numbers and every replicate's values depend
// on the seed and r alone. It writes comparison.csv and comparison.txt (the intervals now
// carry both Monte Carlo and parameter uncertainty, and take the draws as their units:
// DrawPairedDifference), posterior_draws.csv and variance.csv
// in opts.OutDir, and no run directories.
func ComparePosterior(ctx context.Context, paths []string, sets []scenario.Override, post *Posterior, seed uint64, replicates int, opts PosteriorOptions) (*Comparison, []VarianceRow, error) {
	if opts.PerDraw < 1 {
		return nil, nil, fmt.Errorf("sim: %d replicates per draw, want at least 1", opts.PerDraw)
	}
	ref, err := scenario.LoadScenariosWith(paths, sets)
	if err != nil {
		return nil, nil, err
	}
	if len(ref) < 2 {
		return nil, nil, errors.New("sim: compare needs at least two scenarios")
	}
	if err := checkComparable(ref); err != nil {
		return nil, nil, err
	}
	first := 0
	for _, sc := range ref[1:] {
		if w := firstDifference(ref[0], sc); w > 0 && (first == 0 || w < first) {
			first = w
		}
	}
	horizons, err := compareHorizons(opts.Horizons, ref[0].Clock.Weeks, first)
	if err != nil {
		return nil, nil, err
	}
	if err := prepareComparison(opts.OutDir, opts.Force); err != nil {
		return nil, nil, err
	}
	var probes []ensemble.Probe
	for m := range model.NumMetrics {
		for _, h := range horizons {
			probes = append(probes, ensemble.Probe{Metric: m, From: max(1, h-HorizonWindow+1), To: h})
		}
	}

	// The worlds of each particle drawn, built once.
	draws := post.draws(seed, replicates, opts.PerDraw)
	worlds := map[int][]*model.World{}
	for _, k := range draws {
		if worlds[k] != nil {
			continue
		}
		scs, err := scenario.LoadScenariosWith(paths, append(append([]scenario.Override(nil), sets...), post.Overrides(k)...))
		if err != nil {
			return nil, nil, fmt.Errorf("sim: %s: particle %d: %w", post.File, k, err)
		}
		for _, sc := range scs {
			w, err := sc.NewWorld()
			if err != nil {
				return nil, nil, fmt.Errorf("sim: %s: particle %d: %s: %w", post.File, k, sc.Name, err)
			}
			worlds[k] = append(worlds[k], w)
		}
	}

	// values[s][p][r], each replicate written at its own index by whichever worker ran it.
	values := make([][][]float64, len(ref))
	for s := range values {
		values[s] = make([][]float64, len(probes))
		for p := range probes {
			values[s][p] = make([]float64, replicates)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	jobs := make(chan int)
	errs := make([]error, replicates)
	ran := make([]bool, replicates)
	var wg sync.WaitGroup
	for range min(workers, replicates) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				cols := make([][]ensemble.Folder, len(ref))
				cs := make([]*ensemble.Collector, len(ref))
				for s := range ref {
					cs[s] = &ensemble.Collector{Probes: probes}
					cols[s] = []ensemble.Folder{cs[s]}
				}
				b := ensemble.Branched{Worlds: worlds[draws[r]], Weeks: ref[0].Clock.Weeks, Replicates: 1, First: r, Seed: seed, Workers: 1}
				if errs[r] = ensemble.RunBranched(ctx, b, cols); errs[r] != nil {
					continue
				}
				for s := range ref {
					for p := range probes {
						values[s][p][r] = cs[s].Values[p][0]
					}
				}
				ran[r] = true
			}
		}()
	}
	for r := range replicates {
		if ctx.Err() != nil {
			break
		}
		jobs <- r
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		done := 0
		for _, ok := range ran {
			if ok {
				done++
			}
		}
		return nil, nil, &CompareInterruptedError{Dir: opts.OutDir, N: len(ref),
			Err: &InterruptedError{Dir: opts.OutDir, Done: done, Total: replicates, Err: ctx.Err()}}
	}
	for r, err := range errs {
		if err != nil {
			var we *ensemble.WorldError
			k := 0
			if errors.As(err, &we) {
				k, err = we.World, we.Err
			}
			return nil, nil, fmt.Errorf("sim: %s, replicate %d (particle %d): %w", ref[k].Name, r, draws[r], err)
		}
	}

	c := &Comparison{Seed: seed, Replicates: replicates, Clock: ref[0].Clock, Horizons: horizons,
		FirstDifference: first, DefaultHorizons: len(opts.Horizons) == 0, PerDraw: opts.PerDraw}
	for _, sc := range ref {
		c.Scenarios = append(c.Scenarios, sc.Name)
	}
	var nonzero [model.NumMetrics]bool
	var vars []VarianceRow
	for p, pr := range probes {
		window := float64(pr.To - pr.From + 1)
		means := make([][]float64, len(ref))
		for s := range ref {
			means[s] = make([]float64, replicates)
			for r, v := range values[s][p] {
				means[s][r] = v / window
				if v != 0 {
					nonzero[pr.Metric] = true
				}
			}
		}
		for s := range ref {
			row := ComparisonRow{Metric: pr.Metric, Week: pr.To, Scenario: ref[s].Name, Value: Spread(means[s])}
			if s > 0 {
				d := DrawPairedDifference(means[s], means[0], opts.PerDraw, 0.95)
				row.Diff = &d
			}
			c.Rows = append(c.Rows, row)
			total, within := decompose(means[s], opts.PerDraw)
			vars = append(vars, VarianceRow{Metric: pr.Metric, Week: pr.To, Scenario: ref[s].Name,
				Total: total, Within: within, Between: max(0, total-within)})
		}
	}
	c.Metrics = opts.Metrics
	for _, m := range DefaultCompareMetrics {
		if len(opts.Metrics) > 0 {
			break
		}
		if nonzero[m] {
			c.Metrics = append(c.Metrics, m)
		} else {
			c.Dropped = append(c.Dropped, m)
		}
	}
	if err := post.writeDraws(opts.OutDir, draws, opts.PerDraw); err != nil {
		return nil, nil, err
	}
	if err := writeVariance(opts.OutDir, vars, opts.PerDraw); err != nil {
		return nil, nil, err
	}
	if err := WriteFileAtomic(filepath.Join(opts.OutDir, ComparisonFile), c.writeCSV); err != nil {
		return nil, nil, err
	}
	if err := WriteFileAtomic(filepath.Join(opts.OutDir, ComparisonTextFile), c.Summary); err != nil {
		return nil, nil, err
	}
	return c, vars, nil
}

// draws lists the particle each of the replicates runs: replicate r runs draw r / perDraw.
func (p *Posterior) draws(seed uint64, replicates, perDraw int) []int {
	out := make([]int, replicates)
	for r := range out {
		out[r] = p.Draw(seed, r/perDraw)
	}
	return out
}

// writeDraws writes dir/posterior_draws.csv: each replicate's draw, particle and values.
func (p *Posterior) writeDraws(dir string, draws []int, perDraw int) error {
	return WriteFileAtomic(filepath.Join(dir, PosteriorDrawsFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(append([]string{"replicate", "draw", "particle"}, p.Keys...))
		for r, k := range draws {
			rec := []string{strconv.Itoa(r), strconv.Itoa(r / perDraw), strconv.Itoa(k)}
			for _, x := range p.Particles[k] {
				rec = append(rec, scenario.FormatG(x))
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	})
}

// writeVariance writes dir/variance.csv: the rows of the variance decomposition.
func writeVariance(dir string, vars []VarianceRow, perDraw int) error {
	return WriteFileAtomic(filepath.Join(dir, VarianceFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"metric", "week", "scenario", "replicates_per_draw", "total_var", "within_var", "between_var", "between_share"})
		f := func(x float64) string {
			if math.IsNaN(x) {
				return ""
			}
			return strconv.FormatFloat(x, 'g', 10, 64)
		}
		for _, v := range vars {
			share := math.NaN()
			if v.Total > 0 {
				share = v.Between / v.Total
			}
			cw.Write([]string{v.Metric.String(), strconv.Itoa(v.Week), v.Scenario, strconv.Itoa(perDraw),
				f(v.Total), f(v.Within), f(v.Between), f(share)})
		}
		cw.Flush()
		return cw.Error()
	})
}

// decompose returns the variance of xs (n - 1 in the denominator) and the pooled variance
// within consecutive blocks of perDraw values (the replicates of one draw; a last, shorter
// block counts if it has two): sum of squares about each block's mean over the sum of
// (block size - 1). NaN for either without the replicates it needs.
func decompose(xs []float64, perDraw int) (total, within float64) {
	total, within = math.NaN(), math.NaN()
	if n := len(xs); n >= 2 {
		mean := 0.0
		for _, x := range xs {
			mean += x
		}
		mean /= float64(n)
		ss := 0.0
		for _, x := range xs {
			ss += float64((x - mean) * (x - mean))
		}
		total = ss / float64(n-1)
	}
	ss, df := 0.0, 0
	for from := 0; from < len(xs); from += perDraw {
		block := xs[from:min(from+perDraw, len(xs))]
		if len(block) < 2 {
			continue
		}
		mean := 0.0
		for _, x := range block {
			mean += x
		}
		mean /= float64(len(block))
		for _, x := range block {
			ss += float64((x - mean) * (x - mean))
		}
		df += len(block) - 1
	}
	if df > 0 {
		within = ss / float64(df)
	}
	return total, within
}
