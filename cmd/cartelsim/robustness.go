package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/experiment"
	"github.com/cartelsim/cartelsim/robust"
)

type robustnessCmd struct {
	out     string
	outputs []string
	metrics []string
	years   []int
	quiet   bool
	fs      *pflag.FlagSet
}

func (*robustnessCmd) name() string { return "robustness" }
func (*robustnessCmd) synopsis() string {
	return "over an experiment's points: how often each policy beats the reference, its effects and regret"
}
func (*robustnessCmd) usage() string {
	return "robustness EXPERIMENT_DIR [--out DIR] [--output NAME]... [--metric M]... [--year Y]... [--quiet]"
}

func (c *robustnessCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory for robustness.csv and plots/ (default: EXPERIMENT_DIR/robustness)")
	fs.StringSliceVar(&c.outputs, "output", nil, "only the experiment's outputs of these names (repeatable or comma-separated)")
	fs.StringSliceVar(&c.metrics, "metric", nil, "only the outputs of these metrics (repeatable or comma-separated)")
	fs.IntSliceVar(&c.years, "year", nil, "only the outputs that are a year's mean (year: in the design file) of these years")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no summary")
}

func (c *robustnessCmd) validate(args []string) error {
	if len(args) != 1 {
		return usagef("robustness takes one experiment directory, got %d arguments", len(args))
	}
	return nil
}

// outputFilter keeps the outputs every given filter names; it is a usage error for a
// filter's value to name no output of the experiment.
func outputFilter(e *robust.Experiment, names, metrics []string, years []int) (func(int) bool, error) {
	m := e.Manifest
	yearOf := func(window string) string { return strings.TrimPrefix(window, "mean over ") }
	var all []string
	for _, o := range m.Outputs {
		all = append(all, fmt.Sprintf("%s (%s, %s)", o.Name, o.Metric, o.Window))
	}
	check := func(flag string, vals []string, match func(i int, v string) bool) error {
		for _, v := range vals {
			found := false
			for i := range m.Outputs {
				found = found || match(i, v)
			}
			if !found {
				return usagef("--%s %s: no output of the experiment matches (its outputs: %s)", flag, v, strings.Join(all, "; "))
			}
		}
		return nil
	}
	var ys []string
	for _, y := range years {
		ys = append(ys, strconv.Itoa(y))
	}
	if err := check("output", names, func(i int, v string) bool { return m.Outputs[i].Name == v }); err != nil {
		return nil, err
	}
	if err := check("metric", metrics, func(i int, v string) bool { return m.Outputs[i].Metric == v }); err != nil {
		return nil, err
	}
	if err := check("year", ys, func(i int, v string) bool { return yearOf(m.Outputs[i].Window) == v }); err != nil {
		return nil, err
	}
	return func(i int) bool {
		o := m.Outputs[i]
		return (len(names) == 0 || slices.Contains(names, o.Name)) &&
			(len(metrics) == 0 || slices.Contains(metrics, o.Metric)) &&
			(len(ys) == 0 || slices.Contains(ys, yearOf(o.Window)))
	}, nil
}

func (c *robustnessCmd) run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	e, err := robust.Load(args[0])
	if err != nil {
		return usageError{err.Error()} // a directory that is not a finished experiment is bad input
	}
	warnDependentPoints(stderr, e)
	keep, err := outputFilter(e, c.outputs, c.metrics, c.years)
	if err != nil {
		return err
	}
	rows := robust.Analyse(e, keep)
	if len(rows) == 0 {
		return usagef("no output of the experiment passes all of --output, --metric and --year together")
	}
	out := c.out
	if out == "" {
		out = filepath.Join(args[0], "robustness")
	}
	files, err := robust.WriteRobustness(out, e, rows)
	if err != nil {
		return err
	}
	if c.quiet {
		return nil
	}
	last := ""
	for _, r := range rows {
		if r.Output != last {
			last = r.Output
			fmt.Fprintf(stdout, "%s (%s; %s), over %d points%s:\n", r.Output, r.Metric, betterNote(r.Direction), r.Points, setAsideNote(e))
		}
		regret := ""
		if r.Rank > 0 {
			regret = fmt.Sprintf("; regret max %s, mean %s (minimax rank %d)", compact(r.MaxRegret), compact(r.MeanRegret), r.Rank)
		}
		if r.Reference {
			fmt.Fprintf(stdout, "  %-24s the reference%s\n", r.Policy, regret)
			continue
		}
		what := "beats " + r.Versus
		if r.Direction == robust.None {
			what = "raises it"
		}
		fmt.Fprintf(stdout, "  %-24s %s at %.0f%% [%.0f%%, %.0f%%] of points (clearly at %.0f%%, clearly the other way at %.0f%%); effect median %s [5%%: %s, 95%%: %s]%s\n",
			r.Policy, what, 100*r.Share, 100*r.ShareLo, 100*r.ShareHi, 100*r.Clear, 100*r.Against,
			compact(r.Quantiles[2]), compact(r.Quantiles[0]), compact(r.Quantiles[4]), regret)
	}
	fmt.Fprintf(stdout, "wrote %s to %s\n", strings.Join(files, ", "), out)
	return nil
}

func betterNote(d robust.Direction) string {
	switch d {
	case robust.Lower:
		return "lower is better"
	case robust.Higher:
		return "higher is better"
	}
	return "no better direction: shares count rises"
}

func compact(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }

// setAsideNote says which of the experiment's points the analysis left out, if any: a
// sobol design's AB rows, and points whose world ran away.
func setAsideNote(e *robust.Experiment) string {
	var notes []string
	if len(e.Dependent) > 0 {
		notes = append(notes, fmt.Sprintf("the A and B rows of the sobol design: its %d AB rows, each sharing all but one factor with its block's A row, are not read", len(e.Dependent)))
	}
	if len(e.SetAside) > 0 {
		of := ""
		if len(e.Dependent) > 0 {
			of = " of the A and B rows"
		}
		notes = append(notes, fmt.Sprintf("%d more%s set aside where the world ran away: experiment.json lists them", len(e.SetAside), of))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// warnDependentPoints says, even when quiet, that a morris design's points are not
// independent futures: a trajectory's rows share all but one factor, so shares and their
// intervals read them as more futures than they are. (Of a sobol design only the A and B
// rows are read, which are.)
func warnDependentPoints(stderr io.Writer, e *robust.Experiment) {
	if k := e.Manifest.Design.Kind; k == experiment.Morris {
		fmt.Fprintf(stderr, "%s: warning: a %s design's points are not independent futures (each row of a trajectory shares all but one factor with the next): read its shares with care, or run a latin-hypercube design\n", e.Dir, k)
	}
}
