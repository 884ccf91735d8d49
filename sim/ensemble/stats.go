package ensemble

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cartelsim/cartelsim/model"
)

// ExactQuantileLimit is how many replicates' values an accumulator keeps: up to this
// many replicates, every quantile is exact. They are the first CentreReplicates, which
// fix the sketch's centre, so memory does not grow with replicates.
const ExactQuantileLimit = CentreReplicates

// QuantileAccuracy bounds the error of quantiles beyond ExactQuantileLimit replicates.
// From then on values go to a DDSketch (Masson, Rim & Lee, VLDB 2019) of their
// deviations from a fixed centre c, the median of the first CentreReplicates replicates'
// values (a shard that does not own them simulates them to learn c).
// DDSketch's error is relative to what it stores, so a reported quantile is within 1%
// of |x - c|, plus ZeroBand of the first replicates' range, of the order statistic x of
// rank floor(q(n-1)): the error scales with the spread across replicates, not with the
// level (members vary by ~0.5% between replicates, so an error relative to the level
// would merge the whole band into one bucket). Values are clamped to the exact minimum
// and maximum. Memory per accumulator is the first replicates' values plus a bucket
// (8 bytes) per 2% step between ZeroBand of their range and the largest deviation,
// whatever the number of replicates. On the 780-week baseline at 400 replicates the
// largest error of a quantile of any week and metric is 0.45% of its exact value and 0.7%
// of the band p05-p95 (TestSketchAccuracyOnTheBaseline).
const QuantileAccuracy = 0.01

// Quantiles are the levels reported in timeseries.csv, as p05, p25, p50, p75, p95. A
// quantile q of n values is the order statistic of 0-based rank floor(q(n-1)) (numpy's
// "lower" method): always a value some replicate produced.
var Quantiles = [5]float64{0.05, 0.25, 0.50, 0.75, 0.95}

// CumulativeMetrics are the flows of events that most weeks have none of (leaders
// removed, splits, extraditions, civilian casualties, ...): a weekly median of them sits
// at 0 or flickers between 0 and 1, so the plots draw their running totals instead. An
// ensemble also folds each replicate's running total of these from week 1, so that the
// bands of the totals are quantiles of the replicates' own totals (the sum of weekly
// quantiles is not a quantile of the sum).
var CumulativeMetrics = []model.Metric{model.LeadersRemoved, model.Splits, model.Collapses, model.NewGroups,
	model.Dissolutions, model.Dispersed, model.LabsDestroyed, model.CivilianCasualties, model.Extraditions,
	model.Retaliation, model.GrievanceRecruits, model.USCasualties}

// Ensemble folds whole replicate series (weeks x metrics values, week-major) into one
// Running per week and metric, and per week and CumulativeMetrics member (of those
// below metrics) for its running total. Metrics declared idle (those a world cannot
// produce, model.World.Produces) are not held: they must be 0 in every week, and their
// summaries are those of zeros.
type Ensemble struct {
	Weeks, metrics int
	cumulative     []int     // the series' columns whose running totals are folded too
	idle           []bool    // by metric: not held, 0 in every week
	held           []int     // the series' columns held, in order
	heldTotals     []int     // the indexes in cumulative of the running totals held
	slot           []int     // by column of a week (metrics, then running totals): its cell in a week, or -1
	Annex          int       // cells after the weeks': a run's per-state values (statePlan), no running totals
	Votes          []float64 // after the annex in a series: a run's per-state votes (statePlan), summed only
	n              int       // replicates folded
	Cells          []Running
	totals         []float64 // Fold's scratch: running totals
}

// NewEnsemble returns an empty ensemble for series of the given shape that holds every
// metric.
func NewEnsemble(weeks, metrics int) *Ensemble { return newEnsemble(weeks, metrics, nil) }

