package ensemble

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/cartelsim/cartelsim/model"
)

// Quantiles of 1..32 (ExactQuantileLimit values, so exact) by the "lower" rule, rank
// floor(q*31) = 1, 7, 15, 23, 29: 2, 8, 16, 24, 30.
func TestExactQuantilesByHand(t *testing.T) {
	r := NewRunning()
	perm := rand.New(rand.NewPCG(1, 1)).Perm(32)
	for _, v := range perm {
		r.Add(float64(v + 1))
	}
	s := r.Summary()
	if want := [5]float64{2, 8, 16, 24, 30}; s.Q != want {
		t.Errorf("quantiles %v, want %v", s.Q, want)
	}
	// Mean 16.5; sample variance of 1..n is n(n+1)/12 = 88 for n = 32.
	if math.Abs(s.Mean-16.5) > 1e-12 || math.Abs(s.SD-math.Sqrt(88)) > 1e-12 || s.N != 32 {
		t.Errorf("mean %v sd %v n %d, want 16.5, %v, 32", s.Mean, s.SD, s.N, math.Sqrt(88))
	}
}

func TestRunningEdgeCases(t *testing.T) {
	if s := NewRunning().Summary(); !math.IsNaN(s.Mean) || !math.IsNaN(s.Q[2]) {
		t.Errorf("empty summary %+v, want NaN", s)
	}
	r := NewRunning()
	r.Add(7)
	if s := r.Summary(); s.Mean != 7 || s.SD != 0 || s.Q != [5]float64{7, 7, 7, 7, 7} {
		t.Errorf("one value: %+v", s)
	}
}

// The exact mean and sd agree with gonum's two-pass formulas on a large sample, also
// once the quantiles have switched to the sketch.
func TestRunningMomentsMatchTwoPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	xs := make([]float64, 5000)
	r := NewRunning()
	for i := range xs {
		xs[i] = 174000 + 800*rng.NormFloat64()
		r.Add(xs[i])
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	s := r.Summary()
	if math.Abs(s.Mean-mean) > 1e-9*mean || math.Abs(s.SD-sd) > 1e-9*sd {
		t.Errorf("mean %v sd %v, two-pass %v %v", s.Mean, s.SD, mean, sd)
	}
}

// Beyond ExactQuantileLimit values, every quantile is within QuantileAccuracy of
// |x - centre|, plus ZeroBand of the first values' range, of the order statistic x of
// rank floor(q(n-1)): the documented guarantee.
func TestSketchQuantilesWithinStatedAccuracy(t *testing.T) {
	for _, c := range []struct {
		name string
		draw func(*rand.Rand) float64
	}{
		{"narrow normal", func(r *rand.Rand) float64 { return 174000 + 800*r.NormFloat64() }},
		{"counts", func(r *rand.Rand) float64 { return math.Floor(120 + 11*r.NormFloat64()) }},
		{"skewed", func(r *rand.Rand) float64 { return 50 * r.ExpFloat64() }},
	} {
		rng := rand.New(rand.NewPCG(3, 3))
		const n = 7000
		xs := make([]float64, n)
		r := NewRunning()
		for i := range xs {
			xs[i] = c.draw(rng)
			r.Add(xs[i])
		}
		first := slices.Sorted(slices.Values(xs[:CentreReplicates]))
		centre, tiny := first[CentreReplicates/2], ZeroBand*(first[CentreReplicates-1]-first[0])
		sorted := slices.Sorted(slices.Values(xs))
		s := r.Summary()
		for i, q := range Quantiles {
			rank := int(math.Floor(q * float64(n-1)))
			if x := sorted[rank]; math.Abs(s.Q[i]-x) > QuantileAccuracy*math.Abs(x-centre)+tiny+1e-9 {
				t.Errorf("%s: q%.2f = %v, order statistic %v", c.name, q, s.Q[i], x)
			}
		}
	}
}

