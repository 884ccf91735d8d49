package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

type compareCmd struct {
	out        string
	replicates int
	seed       uint64
	workers    int
	horizons   []string
	metrics    []string
	quiet      bool
	force      bool
	sets       []string
	posterior  string
	perDraw    int
	fs         *pflag.FlagSet
}

func (*compareCmd) name() string { return "compare" }
func (*compareCmd) synopsis() string {
	return "run scenarios side by side and tabulate their differences with intervals"
}
func (*compareCmd) usage() string {
	return "compare A.yaml B.yaml [C.yaml ...] --out DIR [--set key=value ...] [--horizon DATE|WEEK ...] [--metrics m1,m2] [--replicates N] [--seed S] [--workers J] [--posterior DIR/posterior.csv [--replicates-per-draw M]] [--quiet] [--force]"
}

func (c *compareCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory (required): comparison.txt, comparison.csv, comparison.json, plots/ and one run directory per scenario")
	registerSet(fs, &c.sets)
	fs.StringSliceVar(&c.horizons, "horizon", nil, "compare at this date or week (repeatable; default: 1, 4 and 8 years after the scenarios first differ, within the run)")
	fs.StringSliceVar(&c.metrics, "metrics", nil, "metrics to plot and print (default: those of "+metricNames(sim.DefaultCompareMetrics)+" not 0 throughout); comparison.csv has all")
	fs.IntVarP(&c.replicates, "replicates", "n", 0, "replicates of each scenario (default: the first scenario's)")
	fs.Uint64Var(&c.seed, "seed", 0, "master seed of every scenario (default: the first scenario's)")
	fs.IntVarP(&c.workers, "workers", "j", 0, "parallel workers (default: all CPUs)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no progress or summary table")
	fs.BoolVar(&c.force, "force", false, "replace an earlier comparison in the output directory")
	fs.StringVar(&c.posterior, "posterior", "", "draw each replicate's parameters from this posterior.csv of cartelsim calibrate (its last generation, by weight): intervals carry parameter uncertainty too; writes comparison.csv, comparison.txt, posterior_draws.csv and variance.csv, no run directories")
	fs.IntVar(&c.perDraw, "replicates-per-draw", 2, "with --posterior: consecutive replicates that share a parameter set (2 or more let variance.csv measure the Monte Carlo part); the intervals take the draws as their units")
}

func metricNames(ms []model.Metric) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.String()
	}
	return strings.Join(names, ",")
}

func (c *compareCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) < 2:
		return usagef("compare takes at least two scenario files, got %d", len(args))
	case c.out == "":
		return usagef("compare needs --out DIR")
	case c.fs.Changed("replicates") && (c.replicates < 2 || c.replicates > scenario.MaxReplicates):
		return usagef("--replicates %d is out of range (2 to %d: intervals need at least two)", c.replicates, scenario.MaxReplicates)
	case c.fs.Changed("workers") && c.workers < 1:
		return usagef("--workers %d: want at least 1", c.workers)
	}
	var metrics []model.Metric
	for _, name := range c.metrics {
		m, ok := model.ParseMetric(name)
		if !ok {
			return usagef("--metrics: unknown metric %q (cartelsim list metrics lists them)", name)
		}
		metrics = append(metrics, m)
	}
	sets, err := parseSets(c.sets)
	if err != nil {
		return err
	}
	scs, err := scenario.LoadScenariosWith(args, sets)
	if err != nil {
		return err
	}
	if c.fs.Changed("replicates") {
		scs[0].Replicates = c.replicates
	}
	if c.fs.Changed("seed") {
		scs[0].Seed = c.seed
	}
	opts := sim.CompareOptions{OutDir: c.out, Force: c.force, Workers: c.workers, Metrics: metrics,
		Command: commandLine(c.name(), args, c.fs)}
	for _, h := range c.horizons {
		w, err := scs[0].Clock.Week(h)
		if err != nil {
			return usagef("--horizon: %s", strings.TrimPrefix(err.Error(), "sim: "))
		}
		opts.Horizons = append(opts.Horizons, w)
	}
	if c.posterior != "" {
		return c.runPosterior(ctx, args, sets, scs, opts, stdout)
	}
	if c.fs.Changed("replicates-per-draw") {
		return usagef("--replicates-per-draw needs --posterior")
	}
	var bar *compareProgress
	if !c.quiet && isTerminal(stderr) {
		bar = newCompareProgress(stderr, scs)
		opts.Progress = bar.update
	}
	cmp, err := sim.Compare(ctx, scs, opts)
	bar.finish()
	if err != nil {
		return err // an interruption exits 130, mismatched scenarios 2
	}
	if c.quiet {
		return nil
	}
	if err := cmp.Summary(stdout); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\nwrote %s: %s (this table), %s (every metric), %s (what was compared, and how), plots in %s/, each scenario's run in its own directory\n",
		c.out, sim.ComparisonTextFile, sim.ComparisonFile, sim.ComparisonManifestFile, sim.PlotsDir)
	return err
}

