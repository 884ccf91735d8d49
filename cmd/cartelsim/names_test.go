package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A scenario's name becomes run's default directory out/<name> and compare's
// --out/<name>: a hostile name is refused with file and line (exit status 2), and
// nothing is written anywhere, inside the working directory or above it.
func TestNamesNeverWriteOutsideOut(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	if err := os.WriteFile("ok.yaml", []byte(smallScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, file, name string }{
		{"parent", "up.yaml", "../../escaped"},
		{"absolute", "abs.yaml", filepath.Join(root, "escaped")},
		{"separator", "sep.yaml", "x/y"},
		{"NUL", "nul.yaml", `"x\0y"`},
		{"very long", "long.yaml", strings.Repeat("n", 300)},
		{"dot", "dot.yaml", `"."`},
		{"from the file name", "..yaml", ""}, // no name key: the file's would be "."
	} {
		t.Run(c.what, func(t *testing.T) {
			yaml := strings.Replace(smallScenario, "name: small\n", "", 1)
			line := "0"
			if c.name != "" {
				yaml = strings.Replace(smallScenario, "name: small", "name: "+c.name, 1)
				line = "1"
			}
			if err := os.WriteFile(c.file, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(c.file)
			for _, args := range [][]string{
				{"check", c.file},
				{"run", c.file, "-q"},
				{"compare", "ok.yaml", c.file, "--out", "cmp", "-q"},
			} {
				var stdout, stderr bytes.Buffer
				status := cli(args, &stdout, &stderr)
				where := c.file + ":"
				if line != "0" {
					where += line + ":"
				}
				if status != exitUsage || !strings.Contains(stderr.String(), where+" name: ") {
					t.Errorf("%v: status %d, stderr %q; want 2 and an error at %s name", args, status, stderr.String(), where)
				}
			}
			var files []string
			filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error {
				if rel, _ := filepath.Rel(root, p); rel != "." && rel != "a" && rel != filepath.Join("a", "b") &&
					rel != filepath.Join("a", "b", "ok.yaml") && rel != filepath.Join("a", "b", c.file) {
					files = append(files, rel)
				}
				return nil
			})
			if len(files) > 0 {
				t.Errorf("wrote %v", files)
			}
		})
	}
}
