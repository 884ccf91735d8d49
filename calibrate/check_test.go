package calibrate

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// Quantiles of 1, 2, ..., 20 by the empirical rule (the lowest value with at least the
// fraction p of the values at or below it): 1, 10 and 19; mean 10.5.
func TestBandsByHand(t *testing.T) {
	var values [][]float64
	for v := 20; v >= 1; v-- {
		values = append(values, []float64{float64(v)})
	}
	b := Bands([]Target{{Name: "x", Year: 2000}}, values)[0]
	if b.P05 != 1 || b.P50 != 10 || b.P95 != 19 || b.Mean != 10.5 {
		t.Errorf("bands of 1..20: %+v, want p05 1, p50 10, p95 19, mean 10.5", b)
	}
}

// Three years observed 10, 20, 30 against medians 11, 19, 33: two inside their bands
// (the third's band stops at 29), a first-year ratio of 1.1 and, by hand, r =
// 220 / sqrt(248 x 200) = 0.98783 (deviations -10, -2, 12 and -10, 0, 10).
func TestFitOfByHand(t *testing.T) {
	bands := []Band{
		{Target: Target{Name: "h", Year: 2007, Observed: 10}, P05: 8, P50: 11, P95: 14},
		{Target: Target{Name: "g", Year: 2007, Observed: 1}, P05: 5, P50: 6, P95: 7}, // another series
		{Target: Target{Name: "h", Year: 2008, Observed: 20}, P05: 15, P50: 19, P95: 20},
		{Target: Target{Name: "h", Year: 2009, Observed: 30}, P05: 25, P50: 33, P95: 29},
	}
	f := FitOf(bands, "h")
	if f.Years != 3 || f.Covered != 2 || math.Abs(f.FirstRatio-1.1) > 1e-12 || math.Abs(f.Correlation-220/math.Sqrt(248*200)) > 1e-12 {
		t.Errorf("fit: %+v, want 3 years, 2 covered, ratio 1.1, r 0.98783", f)
	}
}

// The values of a check depend on the chunk size, not on the number of workers.
func TestSimulateChunksSameForAnyWorkers(t *testing.T) {
	path := filepath.Join("..", "scenarios", "history", "mexico-2006.yaml")
	targets := []Target{{Name: "groups", Year: 2008, Metric: "groups", Aggregation: "end"}}
	s, err := NewScenarioSimulator(path, nil, targets)
	if err != nil {
		t.Fatal(err)
	}
	one, err := s.SimulateChunks(context.Background(), 7, 3, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	three, err := s.SimulateChunks(context.Background(), 7, 3, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 3 || !slices.EqualFunc(one, three, slices.Equal) {
		t.Errorf("1 worker %v, 3 workers %v", one, three)
	}
}

// The observed values of the years after the last fitted one are set apart, to be drawn
// as the forecast's check; other series are left out, and each keeps its 90% interval.
func TestObservedPointsSplitAtLastFitted(t *testing.T) {
	bands := []Band{
		{Target: Target{Name: "h", Year: 2020, Observed: 10, SD: 1}},
		{Target: Target{Name: "g", Year: 2021, Observed: 99, SD: 1}}, // another series
		{Target: Target{Name: "h", Year: 2021, Observed: 20, SD: 2}},
		{Target: Target{Name: "h", Year: 2022, Observed: 30, SD: 4}},
	}
	obs := observedPoints("h", bands, 2021)
	if len(obs[fitted].XYs) != 2 || obs[fitted].XYs[1].X != 2021 || obs[fitted].XYs[1].Y != 20 || obs[fitted].YErrors[1].High != 1.645*2 {
		t.Errorf("fitted: %+v, want 2020 and 2021, 2021's interval +-3.29", obs[fitted])
	}
	if len(obs[notFitted].XYs) != 1 || obs[notFitted].XYs[0].X != 2022 || obs[notFitted].XYs[0].Y != 30 || obs[notFitted].YErrors[0].Low != 1.645*4 {
		t.Errorf("not fitted: %+v, want 2022 alone, +-6.58", obs[notFitted])
	}
	if all := observedPoints("h", bands, math.MaxInt); len(all[fitted].XYs) != 3 || len(all[notFitted].XYs) != 0 {
		t.Errorf("every year fitted: %d and %d points, want 3 and 0", len(all[fitted].XYs), len(all[notFitted].XYs))
	}
}
