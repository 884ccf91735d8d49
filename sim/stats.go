package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/cartelsim/cartelsim/model"
)

// ExactQuantileLimit is how many values an accumulator keeps: up to this many
// replicates, every quantile is exact.
const ExactQuantileLimit = 1000

// QuantileAccuracy bounds the error of quantiles beyond ExactQuantileLimit replicates.
// From then on values go to a DDSketch (Masson, Rim & Lee, VLDB 2019) of their
// deviations from a fixed centre c, the median of the first CentreReplicates replicates'
// values (a shard that does not own them simulates them to learn c).
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

// CentreReplicates is how many replicates fix a sketch's centre (see QuantileAccuracy).
const CentreReplicates = 32

// Running accumulates one quantity across replicates: the exact sum and sum of squares
// (so the mean and variance are rounded once, at the end, and do not depend on the
// order of the values), the exact range and the quantiles described at
// QuantileAccuracy. Every part merges exactly, so a run folded in one pass, resumed from
// a checkpoint or merged from shards gives the same bytes.
type Running struct {
	n          int
	sum, sumsq exactSum
	min, max   float64
	exact      []float64          // values of replicates below ExactQuantileLimit
	sketch     *ddsketch.DDSketch // deviations from centre of later replicates
	centre     float64
	centred    bool
	prefix     int // replicates 0..prefix-1 were the first folded, in order
}

// NewRunning returns an empty accumulator.
func NewRunning() *Running {
	r := &Running{}
	r.init()
	return r
}

func (r *Running) init() { r.min, r.max = math.Inf(1), math.Inf(-1) }

// Add folds in the next value, as replicate number n (values in replicate order).
func (r *Running) Add(x float64) {
	if err := r.add(r.n, x); err != nil {
		panic(err)
	}
}

// errNotFinite reports a value the statistics cannot hold.
var errNotFinite = errors.New("sim: a metric is not finite (or its square is not)")

// add folds in the value of replicate rep.
func (r *Running) add(rep int, x float64) error {
	sq := x * x
	if math.IsInf(sq, 0) || math.IsNaN(sq) {
		return fmt.Errorf("%w: %v", errNotFinite, x)
	}
	if rep == r.prefix && r.prefix == r.n {
		r.prefix++
	}
	r.n++
	r.sum.add(x)
	r.sumsq.add(sq)
	r.sumsq.add(math.FMA(x, x, -sq)) // the rounding error of sq: x^2 exactly, bar underflow
	r.min = min(r.min, x)
	r.max = max(r.max, x)
	if rep < ExactQuantileLimit {
		r.exact = append(r.exact, x)
		return nil
	}
	if !r.centred {
		if r.prefix < CentreReplicates {
			return fmt.Errorf("sim: replicate %d needs the quantile sketch's centre, which the first %d replicates fix", rep, CentreReplicates)
		}
		r.setCentre(upperMedian(r.exact[:CentreReplicates]))
	}
	if r.sketch == nil {
		r.sketch = newSketch()
	}
	// DDSketch rejects only NaN and values beyond ±1.8e308, excluded above.
	_ = r.sketch.Add(x - r.centre)
	return nil
}

func (r *Running) setCentre(c float64) { r.centre, r.centred = c, true }

// upperMedian is sorted[len/2] of a copy of xs.
func upperMedian(xs []float64) float64 { return slices.Sorted(slices.Values(xs))[len(xs)/2] }

func newSketch() *ddsketch.DDSketch {
	s, err := ddsketch.NewDefaultDDSketch(QuantileAccuracy)
	if err != nil {
		panic(fmt.Sprintf("sim: ddsketch rejected accuracy %v: %v", QuantileAccuracy, err))
	}
	return s
}

// merge adds another accumulator's values, as if they had been added to r.
func (r *Running) merge(o *Running) error {
	if o.centred {
		if r.centred && r.centre != o.centre {
			return fmt.Errorf("sim: cannot merge statistics with different sketch centres (%v, %v)", r.centre, o.centre)
		}
		r.setCentre(o.centre)
	}
	r.n += o.n
	r.prefix = 0 // nothing is added after a merge
	r.sum.merge(&o.sum)
	r.sumsq.merge(&o.sumsq)
	r.min = min(r.min, o.min)
	r.max = max(r.max, o.max)
	r.exact = append(r.exact, o.exact...)
	if o.sketch != nil {
		if r.sketch == nil {
			r.sketch = newSketch()
		}
		if err := r.sketch.MergeWith(o.sketch); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
	}
	return nil
}

// Summary returns the statistics so far.
func (r *Running) Summary() Summary {
	s := Summary{N: r.n}
	var variance float64
	s.Mean, variance = exactMoments(r.n, &r.sum, &r.sumsq)
	s.SD = math.Sqrt(variance)
	if r.n == 0 {
		for i := range s.Q {
			s.Q[i] = math.NaN()
		}
		return s
	}
	if r.n == len(r.exact) {
		sorted := slices.Sorted(slices.Values(r.exact))
		for i, q := range Quantiles {
			s.Q[i] = sorted[int(math.Floor(q*float64(r.n-1)))]
		}
		return s
	}
	sk := r.sketch.Copy()
	for _, v := range r.exact {
		_ = sk.Add(v - r.centre)
	}
	for i, q := range Quantiles {
		v, _ := sk.GetValueAtQuantile(q)
		s.Q[i] = min(max(r.centre+v, r.min), r.max)
	}
	return s
}

