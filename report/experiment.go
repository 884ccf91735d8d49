package report

import (
	"fmt"
	"html/template"
	"path/filepath"
	"strconv"
	"strings"
)

type effect struct {
	Point                int
	Output, Scenario, Vs string
	Replicates           int
	Diff, Lo, Hi         float64
}

type expData struct {
	m       experimentManifest
	effects []effect
	// settings[p] is point p's factor settings in words ("key = value, ...").
	settings map[int]string
}

func (s *Source) readExperiment() error {
	d := &expData{settings: map[int]string{}}
	raw, err := readJSON(s.Dir, ExperimentFile, &d.m)
	if err != nil {
		return err
	}
	s.Raw = raw
	if !d.m.Complete {
		return inputf("%s holds an unfinished experiment (its %s says complete: false): resume it first", s.Dir, ExperimentFile)
	}
	if len(d.m.Scenarios) == 0 {
		return inputf("%s: no scenarios", filepath.Join(s.Dir, ExperimentFile))
	}
	design, err := readCSV(s.Dir, "design.csv", "point")
	if err != nil {
		return err
	}
	var keys []string
	for k, i := range design.header {
		if k != "point" {
			for len(keys) <= i {
				keys = append(keys, "")
			}
			keys[i] = k
		}
	}
	for i := range design.rows {
		p, err := design.int(i, "point")
		if err != nil {
			return err
		}
		var parts []string
		for _, k := range keys {
			if k != "" {
				v := design.str(i, k)
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					v = num(x) // 4 significant digits, as every number of the page
				}
				parts = append(parts, k+" = "+v)
			}
		}
		d.settings[p] = strings.Join(parts, ", ")
	}
	t, err := readCSV(s.Dir, "effects.csv", "point", "output", "scenario", "versus", "replicates", "diff", "diff_lo95", "diff_hi95")
	if err != nil {
		return err
	}
	away := map[int]bool{}
	for _, r := range d.m.Runaways {
		away[r.Point] = true
	}
	for i := range t.rows {
		e := effect{Output: t.str(i, "output"), Scenario: t.str(i, "scenario"), Vs: t.str(i, "versus")}
		if e.Point, err = t.int(i, "point"); err != nil {
			return err
		}
		if e.Replicates, err = t.int(i, "replicates"); err != nil {
			return err
		}
		for _, c := range []struct {
			col string
			p   *float64
		}{{"diff", &e.Diff}, {"diff_lo95", &e.Lo}, {"diff_hi95", &e.Hi}} {
			if *c.p, err = t.num(i, c.col); err != nil {
				return err
			}
		}
		if away[e.Point] {
			continue // no effect where the world ran away: set aside, and counted
		}
		d.effects = append(d.effects, e)
	}
	s.exp = d
	return nil
}

type expLine struct {
	Output, Window, Scenario, Versus string
	Min, Max                         string
	MinAt, MaxAt                     string
	Clear                            string
	Words                            string
}

func (s *Source) expFindings() (template.HTML, error) {
	d := s.exp
	var lines []expLine
	for _, o := range d.m.Outputs {
		for _, sc := range d.m.Scenarios[1:] {
			var es []effect
			for _, e := range d.effects {
				if e.Output == o.Name && e.Scenario == sc.Name {
					es = append(es, e)
				}
			}
			if len(es) == 0 {
				continue
			}
			lo, hi := es[0], es[0]
			var higher, lower, zero int
			for _, e := range es {
				if e.Diff < lo.Diff {
					lo = e
				}
				if e.Diff > hi.Diff {
					hi = e
				}
				switch verdict(e.Diff, e.Lo, e.Hi) {
				case Higher:
					higher++
				case Lower:
					lower++
				case NoDifference:
					zero++
				}
			}
			l := expLine{Output: o.Name, Window: o.Window, Scenario: sc.Name, Versus: es[0].Vs,
				Min: num(lo.Diff), Max: num(hi.Diff), MinAt: d.settings[lo.Point], MaxAt: d.settings[hi.Point]}
			n := len(es)
			l.Clear = fmt.Sprintf("%d higher, %d lower, %d unclear of %d", higher, lower, n-higher-lower, n)
			l.Words = expWords(o, sc.Name, es[0].Vs, lo, hi, d.settings, n, higher, lower, zero)
			lines = append(lines, l)
		}
	}
	return fragment("expfindings", struct {
		Points, Replicates, SetAside int
		Lines                        []expLine
	}{d.m.Points - len(d.m.Runaways), d.m.Replicates, len(d.m.Runaways), lines})
}

// expWords says how an output's difference varies over the points, and at how many
// points its interval leaves zero out.
func expWords(o experimentOutput, b, a string, lo, hi effect, settings map[int]string, n, higher, lower, zero int) string {
	what := o.Name
	if o.Window != "" {
		what += " (" + o.Metric + ", " + o.Window + ")"
	}
	var s string
	if lo.Point == hi.Point || lo.Diff == hi.Diff {
		s = fmt.Sprintf("%s minus %s, %s: %s at every one of the %d points.", b, a, what, num(lo.Diff), n)
	} else {
		s = fmt.Sprintf("%s minus %s, %s: the difference ranges from %s (at %s) to %s (at %s) over the %d points.",
			b, a, what, num(lo.Diff), orPoint(settings, lo.Point), num(hi.Diff), orPoint(settings, hi.Point), n)
	}
	switch {
	case zero == n:
		s += " The two do not differ in any replicate at any point."
	case higher == n:
		s += " Its 95% interval is above zero at every point: a clear increase throughout."
	case lower == n:
		s += " Its 95% interval is below zero at every point: a clear decrease throughout."
	case higher == 0 && lower == 0:
		s += " Its 95% interval includes zero at every point: no clear difference anywhere."
	default:
		s += fmt.Sprintf(" Its 95%% interval is above zero at %d, below zero at %d, and includes zero at %d of the %d points", higher, lower, n-higher-lower, n)
		if higher > 0 && lower > 0 {
			s += ": its sign depends on the factors."
		} else {
			s += ": the difference is clear at some points only."
		}
	}
	return s
}

func orPoint(settings map[int]string, p int) string {
	if s := settings[p]; s != "" {
		return s
	}
	return "point " + strconv.Itoa(p)
}

// Factors lists an experiment's factors: what was varied, over which range and for which
// scenarios. Other directories have no such section.
func Factors(s *Source) (Section, error) {
	if s.Kind != Experiment {
		return Section{}, nil
	}
	type row struct{ Key, Range, Scale, Scenarios string }
	var rows []row
	for _, f := range s.exp.m.Factors {
		r := row{Key: f.Key, Scale: f.Scale, Scenarios: strings.Join(f.Scenarios, ", ")}
		if len(f.Range) == 2 {
			r.Range = fmt.Sprintf("%s to %s", num(f.Range[0]), num(f.Range[1]))
		}
		if r.Scenarios == "" {
			r.Scenarios = "all"
		}
		rows = append(rows, r)
	}
	body, err := fragment("factors", struct {
		Design string
		Levels int
		Points int
		Rows   []row
	}{s.exp.m.Design.Kind, s.exp.m.Design.Levels, s.exp.m.Points, rows})
	return Section{ID: "factors", Title: "Factors varied", Body: body}, err
}
