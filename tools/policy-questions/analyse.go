package main

import (
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/experiment"
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/robust"
	"github.com/cartelsim/cartelsim/sim"
)

// cell is one policy's effect on one output over the experiment's futures (points).
type cell struct {
	Median, Q05, Q95 float64
	RelMedian        float64 // the median of effect / the status quo's level, NaN if undefined
	Lower, Raise, N  int     // futures where the effect is below, above 0; all futures
}

// finding is the region of the parameters where a policy's less common answer holds.
type finding struct {
	Year      int
	Lowers    bool // the answer sought: the policy lowers the output (else raises it)
	Holds     int  // futures where it does
	Text      string
	InBox     int // futures of the region where it holds
	Coverage  float64
	Density   float64
	NoRegion  bool // PRIM restricted no parameter
	TooFew    bool // the answer holds in fewer than minShare of the futures
	Universal bool // it holds in every future where the policy changes the output
	Unchanged bool // the policy changes the output in no future
}

// minShare: below this share of futures a less common answer is reported as rare, not
// explained (a box around a handful of points says little).
const minShare = 0.05

type metricAnswer struct {
	Metric  string
	Years   []int
	Cells   []cell
	Finding finding
}

type policyAnswer struct {
	Name, Description string
	Metrics           []metricAnswer
}

// posteriorUsed is a posterior the futures drew from: its file and how many parameters it
// gives.
type posteriorUsed struct {
	File string
	Keys int
}

type answers struct {
	Dir                string
	Points, Replicates int
	SetAside           int    // futures that ran away, left out of the answers
	Posterior          string // the posterior file, if the points drew from one
	PosteriorKeys      int
	// Posteriors are the posterior files and their parameters' counts (-1 when the file
	// cannot be read here), when the points drew from several.
	Posteriors   []posteriorUsed
	OpenFactors  int
	Reference    string
	Year         int
	Policies     []policyAnswer
	TableOutputs []string // the outputs of Year, in the design's order
	TableMetrics []string
	Table        [][]cell // [policy][output]
}

// yearOf is the year of an output that is a year's mean ("mean over 2029"), or 0.
func yearOf(o experiment.ManifestOutput) int {
	y, err := strconv.Atoi(strings.TrimPrefix(o.Window, "mean over "))
	if err != nil || !strings.HasPrefix(o.Window, "mean over ") {
		return 0
	}
	return y
}

func analyse(e *robust.Experiment, metrics []string, year int, desc map[string]string) (*answers, error) {
	m := e.Manifest
	a := &answers{Dir: e.Dir, Points: e.N(), SetAside: len(e.SetAside), Replicates: m.Replicates, Reference: m.Scenarios[0].Name,
		Posterior: m.Design.Posterior}
	for _, f := range m.Factors {
		if f.Scale == "posterior" {
			a.PosteriorKeys++
		} else {
			a.OpenFactors++
		}
	}
	if len(m.Design.Posteriors) > 1 {
		for _, f := range m.Design.Posteriors {
			keys := -1
			if p, err := sim.ReadPosterior(f.File); err == nil {
				keys = len(p.Keys)
			}
			a.Posteriors = append(a.Posteriors, posteriorUsed{f.File, keys})
		}
	}
	// The years of the answers' metrics.
	byMetric := map[string]map[int]int{} // metric -> year -> output index
	for o, mo := range m.Outputs {
		if y := yearOf(mo); y > 0 {
			if byMetric[mo.Metric] == nil {
				byMetric[mo.Metric] = map[int]int{}
			}
			byMetric[mo.Metric][y] = o
		}
	}
	var years []int
	for _, mt := range metrics {
		if len(byMetric[mt]) == 0 {
			return nil, fmt.Errorf("policy-questions: %s: no output is a year's mean of %s (the outputs: %s)", e.Dir, mt, strings.Join(e.OutputNames(), ", "))
		}
		for y := range byMetric[mt] {
			if !slices.Contains(years, y) {
				years = append(years, y)
			}
		}
	}
	sort.Ints(years)
	if year == 0 {
		year = years[(len(years)-1)/2]
	}
	for _, mt := range metrics {
		if _, ok := byMetric[mt][year]; !ok {
			return nil, fmt.Errorf("policy-questions: %s: no output is the mean of %s over %d", e.Dir, mt, year)
		}
	}
	a.Year = year

	refs := map[int][]float64{}
	cellOf := func(o, s int) (cell, error) {
		if refs[o] == nil {
			r, err := e.ReferenceMeans(o)
			if err != nil {
				return cell{}, err
			}
			refs[o] = r
		}
		return effectCell(e.Effects[o][s], refs[o]), nil
	}
	for s := 1; s < len(m.Scenarios); s++ {
		name := m.Scenarios[s].Name
		pa := policyAnswer{Name: name, Description: desc[name]}
		for _, mt := range metrics {
			ma := metricAnswer{Metric: mt}
			for y := range byMetric[mt] {
				ma.Years = append(ma.Years, y)
			}
			sort.Ints(ma.Years)
			for _, y := range ma.Years {
				c, err := cellOf(byMetric[mt][y], s)
				if err != nil {
					return nil, err
				}
				ma.Cells = append(ma.Cells, c)
			}
			f, err := discover(e, name, m.Outputs[byMetric[mt][year]].Name, year, ma.Cells[slices.Index(ma.Years, year)])
			if err != nil {
				return nil, err
			}
			ma.Finding = f
			pa.Metrics = append(pa.Metrics, ma)
		}
		a.Policies = append(a.Policies, pa)
	}
	for _, mo := range m.Outputs {
		if yearOf(mo) == year {
			a.TableOutputs = append(a.TableOutputs, mo.Name)
			a.TableMetrics = append(a.TableMetrics, mo.Metric)
		}
	}
	for s := 1; s < len(m.Scenarios); s++ {
		var row []cell
		for o, mo := range m.Outputs {
			if yearOf(mo) != year {
				continue
			}
			c, err := cellOf(o, s)
			if err != nil {
				return nil, err
			}
			row = append(row, c)
		}
		a.Table = append(a.Table, row)
	}
	return a, nil
}

