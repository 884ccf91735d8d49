package experiment

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/cartelsim/cartelsim/sim"
)

// Manifest describes an experiment: everything effects.csv and the plots need, so that
// Merge can finish from its shards alone.
type Manifest struct {
	Version   string             `json:"version"`
	Build     sim.BuildInfo      `json:"build"` // the binary that wrote it
	Command   string             `json:"command,omitempty"`
	Design    ManifestDesign     `json:"design"`
	Scenarios []ManifestScenario `json:"scenarios"`
	// ScenarioFiles are the scenario files and their bases (extends:), each once, as
	// read when the experiment started: every point's scenarios come from these bytes.
	ScenarioFiles []ManifestSource `json:"scenario_files"`
	Set           []ManifestSet    `json:"set,omitempty"`
	Factors       []ManifestFactor `json:"factors"`
	Outputs       []ManifestOutput `json:"outputs"`
	Points        int              `json:"points"`
	Replicates    int              `json:"replicates"`
	Seed          uint64           `json:"seed"`
	Pairing       string           `json:"pairing"`
	Shard         int              `json:"shard,omitempty"`
	Shards        int              `json:"shards,omitempty"`
	MergedShards  int              `json:"merged_shards,omitempty"`
	Workers       int              `json:"workers"`
	PointsDone    int              `json:"points_done"`
	Complete      bool             `json:"complete"`
	StartedAt     string           `json:"started_at"`
	FinishedAt    string           `json:"finished_at,omitempty"`
	Files         []string         `json:"files,omitempty"`
	// Trajectories are the metrics written to trajectories/ (--trajectories), if any.
	Trajectories []string `json:"trajectories,omitempty"`
	// Runaways are the points whose world ran away, in point order: their results are
	// NaN, and the analyses set them aside.
	Runaways []Runaway `json:"runaways,omitempty"`
}

// RunawayPoints is the set of points whose world ran away.
func (m *Manifest) RunawayPoints() map[int]bool {
	out := make(map[int]bool, len(m.Runaways))
	for _, r := range m.Runaways {
		out[r.Point] = true
	}
	return out
}

type ManifestDesign struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Kind   Kind   `json:"kind"`
	CSV    string `json:"csv,omitempty"`
	Levels int    `json:"levels,omitempty"`
	// Posterior is the (first) posterior.csv the points draw their parameters from, if
	// any; Posteriors are all of them, with their checksums, when there are several.
	Posterior       string           `json:"posterior,omitempty"`
	PosteriorSHA256 string           `json:"posterior_sha256,omitempty"`
	Posteriors      []ManifestSource `json:"posteriors,omitempty"`
}

type ManifestScenario struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

type ManifestSource struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

// scenarioFiles lists the design's scenario files and their bases, each once, and its
// posterior.csv if it has one.
func (d *Design) scenarioFiles() []ManifestSource {
	var files []ManifestSource
	for _, src := range d.Sources {
		for _, f := range src.Files {
			mf := ManifestSource{File: filepath.ToSlash(f.Path), SHA256: f.SHA256}
			if !slices.Contains(files, mf) {
				files = append(files, mf)
			}
		}
	}
	// So that --resume refuses a posterior that has changed since.
	files = append(files, d.PosteriorFiles...)
	return files
}

type ManifestSet struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type ManifestFactor struct {
	Key       string    `json:"key"`
	Range     []float64 `json:"range,omitempty"`
	Levels    []float64 `json:"levels,omitempty"`
	Scale     string    `json:"scale"`
	Scenarios []string  `json:"scenarios,omitempty"`
	// Posterior is the posterior.csv a parameter of scale "posterior" is drawn from:
	// a sobol design's posterior is one factor of the scheme, its parameters together.
	Posterior string `json:"posterior,omitempty"`
}

// SaltelliGroups are a sobol design's factors as Saltelli's scheme varies them: each of
// the design's own factors alone, and each posterior's parameters together (a posterior is
// one factor of the scheme), in the order of their first columns. A block of the design
// has len(groups) + 2 points: A, AB_1 ... AB_k and B.
func SaltelliGroups(fs []ManifestFactor) [][]int {
	var groups [][]int
	from := map[string]int{} // posterior file -> group
	for c, f := range fs {
		if f.Scale != "posterior" {
			groups = append(groups, []int{c})
			continue
		}
		g, ok := from[f.Posterior]
		if !ok {
			g = len(groups)
			from[f.Posterior] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], c)
	}
	return groups
}

type ManifestOutput struct {
	Name     string `json:"name"`
	Metric   string `json:"metric"`
	Window   string `json:"window"`
	FromWeek int    `json:"from_week"`
	ToWeek   int    `json:"to_week"`
}

func (d *Design) manifest(opts Options, workers int, cp *checkpoint) *Manifest {
	m := &Manifest{
		Version: sim.Version, Build: sim.Build(), Command: opts.Command,
		Design:     ManifestDesign{Name: d.Name, File: filepath.ToSlash(d.File), SHA256: d.SHA256, Kind: d.Kind, CSV: d.CSVFile, Levels: d.Levels},
		Points:     d.Points,
		Replicates: d.Replicates, Seed: d.Seed, Pairing: PairingNote,
		Workers: workers, StartedAt: cp.StartedAt,
	}
	if len(d.PosteriorFiles) > 0 {
		m.Design.Posterior, m.Design.PosteriorSHA256 = d.PosteriorFiles[0].File, d.PosteriorFiles[0].SHA256
	}
	if len(d.PosteriorFiles) > 1 {
		m.Design.Posteriors = d.PosteriorFiles
	}
	if cp.Shards > 1 {
		m.Shard, m.Shards = cp.Shard, cp.Shards
	}
	for k, sc := range d.Scenarios {
		m.Scenarios = append(m.Scenarios, ManifestScenario{Name: sc.Name, File: filepath.ToSlash(d.Paths[k]), SHA256: sc.SHA256})
	}
	m.ScenarioFiles = cp.ScenarioFiles
	for _, o := range d.Set {
		m.Set = append(m.Set, ManifestSet{o.Key, o.Value})
	}
	for _, f := range d.Factors {
		mf := ManifestFactor{Key: f.Key, Levels: f.Levels, Scale: "uniform", Scenarios: f.Scenarios}
		if f.Levels == nil {
			mf.Range = []float64{f.Lo, f.Hi}
		}
		if f.Log {
			mf.Scale = "log-uniform"
		}
		if f.Posterior {
			mf.Scale, mf.Posterior = "posterior", d.PosteriorFiles[f.Of].File
		}
		m.Factors = append(m.Factors, mf)
	}
	if opts.Trajectories {
		for _, mt := range d.trajectoryMetrics() {
			m.Trajectories = append(m.Trajectories, mt.String())
		}
	}
	for _, o := range d.Outputs {
		m.Outputs = append(m.Outputs, ManifestOutput{Name: o.Name, Metric: o.Metric.String(), Window: o.Window, FromWeek: o.From, ToWeek: o.To})
	}
	return m
}

func runtimeCPUs() int { return runtime.GOMAXPROCS(0) }

func readManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("experiment: %s: no experiment manifest: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("experiment: %s: unreadable manifest: %v", dir, err)
	}
	return &m, nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }
