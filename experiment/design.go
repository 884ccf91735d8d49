// Package experiment runs designed experiments on cartelsim scenarios: a design file
// names the scenarios (the first is the reference), the factors that vary (scenario keys
// set as --set would, each over a range or a list of levels), a sampling design (grid,
// Latin hypercube, Sobol-Saltelli, Morris or a CSV design matrix), the replicates per
// point and the outputs (a metric's mean over a window of dates, or its value at one).
// Run writes design.csv, results.csv, effects.csv, plots and a manifest; it resumes,
// shards and merges like a run. The package builds on sim, which does not import it.
package experiment

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/internal/fpmath"
	"github.com/cartelsim/cartelsim/internal/yamlmap"
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// MaxDesignBytes bounds a design file, as sim.MaxScenarioBytes bounds a scenario.
const MaxDesignBytes = 1 << 20

// MaxPoints bounds the points of a design (after Saltelli's or Morris's expansion).
const MaxPoints = 1 << 20

// Kind is a sampling design.
type Kind string

const (
	Grid           Kind = "grid"
	LatinHypercube Kind = "latin-hypercube"
	Sobol          Kind = "sobol"
	Morris         Kind = "morris"
	CSV            Kind = "csv"
)

var kinds = []string{string(Grid), string(LatinHypercube), string(Sobol), string(Morris), "csv: FILE"}

// Factor is a scenario key that the design varies.
type Factor struct {
	Key string // a scenario key, as --set takes it: economy.rebuild_weeks, interventions[2].intensity
	// Lo and Hi bound a ranged factor; Levels, if set, list the values of a discrete one.
	Lo, Hi float64
	Levels []float64
	Log    bool // log-uniform: sampled uniformly in log(value)
	// Scenarios are the names of the scenarios the factor applies to (nil: every one).
	Scenarios []string
	Line      int // where the factor is in the design file
	// Posterior: the factor is a parameter of the design's posterior (Posteriors[Of]),
	// whose particles give its values; Lo and Hi are the lowest and highest of them.
	Posterior bool
	Of        int
}

// Value maps u in [0, 1] to the factor's value: linearly (or, log-uniform, linearly in
// the logarithm) over the range, or to one of the levels, u splitting [0, 1] evenly.
func (f Factor) Value(u float64) float64 {
	if f.Levels != nil {
		i := min(int(u*float64(len(f.Levels))), len(f.Levels)-1)
		return f.Levels[max(i, 0)]
	}
	if u <= 0 {
		return f.Lo
	}
	if u >= 1 {
		return f.Hi
	}
	if f.Log {
		return fpmath.Exp(fpmath.Log(f.Lo) + float64(u*(fpmath.Log(f.Hi)-fpmath.Log(f.Lo))))
	}
	return f.Lo + float64(u*(f.Hi-f.Lo))
}

// appliesTo says whether the factor is set on the named scenario.
func (f Factor) appliesTo(scenario string) bool {
	return f.Scenarios == nil || slices.Contains(f.Scenarios, scenario)
}

// Output is one number drawn from each replicate: a metric's mean over the weeks From to
// To (both included; From == To reads one week's value).
type Output struct {
	Name     string
	Metric   model.Metric
	From, To int    // weeks of the run
	Window   string // as the design file gives it, for the manifest
	Line     int
}

