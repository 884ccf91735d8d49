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

// cmpCell is one scenario's value at one horizon.
type cmpCell struct {
	Mean, Band, Diff, Interval, Change string
	Verdict                            Verdict
}

type cmpRowOut struct {
	Scenario  string
	Reference bool
	Cells     []cmpCell
}

// cmpBlock is one metric: its words at the last horizon and its table over the horizons.
type cmpBlock struct {
	Title    string
	Horizons []string
	Words    []cmpWords
	Rows     []cmpRowOut
}

type cmpWords struct {
	Text    string
	Verdict Verdict
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
	find := func(m string, week int, sc string) *cmpRow {
		for i := range d.rows {
			if r := &d.rows[i]; r.Metric == m && r.Week == week && r.Scenario == sc {
				return r
			}
		}
		return nil
	}
	var blocks []cmpBlock
	last := ""
	for _, m := range metrics {
		unit := d.units[m].Unit
		b := cmpBlock{Title: m}
		if unit != "" {
			b.Title = fmt.Sprintf("%s (%s)", m, unit)
		}
		var weeks []weekDate
		for _, h := range d.m.Horizons {
			if find(m, h.Week, ref) != nil {
				weeks = append(weeks, h)
				w := find(m, h.Week, ref).Window
				b.Horizons = append(b.Horizons, fmt.Sprintf("mean over the %d weeks to %s (week %d)", w, h.Date, h.Week))
			}
		}
		if len(weeks) == 0 {
			continue
		}
		end := weeks[len(weeks)-1]
		last = end.Date
		for _, sc := range d.m.Scenarios {
			row := cmpRowOut{Scenario: sc.Name, Reference: sc.Name == ref}
			for _, h := range weeks {
				r, refRow := find(m, h.Week, sc.Name), find(m, h.Week, ref)
				if r == nil {
					row.Cells = append(row.Cells, cmpCell{Mean: "n/a"})
					continue
				}
				c := cmpCell{Mean: num(r.Mean), Band: fmt.Sprintf("[%s, %s]", num(r.P05), num(r.P95))}
				if !row.Reference {
					change := math.NaN()
					if refRow.Mean != 0 {
						change = 100 * r.Diff / refRow.Mean
					}
					c.Diff, c.Interval, c.Change = num(r.Diff), fmt.Sprintf("[%s, %s]", num(r.Lo), num(r.Hi)), pct(change)
					c.Verdict = verdict(r.Diff, r.Lo, r.Hi)
					if h == end {
						b.Words = append(b.Words, cmpWords{differenceWords(r.Scenario, ref, r.Diff, r.Lo, r.Hi, refRow.Mean, unit), c.Verdict})
					}
				}
				row.Cells = append(row.Cells, c)
			}
			b.Rows = append(b.Rows, row)
		}
		blocks = append(blocks, b)
	}
	return fragment("cmpfindings", struct {
		Reference  string
		Replicates int
		Last       string
		Blocks     []cmpBlock
	}{ref, d.m.Replicates, last, blocks})
}
