package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim/figures"
)

// figuresCmd regenerates the published figures and tables of a figure manifest and
// compares them with the checksums it records. Scenario paths in the manifest are
// relative to the current directory, which is meant to be the repository root.
type figuresCmd struct {
	manifest string
	out      string
	check    bool
	update   bool
	workers  int
	quiet    bool
	skip     []string
	fs       *pflag.FlagSet
}

func (*figuresCmd) name() string { return "figures" }
func (*figuresCmd) synopsis() string {
	return "regenerate the published figures and tables and compare their checksums"
}
func (*figuresCmd) usage() string {
	return "figures [--manifest FILE] [--out DIR] [--check | --update] [--skip PREFIX ...] [--workers J] [--quiet]"
}

func (c *figuresCmd) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVar(&c.manifest, "manifest", "seeds/figures.json", "the figure manifest (scenario paths in it are relative to the current directory)")
	fs.StringVarP(&c.out, "out", "o", "out/figures", "directory to regenerate into (runs already there are replaced)")
	fs.BoolVar(&c.check, "check", false, "fail (exit status 1) if any output differs from its checksum (the default without --update)")
	fs.BoolVar(&c.update, "update", false, "accept the regenerated outputs: rewrite the checksums and the shipped images")
	fs.IntVarP(&c.workers, "workers", "j", 0, "parallel workers, and runs and comparisons at a time (default: all CPUs; the outputs do not depend on it)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "print only a failed check")
	fs.StringArrayVar(&c.skip, "skip", nil, "leave out the entries whose name starts with PREFIX (repeatable; not with --update): an emulated platform checks the rest")
}

func (c *figuresCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 0 {
		return usagef("figures takes no arguments, got %q", args)
	}
	if c.check && c.update {
		return usagef("--check and --update contradict each other: --update accepts the differences --check refuses")
	}
	if c.fs.Changed("workers") && c.workers < 1 {
		return usagef("--workers %d: want at least 1", c.workers)
	}
	if c.out == "" {
		return usagef("--out is empty")
	}
	if c.update && len(c.skip) > 0 {
		return usagef("--skip and --update contradict each other: --update rewrites every entry's checksum")
	}
	m, err := figures.LoadFigureManifest(c.manifest)
	if err != nil {
		return err
	}
	if m.Figures = skipFigures(m.Figures, c.skip); len(m.Figures) == 0 {
		return usagef("--skip %s leaves no entry of %s to check", strings.Join(c.skip, ", "), c.manifest)
	}
	var progress io.Writer
	if !c.quiet {
		progress = stderr
	}
	began := time.Now()
	results, err := figures.RegenerateFigures(ctx, m, ".", c.out, c.workers, progress)
	if err != nil {
		if ctx.Err() != nil { // wrapped: an interrupted run exits with status 130
			return fmt.Errorf("interrupted; the outputs in %s are incomplete: %w", c.out, err)
		}
		return err
	}
	width := 0
	for _, r := range results {
		width = max(width, len(r.Name))
	}
	var differ []string
	for _, r := range results {
		status := "ok"
		if !r.Match {
			status = "DIFFERS"
			differ = append(differ, r.Name)
		}
		if !c.quiet {
			fmt.Fprintf(stdout, "%-*s  %-7s  %s\n", width, r.Name, status, r.Path)
		}
	}
	if !c.quiet {
		if len(differ) == 0 {
			fmt.Fprintf(stdout, "all %d outputs match %s (%.1fs)\n", len(results), c.manifest, time.Since(began).Seconds())
		} else {
			fmt.Fprintf(stdout, "%d of %d outputs differ from %s (%.1fs)\n", len(differ), len(results), c.manifest, time.Since(began).Seconds())
		}
	}
	if c.update {
		written, err := figures.UpdateFigures(m, c.manifest, ".", results)
		if err != nil {
			return err
		}
		if !c.quiet {
			if len(written) == 0 {
				fmt.Fprintf(stdout, "nothing to update\n")
			} else {
				fmt.Fprintf(stdout, "updated %s\n", strings.Join(written, ", "))
			}
		}
		return nil
	}
	// Without --update a difference is a failure, --check or not: a script that runs
	// figures must not take DIFFERS for success.
	if len(differ) > 0 {
		return fmt.Errorf("%d of %d outputs differ from the checksums in %s: %s (if the model changed on purpose, look at the outputs in %s and run cartelsim figures --update)",
			len(differ), len(results), c.manifest, strings.Join(differ, ", "), c.out)
	}
	return nil
}

// skipFigures returns the entries whose name starts with none of the prefixes.
func skipFigures(entries []figures.FigureEntry, prefixes []string) []figures.FigureEntry {
	var kept []figures.FigureEntry
	for _, e := range entries {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(e.Name, p) }) {
			kept = append(kept, e)
		}
	}
	return kept
}
