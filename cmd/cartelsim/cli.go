package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/calibrate"
	"github.com/cartelsim/cartelsim/experiment"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Exit statuses: usage errors and bad scenarios are 2, failures while running are 1, and
// a run stopped by a signal, its checkpoint saved, is the shell's 128 + the signal's
// number: 130 for SIGINT, 143 for SIGTERM.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
	exitTerminated  = 143
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

// validator is a command that checks its arguments and flags, as far as that needs
// neither the filesystem nor a run, in validate. parseArgs calls it, so run may assume
// it passed.
type validator interface {
	validate(args []string) error
}

func commands() []command {
	return []command{&runCmd{}, &mergeCmd{}, &eventStudyCmd{}, &compareCmd{}, &experimentCmd{}, &sensitivityCmd{}, &robustnessCmd{}, &discoverCmd{}, &calibrateCmd{}, &checkCmd{}, &listCmd{}, &figuresCmd{}, &mapCmd{}, &paramsCmd{}, &reportCmd{}, &versionCmd{}}
}

const overview = `cartelsim simulates how drug cartels grow, fight and split under policy interventions.

Usage:
  cartelsim <command> [arguments]

Commands:
%s
Run "cartelsim help <command>" (or "cartelsim <command> --help") for a command's options,
"cartelsim --version" for the version and build.
`

func mainHelp() string {
	var b strings.Builder
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name()))
	}
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-*s %s\n", width, c.name(), c.synopsis())
	}
	return fmt.Sprintf(overview, b.String())
}

// invocation is a command line that parsed: a command with its flags set and its
// arguments, or a request for help (the overview when cmd is nil).
type invocation struct {
	cmd  command
	fs   *pflag.FlagSet
	args []string
	help bool
}

// parseArgs picks the command, parses its flags and runs its validate: everything that
// needs neither the filesystem nor a run. It returns a usageError of one line, naming
// the command, for any argument list it does not accept; it never panics.
func parseArgs(args []string) (inv invocation, err error) {
	if len(args) == 0 {
		return inv, usagef("cartelsim: no command (run cartelsim --help)")
	}
	switch args[0] {
	case "-h", "--help":
		return invocation{help: true}, nil
	case "help": // help CMD is CMD --help
		switch len(args) {
		case 1:
			return invocation{help: true}, nil
		case 2:
			return parseArgs([]string{args[1], "--help"})
		}
		return inv, usagef("cartelsim help: want one command, got %q (run cartelsim --help)", args[1:])
	case "--version":
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name() == args[0] {
			inv.cmd = c
		}
	}
	if inv.cmd == nil {
		return inv, usagef("cartelsim: unknown command %q (run cartelsim --help)", args[0])
	}
	fail := func(err error) (invocation, error) {
		return invocation{}, usagef("cartelsim %s: %s", inv.cmd.name(), oneLine(err))
	}
	inv.fs = pflag.NewFlagSet(inv.cmd.name(), pflag.ContinueOnError)
	inv.fs.SetOutput(io.Discard)
	inv.fs.SortFlags = false
	help := inv.fs.BoolP("help", "h", false, "show this help")
	inv.cmd.register(inv.fs)
	if err := inv.fs.Parse(args[1:]); err != nil {
		return fail(flagValueError(err))
	}
	if *help {
		inv.help = true
		return inv, nil
	}
	inv.args = inv.fs.Args()
	if v, ok := inv.cmd.(validator); ok {
		if err := v.validate(inv.args); err != nil {
			return fail(err)
		}
	}
	return inv, nil
}

// flagValueError says what a flag wants in place of pflag's parse error, which names Go's
// parsing function ("strconv.ParseInt: parsing ...").
func flagValueError(err error) error {
	var iv *pflag.InvalidValueError
	if !errors.As(err, &iv) {
		return err
	}
	f := iv.GetFlag()
	want := map[string]string{
		"int": "a whole number", "uint64": "a whole number from 0", "float64": "a number",
		"bool": "true or false", "duration": "a duration such as 30s or 2m",
	}[f.Value.Type()]
	if want == "" {
		return err
	}
	name := "--" + f.Name
	if f.Shorthand != "" {
		name = "-" + f.Shorthand + ", " + name
	}
	return fmt.Errorf("invalid value %q for %s: want %s", iv.GetValue(), name, want)
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
	inv, err := parseArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	cmd := inv.cmd
	switch {
	case inv.help && cmd == nil:
		fmt.Fprint(stdout, mainHelp())
		return exitOK
	case inv.help:
		fmt.Fprintf(stdout, "Usage: cartelsim %s\n\n%s\n\nOptions:\n%s", cmd.usage(), cmd.synopsis(), inv.fs.FlagUsages())
		return exitOK
	}
	ctx, stop := withSignals(stderr)
	defer stop()
	err = cmd.run(ctx, inv.args, stdout, stderr)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "cartelsim %s: %s\n", cmd.name(), oneLine(err))
	var ue usageError
	var se *scenario.ScenarioError
	var ie *sim.InterruptedError
	var xe *experiment.InterruptedError
	var ce *calibrate.InterruptedError
	switch {
	case errors.As(err, &ue) || errors.As(err, &se):
		return exitUsage
	case errors.As(err, &ie) || errors.As(err, &xe) || errors.As(err, &ce):
		return interruptStatus(ctx)
	}
	return exitFailure
}

// oneLine keeps an error message to a single printable line: line breaks become "; ",
// runs of white space one space, and other control characters (an escape sequence in an
// argument, say) and invalid UTF-8 are escaped as %q would.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteRune(r)
		case r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
