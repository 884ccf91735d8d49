package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/sim/figures"
)

// --skip leaves out exactly the entries whose name starts with a prefix.
func TestSkipFigures(t *testing.T) {
	entries := []figures.FigureEntry{{Name: "baseline-deaths"}, {Name: "policy-homicides"}, {Name: "policy-comparison"}, {Name: "strikes-labs"}, {Name: "ceasefire-supply"}}
	var names []string
	for _, e := range skipFigures(entries, []string{"policy-", "ceasefire-"}) {
		names = append(names, e.Name)
	}
	if want := []string{"baseline-deaths", "strikes-labs"}; !slices.Equal(names, want) {
		t.Errorf("kept %v, want %v", names, want)
	}
	if got := skipFigures(entries, nil); len(got) != len(entries) {
		t.Errorf("no prefixes kept %d of %d", len(got), len(entries))
	}
}

// --skip is refused with --update (which rewrites every checksum) and when it leaves
// nothing to check, with status 2 and nothing run.
func TestFiguresSkipRefused(t *testing.T) {
	t.Chdir("../..")
	for args, msg := range map[string]string{
		"figures --update --skip policy-": "--skip and --update contradict each other",
		"figures --skip a --skip b --skip c --skip d --skip h --skip p --skip s --out " + t.TempDir(): "leaves no entry",
	} {
		var stdout, stderr bytes.Buffer
		if code := cli(strings.Fields(args), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), msg) {
			t.Errorf("%s: status %d, stderr %q, want 2 and %q", args, code, stderr.String(), msg)
		}
	}
}

// figures regenerates an experiment entry as make policy makes it: its outputs are, byte
// for byte, those of cartelsim experiment, robustness and discover run with make policy's
// arguments; each output is reported on its own line, by name and file; --skip leaves the
// experiment out (nothing of it is run).
func TestFiguresExperimentAsMakePolicy(t *testing.T) {
	t.Chdir("../..")
	const manifest = "sim/figures/testdata/experiment-figures.json"
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		status := cli(args, &stdout, &stderr)
		return status, stdout.String(), stderr.String()
	}
	fig := filepath.Join(t.TempDir(), "figures")
	// The test manifest's checksums are placeholders: every output differs.
	status, stdout, stderr := run("figures", "--manifest", manifest, "--out", fig, "--workers", "2")
	if status != exitFailure || !strings.Contains(stderr, "9 of 9 outputs differ") {
		t.Fatalf("figures: status %d, stderr %q; want 1 and every output differing", status, stderr)
	}
	m, err := figures.LoadFigureManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(stdout, "\n")
	for i, e := range m.Figures {
		want := []string{e.Name, "DIFFERS", filepath.Join(fig, filepath.FromSlash(strings.TrimPrefix(e.Output, "out/")))}
		if got := strings.Fields(lines[i]); !slices.Equal(got, want) {
			t.Errorf("line %d: %q, want %q", i+1, got, want)
		}
	}

	// make policy's commands, on the same design.
	exp := filepath.Join(t.TempDir(), "tiny")
	for _, args := range [][]string{
		{"experiment", "sim/figures/testdata/experiment/design.yaml", "--out", exp, "--force", "--quiet"},
		{"robustness", exp, "--quiet"},
		{"discover", exp, "--policy", "policy", "--output", "members_2012", "--below", "-2000", "--out", filepath.Join(exp, "discovery", "cuts-members"), "--quiet"},
	} {
		if status, _, stderr := run(args...); status != exitOK {
			t.Fatalf("%s: status %d: %s", args[0], status, stderr)
		}
	}
	for _, e := range m.Figures {
		rel, ok := strings.CutPrefix(e.Output, "out/tiny/")
		if !ok {
			continue
		}
		a, errA := os.ReadFile(filepath.Join(fig, "tiny", filepath.FromSlash(rel)))
		b, errB := os.ReadFile(filepath.Join(exp, filepath.FromSlash(rel)))
		if errA != nil || errB != nil || len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: figures and make policy's commands wrote different %s (%v, %v)", e.Name, rel, errA, errB)
		}
	}

	skipped := filepath.Join(t.TempDir(), "skipped")
	status, stdout, _ = run("figures", "--manifest", manifest, "--out", skipped, "--skip", "tiny-")
	if status != exitFailure || strings.Contains(stdout, "tiny-") || !strings.Contains(stdout, "1 of 1 outputs differ") {
		t.Errorf("--skip tiny-: status %d, stdout:\n%s\nwant only ref-timeseries checked", status, stdout)
	}
	if _, err := os.Stat(filepath.Join(skipped, "tiny")); err == nil {
		t.Error("--skip tiny- ran the experiment")
	}
}
