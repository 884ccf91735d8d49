package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const smallDesign = `scenarios: [small.yaml, more.yaml]
factors:
  - key: interventions[0].intensity
    range: [0, 2]
design: grid
levels: 3
replicates: 2
outputs:
  - {metric: members, year: 2012}
`

// cartelsim experiment runs, shards and merges a design; a bad design is bad input (status
// 2, one line naming the design file and line).
func TestExperimentCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "small.yaml", smallScenario)
	writeFile(t, dir, "more.yaml", strings.Replace(strings.Replace(smallScenario, "name: small", "name: more", 1), "from: 26", "from: 13", 1))
	design := writeFile(t, dir, "design.yaml", smallDesign)
	cli1 := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		status := cli(args, &stdout, &stderr)
		return status, stderr.String()
	}
	one := filepath.Join(dir, "one")
	if status, stderr := cli1("experiment", design, "--out", one, "-q"); status != exitOK {
		t.Fatalf("status %d: %s", status, stderr)
	}
	var shards []string
	for _, k := range []string{"0", "1"} {
		out := filepath.Join(dir, "shard-"+k)
		if status, stderr := cli1("experiment", design, "--out", out, "--shard", k, "--shards", "2", "-q"); status != exitOK {
			t.Fatalf("shard %s: status %d: %s", k, status, stderr)
		}
		shards = append(shards, out)
	}
	merged := filepath.Join(dir, "merged")
	if status, stderr := cli1("experiment", "merge", shards[0], shards[1], "--out", merged, "-q"); status != exitOK {
		t.Fatalf("merge: status %d: %s", status, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(one, "results.csv"))
	b, _ := os.ReadFile(filepath.Join(merged, "results.csv"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("the merged shards' results.csv differs from one run's")
	}

	bad := writeFile(t, dir, "bad.yaml", strings.Replace(smallDesign, "range: [0, 2]", "range: [2, 0]", 1))
	status, stderr := cli1("experiment", bad, "--out", filepath.Join(dir, "bad"))
	if want := "bad.yaml:4: factors[0].range: empty range [2, 0]"; status != exitUsage || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("bad design: status %d, stderr %q; want 2 and %q", status, stderr, want)
	}
	status, stderr = cli1("experiment", design)
	if status != exitUsage || !strings.Contains(stderr, "experiment needs --out DIR") {
		t.Errorf("no --out: status %d, stderr %q", status, stderr)
	}
	status, stderr = cli1("experiment", design, "--out", one, "-q")
	if status != exitFailure || !strings.Contains(stderr, "--force") {
		t.Errorf("over an earlier experiment: status %d, stderr %q; want 1 and a hint at --force", status, stderr)
	}
}

// SIGINT to a real experiment exits 130 once the points in flight are dropped, saying
// how to resume; --resume then ends with the results of an uninterrupted run.
func TestExperimentCommandInterrupted(t *testing.T) {
	dir := t.TempDir()
	long := strings.Replace(strings.Replace(smallScenario, "weeks: 52", "weeks: 260", 1), "replicates: 4", "replicates: 6", 1)
	writeFile(t, dir, "small.yaml", long)
	writeFile(t, dir, "more.yaml", strings.Replace(strings.Replace(long, "name: small", "name: more", 1), "from: 26", "from: 13", 1))
	design := writeFile(t, dir, "design.yaml", strings.Replace(strings.Replace(smallDesign, "design: grid\nlevels: 3", "design: latin-hypercube\npoints: 10", 1),
		"replicates: 2", "replicates: 6", 1))
	whole := filepath.Join(dir, "whole")
	var stdout, stderr bytes.Buffer
	if status := cli([]string{"experiment", design, "--out", whole, "-q", "-j", "2"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	out := filepath.Join(dir, "out")
	cmd, output := startCLI(t, nil, "experiment", design, "--out", out, "-q", "-j", "2")
	awaitChild(t, cmd, output, "a point done", func() bool {
		data, _ := os.ReadFile(filepath.Join(out, "experiment-checkpoint.json"))
		var cp struct {
			PointsDone int `json:"points_done"`
		}
		return json.Unmarshal(data, &cp) == nil && cp.PointsDone >= 1
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(output.String(), "--resume") {
		t.Fatalf("exit %d, output %q: want 130 and a hint at --resume", code, output.String())
	}
	stderr.Reset()
	if status := cli([]string{"experiment", design, "--out", out, "-q", "--resume"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("resume: status %d: %s", status, stderr.String())
	}
	a, _ := os.ReadFile(filepath.Join(whole, "results.csv"))
	b, _ := os.ReadFile(filepath.Join(out, "results.csv"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("interrupted and resumed: results.csv differs from an uninterrupted run's")
	}
}

// A design with a point whose world runs away (recruitment 3 a week) runs to the end
// with a warning, even with -q, naming the point; robustness then says that it set the
// point aside.
func TestExperimentCommandRunaway(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "small.yaml", smallScenario)
	writeFile(t, dir, "more.yaml", strings.Replace(strings.Replace(smallScenario, "name: small", "name: more", 1), "from: 26", "from: 13", 1))
	design := writeFile(t, dir, "design.yaml", strings.Replace(smallDesign, `  - key: interventions[0].intensity
    range: [0, 2]
design: grid
levels: 3`, `  - key: parameters.recruitment
    levels: [0.002, 3, 0.0025]
design: grid`, 1))
	out := filepath.Join(dir, "exp")
	var stdout, stderr bytes.Buffer
	if status := cli([]string{"experiment", design, "--out", out, "-q"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("experiment: status %d: %s", status, stderr.String())
	}
	if want := "experiment: warning: the world ran away at 1 of 3 points (first: point 1, scenario small, members in week "; !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "parameters.recruitment=3)") {
		t.Errorf("stderr %q, want %q... and the point's recruitment", stderr.String(), want)
	}
	stdout.Reset()
	if status := cli([]string{"robustness", out}, &stdout, &stderr); status != exitOK {
		t.Fatalf("robustness: status %d: %s", status, stderr.String())
	}
	if want := "over 2 points (1 more set aside where the world ran away: experiment.json lists them):"; !strings.Contains(stdout.String(), want) {
		t.Errorf("robustness printed %q, want %q", stdout.String(), want)
	}
}
