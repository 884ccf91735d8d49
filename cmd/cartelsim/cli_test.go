package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const smallScenario = `name: small
start: 2012-01-01
weeks: 52
replicates: 4
seed: 7
interventions:
  - kind: incapacitation
    from: 26
    intensity: 1
    actor: joint
`

const kingpinScenario = `name: kingpin
start: 2006-12-03
weeks: 104
world:
  groups:
    - {id: a, members: 20000}
    - {id: b, members: 8000}
  rivalries: [{between: [a, b], weight: 2}]
fragmentation: {}
interventions:
  - {kind: decapitation, from: 0, intensity: 10, targets: {largest: 2}, actor: joint}
`

// The command line as a user meets it: exit statuses (0 ok, 1 failure, 2 usage or bad
// scenario), help on stdout, errors as one line on stderr.
func TestCLI(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "small.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte(smallScenario), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(smallScenario, "intensity: 1", "intensity: -1", 1)), 0o644)
	kingpin := filepath.Join(dir, "kingpin.yaml")
	os.WriteFile(kingpin, []byte(kingpinScenario), 0o644)
	runaway := filepath.Join(dir, "runaway.yaml")
	os.WriteFile(runaway, []byte(strings.Replace(smallScenario, "seed: 7\n", "seed: 7\nparameters: {recruitment: 3}\n", 1)), 0o644)
	crowd := filepath.Join(dir, "crowd.yaml")
	os.WriteFile(crowd, []byte(strings.Replace(smallScenario, "seed: 7\n", "seed: 7\nworld: {initial_members: 1e9}\n", 1)), 0o644)
	lineageOut := filepath.Join(dir, "lineage")
	out := filepath.Join(dir, "out")
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)

	for _, c := range []struct {
		name           string
		args           []string
		status         int
		stdout, stderr string // substrings; "" checks nothing
	}{
		{"no arguments", nil, 2, "", "Usage:"},
		{"help", []string{"--help"}, 0, "Commands:", ""},
		{"unknown command", []string{"fly"}, 2, "", `unknown command "fly"`},
		{"version", []string{"version"}, 0, "cartelsim 0.1.0 (module version ", ""},
		{"--version", []string{"--version"}, 0, "cartelsim 0.1.0 (module version ", ""},
		{"--version names the Go version", []string{"--version"}, 0, runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, ""},
		{"--version with an argument", []string{"--version", "x"}, 2, "", "version takes no arguments"},
		{"help run", []string{"help", "run"}, 0, "Usage: cartelsim run", ""},
		{"help alone", []string{"help"}, 0, "Commands:", ""},
		{"help unknown command", []string{"help", "fly"}, 2, "", `unknown command "fly"`},
		{"help two commands", []string{"help", "run", "check"}, 2, "", "cartelsim help: want one command"},
		{"run help", []string{"run", "--help"}, 0, "--replicates", ""},
		{"check help", []string{"check", "-h"}, 0, "Usage: cartelsim check", ""},
		{"check ok", []string{"check", good}, 0, "ok: scenario \"small\"", ""},
		{"check bad", []string{"check", bad}, 2, "", "bad.yaml:9: interventions[0].intensity: "},
		{"check missing", []string{"check", filepath.Join(dir, "nope.yaml")}, 2, "", "nope.yaml: cannot read scenario"},
		{"check two files", []string{"check", good, good}, 2, "", "one scenario file"},
		{"run unknown flag", []string{"run", good, "--colour"}, 2, "", "unknown flag: --colour"},
		{"run bad replicates", []string{"run", good, "--replicates", "0"}, 2, "", "--replicates 0 is out of range"},
		{"run replicates not a number", []string{"run", good, "--replicates", "ten"}, 2, "", "invalid value \"ten\" for -n, --replicates: want a whole number"},
		{"run bad mode", []string{"run", good, "--mode", "exact"}, 2, "", `--mode "exact"`},
		{"run bad workers", []string{"run", good, "--workers", "0"}, 2, "", "--workers 0"},
		{"run bad scenario", []string{"run", bad, "--out", out}, 2, "", "intensity"},
		{"run ok", []string{"run", good, "--out", out, "--workers", "2", "--seed", "9"}, 0, "small: 4 replicates of 52 weeks", ""},
		{"run again refused", []string{"run", good, "--out", out}, 1, "", "holds another run (use --force"},
		{"run again forced", []string{"run", good, "--out", out, "--force", "--quiet", "-n", "3", "--mode", "meanfield"}, 0, "", ""},
		{"eventstudy without out", []string{"eventstudy", out}, 2, "", "eventstudy needs --out DIR"},
		{"eventstudy two runs", []string{"eventstudy", out, out, "--out", filepath.Join(dir, "es")}, 2, "", "one run directory, got 2"},
		{"eventstudy without states", []string{"eventstudy", out, "--out", filepath.Join(dir, "es")}, 1, "", "eventstudy: sim: " + out + ": the world of small has no geography"},
		{"run with every event", []string{"run", kingpin, "--out", filepath.Join(dir, "events"), "--events", "-n", "2"}, 0, "events.csv", ""},
		{"run unwritable out", []string{"run", good, "--out", filepath.Join(blocker, "x"), "-q"}, 1, "", "cannot create output directory"},
		{"run runaway", []string{"run", runaway, "--out", filepath.Join(dir, "runaway"), "-q"}, 1, "", "run: sim: replicate 0: model: runaway replicate stopped in week "},
		{"check too many members", []string{"check", crowd}, 2, "", "crowd.yaml:6: world.initial_members: 1e+09 is out of range (0 to 1e+08)"},
		{"kingpin in mean-field mode", []string{"run", kingpin, "--mode", "meanfield"}, 2, "", "mean-field mode cannot represent"},
		{"kingpin with every lineage", []string{"run", kingpin, "--out", lineageOut, "--lineage", "-n", "3"}, 0, "lineage.csv", ""},
		{"compare help", []string{"compare", "--help"}, 0, "--horizon", ""},
		{"compare one scenario", []string{"compare", good, "--out", filepath.Join(dir, "c1")}, 2, "", "at least two scenario files"},
		{"compare without out", []string{"compare", good, kingpin}, 2, "", "needs --out"},
		{"compare one replicate", []string{"compare", good, kingpin, "--out", filepath.Join(dir, "c2"), "-n", "1"}, 2, "", "intervals need at least two"},
		{"compare unknown metric", []string{"compare", good, kingpin, "--out", filepath.Join(dir, "c3"), "--metrics", "happiness"}, 2, "", `unknown metric "happiness" (cartelsim list metrics lists them)`},
		{"compare bad horizon", []string{"compare", good, good, "--out", filepath.Join(dir, "c4"), "--horizon", "2099-01-01"}, 2, "", "outside the run"},
		{"compare bad scenario", []string{"compare", good, bad, "--out", filepath.Join(dir, "c5")}, 2, "", "bad.yaml:9"},
		{"compare different runs", []string{"compare", good, kingpin, "--out", filepath.Join(dir, "c6")}, 2, "", "must share start and length"},
		{"figures help", []string{"figures", "--help"}, 0, "--update", ""},
		{"figures unknown flag", []string{"figures", "--colour"}, 2, "", "unknown flag: --colour"},
		{"figures check and update", []string{"figures", "--check", "--update"}, 2, "", "contradict"},
		{"figures argument", []string{"figures", "seeds/figures.json"}, 2, "", "takes no arguments"},
		{"figures bad workers", []string{"figures", "-j", "0"}, 2, "", "--workers 0"},
		{"figures missing manifest", []string{"figures", "--manifest", filepath.Join(dir, "nope.json")}, 1, "", "nope.json: no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := cli(c.args, &stdout, &stderr)
			if status != c.status {
				t.Errorf("status %d, want %d; stderr %q", status, c.status, stderr.String())
			}
			if !strings.Contains(stdout.String(), c.stdout) {
				t.Errorf("stdout %q, want it to contain %q", stdout.String(), c.stdout)
			}
			if !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), c.stderr)
			}
			if c.status != 0 && c.stderr != "Usage:" && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("error is not one line: %q", stderr.String())
			}
			if strings.Contains(stderr.String(), "goroutine ") || strings.Contains(stderr.String(), "panic") {
				t.Errorf("stack trace on stderr: %q", stderr.String())
			}
		})
	}
	// --lineage wrote the lineage of every replicate, each starting with the initial groups.
	if b, err := os.ReadFile(filepath.Join(lineageOut, "lineage.csv")); err != nil ||
		!bytes.Contains(b, []byte("\n0,a,,0,")) || !bytes.Contains(b, []byte("\n2,a,,0,")) || bytes.Contains(b, []byte("\n3,")) {
		t.Errorf("lineage.csv of 3 replicates: %v\n%s", err, b)
	}
	// The forced mean-field run replaced the stochastic one.
	if b, err := os.ReadFile(filepath.Join(out, "manifest.json")); err != nil || !bytes.Contains(b, []byte(`"mode": "meanfield"`)) {
		t.Errorf("forced run's manifest: %s, %v", b, err)
	}
}

