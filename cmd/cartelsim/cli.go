package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim"
)

// Exit statuses: usage errors and bad scenarios are 2, failures while running are 1.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks errors in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is a subcommand: its options struct registers its own flags.
type command interface {
	name() string
	synopsis() string
	usage() string // the line after "cartelsim "
	register(fs *pflag.FlagSet)
	run(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{&runCmd{}, &compareCmd{}, &checkCmd{}, &figuresCmd{}, &versionCmd{}}
}

const overview = `cartelsim simulates how drug cartels grow, fight and split under policy interventions.

Usage:
  cartelsim <command> [arguments]

Commands:
%s
Run "cartelsim <command> --help" for a command's options.
`

func mainHelp() string {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name(), c.synopsis())
	}
	return fmt.Sprintf(overview, b.String())
}

// cli runs the command line and maps errors to exit statuses; it never panics.
func cli(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "cartelsim: internal error: %v\n", r)
			status = exitFailure
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, mainHelp())
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, mainHelp())
		return exitOK
	}
	var cmd command
	for _, c := range commands() {
		if c.name() == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "cartelsim: unknown command %q (run cartelsim --help)\n", args[0])
		return exitUsage
	}
	fs := pflag.NewFlagSet(cmd.name(), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	help := fs.BoolP("help", "h", false, "show this help")
	cmd.register(fs)
	if err := fs.Parse(args[1:]); err != nil {
		fmt.Fprintf(stderr, "cartelsim %s: %v\n", cmd.name(), err)
		return exitUsage
	}
	if *help {
		fmt.Fprintf(stdout, "Usage: cartelsim %s\n\n%s\n\nOptions:\n%s", cmd.usage(), cmd.synopsis(), fs.FlagUsages())
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, fs.Args(), stdout, stderr)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "cartelsim %s: %s\n", cmd.name(), oneLine(err))
	var ue usageError
	var se *sim.ScenarioError
	if errors.As(err, &ue) || errors.As(err, &se) {
		return exitUsage
	}
	return exitFailure
}

// oneLine keeps an error message to a single line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
