package report

import (
	"fmt"
	"html/template"
	"path"
	"strings"
)

// band is a metric's median and 90% band across replicates in one week.
type band struct {
	Week             int
	Date             string
	P05, P50, P95    float64
	Label, Formatted string
}

type runData struct {
	m     runManifest
	units map[string]Metric
	// series[metric] is its weeks in order.
	series map[string][]band
	// headline are the metrics the run plotted, in the manifest's order.
	headline []string
}

func (s *Source) readRun() error {
	d := &runData{units: map[string]Metric{}, series: map[string][]band{}}
	raw, err := readJSON(s.Dir, ManifestFile, &d.m)
	if err != nil {
		return err
	}
	s.Raw = raw
	if !d.m.Complete {
		return inputf("%s holds an unfinished run (its %s says complete: false): resume or merge it first", s.Dir, ManifestFile)
	}
	for _, m := range d.m.Metrics {
		d.units[m.Name] = m
	}
	t, err := readCSV(s.Dir, "timeseries.csv", "week", "date", "metric", "p05", "p50", "p95")
	if err != nil {
		return err
	}
	for i := range t.rows {
		var b band
		if b.Week, err = t.int(i, "week"); err != nil {
			return err
		}
		b.Date = t.str(i, "date")
		for _, c := range []struct {
			col string
			p   *float64
		}{{"p05", &b.P05}, {"p50", &b.P50}, {"p95", &b.P95}} {
			if *c.p, err = t.num(i, c.col); err != nil {
				return err
			}
		}
		m := t.str(i, "metric")
		d.series[m] = append(d.series[m], b)
	}
	for _, f := range d.m.Files {
		if dir, file := path.Split(f); dir == "plots/" && strings.HasSuffix(file, ".svg") {
			if m := strings.TrimSuffix(file, ".svg"); len(d.series[m]) > 0 {
				d.headline = append(d.headline, m)
			}
		}
	}
	if len(d.headline) == 0 {
		for _, m := range []string{"members", "homicides"} {
			if len(d.series[m]) > 0 {
				d.headline = append(d.headline, m)
			}
		}
	}
	if len(d.series) == 0 {
		return inputf("%s: no rows", t.path)
	}
	s.run = d
	return nil
}

// runWeeks picks the weeks the findings give: the last week of each chosen year, then
// the run's last week. A chosen year outside the run is an InputError.
func (s *Source) runWeeks(weeks []band) ([]int, error) {
	lastOfYear := map[int]int{} // year -> index of its last week
	var years []int
	for i, b := range weeks {
		var y int
		if _, err := fmt.Sscanf(b.Date, "%d-", &y); err != nil {
			continue
		}
		if _, ok := lastOfYear[y]; !ok {
			years = append(years, y)
		}
		lastOfYear[y] = i
	}
	end := len(weeks) - 1
	var idx []int
	if len(s.Options.Years) > 0 {
		for _, y := range s.Options.Years {
			i, ok := lastOfYear[y]
			if !ok {
				return nil, inputf("year %d is outside the run (%s to %s)", y, s.run.m.StartDate, s.run.m.EndDate)
			}
			if i != end {
				idx = append(idx, i)
			}
		}
	} else {
		var full []int // years that end before the run does
		for _, y := range years {
			if lastOfYear[y] != end {
				full = append(full, lastOfYear[y])
			}
		}
		if len(full) <= 3 {
			idx = full
		} else {
			for k := range 3 {
				idx = append(idx, full[k*(len(full)-1)/2])
			}
		}
	}
	return append(idx, end), nil
}

type runRow struct {
	Metric, Unit string
	Cells        []band
	Words        string
}

func (s *Source) runFindings() (template.HTML, error) {
	d := s.run
	var rows []runRow
	var cols []string
	for _, m := range d.headline {
		weeks := d.series[m]
		idx, err := s.runWeeks(weeks)
		if err != nil {
			return "", err
		}
		r := runRow{Metric: m, Unit: d.units[m].Unit}
		cells := append([]int{0}, idx...)
		if cols == nil {
			for _, i := range cells {
				cols = append(cols, fmt.Sprintf("week %d (to %s)", weeks[i].Week, weeks[i].Date))
			}
		}
		for _, i := range cells {
			b := weeks[i]
			b.Formatted = fmt.Sprintf("%s [%s, %s]", num(b.P50), num(b.P05), num(b.P95))
			r.Cells = append(r.Cells, b)
		}
		r.Words = runWords(m, d.units[m], weeks[0], weeks[len(weeks)-1])
		rows = append(rows, r)
	}
	note := ""
	if d.m.Replicates < 20 {
		note = fmt.Sprintf("With only %d replicates the 90%% bands are rough: the 5th and 95th percentiles of so few values are close to their smallest and largest.", d.m.Replicates)
	}
	return fragment("runfindings", struct {
		Replicates int
		Cols       []string
		Rows       []runRow
		Note       string
	}{d.m.Replicates, cols, rows, note})
}

// runWords says how a metric moved from the first week to the last: the medians, the
// end's 90% band, and whether that band leaves the first week's median out.
func runWords(name string, m Metric, first, last band) string {
	u := ""
	if m.Unit != "" {
		u = " " + m.Unit
	}
	what := "in the week to " + last.Date
	if m.Kind == "stock" {
		what = "at " + last.Date
	}
	s := fmt.Sprintf("%s: %s the median over replicates is %s%s, and 90%% of replicates lie between %s and %s. In the first week (to %s) the median was %s.",
		name, what, num(last.P50), u, num(last.P05), num(last.P95), first.Date, num(first.P50))
	change := nan
	if first.P50 != 0 {
		change = 100 * (last.P50 - first.P50) / first.P50
	}
	switch {
	case last.P05 == last.P95 && last.P05 == first.P50:
		s += " The end's 90% band is that value alone: no change over the run."
	case last.P05 > first.P50:
		s += fmt.Sprintf(" Even the end's 5th percentile is above it: a clear rise (median %s).", pct(change))
	case last.P95 < first.P50:
		s += fmt.Sprintf(" Even the end's 95th percentile is below it: a clear fall (median %s).", pct(change))
	default:
		s += " The end's 90% band includes that value: no clear change over the run."
	}
	return s
}
