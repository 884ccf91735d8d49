package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/pflag"
)

// FuzzArgs: whatever the argument list, parseArgs never panics, and either accepts it (a
// command with its flags parsed, or a request for help) or returns a usageError of one
// printable line naming the command, which cli prints with exit status 2 and nothing
// else. Neither runs a command, so the fuzzer never simulates or writes a file. The
// fuzzer's string is the argument list joined by NUL bytes, which no real argument can
// hold.
func FuzzArgs(f *testing.F) {
	for _, args := range argSeeds(f) {
		f.Add(strings.Join(args, "\x00"))
	}
	f.Add("help\x00--version")
	f.Fuzz(func(t *testing.T, joined string) {
		var args []string
		if joined != "" {
			args = strings.Split(joined, "\x00")
		}
		inv, err := parseArgs(args)
		if err != nil {
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("%q: error %v is a %T, not a usageError", args, err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cartelsim") || strings.ContainsFunc(msg, unicode.IsControl) || !utf8.ValidString(msg) {
				t.Fatalf("%q: error is not one printable line naming the command: %q", args, msg)
			}
			if len(args) == 0 {
				return // cli prints the overview instead
			}
			var stdout, stderr bytes.Buffer
			if status := cli(args, &stdout, &stderr); status != exitUsage || stderr.String() != msg+"\n" || stdout.Len() != 0 {
				t.Fatalf("%q: cli gave status %d, stdout %q, stderr %q; want 2 and the error %q", args, status, stdout.String(), stderr.String(), msg)
			}
			return
		}
		named := args[0] // the command: help CMD's CMD, --version's version
		if named == "help" && len(args) == 2 {
			named = args[1]
		}
		if named == "--version" {
			named = "version"
		}
		switch {
		case inv.cmd == nil && !inv.help:
			t.Fatalf("%q: neither a command nor help", args)
		case inv.cmd != nil && (inv.fs == nil || !inv.fs.Parsed() || inv.cmd.name() != named):
			t.Fatalf("%q: command %q with flags %v", args, inv.cmd.name(), inv.fs)
		case inv.help:
			var stdout, stderr bytes.Buffer
			if status := cli(args, &stdout, &stderr); status != exitOK || !strings.Contains(stdout.String(), "Usage") || stderr.Len() != 0 {
				t.Fatalf("%q: help gave status %d, stdout %q, stderr %q", args, status, stdout.String(), stderr.String())
			}
		}
	})
}

