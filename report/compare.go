package report

import (
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"slices"
)

// cmpRow is one row of comparison.csv.
type cmpRow struct {
	Metric, Date, Scenario, Versus string
	Week, Window, Replicates       int
	Mean, P05, P95                 float64
	Diff, Lo, Hi                   float64
}

type cmpData struct {
	m     comparisonManifest
	rows  []cmpRow
	units map[string]Metric
}

func (s *Source) readComparison() error {
	d := &cmpData{units: map[string]Metric{}}
	raw, err := readJSON(s.Dir, ComparisonFile, &d.m)
	if err != nil {
		return err
	}
	s.Raw = raw
	if !d.m.Complete {
		return inputf("%s holds an unfinished comparison (its %s says complete: false): run it again", s.Dir, ComparisonFile)
	}
	if len(d.m.Scenarios) < 2 {
		return inputf("%s: a comparison of %d scenarios: want at least two", filepath.Join(s.Dir, ComparisonFile), len(d.m.Scenarios))
	}
	t, err := readCSV(s.Dir, "comparison.csv", "metric", "week", "date", "window_weeks", "scenario", "replicates", "mean", "p05", "p95", "versus", "diff", "diff_lo95", "diff_hi95")
	if err != nil {
		return err
	}
	for i := range t.rows {
		r := cmpRow{Metric: t.str(i, "metric"), Date: t.str(i, "date"), Scenario: t.str(i, "scenario"), Versus: t.str(i, "versus")}
		for _, c := range []struct {
			col string
			p   *int
		}{{"week", &r.Week}, {"window_weeks", &r.Window}, {"replicates", &r.Replicates}} {
			if *c.p, err = t.int(i, c.col); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			col string
			p   *float64
		}{{"mean", &r.Mean}, {"p05", &r.P05}, {"p95", &r.P95}, {"diff", &r.Diff}, {"diff_lo95", &r.Lo}, {"diff_hi95", &r.Hi}} {
			if *c.p, err = t.num(i, c.col); err != nil {
				return err
			}
		}
		d.rows = append(d.rows, r)
	}
	// Units from the first scenario's run, when it is there.
	var rm runManifest
	if _, err := readJSON(filepath.Join(s.Dir, d.m.Scenarios[0].Name), ManifestFile, &rm); err == nil {
		for _, m := range rm.Metrics {
			d.units[m.Name] = m
		}
	}
	s.cmp = d
	return nil
}

type cmpLine struct {
	Scenario, Mean, Band, Diff, Interval, Change string
	Reference                                    bool
	Verdict                                      Verdict
	Words                                        string
}

type cmpBlock struct {
	Title string
	Lines []cmpLine
}

func (s *Source) cmpFindings() (template.HTML, error) {
	d := s.cmp
	ref := d.m.Scenarios[0].Name
	metrics := d.m.Metrics
	if len(metrics) == 0 { // every metric of the table, in its order
		for _, r := range d.rows {
			if !slices.Contains(metrics, r.Metric) {
				metrics = append(metrics, r.Metric)
			}
		}
	}
	var blocks []cmpBlock
	for _, m := range metrics {
		unit := d.units[m].Unit
		for _, h := range d.m.Horizons {
			var refRow *cmpRow
			for i := range d.rows {
				if r := &d.rows[i]; r.Metric == m && r.Week == h.Week && r.Scenario == ref {
					refRow = r
				}
			}
			if refRow == nil {
				continue
			}
			title := fmt.Sprintf("%s, mean over the %d weeks to %s (week %d)", m, refRow.Window, h.Date, h.Week)
			if unit != "" {
				title = fmt.Sprintf("%s (%s), mean over the %d weeks to %s (week %d)", m, unit, refRow.Window, h.Date, h.Week)
			}
			b := cmpBlock{Title: title}
			for _, sc := range d.m.Scenarios {
				for _, r := range d.rows {
					if r.Metric != m || r.Week != h.Week || r.Scenario != sc.Name {
						continue
					}
					l := cmpLine{Scenario: r.Scenario, Mean: num(r.Mean), Band: fmt.Sprintf("[%s, %s]", num(r.P05), num(r.P95))}
					if r.Scenario == ref {
						l.Reference = true
					} else {
						change := math.NaN()
						if refRow.Mean != 0 {
							change = 100 * r.Diff / refRow.Mean
						}
						l.Diff, l.Interval, l.Change = num(r.Diff), fmt.Sprintf("[%s, %s]", num(r.Lo), num(r.Hi)), pct(change)
						l.Verdict = verdict(r.Diff, r.Lo, r.Hi)
						l.Words = differenceWords(r.Scenario, ref, r.Diff, r.Lo, r.Hi, refRow.Mean, unit)
					}
					b.Lines = append(b.Lines, l)
				}
			}
			blocks = append(blocks, b)
		}
	}
	return fragment("cmpfindings", struct {
		Reference  string
		Replicates int
		Blocks     []cmpBlock
	}{ref, d.m.Replicates, blocks})
}
