package sim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The policy library, rewritten as the status quo plus one policy each (extends:
// status-quo.yaml), is the library it was: every file gives the scenario its old text
// (kept in testdata/policy-before) gave, to the model's configuration, and short runs of
// both give the same timeseries.csv bytes. Since then the library's world is the end of
// the calibrated history (world.history): the old texts are read with that world.
func TestPolicyLibraryRewriteKeepsItsScenarios(t *testing.T) {
	old, err := filepath.Glob("testdata/policy-before/*.yaml")
	if err != nil || len(old) != 9 {
		t.Fatalf("found %v (%v), want the 9 policy files as they were", old, err)
	}
	for _, path := range old {
		name := filepath.Base(path)
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(text), "extends:") {
			t.Fatalf("%s is not the text before the rewrite", path)
		}
		text = historyWorld(t, text)
		before, err := scenario.ParseScenario(path, text)
		if err != nil {
			t.Fatal(err)
		}
		after := loadScenario(t, filepath.Join("policy", name))
		if name != "status-quo.yaml" && len(after.Bases) != 1 {
			t.Errorf("%s extends %v, want status-quo.yaml", name, after.Bases)
		}
		if before.Name != after.Name || before.Description != after.Description || before.Clock != after.Clock ||
			before.Replicates != after.Replicates || before.Seed != after.Seed || before.Mode != after.Mode ||
			!reflect.DeepEqual(before.Config(), after.Config()) {
			t.Errorf("%s: the rewritten file gives another scenario", name)
		}
		// The scenario as run, which a shard keeps, reads back as the same scenario.
		again, err := scenario.ParseScenario(after.File, after.Source)
		if err != nil || again.SHA256 != after.SHA256 || !reflect.DeepEqual(again.Config(), after.Config()) {
			t.Errorf("%s: the scenario as run does not read back as itself (%v)", name, err)
		}
	}
	// Short runs, the same overrides on both: a replicate of 110 weeks (to 2027-02-07)
	// after the history (18 years, so only one), of the policy with
	// the most varied levers, all of which start by 2027-01-03 (week 104).
	short := mustOverrides(t, "weeks=110", "replicates=1")
	for _, name := range []string{"shock-and-awe-unenforced.yaml"} {
		var series [2][]byte
		for i, path := range []string{filepath.Join("testdata", "policy-before", name), filepath.Join("..", "scenarios", "policy", name)} {
			var sc *scenario.Scenario
			var err error
			if i == 0 {
				sc, err = scenario.ParseScenarioWith(path, historyWorld(t, readFile(t, path)), short)
			} else {
				sc, err = scenario.LoadScenarioWith(path, short)
			}
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "out")
			if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2}); err != nil {
				t.Fatal(err)
			}
			series[i] = readFile(t, filepath.Join(dir, TimeseriesFile))
		}
		if len(series[0]) == 0 || !bytes.Equal(series[0], series[1]) {
			t.Errorf("%s: timeseries.csv differs from the one of the file before the rewrite", name)
		}
	}
}

// historyWorld puts the policy library's world of today, the end of the calibrated
// history, in place of an old policy file's world block.
func historyWorld(t *testing.T, text []byte) []byte {
	t.Helper()
	block := regexp.MustCompile(`(?m)^world:\n(  .*\n)+`)
	if !block.Match(text) || !bytes.Contains(text, []byte("\neconomy: {}\n")) {
		t.Fatal("an old policy file without a world block or economy: {}")
	}
	text = block.ReplaceAll(text, []byte("world:\n  history: ../../../scenarios/history/mexico-2006.yaml\n"))
	// 200 replicates became 50 with the move: a replicate of the history's world costs more.
	text = bytes.Replace(text, []byte("\nreplicates: 200\n"), []byte("\nreplicates: 50\n"), 1)
	return text
}

// The US side's clock is the calendar: the adulterated share is fentanyl_share on 1
// January of fentanyl_year (2012 by default), whatever the world's first week. The
// policy library's world used to start on 2012-01-01 and now starts with the history, on
// 2006-12-03; in both, week 1 is 2025-01-05, 679 weeks after 2012-01-01 (13 years with 4
// leap days, 4,749 days, to 2025-01-01, and 4 more: 4,753 days), by hand.
func TestPolicyFentanylClockKeeps2012(t *testing.T) {
	old, err := scenario.LoadScenario(filepath.Join("testdata", "policy-before", "status-quo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	now := loadScenario(t, filepath.Join("policy", "status-quo.yaml"))
	for _, sc := range []*scenario.Scenario{old, now} {
		if w := sc.Config().FentanylWeekOne; w == nil || *w != 679 {
			t.Errorf("%s (warm-up %d weeks): week 1 is %v weeks after the share's 2012, want 679", sc.File, sc.Config().WarmUpWeeks, w)
		}
	}
	if now.Config().WarmUpWeeks-old.Config().WarmUpWeeks != 265 {
		t.Errorf("warm-ups of %d and %d weeks, want the history's 265 more", now.Config().WarmUpWeeks, old.Config().WarmUpWeeks)
	}
}