// NewWorldEnsemble returns an empty ensemble for a world's series over weeks, holding
// only the metrics the world can produce.
func NewWorldEnsemble(w *model.World, weeks int) *Ensemble {
	return newEnsemble(weeks, int(model.NumMetrics), IdleMetrics(w))
}

// IdleMetrics lists the metrics a world cannot produce.
func IdleMetrics(w *model.World) []string {
	var idle []string
	for m := range model.NumMetrics {
		if !w.Produces(m) {
			idle = append(idle, m.String())
		}
	}
	return idle
}

// newEnsemble returns an empty ensemble that does not hold the metrics named in idle.
func newEnsemble(weeks, metrics int, idle []string) *Ensemble {
	return newAnnexedEnsemble(weeks, metrics, idle, 0)
}

// newAnnexedEnsemble returns an empty ensemble that also holds annex values after each
// series' weeks (the per-state values of a StatePlan), folded as they come.
func newAnnexedEnsemble(weeks, metrics int, idle []string, annex int) *Ensemble {
	return NewVotingEnsemble(weeks, metrics, idle, annex, 0)
}

// NewVotingEnsemble returns an empty ensemble that also holds annex values and then
// votes, which it only sums, after each series' weeks (a StatePlan's cells and votes).
func NewVotingEnsemble(weeks, metrics int, idle []string, annex, votes int) *Ensemble {
	e := &Ensemble{Weeks: weeks, metrics: metrics, idle: make([]bool, metrics), Annex: annex, Votes: make([]float64, votes)}
	for _, name := range idle {
		if m, ok := model.ParseMetric(name); ok && int(m) < metrics {
			e.idle[m] = true
		}
	}
	for _, m := range CumulativeMetrics {
		if int(m) < metrics {
			e.cumulative = append(e.cumulative, int(m))
		}
	}
	e.slot = make([]int, e.columns())
	for c := range e.slot {
		e.slot[c] = -1
		m := c
		if c >= metrics {
			m = e.cumulative[c-metrics]
		}
		if e.idle[m] {
			continue
		}
		e.slot[c] = len(e.held) + len(e.heldTotals)
		if c < metrics {
			e.held = append(e.held, c)
		} else {
			e.heldTotals = append(e.heldTotals, c-metrics)
		}
	}
	e.Cells = make([]Running, weeks*e.Width()+annex)
	e.totals = make([]float64, len(e.cumulative))
	// The first replicates' values of every cell in one block: growing each cell's on its
	// own took six allocations a cell, a hundred thousand an ensemble.
	exact := make([]float64, len(e.Cells)*ExactQuantileLimit)
	for i := range e.Cells {
		e.Cells[i].init()
		e.Cells[i].Exact = exact[i*ExactQuantileLimit : i*ExactQuantileLimit : (i+1)*ExactQuantileLimit]
	}
	return e
}

// idleNames lists the metrics the ensemble does not hold, for checkpoints.
func (e *Ensemble) IdleNames() []string {
	var names []string
	for m, idle := range e.idle {
		if idle {
			names = append(names, model.Metric(m).String())
		}
	}
	return names
}

// columns is the number of columns a week has: the metrics, then the running totals.
func (e *Ensemble) columns() int { return e.metrics + len(e.cumulative) }

// width is the number of cells held per week.
func (e *Ensemble) Width() int { return len(e.held) + len(e.heldTotals) }

