package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sensitivity"
)

type sensitivityCmd struct {
	out       string
	outputs   []string
	bootstrap int
	quiet     bool
	fs        *pflag.FlagSet
}

func (*sensitivityCmd) name() string { return "sensitivity" }
func (*sensitivityCmd) synopsis() string {
	return "Morris or Sobol sensitivity indices of an experiment's outputs and policy effects"
}
func (*sensitivityCmd) usage() string {
	return "sensitivity EXPERIMENT_DIR [--out DIR] [--output NAME ...] [--bootstrap B] [--quiet]"
}

func (c *sensitivityCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "where to write sensitivity.csv and plots/sensitivity_*.png (default: the experiment's directory)")
	fs.StringSliceVar(&c.outputs, "output", nil, "an output of the experiment to analyse (repeatable; default: every one)")
	fs.IntVar(&c.bootstrap, "bootstrap", sensitivity.DefaultBootstrap, "bootstrap resamples behind each 95% interval (0: no intervals)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no summary")
}

func (c *sensitivityCmd) validate(args []string) error {
	switch {
	case len(args) != 1:
		return usagef("sensitivity takes one experiment directory, got %d arguments", len(args))
	case c.bootstrap < 0:
		return usagef("--bootstrap %d: want 0 or more", c.bootstrap)
	}
	return nil
}

func (c *sensitivityCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	began := time.Now()
	b := c.bootstrap
	if b == 0 {
		b = -1 // none
	}
	res, err := sensitivity.Analyze(args[0], sensitivity.Options{Outputs: c.outputs, Bootstrap: b})
	var ie *sensitivity.InputError
	if errors.As(err, &ie) {
		return usageError{ie.Msg}
	}
	if err != nil {
		return err
	}
	out := c.out
	if out == "" {
		out = args[0]
	}
	files, err := res.Write(out)
	if err != nil {
		return err
	}
	if c.quiet {
		return nil
	}
	for _, t := range res.Targets {
		fmt.Fprintf(stdout, "%s: %s\n", t.Name(), summary(res, t))
	}
	fmt.Fprintf(stdout, "%s design, %d factors, %d %s: wrote %s and %d plots to %s, %.1fs\n", res.Manifest.Design.Kind, len(res.Factors),
		res.Base, map[bool]string{true: "base points", false: "trajectories"}[res.Sobol()], sensitivity.File, len(files)-1, out, time.Since(began).Seconds())
	return nil
}

// summary names a target's most influential factor (largest ST, or mu*) and its
// replicate-noise share.
func summary(res *sensitivity.Result, t *sensitivity.Target) string {
	if t.Err != nil {
		return "does not vary over the design"
	}
	aside := ""
	if res.SetAside > 0 {
		aside = "; " + res.SetAsideText()
	}
	best, name, iv := -1, "ST", sensitivity.Interval{}
	for i := range res.Factors {
		var x sensitivity.Interval
		if t.Sobol != nil {
			x = t.Sobol.ST[i]
		} else {
			x, name = t.Morris.MuStar[i], "mu*"
		}
		if best < 0 || x.Estimate > iv.Estimate {
			best, iv = i, x
		}
	}
	s := fmt.Sprintf("most influential %s (%s %s", res.Factors[best], name, compactIndex(iv.Estimate))
	if !math.IsNaN(iv.Lo) {
		s += fmt.Sprintf(" [%s, %s]", compactIndex(iv.Lo), compactIndex(iv.Hi))
	}
	s += ")"
	if !math.IsNaN(t.NoiseShare) {
		s += fmt.Sprintf("; replicate noise %.0f%% of the variance", 100*t.NoiseShare)
		if t.NoiseShare > 0.5 {
			s += ": the indices are mostly noise (more replicates)"
		}
	}
	return s + aside
}

func compactIndex(x float64) string {
	if math.Abs(x) >= 100 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}
