package calibrate

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/internal/yamlmap"
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// MaxFileBytes bounds a calibration file and a targets file.
const MaxFileBytes = 1 << 20

// File is a decoded and validated calibration file.
type File struct {
	Name        string
	Description string
	Path        string
	Config      *Config
	Simulator   *ScenarioSimulator
	// Inputs are the calibration file, the scenario and the targets file, with checksums.
	Inputs []Input
}

// Aggregations say how a target reads a metric's weekly values over its year: sum (the
// weeks that end in the year, scaled to the year's days: an annual total of a weekly
// flow such as homicides), mean (their mean), end (the value at the last week that ends
// in the year: a stock such as groups or members at the year's end) or start (the value
// at the last week that ends on or before 1 January: a stock at the year's start).
var Aggregations = []string{"sum", "mean", "end", "start"}

// TargetsHeader is the header a targets file must have.
const TargetsHeader = "target,year,observed,sd,metric,aggregation,source"

func fileError(file string, line int, key, format string, args ...any) error {
	return yamlmap.Error(file, line, key, format, args...)
}

func readLimited(path string) ([]byte, error) { return yamlmap.ReadLimited(path, MaxFileBytes) }

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// mapping is a YAML mapping of the calibration file, with the calibration's own readers.
type mapping struct{ *yamlmap.Mapping }

func readMapping(file, prefix string, n *yaml.Node, known ...string) (*mapping, error) {
	m, err := yamlmap.Read(file, prefix, n, known...)
	if err != nil {
		return nil, err
	}
	return &mapping{m}, nil
}

func (m *mapping) number(key string, ok func(float64) bool, want string) (float64, bool, error) {
	s, has, err := m.Scalar(key)
	if !has || err != nil {
		return 0, has, err
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || !ok(x) {
		return 0, false, m.Fail(key, "want %s, got %q", want, s)
	}
	return x, true, nil
}

// Load reads and validates a calibration file, its scenario and its targets. Paths in
// it are relative to its directory.
func Load(path string) (*File, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, fileError(path, 0, "", "%v", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a calibration file (name is its path, for messages and
// for the paths it holds).
func Parse(name string, data []byte) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, scenario.YAMLError(name, err)
	}
	if len(doc.Content) != 1 {
		return nil, fileError(name, 0, "", "empty calibration file")
	}
	top, err := readMapping(name, "", doc.Content[0], "name", "description", "scenario", "set", "parameters",
		"targets", "distance", "observation_error", "method", "unmoved", "particles", "replicates", "alpha", "final_tolerance",
		"min_acceptance", "max_generations", "max_attempts", "seed")
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"scenario", "parameters", "targets"} {
		if top.Keys[k] == nil {
			return nil, fileError(name, top.Line, k, "missing: a calibration needs a scenario, parameters and targets")
		}
	}
	f := &File{Path: name, Name: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))}
	f.Inputs = append(f.Inputs, Input{Role: "calibration", File: filepath.ToSlash(name), SHA256: sha(data)})
	if s, ok, err := top.Scalar("name"); err != nil {
		return nil, err
	} else if ok {
		if err := scenario.ValidName(s); err != nil {
			return nil, top.Fail("name", "%v", err)
		}
		f.Name = s
	}
	if f.Description, _, err = top.Scalar("description"); err != nil {
		return nil, err
	}
	c := &Config{Method: Importance, Unmoved: 0.01, Distance: SquaredZ, Noise: true, Particles: 100, Replicates: 10, Alpha: 0.5, MinAcceptance: 0.01,
		MaxGenerations: 10, MaxAttempts: 1000}
	f.Config = c
	s := &ScenarioSimulator{}
	f.Simulator = s
	if err := s.readScenario(f, top); err != nil {
		return nil, err
	}
	c.Seed = s.scenario.Seed
	if err := f.readParams(top); err != nil {
		return nil, err
	}
	if err := f.readTargets(top); err != nil {
		return nil, err
	}
	if d, ok, err := top.Scalar("distance"); err != nil {
		return nil, err
	} else if ok {
		if !slices.Contains(Distances, Distance(d)) {
			return nil, top.Fail("distance", "unknown distance %q (known: %s, %s)", d, SquaredZ, AbsoluteZ)
		}
		c.Distance = Distance(d)
	}
	if m, ok, err := top.Scalar("method"); err != nil {
		return nil, err
	} else if ok {
		if !slices.Contains(Methods, Method(m)) {
			return nil, top.Fail("method", "unknown method %q (known: %s, %s)", m, Importance, Replenishment)
		}
		c.Method = Method(m)
	}
	if e, ok, err := top.Scalar("observation_error"); err != nil {
		return nil, err
	} else if ok {
		switch e {
		case "normal":
		case "none":
			c.Noise = false
		default:
			return nil, top.Fail("observation_error", "unknown observation error %q (known: normal, none)", e)
		}
	}
	ints := []struct {
		key    string
		p      *int
		lo, hi int
	}{{"particles", &c.Particles, 2, 1_000_000}, {"replicates", &c.Replicates, 1, 1_000_000},
		{"max_generations", &c.MaxGenerations, 1, 1000}, {"max_attempts", &c.MaxAttempts, 1, 100_000_000}}
	for _, it := range ints {
		if k, ok, err := top.Whole(it.key, it.lo, it.hi); err != nil {
			return nil, err
		} else if ok {
			*it.p = k
		}
	}
	floats := []struct {
		key  string
		p    *float64
		ok   func(float64) bool
		want string
	}{
		{"alpha", &c.Alpha, func(x float64) bool { return x > 0 && x < 1 }, "a number between 0 and 1"},
		{"final_tolerance", &c.FinalTolerance, func(x float64) bool { return x >= 0 }, "a number from 0"},
		{"min_acceptance", &c.MinAcceptance, func(x float64) bool { return x >= 0 && x < 1 }, "a number from 0 to below 1"},
		{"unmoved", &c.Unmoved, func(x float64) bool { return x > 0 && x < 1 }, "a number between 0 and 1"},
	}
	for _, it := range floats {
		if x, ok, err := top.number(it.key, it.ok, it.want); err != nil {
			return nil, err
		} else if ok {
			*it.p = x
		}
	}
	if v, ok, err := top.Scalar("seed"); err != nil {
		return nil, err
	} else if ok {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, top.Fail("seed", "want a whole number from 0 to 2^64-1, got %q", v)
		}
		c.Seed = seed
	}
	if err := c.Validate(); err != nil {
		return nil, fileError(name, 0, "", "%s", strings.TrimPrefix(err.Error(), "calibrate: "))
	}
	return f, nil
}

