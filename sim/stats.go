package sim

import (
	"fmt"
	"math"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"
)

// ExactQuantileLimit is how many values an accumulator keeps: up to this many
// replicates, every quantile is exact.
const ExactQuantileLimit = 1000

// QuantileAccuracy bounds the error of quantiles beyond ExactQuantileLimit replicates.
// From then on values go to a DDSketch (Masson, Rim & Lee, VLDB 2019) of their
// deviations from a fixed centre c, the median of the first ExactQuantileLimit values.
// DDSketch's error is relative to what it stores, so a reported quantile is within 0.5%
// of |x - c| of the order statistic x of rank floor(q(n-1)) or, below the centre, of
// rank one higher (DDSketch rounds fractional ranks the other way for values below its
// zero): the error scales with the spread across replicates,
// not with the level (members vary by ~0.5% between replicates, so an error relative to
// the level would merge the whole band into one bucket). Values are clamped to the exact
// minimum and maximum. Memory per accumulator is bounded by the exact buffer plus about
// 230 buckets per factor of 10 between the smallest and largest deviation, whatever the
// number of replicates.
const QuantileAccuracy = 0.005

// Quantiles are the levels reported in timeseries.csv, as p05, p25, p50, p75, p95. A
// quantile q of n values is the order statistic of 0-based rank floor(q(n-1)) (numpy's
// "lower" method): always a value some replicate produced.
var Quantiles = [5]float64{0.05, 0.25, 0.50, 0.75, 0.95}

// Summary describes one metric in one week across replicates.
type Summary struct {
	N        int
	Mean, SD float64 // SD is the sample standard deviation (n-1), 0 for one replicate
	Q        [len(Quantiles)]float64
}

// Running accumulates one quantity across replicates: Welford's mean and variance, the
// exact range and the quantiles described at QuantileAccuracy. Add values in replicate
// order for results that do not depend on scheduling.
type Running struct {
	n        int
	mean, m2 float64
	min, max float64
	exact    []float64          // the first ExactQuantileLimit values
	sketch   *ddsketch.DDSketch // deviations from centre, once exact is full
	centre   float64
}

// NewRunning returns an empty accumulator.
func NewRunning() *Running {
	return &Running{min: math.Inf(1), max: math.Inf(-1)}
}

// Add folds in one value.
func (r *Running) Add(x float64) {
	r.n++
	d := x - r.mean
	r.mean += d / float64(r.n)
	r.m2 += d * (x - r.mean)
	r.min = min(r.min, x)
	r.max = max(r.max, x)
	if len(r.exact) < ExactQuantileLimit {
		r.exact = append(r.exact, x)
		return
	}
	if r.sketch == nil {
		s, err := ddsketch.NewDefaultDDSketch(QuantileAccuracy)
		if err != nil {
			panic(fmt.Sprintf("sim: ddsketch rejected accuracy %v: %v", QuantileAccuracy, err))
		}
		sorted := slices.Sorted(slices.Values(r.exact))
		r.centre = sorted[len(sorted)/2]
		for _, v := range r.exact {
			_ = s.Add(v - r.centre)
		}
		r.sketch = s
	}
	// DDSketch rejects only NaN and values beyond ±1.8e308, which the model never makes.
	_ = r.sketch.Add(x - r.centre)
}

// Summary returns the statistics so far.
func (r *Running) Summary() Summary {
	s := Summary{N: r.n, Mean: r.mean}
	if r.n == 0 {
		nan := math.NaN()
		s.Mean, s.SD = nan, nan
		for i := range s.Q {
			s.Q[i] = nan
		}
		return s
	}
	if r.n > 1 {
		s.SD = math.Sqrt(r.m2 / float64(r.n-1))
	}
	if r.sketch == nil {
		sorted := slices.Sorted(slices.Values(r.exact))
		for i, q := range Quantiles {
			s.Q[i] = sorted[int(math.Floor(q*float64(r.n-1)))]
		}
		return s
	}
	for i, q := range Quantiles {
		v, _ := r.sketch.GetValueAtQuantile(q)
		s.Q[i] = min(max(r.centre+v, r.min), r.max)
	}
	return s
}

// Ensemble folds whole replicate series (weeks x metrics values, week-major) into one
// Running per week and metric.
type Ensemble struct {
	weeks, metrics int
	cells          []*Running
}

// NewEnsemble returns an empty ensemble for series of the given shape.
func NewEnsemble(weeks, metrics int) *Ensemble {
	e := &Ensemble{weeks: weeks, metrics: metrics, cells: make([]*Running, weeks*metrics)}
	for i := range e.cells {
		e.cells[i] = NewRunning()
	}
	return e
}

// Fold adds one replicate's series.
func (e *Ensemble) Fold(_ int, series []float64) error {
	for i, x := range series {
		e.cells[i].Add(x)
	}
	return nil
}

// Summary returns the statistics of metric m in week w (1-based).
func (e *Ensemble) Summary(w, m int) Summary { return e.cells[(w-1)*e.metrics+m].Summary() }

// Summaries computes every week's and metric's statistics once (each may sort up to
// ExactQuantileLimit values), for the writers that all need them.
func (e *Ensemble) Summaries() Table {
	t := Table{metrics: e.metrics, cells: make([]Summary, len(e.cells))}
	for i, c := range e.cells {
		t.cells[i] = c.Summary()
	}
	return t
}

// Table holds the summaries of an ensemble by week and metric.
type Table struct {
	metrics int
	cells   []Summary
}

// At returns the summary of metric m in week w (1-based).
func (t Table) At(w, m int) Summary { return t.cells[(w-1)*t.metrics+m] }