// Design is a decoded and validated design file.
type Design struct {
	Name        string
	Description string
	File        string
	SHA256      string
	Source      []byte
	Scenarios   []*scenario.Scenario // the first is the reference; the others are compared with it
	Paths       []string             // the scenario files, as the design resolves them
	// Sources are the scenario files and their bases, read once when the design is
	// loaded: every point's scenarios are decoded from these bytes.
	Sources    []*scenario.ScenarioSource
	Set        []override // fixed overrides applied to every scenario
	Factors    []Factor
	Kind       Kind
	CSVFile    string
	Levels     int // grid and Morris: levels of each ranged factor
	Points     int // as asked: see docs/experiments.md
	Replicates int
	Seed       uint64
	Outputs    []Output
	// Posteriors, if any, are the calibrated posteriors each point draws its parameters
	// from, one particle of each, independently (the factors marked Posterior, after the
	// design's own, in the posteriors' order): posteriors fitted to different data, such
	// as the history's and the US overdose mechanism's. PosteriorFiles are their paths
	// and checksums, as read when the design was loaded.
	Posteriors     []*sim.Posterior
	PosteriorFiles []ManifestSource
	// Matrix is the design's points, each a row of factor values.
	Matrix [][]float64
}

// designError is a design file's problem, located as a scenario's are.
func designError(file string, line int, key, format string, args ...any) error {
	return yamlmap.Error(file, line, key, format, args...)
}

// LoadDesign reads, validates and samples a design file. Scenario and CSV paths in it are
// relative to its directory.
func LoadDesign(path string) (*Design, error) {
	data, err := yamlmap.ReadLimited(path, MaxDesignBytes)
	if err != nil {
		return nil, designError(path, 0, "", "%v", err)
	}
	return ParseDesign(path, data)
}

// mapping is a YAML mapping of the design file, with the design's own readers.
type mapping struct{ *yamlmap.Mapping }

func readMapping(file, prefix string, n *yaml.Node, known ...string) (*mapping, error) {
	m, err := yamlmap.Read(file, prefix, n, known...)
	if err != nil {
		return nil, err
	}
	return &mapping{m}, nil
}

func (m *mapping) number(key string) (float64, bool, error) {
	s, ok, err := m.Scalar(key)
	if !ok || err != nil {
		return 0, ok, err
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false, m.Fail(key, "%q is not a finite number", s)
	}
	return x, true, nil
}

func (m *mapping) numbers(key string) ([]float64, error) {
	n := m.Keys[key]
	if n.Kind != yaml.SequenceNode {
		return nil, m.Fail(key, "want a list of numbers")
	}
	var xs []float64
	for _, c := range n.Content {
		x, err := strconv.ParseFloat(c.Value, 64)
		if c.Kind != yaml.ScalarNode || err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, designError(m.File, c.Line, m.Prefix+key, "%q is not a finite number", c.Value)
		}
		xs = append(xs, x)
	}
	return xs, nil
}

// ParseDesign decodes and validates a design (name is its path, for messages and for
// the paths it holds), loads its scenarios and samples its points.
func ParseDesign(name string, data []byte) (*Design, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, scenario.YAMLError(name, err)
	}
	if len(doc.Content) != 1 {
		return nil, designError(name, 0, "", "empty design file")
	}
	top, err := readMapping(name, "", doc.Content[0], "name", "description", "scenarios", "set", "factors",
		"design", "levels", "points", "replicates", "seed", "outputs", "posterior")
	if err != nil {
		return nil, err
	}
	sum := sha256Hex(data)
	d := &Design{File: name, SHA256: sum, Source: data, Replicates: 10, Levels: 0}
	d.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if s, ok, err := top.Scalar("name"); err != nil {
		return nil, err
	} else if ok {
		if err := scenario.ValidName(s); err != nil {
			return nil, top.Fail("name", "%v", err)
		}
		d.Name = s
	}
	if s, _, err := top.Scalar("description"); err != nil {
		return nil, err
	} else {
		d.Description = s
	}
	for _, k := range []string{"scenarios", "factors", "design", "outputs"} {
		if top.Keys[k] == nil && !(k == "factors" && top.Keys["posterior"] != nil) {
			return nil, designError(name, top.Line, k, "missing: a design needs scenarios, factors (or a posterior), design and outputs")
		}
	}
	if err := d.readSet(top); err != nil {
		return nil, err
	}
	if err := d.readScenarios(top); err != nil {
		return nil, err
	}
	if top.Keys["factors"] != nil {
		if err := d.readFactors(top); err != nil {
			return nil, err
		}
	}
	if err := d.readPosterior(top); err != nil {
		return nil, err
	}
	if err := d.readOutputs(top); err != nil {
		return nil, err
	}
	if k, ok, err := top.Whole("replicates", 1, 1_000_000); err != nil {
		return nil, err
	} else if ok {
		d.Replicates = k
	}
	d.Seed = d.Scenarios[0].Seed
	if s, ok, err := top.Scalar("seed"); err != nil {
		return nil, err
	} else if ok {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, top.Fail("seed", "want a whole number from 0 to 2^64-1, got %q", s)
		}
		d.Seed = seed
	}
	if err := d.sample(top); err != nil {
		return nil, err
	}
	if err := d.checkFactors(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Design) readSet(top *mapping) error {
	n, ok := top.Keys["set"]
	if !ok {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return top.Fail("set", "want a mapping of scenario keys to values")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return designError(d.File, k.Line, "set."+k.Value, "want a single value")
		}
		d.Set = append(d.Set, override{Key: k.Value, Value: v.Value})
	}
	return nil
}

