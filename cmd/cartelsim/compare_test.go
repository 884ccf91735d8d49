package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// writeFile writes a scenario for a test and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Scenarios compare cannot pair are bad input (status 2, one line naming the file), as a
// bad scenario is: a different start, and a name that is one of compare's own outputs.
func TestCompareCommandRefuses(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "small.yaml", smallScenario)
	later := writeFile(t, dir, "later.yaml", strings.Replace(strings.Replace(smallScenario, "2012-01-01", "2012-01-08", 1), "name: small", "name: later", 1))
	plots := writeFile(t, dir, "plots.yaml", strings.Replace(smallScenario, "name: small", "name: plots", 1))
	for _, c := range []struct {
		name, other, want string
	}{
		{"different start", later, "later.yaml: start: later runs 52 weeks from 2012-01-08, small 52 weeks from 2012-01-01: compared scenarios must share start and length"},
		{"named plots", plots, `plots.yaml: name: scenario name "plots" is taken by compare's own plots (compare writes each scenario's run to the directory of its name); rename the scenario`},
	} {
		var stdout, stderr bytes.Buffer
		status := cli([]string{"compare", good, c.other, "--out", filepath.Join(dir, "out"), "-q"}, &stdout, &stderr)
		if status != exitUsage || !strings.Contains(stderr.String(), c.want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%s: status %d, stderr %q; want 2 and %q", c.name, status, stderr.String(), c.want)
		}
	}
}

