package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
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
	fs         *pflag.FlagSet
}

func (*runCmd) name() string { return "run" }
func (*runCmd) synopsis() string {
	return "run a scenario's Monte Carlo replicates and write tables and plots"
}
func (*runCmd) usage() string {
	return "run SCENARIO.yaml [--out DIR] [--replicates N] [--seed S] [--workers J] [--mode meanfield|stochastic] [--lineage] [--quiet] [--force]"
}

func (c *runCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVarP(&c.out, "out", "o", "", "output directory (default out/<scenario name>)")
	fs.IntVarP(&c.replicates, "replicates", "n", 0, "number of replicates (default: the scenario's)")
	fs.Uint64Var(&c.seed, "seed", 0, "master seed (default: the scenario's)")
	fs.IntVarP(&c.workers, "workers", "j", 0, "parallel workers (default: all CPUs)")
	fs.StringVar(&c.mode, "mode", "", "meanfield or stochastic (default: the scenario's)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no progress bar or summary")
	fs.BoolVar(&c.force, "force", false, "replace an earlier run in the output directory")
	fs.BoolVar(&c.lineage, "lineage", false, "write every replicate's lineage to lineage.csv (default: replicate 0's)")
}

func (c *runCmd) validate(args []string) error {
	if len(args) != 1 {
		return usagef("run takes one scenario file, got %d arguments", len(args))
	}
	if c.fs.Changed("replicates") && (c.replicates < 1 || c.replicates > sim.MaxReplicates) {
		return usagef("--replicates %d is out of range (1 to %d)", c.replicates, sim.MaxReplicates)
	}
	if c.fs.Changed("workers") && c.workers < 1 {
		return usagef("--workers %d: want at least 1", c.workers)
	}
	return nil
}

func (c *runCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sc, err := sim.LoadScenario(args[0])
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
		out = filepath.Join("out", sc.Name)
	}
	opts := sim.RunOptions{OutDir: out, Force: c.force, Workers: c.workers, AllLineages: c.lineage}
	var bar *progressBar
	if !c.quiet && isTerminal(stderr) {
		bar = newProgressBar(stderr)
		opts.Progress = bar.update
	}
	began := time.Now()
	m, err := sim.Execute(ctx, sc, opts)
	bar.finish() // end the bar's line before anything else is printed
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; no complete run was written to %s", out)
		}
		return err
	}
	if !c.quiet {
		fmt.Fprintf(stdout, "%s: %d replicates of %d weeks (%s to %s), %s mode, seed %d, %d workers, %.1fs\n",
			sc.Name, m.Replicates, m.Weeks, m.StartDate, m.EndDate, m.Mode, m.Seed, m.Workers, time.Since(began).Seconds())
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
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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