func (d *Design) readScenarios(top *mapping) error {
	n := top.Keys["scenarios"]
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return top.Fail("scenarios", "want a list of scenario files, the reference first")
	}
	dir := filepath.Dir(d.File)
	for i, c := range n.Content {
		key := fmt.Sprintf("scenarios[%d]", i)
		if c.Kind != yaml.ScalarNode || c.Value == "" {
			return designError(d.File, c.Line, key, "want a scenario file")
		}
		path := c.Value
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		src, err := scenario.ReadScenarioSource(path)
		if err != nil {
			return designError(d.File, c.Line, key, "%v", err)
		}
		sc, err := src.Parse(d.Set)
		if err != nil {
			return designError(d.File, c.Line, key, "%v", err)
		}
		for j, o := range d.Scenarios {
			if o.Name == sc.Name {
				return designError(d.File, c.Line, key, "scenario %s is also scenarios[%d]: names must differ", sc.Name, j)
			}
			if o.Clock != sc.Clock {
				return designError(d.File, c.Line, key, "scenario %s starts %s and runs %d weeks, %s %s and %d: scenarios must share their clock",
					sc.Name, sc.Clock.Start.Format(time.DateOnly), sc.Clock.Weeks, o.Name, o.Clock.Start.Format(time.DateOnly), o.Clock.Weeks)
			}
			if o.Mode != sc.Mode {
				return designError(d.File, c.Line, key, "scenario %s runs in %s mode, %s in %s: scenarios must share their mode", sc.Name, sc.Mode, o.Name, o.Mode)
			}
		}
		d.Scenarios = append(d.Scenarios, sc)
		d.Paths = append(d.Paths, path)
		d.Sources = append(d.Sources, src)
	}
	return nil
}

