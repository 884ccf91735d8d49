package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/experiment"
)

type experimentCmd struct {
	out     string
	workers int
	quiet   bool
	force   bool
	resume  bool
	shard   string
	shards  int
	traj    bool
	fs      *pflag.FlagSet
}

func (*experimentCmd) name() string { return "experiment" }
func (*experimentCmd) synopsis() string {
	return "run a designed experiment: factors sampled over scenarios, paired effects and plots"
}
func (*experimentCmd) usage() string {
	return "experiment DESIGN.yaml --out DIR [--workers J] [--trajectories] [--quiet] [--force] [--resume] [--shard K|env --shards N]\n" +
		"       cartelsim experiment merge SHARD_DIR... --out DIR [--force]"
}

func (c *experimentCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory (required)")
	fs.IntVarP(&c.workers, "workers", "j", 0, "parallel workers (default: all CPUs)")
	fs.BoolVar(&c.traj, "trajectories", false, "also write every replicate's weekly values of the outputs' metrics to trajectories/point-NNNNNN.parquet")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no progress or summary")
	fs.BoolVar(&c.force, "force", false, "replace an earlier experiment in the output directory")
	fs.BoolVar(&c.resume, "resume", false, "continue the interrupted experiment in the output directory from its checkpoint")
	fs.StringVar(&c.shard, "shard", "", "run only shard K of --shards N: the points p with p mod N == K; \"env\" reads K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
	fs.IntVar(&c.shards, "shards", 0, "number of shards (with --shard); merge the shard directories with cartelsim experiment merge")
}

func (c *experimentCmd) shardIndex(getenv func(string) string) (int, error) {
	return (&runCmd{shard: c.shard, shards: c.shards}).shardIndex(getenv)
}

func (c *experimentCmd) validate(args []string) error {
	switch {
	case len(args) > 0 && args[0] == "merge":
		if len(args) == 1 {
			return usagef("experiment merge takes the shard directories of one experiment")
		}
		if c.resume || c.shard != "" || c.shards != 0 || c.traj {
			return usagef("experiment merge takes only --out and --force")
		}
	case len(args) != 1:
		return usagef("experiment takes one design file, got %d arguments", len(args))
	}
	if c.out == "" {
		return usagef("experiment needs --out DIR")
	}
	if c.fs.Changed("workers") && c.workers < 1 {
		return usagef("--workers %d: want at least 1", c.workers)
	}
	if c.resume && c.force {
		return usagef("--resume and --force exclude each other")
	}
	_, err := c.shardIndex(func(string) string { return "0" })
	return err
}

func (c *experimentCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	began := time.Now()
	command := commandLine(c.name(), args, c.fs)
	if args[0] == "merge" {
		m, err := experiment.Merge(args[1:], experiment.MergeOptions{OutDir: c.out, Force: c.force, Command: command})
		if err != nil {
			return err
		}
		if !c.quiet {
			fmt.Fprintf(stdout, "%s: merged %d shards (%d points) into %s, %.1fs\n", m.Design.Name, m.MergedShards, m.Points, c.out, time.Since(began).Seconds())
		}
		warnRunaways(stderr, m)
		return nil
	}
	shard, err := c.shardIndex(os.Getenv)
	if err != nil {
		return err
	}
	d, err := experiment.LoadDesign(args[0])
	if err != nil {
		return err
	}
	opts := experiment.Options{OutDir: c.out, Force: c.force, Resume: c.resume, Workers: c.workers,
		Shard: shard, Shards: c.shards, Command: command, Trajectories: c.traj}
	if !c.quiet && isTerminal(stderr) {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(stderr, "\r%s: point %d of %d", d.Name, done, total)
			if done == total {
				fmt.Fprintln(stderr)
			}
		}
	}
	m, err := experiment.Run(ctx, d, opts)
	if errors.Is(err, experiment.ErrAlreadyComplete) {
		fmt.Fprintf(stdout, "%s: already complete in %s\n", d.Name, c.out)
		return nil
	}
	if err != nil {
		if opts.Progress != nil {
			fmt.Fprintln(stderr)
		}
		return err
	}
	if !c.quiet {
		what := "into " + c.out
		if m.Shards > 1 {
			what = fmt.Sprintf("shard %d of %d into %s (merge with cartelsim experiment merge)", m.Shard, m.Shards, c.out)
		}
		fmt.Fprintf(stdout, "%s: %d points x %d scenarios x %d replicates (%s design), seed %d, %s, %.1fs\n",
			d.Name, m.PointsDone, len(m.Scenarios), m.Replicates, m.Design.Kind, m.Seed, what, time.Since(began).Seconds())
	}
	warnRunaways(stderr, m)
	return nil
}

// warnRunaways says, even when quiet, how many points ran away and where the first did.
func warnRunaways(stderr io.Writer, m *experiment.Manifest) {
	if len(m.Runaways) == 0 {
		return
	}
	r := m.Runaways[0]
	fmt.Fprintf(stderr, "experiment: warning: the world ran away at %d of %d points (first: point %d, scenario %s, %s in week %d; %s): "+
		"their results are NaN, experiment.json lists them, and sensitivity, robustness and discover set them aside\n",
		len(m.Runaways), m.PointsDone, r.Point, r.Scenario, r.Quantity, r.Week, r.Factors)
}
