package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/calibrate"
)

type calibrateCmd struct {
	out     string
	workers int
	quiet   bool
	force   bool
	resume  bool
	fs      *pflag.FlagSet
}

func (*calibrateCmd) name() string { return "calibrate" }
func (*calibrateCmd) synopsis() string {
	return "fit a scenario's free parameters to observed targets by ABC-SMC: posterior, predictive bands, plots"
}
func (*calibrateCmd) usage() string {
	return "calibrate CALIBRATION.yaml --out DIR [--workers J] [--quiet] [--force] [--resume]"
}

func (c *calibrateCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory (required)")
	fs.IntVarP(&c.workers, "workers", "j", 0, "parallel workers (default: all CPUs); the output is the same for any number")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no progress or summary")
	fs.BoolVar(&c.force, "force", false, "replace an earlier calibration in the output directory")
	fs.BoolVar(&c.resume, "resume", false, "continue the interrupted calibration in the output directory from its last finished generation")
}

func (c *calibrateCmd) validate(args []string) error {
	switch {
	case len(args) != 1:
		return usagef("calibrate takes one calibration file, got %d arguments", len(args))
	case c.out == "":
		return usagef("calibrate needs --out DIR")
	case c.fs.Changed("workers") && c.workers < 1:
		return usagef("--workers %d: want at least 1", c.workers)
	case c.resume && c.force:
		return usagef("--resume and --force exclude each other")
	}
	return nil
}

func (c *calibrateCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	began := time.Now()
	f, err := calibrate.Load(args[0])
	if err != nil {
		return err
	}
	opts := calibrate.Options{OutDir: c.out, Force: c.force, Resume: c.resume, Workers: c.workers, Name: f.Name,
		Inputs: f.Inputs, Command: commandLine(c.name(), args, c.fs)}
	if !c.quiet {
		opts.Progress = func(g *calibrate.Generation) {
			fmt.Fprintf(stderr, "%s: generation %d: tolerance %.4g, acceptance %.4f, ESS %.1f\n",
				f.Name, g.Index, g.Tolerance, g.AcceptanceRate(), g.ESS())
		}
	}
	res, err := calibrate.Run(ctx, f.Config, f.Simulator, opts)
	if errors.Is(err, calibrate.ErrAlreadyComplete) {
		fmt.Fprintf(stdout, "%s: already complete in %s\n", f.Name, c.out)
		return nil
	}
	if err != nil {
		return err
	}
	if !c.quiet {
		fmt.Fprint(stdout, res.Summary())
		fmt.Fprintf(stdout, "%s: %d generations of %d particles x %d replicates, seed %d, into %s, %.1fs\n", f.Name,
			len(res.Generations), f.Config.Particles, f.Config.Replicates, f.Config.Seed, c.out, time.Since(began).Seconds())
	}
	return nil
}