// argSeeds are the command lines of the documents and the Makefile, each command's help,
// bare command and flags with good and bad values (from commands(), so a new command or
// flag is seeded as soon as it is registered), and junk.
func argSeeds(f *testing.F) [][]string {
	var seeds [][]string
	// The command lines of README.md, docs/*.md and the Makefile, placeholders and make
	// variables as written: "cartelsim run SCENARIO.yaml [--out DIR]",
	// "./cmd/cartelsim run $(SCENARIO)".
	line := regexp.MustCompile("cartelsim ((?:[a-z]+|--help|-h)\\b[^`#\\n]*)")
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range append([]string{"../../README.md", "../../Makefile"}, docs...) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range line.FindAllStringSubmatch(string(b), -1) {
			seeds = append(seeds, strings.Fields(m[1]))
		}
	}
	if len(seeds) < 10 {
		f.Fatalf("found %d command lines in the documents and the Makefile", len(seeds))
	}
	for _, c := range commands() {
		name := c.name()
		seeds = append(seeds, []string{name}, []string{name, "--help"}, []string{name, "-h"}, []string{name, "a.yaml", "b.yaml"},
			[]string{name, "--", "--help"}, []string{name, "-"}, []string{name, "--"}, []string{name, "---out"}, []string{name, "--no-such-flag"})
		fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
		c.register(fs)
		fs.VisitAll(func(fl *pflag.Flag) {
			seeds = append(seeds, []string{name, "a.yaml", "--" + fl.Name, "-1"}, []string{name, "--" + fl.Name + "=x", "a.yaml", "b.yaml"},
				[]string{name, "a.yaml", "--" + fl.Name + "="}, []string{name, "a.yaml", "--" + fl.Name})
			if fl.Shorthand != "" {
				seeds = append(seeds, []string{name, "-" + fl.Shorthand}, []string{name, "a.yaml", "-" + fl.Shorthand, "3"},
					[]string{name, "a.yaml", "-" + fl.Shorthand + "3"}, []string{name, "-q" + fl.Shorthand, "2"})
			}
		})
	}
	long := strings.Repeat("x", 1<<16)
	seeds = append(seeds,
		nil, []string{""}, []string{"", ""}, []string{"--"}, []string{"-"}, []string{"="}, []string{"-="}, []string{"--="},
		[]string{"help"}, []string{"help", "run"}, []string{"--help", "run"}, []string{"-h"}, []string{"-x"},
		[]string{long}, []string{"run", long}, []string{"run", "--" + long}, []string{"run", "--out", long},
		[]string{"run", "-" + strings.Repeat("q", 1000)},
		[]string{"ｒｕｎ"}, []string{"run", "—out", "x"}, []string{"run", "a.yaml", "--out", "\u202e"}, []string{"run", "\u2028"},
		[]string{"run", "--\x1b[31m"}, []string{"run", "--a\nb"}, []string{"run", "-\xff"}, []string{"\xff\xfe"}, []string{"run\n"},
		[]string{"run", "a.yaml", "--replicates", "0"}, []string{"run", "a.yaml", "--workers", "-1"}, []string{"run", "a.yaml", "-n", "1e3"},
		[]string{"compare", "a.yaml", "b.yaml", "--horizon", "", "--metrics", ",,"},
		[]string{"figures", "--check", "--update"}, []string{"run", "a.yaml", "--seed", "99999999999999999999"},
		[]string{"run", "a.yaml", "--shard", "env", "--shards", "-9223372036854775808"}, []string{"run", "a.yaml", "--checkpoint-every", "1.5"},
	)
	return seeds
}

// parseArgs accepts what cli used to accept and refuses with the same one-line errors,
// before anything touches the filesystem: no scenario file below exists.
func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args  []string
		cmd   string // "" for help
		args2 []string
		err   string
	}{
		{[]string{"--help"}, "", nil, ""},
		{[]string{"run", "x.yaml", "-n", "3", "--seed=9", "-qj2"}, "run", []string{"x.yaml"}, ""},
		{[]string{"run", "--", "-x.yaml"}, "run", []string{"-x.yaml"}, ""},
		{nil, "", nil, "cartelsim: no command (run cartelsim --help)"},
		{[]string{"fly"}, "", nil, `cartelsim: unknown command "fly" (run cartelsim --help)`},
		{[]string{"run"}, "", nil, "cartelsim run: run takes one scenario file, got 0 arguments"},
		{[]string{"run", "x.yaml", "--replicates", "0"}, "", nil, "cartelsim run: --replicates 0 is out of range (1 to 10000000)"},
		{[]string{"run", "x.yaml", "--workers", "-1"}, "", nil, "cartelsim run: --workers -1: want at least 1"},
		{[]string{"run", "x.yaml", "-n", "1e3"}, "", nil, `cartelsim run: invalid value "1e3" for -n, --replicates: want a whole number`},
		{[]string{"run", "x.yaml", "--out"}, "", nil, "cartelsim run: flag needs an argument: --out"},
		{[]string{"run", "x.yaml", "--colour\nred\x1b[0m"}, "", nil, `cartelsim run: unknown flag: --colour; red\x1b[0m`},
		{[]string{"check", "--\xff"}, "", nil, `cartelsim check: unknown flag: --\xff`},
	} {
		inv, err := parseArgs(c.args)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: error %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if c.cmd == "" && (!inv.help || inv.cmd != nil) || c.cmd != "" && (inv.cmd == nil || inv.cmd.name() != c.cmd || inv.help) ||
			strings.Join(inv.args, "|") != strings.Join(c.args2, "|") {
			t.Errorf("%q: parsed %+v, want command %q with arguments %q", c.args, inv, c.cmd, c.args2)
		}
	}
}
