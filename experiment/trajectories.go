package experiment

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/ensemble"
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
	f       *sim.AtomicFile
	w       *parquet.GenericWriter[TrajectoryRow]
	point   int
	metrics []model.Metric
	rows    []TrajectoryRow
}

func newTrajectoryWriter(dir string, p int, metrics []model.Metric) (*trajectoryWriter, error) {
	f, err := sim.CreateAtomic(filepath.Join(dir, trajectoryFile(p)))
	if err != nil {
		return nil, err
	}
	// zstd: read by pyarrow (pandas), polars, R's arrow and DuckDB alike. No timestamp is
	// written, so a point's file has the same bytes whoever runs it.
	w := parquet.NewGenericWriter[TrajectoryRow](f, parquet.Compression(&zstd.Codec{}),
		parquet.CreatedBy("cartelsim", sim.Version, ""))
	return &trajectoryWriter{f: f, w: w, point: p, metrics: metrics}, nil
}

// folder returns a Folder that writes one scenario's replicates.
func (t *trajectoryWriter) folder(scenario string) ensemble.Folder {
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

// commit closes the Parquet file and renames it into place; abort discards it.
func (t *trajectoryWriter) commit() error {
	if err := t.w.Close(); err != nil {
		t.f.Abort()
		return fmt.Errorf("experiment: writing trajectories: %w", err)
	}
	return t.f.Commit()
}

func (t *trajectoryWriter) abort() { t.f.Abort() }

// heldTrajectories keeps a scenario's replicates' weekly values of the trajectory
// metrics (only those), in replicate order, to be written after another scenario's.
type heldTrajectories struct {
	metrics []model.Metric
	reps    []int
	values  [][]float64 // [replicate] weeks x len(metrics)
}

func (h *heldTrajectories) Fold(rep int, series []float64) error {
	nm := int(model.NumMetrics)
	kept := make([]float64, 0, len(series)/nm*len(h.metrics))
	for w := 0; w < len(series)/nm; w++ {
		for _, m := range h.metrics {
			kept = append(kept, series[w*nm+int(m)])
		}
	}
	h.reps, h.values = append(h.reps, rep), append(h.values, kept)
	return nil
}

// replay hands the held replicates to f, in the order they were folded, as series of
// which only the metrics' columns are set.
func (h *heldTrajectories) replay(f ensemble.Folder) error {
	nm, k := int(model.NumMetrics), len(h.metrics)
	var series []float64
	for i, rep := range h.reps {
		weeks := len(h.values[i]) / max(k, 1)
		series = slices.Grow(series[:0], weeks*nm)[:weeks*nm]
		for w := range weeks {
			for j, m := range h.metrics {
				series[w*nm+int(m)] = h.values[i][w*k+j]
			}
		}
		if err := f.Fold(rep, series); err != nil {
			return err
		}
		h.values[i] = nil
	}
	return nil
}
