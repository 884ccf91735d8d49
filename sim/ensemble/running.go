package ensemble

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

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
	Exact      []float64          // values of replicates below ExactQuantileLimit
	sketch     *ddsketch.DDSketch // deviations from centre of later replicates
	Centre     float64
	Tiny       float64 // deviations below this count as 0 (ZeroBand)
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
	r.Exact = r.Exact[:0]
	if r.sketch != nil {
		r.sketch.Clear()
	}
}

// Add folds in the next value, as replicate number n (values in replicate order).
func (r *Running) Add(x float64) {
	if r.n == ExactQuantileLimit && !r.centred {
		r.setCentre(centreOf(r.Exact))
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
		r.Exact = append(r.Exact, x)
		return nil
	}
	if r.sketch == nil {
		r.sketch = newSketch()
	}
	// DDSketch rejects only NaN and values beyond ±1.8e308, excluded above.
	d := x - r.Centre
	if math.Abs(d) < r.Tiny {
		d = 0
	}
	_ = r.sketch.Add(d)
	return nil
}

func (r *Running) setCentre(c centre) { r.Centre, r.Tiny, r.centred = c.at, c.tiny, true }

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
		if r.centred && (r.Centre != o.Centre || r.Tiny != o.Tiny) {
			return fmt.Errorf("sim: cannot merge statistics with different sketch centres (%v, %v)", r.Centre, o.Centre)
		}
		r.setCentre(centre{o.Centre, o.Tiny})
	}
	r.n += o.n
	r.sum.merge(&o.sum)
	r.sumsq.merge(&o.sumsq)
	r.min = min(r.min, o.min)
	r.max = max(r.max, o.max)
	r.Exact = append(r.Exact, o.Exact...)
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
	if r.n == len(r.Exact) {
		sorted := slices.Sorted(slices.Values(r.Exact))
		for i, q := range Quantiles {
			s.Q[i] = sorted[int(math.Floor(q*float64(r.n-1)))]
		}
		return s
	}
	sk := r.sketch.Copy()
	for _, v := range r.Exact {
		_ = sk.Add(v - r.Centre)
	}
	for i, q := range Quantiles {
		s.Q[i] = min(max(r.Centre+sketchValue(sk, math.Floor(q*float64(r.n-1))), r.min), r.max)
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
