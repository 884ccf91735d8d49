package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --set on check, run and compare: validated as the file is, errors one line with
// exit status 2, recorded in the manifests.
func TestSetFlag(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "small.yaml")
	os.WriteFile(good, []byte(smallScenario), 0o644)
	other := filepath.Join(dir, "other.yaml")
	os.WriteFile(other, []byte(strings.Replace(smallScenario, "name: small", "name: other", 1)), 0o644)
	out := filepath.Join(dir, "out")
	cmp := filepath.Join(dir, "cmp")
	short := []string{"--set", "weeks=30", "--set", "interventions[0].from=10"}
	for _, c := range []struct {
		name           string
		args           []string
		status         int
		stdout, stderr string
	}{
		{"check", []string{"check", good, "--set", "economy.rebuild_weeks=52", "--set", "interventions[0].targets={states: [SIN, DUR]}"}, 2, "",
			"small.yaml: --set interventions[0].targets={states: [SIN, DUR]}: incapacitation takes no targets"},
		{"check ok", []string{"check", good, "--set", "economy.rebuild_weeks=52", "--set", "seed=8"}, 0,
			`ok: scenario "small", 52 weeks from 2012-01-01, 4 replicates, seed 8, stochastic mode, --set economy.rebuild_weeks=52, --set seed=8`, ""},
		{"check a variant", []string{"check", "../../scenarios/policy/kingpin.yaml", "--set", "interventions.captures.intensity=8"}, 0,
			"stochastic mode, extends ../../scenarios/policy/status-quo.yaml, --set interventions.captures.intensity=8\n", ""},
		{"bad value", []string{"check", good, "--set", "economy.rebuild_weeks=-1"}, 2, "", "small.yaml: --set economy.rebuild_weeks=-1: economy rebuild_weeks is -1, want a finite number of at least 1"},
		{"unknown key", []string{"check", good, "--set", "sede=8"}, 2, "", "cartelsim check: " + good + ": --set sede=8: unknown key (did you mean seed?)"},
		{"no value", []string{"run", good, "--set", "seed"}, 2, "", "cartelsim run: --set seed: want key=value"},
		{"index out of range", []string{"run", good, "--set", "interventions[3].intensity=1", "--out", out}, 2, "", "--set interventions[3].intensity=1: index 3 is out of range: interventions has 1 item ([0] to [0])"},
		{"run", append([]string{"run", good, "--out", out, "-q", "-n", "3"}, short...), 0, "", ""},
		{"compare", append([]string{"compare", good, other, "--out", cmp, "-q", "-n", "3"}, short...), 0, "", ""},
		{"compare bad", []string{"compare", good, other, "--out", cmp, "--set", "weeks=0"}, 2, "", "small.yaml: --set weeks=0: 0 is out of range (1 to 5200)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := cli(c.args, &stdout, &stderr)
			if status != c.status || !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("status %d, stdout %q, stderr %q; want %d, %q, %q", status, stdout.String(), stderr.String(), c.status, c.stdout, c.stderr)
			}
			if c.status != 0 && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("error is not one line: %q", stderr.String())
			}
		})
	}
	var m struct {
		Weeks    int `json:"weeks"`
		Scenario struct {
			Overrides []string `json:"overrides"`
		} `json:"scenario"`
	}
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil || json.Unmarshal(b, &m) != nil || m.Weeks != 30 || strings.Join(m.Scenario.Overrides, " ") != "weeks=30 interventions[0].from=10" {
		t.Errorf("run's manifest: %+v (%v)", m, err)
	}
	var cm struct {
		Command   string `json:"command"`
		Scenarios []struct {
			Overrides []string `json:"overrides"`
		} `json:"scenarios"`
	}
	b, err = os.ReadFile(filepath.Join(cmp, "comparison.json"))
	if err != nil || json.Unmarshal(b, &cm) != nil || len(cm.Scenarios) != 2 || len(cm.Scenarios[1].Overrides) != 2 ||
		!strings.Contains(cm.Command, "--set=weeks=30 --set='interventions[0].from=10'") {
		t.Errorf("comparison.json: %+v (%v)", cm, err)
	}
	// The compared runs are those of the overridden scenarios: the run above, byte for byte.
	a, _ := os.ReadFile(filepath.Join(out, "timeseries.csv"))
	c, _ := os.ReadFile(filepath.Join(cmp, "small", "timeseries.csv"))
	if len(a) == 0 || !bytes.Equal(a, c) {
		t.Error("compare --set ran another scenario than run --set")
	}
}