// values calls f with the value of every cell held from one replicate's series, in cell
// order, after checking that the idle metrics are 0.
func (e *Ensemble) Values(series []float64, f func(cell int, x float64) error) error {
	clear(e.totals)
	width := e.Width()
	for w := range e.Weeks {
		row := series[w*e.metrics : (w+1)*e.metrics]
		for m, x := range row {
			if x != 0 && e.idle[m] {
				return fmt.Errorf("week %d, %s: %v in a world that cannot produce it (model.World.Produces)", w+1, model.Metric(m), x)
			}
		}
		cells := w * width
		for k, m := range e.held {
			if err := f(cells+k, row[m]); err != nil {
				return fmt.Errorf("week %d, %s: %w", w+1, model.Metric(m), err)
			}
		}
		cells += len(e.held)
		for k, c := range e.heldTotals {
			m := e.cumulative[c]
			e.totals[c] += row[m]
			if err := f(cells+k, e.totals[c]); err != nil {
				return fmt.Errorf("week %d, %s (running total): %w", w+1, model.Metric(m), err)
			}
		}
	}
	base, off := e.Weeks*width, e.Weeks*e.metrics
	for i := range e.Annex {
		if err := f(base+i, series[off+i]); err != nil {
			return fmt.Errorf("per-state value %d: %w", i, err)
		}
	}
	return nil
}

// annexSummary returns the statistics of annex value i.
func (e *Ensemble) AnnexSummary(i int) Summary {
	return e.Cells[e.Weeks*e.Width()+i].Summary()
}

// Fold adds one replicate's series. Replicates may come in any order, but those from
// ExactQuantileLimit on need the centres, which an ensemble sets itself once it holds
// every replicate below (see Run for ensembles folded in parts).
func (e *Ensemble) Fold(rep int, series []float64) error {
	if rep >= ExactQuantileLimit && !e.Centred() {
		if err := e.fixCentres(); err != nil {
			return err
		}
	}
	err := e.Values(series, func(i int, x float64) error { return e.Cells[i].add(rep, x) })
	if err != nil {
		return fmt.Errorf("replicate %d, %w", rep, err)
	}
	off := e.Weeks*e.metrics + e.Annex
	for i, x := range series[off : off+len(e.Votes)] {
		e.Votes[i] += x
	}
	e.n++
	return nil
}

// centred says whether the sketches' centres are set.
func (e *Ensemble) Centred() bool { return len(e.Cells) == 0 || e.Cells[0].centred }

// fixCentres sets the sketches' centres from the first CentreReplicates replicates,
// which the ensemble must hold.
func (e *Ensemble) fixCentres() error {
	for i := range e.Cells {
		c := &e.Cells[i]
		if len(c.Exact) != CentreReplicates {
			return fmt.Errorf("sim: the quantile sketches' centres need the first %d replicates; the statistics hold %d of them", CentreReplicates, len(c.Exact))
		}
		c.setCentre(centreOf(c.Exact))
	}
	return nil
}

// part returns an empty ensemble of the same shape and centres, for a worker to fold
// into and Merge back.
func (e *Ensemble) part() *Ensemble {
	p := NewVotingEnsemble(e.Weeks, e.metrics, e.IdleNames(), e.Annex, len(e.Votes))
	p.copyCentres(e)
	return p
}

// copyCentres sets e's centres to o's, when o has them.
func (e *Ensemble) copyCentres(o *Ensemble) {
	for i := range e.Cells {
		if o.Cells[i].centred {
			e.Cells[i].setCentre(centre{o.Cells[i].Centre, o.Cells[i].Tiny})
		}
	}
}

// reset empties the ensemble, keeping its centres and memory.
func (e *Ensemble) reset() {
	e.n = 0
	for i := range e.Cells {
		e.Cells[i].reset()
	}
	clear(e.Votes)
}

// Merge adds another ensemble of the same shape, as if its replicates had been folded
// into e.
func (e *Ensemble) Merge(o *Ensemble) error { return e.mergeFrom(o, false) }

// sameShape says whether o's statistics can merge into e's: the same weeks, metrics,
// per-state values, dominance votes and idle metrics.
func (e *Ensemble) sameShape(o *Ensemble) error {
	if e.Weeks != o.Weeks || e.metrics != o.metrics || e.Annex != o.Annex || len(e.Votes) != len(o.Votes) || len(e.Cells) != len(o.Cells) || !slices.Equal(e.idle, o.idle) {
		return fmt.Errorf("sim: cannot merge %dx%d statistics into %dx%d", o.Weeks, o.metrics, e.Weeks, e.metrics)
	}
	return nil
}

