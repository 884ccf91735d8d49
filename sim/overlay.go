package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// readCurves reads a run's timeseries.csv (or cumulative.csv) into one curve per
// metric, labelled with the run's scenario name, and returns the run's clock.
func readCurves(path string) (map[string]curve, scenario.Clock, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, scenario.Clock{}, fmt.Errorf("sim: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil || len(header) != 11 || header[0] != "scenario" || header[10] != "p95" {
		return nil, scenario.Clock{}, fmt.Errorf("sim: %s is not a cartelsim %s", path, filepath.Base(path))
	}
	curves := map[string]curve{}
	var clock scenario.Clock
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, scenario.Clock{}, fmt.Errorf("sim: %s: %w", path, err)
		}
		date, err := time.Parse(time.DateOnly, rec[2])
		if err != nil {
			return nil, scenario.Clock{}, fmt.Errorf("sim: %s:%d: date %q", path, line, rec[2])
		}
		week, err := strconv.Atoi(rec[1])
		if err != nil || week < 1 {
			return nil, scenario.Clock{}, fmt.Errorf("sim: %s:%d: week %q", path, line, rec[1])
		}
		if line == 2 {
			clock.Start = date.AddDate(0, 0, -7*week)
		}
		clock.Weeks = max(clock.Weeks, week)
		var q [len(ensemble.Quantiles)]float64
		for k := range q {
			if q[k], err = strconv.ParseFloat(rec[6+k], 64); err != nil {
				return nil, scenario.Clock{}, fmt.Errorf("sim: %s:%d: %w", path, line, err)
			}
		}
		mean, err := strconv.ParseFloat(rec[4], 64)
		if err != nil {
			return nil, scenario.Clock{}, fmt.Errorf("sim: %s:%d: %w", path, line, err)
		}
		c := curves[rec[3]]
		c.label = rec[0]
		c.x = append(c.x, decimalYear(date))
		c.q = append(c.q, q)
		c.mean = append(c.mean, mean)
		curves[rec[3]] = c
	}
	return curves, clock, nil
}

// runCurves are one run directory's curves: the weekly statistics and the running
// totals of CumulativeMetrics (starting from 0 at week 0), if the run has them.
type runCurves struct {
	weekly, totals map[string]curve
	clock          scenario.Clock
}

func readRunCurves(dir string) (runCurves, error) {
	var rc runCurves
	var err error
	if rc.weekly, rc.clock, err = readCurves(filepath.Join(dir, TimeseriesFile)); err != nil {
		return rc, err
	}
	totals, _, err := readCurves(filepath.Join(dir, CumulativeFile))
	if errors.Is(err, fs.ErrNotExist) {
		return rc, nil // a run of an older cartelsim: rare events are drawn week by week
	}
	if err != nil {
		return rc, err
	}
	rc.totals = map[string]curve{}
	for name, c := range totals {
		rc.totals[name] = curve{label: c.label, x: append([]float64{decimalYear(rc.clock.Start)}, c.x...),
			q: append([][len(ensemble.Quantiles)]float64{{}}, c.q...), mean: append([]float64{0}, c.mean...)}
	}
	return rc, nil
}

// OverlayPlots draws, for each metric, the runs in dirs (each a `cartelsim run` output
// directory) on one plot: each run's median and 90% band (for a rare event, of its
// running total; for a rare stock, its mean). Where a run's manifest names a scenario
// file that is still there unchanged (same sha256, with the run's overrides applied),
// its intervention windows are shaded.
// It writes outDir/<metric>.png and .svg and returns the files written.
func OverlayPlots(dirs []string, metrics []model.Metric, outDir string) ([]string, error) {
	scs := make([]*scenario.Scenario, 0, len(dirs))
	for _, d := range dirs {
		m, err := readManifest(d)
		if err != nil {
			continue
		}
		if sc := ranScenario(m.Scenario); sc != nil {
			scs = append(scs, sc)
		}
	}
	return OverlayPlotsShaded(dirs, metrics, outDir, InterventionWindows(scs))
}

// ranScenario is the scenario a manifest names, if its file (and bases) are still there
// unchanged: the same sha256 with the run's overrides applied; else nil.
func ranScenario(ms ManifestScenario) *scenario.Scenario {
	var sets []scenario.Override
	for _, s := range ms.Overrides {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			return nil
		}
		sets = append(sets, o)
	}
	if sc, err := scenario.LoadScenarioWith(ms.File, sets); err == nil && sc.SHA256 == ms.SHA256 {
		return sc
	}
	return nil
}

func OverlayPlotsShaded(dirs []string, metrics []model.Metric, outDir string, windows []window) ([]string, error) {
	runs := make([]runCurves, len(dirs))
	for i, d := range dirs {
		var err error
		if runs[i], err = readRunCurves(d); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	span := runs[0].clock // the axis covers every run, whatever its start and length
	for _, run := range runs[1:] {
		span = span.Union(run.clock)
	}
	var files []string
	for _, m := range metrics {
		how := display(m).how
		for _, run := range runs {
			if _, ok := run.totals[m.String()]; !ok && how == drawCumulative {
				how = drawFan // some run has no running totals: draw every run week by week
			}
		}
		curves := make([]curve, len(runs))
		for i, run := range runs {
			c, ok := run.weekly[m.String()]
			if how == drawCumulative {
				c = run.totals[m.String()]
			}
			if !ok {
				return nil, fmt.Errorf("sim: %s has no metric %s", dirs[i], m)
			}
			curves[i] = c
		}
		p, err := overlayChart(m, how, span, curves, windows)
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
