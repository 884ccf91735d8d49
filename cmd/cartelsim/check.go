package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim"
)

type checkCmd struct{}

func (*checkCmd) name() string               { return "check" }
func (*checkCmd) synopsis() string           { return "validate a scenario file without running it" }
func (*checkCmd) usage() string              { return "check SCENARIO.yaml" }
func (*checkCmd) register(fs *pflag.FlagSet) {}

func (*checkCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usagef("check takes one scenario file, got %d arguments", len(args))
	}
	sc, err := sim.LoadScenario(args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok: scenario %q, %d weeks from %s, %d replicates, seed %d, %s mode\n",
		args[0], sc.Name, sc.Clock.Weeks, sc.Clock.Start.Format(time.DateOnly), sc.Replicates, sc.Seed, sc.Mode)
	return nil
}