// effectCell summarises a policy's effects over the futures; ref is the status quo's
// level in each.
func effectCell(ivs []sim.Interval, ref []float64) cell {
	c := cell{N: len(ivs), RelMedian: math.NaN()}
	xs := make([]float64, len(ivs))
	var rel []float64
	for p, iv := range ivs {
		xs[p] = iv.Mean
		switch {
		case iv.Mean < 0:
			c.Lower++
		case iv.Mean > 0:
			c.Raise++
		}
		if ref[p] != 0 {
			rel = append(rel, iv.Mean/math.Abs(ref[p]))
		}
	}
	c.Median, c.Q05, c.Q95 = robust.Quantile(0.5, xs), robust.Quantile(0.05, xs), robust.Quantile(0.95, xs)
	if len(rel) == len(xs) {
		c.RelMedian = robust.Quantile(0.5, rel)
	}
	return c
}

// discover finds, with PRIM at its defaults (as cartelsim discover runs it), the region
// where the policy's less common answer on the output holds: lowering it, if it lowers
// it in no more futures than it raises it, else raising it.
func discover(e *robust.Experiment, policy, output string, year int, c cell) (finding, error) {
	f := finding{Year: year, Lowers: c.Lower <= c.Raise, Holds: min(c.Lower, c.Raise)}
	switch {
	case c.Lower+c.Raise == 0:
		f.Unchanged = true
		return f, nil
	case f.Holds == 0:
		// One answer in every future that the policy changes: say that one.
		f.Universal, f.Lowers, f.Holds = true, c.Lower > 0, max(c.Lower, c.Raise)
		return f, nil
	case float64(f.Holds) < minShare*float64(c.N):
		f.TooFew = true
		return f, nil
	}
	d, err := robust.Discover(e, robust.Condition{Policy: policy, Output: output, Above: !f.Lowers}, robust.PRIMOptions{})
	if err != nil {
		return f, fmt.Errorf("policy-questions: %w", err)
	}
	b := d.Chosen
	f.Coverage, f.Density = b.Coverage, b.Density
	f.InBox = int(math.Round(b.Coverage * float64(f.Holds)))
	if len(d.Bounds) == 0 {
		f.NoRegion = true
		return f, nil
	}
	f.Text = plainBounds(d.Bounds, e.Manifest.Factors)
	return f, nil
}

// plainBounds writes a box's bounds in words: each parameter by its name, what it is (the
// registry's description) and whether it was calibrated, then its bound.
func plainBounds(bounds []robust.Bound, factors []experiment.ManifestFactor) string {
	reg := map[string]model.ParamInfo{}
	for _, p := range model.Registry() {
		reg[p.Section+"."+p.Key] = p
	}
	var parts []string
	for _, b := range bounds {
		f := factors[b.Factor]
		name := f.Key
		if p, ok := reg[f.Key]; ok {
			how := string(p.Status)
			if f.Scale == "posterior" {
				how = "from the calibrated posterior"
			}
			name = fmt.Sprintf("%s (%s; %s)", strings.ReplaceAll(p.Key, "_", " "), p.Description, how)
		}
		switch {
		case math.IsNaN(b.Below):
			parts = append(parts, fmt.Sprintf("%s is above %s", name, num(b.Above)))
		case math.IsNaN(b.Above):
			parts = append(parts, fmt.Sprintf("%s is below %s", name, num(b.Below)))
		default:
			parts = append(parts, fmt.Sprintf("%s is between %s and %s", name, num(b.Above), num(b.Below)))
		}
	}
	return strings.Join(parts, " and ")
}

// describeScenarios reads each scenario file's description: line, for the answers' titles.
func describeScenarios(e *robust.Experiment) map[string]string {
	out := map[string]string{}
	for _, s := range e.Manifest.Scenarios {
		data, err := os.ReadFile(s.File)
		if err != nil {
			continue
		}
		var doc struct {
			Description string `yaml:"description"`
		}
		if yaml.Unmarshal(data, &doc) == nil {
			out[s.Name] = doc.Description
		}
	}
	return out
}
