package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/store"

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
// QuantileAccuracy. Every part merges exactly, and nothing depends on the order in which
// replicates come, so a run folded in one pass or by many workers, resumed from a
// checkpoint or merged from shards gives the same bytes.
type Running struct {
	n          int
	sum, sumsq exactSum
	min, max   float64
	exact      []float64          // values of replicates below ExactQuantileLimit
	sketch     *ddsketch.DDSketch // deviations from centre of later replicates
	centre     float64
	tiny       float64 // deviations below this count as 0 (ZeroBand)
	centred    bool
}

// NewRunning returns an empty accumulator.
func NewRunning() *Running {
	r := &Running{}
	r.init()
	return r
}

func (r *Running) init() { r.min, r.max = math.Inf(1), math.Inf(-1) }

// reset empties the accumulator, keeping its centre and its memory.
func (r *Running) reset() {
	r.n = 0
	r.sum, r.sumsq = exactSum{}, exactSum{}
	r.init()
	r.exact = r.exact[:0]
	if r.sketch != nil {
		r.sketch.Clear()
	}
}

// Add folds in the next value, as replicate number n (values in replicate order).
func (r *Running) Add(x float64) {
	if r.n == ExactQuantileLimit && !r.centred {
		r.setCentre(centreOf(r.exact))
	}
	if err := r.add(r.n, x); err != nil {
		panic(err)
	}
}

// errNotFinite reports a value the statistics cannot hold.
var errNotFinite = errors.New("sim: a metric is not finite (or its square is not)")

// add folds in the value of replicate rep; beyond ExactQuantileLimit, the centre must be
// set.
func (r *Running) add(rep int, x float64) error {
	sq := x * x
	if math.IsInf(sq, 0) || math.IsNaN(sq) {
		return fmt.Errorf("%w: %v", errNotFinite, x)
	}
	if rep >= ExactQuantileLimit && !r.centred {
		return fmt.Errorf("sim: replicate %d needs the quantile sketch's centre, which the first %d replicates fix", rep, CentreReplicates)
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
	if r.sketch == nil {
		r.sketch = newSketch()
	}
	// DDSketch rejects only NaN and values beyond ±1.8e308, excluded above.
	d := x - r.centre
	if math.Abs(d) < r.tiny {
		d = 0
	}
	_ = r.sketch.Add(d)
	return nil
}

func (r *Running) setCentre(c centre) { r.centre, r.tiny, r.centred = c.at, c.tiny, true }

// ZeroBand is the share of the first CentreReplicates replicates' range within which a
// later replicate's deviation from the centre counts as 0 in the sketch: it bounds the
// sketch's buckets from below, so that its memory does not grow as ever more replicates
// fall ever nearer the centre. It adds at most ZeroBand of that range to the error.
const ZeroBand = 1e-3

// centre is where a sketch is centred, and the deviations it takes for 0.
type centre struct{ at, tiny float64 }

// centreOf fixes a centre from the first replicates' values: their upper median
// (sorted[len/2]), and ZeroBand of their range.
func centreOf(xs []float64) centre {
	var room [CentreReplicates]float64 // sorted on the stack: an ensemble fixes tens of thousands
	sorted := append(room[:0], xs...)
	slices.Sort(sorted)
	return centre{sorted[len(xs)/2], ZeroBand * (sorted[len(xs)-1] - sorted[0])}
}

// newSketch returns an empty sketch with dense stores: with deviations below ZeroBand
// taken for 0, their buckets span a bounded range, which a dense store holds in less
// memory than a paginated one once many replicates have filled it.
// The mapping is the library's default, made portable (portableMapping).
func newSketch() *ddsketch.DDSketch {
	return ddsketch.NewDDSketch(sketchMapping, store.NewDenseStore(), store.NewDenseStore())
}

var sketchMapping = newPortableMapping(QuantileAccuracy)

// mergeFrom merges o into r; with take, o is not used again and r may take its sketch.
func (r *Running) mergeFrom(o *Running, take bool) error {
	if o.centred {
		if r.centred && (r.centre != o.centre || r.tiny != o.tiny) {
			return fmt.Errorf("sim: cannot merge statistics with different sketch centres (%v, %v)", r.centre, o.centre)
		}
		r.setCentre(centre{o.centre, o.tiny})
	}
	r.n += o.n
	r.sum.merge(&o.sum)
	r.sumsq.merge(&o.sumsq)
	r.min = min(r.min, o.min)
	r.max = max(r.max, o.max)
	r.exact = append(r.exact, o.exact...)
	if o.sketch != nil {
		if r.sketch == nil && take {
			r.sketch, o.sketch = o.sketch, nil
			return nil
		}
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
		s.Q[i] = min(max(r.centre+sketchValue(sk, math.Floor(q*float64(r.n-1))), r.min), r.max)
	}
	return s
}

// sketchValue returns the value a sketch gives the order statistic of 0-based rank k: its
// bucket's value, within the sketch's relative accuracy of it. (GetValueAtQuantile uses
// the fractional rank q(n-1), which below 0 picks the next order statistic's bucket.)
func sketchValue(sk *ddsketch.DDSketch, k float64) float64 {
	neg, zero := sk.GetNegativeValueStore(), sk.GetZeroCount()
	below := neg.TotalCount()
	switch {
	case k < below: // the negative store ranks values by size, smallest first
		return -sk.Value(neg.KeyAtRank(below - 1 - k))
	case k < below+zero:
		return 0
	}
	return sk.Value(sk.GetPositiveValueStore().KeyAtRank(k - below - zero))
}

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
	weeks, metrics int
	cumulative     []int     // the series' columns whose running totals are folded too
	idle           []bool    // by metric: not held, 0 in every week
	held           []int     // the series' columns held, in order
	heldTotals     []int     // the indexes in cumulative of the running totals held
	slot           []int     // by column of a week (metrics, then running totals): its cell in a week, or -1
	annex          int       // cells after the weeks': a run's per-state values (statePlan), no running totals
	votes          []float64 // after the annex in a series: a run's per-state votes (statePlan), summed only
	n              int       // replicates folded
	cells          []Running
	totals         []float64 // Fold's scratch: running totals
}