func (s *ScenarioSimulator) readScenario(f *File, top *mapping) error {
	if n, ok := top.Keys["set"]; ok {
		if n.Kind != yaml.MappingNode {
			return top.Fail("set", "want a mapping of scenario keys to values")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return fileError(f.Path, k.Line, "set."+k.Value, "want a single value")
			}
			s.Set = append(s.Set, scenario.Override{Key: k.Value, Value: v.Value})
		}
	}
	p, ok, err := top.Scalar("scenario")
	if err != nil {
		return err
	}
	if !ok || p == "" {
		return top.Fail("scenario", "want a scenario file")
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(f.Path), p)
	}
	src, err := scenario.ReadScenarioSource(p)
	if err != nil {
		return top.Fail("scenario", "%s", oneLine(err))
	}
	sc, err := src.Parse(s.Set)
	if err != nil {
		return top.Fail("scenario", "%s", oneLine(err))
	}
	s.Path, s.source, s.scenario = p, src, sc
	f.Inputs = append(f.Inputs, Input{Role: "scenario", File: filepath.ToSlash(p), SHA256: sc.SHA256})
	return nil
}

// readParams reads the free parameters: each a scenario key with its prior, by default
// uniform over the registry's plausible range.
func (f *File) readParams(top *mapping) error {
	n := top.Keys["parameters"]
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return top.Fail("parameters", "want a list of free parameters")
	}
	registry := map[string]model.ParamInfo{}
	for _, info := range model.Registry() {
		registry[info.Section+"."+info.Key] = info
	}
	s := f.Simulator
	for i, item := range n.Content {
		m, err := readMapping(f.Path, fmt.Sprintf("parameters[%d].", i), item, "key", "prior", "range")
		if err != nil {
			return err
		}
		p := Param{Line: item.Line}
		key, ok, err := m.Scalar("key")
		if err != nil {
			return err
		}
		if !ok || key == "" {
			return m.Fail("key", "missing: a parameter needs a key (a scenario key, as --set takes it)")
		}
		if slices.ContainsFunc(f.Config.Params, func(o Param) bool { return o.Key == key }) {
			return m.Fail("key", "parameter %s is given twice", key)
		}
		p.Key = key
		if prior, ok, err := m.Scalar("prior"); err != nil {
			return err
		} else if ok {
			switch prior {
			case "uniform":
			case "log-uniform":
				p.Log = true
			default:
				return m.Fail("prior", "unknown prior %q (known: uniform, log-uniform)", prior)
			}
		}
		if rn, ok := m.Keys["range"]; ok {
			var xs []float64
			if rn.Kind == yaml.SequenceNode {
				for _, c := range rn.Content {
					x, err := strconv.ParseFloat(c.Value, 64)
					if c.Kind != yaml.ScalarNode || err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
						return fileError(f.Path, c.Line, m.Prefix+"range", "%q is not a finite number", c.Value)
					}
					xs = append(xs, x)
				}
			}
			if len(xs) != 2 || !(xs[0] < xs[1]) {
				return m.Fail("range", "want [low, high] with low < high")
			}
			p.Lo, p.Hi = xs[0], xs[1]
		} else if info, ok := registry[key]; ok {
			p.Lo, p.Hi = info.Low, info.High
		} else {
			var keys []string
			for k := range registry {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			hint := ""
			if best, ok := scenario.Nearest(key, keys); ok {
				hint = " (did you mean " + best + "?)"
			}
			return m.Fail("key", "%s is not in the parameter registry%s: give its range, or a registry key (cartelsim params lists them)", key, hint)
		}
		if p.Log && p.Lo <= 0 {
			return m.Fail("prior", "a log-uniform prior needs a range above 0, got [%s, %s]", fmtG(p.Lo), fmtG(p.Hi))
		}
		// The scenario must take the key at both ends of the range.
		for _, v := range []float64{p.Lo, p.Hi} {
			ovs := append(slices.Clone(s.Set), scenario.Override{Key: key, Value: fmtG(v)})
			sc, err := s.load(ovs)
			if err != nil {
				return m.Fail("key", "%s", oneLine(err))
			}
			if sc.Clock != s.scenario.Clock {
				return m.Fail("key", "%s changes the scenario's clock: it cannot be calibrated", key)
			}
		}
		f.Config.Params = append(f.Config.Params, p)
		s.Keys = append(s.Keys, key)
	}
	return nil
}