func (d *Design) readFactors(top *mapping) error {
	n := top.Keys["factors"]
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return top.Fail("factors", "want a list of factors")
	}
	for i, c := range n.Content {
		prefix := fmt.Sprintf("factors[%d].", i)
		m, err := readMapping(d.File, prefix, c, "key", "range", "levels", "scale", "scenarios")
		if err != nil {
			return err
		}
		f := Factor{Line: c.Line}
		key, ok, err := m.Scalar("key")
		if err != nil {
			return err
		}
		if !ok || key == "" {
			return m.Fail("key", "missing: a factor needs a key (a scenario key, as --set takes it)")
		}
		f.Key = key
		for _, o := range d.Factors {
			if o.Key == key {
				return m.Fail("key", "factor %s is given twice", key)
			}
		}
		_, hasRange := m.Keys["range"]
		_, hasLevels := m.Keys["levels"]
		switch {
		case hasRange == hasLevels:
			return m.Fail("key", "factor %s needs either a range [low, high] or a list of levels", key)
		case hasRange:
			xs, err := m.numbers("range")
			if err != nil {
				return err
			}
			if len(xs) != 2 {
				return m.Fail("range", "want [low, high], got %d numbers", len(xs))
			}
			if !(xs[0] < xs[1]) {
				return m.Fail("range", "empty range [%s, %s]: want low < high", fmtG(xs[0]), fmtG(xs[1]))
			}
			f.Lo, f.Hi = xs[0], xs[1]
		default:
			xs, err := m.numbers("levels")
			if err != nil {
				return err
			}
			if len(xs) == 0 {
				return m.Fail("levels", "empty list of levels")
			}
			f.Levels = xs
		}
		if s, ok, err := m.Scalar("scale"); err != nil {
			return err
		} else if ok {
			switch s {
			case "uniform":
			case "log-uniform":
				if f.Levels != nil {
					return m.Fail("scale", "a factor with levels has no scale")
				}
				if f.Lo <= 0 {
					return m.Fail("scale", "a log-uniform range must be above 0, got [%s, %s]", fmtG(f.Lo), fmtG(f.Hi))
				}
				f.Log = true
			default:
				return m.Fail("scale", "unknown scale %q (known: uniform, log-uniform)", s)
			}
		}
		if sn, ok := m.Keys["scenarios"]; ok {
			if sn.Kind != yaml.SequenceNode || len(sn.Content) == 0 {
				return m.Fail("scenarios", "want a list of scenario names")
			}
			for _, s := range sn.Content {
				if !slices.ContainsFunc(d.Scenarios, func(sc *scenario.Scenario) bool { return sc.Name == s.Value }) {
					return designError(d.File, s.Line, prefix+"scenarios", "no scenario of the design is named %q", s.Value)
				}
				f.Scenarios = append(f.Scenarios, s.Value)
			}
		}
		d.Factors = append(d.Factors, f)
	}
	return nil
}

func (d *Design) readOutputs(top *mapping) error {
	n := top.Keys["outputs"]
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return top.Fail("outputs", "want a list of outputs")
	}
	clock := d.Scenarios[0].Clock
	for i, c := range n.Content {
		m, err := readMapping(d.File, fmt.Sprintf("outputs[%d].", i), c, "name", "metric", "year", "from", "to", "at")
		if err != nil {
			return err
		}
		o := Output{Line: c.Line}
		ms, ok, err := m.Scalar("metric")
		if err != nil {
			return err
		}
		if !ok {
			return m.Fail("metric", "missing: an output needs a metric")
		}
		metric, ok := model.ParseMetric(ms)
		if !ok {
			return m.Fail("metric", "unknown metric %q (%scartelsim list metrics lists them)", ms, nearestMetric(ms))
		}
		o.Metric = metric
		year, hasYear, err := m.Whole("year", 1, 9999)
		if err != nil {
			return err
		}
		from, hasFrom, _ := m.Scalar("from")
		to, hasTo, _ := m.Scalar("to")
		at, hasAt, _ := m.Scalar("at")
		var first, last time.Time
		date := func(key, s string) (time.Time, error) {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return t, m.Fail(key, "%q is not a date (YYYY-MM-DD)", s)
			}
			return t, nil
		}
		switch {
		case hasYear && !hasFrom && !hasTo && !hasAt:
			first = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
			last = time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
			o.Window = "mean over " + strconv.Itoa(year)
		case hasFrom && hasTo && !hasYear && !hasAt:
			if first, err = date("from", from); err != nil {
				return err
			}
			if last, err = date("to", to); err != nil {
				return err
			}
			o.Window = "mean from " + from + " to " + to
		case hasAt && !hasYear && !hasFrom && !hasTo:
			if first, err = date("at", at); err != nil {
				return err
			}
			last = first
			o.Window = "at " + at
		default:
			return m.Fail("metric", "an output needs one window: year, from and to, or at")
		}
		if hasAt {
			// The week that ends on or before the date, as sim.Clock.Week reads dates.
			w, err := clock.Week(at)
			if err != nil {
				return m.Fail("at", "%v", strings.TrimPrefix(err.Error(), "sim: "))
			}
			o.From, o.To = w, w
		} else {
			// The weeks that end within the window.
			o.From, o.To = clock.Weeks+1, 0
			for w := 1; w <= clock.Weeks; w++ {
				if e := clock.Date(w); !e.Before(first) && !e.After(last) {
					o.From, o.To = min(o.From, w), max(o.To, w)
				}
			}
			if o.To == 0 {
				key := "year"
				if !hasYear {
					key = "from"
				}
				return m.Fail(key, "no week of the run (%s to %s) ends in the window", clock.Date(1).Format(time.DateOnly),
					clock.Date(clock.Weeks).Format(time.DateOnly))
			}
		}
		name, ok, err := m.Scalar("name")
		if err != nil {
			return err
		}
		if !ok {
			name = metric.String()
			switch {
			case hasYear:
				name += "_" + strconv.Itoa(year)
			case hasAt:
				name += "_at_" + at
			default:
				name += "_" + from + "_" + to
			}
		}
		if err := scenario.ValidName(name); err != nil {
			return m.Fail("name", "%v", err)
		}
		for _, p := range d.Outputs {
			if p.Name == name {
				return m.Fail("name", "output %s is given twice", name)
			}
		}
		o.Name = name
		d.Outputs = append(d.Outputs, o)
	}
	return nil
}