// mergeFrom merges o into e; with take, o is not used again and e may take its parts.
func (e *Ensemble) mergeFrom(o *Ensemble, take bool) error {
	if err := e.sameShape(o); err != nil {
		return err
	}
	for i := range e.Cells {
		if err := e.Cells[i].mergeFrom(&o.Cells[i], take); err != nil {
			return err
		}
	}
	for i, x := range o.Votes {
		e.Votes[i] += x
	}
	e.n += o.n
	return nil
}

// mergeGrain is the fewest cells a goroutine of mergeParts merges: below it, starting
// one costs more than it saves.
const MergeGrain = 512

// mergeParts merges parts into e, as mergeFrom would one after another, with the cells
// divided among up to workers goroutines (each cell merges on its own, taking the parts
// in order, so the result is the same for any number). With final, the parts are not
// used again and e may take theirs; otherwise each part is emptied for more, keeping its
// centres and memory (reset). On a part of another shape nothing is merged.
func (e *Ensemble) mergeParts(parts []*Ensemble, final bool, workers int) error {
	for _, o := range parts {
		if err := e.sameShape(o); err != nil {
			return err
		}
	}
	n := len(e.Cells)
	workers = max(1, min(workers, n/MergeGrain))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				for _, o := range parts {
					if err := e.Cells[i].mergeFrom(&o.Cells[i], final); err != nil {
						errs[w] = err
						return
					}
					if !final {
						o.Cells[i].reset()
					}
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, o := range parts {
		e.n += o.n
		for i, x := range o.Votes {
			e.Votes[i] += x
		}
		if !final {
			o.n = 0
			clear(o.Votes)
		}
	}
	return nil
}

// N is the number of replicates folded.
func (e *Ensemble) N() int { return e.n }

// cell returns the summary of column c (a metric, or metrics+k for the k-th running
// total) in week w (1-based).
func (e *Ensemble) cell(w, c int) Summary {
	k := e.slot[c]
	if k < 0 {
		return zeroSummary(e.n)
	}
	return e.Cells[(w-1)*e.Width()+k].Summary()
}

// zeroSummary is the summary of n zeros.
func zeroSummary(n int) Summary {
	if n == 0 {
		return NewRunning().Summary()
	}
	return Summary{N: n}
}

// Summary returns the statistics of metric m in week w (1-based).
func (e *Ensemble) Summary(w, m int) Summary { return e.cell(w, m) }

// Summaries computes every week's and metric's statistics once (each may sort up to
// ExactQuantileLimit values), for the writers that all need them.
func (e *Ensemble) Summaries() Table {
	cols := e.columns()
	t := Table{metrics: e.metrics, columns: cols, cumulative: e.cumulative, cells: make([]Summary, e.Weeks*cols)}
	for w := range e.Weeks {
		for c := range cols {
			t.cells[w*cols+c] = e.cell(w+1, c)
		}
	}
	return t
}

// centreFinder is a Folder that fixes the sketch centres of an ensemble from the first
// CentreReplicates replicates, for a shard whose own replicates do not include them.
type centreFinder struct {
	ens    *Ensemble
	values [][]float64 // by cell, the replicates' values
}

func NewCentreFinder(ens *Ensemble) *centreFinder {
	return &centreFinder{ens: ens, values: make([][]float64, len(ens.Cells))}
}

// FoldsStates makes centreFinder a StateFolder: the per-state values have centres too.
func (c *centreFinder) FoldsStates() {}

func (c *centreFinder) Fold(_ int, series []float64) error {
	return c.ens.Values(series, func(i int, x float64) error {
		c.values[i] = append(c.values[i], x)
		return nil
	})
}

// apply sets the centres once every replicate is in.
func (c *centreFinder) Apply() {
	for i := range c.ens.Cells {
		c.ens.Cells[i].setCentre(centreOf(c.values[i]))
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
