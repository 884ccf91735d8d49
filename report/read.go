package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Kind is what a directory holds.
type Kind string

const (
	Run        Kind = "run"
	Comparison Kind = "comparison"
	Experiment Kind = "experiment"
)

// The files Open looks for, in the order it looks.
const (
	ExperimentFile = "experiment.json"
	ComparisonFile = "comparison.json"
	ManifestFile   = "manifest.json"
)

// InputError is a directory that cannot be reported on: missing, not one cartelsim
// wrote, unfinished, or with a file that does not parse. Its message is one line.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return "report: " + e.Msg }

func inputf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}

// ScenarioRef identifies a scenario as a manifest records it.
type ScenarioRef struct {
	Name      string   `json:"name"`
	File      string   `json:"file"`
	SHA256    string   `json:"sha256"`
	Extends   []string `json:"extends,omitempty"`
	Overrides []string `json:"overrides,omitempty"`
}

// Metric is a metric's name, unit and kind as a run manifest lists it.
type Metric struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Kind string `json:"kind"`
}

// runManifest is what the report reads of a run's manifest.json.
type runManifest struct {
	Complete   bool        `json:"complete"`
	Version    string      `json:"version"`
	Command    string      `json:"command"`
	Scenario   ScenarioRef `json:"scenario"`
	Seed       uint64      `json:"seed"`
	Replicates int         `json:"replicates"`
	Mode       string      `json:"mode"`
	Weeks      int         `json:"weeks"`
	StartDate  string      `json:"start_date"`
	EndDate    string      `json:"end_date"`
	Metrics    []Metric    `json:"metrics"`
	Files      []string    `json:"files"`
}

type weekDate struct {
	Week int    `json:"week"`
	Date string `json:"date"`
}

// comparisonManifest is what the report reads of comparison.json.
type comparisonManifest struct {
	Complete        bool          `json:"complete"`
	Version         string        `json:"version"`
	Command         string        `json:"command"`
	Scenarios       []ScenarioRef `json:"scenarios"`
	Seed            uint64        `json:"seed"`
	Replicates      int           `json:"replicates"`
	Mode            string        `json:"mode"`
	StartDate       string        `json:"start_date"`
	Weeks           int           `json:"weeks"`
	FirstDifference *weekDate     `json:"first_difference"`
	Horizons        []weekDate    `json:"horizons"`
	WindowWeeks     int           `json:"window_weeks"`
	Pairing         string        `json:"pairing"`
	Metrics         []string      `json:"metrics"`
	Files           []string      `json:"files"`
}

// Factor is a factor of an experiment as experiment.json records it.
type Factor struct {
	Key       string    `json:"key"`
	Range     []float64 `json:"range"`
	Scale     string    `json:"scale"`
	Scenarios []string  `json:"scenarios"`
}

type experimentOutput struct {
	Name     string `json:"name"`
	Metric   string `json:"metric"`
	Window   string `json:"window"`
	FromWeek int    `json:"from_week"`
	ToWeek   int    `json:"to_week"`
}

// experimentManifest is what the report reads of experiment.json.
type experimentManifest struct {
	Complete bool   `json:"complete"`
	Version  string `json:"version"`
	Command  string `json:"command"`
	Design   struct {
		Name   string `json:"name"`
		File   string `json:"file"`
		Kind   string `json:"kind"`
		Levels int    `json:"levels"`
	} `json:"design"`
	Scenarios  []ScenarioRef      `json:"scenarios"`
	Factors    []Factor           `json:"factors"`
	Outputs    []experimentOutput `json:"outputs"`
	Points     int                `json:"points"`
	Replicates int                `json:"replicates"`
	Seed       uint64             `json:"seed"`
	Pairing    string             `json:"pairing"`
	Files      []string           `json:"files"`
	// Runaways are the points whose world ran away: their effects are NaN.
	Runaways []struct {
		Point int `json:"point"`
	} `json:"runaways"`
}

// detect tells what dir holds.
func detect(dir string) (Kind, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", inputf("%s: no such directory", dir)
	case err != nil:
		return "", inputf("%s: %v", dir, unwrapPath(err))
	case !info.IsDir():
		return "", inputf("%s is a file, not a run, comparison or experiment directory", dir)
	}
	for _, c := range []struct {
		file string
		kind Kind
	}{{ExperimentFile, Experiment}, {ComparisonFile, Comparison}, {ManifestFile, Run}} {
		if _, err := os.Stat(filepath.Join(dir, c.file)); err == nil {
			return c.kind, nil
		}
	}
	return "", inputf("%s is not a run, comparison or experiment directory (it has no %s, %s or %s)", dir, ManifestFile, ComparisonFile, ExperimentFile)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxFileBytes bounds every file the report reads whole (manifests, plots): a directory
// that cartelsim wrote has none near it.
const maxFileBytes = 64 << 20

// readFile reads a file of dir, refusing what is not a regular file or is too large.
func readFile(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	info, err := os.Stat(path)
	if err != nil {
		return nil, inputf("%s: %v", path, unwrapPath(err))
	}
	if !info.Mode().IsRegular() {
		return nil, inputf("%s: not a regular file", path)
	}
	if info.Size() > maxFileBytes {
		return nil, inputf("%s: larger than %d bytes", path, maxFileBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, inputf("%s: %v", path, unwrapPath(err))
	}
	return b, nil
}

// readJSON decodes a manifest, naming the file and line of a syntax error. It also
// returns the manifest as a map, for the fields the report shows as they are.
func readJSON(dir, name string, v any) (map[string]any, error) {
	b, err := readFile(dir, name)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(string(b[:se.Offset]), "\n")
			return nil, inputf("%s:%d: not valid JSON: %v", path, line, err)
		}
		return nil, inputf("%s: not a JSON object: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, inputf("%s: %v", path, err)
	}
	return raw, nil
}

// table is a CSV file read whole, with its header.
type table struct {
	path   string
	header map[string]int
	rows   [][]string
	lines  []int // the file line of each row
}

// readCSV reads a CSV file of dir and checks it has the columns want.
func readCSV(dir, name string, want ...string) (*table, error) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if err != nil {
		return nil, inputf("%s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 1<<30))
	r.ReuseRecord = false
	head, err := r.Read()
	if err != nil {
		return nil, inputf("%s: %s", path, csvError(err))
	}
	t := &table{path: path, header: map[string]int{}}
	for i, h := range head {
		t.header[h] = i
	}
	for _, w := range want {
		if _, ok := t.header[w]; !ok {
			return nil, inputf("%s:1: no column %q", path, w)
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, inputf("%s: %s", path, csvError(err))
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

func csvError(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %v", pe.Line, pe.Err)
	}
	if err == io.EOF {
		return "empty file"
	}
	return err.Error()
}

func (t *table) str(i int, col string) string { return t.rows[i][t.header[col]] }

// num parses a number of row i, naming the file and line when it is not one. An empty
// cell is NaN.
func (t *table) num(i int, col string) (float64, error) {
	s := t.str(i, col)
	if s == "" {
		return nan, nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, inputf("%s:%d: %s: want a number, got %q", t.path, t.lines[i], col, s)
	}
	return x, nil
}

func (t *table) int(i int, col string) (int, error) {
	s := t.str(i, col)
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, inputf("%s:%d: %s: want a whole number, got %q", t.path, t.lines[i], col, s)
	}
	return n, nil
}