// figuresManifest pins one cheap output (the kingpin history's groups plot from 2
// replicates) to sha, and ships a copy of it at shipped.
func figuresManifest(t *testing.T, scenario, shipped, sha string) []byte {
	t.Helper()
	quote := func(s string) string {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return []byte(fmt.Sprintf(`{
  "about": "a test manifest",
  "figures": [
    {
      "name": "history-kingpin-groups",
      "file": %s,
      "scenario": %s,
      "output": "out/2006-kingpin/plots/groups.png",
      "command": "make history",
      "seed": 20061211,
      "replicates": 2,
      "mode": "stochastic",
      "sha256": %q
    }
  ]
}
`, quote(shipped), quote(scenario), sha))
}

// cartelsim figures: a differing checksum is reported and fails, with --check or
// without; the output does not depend on the number of workers; --update accepts it by
// rewriting the checksum (and nothing else in the manifest) and the shipped copy, and a
// second --update changes nothing. The test works in a small repository of its own:
// manifest paths are relative to it.
func TestFiguresCommand(t *testing.T) {
	history, err := os.ReadFile("../../scenarios/history/2006-kingpin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	os.MkdirAll(filepath.Join("scenarios", "history"), 0o755)
	os.MkdirAll("seeds", 0o755)
	os.WriteFile(filepath.Join("scenarios", "history", "2006-kingpin.yaml"), history, 0o644)
	scenario := "scenarios/history/2006-kingpin.yaml"
	shipped := filepath.Join("seeds", "groups.png")
	wrongSHA := strings.Repeat("0", 64)
	tampered := filepath.Join("seeds", "tampered.json")
	if err := os.WriteFile(tampered, figuresManifest(t, scenario, "seeds/groups.png", wrongSHA), 0o644); err != nil {
		t.Fatal(err)
	}
	figures := func(args ...string) (status int, stdout, stderr string) {
		var o, e bytes.Buffer
		status = cli(append([]string{"figures"}, args...), &o, &e)
		return status, o.String(), e.String()
	}
	output := func(out string) []byte {
		b, err := os.ReadFile(filepath.Join(out, "2006-kingpin", "plots", "groups.png"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	out1 := filepath.Join(dir, "out1")
	status, stdout, stderr := figures("--manifest", tampered, "--out", out1, "--check")
	if status != 1 || !strings.Contains(stderr, "1 of 1 outputs differ") || !strings.Contains(stderr, ": history-kingpin-groups (") ||
		!strings.Contains(stdout, "history-kingpin-groups  DIFFERS") {
		t.Errorf("--check with a wrong checksum: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	if status, stdout, stderr := figures("--manifest", tampered, "--out", out1, "-q"); status != 1 || stdout != "" || !strings.Contains(stderr, "1 of 1 outputs differ") {
		t.Errorf("a wrong checksum without --check: status %d, stdout %q, stderr %q; want status 1", status, stdout, stderr)
	}

	// The right checksum is what two runs with different worker counts agree on.
	out2 := filepath.Join(dir, "out2")
	if status, _, stderr := figures("--manifest", tampered, "--out", out2, "-q", "--workers", "1"); status != 1 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	got1, got2 := output(out1), output(out2)
	if !bytes.Equal(got1, got2) {
		t.Fatalf("the output differs between 1 and 2 workers")
	}
	rightSHA := fmt.Sprintf("%x", sha256.Sum256(got1))
	right := filepath.Join("seeds", "right.json")
	if err := os.WriteFile(right, figuresManifest(t, scenario, "seeds/groups.png", rightSHA), 0o644); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr = figures("--manifest", right, "--out", filepath.Join(dir, "out3"), "--check")
	if status != 0 || !strings.Contains(stdout, "history-kingpin-groups  ok") || !strings.Contains(stdout, "all 1 outputs match") {
		t.Errorf("--check with the right checksum: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}

	status, stdout, stderr = figures("--manifest", tampered, "--out", filepath.Join(dir, "out4"), "--update")
	if status != 0 || !strings.Contains(stdout, "updated "+shipped+", "+tampered) {
		t.Errorf("--update: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	want, _ := os.ReadFile(right)
	if got, _ := os.ReadFile(tampered); !bytes.Equal(got, want) {
		t.Errorf("--update wrote\n%s\nwant\n%s", got, want)
	}
	if got, _ := os.ReadFile(shipped); !bytes.Equal(got, got1) {
		t.Errorf("--update did not ship the regenerated output")
	}
	status, stdout, stderr = figures("--manifest", tampered, "--out", filepath.Join(dir, "out4"), "--update")
	if status != 0 || !strings.Contains(stdout, "nothing to update") {
		t.Errorf("second --update: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	if got, _ := os.ReadFile(tampered); !bytes.Equal(got, want) {
		t.Errorf("second --update changed the manifest:\n%s", got)
	}
}

// The students' question from one command: kingpin against demand reduction on the
// library's scenarios (3 replicates each to keep the test short). The table names both,
// gives intervals for every key metric at the asked horizon, and the plots are written;
// the interval arithmetic itself is tested against hand values in package sim.
func TestCompareCommandOnTheLibrary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp")
	var stdout, stderr bytes.Buffer
	status := cli([]string{"compare", "../../scenarios/policy/kingpin.yaml", "../../scenarios/policy/demand-reduction.yaml",
		"--out", out, "-n", "3", "--horizon", "2030-01-06"}, &stdout, &stderr)
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	text := stdout.String()
	for _, want := range []string{"Compared with kingpin: 3 replicates", "common random numbers", "homicides (people per week), year to 2030-01-06 (week 261)",
		"supply (doses per week)", "demand-reduction", "(reference)", "wrote " + out} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	for _, f := range []string{"comparison.csv", "plots/homicides.png", "plots/supply.svg", "kingpin/manifest.json", "demand-reduction/timeseries.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

// A flag value of the wrong type says what the flag wants, not which Go function failed
// to parse it.
func TestFlagValueErrorsSayWhatTheFlagWants(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"run s.yaml -n 1e3", `cartelsim run: invalid value "1e3" for -n, --replicates: want a whole number`},
		{"run s.yaml --seed -3", `cartelsim run: invalid value "-3" for --seed: want a whole number from 0`},
		{"run s.yaml --checkpoint-every soon", `cartelsim run: invalid value "soon" for --checkpoint-every: want a duration such as 30s or 2m`},
	} {
		_, err := parseArgs(strings.Fields(c.args))
		if err == nil || err.Error() != c.want || strings.Contains(err.Error(), "strconv") {
			t.Errorf("%s: %v, want %s", c.args, err, c.want)
		}
	}
}

// cartelsim help CMD prints what CMD --help prints, for every command.
func TestHelpCommandIsCommandHelp(t *testing.T) {
	for _, c := range commands() {
		var viaHelp, viaFlag, stderr bytes.Buffer
		if status := cli([]string{"help", c.name()}, &viaHelp, &stderr); status != 0 {
			t.Errorf("help %s: status %d, %s", c.name(), status, stderr.String())
		}
		if status := cli([]string{c.name(), "--help"}, &viaFlag, &stderr); status != 0 {
			t.Errorf("%s --help: status %d, %s", c.name(), status, stderr.String())
		}
		if viaHelp.Len() == 0 || viaHelp.String() != viaFlag.String() {
			t.Errorf("help %s printed %q, %s --help %q", c.name(), viaHelp.String(), c.name(), viaFlag.String())
		}
	}
}
