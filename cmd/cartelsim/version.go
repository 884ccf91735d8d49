package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim"
)

type versionCmd struct{}

func (*versionCmd) name() string               { return "version" }
func (*versionCmd) synopsis() string           { return "print the version and build (also cartelsim --version)" }
func (*versionCmd) usage() string              { return "version" }
func (*versionCmd) register(fs *pflag.FlagSet) {}

func (*versionCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintln(stdout, sim.Build())
	return nil
}
