package sim

import (
	"context"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The workers' parallel fold (Job.Ensemble), on any number of workers, gives the
// statistics of one ordered pass of the replicates through an ensemble that holds every
// metric: the idle metrics' summaries are those of zeros, and the sketches (past
// ExactQuantileLimit replicates) get the same centres and counts whichever worker folds
// which replicate. The weeks are enough cells for 2 and 3 workers to merge their parts on
// as many goroutines (mergeGrain).
func TestParallelFoldMatchesOneOrderedPass(t *testing.T) {
	sc := testScenario(t, ensemble.ExactQuantileLimit+21)
	sc.Clock.Weeks = 130
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if w.HasEconomy() || w.HasPolicy() || w.Dynamic() {
		t.Fatal("the test wants a world with idle metrics")
	}
	job := ensemble.Job{World: w, Weeks: sc.Clock.Weeks, Replicates: sc.Replicates, Seed: sc.Seed}
	full := ensemble.NewEnsemble(job.Weeks, int(model.NumMetrics))
	job.Workers = 1
	if err := ensemble.Run(context.Background(), job, full); err != nil {
		t.Fatal(err)
	}
	want := full.Summaries()
	for _, workers := range []int{1, 2, 3} {
		ens := ensemble.NewWorldEnsemble(w, job.Weeks)
		if len(ens.Cells) >= len(full.Cells) {
			t.Fatalf("the world's ensemble holds %d cells, the full one %d: nothing left idle", len(ens.Cells), len(full.Cells))
		}
		if len(ens.Cells) < 3*ensemble.MergeGrain {
			t.Fatalf("%d cells: too few to merge on 3 goroutines", len(ens.Cells))
		}
		job.Workers, job.Ensemble = workers, ens
		if err := ensemble.Run(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		if ens.N() != sc.Replicates {
			t.Errorf("%d workers: %d replicates folded, want %d", workers, ens.N(), sc.Replicates)
		}
		if got := ens.Summaries(); !reflect.DeepEqual(got, want) {
			t.Errorf("%d workers: the parallel fold's statistics differ from one ordered pass", workers)
		}
	}
}

// A metric the world declares idle that is not 0 stops the fold, naming it.
func TestIdleMetricThatIsNotZeroIsAnError(t *testing.T) {
	sc := testScenario(t, 3)
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	ens := ensemble.NewWorldEnsemble(w, 2)
	series := make([]float64, 2*int(model.NumMetrics))
	series[int(model.NumMetrics)+int(model.Labs)] = 3
	err = ens.Fold(0, series)
	if err == nil || !strings.Contains(err.Error(), "week 2, labs: 3 in a world that cannot produce it") {
		t.Errorf("got %v", err)
	}
}

// An accumulator keeps the values of the first ExactQuantileLimit replicates only: its
// memory does not grow with replicates.
func TestRunningKeepsAFixedNumberOfValues(t *testing.T) {
	r := ensemble.NewRunning()
	for i := range 5000 {
		r.Add(float64(i % 97))
	}
	if len(r.Exact) != ensemble.ExactQuantileLimit || cap(r.Exact) > 2*ensemble.ExactQuantileLimit {
		t.Errorf("%d values kept (capacity %d), want %d", len(r.Exact), cap(r.Exact), ensemble.ExactQuantileLimit)
	}
}

// The sketch's quantiles against the exact ones on a real run: the 780-week baseline,
// 400 replicates (CARTELSIM_LONG_TESTS=1; about 10 s of CPU). Every quantile of every
// week and metric held is within the documented bound (QuantileAccuracy of |x - c|, plus
// ZeroBand of the first replicates' range, from the order statistic x of rank
// floor(q(n-1))); the log gives, per quantile,
// the largest error relative to the exact value and to the band's width (p95 - p05).
func TestSketchAccuracyOnTheBaseline(t *testing.T) {
	if testing.Short() || !longTests {
		t.Skip("set CARTELSIM_LONG_TESTS=1")
	}
	sc, err := scenario.LoadScenario("../scenarios/prieto-curiel-2023/baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	const n = 400
	ens := ensemble.NewWorldEnsemble(w, sc.Clock.Weeks)
	all := ensemble.NewWorldEnsemble(w, sc.Clock.Weeks) // for its layout of cells
	values := make([][]float64, len(all.Cells))
	keep := folderFunc(func(_ int, series []float64) error {
		return all.Values(series, func(i int, x float64) error {
			values[i] = append(values[i], x)
			return nil
		})
	})
	job := ensemble.Job{World: w, Weeks: sc.Clock.Weeks, Replicates: n, Seed: sc.Seed, Ensemble: ens}
	if err := ensemble.Run(context.Background(), job, keep); err != nil {
		t.Fatal(err)
	}
	var level, band [len(ensemble.Quantiles)]float64
	for i := range ens.Cells {
		s := ens.Cells[i].Summary()
		centre, tiny := ens.Cells[i].Centre, ens.Cells[i].Tiny
		sorted := slices.Sorted(slices.Values(values[i]))
		width := sorted[int(math.Floor(0.95*(n-1)))] - sorted[int(math.Floor(0.05*(n-1)))]
		for k, q := range ensemble.Quantiles {
			rank := int(math.Floor(q * (n - 1)))
			x := sorted[rank]
			if math.Abs(s.Q[k]-x) > (ensemble.QuantileAccuracy*math.Abs(x-centre)+tiny)*(1+1e-12) {
				t.Errorf("cell %d: q%.2f = %v, order statistic %v, centre %v", i, q, s.Q[k], x, centre)
			}
			if d := math.Abs(s.Q[k] - x); d > 0 {
				if x != 0 {
					level[k] = max(level[k], d/math.Abs(x))
				}
				if width > 0 {
					band[k] = max(band[k], d/width)
				}
			}
		}
	}
	for k, q := range ensemble.Quantiles {
		t.Logf("q%.2f: largest error %.3g of the exact value, %.3g of the band's width (p95 - p05)", q, level[k], band[k])
	}
}

// longTests is set by `make test-long` (CARTELSIM_LONG_TESTS=1), which CI runs.
var longTests = os.Getenv("CARTELSIM_LONG_TESTS") == "1"