// The sketch reads the order statistic of rank floor(q(n-1)) below the centre too. 1..42
// in random order: p05 is rank floor(0.05 x 41) = 2, the value 3, and p25 rank 10, the
// value 11. The centre, sorted[16] of the first 32, is between 17 and 27, so the sketch's
// error (1% of at most 24, plus 1/1000 of a range of at most 41) stays below half the
// step of 1 to the next order statistic.
func TestSketchReadsTheLowerRankBelowTheCentre(t *testing.T) {
	r := NewRunning()
	for _, v := range rand.New(rand.NewPCG(5, 5)).Perm(42) {
		r.Add(float64(v + 1))
	}
	s := r.Summary()
	for i, want := range map[int]float64{0: 3, 1: 11} {
		if math.Abs(s.Q[i]-want) >= 0.5 {
			t.Errorf("q%.2f = %v, want %v (within the sketch's accuracy)", Quantiles[i], s.Q[i], want)
		}
	}
}

// Running totals by hand. Five replicates of four weeks with extraditions
//
//	r0: 1 0 0 0   totals 1 1 1 1
//	r1: 0 1 0 0          0 1 1 1
//	r2: 0 0 1 0          0 0 1 1
//	r3: 0 0 0 1          0 0 0 1
//	r4: 1 1 1 1          1 2 3 4
//
// Every weekly median is 0, so the sum of weekly medians is 0, though every replicate
// has at least one extradition by week 4. The quantiles of the totals (rank floor(q x 4)
// of the sorted values): week 2, totals 0 0 1 1 2: p05 0, p25 0, p50 1, p75 1, p95 1;
// week 4, totals 1 1 1 1 4: every quantile 1, mean 8/5.
func TestCumulativeBandsByHand(t *testing.T) {
	weekly := [5][4]float64{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}}
	nm := int(model.NumMetrics)
	fold := func(e *Ensemble, reps ...int) {
		for _, r := range reps {
			series := make([]float64, 4*nm)
			for w := range 4 {
				series[w*nm+int(model.Extraditions)] = weekly[r][w]
			}
			if err := e.Fold(r, series); err != nil {
				t.Fatal(err)
			}
		}
	}
	one := NewEnsemble(4, nm)
	fold(one, 0, 1, 2, 3, 4)
	// The same replicates folded in two parts and merged, as shards are.
	a, b := NewEnsemble(4, nm), NewEnsemble(4, nm)
	fold(a, 0, 1, 2)
	fold(b, 3, 4)
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*Ensemble{"one pass": one, "merged": a} {
		tab := e.Summaries()
		for w := 1; w <= 4; w++ {
			if q := tab.At(w, int(model.Extraditions)).Q[2]; q != 0 {
				t.Errorf("%s: week %d weekly median %v, want 0", name, w, q)
			}
		}
		s2, ok := tab.Total(2, model.Extraditions)
		if !ok || s2.Q != [5]float64{0, 0, 1, 1, 1} {
			t.Errorf("%s: week 2 totals' quantiles %v (%v), want [0 0 1 1 1]", name, s2.Q, ok)
		}
		s4, _ := tab.Total(4, model.Extraditions)
		if s4.Q != [5]float64{1, 1, 1, 1, 1} || math.Abs(s4.Mean-1.6) > 1e-15 || s4.N != 5 {
			t.Errorf("%s: week 4 totals %+v, want every quantile 1 and mean 1.6", name, s4)
		}
		if _, ok := tab.Total(4, model.Members); ok {
			t.Errorf("%s: members, a stock, has running totals", name)
		}
	}
}

