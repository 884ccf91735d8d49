package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
)

// TrajectoriesDir holds, with --trajectories, one Parquet file per point of every
// replicate's weekly values of the outputs' metrics: point-000000.parquet, ...
const TrajectoriesDir = "trajectories"

// TrajectoryRow is one row of a trajectories file: a metric's value in one week of one
// replicate of one scenario at one point.
type TrajectoryRow struct {
	Point     int64   `parquet:"point"`
	Scenario  string  `parquet:"scenario,dict"`
	Replicate int64   `parquet:"replicate"`
	Week      int64   `parquet:"week"`
	Metric    string  `parquet:"metric,dict"`
	Value     float64 `parquet:"value"`
}

// trajectoryMetrics are the distinct metrics of the outputs, in their order.
func (d *Design) trajectoryMetrics() []model.Metric {
	var ms []model.Metric
	for _, o := range d.Outputs {
		if !slices.Contains(ms, o.Metric) {
			ms = append(ms, o.Metric)
		}
	}
	return ms
}

func trajectoryFile(p int) string { return fmt.Sprintf("point-%06d.parquet", p) }

// trajectoryWriter streams one point's trajectories into its Parquet file, replicate by
// replicate as they are folded, under a temporary name until commit.
type trajectoryWriter struct {
	path    string
	f       *os.File
	w       *parquet.GenericWriter[TrajectoryRow]
	point   int
	metrics []model.Metric
	rows    []TrajectoryRow
}

func newTrajectoryWriter(dir string, p int, metrics []model.Metric) (*trajectoryWriter, error) {
	path := filepath.Join(dir, trajectoryFile(p))
	f, err := os.CreateTemp(dir, ".cartelsim-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	// zstd: read by pyarrow (pandas), polars, R's arrow and DuckDB alike. No timestamp is
	// written, so a point's file has the same bytes whoever runs it.
	w := parquet.NewGenericWriter[TrajectoryRow](f, parquet.Compression(&zstd.Codec{}),
		parquet.CreatedBy("cartelsim", sim.Version, ""))
	return &trajectoryWriter{path: path, f: f, w: w, point: p, metrics: metrics}, nil
}

// folder returns a Folder that writes one scenario's replicates.
func (t *trajectoryWriter) folder(scenario string) sim.Folder {
	return trajectoryFolder{t, scenario}
}

type trajectoryFolder struct {
	t        *trajectoryWriter
	scenario string
}

func (f trajectoryFolder) Fold(rep int, series []float64) error {
	t := f.t
	nm := int(model.NumMetrics)
	t.rows = t.rows[:0]
	for w := 0; w < len(series)/nm; w++ {
		for _, m := range t.metrics {
			t.rows = append(t.rows, TrajectoryRow{Point: int64(t.point), Scenario: f.scenario, Replicate: int64(rep),
				Week: int64(w + 1), Metric: m.String(), Value: series[w*nm+int(m)]})
		}
	}
	if _, err := t.w.Write(t.rows); err != nil {
		return fmt.Errorf("experiment: writing trajectories: %w", err)
	}
	return nil
}

func (t *trajectoryWriter) commit() error {
	err := t.w.Close()
	if err == nil {
		err = t.f.Chmod(0o644)
	}
	if err == nil {
		err = t.f.Sync()
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = sim.RenameDurably(t.f.Name(), t.path)
	}
	if err != nil {
		os.Remove(t.f.Name())
		return fmt.Errorf("experiment: writing %s: %w", filepath.Base(t.path), err)
	}
	return nil
}

func (t *trajectoryWriter) abort() {
	t.f.Close()
	os.Remove(t.f.Name())
}