// SIGINT during a comparison exits 130, as for an interrupted run, and the message says
// where it stopped and how to start again (compare has no --resume).
func TestCompareCommandInterrupted(t *testing.T) {
	dir := t.TempDir()
	long := strings.Replace(strings.Replace(smallScenario, "weeks: 52", "weeks: 520", 1), "replicates: 4", "replicates: 5000", 1)
	a := writeFile(t, dir, "a.yaml", long)
	b := writeFile(t, dir, "b.yaml", strings.Replace(long, "name: small", "name: b", 1))
	out := filepath.Join(dir, "out")
	cmd, output := startCLI(t, nil, "compare", a, b, "--out", out, "-j", "1")
	awaitChild(t, cmd, output, "the first run's checkpoint", func() bool {
		_, err := os.Stat(filepath.Join(out, "small", "checkpoint.bin"))
		return err == nil
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	text := output.String()
	if cmd.ProcessState.ExitCode() != exitInterrupted || !strings.Contains(text, "replicates of each of the 2 scenarios") ||
		!strings.Contains(text, "--force") || strings.Contains(text, "--resume") {
		t.Errorf("exit %v (%d), output %q: want 130, the scenario, --force and no --resume", err, cmd.ProcessState.ExitCode(), text)
	}
}

// The table printed is the one saved in comparison.txt, and comparison.json records a
// command line that can be typed again (quoted where a shell needs it).
func TestCompareCommandSavesTable(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "small.yaml", smallScenario)
	b := writeFile(t, dir, "it's.yaml", strings.Replace(strings.Replace(smallScenario, "intensity: 1", "intensity: 2", 1), "name: small", "name: other", 1))
	out := filepath.Join(dir, "cmp")
	var stdout, stderr bytes.Buffer
	if status := cli([]string{"compare", a, b, "--out", out, "-n", "2", "--horizon", "52", "-j", "1"}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	saved, err := os.ReadFile(filepath.Join(out, "comparison.txt"))
	if err != nil || len(saved) == 0 || !strings.HasPrefix(stdout.String(), string(saved)) ||
		!strings.Contains(stdout.String(), "comparison.txt (this table)") {
		t.Errorf("saved table (%v):\n%s\nprinted:\n%s", err, saved, stdout.String())
	}
	data, err := os.ReadFile(filepath.Join(out, "comparison.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Command string }
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	want := "cartelsim compare " + a + " '" + dir + "/it'\\''s.yaml' --out=" + out + " --replicates=2 --horizon=52 --workers=1"
	if m.Command != want {
		t.Errorf("command %q, want %q", m.Command, want)
	}
}

// The progress line says how many scenarios run (together), the replicates of each done,
// the time elapsed and an estimate of the time left at the pace so far, read from a fake
// clock: 10 of 30 replicates in 10 s leave 20 s; 15 in 15 s leave 15 s.
func TestCompareProgress(t *testing.T) {
	var b bytes.Buffer
	scs := []*scenario.Scenario{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	p := newCompareProgress(&b, scs)
	p.start, p.now = t0, func() time.Time { return now }
	for _, c := range []struct {
		at         time.Duration
		done       int
		want, also string
	}{
		{0, 0, "3 scenarios [                    ] 0/30 replicates of each, 0s elapsed", "time left unknown yet"},
		{10 * time.Second, 10, "3 scenarios [======              ] 10/30 replicates of each, 10s elapsed", "about 20s left"},
		{15 * time.Second, 15, "3 scenarios [==========          ] 15/30 replicates of each, 15s elapsed", "about 15s left"},
		{15*time.Second + 50*time.Millisecond, 16, "", ""}, // within a tenth of a second: not redrawn
		{90 * time.Second, 30, "3 scenarios [====================] 30/30 replicates of each, 1m30s elapsed", "about 0s left"},
	} {
		b.Reset()
		now = t0.Add(c.at)
		p.update(c.done, 30)
		if got := b.String(); c.want == "" && got != "" || !strings.Contains(got, c.want) || !strings.Contains(got, c.also) {
			t.Errorf("at %v: %q, want %q and %q", c.at, got, c.want, c.also)
		}
	}
}

// compare --posterior: a posterior that is not one, a key no scenario takes,
// --replicates-per-draw without --posterior and replicates that make a single draw (no
// interval) are bad input (status 2, one line); a good
// one writes the table, the draws and the variance decomposition.
func TestCompareCommandPosterior(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "small.yaml", smallScenario)
	b := writeFile(t, dir, "other.yaml", strings.Replace(strings.Replace(smallScenario, "intensity: 1", "intensity: 2", 1), "name: small", "name: other", 1))
	good := writeFile(t, dir, "posterior.csv", "generation,particle,weight,distance,parameters.recruitment\n0,0,1,0,0.0025\n0,1,2,0,0.0026\n")
	badKey := writeFile(t, dir, "badkey.csv", "generation,particle,weight,distance,parameters.recruitmnt\n0,0,1,0,0.0025\n")
	notOne := writeFile(t, dir, "not.csv", "a,b\n1,2\n")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"not a posterior", []string{"--posterior", notOne}, "not.csv:1:"},
		{"unknown key", []string{"--posterior", badKey}, "recruitmnt"},
		{"per draw alone", []string{"--replicates-per-draw", "3"}, "--replicates-per-draw needs --posterior"},
		{"one draw", []string{"--posterior", good, "-n", "2"}, "2 replicates in draws of 2 make one draw"},
		{"one draw, per draw set", []string{"--posterior", good, "-n", "4", "--replicates-per-draw", "4"}, "4 replicates in draws of 4 make one draw"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"compare", a, b, "--out", filepath.Join(dir, "out-"+strings.ReplaceAll(c.name, " ", "-")), "-q"}, c.args...)
		if status := cli(args, &stdout, &stderr); status != exitUsage || !strings.Contains(stderr.String(), c.want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%s: status %d, stderr %q; want 2 and %q", c.name, status, stderr.String(), c.want)
		}
	}
	out := filepath.Join(dir, "cmp")
	var stdout, stderr bytes.Buffer
	if status := cli([]string{"compare", a, b, "--out", out, "-n", "4", "--horizon", "52", "-j", "2", "--posterior", good}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	for _, name := range []string{sim.ComparisonFile, sim.ComparisonTextFile, sim.PosteriorDrawsFile, sim.VarianceFile} {
		if fi, err := os.Stat(filepath.Join(out, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
}
