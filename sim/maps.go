package sim

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cartelsim/cartelsim/model/mexico"
)

// Maps of Mexico's states drawn from a run's per-state tables: a choropleth of a metric
// of states.csv (the median over replicates), or of the dominant group of
// dominant.csv.
const (
	// DominantFile names, per state and year, the group with the largest presence at the
	// end of the year in the most replicates: `scenario,year,state,name,group,group_name,
	// share`, share being the fraction of replicates in which it is (group empty where
	// no group is present in most replicates).
	DominantFile = "dominant.csv"
	// DominantGroupMetric is the map of dominant.csv's groups.
	DominantGroupMetric = "dominant_group"
	// RunMapMetric is the metric `run` maps, for the run's last year.
	RunMapMetric = "homicide_rate"
)

// mapDisplay is how a map names a metric of states.csv: the title and the colour bar's
// label (what is counted, in which unit, over which time).
type mapDisplay struct{ title, unit string }

// mapMetrics are the metrics of states.csv maps draw, in the order error messages list them.
var mapMetrics = []string{"homicides", "homicide_rate", "deaths", "civilian_casualties", "labs", "groups_present", "members"}

var mapDisplays = map[string]mapDisplay{
	"homicides":           {"Intentional homicides", "homicides in the year"},
	"homicide_rate":       {"Homicide rate", "homicides per 100,000 people in the year"},
	"deaths":              {"Cartel members killed in conflict", "deaths in the year"},
	"civilian_casualties": {"Civilians killed by strikes and raids", "civilians killed in the year"},
	"labs":                {"Working labs", "labs at the end of the year"},
	"groups_present":      {"Criminal groups present", "groups at the end of the year"},
	"members":             {"Cartel members", "members at the end of the year"},
}

// MapMetrics lists what `map --metric` accepts.
func MapMetrics() []string { return append(slices.Clone(mapMetrics), DominantGroupMetric) }

// MapOptions says which map to draw.
type MapOptions struct {
	Year   int    // a calendar year of the run; 0 for its last
	Metric string // one of MapMetrics
	// Out is the file to write, its format from its extension (.png or .svg); empty for
	// both formats as plots/map_<metric>_<year>.png and .svg in the run's directory.
	Out string
}

// MapInputError is a map's bad input: an unknown metric or year, a run directory
// without the table the map needs, or a table that does not read.
type MapInputError struct{ Err error }

func (e *MapInputError) Error() string { return e.Err.Error() }
func (e *MapInputError) Unwrap() error { return e.Err }

// DrawMap draws a map of a run's per-state outputs and returns the paths it wrote.
func DrawMap(runDir string, o MapOptions) ([]string, error) {
	if st, err := os.Stat(runDir); err != nil || !st.IsDir() {
		return nil, &MapInputError{fmt.Errorf("sim: %s is not a run directory", runDir)}
	}
	replicates := 0
	if m, err := readManifest(runDir); err == nil {
		replicates = m.Replicates
	}
	var paths []string
	err := drawMap(runDir, o, replicates, func(m *stateMap, year int) error {
		if o.Out != "" {
			format, err := MapFormat(o.Out)
			if err != nil {
				return &MapInputError{err}
			}
			paths = append(paths, o.Out)
			return WriteFileAtomic(o.Out, func(w io.Writer) error { return m.writeTo(w, format) })
		}
		if err := os.MkdirAll(filepath.Join(runDir, PlotsDir), 0o755); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		names, err := m.save(runDir, o.Metric, year)
		for _, n := range names {
			paths = append(paths, filepath.Join(runDir, n))
		}
		return err
	})
	return paths, err
}

// MapFormat is the image format of a map's file name: png or svg.
func MapFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return "png", nil
	case ".svg":
		return "svg", nil
	}
	return "", fmt.Errorf("sim: %s: want a .png or .svg file", path)
}

// writeRunMap draws a finished run's map of RunMapMetric in its last year as
// plots/map_homicide_rate_<year>.png and .svg, if the run wrote states.csv, and returns
// their paths relative to dir.
func writeRunMap(dir string, replicates int) ([]string, error) {
	if _, err := os.Lstat(filepath.Join(dir, StatesFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var names []string
	err := drawMap(dir, MapOptions{Metric: RunMapMetric}, replicates, func(m *stateMap, year int) error {
		var err error
		names, err = m.save(dir, RunMapMetric, year)
		return err
	})
	return names, err
}

// drawMap reads the run's table for o and hands the map to write.
func drawMap(dir string, o MapOptions, replicates int, write func(*stateMap, int) error) error {
	if !slices.Contains(MapMetrics(), o.Metric) {
		return &MapInputError{fmt.Errorf("sim: unknown map metric %q: want one of %s", o.Metric, strings.Join(MapMetrics(), ", "))}
	}
	bounds, err := mexico.Boundaries()
	if err != nil {
		return err
	}
	var m *stateMap
	var year int
	if o.Metric == DominantGroupMetric {
		m, year, err = readDominant(filepath.Join(dir, DominantFile), o.Year, replicates)
	} else {
		m, year, err = readStateMetric(filepath.Join(dir, StatesFile), o.Metric, o.Year, replicates)
	}
	if err != nil {
		return &MapInputError{err}
	}
	m.bounds = bounds
	return write(m, year)
}

// save writes the map as plots/map_<metric>_<year>.png and .svg under dir and returns
// their paths relative to dir.
func (m *stateMap) save(dir, metric string, year int) ([]string, error) {
	var names []string
	for _, format := range []string{"png", "svg"} {
		name := filepath.Join(PlotsDir, fmt.Sprintf("map_%s_%d.%s", metric, year, format))
		err := WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { return m.writeTo(w, format) })
		if err != nil {
			return names, err
		}
		names = append(names, filepath.ToSlash(name))
	}
	return names, nil
}
