package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model/mexico"
)

// tableReader reads a run's CSV table, naming the file and line in its errors.
type tableReader struct {
	path string
	r    *csv.Reader
}

func openTable(path, what string, header []string) (*tableReader, func(), error) {
	f, err := openRegular(path, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("sim: %s: no such file: %s", path, what)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	t := &tableReader{path: path, r: csv.NewReader(f)}
	t.r.FieldsPerRecord = len(header)
	got, err := t.r.Read()
	if err != nil || !slices.Equal(got, header) {
		f.Close()
		return nil, nil, fmt.Errorf("sim: %s:1: header %q, want %s", path, strings.Join(got, ","), strings.Join(header, ","))
	}
	return t, func() { f.Close() }, nil
}

// next returns the next row, or nil at the end.
func (t *tableReader) next() ([]string, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("sim: %s:%d: %v", t.path, pe.Line, pe.Err)
		}
		return nil, fmt.Errorf("sim: %s: %w", t.path, err)
	}
	return rec, nil
}

// errorf reports a problem with the row last read, at its line in the file.
// nextState reads the next row of a table by year (column 1) and state (column 2),
// checking both; rec is nil at the end of the table.
func (t *tableReader) nextState(codes map[string]bool) (rec []string, year int, err error) {
	if rec, err = t.next(); err != nil || rec == nil {
		return nil, 0, err
	}
	if year, err = t.year(rec[1]); err != nil {
		return nil, 0, err
	}
	if !codes[rec[2]] {
		return nil, 0, t.errorf("state %q is not one of Mexico's 32 state codes (cartelsim list states)", rec[2])
	}
	return rec, year, nil
}

func (t *tableReader) errorf(format string, args ...any) error {
	line, _ := t.r.FieldPos(0)
	return fmt.Errorf("sim: %s:%d: %s", t.path, line, fmt.Sprintf(format, args...))
}

// year reads a calendar year.
func (t *tableReader) year(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 1 || y > 9999 {
		return 0, t.errorf("year %q is not a calendar year", s)
	}
	return y, nil
}

// pickYear returns want if the table has it, or the last year when want is 0.
func pickYear(path string, years []int, want int) (int, error) {
	if len(years) == 0 {
		return 0, fmt.Errorf("sim: %s has no rows", path)
	}
	slices.Sort(years)
	years = slices.Compact(years)
	if want == 0 {
		return years[len(years)-1], nil
	}
	if !slices.Contains(years, want) {
		return 0, fmt.Errorf("sim: %s has no year %d: its years are %s", path, want, yearList(years))
	}
	return want, nil
}

// yearList writes years as ranges: 2025 to 2030, or 2025, 2027.
func yearList(years []int) string {
	if years[len(years)-1]-years[0] == len(years)-1 && len(years) > 1 {
		return fmt.Sprintf("%d to %d", years[0], years[len(years)-1])
	}
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, ", ")
}

// stateRow is one state's value on a map.
type stateRow struct {
	value float64 // a continuous map's median
	group string  // a categorical map's label; empty for none
	share float64 // a categorical map's: the fraction of replicates in which group is the state's
}

// stateMap is a map ready to draw: each state's value (or group), what it shows and
// where it comes from.
type stateMap struct {
	title, unit, source string
	categorical         bool
	rows                map[string]stateRow // by state code; a state absent has no data
	bounds              []mexico.Boundary
}