// NewEnsemble returns an empty ensemble for series of the given shape that holds every
// metric.
func NewEnsemble(weeks, metrics int) *Ensemble { return newEnsemble(weeks, metrics, nil) }

// NewWorldEnsemble returns an empty ensemble for a world's series over weeks, holding
// only the metrics the world can produce.
func NewWorldEnsemble(w *model.World, weeks int) *Ensemble {
	return newEnsemble(weeks, int(model.NumMetrics), idleMetrics(w))
}

// idleMetrics lists the metrics a world cannot produce.
func idleMetrics(w *model.World) []string {
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
// series' weeks (the per-state values of a statePlan), folded as they come.
func newAnnexedEnsemble(weeks, metrics int, idle []string, annex int) *Ensemble {
	return newVotingEnsemble(weeks, metrics, idle, annex, 0)
}

// newVotingEnsemble returns an empty ensemble that also holds annex values and then
// votes, which it only sums, after each series' weeks (a statePlan's cells and votes).
func newVotingEnsemble(weeks, metrics int, idle []string, annex, votes int) *Ensemble {
	e := &Ensemble{weeks: weeks, metrics: metrics, idle: make([]bool, metrics), annex: annex, votes: make([]float64, votes)}
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
	e.cells = make([]Running, weeks*e.width()+annex)
	e.totals = make([]float64, len(e.cumulative))
	// The first replicates' values of every cell in one block: growing each cell's on its
	// own took six allocations a cell, a hundred thousand an ensemble.
	exact := make([]float64, len(e.cells)*ExactQuantileLimit)
	for i := range e.cells {
		e.cells[i].init()
		e.cells[i].exact = exact[i*ExactQuantileLimit : i*ExactQuantileLimit : (i+1)*ExactQuantileLimit]
	}
	return e
}

// idleNames lists the metrics the ensemble does not hold, for checkpoints.
func (e *Ensemble) idleNames() []string {
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
func (e *Ensemble) width() int { return len(e.held) + len(e.heldTotals) }

// values calls f with the value of every cell held from one replicate's series, in cell
// order, after checking that the idle metrics are 0.
func (e *Ensemble) values(series []float64, f func(cell int, x float64) error) error {
	clear(e.totals)
	width := e.width()
	for w := range e.weeks {
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
	base, off := e.weeks*width, e.weeks*e.metrics
	for i := range e.annex {
		if err := f(base+i, series[off+i]); err != nil {
			return fmt.Errorf("per-state value %d: %w", i, err)
		}
	}
	return nil
}

// annexSummary returns the statistics of annex value i.
func (e *Ensemble) annexSummary(i int) Summary {
	return e.cells[e.weeks*e.width()+i].Summary()
}

// Fold adds one replicate's series. Replicates may come in any order, but those from
// ExactQuantileLimit on need the centres, which an ensemble sets itself once it holds
// every replicate below (see Run for ensembles folded in parts).
func (e *Ensemble) Fold(rep int, series []float64) error {
	if rep >= ExactQuantileLimit && !e.centred() {
		if err := e.fixCentres(); err != nil {
			return err
		}
	}
	err := e.values(series, func(i int, x float64) error { return e.cells[i].add(rep, x) })
	if err != nil {
		return fmt.Errorf("replicate %d, %w", rep, err)
	}
	off := e.weeks*e.metrics + e.annex
	for i, x := range series[off : off+len(e.votes)] {
		e.votes[i] += x
	}
	e.n++
	return nil
}

// centred says whether the sketches' centres are set.
func (e *Ensemble) centred() bool { return len(e.cells) == 0 || e.cells[0].centred }

// fixCentres sets the sketches' centres from the first CentreReplicates replicates,
// which the ensemble must hold.
func (e *Ensemble) fixCentres() error {
	for i := range e.cells {
		c := &e.cells[i]
		if len(c.exact) != CentreReplicates {
			return fmt.Errorf("sim: the quantile sketches' centres need the first %d replicates; the statistics hold %d of them", CentreReplicates, len(c.exact))
		}
		c.setCentre(centreOf(c.exact))
	}
	return nil
}

// part returns an empty ensemble of the same shape and centres, for a worker to fold
// into and Merge back.
func (e *Ensemble) part() *Ensemble {
	p := newVotingEnsemble(e.weeks, e.metrics, e.idleNames(), e.annex, len(e.votes))
	p.copyCentres(e)
	return p
}

// copyCentres sets e's centres to o's, when o has them.
func (e *Ensemble) copyCentres(o *Ensemble) {
	for i := range e.cells {
		if o.cells[i].centred {
			e.cells[i].setCentre(centre{o.cells[i].centre, o.cells[i].tiny})
		}
	}
}

// reset empties the ensemble, keeping its centres and memory.
func (e *Ensemble) reset() {
	e.n = 0
	for i := range e.cells {
		e.cells[i].reset()
	}
	clear(e.votes)
}

// Merge adds another ensemble of the same shape, as if its replicates had been folded
// into e.
func (e *Ensemble) Merge(o *Ensemble) error { return e.mergeFrom(o, false) }

// sameShape says whether o's statistics can merge into e's: the same weeks, metrics,
// per-state values, dominance votes and idle metrics.
func (e *Ensemble) sameShape(o *Ensemble) error {
	if e.weeks != o.weeks || e.metrics != o.metrics || e.annex != o.annex || len(e.votes) != len(o.votes) || len(e.cells) != len(o.cells) || !slices.Equal(e.idle, o.idle) {
		return fmt.Errorf("sim: cannot merge %dx%d statistics into %dx%d", o.weeks, o.metrics, e.weeks, e.metrics)
	}
	return nil
}

// mergeFrom merges o into e; with take, o is not used again and e may take its parts.
func (e *Ensemble) mergeFrom(o *Ensemble, take bool) error {
	if err := e.sameShape(o); err != nil {
		return err
	}
	for i := range e.cells {
		if err := e.cells[i].mergeFrom(&o.cells[i], take); err != nil {
			return err
		}
	}
	for i, x := range o.votes {
		e.votes[i] += x
	}
	e.n += o.n
	return nil
}

// mergeGrain is the fewest cells a goroutine of mergeParts merges: below it, starting
// one costs more than it saves.
const mergeGrain = 512

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
	n := len(e.cells)
	workers = max(1, min(workers, n/mergeGrain))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				for _, o := range parts {
					if err := e.cells[i].mergeFrom(&o.cells[i], final); err != nil {
						errs[w] = err
						return
					}
					if !final {
						o.cells[i].reset()
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
		for i, x := range o.votes {
			e.votes[i] += x
		}
		if !final {
			o.n = 0
			clear(o.votes)
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
	return e.cells[(w-1)*e.width()+k].Summary()
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
	t := Table{metrics: e.metrics, columns: cols, cumulative: e.cumulative, cells: make([]Summary, e.weeks*cols)}
	for w := range e.weeks {
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

func newCentreFinder(ens *Ensemble) *centreFinder {
	return &centreFinder{ens: ens, values: make([][]float64, len(ens.cells))}
}

// foldsStates makes centreFinder a stateFolder: the per-state values have centres too.
func (c *centreFinder) foldsStates() {}

func (c *centreFinder) Fold(_ int, series []float64) error {
	return c.ens.values(series, func(i int, x float64) error {
		c.values[i] = append(c.values[i], x)
		return nil
	})
}

// apply sets the centres once every replicate is in.
func (c *centreFinder) apply() {
	for i := range c.ens.cells {
		c.ens.cells[i].setCentre(centreOf(c.values[i]))
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
