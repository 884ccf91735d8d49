package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

type checkCmd struct{ sets []string }

func (*checkCmd) name() string                 { return "check" }
func (*checkCmd) synopsis() string             { return "validate a scenario file without running it" }
func (*checkCmd) usage() string                { return "check SCENARIO.yaml [--set key=value ...]" }
func (c *checkCmd) register(fs *pflag.FlagSet) { registerSet(fs, &c.sets) }

func (c *checkCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usagef("check takes one scenario file, got %d arguments", len(args))
	}
	sets, err := parseSets(c.sets)
	if err != nil {
		return err
	}
	sc, err := scenario.LoadScenarioWith(args[0], sets)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok: scenario %q, %d weeks from %s, %d replicates, seed %d, %s mode",
		args[0], sc.Name, sc.Clock.Weeks, sc.Clock.Start.Format(time.DateOnly), sc.Replicates, sc.Seed, sc.Mode)
	if len(sc.Bases) > 0 {
		fmt.Fprintf(stdout, ", extends %s", strings.Join(sc.Bases, " (which extends ")+strings.Repeat(")", len(sc.Bases)-1))
	}
	for _, o := range sets {
		fmt.Fprintf(stdout, ", --set %s", o)
	}
	fmt.Fprintln(stdout)
	return nil
}