// runPosterior runs compare --posterior (sim.ComparePosterior).
func (c *compareCmd) runPosterior(ctx context.Context, args []string, sets []scenario.Override, scs []*scenario.Scenario, opts sim.CompareOptions, stdout io.Writer) error {
	if c.perDraw < 1 {
		return usagef("--replicates-per-draw %d: want at least 1", c.perDraw)
	}
	if n := scs[0].Replicates; n <= c.perDraw {
		return usagef("--posterior: %d replicates in draws of %d make one draw, and an interval takes at least two: "+
			"give --replicates above %d or a smaller --replicates-per-draw", n, c.perDraw, c.perDraw)
	}
	post, err := sim.ReadPosterior(c.posterior)
	if err != nil {
		return usageError{err.Error()} // bad input: exit 2
	}
	cmp, _, err := sim.ComparePosterior(ctx, args, sets, post, scs[0].Seed, scs[0].Replicates,
		sim.PosteriorOptions{OutDir: c.out, Force: c.force, Workers: c.workers, Horizons: opts.Horizons, Metrics: opts.Metrics, PerDraw: c.perDraw})
	if err != nil {
		return err
	}
	if c.quiet {
		return nil
	}
	if err := cmp.Summary(stdout); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\nwrote %s: %s (this table), %s (every metric), %s (each replicate's parameter set), %s (Monte Carlo and parameter variance)\n",
		c.out, sim.ComparisonTextFile, sim.ComparisonFile, sim.PosteriorDrawsFile, sim.VarianceFile)
	return err
}

// commandLine is the command as it could be typed again: the arguments and the flags
// that were set, in the order given, quoted for a POSIX shell where needed.
func commandLine(name string, args []string, fs *pflag.FlagSet) string {
	parts := []string{"cartelsim", name}
	for _, a := range args {
		parts = append(parts, sim.ShellQuote(a))
	}
	fs.Visit(func(f *pflag.Flag) {
		v := f.Value.String()
		switch sv, ok := f.Value.(pflag.SliceValue); {
		case ok && f.Value.Type() == "stringArray": // repeated, each value whole
			for _, s := range sv.GetSlice() {
				parts = append(parts, "--"+f.Name+"="+sim.ShellQuote(s))
			}
			return
		case ok:
			v = strings.Join(sv.GetSlice(), ",")
		case f.Value.Type() == "bool" && v == "true":
			parts = append(parts, "--"+f.Name)
			return
		}
		parts = append(parts, "--"+f.Name+"="+sim.ShellQuote(v))
	})
	return strings.Join(parts, " ")
}

// compareProgress redraws one line on a terminal, at most ten times a second: how many
// scenarios run (together, replicate by replicate), their replicates done, the time since
// the comparison began and an estimate of the time left, from the pace so far.
type compareProgress struct {
	w     io.Writer
	n     int // scenarios
	start time.Time
	now   func() time.Time
	last  time.Time
	drawn bool
}

func newCompareProgress(w io.Writer, scs []*scenario.Scenario) *compareProgress {
	p := &compareProgress{w: w, n: len(scs), now: time.Now}
	p.start = p.now()
	return p
}

func (p *compareProgress) update(done, total int) {
	now := p.now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 20
	filled := width * done / total
	elapsed := now.Sub(p.start)
	left := "time left unknown yet"
	if done > 0 {
		rest := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
		left = "about " + roundDuration(rest) + " left"
	}
	// \x1b[K clears what a longer line left on the right.
	fmt.Fprintf(p.w, "\r%d scenarios [%s%s] %d/%d replicates of each, %s elapsed, %s\x1b[K", p.n,
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total, roundDuration(elapsed), left)
	p.drawn = true
}

// finish ends the bar's line; a nil bar does nothing.
func (p *compareProgress) finish() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\n")
	}
}

// roundDuration is a duration to the second (to the tenth below ten seconds): 4.2s, 1m5s.
func roundDuration(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