// readTargets reads the targets file and keeps the targets the calibration names.
func (f *File) readTargets(top *mapping) error {
	m, err := readMapping(f.Path, "targets.", top.Keys["targets"], "file", "names", "years")
	if err != nil {
		return err
	}
	p, ok, err := m.Scalar("file")
	if err != nil {
		return err
	}
	if !ok || p == "" {
		return m.Fail("file", "missing: the targets need a file (CSV: %s)", TargetsHeader)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(f.Path), p)
	}
	data, err := readLimited(p)
	if err != nil {
		return m.Fail("file", "%s: %v", p, err)
	}
	all, err := ParseTargets(p, data)
	if err != nil {
		return err
	}
	f.Inputs = append(f.Inputs, Input{Role: "targets", File: filepath.ToSlash(p), SHA256: sha(data)})
	var names []string
	if n, ok := m.Keys["names"]; ok {
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
			return m.Fail("names", "want a list of target names")
		}
		for _, c := range n.Content {
			if !slices.ContainsFunc(all, func(t Target) bool { return t.Name == c.Value }) {
				return fileError(f.Path, c.Line, "targets.names", "%s has no target named %q", p, c.Value)
			}
			names = append(names, c.Value)
		}
	}
	from, to := math.MinInt, math.MaxInt
	if n, ok := m.Keys["years"]; ok {
		var ys []int
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				y, err := strconv.Atoi(c.Value)
				if err != nil {
					return fileError(f.Path, c.Line, "targets.years", "%q is not a year", c.Value)
				}
				ys = append(ys, y)
			}
		}
		if len(ys) != 2 || ys[0] > ys[1] {
			return m.Fail("years", "want [first, last], the years fitted")
		}
		from, to = ys[0], ys[1]
	}
	s := f.Simulator
	for _, t := range all {
		if (names != nil && !slices.Contains(names, t.Name)) || t.Year < from || t.Year > to {
			continue
		}
		w, err := s.window(t)
		if err != nil {
			return fileError(p, t.Line, "", "%s: %v", t.Label(), err)
		}
		f.Config.Targets = append(f.Config.Targets, t)
		s.windows = append(s.windows, w)
	}
	if len(f.Config.Targets) == 0 {
		return m.Fail("file", "no target of %s is selected", p)
	}
	return nil
}