// checkFactors sets each factor, at its lowest and highest value, on every scenario it
// applies to, so that a factor a scenario lacks or a value it refuses is an error before
// anything runs, naming the factor's line.
func (d *Design) checkFactors() error {
	for _, f := range d.Factors {
		lo, hi := f.Lo, f.Hi
		if f.Levels != nil {
			lo, hi = slices.Min(f.Levels), slices.Max(f.Levels)
		}
		for k, sc := range d.Scenarios {
			if !f.appliesTo(sc.Name) {
				continue
			}
			for _, v := range []float64{lo, hi} {
				ovs := append(slices.Clone(d.Set), override{Key: f.Key, Value: fmtG(v)})
				if _, err := d.Sources[k].Parse(ovs); err != nil {
					return designError(d.File, f.Line, "factor "+f.Key, "scenario %s: %s", sc.Name, oneLine(err))
				}
			}
		}
	}
	return nil
}

// scenario builds scenario k at point p: the design's fixed overrides, then the point's
// factor values, with the design's seed and replicates.
func (d *Design) scenario(k, p int) (*scenario.Scenario, error) {
	ovs := slices.Clone(d.Set)
	for i, f := range d.Factors {
		if f.appliesTo(d.Scenarios[k].Name) {
			ovs = append(ovs, override{Key: f.Key, Value: fmtG(d.Matrix[p][i])})
		}
	}
	sc, err := d.Sources[k].Parse(ovs)
	if err != nil {
		return nil, fmt.Errorf("experiment: point %d, scenario %s: %w", p, d.Scenarios[k].Name, err)
	}
	sc.Seed, sc.Replicates = d.Seed, d.Replicates
	return sc, nil
}

// pointFactors lists point p's values of the design's own factors, key=value (a
// posterior's columns, many and drawn together, are left to design.csv).
func (d *Design) pointFactors(p int) string {
	var parts []string
	for i, f := range d.Factors {
		if !f.Posterior {
			parts = append(parts, f.Key+"="+strconv.FormatFloat(d.Matrix[p][i], 'g', 4, 64))
		}
	}
	return strings.Join(parts, ", ")
}

// fmtG writes the shortest decimal that reads back as the same float64.
func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func oneLine(err error) string {
	return string(bytes.ReplaceAll([]byte(err.Error()), []byte("\n"), []byte("; ")))
}

