package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// smallExperiment runs smallDesign with 5 points in-process and returns its directory.
func smallExperiment(t *testing.T) string {
	t.Helper()
	return experimentOf(t, strings.Replace(smallDesign, "levels: 3", "levels: 5", 1))
}

// experimentOf runs a design over smallScenario and a variant in-process and returns its
// directory.
func experimentOf(t *testing.T, designText string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "small.yaml", smallScenario)
	writeFile(t, dir, "more.yaml", strings.Replace(strings.Replace(smallScenario, "name: small", "name: more", 1), "from: 26", "from: 13", 1))
	design := writeFile(t, dir, "design.yaml", designText)
	out := filepath.Join(dir, "exp")
	var stdout, stderr bytes.Buffer
	if status := cli([]string{"experiment", design, "--out", out, "-q"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("experiment: status %d: %s", status, stderr.String())
	}
	return out
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// cartelsim robustness and discover over a real (tiny) experiment: the share in
// robustness.csv is the share of effects.csv's rows with a negative effect (members:
// fewer is better), counted here independently; a condition that holds everywhere gives
// the whole space as its box; bad input is one line and status 2.
func TestRobustnessAndDiscoverCommands(t *testing.T) {
	exp := smallExperiment(t)
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		status := cli(args, &stdout, &stderr)
		return status, stdout.String(), stderr.String()
	}
	if status, _, stderr := run("robustness", exp, "-q"); status != exitOK {
		t.Fatalf("robustness: status %d: %s", status, stderr)
	}
	rows := readCSV(t, filepath.Join(exp, "robustness", "robustness.csv"))
	effects := readCSV(t, filepath.Join(exp, "effects.csv"))
	better, points := 0, 0
	for _, r := range effects[1:] {
		points++
		if d, _ := strconv.ParseFloat(r[5], 64); d < 0 {
			better++
		}
	}
	if len(rows) != 3 || rows[2][3] != "more" || rows[1][3] != "small" {
		t.Fatalf("robustness.csv: %v, want a header, the reference's row and the policy's", rows)
	}
	if got, want := rows[2][6], strconv.FormatFloat(float64(better)/float64(points), 'g', -1, 64); got != want || points != 5 {
		t.Errorf("share %s, want %s (%d of %d points with a negative effect in effects.csv)", got, want, better, points)
	}
	if _, err := os.Stat(filepath.Join(exp, "robustness", "plots", "robustness_members_2012.png")); err != nil {
		t.Error(err)
	}

	out := filepath.Join(t.TempDir(), "disc")
	status, stdout, stderr := run("discover", exp, "--above", "-1e18", "--out", out)
	if status != exitOK || !strings.Contains(stdout, "box (from step 0 of 0): anywhere (no factor restricted)") {
		t.Errorf("a condition true everywhere: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	// The same condition in percent of the reference, the output chosen by metric and year.
	status, stdout, stderr = run("discover", exp, "--metric", "members", "--year", "2012", "--relative", "--above", "-1e18", "--out", out)
	if status != exitOK || !strings.Contains(stdout, "effect of more on members_2012 > -1e+18% of the reference's mean: holds at 5 of 5 points") {
		t.Errorf("--relative: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	for _, f := range []string{"discovery.csv", "plots/discovery_trajectory.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}

	// Replacing the experiment removes the analyses of the old one in their default places,
	// which would otherwise look like the new one's.
	design := filepath.Join(filepath.Dir(exp), "design.yaml")
	if status, _, stderr := run("experiment", design, "--out", exp, "--force", "-q"); status != exitOK {
		t.Fatalf("experiment --force: status %d: %s", status, stderr)
	}
	if _, err := os.Stat(filepath.Join(exp, "robustness")); !os.IsNotExist(err) {
		t.Errorf("robustness/ of the replaced experiment is still there (%v)", err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"discover", exp}, "cartelsim discover: discover needs the condition: one of --below X or --above X"},
		{[]string{"discover", exp, "--below", "0", "--above", "1"}, "one of --below X or --above X"},
		{[]string{"discover", exp, "--below", "0", "--alpha", "0.5x"}, `invalid value "0.5x" for --alpha: want a number`},
		{[]string{"discover", exp, "--below", "0", "--alpha", "1"}, "--alpha 1: want a number in (0, 1)"},
		{[]string{"discover", exp, "--below", "0", "--policy", "kingpin"}, `no policy "kingpin" in the experiment (the policies are more)`},
		{[]string{"discover", exp, "--below", "-1e18"}, "robust: the condition holds at none of the 5 points: there is no box to find (effect of more on members_2012 < -1e+18)"},
		{[]string{"discover", filepath.Dir(exp), "--below", "0"}, "cartelsim discover: robust: " + filepath.Dir(exp) + ": not an experiment directory (no experiment.json)"},
		{[]string{"robustness", exp, "--metric", "homicides"}, "cartelsim robustness: --metric homicides: no output of the experiment matches (its outputs: members_2012 (members, mean over 2012))"},
		{[]string{"robustness", exp, exp}, "robustness takes one experiment directory, got 2 arguments"},
		{[]string{"discover", exp, "--below", "0", "--output", "members_2012", "--metric", "members"}, "--output names the output: give it or --metric (and --year), not both"},
		{[]string{"discover", exp, "--below", "0", "--year", "2012"}, "--year 2012 chooses among the outputs of --metric: give --metric too"},
		{[]string{"discover", exp, "--below", "0", "--metric", "members", "--year", "2013"}, "--year 2013: no output of the experiment matches"},
	} {
		status, _, stderr := run(tc.args...)
		if status != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line with %q", tc.args[1:], status, stderr, tc.want)
		}
	}
}

// robustness and discover over a sobol design read its A and B rows and say so; over a
// morris design they warn, even when quiet, that its points are not independent futures;
// over a grid they do neither.
func TestRobustnessWarnsOfDependentPoints(t *testing.T) {
	var stdout, stderr bytes.Buffer
	sobol := experimentOf(t, strings.Replace(smallDesign, "design: grid\nlevels: 3", "design: sobol\npoints: 2", 1))
	// 2 blocks of A, AB_1, B: 4 points read, 2 not.
	const note = " 4 points (the A and B rows of the sobol design: its 2 AB rows, each sharing all but one factor with its block's A row, are not read)"
	for _, c := range []struct {
		args []string
		want string
	}{{[]string{"robustness", sobol}, "over" + note}, {[]string{"discover", sobol, "--below", "0"}, "holds at 4 of" + note}} {
		stdout.Reset()
		stderr.Reset()
		if status := cli(c.args, &stdout, &stderr); status != exitOK || stderr.Len() != 0 {
			t.Fatalf("%s: status %d: %s", c.args[0], status, stderr.String())
		}
		if !strings.Contains(stdout.String(), c.want) {
			t.Errorf("%s over a sobol design: stdout %q, want %q", c.args[0], stdout.String(), c.want)
		}
	}
	morris := experimentOf(t, strings.Replace(smallDesign, "design: grid\nlevels: 3", "design: morris\npoints: 2", 1))
	for _, args := range [][]string{{"robustness", morris, "-q"}, {"discover", morris, "--below", "0", "-q"}} {
		stderr.Reset()
		if status := cli(args, &stdout, &stderr); status != exitOK {
			t.Fatalf("%s: status %d: %s", args[0], status, stderr.String())
		}
		if !strings.Contains(stderr.String(), "warning: a morris design's points are not independent futures") {
			t.Errorf("%s over a morris design: stderr %q, want the warning", args[0], stderr.String())
		}
	}
	stderr.Reset()
	if status := cli([]string{"robustness", smallExperiment(t), "-q"}, &stdout, &stderr); status != exitOK || stderr.Len() != 0 {
		t.Errorf("robustness over a grid: status %d, stderr %q, want no warning", status, stderr.String())
	}
}
