package calibrate

import (
	"context"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// NewScenarioSimulator reads the scenario at path (with the overrides set) and finds the
// weeks each target reads, as a calibration file's scenario and targets would: the
// simulator a check of a calibrated scenario runs with no free parameters (Simulate with
// an empty theta), targets the fit left out included.
func NewScenarioSimulator(path string, set []scenario.Override, targets []Target) (*ScenarioSimulator, error) {
	sc, err := scenario.LoadScenarioWith(path, set)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	s := &ScenarioSimulator{Path: path, Set: set, scenario: sc}
	for _, t := range targets {
		w, err := s.window(t)
		if err != nil {
			return nil, fmt.Errorf("calibrate: %s: %s: %v", path, t.Label(), err)
		}
		s.windows = append(s.windows, w)
	}
	return s, nil
}

// Seed is the scenario's seed, from which SimulateChunks and SimulateChunksAt runs
// usually start.
func (s *ScenarioSimulator) Seed() uint64 { return s.scenario.Seed }

// SimulateChunks runs replicates replicates of the scenario, in chunks of chunk
// replicates on up to workers goroutines, chunk k from the seed seed+k: the values (one
// row per replicate, one column per target) depend on the chunk size, never on workers.
func (s *ScenarioSimulator) SimulateChunks(ctx context.Context, seed uint64, replicates, chunk, workers int) ([][]float64, error) {
	return s.SimulateChunksAt(ctx, seed, replicates, chunk, workers, nil)
}

// SimulateChunksAt is SimulateChunks with chunk k run at the free parameters theta(k) (in
// the order of s.Keys), as posterior-predictive runs draw a parameter set per chunk; a nil
// theta runs every chunk at the scenario's own values.
func (s *ScenarioSimulator) SimulateChunksAt(ctx context.Context, seed uint64, replicates, chunk, workers int, theta func(k int) []float64) ([][]float64, error) {
	if chunk < 1 {
		chunk = 1
	}
	n := (replicates + chunk - 1) / chunk
	parts := make([][][]float64, n)
	err := parallel(ctx, n, max(1, workers), func(k int) error {
		r := min(chunk, replicates-k*chunk)
		var at []float64
		if theta != nil {
			at = theta(k)
		}
		out, err := s.Simulate(ctx, at, seed+uint64(k), r)
		parts[k] = out
		return err
	})
	if err != nil {
		return nil, err
	}
	var all [][]float64
	for _, p := range parts {
		all = append(all, p...)
	}
	return all, nil
}

// Bands are the targets' quantiles over replicates (values: one row per replicate, one
// column per target, as Simulate returns them), each replicate weighing the same.
func Bands(targets []Target, values [][]float64) []Band {
	bands := make([]Band, len(targets))
	for t, tg := range targets {
		v := make([]float64, 0, len(values))
		for _, row := range values {
			v = append(v, row[t])
		}
		slices.Sort(v)
		bands[t] = Band{Target: tg, Mean: stat.Mean(v, nil),
			P05: stat.Quantile(0.05, stat.Empirical, v, nil),
			P50: stat.Quantile(0.5, stat.Empirical, v, nil),
			P95: stat.Quantile(0.95, stat.Empirical, v, nil)}
	}
	return bands
}

// Fit judges a run against a series of observed values (the targets named name): how many
// observed values fall inside the model's 90% band, the correlation of the model's median
// with the observed series, and the model's median over the observed value in the first
// year.
type Fit struct {
	Years       int     // observed values of the series
	Covered     int     // of them inside [p05, p95]
	Correlation float64 // Pearson, median against observed, by year
	FirstRatio  float64 // the first year's median over its observed value
}

// FitOf judges the series name of bands (one per target, in years' order).
func FitOf(bands []Band, name string) Fit {
	var f Fit
	var med, obs []float64
	for _, b := range bands {
		if b.Target.Name != name {
			continue
		}
		if f.Years == 0 {
			f.FirstRatio = b.P50 / b.Target.Observed
		}
		f.Years++
		if b.P05 <= b.Target.Observed && b.Target.Observed <= b.P95 {
			f.Covered++
		}
		med, obs = append(med, b.P50), append(obs, b.Target.Observed)
	}
	if f.Years > 1 {
		f.Correlation = stat.Correlation(med, obs, nil)
	}
	return f
}

// WriteBandPlot writes a PNG of one target series: the model's 90% band and median by
// year, and the observed values with their 90% intervals (observed +- 1.645 sd), those
// of the years after lastFitted (kept out of the fit) drawn open; math.MaxInt draws every
// year as fitted.
func WriteBandPlot(path, name, title string, bands []Band, lastFitted int) error {
	p, err := predictivePlot(name, bands, lastFitted)
	if err != nil {
		return err
	}
	p.Title.Text = title
	return sim.SavePNG(p, plotWidth, plotHeight, path)
}
