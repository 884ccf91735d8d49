package sim

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// writeCSV writes the table: one row per metric, horizon and scenario.
func (c *Comparison) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"metric", "week", "date", "window_weeks", "scenario", "replicates", "mean", "p05", "p95",
		"versus", "diff", "diff_lo95", "diff_hi95"}
	if err := cw.Write(header); err != nil {
		return err
	}
	f := func(x float64) string {
		if math.IsNaN(x) { // no interval from one replicate
			return ""
		}
		return strconv.FormatFloat(x, 'g', 10, 64)
	}
	for _, row := range c.Rows {
		rec := []string{row.Metric.String(), strconv.Itoa(row.Week), c.Clock.Date(row.Week).Format(time.DateOnly),
			strconv.Itoa(min(HorizonWindow, row.Week)), row.Scenario, strconv.Itoa(c.Replicates),
			f(row.Value.Mean), f(row.Value.Lo), f(row.Value.Hi), "", "", "", ""}
		if row.Diff != nil {
			rec[9], rec[10], rec[11], rec[12] = c.Scenarios[0], f(row.Diff.Mean), f(row.Diff.Lo), f(row.Diff.Hi)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Summary writes a table of the comparison's metrics for people: at each horizon, each
// scenario's mean and 90% range across replicates, and its difference from the reference
// with the 95% interval, marked when the interval excludes zero, and as a percentage of
// the reference's mean. With one replicate there is neither range nor interval, and the
// table says so. Every number is formatted by num.
func (c *Comparison) Summary(w io.Writer) error {
	var b strings.Builder
	ref := c.Scenarios[0]
	one := c.Replicates < 2
	fmt.Fprintf(&b, "Compared with %s: %s each, seed %d; %s.\n", ref, scenario.Plural(c.Replicates, "replicate"), c.Seed, PairingNote)
	if c.PerDraw > 1 {
		fmt.Fprintf(&b, "Every %d consecutive replicates share a posterior draw, so the paired t interval takes the draws as its units "+
			"(the paired differences' cluster-robust variance, with draws - 1 degrees of freedom).\n", c.PerDraw)
	}
	if one {
		fmt.Fprintf(&b, "Each value is a metric's mean over the %d weeks to the horizon. With one replicate per scenario (as in mean-field mode) "+
			"there is no range across replicates and no interval for a difference: both need at least two.\n", HorizonWindow)
	} else {
		fmt.Fprintf(&b, "Each value is a metric's mean over the %d weeks to the horizon; \"90%% range\" spans replicates, "+
			"\"95%% CI\" is for the difference of means (* : excludes 0).\n", HorizonWindow)
	}
	fmt.Fprintf(&b, "\"change\" is the difference as a percentage of %s's mean (n/a where that is 0); numbers have 4 significant digits.\n", ref)
	switch first := c.FirstDifference; {
	case first == 0:
		fmt.Fprintf(&b, "The scenarios never differ, in their worlds or their interventions: every difference is 0.\n")
	case c.DefaultHorizons:
		fmt.Fprintf(&b, "The scenarios first differ in week %d (the week to %s); the horizons are %s years after, within the run.\n",
			first, c.Clock.Date(first).Format(time.DateOnly), defaultHorizonYearsText())
	case c.Horizons[0] < first:
		fmt.Fprintf(&b, "The scenarios first differ in week %d (the week to %s): every difference before it is 0.\n",
			first, c.Clock.Date(first).Format(time.DateOnly))
	}
	if len(c.Dropped) > 0 {
		fmt.Fprintf(&b, "Not shown, being 0 in every week of every scenario: %s (--metrics shows them).\n", metricList(c.Dropped))
	}
	for _, m := range c.Metrics {
		info := m.Info()
		for _, h := range c.Horizons {
			fmt.Fprintf(&b, "\n%s (%s), year to %s (week %d)\n", info.Name, info.Unit, c.Clock.Date(h).Format(time.DateOnly), h)
			table := [][]string{{"scenario", "mean", "90% range", "difference (95% CI)", "change"}}
			if one {
				table[0] = []string{"scenario", "mean", "difference", "change"}
			}
			var base float64
			for _, row := range c.Rows {
				if row.Metric != m || row.Week != h {
					continue
				}
				cells := []string{row.Scenario, num(row.Value.Mean)}
				if !one {
					cells = append(cells, "["+num(row.Value.Lo)+", "+num(row.Value.Hi)+"]")
				}
				d := row.Diff
				if d == nil {
					base = row.Value.Mean
					table = append(table, append(cells, "(reference)", ""))
					continue
				}
				mean := d.Mean
				if math.Abs(mean) <= 1e-9*max(math.Abs(base), math.Abs(row.Value.Mean)) {
					mean = 0 // rounding in the sum of differences, not a difference
				}
				diff := signed(mean)
				if !one {
					diff += " [" + signed(d.Lo) + ", " + signed(d.Hi) + "]"
					if d.Lo > 0 || d.Hi < 0 {
						diff += " *"
					}
				}
				table = append(table, append(cells, diff, percent(mean, base)))
			}
			writeColumns(&b, table)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeColumns writes rows of cells indented by two spaces, in columns two spaces apart:
// the second column (means) aligned right, the others left.
func writeColumns(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, r := range rows {
		line := " "
		for i, cell := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i == 1 {
				line += " " + pad + cell + " "
			} else {
				line += " " + cell + pad + " "
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

// num formats a value for the table, the same way everywhere: rounded to four significant
// digits, in plain notation with commas between thousands (402,700,000; -255,700; 3,699;
// 12.35; 0.03212; 0). The table never mixes exponents with plain numbers.
func num(x float64) string {
	switch {
	case x == 0:
		return "0"
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	e := strconv.FormatFloat(x, 'e', 3, 64) // d.ddde+XX: rounded to 4 significant digits
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	r, _ := strconv.ParseFloat(e, 64)
	return groupThousands(strconv.FormatFloat(r, 'f', max(0, 3-exp), 64))
}

// signed is num with a plus sign on positive values.
func signed(x float64) string {
	if x > 0 {
		return "+" + num(x)
	}
	return num(x)
}

// percent is a difference as a percentage of the reference's mean, with one decimal, or
// n/a where the reference's mean is 0.
func percent(diff, base float64) string {
	if base == 0 || math.IsNaN(diff) {
		return "n/a"
	}
	if diff == 0 {
		return "0.0%"
	}
	p := groupThousands(strconv.FormatFloat(100*diff/math.Abs(base), 'f', 1, 64)) + "%"
	if diff > 0 {
		p = "+" + p
	}
	return p
}

// LoadScenarios reads several scenario files, stopping at the first error.
func LoadScenarios(paths []string) ([]*scenario.Scenario, error) {
	return scenario.LoadScenariosWith(paths, nil)
}

// metricList is "a, b and c".
func metricList(ms []model.Metric) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.String()
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
