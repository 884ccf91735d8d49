package figures

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testManifest is a copy of testdata/experiment-figures.json (a tiny experiment with
// robustness and a discovery over it, and a run; placeholder checksums) in a new folder,
// with each replacement applied; paths in it are relative to the repository root.
func testManifest(t *testing.T, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/experiment-figures.json")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(text, replace[i]) {
			t.Fatalf("%q is not in the test manifest", replace[i])
		}
		text = strings.ReplaceAll(text, replace[i], replace[i+1])
	}
	p := filepath.Join(t.TempDir(), "figures.json")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func names(results []FigureResult, match bool) []string {
	var out []string
	for _, r := range results {
		if r.Match == match {
			out = append(out, r.Name)
		}
	}
	return out
}

// An experiment entry is regenerated as make policy makes it: the experiment once for
// all its entries, then robustness and the discovery that entries need. --update records
// the checksums, and a check afterwards (with another worker count) matches every one;
// a discovery's changed condition is reported on the discovery's files, and only there.
func TestExperimentFiguresUpdateThenCheck(t *testing.T) {
	manifestPath := testManifest(t)
	m, err := LoadFigureManifest(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	out1 := filepath.Join(t.TempDir(), "out")
	var progress bytes.Buffer
	res1, err := RegenerateFigures(context.Background(), m, "../..", out1, 2, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if len(res1) != len(m.Figures) || len(names(res1, true)) != 0 {
		t.Fatalf("%d results for %d entries, %v matching placeholder checksums", len(res1), len(m.Figures), names(res1, true))
	}
	for i, r := range res1 {
		want := filepath.Join(out1, filepath.FromSlash(strings.TrimPrefix(m.Figures[i].Output, "out/")))
		if r.Path != want || r.Want != zeroSHA || len(r.Got) != 64 {
			t.Errorf("result %d: %+v, want %s at %s", i, r, m.Figures[i].Name, want)
		}
	}
	for what, n := range map[string]int{"experiment ": 1, "robustness of ": 1, "discover ": 1, "run ": 1} {
		if got := strings.Count("\n"+progress.String(), "\n"+what); got != n {
			t.Errorf("%d lines starting %q, want %d:\n%s", got, what, n, progress.String())
		}
	}

	if _, err := UpdateFigures(m, manifestPath, t.TempDir(), res1); err != nil {
		t.Fatal(err)
	}
	m, err = LoadFigureManifest(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range m.Figures {
		if e.SHA256 != res1[i].Got {
			t.Errorf("%s: recorded %s, regenerated %s", e.Name, e.SHA256, res1[i].Got)
		}
	}
	out2 := filepath.Join(t.TempDir(), "out")
	res2, err := RegenerateFigures(context.Background(), m, "../..", out2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if differ := names(res2, false); len(differ) != 0 {
		t.Errorf("after --update, a check with 1 worker finds %v differ", differ)
	}

	// Another threshold: the discovery's two files differ, nothing else does.
	updated, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.ReplaceAll(string(updated), `"below": -2000`, `"below": -3000`)
	if err := os.WriteFile(manifestPath, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err = LoadFigureManifest(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	res3, err := RegenerateFigures(context.Background(), m, "../..", filepath.Join(t.TempDir(), "out"), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if differ, want := names(res3, false), []string{"tiny-cuts-members", "tiny-cuts-members-box"}; !slices.Equal(differ, want) {
		t.Errorf("with another threshold %v differ, want %v", differ, want)
	}
}

// Leaving the experiment's entries out (as --skip does) runs no experiment; leaving only
// its robustness out runs no robustness.
func TestExperimentFiguresLeftOut(t *testing.T) {
	m, err := LoadFigureManifest(testManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	all := m.Figures
	m.Figures = all[len(all)-1:]
	out := t.TempDir()
	var progress bytes.Buffer
	if _, err := RegenerateFigures(context.Background(), m, "../..", out, 0, &progress); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "tiny")); err == nil || strings.Contains("\n"+progress.String(), "\nexperiment ") {
		t.Errorf("without its entries the experiment ran:\n%s", progress.String())
	}
	m.Figures = slices.DeleteFunc(slices.Clone(all), func(e FigureEntry) bool { return strings.HasPrefix(e.Name, "tiny-robustness") })
	progress.Reset()
	if _, err := RegenerateFigures(context.Background(), m, "../..", out, 0, &progress); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "tiny", "robustness")); err == nil || strings.Contains("\n"+progress.String(), "\nrobustness of ") {
		t.Errorf("without its entries robustness ran:\n%s", progress.String())
	}
}

// An experiment entry that cannot be regenerated as make policy would, or that clashes
// with another, is refused in one line naming the file and the entry.
func TestExperimentEntryErrors(t *testing.T) {
	results := `"output": "out/tiny/results.csv"`
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"a mode", results, results + `, "mode": "stochastic"`, `figures[1] (tiny-results): mode "stochastic": an experiment's scenarios give their own mode`},
		{"also a scenario", results, results + `, "scenario": "a.yaml"`, `more than one of a scenario, overlay scenarios, compared scenarios and an experiment`},
		{"a metric", results, results + `, "metric": "homicides"`, `a metric and horizons are not for experiments`},
		{"a file no analysis writes", results, `"output": "out/tiny/robustness.csv"`, `an experiment's output is design.csv, results.csv, effects.csv or plots/..., robustness/robustness.csv`},
		{"a discovery's table without its folder", results, `"output": "out/tiny/discovery/discovery.csv"`, `not discovery/discovery.csv`},
		{"a discovery without a condition", results, `"output": "out/tiny/discovery/x/discovery.csv"`, `figures[1] (tiny-results): discovery/x/discovery.csv is a discovery's: give its discover condition`},
		{"a condition without a discovery", results, results + `, "discover": {"policy": "policy", "output": "members_2012", "below": 0}`, `a discover condition is only for the outputs under discovery/<name>/, not results.csv`},
		{"a condition with no threshold", `"below": -2000`, `"relative": true`, `a discover condition needs one of below and above`},
		{"a condition with two", `"below": -2000`, `"below": -2000, "above": 1`, `needs one of below and above`},
		{"a condition with no policy", `"policy": "policy",`, ``, `a discover condition needs a policy and an output`},
		{"an unknown condition key", `"below": -2000`, `"below": -2000, "alpha": 0.1`, `unknown field "alpha"`},
		{"a condition on a run", `"mode": "stochastic",`, `"mode": "stochastic", "discover": {"policy": "p", "output": "o", "below": 1},`, `figures[8] (ref-timeseries): a discover condition is only for experiments`},
		{"two discoveries in one folder", `"below": -2000
      },
      "seed": 11,
      "replicates": 1,
      "output": "out/tiny/discovery/cuts-members/plots`, `"below": -1
      },
      "seed": 11,
      "replicates": 1,
      "output": "out/tiny/discovery/cuts-members/plots`, `tiny-cuts-members and tiny-cuts-members-box need different discoveries in out/tiny/discovery/cuts-members`},
		{"two experiments in one folder", `"seed": 11,
      "replicates": 1,
      "output": "out/tiny/results.csv"`, `"seed": 12,
      "replicates": 1,
      "output": "out/tiny/results.csv"`, `tiny-design and tiny-results need different experiments in out/tiny`},
		{"an experiment in a run's folder", `out/ref/timeseries.csv`, `out/tiny/timeseries.csv`, `out/tiny holds both an experiment and ref-timeseries's run`},
		{"a path outside", `"experiment": "sim/figures/testdata/experiment/design.yaml",
      "seed": 11,
      "replicates": 1,
      "output": "out/tiny/results.csv"`, `"experiment": "../design.yaml",
      "seed": 11,
      "replicates": 1,
      "output": "out/tiny/results.csv"`, `path "../design.yaml" must be relative`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := testManifest(t, c.old, c.new)
			_, err := LoadFigureManifest(path)
			if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "sim: "+path+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one line sim: %s: ...%s...", err, path, c.want)
			}
		})
	}
}

// The manifest pins the design's seed and replicates: a design changed since is refused
// before anything runs, naming the entry and both values.
func TestExperimentEntryPinsSeedAndReplicates(t *testing.T) {
	m, err := LoadFigureManifest(testManifest(t, `"seed": 11,`, `"seed": 12,`))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	_, err = RegenerateFigures(context.Background(), m, "../..", out, 0, nil)
	want := "sim: tiny-design: sim/figures/testdata/experiment/design.yaml has seed 11 and 1 replicates, the manifest pins seed 12 and 1 replicates"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the output directory was written")
	}
}

// The test manifest, with its nested discover conditions, encodes back to its bytes, so
// that an --update changes only checksum lines.
func TestExperimentManifestRoundTrip(t *testing.T) {
	roundTrip(t, "testdata/experiment-figures.json")
}
