package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/robust"
)

// titles name the metrics the answers usually give; any other goes by its own name.
var titles = map[string]string{
	"homicides":       "Homicides in Mexico",
	"overdose_deaths": "Overdose deaths in the US",
}

func title(metric string) string {
	if t, ok := titles[metric]; ok {
		return t
	}
	s := strings.ReplaceAll(metric, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// unit is a metric's unit as a reader says it: "a week", "doses a week", "index".
func unit(metric string) string {
	m, ok := model.ParseMetric(metric)
	if !ok {
		return ""
	}
	u := m.Info().Unit
	switch {
	case u == "people" || u == metric || u == "labs" || u == "ceasefires":
		return "" // a count of what the metric's name says
	case u == "people per week":
		return "a week"
	case strings.HasSuffix(u, " per week"):
		return strings.TrimSuffix(u, " per week") + " a week"
	}
	return u
}

// num writes a number for a reader: millions as 5.4M, thousands with commas, three
// significant digits below.
func num(x float64) string {
	a := math.Abs(x)
	sign := ""
	if x < 0 {
		sign = "-"
	}
	switch {
	case math.IsNaN(x):
		return "n/a"
	case a >= 1e9:
		return sign + strconv.FormatFloat(a/1e9, 'f', 2, 64) + "bn"
	case a >= 1e6:
		return sign + strconv.FormatFloat(a/1e6, 'f', 1, 64) + "M"
	case a >= 1000:
		s := strconv.FormatFloat(math.Round(a), 'f', 0, 64)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return sign + s
	case a >= 100:
		return sign + strconv.FormatFloat(a, 'f', 0, 64)
	case a == 0:
		return "0"
	}
	return sign + strconv.FormatFloat(a, 'g', 3, 64)
}

// signed is num with a + on positive numbers.
func signed(x float64) string {
	if x > 0 {
		return "+" + num(x)
	}
	return num(x)
}

func pct(k, n int) string {
	return strconv.FormatFloat(100*float64(k)/float64(n), 'f', 0, 64) + "%"
}

func share(k, n int) string {
	lo, hi := robust.Wilson(k, n, 0.95)
	return fmt.Sprintf("%s [%.0f%%, %.0f%%]", pct(k, n), 100*lo, 100*hi)
}

// effect writes a cell: the median, its size against the status quo, the middle 90%.
func effect(c cell) string {
	rel := ""
	if r := math.Round(1000*c.RelMedian) / 10; !math.IsNaN(r) && r != 0 {
		rel = strconv.FormatFloat(r, 'f', 1, 64) + "%; "
		if r > 0 {
			rel = "+" + rel
		}
	}
	return fmt.Sprintf("%s (%s90%% of futures %s to %s)", signed(c.Median), rel, signed(c.Q05), signed(c.Q95))
}

func (a *answers) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("\n*Written by `make policy` (`tools/policy-questions`) from the experiment in `%s`: edit the tool, not this text.*\n\n", a.Dir)
	w("Each policy was run against the status quo (`%s`) in **%d plausible futures**. A future is one set of\n", a.Reference, a.Points)
	w("the model's uncertain parameters: ")
	if len(a.Posteriors) > 1 {
		var each []string
		for _, p := range a.Posteriors {
			if p.Keys >= 0 {
				each = append(each, fmt.Sprintf("`%s`, %d", p.File, p.Keys))
			} else {
				each = append(each, fmt.Sprintf("`%s`", p.File))
			}
		}
		w("the %d fitted to the record are drawn from their calibrated posteriors, one particle of\neach, independently (%s), and the %d assumptions the calibrations leave open are spread over their\nplausible ranges (`cartelsim params`). ", a.PosteriorKeys, strings.Join(each, "; "), a.OpenFactors)
	} else if a.Posterior != "" {
		w("the %d fitted to the recorded history are drawn together from their calibrated posterior\n(`%s`), and the %d assumptions the calibration leaves open are spread over their\nplausible ranges (`cartelsim params`). ", a.PosteriorKeys, a.Posterior, a.OpenFactors)
	} else {
		w("%d of them, spread over their plausible ranges (`cartelsim params`). ", a.OpenFactors)
	}
	replicates := "replicates"
	if a.Replicates == 1 {
		replicates = "replicate"
	}
	w("In each future both scenarios run %d %s with the same random\n", a.Replicates, replicates)
	w("numbers, and the policy's **effect** is the difference of their means: a year's weekly average,\n")
	w("policy minus status quo. An effect below is the median over the futures (in brackets, against the\n")
	w("status quo's level), then the range the middle 90%% of futures span. \"Lowers them in 80%% of\n")
	w("futures\" counts the futures where the effect is below zero, with a 95%% interval for what %d\n", a.Points)
	w("futures can tell. **Depends on** gives the region of the parameters where the less common answer\n")
	w("holds (PRIM scenario discovery, [robustness.md](robustness.md)): how many of the futures where it\n")
	w("holds lie in the region, and how often it holds inside.\n")
	if a.SetAside > 0 {
		w("\nFutures set aside because their world ran away (the runaway guard stopped them as their cartels\n")
		w("grew past its caps): %d. They are left out of every answer; the experiment's `experiment.json`\nlists them.\n", a.SetAside)
	}
	for _, p := range a.Policies {
		w("\n#### %s\n\n", p.Name)
		if p.Description != "" {
			w("*%s.*\n\n", strings.TrimSuffix(p.Description, "."))
		}
		for _, ma := range p.Metrics {
			w("- **%s**", title(ma.Metric))
			if u := unit(ma.Metric); u != "" {
				w(" (%s)", u)
			}
			w(": ")
			for i, y := range ma.Years {
				if i > 0 {
					w("; ")
				}
				w("%d %s", y, effect(ma.Cells[i]))
			}
			w(".\n")
			c := ma.Cells[indexOf(ma.Years, a.Year)]
			w("  In %d it lowers them in %s of plausible futures and raises them in %s.", a.Year, share(c.Lower, c.N), share(c.Raise, c.N))
			f := ma.Finding
			verb := "raises"
			if f.Lowers {
				verb = "lowers"
			}
			switch {
			case f.Unchanged:
				w(" It leaves them unchanged in every future.\n")
			case f.Universal:
				w(" It %s them in every future where it changes them: no parameter decides it.\n", verb)
			case f.TooFew:
				w(" It %s them in too few futures for a region of the parameters to tell.\n", verb)
			case f.NoRegion:
				w(" **Depends on:** no region of the parameters stands out where it %s them.\n", verb)
			default:
				w(" **Depends on:** it %s them mainly where %s (%d of the %d futures where it %s them lie there; there it %s them in %.0f%%).\n",
					verb, f.Text, f.InBox, f.Holds, verb, verb, 100*f.Density)
			}
		}
	}
	w("\n**Every output in %d**: each policy's median effect over the futures and, in brackets, the share of\n", a.Year)
	w("futures where it raises the output.\n\n")
	w("| policy |")
	for i, mt := range a.TableMetrics {
		u := unit(mt)
		if u != "" {
			u = ", " + u
		}
		_ = i
		w(" %s%s |", strings.ReplaceAll(mt, "_", " "), u)
	}
	w("\n| --- |%s\n", strings.Repeat(" ---: |", len(a.TableMetrics)))
	for s, p := range a.Policies {
		w("| %s |", p.Name)
		for _, c := range a.Table[s] {
			w(" %s (%s) |", signed(c.Median), pct(c.Raise, c.N))
		}
		w("\n")
	}
	w("\n")
	return b.String()
}

func indexOf(xs []int, x int) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return 0
}
