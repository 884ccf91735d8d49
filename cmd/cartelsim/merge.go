package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim"
)

type mergeCmd struct {
	out   string
	force bool
	quiet bool
	fs    *pflag.FlagSet
}

func (*mergeCmd) name() string { return "merge" }
func (*mergeCmd) synopsis() string {
	return "combine the shard directories of one run into that run's outputs"
}
func (*mergeCmd) usage() string { return "merge SHARD_DIR... --out DIR [--force] [--quiet]" }

func (c *mergeCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory (required): the run's tables, plots and manifest")
	fs.BoolVar(&c.force, "force", false, "replace an earlier run in the output directory")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no summary")
}

func (c *mergeCmd) validate(args []string) error {
	switch {
	case len(args) == 0:
		return usagef("merge takes the shard directories of one run")
	case c.out == "":
		return usagef("merge needs --out DIR")
	}
	return nil
}

func (c *mergeCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	began := time.Now()
	m, err := sim.Merge(args, sim.MergeOptions{OutDir: c.out, Force: c.force})
	if err != nil {
		return err
	}
	if !c.quiet {
		fmt.Fprintf(stdout, "%s: merged %d shards (%d replicates) into %s, %.1fs\n",
			m.Scenario.Name, m.MergedShards, m.Replicates, c.out, time.Since(began).Seconds())
	}
	return nil
}