// nearestMetric suggests the metric nearest the one asked for, as scenario files'
// misspellings are answered: "did you mean labs? ", or "".
func nearestMetric(name string) string {
	names := make([]string, model.NumMetrics)
	for m := range model.NumMetrics {
		names[m] = m.String()
	}
	if best, ok := scenario.Nearest(name, names); ok {
		return "did you mean " + best + "? "
	}
	return ""
}

// readPosterior reads the design's posteriors: posterior: is a calibration's
// posterior.csv or a list of them (paths relative to the design file), read through sim's
// reader. Each parameter becomes a factor after the design's own, its range the lowest and
// highest value among the particles that can be drawn; a design factor, or another
// posterior's parameter, may not be one of them.
func (d *Design) readPosterior(top *mapping) error {
	n, ok := top.Keys["posterior"]
	if !ok {
		return nil
	}
	var names []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		names = []*yaml.Node{n}
	case yaml.SequenceNode:
		names = n.Content
	}
	if len(names) == 0 {
		return top.Fail("posterior", "want a posterior.csv (cartelsim calibrate's) or a list of them")
	}
	for _, name := range names {
		s := name.Value
		if name.Kind != yaml.ScalarNode || s == "" {
			return designError(d.File, name.Line, "posterior", "want a posterior.csv (cartelsim calibrate's)")
		}
		path := s
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(d.File), path)
		}
		data, err := yamlmap.ReadLimited(path, 64<<20)
		if err != nil {
			return designError(d.File, name.Line, "posterior", "%s: %v", path, err)
		}
		post, err := sim.ReadPosterior(path)
		if err != nil {
			return designError(d.File, name.Line, "posterior", "%s", strings.TrimPrefix(err.Error(), "sim: "))
		}
		d.Posteriors = append(d.Posteriors, post)
		d.PosteriorFiles = append(d.PosteriorFiles, ManifestSource{File: filepath.ToSlash(path), SHA256: sha256Hex(data)})
		for i, key := range post.Keys {
			for _, f := range d.Factors {
				if f.Key != key {
					continue
				}
				if f.Posterior {
					return designError(d.File, name.Line, "posterior", "%s is a parameter of two posteriors: each parameter is drawn from one", key)
				}
				return designError(d.File, f.Line, "factor "+key, "%s is a parameter of the posterior %s: the posterior sets it", key, s)
			}
			f := Factor{Key: key, Posterior: true, Of: len(d.Posteriors) - 1, Lo: math.Inf(1), Hi: math.Inf(-1), Line: name.Line}
			for k, p := range post.Particles {
				if post.Weights[k] > 0 {
					f.Lo, f.Hi = min(f.Lo, p[i]), max(f.Hi, p[i])
				}
			}
			d.Factors = append(d.Factors, f)
		}
	}
	return nil
}

// ownFactors is the number of the design's own factors, which come before the
// posterior's.
func (d *Design) ownFactors() int {
	k := 0
	for _, f := range d.Factors {
		if !f.Posterior {
			k++
		}
	}
	return k
}

// posteriorColumns appends to each point the parameters of the particle it draws from
// each posterior: point p takes sim.Posterior.Draw(seed_k, p) of posterior k, a particle
// in proportion to its weight from a stream of the seed, k and p alone (seed_0 is the
// design's seed, so a design with one posterior draws as it did before there could be
// more), the posteriors independently of one another.
func (d *Design) posteriorColumns(rows [][]float64) [][]float64 {
	for k, post := range d.Posteriors {
		seed := d.Seed ^ uint64(k)*posteriorSeedStep
		for p := range rows {
			rows[p] = append(rows[p], post.Particles[post.Draw(seed, p)]...)
		}
	}
	return rows
}

// posteriorSeedStep separates the streams of a design's posteriors (the golden ratio's
// 64-bit constant, as splitmix64 steps its state).
const posteriorSeedStep = 0x9e3779b97f4a7c15
