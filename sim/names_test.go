package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// badNames are names that would leave the directory a user named, or hide in it, or
// that no file system takes: each must be refused wherever a path is built from it.
var badNames = []struct{ what, name, yaml string }{
	{"parent", "..", `".."`},
	{"current", ".", `"."`},
	{"climbs out", "../../escaped", "../../escaped"},
	{"climbs out inside", "a/../../b", "a/../../b"},
	{"separator", "a/b", "a/b"},
	{"backslash", `a\b`, `'a\b'`},
	{"absolute", "/tmp/escaped", "/tmp/escaped"},
	{"NUL", "a\x00b", `"a\0b"`},
	{"hidden", ".hidden", ".hidden"},
	{"flag-like", "-rf", "-rf"},
	{"space", "a b", "a b"},
	{"too long", strings.Repeat("n", scenario.MaxNameLength+1), strings.Repeat("n", scenario.MaxNameLength+1)},
	{"very long", strings.Repeat("n", 5000), strings.Repeat("n", 5000)},
	{"empty", "", `""`},
}

// A scenario's name is an identifier, refused with file, line and key otherwise; so is
// the file name that stands in for a missing one.
func TestScenarioNamesAreIdentifiers(t *testing.T) {
	for _, c := range badNames {
		t.Run(c.what, func(t *testing.T) {
			yaml := strings.Replace(goodScenario, "name: test", "name: "+c.yaml, 1)
			scenarioErrorCase{c.what, yaml, 1, "name", "name"}.check(t)
		})
	}
	for _, good := range []string{"test", "2006-kingpin", "a.b_c-D9", strings.Repeat("n", scenario.MaxNameLength)} {
		sc, err := scenario.ParseScenario("good.yaml", []byte(strings.Replace(goodScenario, "name: test", "name: "+good, 1)))
		if err != nil || sc.Name != good {
			t.Errorf("name %q: %v", good, err)
		}
	}
	// Without a name key, the file's base name stands in, and must be a name too: a file
	// called "..yaml" would otherwise run into out/. itself.
	noName := strings.Replace(goodScenario, "name: test\n", "", 1)
	for _, file := range []string{"dir/..yaml", "dir/a b.yaml", "dir/.yaml"} {
		_, err := scenario.ParseScenario(file, []byte(noName))
		var se *scenario.ScenarioError
		if !errors.As(err, &se) || se.File != file || se.Key != "name" || !strings.Contains(se.Msg, "add a name: key") {
			t.Errorf("%s: %v, want an error on key name asking for one", file, err)
		}
	}
	if sc, err := scenario.ParseScenario("dir/my-run.yaml", []byte(noName)); err != nil || sc.Name != "my-run" {
		t.Errorf("a valid file name: %v", err)
	}
}

func TestSafeJoin(t *testing.T) {
	dir := t.TempDir()
	for _, c := range badNames {
		if p, err := scenario.SafeJoin(dir, c.name); err == nil || !strings.HasPrefix(err.Error(), "sim: ") {
			t.Errorf("%s: SafeJoin(%q) = %q, %v; want an error", c.what, c.name, p, err)
		}
	}
	p, err := scenario.SafeJoin(dir, "baseline")
	if err != nil || p != filepath.Join(dir, "baseline") {
		t.Errorf("SafeJoin(baseline) = %q, %v", p, err)
	}
	// A symbolic link in the name's place would send the writes elsewhere.
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(dir, "link")); err != nil {
		t.Skip(err)
	}
	if p, err := scenario.SafeJoin(dir, "link"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("SafeJoin through a symlink = %q, %v", p, err)
	}
}

// Compare builds a directory from each scenario's name under --out: a name set by a
// caller (past the file's check) that would leave it is refused before anything is
// written, anywhere.
func TestCompareWritesNothingOutsideOut(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "a", "b", "out")
	for _, c := range badNames {
		t.Run(c.what, func(t *testing.T) {
			ref := smallScenarioForNames(t)
			other := smallScenarioForNames(t)
			other.Name = c.name
			if _, err := Compare(t.Context(), []*scenario.Scenario{ref, other}, CompareOptions{OutDir: out, Workers: 1}); err == nil {
				t.Fatal("compare accepted the name")
			}
			var files []string
			filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error {
				if p != root {
					files = append(files, p)
				}
				return nil
			})
			if len(files) > 0 {
				t.Errorf("compare wrote %v", files)
			}
		})
	}
}

func smallScenarioForNames(t *testing.T) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ParseScenario("small.yaml", []byte("name: small\nstart: 2012-01-01\nweeks: 4\nreplicates: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
