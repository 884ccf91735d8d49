package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// ScenarioSimulator runs a cartelsim scenario with the free parameters set as --set
// would set them, and reads each target from each replicate's weekly series.
type ScenarioSimulator struct {
	Path string              // the scenario file
	Set  []scenario.Override // fixed overrides, before the parameters
	Keys []string            // the parameters' scenario keys, in the order of theta
	// source, if set, is the scenario file and its bases as read once (by Load): every
	// simulation decodes these bytes, so that an edit of a file during a calibration
	// changes nothing of it. Without it, Path is read at each simulation.
	source   *scenario.ScenarioSource
	scenario *scenario.Scenario
	windows  []window // one per target
}

// load decodes the scenario with overrides, from the bytes read once if Load read them.
func (s *ScenarioSimulator) load(ovs []scenario.Override) (*scenario.Scenario, error) {
	if s.source != nil {
		return s.source.Parse(ovs)
	}
	return scenario.LoadScenarioWith(s.Path, ovs)
}

// Simulate implements Simulator. A replicate the runaway guard stops yields NaN targets,
// which no tolerance accepts.
func (s *ScenarioSimulator) Simulate(ctx context.Context, theta []float64, seed uint64, replicates int) ([][]float64, error) {
	ovs := slices.Clone(s.Set)
	for k, key := range s.Keys {
		ovs = append(ovs, scenario.Override{Key: key, Value: fmtG(theta[k])})
	}
	sc, err := s.load(ovs)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	world, err := sc.NewWorld()
	if err != nil {
		return nil, fmt.Errorf("calibrate: %s at %v: %w", sc.Name, theta, err)
	}
	if sc.Mode == model.MeanField {
		replicates = 1
	}
	f := &targetFolder{windows: s.windows}
	err = ensemble.Run(ctx, ensemble.Job{World: world, Weeks: sc.Clock.Weeks, Replicates: replicates, Seed: seed, Workers: 1}, f)
	var re *model.RunawayError
	if errors.As(err, &re) {
		out := make([][]float64, replicates)
		for r := range out {
			out[r] = make([]float64, len(s.windows))
			for t := range out[r] {
				out[r][t] = math.NaN()
			}
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	return f.values, nil
}

// targetFolder reads the targets from each replicate's series as it finishes.
type targetFolder struct {
	windows []window
	values  [][]float64
}

func (f *targetFolder) Fold(_ int, series []float64) error {
	nm := int(model.NumMetrics)
	row := make([]float64, len(f.windows))
	for t, w := range f.windows {
		switch w.agg {
		case "end", "start":
			row[t] = series[(w.to-1)*nm+int(w.metric)]
		default:
			sum := 0.0
			for k := w.from; k <= w.to; k++ {
				sum += series[(k-1)*nm+int(w.metric)]
			}
			if w.agg == "sum" {
				row[t] = sum * w.scale
			} else {
				row[t] = sum / float64(w.to-w.from+1)
			}
		}
	}
	f.values = append(f.values, row)
	return nil
}
