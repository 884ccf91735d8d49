package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim"
)

// mapCmd draws a map of Mexico's states from a finished run's per-state table.
type mapCmd struct {
	year   int
	metric string
	out    string
	quiet  bool
	fs     *pflag.FlagSet
}

func (*mapCmd) name() string { return "map" }
func (*mapCmd) synopsis() string {
	return "draw a map of Mexico's states from a run's states.csv"
}
func (*mapCmd) usage() string { return "map RUN_DIR [--year Y] [--metric M] [--out FILE] [--quiet]" }

func (c *mapCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.IntVar(&c.year, "year", 0, "calendar year to map (default: the run's last)")
	fs.StringVarP(&c.metric, "metric", "m", sim.RunMapMetric, "what to map: "+strings.Join(sim.MapMetrics(), ", "))
	fs.StringVarP(&c.out, "out", "o", "", "file to write, .png or .svg (default: RUN_DIR/plots/map_<metric>_<year>.png and .svg)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "do not list the files written")
}

func (c *mapCmd) validate(args []string) error {
	if len(args) != 1 {
		return usagef("map takes one run directory, got %d arguments", len(args))
	}
	if !slices.Contains(sim.MapMetrics(), c.metric) {
		return usagef("--metric %q: want one of %s", c.metric, strings.Join(sim.MapMetrics(), ", "))
	}
	if c.fs.Changed("year") && (c.year < 1 || c.year > 9999) {
		return usagef("--year %d: want a calendar year", c.year)
	}
	if c.fs.Changed("out") {
		if _, err := sim.MapFormat(c.out); err != nil {
			return usagef("--out %q: want a .png or .svg file", c.out)
		}
	}
	return nil
}

func (c *mapCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	paths, err := sim.DrawMap(args[0], sim.MapOptions{Year: c.year, Metric: c.metric, Out: c.out})
	var ie *sim.MapInputError
	if errors.As(err, &ie) {
		return usageError{ie.Error()}
	}
	if err != nil {
		return err
	}
	if !c.quiet {
		for _, p := range paths {
			fmt.Fprintln(stdout, p)
		}
	}
	return nil
}
