package calibrate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// TestRecoversSyntheticTruth: data simulated from a scenario at known parameters (one
// replicate, with a normal observation error added, the error the calibration assumes:
// 3% on homicides, 0.5% on members, which a year's recruitment moves by a few percent
// across the prior's range) and calibrated through the scenario simulator give 90% credible intervals that
// hold the truth, and are at most half as wide as the prior's 90% range: the data
// informed them. The parameters are the homicide ratio (which scales homicides) and the
// recruitment rate (which sets the growth of members), inside the registry's ranges.
func TestRecoversSyntheticTruth(t *testing.T) {
	dir := writeFiles(t, map[string]string{"synthetic.yaml": "name: synthetic\nstart: 2012-01-01\nweeks: 53\nseed: 7\n"})
	path := filepath.Join(dir, "synthetic.yaml")
	sc, err := scenario.LoadScenarioWith(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{
		Params: []Param{{Key: "parameters.homicide_ratio", Lo: 6, Hi: 10}, {Key: "parameters.recruitment", Lo: 0.0019, Hi: 0.0032}},
		Targets: []Target{{Name: "homicides", Year: 2012, Metric: "homicides", Aggregation: "sum"},
			{Name: "members", Year: 2012, Metric: "members", Aggregation: "end"}},
		Distance: SquaredZ, Noise: true, Particles: 30, Replicates: 1, Alpha: 0.5, MinAcceptance: 0.05,
		MaxGenerations: 5, MaxAttempts: 500, Seed: 5,
	}
	s := &ScenarioSimulator{Path: path, Keys: []string{c.Params[0].Key, c.Params[1].Key}, scenario: sc}
	for _, tg := range c.Targets {
		w, err := s.window(tg)
		if err != nil {
			t.Fatal(err)
		}
		s.windows = append(s.windows, w)
	}
	truth := []float64{8, 0.0025}
	data, err := s.Simulate(context.Background(), truth, 424242, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := attemptRNG(99, 0, 0, 0)
	for k, rel := range []float64{0.03, 0.005} {
		c.Targets[k].SD = rel * data[0][k]
		c.Targets[k].Observed = data[0][k] + c.Targets[k].SD*rng.NormFloat64()
	}
	res, err := Run(context.Background(), c, s, Options{OutDir: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range c.Params {
		lo, hi := res.Quantile(k, 0.05), res.Quantile(k, 0.95)
		t.Logf("%s: 90%% interval [%.4g, %.4g], truth %v", p.Key, lo, hi, truth[k])
		if truth[k] < lo || truth[k] > hi {
			t.Errorf("%s: the truth %v is outside the 90%% interval [%.4g, %.4g]", p.Key, truth[k], lo, hi)
		}
		if hi-lo > 0.5*0.9*(p.Hi-p.Lo) {
			t.Errorf("%s: the 90%% interval [%.4g, %.4g] is over half the prior's", p.Key, lo, hi)
		}
	}
	if t.Failed() {
		t.Log(res.Summary())
	}
}
