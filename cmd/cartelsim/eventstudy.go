package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim"
)

type eventStudyCmd struct {
	out     string
	workers int
	quiet   bool
	fs      *pflag.FlagSet
}

func (*eventStudyCmd) name() string { return "eventstudy" }
func (*eventStudyCmd) synopsis() string {
	return "homicides by state and month around each capture and killing of a run (Lindo & Padilla-Romo 2018)"
}
func (*eventStudyCmd) usage() string {
	return "eventstudy RUN_DIR --out DIR [--workers J] [--quiet]"
}

func (c *eventStudyCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory (required): eventstudy.csv and plots/eventstudy.png, .svg")
	fs.IntVarP(&c.workers, "workers", "j", 0, "parallel workers re-simulating the run's replicates (default: all CPUs)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no summary")
}

func (c *eventStudyCmd) validate(args []string) error {
	switch {
	case len(args) != 1:
		return usagef("eventstudy takes one run directory, got %d arguments", len(args))
	case c.out == "":
		return usagef("eventstudy needs --out DIR")
	case c.fs.Changed("workers") && c.workers < 1:
		return usagef("--workers %d: want at least 1", c.workers)
	}
	return nil
}

func (c *eventStudyCmd) run(ctx context.Context, args []string, stdout, _ io.Writer) error {
	began := time.Now()
	res, err := sim.EventStudy(ctx, args[0], sim.EventStudyOptions{OutDir: c.out, Workers: c.workers})
	if err != nil {
		return err
	}
	if !c.quiet {
		events := 0
		for _, e := range res.Estimates {
			events = max(events, e.Events)
		}
		fmt.Fprintf(stdout, "%s: %d captures and killings, %d with months -12 to +24 in the run; wrote %s to %s, %.1fs\n",
			res.Scenario, res.Removals, events, strings.Join(res.Files, ", "), c.out, time.Since(began).Seconds())
	}
	return nil
}