// CumulativeMetrics are the flows of events that most weeks have none of (leaders
// removed, splits, extraditions, civilian casualties, ...): a weekly median of them sits
// at 0 or flickers between 0 and 1, so the plots draw their running totals instead. An
// ensemble also folds each replicate's running total of these from week 1, so that the
// bands of the totals are quantiles of the replicates' own totals (the sum of weekly
// quantiles is not a quantile of the sum).
var CumulativeMetrics = []model.Metric{model.LeadersRemoved, model.Splits, model.Collapses, model.NewGroups,
	model.Dissolutions, model.Dispersed, model.LabsDestroyed, model.CivilianCasualties, model.Extraditions,
	model.Retaliation, model.GrievanceRecruits}

// Ensemble folds whole replicate series (weeks x metrics values, week-major) into one
// Running per week and metric, and per week and CumulativeMetrics member (of those
// below metrics) for its running total.
type Ensemble struct {
	weeks, metrics int
	cumulative     []int // the series' columns whose running totals are folded too
	cells          []Running
	totals         []float64 // Fold's scratch: running totals
}

// NewEnsemble returns an empty ensemble for series of the given shape.
func NewEnsemble(weeks, metrics int) *Ensemble {
	e := &Ensemble{weeks: weeks, metrics: metrics}
	for _, m := range CumulativeMetrics {
		if int(m) < metrics {
			e.cumulative = append(e.cumulative, int(m))
		}
	}
	e.cells = make([]Running, weeks*e.columns())
	e.totals = make([]float64, len(e.cumulative))
	for i := range e.cells {
		e.cells[i].init()
	}
	return e
}

// columns is the number of cells a week has: the metrics, then the running totals.
func (e *Ensemble) columns() int { return e.metrics + len(e.cumulative) }

// values calls f with every cell's value from one replicate's series, in cell order.
func (e *Ensemble) values(series []float64, f func(cell int, x float64) error) error {
	clear(e.totals)
	cols := e.columns()
	for w := range e.weeks {
		row := series[w*e.metrics : (w+1)*e.metrics]
		for m, x := range row {
			if err := f(w*cols+m, x); err != nil {
				return fmt.Errorf("week %d, %s: %w", w+1, model.Metric(m), err)
			}
		}
		for k, m := range e.cumulative {
			e.totals[k] += row[m]
			if err := f(w*cols+e.metrics+k, e.totals[k]); err != nil {
				return fmt.Errorf("week %d, %s (running total): %w", w+1, model.Metric(m), err)
			}
		}
	}
	return nil
}

// Fold adds one replicate's series.
func (e *Ensemble) Fold(rep int, series []float64) error {
	err := e.values(series, func(i int, x float64) error { return e.cells[i].add(rep, x) })
	if err != nil {
		return fmt.Errorf("replicate %d, %w", rep, err)
	}
	return nil
}

// Merge adds another ensemble of the same shape, as if its replicates had been folded
// into e.
func (e *Ensemble) Merge(o *Ensemble) error {
	if e.weeks != o.weeks || e.metrics != o.metrics || len(e.cells) != len(o.cells) {
		return fmt.Errorf("sim: cannot merge %dx%d statistics into %dx%d", o.weeks, o.metrics, e.weeks, e.metrics)
	}
	for i := range e.cells {
		if err := e.cells[i].merge(&o.cells[i]); err != nil {
			return err
		}
	}
	return nil
}

// N is the number of replicates folded.
func (e *Ensemble) N() int { return e.cells[0].n }

// Summary returns the statistics of metric m in week w (1-based).
func (e *Ensemble) Summary(w, m int) Summary { return e.cells[(w-1)*e.columns()+m].Summary() }

// Summaries computes every week's and metric's statistics once (each may sort up to
// ExactQuantileLimit values), for the writers that all need them.
func (e *Ensemble) Summaries() Table {
	t := Table{metrics: e.metrics, columns: e.columns(), cumulative: e.cumulative, cells: make([]Summary, len(e.cells))}
	for i := range e.cells {
		t.cells[i] = e.cells[i].Summary()
	}
	return t
}

// centreFinder is a Folder that fixes the sketch centres of an ensemble from the first
// CentreReplicates replicates, for a shard whose own replicates do not include them.
type centreFinder struct {
	ens    *Ensemble
	values [][]float64 // by cell, the replicates' values
}

func newCentreFinder(ens *Ensemble) *centreFinder {
	return &centreFinder{ens: ens, values: make([][]float64, len(ens.cells))}
}

func (c *centreFinder) Fold(_ int, series []float64) error {
	return c.ens.values(series, func(i int, x float64) error {
		c.values[i] = append(c.values[i], x)
		return nil
	})
}

// apply sets the centres once every replicate is in.
func (c *centreFinder) apply() {
	for i := range c.ens.cells {
		c.ens.cells[i].setCentre(upperMedian(c.values[i]))
	}
}

// Table holds the summaries of an ensemble by week and metric, and of the running totals
// of CumulativeMetrics.
type Table struct {
	metrics, columns int
	cumulative       []int
	cells            []Summary
}

// At returns the summary of metric m in week w (1-based).
func (t Table) At(w, m int) Summary { return t.cells[(w-1)*t.columns+m] }

// Total returns the summary of the replicates' running totals of metric m from week 1
// to week w, for m in CumulativeMetrics.
func (t Table) Total(w int, m model.Metric) (Summary, bool) {
	k := slices.Index(t.cumulative, int(m))
	if k < 0 {
		return Summary{}, false
	}
	return t.cells[(w-1)*t.columns+t.metrics+k], true
}
