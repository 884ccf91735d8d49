package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cartelsim sensitivity over a small Sobol experiment writes sensitivity.csv and plots
// where asked; a grid design, an unknown output and a shard are bad input (status 2, one
// line).
func TestSensitivityCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "small.yaml", smallScenario)
	writeFile(t, dir, "more.yaml", strings.Replace(strings.Replace(smallScenario, "name: small", "name: more", 1), "from: 26", "from: 13", 1))
	sobol := strings.Replace(smallDesign, "design: grid\nlevels: 3", "design: sobol\npoints: 4", 1)
	cli1 := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		status := cli(args, &stdout, &stderr)
		return status, stdout.String(), stderr.String()
	}
	exp := filepath.Join(dir, "sobol")
	if status, _, stderr := cli1("experiment", writeFile(t, dir, "sobol.yaml", sobol), "--out", exp, "-q"); status != exitOK {
		t.Fatalf("experiment: status %d: %s", status, stderr)
	}
	out := filepath.Join(dir, "analysis")
	status, stdout, stderr := cli1("sensitivity", exp, "--out", out, "--output", "members_2012", "--bootstrap", "20")
	if status != exitOK {
		t.Fatalf("status %d: %s", status, stderr)
	}
	if !strings.Contains(stdout, "members_2012: more minus small: most influential interventions[0].intensity") {
		t.Errorf("summary %q", stdout)
	}
	csv, err := os.ReadFile(filepath.Join(out, "sensitivity.csv"))
	// 1 output x (2 scenarios + 1 effect) x 1 factor x (S1, ST), and the header.
	if err != nil || strings.Count(string(csv), "\n") != 1+3*2 {
		t.Errorf("sensitivity.csv: %v\n%s", err, csv)
	}
	if _, err := os.Stat(filepath.Join(out, "plots", "sensitivity_members_2012_more_vs_small.png")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(exp, "sensitivity.csv")); err == nil {
		t.Error("with --out, sensitivity.csv was also written into the experiment")
	}

	grid := filepath.Join(dir, "grid")
	if status, _, stderr := cli1("experiment", writeFile(t, dir, "grid.yaml", smallDesign), "--out", grid, "-q"); status != exitOK {
		t.Fatalf("grid experiment: status %d: %s", status, stderr)
	}
	shard := filepath.Join(dir, "shard")
	if status, _, stderr := cli1("experiment", filepath.Join(dir, "sobol.yaml"), "--out", shard, "--shard", "0", "--shards", "2", "-q"); status != exitOK {
		t.Fatalf("shard: status %d: %s", status, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sensitivity", grid}, "sensitivity needs a morris or sobol design, not grid"},
		{[]string{"sensitivity", exp, "--output", "homicides"}, `unknown output "homicides" (the experiment's outputs: members_2012)`},
		{[]string{"sensitivity", shard}, "holds shard 0 of 2: merge the shards first"},
		{[]string{"sensitivity"}, "sensitivity takes one experiment directory, got 0 arguments"},
		{[]string{"sensitivity", exp, "--bootstrap", "-1"}, "--bootstrap -1: want 0 or more"},
	} {
		status, _, stderr := cli1(c.args...)
		if status != exitUsage || !strings.HasPrefix(stderr, "cartelsim sensitivity: ") || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: status %d, stderr %q; want 2 and %q", c.args, status, stderr, c.want)
		}
	}
}

// The overview lists every command's synopsis in one column, however long the longest
// name ("sensitivity" is 11 characters).
func TestMainHelpAligned(t *testing.T) {
	col := -1
	for _, c := range commands() {
		for _, line := range strings.Split(mainHelp(), "\n") {
			if !strings.HasPrefix(line, "  "+c.name()+" ") {
				continue
			}
			at := strings.Index(line, c.synopsis())
			if col < 0 {
				col = at
			}
			if at != col {
				t.Errorf("%q: the synopsis starts at column %d, the first command's at %d", line, at, col)
			}
		}
	}
	if col < 0 {
		t.Fatal("no command in the overview")
	}
}
