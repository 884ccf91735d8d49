package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

// readCurves reads a run's timeseries.csv into one curve per metric, labelled with the
// run's scenario name.
func readCurves(path string) (map[string]curve, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil || len(header) != 11 || header[0] != "scenario" || header[10] != "p95" {
		return nil, fmt.Errorf("sim: %s is not a cartelsim timeseries.csv", path)
	}
	curves := map[string]curve{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sim: %s: %w", path, err)
		}
		date, err := time.Parse(time.DateOnly, rec[2])
		if err != nil {
			return nil, fmt.Errorf("sim: %s:%d: date %q", path, line, rec[2])
		}
		var q [len(Quantiles)]float64
		for k := range q {
			if q[k], err = strconv.ParseFloat(rec[6+k], 64); err != nil {
				return nil, fmt.Errorf("sim: %s:%d: %w", path, line, err)
			}
		}
		c := curves[rec[3]]
		c.label = rec[0]
		c.x = append(c.x, decimalYear(date))
		c.q = append(c.q, q)
		curves[rec[3]] = c
	}
	return curves, nil
}

// OverlayPlots draws, for each metric, the runs in dirs (each a `cartelsim run` output
// directory) on one plot: each run's median and 90% band. It writes
// outDir/<metric>.png and .svg and returns the files written.
func OverlayPlots(dirs []string, metrics []model.Metric, outDir string) ([]string, error) {
	runs := make([]map[string]curve, len(dirs))
	for i, d := range dirs {
		var err error
		if runs[i], err = readCurves(filepath.Join(d, TimeseriesFile)); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var files []string
	for _, m := range metrics {
		curves := make([]curve, len(runs))
		for i, run := range runs {
			c, ok := run[m.String()]
			if !ok {
				return nil, fmt.Errorf("sim: %s has no metric %s", dirs[i], m)
			}
			curves[i] = c
		}
		p, err := overlayChart(m.String(), m, curves)
		if err != nil {
			return nil, err
		}
		for _, format := range []string{"png", "svg"} {
			name := filepath.Join(outDir, m.String()+"."+format)
			if err := savePlot(p, name, format); err != nil {
				return nil, err
			}
			files = append(files, name)
		}
	}
	return files, nil
}
