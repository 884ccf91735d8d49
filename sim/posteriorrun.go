package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// PosteriorRun is the result of ExecutePosterior: the run's manifest, the particle each
// replicate drew and the variance decomposition of variance.csv.
type PosteriorRun struct {
	Manifest *Manifest
	Draws    []int
	Variance []VarianceRow
}

// ExecutePosterior runs a scenario as Execute does, each replicate with a parameter set
// drawn from the posterior's last generation, as compare --posterior draws them
// (Posterior.Draw: replicate r runs draw r / perDraw, from a stream of the seed and the
// draw alone, set as --set would after the scenario's overrides). Besides the usual run
// directory it writes posterior_draws.csv, before the replicates run, and variance.csv,
// after them and before the manifest: the Monte Carlo and parameter parts of each
// metric's variance across replicates, for the yearly mean of every HorizonWindow weeks
// and of the last. The outputs do not depend on the workers. The scenario's checksum in
// the manifest and checkpoint covers the posterior file and perDraw, so a plain run
// never resumes it; posterior runs are neither resumed nor sharded (they keep each
// replicate's yearly values in memory), and do not write every replicate's events.
func ExecutePosterior(ctx context.Context, sc *scenario.Scenario, post *Posterior, perDraw int, opts RunOptions) (*PosteriorRun, error) {
	switch {
	case perDraw < 1:
		return nil, fmt.Errorf("sim: %d replicates per draw, want at least 1", perDraw)
	case opts.Resume || opts.Shards > 1:
		return nil, errors.New("sim: a run with a posterior cannot be resumed or sharded: run it whole")
	case opts.AllEvents:
		return nil, errors.New("sim: a run with a posterior writes replicate 0's events only")
	case sc.Mode == model.MeanField:
		return nil, errors.New("sim: a run with a posterior needs stochastic mode: mean-field runs one replicate")
	}
	draws := post.draws(sc.Seed, sc.Replicates, perDraw)
	worlds, configs := map[int]*model.World{}, map[int]model.Config{}
	for _, k := range draws {
		if worlds[k] != nil {
			continue
		}
		psc, err := scenario.LoadScenarioWith(sc.File, append(slices.Clone(sc.Overrides), post.Overrides(k)...))
		if se := (*scenario.ScenarioError)(nil); errors.As(err, &se) && se.Set != "" {
			key, _, _ := strings.Cut(se.Set, "=")
			return nil, &scenario.ScenarioError{File: post.File, Key: key, Msg: fmt.Sprintf("a column %s does not take: %s", se.File, se.Msg)}
		}
		if err != nil {
			return nil, fmt.Errorf("sim: %s: particle %d: %w", post.File, k, err)
		}
		cfg := psc.Config()
		cfg.Mode = sc.Mode
		configs[k] = cfg
		if worlds[k], err = model.NewWorld(cfg); err != nil {
			return nil, fmt.Errorf("sim: %s: particle %d: %s: %w", post.File, k, sc.Name, err)
		}
	}

	// The scenario as run: replicate 0's world stands for all in the files that need
	// one (they depend on its groups and sections, which every particle shares).
	data, err := os.ReadFile(post.File)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	run := sc.WithConfig(configs[draws[0]])
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\x00posterior %x\x00replicates per draw %d", sc.SHA256, sha256.Sum256(data), perDraw)
	run.SHA256 = hex.EncodeToString(sum.Sum(nil))

	var horizons []int
	for h := HorizonWindow; h < sc.Clock.Weeks; h += HorizonWindow {
		horizons = append(horizons, h)
	}
	horizons = append(horizons, sc.Clock.Weeks)
	var probes []ensemble.Probe
	for m := range model.NumMetrics {
		for _, h := range horizons {
			probes = append(probes, ensemble.Probe{Metric: m, From: max(1, h-HorizonWindow+1), To: h})
		}
	}
	col := &ensemble.Collector{Probes: probes}
	opts.Folders = append(slices.Clone(opts.Folders), col)

	p, err := startRun(ctx, run, opts)
	if err != nil {
		return nil, err
	}
	defer p.close()
	if err := post.writeDraws(opts.OutDir, draws, perDraw); err != nil {
		return nil, err
	}
	p.world = worlds[draws[0]]
	p.job.World = p.world
	p.job.Pick = func(r int) *model.World { return worlds[draws[r]] }
	if err := ensemble.Run(ctx, p.job, p.folders...); err != nil {
		return nil, p.r.stopped(ctx, err)
	}
	var vars []VarianceRow
	for i, pr := range probes {
		window := float64(pr.To - pr.From + 1)
		means := make([]float64, len(col.Values[i]))
		for r, v := range col.Values[i] {
			means[r] = v / window
		}
		total, within := decompose(means, perDraw)
		vars = append(vars, VarianceRow{Metric: pr.Metric, Week: pr.To, Scenario: sc.Name,
			Total: total, Within: within, Between: max(0, total-within)})
	}
	if err := writeVariance(opts.OutDir, vars, perDraw); err != nil {
		return nil, err
	}
	m, err := p.finish(ctx)
	if err != nil {
		return nil, err
	}
	return &PosteriorRun{Manifest: m, Draws: draws, Variance: vars}, nil
}
