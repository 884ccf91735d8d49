package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

type runCmd struct {
	out        string
	replicates int
	seed       uint64
	workers    int
	mode       string
	quiet      bool
	force      bool
	lineage    bool
	events     bool
	resume     bool
	shard      string
	shards     int
	checkpoint time.Duration
	sets       []string
	posterior  string
	perDraw    int
	fs         *pflag.FlagSet
}

func (*runCmd) name() string { return "run" }
func (*runCmd) synopsis() string {
	return "run a scenario's Monte Carlo replicates and write tables and plots"
}
func (*runCmd) usage() string {
	return "run SCENARIO.yaml [--set key=value ...] [--out DIR] [--replicates N] [--seed S] [--workers J] [--mode meanfield|stochastic] [--lineage] [--events] [--quiet] [--force] [--resume] [--shard K|env --shards N] [--checkpoint-every D] [--posterior DIR/posterior.csv [--replicates-per-draw M]]"
}

func (c *runCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory (default out/<scenario name>, out/<scenario name>-meanfield in mean-field mode)")
	fs.IntVarP(&c.replicates, "replicates", "n", 0, "number of replicates (default: the scenario's)")
	fs.Uint64Var(&c.seed, "seed", 0, "master seed (default: the scenario's)")
	fs.IntVarP(&c.workers, "workers", "j", 0, "parallel workers (default: all CPUs)")
	fs.StringVar(&c.mode, "mode", "", "meanfield or stochastic (default: the scenario's)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no progress bar or summary")
	fs.BoolVar(&c.force, "force", false, "replace an earlier run in the output directory")
	fs.BoolVar(&c.lineage, "lineage", false, "write every replicate's lineage to lineage.csv (default: replicate 0's)")
	fs.BoolVar(&c.events, "events", false, "write every replicate's events to events.csv (default: replicate 0's); the replicates are simulated again at the end")
	fs.BoolVar(&c.resume, "resume", false, "continue the interrupted run in the output directory from its checkpoint (same options)")
	fs.StringVar(&c.shard, "shard", "", "run only shard K of --shards N: the replicates r with r mod N == K; \"env\" reads K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
	fs.IntVar(&c.shards, "shards", 0, "number of shards (with --shard); merge the shard directories with cartelsim merge")
	fs.DurationVar(&c.checkpoint, "checkpoint-every", sim.DefaultCheckpointEvery, "how often to save the checkpoint while running (it is also saved when interrupted)")
	fs.StringVar(&c.posterior, "posterior", "", "draw each replicate's parameters from this posterior.csv of cartelsim calibrate (its last generation, by weight, as compare --posterior); also writes posterior_draws.csv and variance.csv; not with --resume, --shard or --events")
	fs.IntVar(&c.perDraw, "replicates-per-draw", 2, "with --posterior: consecutive replicates that share a parameter set (2 or more let variance.csv measure the Monte Carlo part)")
	registerSet(fs, &c.sets)
}

// shardEnv are the variables --shard env reads, in order: a Slurm job array's task and
// a Kubernetes Indexed Job's completion index.
var shardEnv = []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"}

// shardIndex resolves --shard: a number, or "env" for the first of shardEnv set.
func (c *runCmd) shardIndex(getenv func(string) string) (int, error) {
	if c.shard == "" && c.shards == 0 {
		return 0, nil
	}
	if c.shard == "" || c.shards < 1 {
		return 0, usagef("--shard K and --shards N go together (N at least 1)")
	}
	text, from := c.shard, "--shard"
	if c.shard == "env" {
		text = ""
		for _, name := range shardEnv {
			if text = getenv(name); text != "" {
				from = name
				break
			}
		}
		if text == "" {
			return 0, usagef("--shard env: neither %s is set", strings.Join(shardEnv, " nor "))
		}
	}
	k, err := strconv.Atoi(text)
	if err != nil || k < 0 || k >= c.shards {
		return 0, usagef("%s %q: want a shard number from 0 to %d", from, text, c.shards-1)
	}
	return k, nil
}

func (c *runCmd) validate(args []string) error {
	if len(args) != 1 {
		return usagef("run takes one scenario file, got %d arguments", len(args))
	}
	if c.fs.Changed("replicates") && (c.replicates < 1 || c.replicates > scenario.MaxReplicates) {
		return usagef("--replicates %d is out of range (1 to %d)", c.replicates, scenario.MaxReplicates)
	}
	if c.fs.Changed("workers") && c.workers < 1 {
		return usagef("--workers %d: want at least 1", c.workers)
	}
	if c.checkpoint < 0 {
		return usagef("--checkpoint-every %v: want a duration of 0 or more", c.checkpoint)
	}
	if c.shards > scenario.MaxReplicates {
		return usagef("--shards %d: want at most %d", c.shards, scenario.MaxReplicates)
	}
	if _, err := parseSets(c.sets); err != nil {
		return err
	}
	switch {
	case c.posterior == "" && c.fs.Changed("replicates-per-draw"):
		return usagef("--replicates-per-draw needs --posterior")
	case c.posterior != "" && c.perDraw < 1:
		return usagef("--replicates-per-draw %d: want at least 1", c.perDraw)
	case c.posterior != "" && (c.resume || c.shard != "" || c.shards != 0):
		return usagef("--posterior runs a whole run: not with --resume, --shard or --shards")
	case c.posterior != "" && c.events:
		return usagef("--posterior writes replicate 0's events only: not with --events")
	}
	// The form of --shard and --shards; run reads the environment for --shard env.
	_, err := c.shardIndex(func(string) string { return "0" })
	return err
}

func (c *runCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	shard, err := c.shardIndex(os.Getenv)
	if err != nil {
		return err
	}
	sets, err := parseSets(c.sets)
	if err != nil {
		return err
	}
	sc, err := scenario.LoadScenarioWith(args[0], sets)
	if err != nil {
		return err
	}
	if c.fs.Changed("replicates") {
		sc.Replicates = c.replicates
	}
	if c.fs.Changed("seed") {
		sc.Seed = c.seed
	}
	if c.fs.Changed("mode") {
		if sc.Mode, err = model.ParseMode(c.mode); err != nil {
			return usagef("--mode %q: want meanfield or stochastic", c.mode)
		}
		if _, err := sc.NewWorld(); errors.Is(err, model.ErrMeanFieldFragmentation) {
			return usagef("--mode meanfield: %s has decapitation or fragmentation, which mean-field mode cannot represent", args[0])
		}
	}
	out := c.out
	if out == "" {
		// Mean-field runs get a directory of their own, so that the mean-field reproduction
		// of docs/results.md does not collide with the stochastic run of the same scenario.
		name := sc.Name
		if sc.Mode == model.MeanField {
			name += "-meanfield"
		}
		if out, err = scenario.SafeJoin("out", name); err != nil {
			return err
		}
	}
	every := c.checkpoint
	if every == 0 {
		every = -1 // --checkpoint-every 0: only when interrupted
	}
	opts := sim.RunOptions{OutDir: out, Force: c.force, Workers: c.workers, AllLineages: c.lineage, AllEvents: c.events,
		Resume: c.resume, Shard: shard, Shards: c.shards, CheckpointEvery: every}
	var bar *progressBar
	if !c.quiet && isTerminal(stderr) {
		bar = newProgressBar(stderr)
		opts.Progress = bar.update
	}
	began := time.Now()
	var m *sim.Manifest
	if c.posterior != "" {
		post, perr := sim.ReadPosterior(c.posterior)
		if perr != nil {
			return usageError{perr.Error()} // bad input: exit 2
		}
		var pr *sim.PosteriorRun
		if pr, err = sim.ExecutePosterior(ctx, sc, post, c.perDraw, opts); err == nil {
			m = pr.Manifest
		}
	} else {
		m, err = sim.Execute(ctx, sc, opts)
	}
	bar.finish() // end the bar's line before anything else is printed
	if errors.Is(err, sim.ErrAlreadyComplete) {
		if !c.quiet {
			fmt.Fprintf(stdout, "%s is already complete; nothing to resume\n", out)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if !c.quiet {
		fmt.Fprintf(stdout, "%s: %d replicates of %d weeks (%s to %s), %s mode, seed %d, %d workers, %.1fs\n",
			sc.Name, m.Replicates, m.Weeks, m.StartDate, m.EndDate, m.Mode, m.Seed, m.Workers, time.Since(began).Seconds())
		if m.Shard != nil {
			fmt.Fprintf(stdout, "wrote shard %d of %d (%d replicates, %s) to %s; combine the shards with cartelsim merge\n",
				m.Shard.Index, m.Shard.Count, m.ReplicatesDone, m.Shard.Replicates, out)
			return nil
		}
		tables := []string{sim.ManifestFile}
		plots := 0
		for _, f := range m.Files {
			if strings.HasPrefix(f, sim.PlotsDir+"/") {
				plots++
			} else {
				tables = append(tables, f)
			}
		}
		fmt.Fprintf(stdout, "wrote %s: %s, %d plots in %s/\n", out, strings.Join(tables, ", "), plots, sim.PlotsDir)
		if c.posterior != "" {
			fmt.Fprintf(stdout, "and %s (each replicate's parameter set), %s (Monte Carlo and parameter variance)\n", sim.PosteriorDrawsFile, sim.VarianceFile)
		}
	}
	return nil
}

// isTerminal says whether w is a terminal, where a progress bar belongs. A character
// device is not enough: /dev/null is one, and a job's stderr sent there would get the bar.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar redraws one line on a terminal, at most ten times a second.
type progressBar struct {
	w     io.Writer
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

func (p *progressBar) update(done, total int) {
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width * done / total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d replicates", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
	p.drawn = true
}

// finish ends the bar's line; a nil bar does nothing.
func (p *progressBar) finish() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\n")
	}
}