// readStateMetric reads metric's medians in year (0: the last) from states.csv.
func readStateMetric(path, metric string, year, replicates int) (*stateMap, int, error) {
	t, done, err := openTable(path, "maps need the states.csv of a run whose world has geography", strings.Split(strings.TrimSuffix(statesHeader, "\n"), ","))
	if err != nil {
		return nil, 0, err
	}
	defer done()
	codes := stateCodes()
	type row struct {
		year  int
		state string
		p50   float64
	}
	var rows []row
	var years []int
	var metrics []string
	scenario := ""
	for {
		rec, y, err := t.nextState(codes)
		if err != nil {
			return nil, 0, err
		}
		if rec == nil {
			break
		}
		if !slices.Contains(metrics, rec[4]) {
			metrics = append(metrics, rec[4])
		}
		if rec[4] != metric {
			continue
		}
		v, err := strconv.ParseFloat(rec[8], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, t.errorf("p50 %q is not a finite number", rec[8])
		}
		scenario = rec[0]
		years = append(years, y)
		rows = append(rows, row{y, rec[2], v})
	}
	if len(rows) == 0 {
		return nil, 0, fmt.Errorf("sim: %s has no rows of metric %s: its metrics are %s", path, metric, strings.Join(metrics, ", "))
	}
	year, err = pickYear(path, years, year)
	if err != nil {
		return nil, 0, err
	}
	d := mapDisplays[metric]
	m := &stateMap{
		title:  fmt.Sprintf("%s by state, %d (%s)", d.title, year, scenario),
		unit:   d.unit,
		source: mapSource("Median", replicates, scenario),
		rows:   map[string]stateRow{},
	}
	for _, r := range rows {
		if r.year != year {
			continue
		}
		if _, dup := m.rows[r.state]; dup {
			return nil, 0, fmt.Errorf("sim: %s: state %s has two rows of %s in %d", path, r.state, metric, year)
		}
		m.rows[r.state] = stateRow{value: r.p50}
	}
	return m, year, nil
}

var dominantHeader = []string{"scenario", "year", "state", "name", "group", "group_name", "share"}

// readDominant reads the dominant groups in year (0: the last) from dominant.csv.
func readDominant(path string, year, replicates int) (*stateMap, int, error) {
	t, done, err := openTable(path, "the map of dominant groups needs the run's dominant.csv", dominantHeader)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	codes := stateCodes()
	type row struct {
		year         int
		state, label string
		share        float64
	}
	var rows []row
	var years []int
	scenario := ""
	for {
		rec, y, err := t.nextState(codes)
		if err != nil {
			return nil, 0, err
		}
		if rec == nil {
			break
		}
		share, err := strconv.ParseFloat(rec[6], 64)
		if err != nil || !(share >= 0 && share <= 1) {
			return nil, 0, t.errorf("share %q is not a fraction from 0 to 1", rec[6])
		}
		label := rec[5]
		if label == "" {
			label = rec[4]
		}
		scenario = rec[0]
		years = append(years, y)
		rows = append(rows, row{y, rec[2], label, share})
	}
	year, err = pickYear(path, years, year)
	if err != nil {
		return nil, 0, err
	}
	m := &stateMap{
		title:       fmt.Sprintf("Dominant group by state, end of %d (%s)", year, scenario),
		source:      mapSource(fmt.Sprintf("The group with the largest presence at the end of %d in most", year), replicates, scenario),
		categorical: true,
		rows:        map[string]stateRow{},
	}
	for _, r := range rows {
		if r.year != year {
			continue
		}
		if _, dup := m.rows[r.state]; dup {
			return nil, 0, fmt.Errorf("sim: %s: state %s has two rows in %d", path, r.state, year)
		}
		m.rows[r.state] = stateRow{group: r.label, share: r.share}
	}
	return m, year, nil
}

// mapSource is a map's source line: what the values are, from which run.
func mapSource(what string, replicates int, scenario string) string {
	of := "the replicates"
	if replicates > 0 {
		of = fmt.Sprintf("%d replicates", replicates)
		if replicates == 1 {
			of = "1 replicate"
		}
	}
	return fmt.Sprintf("%s of %s of %s (cartelsim). Boundaries: Natural Earth.", what, of, scenario)
}

func stateCodes() map[string]bool {
	g, err := mexico.Load()
	if err != nil {
		panic(err) // the embedded data set, which the tests load
	}
	codes := map[string]bool{}
	for _, s := range g.States {
		codes[s.Code] = true
	}
	return codes
}
