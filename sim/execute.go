package sim

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

// Version is the cartelsim version recorded in manifests.
const Version = "0.1.0"

// RunOptions control where and how a scenario runs.
type RunOptions struct {
	OutDir  string
	Force   bool // replace an earlier run in OutDir
	Workers int  // <= 0: one per CPU
	// AllLineages writes every replicate's lineage to lineage.csv, not only replicate 0's.
	AllLineages bool
	// Progress, if set, is called after each replicate is folded.
	Progress func(done, total int)
	// Folders also receive every replicate's series, in replicate order (compare keeps
	// each replicate's values at its horizons with one).
	Folders []Folder
}

// Execute runs a scenario and writes its outputs: timeseries.csv, replicates.csv, plots
// and, last, manifest.json. Every file is written under a temporary name and renamed when
// complete; if the run fails or is cancelled, no manifest is written and the temporary
// files are removed.
func Execute(ctx context.Context, sc *Scenario, opts RunOptions) (*Manifest, error) {
	workers := workerCount(opts.Workers)
	world, err := sc.NewWorld()
	if err != nil {
		return nil, err
	}
	if err := prepareOutput(opts.OutDir, opts.Force); err != nil {
		return nil, err
	}
	started := time.Now().UTC()
	replicates := sc.Replicates
	if sc.Mode == model.MeanField {
		replicates = 1 // deterministic: every replicate would be the same
	}

	repFile, err := createAtomic(filepath.Join(opts.OutDir, ReplicatesFile))
	if err != nil {
		return nil, err
	}
	defer repFile.Abort()
	repWriter := newReplicateWriter(repFile, sc.Name, sc.Clock.Weeks)
	ens := NewEnsemble(sc.Clock.Weeks, int(model.NumMetrics))
	job := Job{World: world, Weeks: sc.Clock.Weeks, Replicates: replicates, Seed: sc.Seed, Workers: workers}
	if opts.Progress != nil {
		job.Progress = func(done int) { opts.Progress(done, replicates) }
	}
	folders := append([]Folder{ens, repWriter}, opts.Folders...)
	files := []string{TimeseriesFile, ReplicatesFile}
	var linFile *atomicFile
	var linWriter *lineageWriter
	if sc.Mode == model.Stochastic { // mean-field groups have no lives to record
		if linFile, err = createAtomic(filepath.Join(opts.OutDir, LineageFile)); err != nil {
			return nil, err
		}
		defer linFile.Abort()
		linWriter = newLineageWriter(linFile, world)
		folders = append(folders, linWriter)
		files = append(files, LineageFile)
		job.KeepLineage = func(rep int) bool { return rep == 0 || opts.AllLineages }
	}
	if err := Run(ctx, job, folders...); err != nil {
		return nil, err
	}
	if err := repWriter.Flush(); err != nil {
		return nil, fmt.Errorf("sim: writing %s: %w", ReplicatesFile, err)
	}
	if err := repFile.Commit(); err != nil {
		return nil, err
	}
	if linWriter != nil {
		if err := linWriter.Flush(); err != nil {
			return nil, fmt.Errorf("sim: writing %s: %w", LineageFile, err)
		}
		if err := linFile.Commit(); err != nil {
			return nil, err
		}
	}
	table := ens.Summaries()
	err = writeFileAtomic(filepath.Join(opts.OutDir, TimeseriesFile), func(w io.Writer) error {
		return writeTimeseries(w, sc.Name, sc.Clock, table)
	})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(opts.OutDir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	plots, err := writePlots(opts.OutDir, sc.Name, sc.Clock, table, replicates, world.HasEconomy())
	if err != nil {
		return nil, err
	}
	if linWriter != nil && world.Dynamic() {
		tree, err := writeLineageTree(opts.OutDir, sc.Name, sc.Clock, world, linWriter.first)
		if err != nil {
			return nil, err
		}
		plots = append(plots, tree...)
	}

	m := &Manifest{
		Complete:        true,
		Version:         Version,
		Scenario:        ManifestScenario{Name: sc.Name, File: filepath.ToSlash(sc.File), SHA256: sc.SHA256},
		Seed:            sc.Seed,
		Replicates:      replicates,
		Mode:            sc.Mode.String(),
		Workers:         workers,
		Weeks:           sc.Clock.Weeks,
		StartDate:       sc.Clock.Start.Format(time.DateOnly),
		EndDate:         sc.Clock.Date(sc.Clock.Weeks).Format(time.DateOnly),
		StartedAt:       started.Format(time.RFC3339),
		FinishedAt:      time.Now().UTC().Format(time.RFC3339),
		QuantileMethod:  fmt.Sprintf("DDSketch, relative accuracy %g, clamped to the exact range", QuantileAccuracy),
		Metrics:         metricsManifest(),
		Files:           append(files, plots...),
		ReplicateSeeds:  "replicate r uses PCG seeded with (splitmix64(seed), splitmix64(splitmix64(seed) xor r))",
		TimeseriesOrder: "week, then metric in the order of metrics",
	}
	err = writeFileAtomic(filepath.Join(opts.OutDir, ManifestFile), func(w io.Writer) error { return writeJSON(w, m) })
	if err != nil {
		return nil, err
	}
	return m, nil
}