// ParseTargets reads a targets file: a CSV with the header TargetsHeader ('#' starts a
// comment line), one row per observed value.
func ParseTargets(path string, data []byte) ([]Target, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fileError(path, 0, "", "want the header %s: %v", TargetsHeader, err)
	}
	if strings.Join(header, ",") != TargetsHeader {
		line, _ := r.FieldPos(0)
		return nil, fileError(path, line, "", "want the header %s, got %s", TargetsHeader, strings.Join(header, ","))
	}
	var out []Target
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fileError(path, pe.Line, "", "%v", pe.Err)
			}
			return nil, fileError(path, 0, "", "%v", err)
		}
		line, _ := r.FieldPos(0)
		fail := func(format string, args ...any) ([]Target, error) {
			return nil, fileError(path, line, "", format, args...)
		}
		if len(row) != 7 {
			return fail("want 7 fields (%s), got %d", TargetsHeader, len(row))
		}
		t := Target{Name: row[0], Metric: row[4], Aggregation: row[5], Source: row[6], Line: line}
		if err := scenario.ValidName(t.Name); err != nil {
			return fail("target: %v", err)
		}
		if t.Year, err = strconv.Atoi(row[1]); err != nil || t.Year < 1 || t.Year > 9999 {
			return fail("year %q: want a year", row[1])
		}
		if t.Observed, err = strconv.ParseFloat(row[2], 64); err != nil || math.IsNaN(t.Observed) || math.IsInf(t.Observed, 0) {
			return fail("observed %q: want a finite number", row[2])
		}
		if t.SD, err = strconv.ParseFloat(row[3], 64); err != nil || !(t.SD > 0) || math.IsInf(t.SD, 0) {
			return fail("sd %q: want a finite number above 0", row[3])
		}
		if _, ok := model.ParseMetric(t.Metric); !ok {
			return fail("unknown metric %q (cartelsim list metrics lists them)", t.Metric)
		}
		if !slices.Contains(Aggregations, t.Aggregation) {
			return fail("unknown aggregation %q (known: %s)", t.Aggregation, strings.Join(Aggregations, ", "))
		}
		if strings.TrimSpace(t.Source) == "" {
			return fail("%s: no source: every target names where its value comes from", t.Label())
		}
		for _, o := range out {
			if o.Name == t.Name && o.Year == t.Year {
				return fail("%s is also on line %d", t.Label(), o.Line)
			}
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fileError(path, 0, "", "no targets")
	}
	return out, nil
}

// window is the weeks of a run a target reads.
type window struct {
	metric   model.Metric
	agg      string
	from, to int     // weeks, both included
	scale    float64 // sum: the year's days over the weeks' days
}

// window finds the weeks of the scenario's run a target reads: those that end in its
// year, which the run must cover whole, or, for start, the last that ends on or before
// 1 January.
func (s *ScenarioSimulator) window(t Target) (window, error) {
	clock := s.scenario.Clock
	metric, _ := model.ParseMetric(t.Metric)
	first := time.Date(t.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(t.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	run := fmt.Sprintf("the scenario's run (%s to %s)", clock.Start.Format(time.DateOnly), clock.Date(clock.Weeks).Format(time.DateOnly))
	w := window{metric: metric, agg: t.Aggregation, from: clock.Weeks + 1}
	if t.Aggregation == "start" {
		for k := 1; k <= clock.Weeks && !clock.Date(k).After(first); k++ {
			w.from, w.to = k, k
		}
		if w.to == 0 || clock.Date(clock.Weeks).Before(first) {
			return window{}, fmt.Errorf("%s does not reach 1 January %d", run, t.Year)
		}
		return w, nil
	}
	if clock.Start.After(first) || clock.Date(clock.Weeks).Before(last.AddDate(0, 0, -6)) {
		return window{}, fmt.Errorf("%s does not cover %d", run, t.Year)
	}
	for k := 1; k <= clock.Weeks; k++ {
		if e := clock.Date(k); !e.Before(first) && !e.After(last) {
			w.from, w.to = min(w.from, k), max(w.to, k)
		}
	}
	days := last.Sub(first).Hours()/24 + 1
	w.scale = days / float64(7*(w.to-w.from+1))
	return w, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
