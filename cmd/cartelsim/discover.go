package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/robust"
)

type discoverCmd struct {
	out         string
	policy      string
	output      string
	below       float64
	above       float64
	clear       bool
	relative    bool
	metric      string
	year        int
	alpha       float64
	minMass     float64
	minCoverage float64
	paste       bool
	maxP        float64
	quiet       bool
	fs          *pflag.FlagSet
}

func (*discoverCmd) name() string { return "discover" }
func (*discoverCmd) synopsis() string {
	return "scenario discovery (PRIM): the factor values of an experiment where a policy's effect is below or above a threshold"
}
func (*discoverCmd) usage() string {
	return "discover EXPERIMENT_DIR [--policy NAME] [--output NAME | --metric M [--year Y]] (--below X | --above X) [--relative] [--clear] [--alpha A] [--min-mass M] [--min-coverage C] [--paste] [--max-p P] [--out DIR] [--quiet]"
}

func (c *discoverCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVar(&c.policy, "policy", "", "the policy (a scenario of the experiment after the first; default: the only one)")
	fs.StringVar(&c.output, "output", "", "the output, by its name in effects.csv (default: the only one)")
	fs.StringVar(&c.metric, "metric", "", "or the output by its metric: the only output of this metric (with --year, of that year's mean)")
	fs.IntVar(&c.year, "year", 0, "with --metric: the output that is the mean over this year")
	fs.Float64Var(&c.below, "below", 0, "the condition: the policy's effect (policy minus reference) is below this")
	fs.Float64Var(&c.above, "above", 0, "the condition: the policy's effect is above this")
	fs.BoolVar(&c.relative, "relative", false, "the threshold is a percentage of the reference's mean at each point (--below -10: cuts it by more than 10%)")
	fs.BoolVar(&c.clear, "clear", false, "the condition holds where the effect's whole 95% replicate interval is below (above) the threshold")
	fs.Float64Var(&c.alpha, "alpha", 0.05, "the share of the box's points each peel removes")
	fs.Float64Var(&c.minMass, "min-mass", 0.05, "peel no box below this share of the points")
	fs.Float64Var(&c.minCoverage, "min-coverage", 0.5, "choose the highest-density box of the trajectory with at least this coverage")
	fs.BoolVar(&c.paste, "paste", false, "widen the chosen box again where that raises its density")
	fs.Float64Var(&c.maxP, "max-p", 0.05, "drop the chosen box's restrictions whose quasi-p-value is above this (1 keeps them all)")
	fs.StringVarP(&c.out, "out", "o", "", "output directory for discovery.csv and plots/ (default: EXPERIMENT_DIR/discovery)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "print only the box")
}

func (c *discoverCmd) validate(args []string) error {
	below, above := c.fs.Changed("below"), c.fs.Changed("above")
	between := func(name string, v float64, hiIncluded bool) error {
		if !(v > 0 && (v < 1 || hiIncluded && v == 1)) {
			want := "in (0, 1)"
			if hiIncluded {
				want = "in (0, 1]"
			}
			return usagef("--%s %g: want a number %s", name, v, want)
		}
		return nil
	}
	switch {
	case len(args) != 1:
		return usagef("discover takes one experiment directory, got %d arguments", len(args))
	case below == above:
		return usagef("discover needs the condition: one of --below X or --above X")
	case math.IsNaN(c.below) || math.IsNaN(c.above):
		return usagef("the threshold is not a number")
	case c.output != "" && (c.metric != "" || c.fs.Changed("year")):
		return usagef("--output names the output: give it or --metric (and --year), not both")
	case c.fs.Changed("year") && c.metric == "":
		return usagef("--year %d chooses among the outputs of --metric: give --metric too", c.year)
	}
	for _, f := range []struct {
		name string
		v    float64
		hi   bool
	}{{"alpha", c.alpha, false}, {"min-mass", c.minMass, false}, {"min-coverage", c.minCoverage, true}, {"max-p", c.maxP, true}} {
		if err := between(f.name, f.v, f.hi); err != nil {
			return err
		}
	}
	return nil
}

func (c *discoverCmd) run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	e, err := robust.Load(args[0])
	if err != nil {
		return usageError{err.Error()} // a directory that is not a finished experiment is bad input
	}
	warnDependentPoints(stderr, e)
	cond := robust.Condition{Policy: c.policy, Output: c.output, Clear: c.clear, Relative: c.relative, Threshold: c.below}
	if c.fs.Changed("above") {
		cond.Above, cond.Threshold = true, c.above
	}
	if cond.Policy == "" {
		if p := e.Policies(); len(p) == 1 {
			cond.Policy = p[0]
		} else {
			return usagef("discover needs --policy: the experiment compares %s", strings.Join(p, ", "))
		}
	}
	if c.metric != "" {
		var years []int
		if c.fs.Changed("year") {
			years = []int{c.year}
		}
		keep, err := outputFilter(e, nil, []string{c.metric}, years)
		if err != nil {
			return err
		}
		var match []string
		for i, o := range e.Manifest.Outputs {
			if keep(i) {
				match = append(match, o.Name)
			}
		}
		if len(match) != 1 {
			return usagef("--metric %s: %d outputs match (%s): choose one with --year or --output", c.metric, len(match), strings.Join(match, ", "))
		}
		cond.Output = match[0]
	}
	if cond.Output == "" {
		if o := e.OutputNames(); len(o) == 1 {
			cond.Output = o[0]
		} else {
			return usagef("discover needs --output: the experiment's outputs are %s", strings.Join(o, ", "))
		}
	}
	d, err := robust.Discover(e, cond, robust.PRIMOptions{Alpha: c.alpha, MinMass: c.minMass, MinCoverage: c.minCoverage, Paste: c.paste, MaxP: c.maxP})
	if err != nil {
		return usageError{err.Error()} // an unknown policy or output, or a condition that never holds
	}
	out := c.out
	if out == "" {
		out = filepath.Join(args[0], "discovery")
	}
	files, err := robust.WriteDiscovery(out, e, d)
	if err != nil {
		return err
	}
	b := d.Chosen
	if c.quiet {
		fmt.Fprintln(stdout, d.Text)
		return nil
	}
	fmt.Fprintf(stdout, "%s: holds at %d of %d points%s\n", cond, d.Hits, d.N, setAsideNote(e))
	fmt.Fprintf(stdout, "box (from step %d of %d): %s\n", d.Step, len(d.Trajectory)-1, d.Text)
	fmt.Fprintf(stdout, "  coverage %.2f (%d of the %d points where it holds), density %.2f (%d of the box's %d points), mass %.2f\n",
		b.Coverage, b.Hits, d.Hits, b.Density, b.Hits, b.Points, b.Mass)
	for _, bd := range d.Bounds {
		fmt.Fprintf(stdout, "  %s: quasi-p %.2g\n", e.Manifest.Factors[bd.Factor].Key, bd.P)
	}
	fmt.Fprintf(stdout, "wrote %s to %s\n", strings.Join(files, ", "), out)
	return nil
}
