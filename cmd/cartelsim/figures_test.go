package main

import (
	"bytes"
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