// Folding the first replicates, whose values an ensemble keeps, allocates nothing: their
// room is set aside with the ensemble (growing every cell's values on its own took six
// allocations a cell). Nor does fixing the centres (sorting a copy took two a cell).
func TestEnsembleFoldAllocatesNothing(t *testing.T) {
	const weeks = 20
	e := NewEnsemble(weeks, int(model.NumMetrics))
	series := make([]float64, weeks*int(model.NumMetrics))
	for i := range series {
		series[i] = float64(i%7) + 0.5
	}
	rep := 0
	allocs := testing.AllocsPerRun(ExactQuantileLimit-1, func() {
		if err := e.Fold(rep, series); err != nil {
			t.Fatal(err)
		}
		rep++
	})
	if allocs != 0 {
		t.Errorf("folding a replicate allocates %v times, want none", allocs)
	}
	if e.N() != ExactQuantileLimit {
		t.Fatalf("folded %d replicates, want %d", e.N(), ExactQuantileLimit)
	}
	// Nor does fixing the sketches' centres from them, which the folding goroutine does
	// for every cell while the workers wait for it.
	if allocs := testing.AllocsPerRun(1, func() {
		if err := e.fixCentres(); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("fixing the centres allocates %v times, want none", allocs)
	}
	if c := e.Cells[0]; !c.centred || c.Centre != series[0] {
		t.Errorf("week 1, metric 0: centre %v (set %v), want the equal values' %v", c.Centre, c.centred, series[0])
	}
	if s := e.Summary(3, 0); s.Mean != series[2*int(model.NumMetrics)] || s.SD != 0 {
		t.Errorf("week 3, metric 0: mean %v SD %v of equal values %v", s.Mean, s.SD, series[2*int(model.NumMetrics)])
	}
}

// Parts merged on any number of goroutines give the statistics of one ensemble that
// folded every replicate itself, before and after the sketches' centres; a merge that is
// not final leaves the parts empty, with their centres, for more.
func TestMergePartsMatchesOneEnsemble(t *testing.T) {
	const weeks, reps = 40, ExactQuantileLimit + 9
	nm := int(model.NumMetrics)
	rng := rand.New(rand.NewPCG(3, 4))
	series := make([][]float64, reps)
	for r := range series {
		series[r] = make([]float64, weeks*nm)
		for i := range series[r] {
			series[r][i] = math.Floor(100 * rng.ExpFloat64() * float64(1+i%5))
		}
	}
	one := NewEnsemble(weeks, nm)
	for r, s := range series {
		if err := one.Fold(r, s); err != nil {
			t.Fatal(err)
		}
	}
	want := one.Summaries()
	if len(one.Cells) < 3*MergeGrain {
		t.Fatalf("%d cells: too few to merge on 3 goroutines", len(one.Cells))
	}
	for _, workers := range []int{1, 2, 3, 4} {
		e := NewEnsemble(weeks, nm)
		parts := []*Ensemble{e.part(), e.part(), e.part()}
		// The first replicates, dealt out among the parts, fix the centres.
		for r := range ExactQuantileLimit {
			if err := parts[r%len(parts)].Fold(r, series[r]); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.mergeParts(parts, false, workers); err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			if p.N() != 0 || len(p.Cells[0].Exact) != 0 {
				t.Fatalf("%d workers: a part still holds %d replicates after a merge that is not final", workers, p.N())
			}
		}
		if err := e.fixCentres(); err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			p.copyCentres(e)
		}
		for r := ExactQuantileLimit; r < reps; r++ {
			if err := parts[(r*7)%len(parts)].Fold(r, series[r]); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.mergeParts(parts, true, workers); err != nil {
			t.Fatal(err)
		}
		if e.N() != reps {
			t.Errorf("%d workers: %d replicates merged, want %d", workers, e.N(), reps)
		}
		if got := e.Summaries(); !reflect.DeepEqual(got, want) {
			t.Errorf("%d workers: the merged statistics differ from one ensemble's", workers)
		}
	}
	other := NewEnsemble(weeks+1, nm)
	if err := one.mergeParts([]*Ensemble{other}, true, 2); err == nil {
		t.Error("merging a part of another shape: no error")
	}
}

// A sketch takes its two stores and itself, and shares the mapping of values to buckets:
// every cell of every part of a run makes one.
func TestNewSketchSharesItsMapping(t *testing.T) {
	if a, b := newSketch(), newSketch(); a.IndexMapping != b.IndexMapping || !a.IndexMapping.Equals(b.IndexMapping) {
		t.Error("two sketches have mappings of their own")
	}
	if allocs := testing.AllocsPerRun(10, func() { _ = newSketch() }); allocs > 3 {
		t.Errorf("a sketch takes %v allocations, want at most 3", allocs)
	}
}
