package figures

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/sim"
)

// longTests is set by `make test-long` (CARTELSIM_LONG_TESTS=1), which CI runs: the
// checks that take minutes run whole there, and in a cheaper form that proves the same
// property in the README's test command.
var longTests = os.Getenv("CARTELSIM_LONG_TESTS") == "1"

// Every output listed in seeds/figures.json regenerates byte for byte from its scenario,
// seed and replicate count (the figures in seeds/figures were checked by eye once). A
// deliberate change to the model changes them: run `cartelsim figures --update`, look at
// the new images, and commit them with the checksums. Without CARTELSIM_LONG_TESTS=1 only
// the entries of `make history` are regenerated (two runs of seconds; the whole manifest
// takes minutes on two cores): they go through the same regeneration, one world with
// fragmentation and lineage, and both plots and tables.
func TestPublishedFiguresReproduce(t *testing.T) {
	m, err := LoadFigureManifest("../../seeds/figures.json")
	if err != nil {
		t.Fatal(err)
	}
	if !longTests {
		var some []FigureEntry
		for _, e := range m.Figures {
			if e.Command == "make history" {
				some = append(some, e)
			}
		}
		if len(some) < 3 {
			t.Fatalf("%d entries of make history in the manifest; the short check needs them", len(some))
		}
		m.Figures = some
	}
	results, err := RegenerateFigures(context.Background(), m, "../..", t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(m.Figures) {
		t.Fatalf("%d results for %d figures", len(results), len(m.Figures))
	}
	for i, r := range results {
		if !r.Match {
			t.Errorf("%s: %s has sha256 %s, published %s", r.Name, m.Figures[i].Output, r.Got, r.Want)
		}
	}
}

// The manifest's layout survives loading and encoding unchanged, so that `figures
// --update` after no change to the model leaves it byte for byte as it was; and the
// images shipped in seeds/figures are the outputs the checksums describe.
func TestFigureManifestRoundTripAndShippedFiles(t *testing.T) {
	m := roundTrip(t, "../../seeds/figures.json")
	for _, e := range m.Figures {
		if e.File == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join("../..", e.File))
		if err != nil {
			t.Error(err)
			continue
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.SHA256 {
			t.Errorf("%s: %s has sha256 %x, the manifest says %s", e.Name, e.File, sum, e.SHA256)
		}
	}
}

const zeroSHA = "0000000000000000000000000000000000000000000000000000000000000000"

// cheapManifest pins two outputs of one short run and an overlay of two runs that only
// the overlay needs, with wrong checksums; shipped is the copy the first entry ships.
func cheapManifest(shipped string) string {
	return `{
  "about": "test & check",
  "figures": [
    {
      "name": "kingpin-groups",
      "file": ` + quote(shipped) + `,
      "scenario": "scenarios/history/2006-kingpin.yaml",
      "output": "out/kingpin/plots/groups.png",
      "seed": 20061211,
      "replicates": 2,
      "mode": "stochastic",
      "sha256": "` + zeroSHA + `"
    },
    {
      "name": "kingpin-timeseries",
      "command": "make history",
      "scenario": "scenarios/history/2006-kingpin.yaml",
      "seed": 20061211,
      "replicates": 2,
      "mode": "stochastic",
      "output": "out/kingpin/timeseries.csv",
      "sha256": "` + zeroSHA + `"
    },
    {
      "name": "airstrikes-labs",
      "overlay": [
        "scenarios/labs/baseline-2025.yaml",
        "scenarios/labs/airstrikes-2026.yaml"
      ],
      "metric": "labs",
      "output": "out/compare/labs.png",
      "seed": 20250105,
      "replicates": 2,
      "mode": "stochastic",
      "sha256": "` + zeroSHA + `"
    }
  ]
}
`
}

func quote(s string) string {
	b, _ := marshalNoEscape(s)
	return string(b)
}

// A wrong checksum is reported as a mismatch, not an error; outputs land where the
// manifest says; they do not depend on the number of workers, nor on when or where they
// were written (only manifest.json records times and workers); and an update records the
// new checksums, copies the shipped file, and is a no-op the second time.
func TestRegenerateFigures(t *testing.T) {
	dir := t.TempDir()
	shipped := filepath.Join(dir, "shipped", "groups.png")
	manifestPath := filepath.Join(dir, "figures.json")
	text := cheapManifest("shipped/groups.png") // relative to the root given to UpdateFigures
	if err := os.WriteFile(manifestPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadFigureManifest(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	out1, out2 := filepath.Join(dir, "out1"), filepath.Join(dir, "out2")
	var progress bytes.Buffer
	res1, err := RegenerateFigures(context.Background(), m, "../..", out1, 2, &progress)
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{
		filepath.Join(out1, "kingpin", "plots", "groups.png"),
		filepath.Join(out1, "kingpin", "timeseries.csv"),
		filepath.Join(out1, "compare", "labs.png"),
	}
	if len(res1) != len(wantPaths) {
		t.Fatalf("%d results, want %d", len(res1), len(wantPaths))
	}
	for i, r := range res1 {
		if r.Name != m.Figures[i].Name || r.Path != wantPaths[i] || r.Match || r.Want != zeroSHA || len(r.Got) != 64 {
			t.Errorf("result %d: %+v, want %s at %s, not matching %s", i, r, m.Figures[i].Name, wantPaths[i], zeroSHA)
		}
	}
	// The runs only the overlay needs are named after their scenario files; the shared
	// kingpin run is done once.
	for _, run := range []string{"baseline-2025", "airstrikes-2026"} {
		if _, err := os.Stat(filepath.Join(out1, run, sim.ManifestFile)); err != nil {
			t.Errorf("overlay run %s: %v", run, err)
		}
	}
	if n := strings.Count("\n"+progress.String(), "\nrun "); n != 3 {
		t.Errorf("%d runs, want 3:\n%s", n, progress.String())
	}

	m.Figures[0].SHA256 = res1[0].Got
	res2, err := RegenerateFigures(context.Background(), m, "../..", out2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res2[0].Match || res2[1].Match {
		t.Errorf("with the first checksum right: %+v", res2)
	}
	for i := range res2 {
		if res2[i].Got != res1[i].Got {
			t.Errorf("%s: sha256 %s with 1 worker, %s with 2", res2[i].Name, res2[i].Got, res1[i].Got)
		}
	}
	compareTrees(t, out1, out2)

	// Update: only the checksums change, and the shipped copy is the output.
	m, err = LoadFigureManifest(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	written, err := UpdateFigures(m, manifestPath, dir, res1)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 2 || written[0] != shipped || written[1] != manifestPath {
		t.Errorf("update wrote %q, want the shipped file and the manifest", written)
	}
	want := text
	for _, r := range res1 {
		want = strings.Replace(want, zeroSHA, r.Got, 1)
	}
	if got, _ := os.ReadFile(manifestPath); string(got) != want {
		t.Errorf("updated manifest:\n%s\nwant:\n%s", got, want)
	}
	a, _ := os.ReadFile(shipped)
	b, _ := os.ReadFile(res1[0].Path)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("shipped file (%d bytes) is not the regenerated output (%d bytes)", len(a), len(b))
	}
	if st, err := os.Stat(shipped); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("shipped file: %v, %v; want mode 0644", st, err)
	}
	m, err = LoadFigureManifest(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	if written, err := UpdateFigures(m, manifestPath, dir, res1); err != nil || len(written) != 0 {
		t.Errorf("second update wrote %q, %v; want nothing", written, err)
	}
	if got, _ := os.ReadFile(manifestPath); string(got) != want {
		t.Errorf("second update changed the manifest:\n%s", got)
	}
}

// compareTrees checks that two output directories hold the same files with the same
// bytes, except the runs' manifest.json (which records times and the worker count).
func compareTrees(t *testing.T, a, b string) {
	t.Helper()
	files := func(root string) map[string][]byte {
		m := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == sim.ManifestFile {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	fa, fb := files(a), files(b)
	if len(fa) == 0 || len(fa) != len(fb) {
		t.Errorf("%d files in %s, %d in %s", len(fa), a, len(fb), b)
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between %s and %s", name, a, b)
		}
	}
}

// A manifest that does not pin everything needed to regenerate an entry, or that has a
// key the loader does not know, is refused with an error that names the file and entry.
func TestLoadFigureManifestErrors(t *testing.T) {
	good := strings.Replace(cheapManifest("shipped.png"), zeroSHA, strings.Repeat("ab", 32), -1)
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"unknown entry key", `"replicates": 2,`, `"replicate": 2,`, `figures[0]: json: unknown field "replicate"`},
		{"unknown top-level key", `"figures": [`, `"figure": [`, `unknown field "figure"`},
		{"missing sha256", `"sha256": "` + strings.Repeat("ab", 32) + `"`, `"command": "x"`, `figures[0] (kingpin-groups): sha256 "" is not 64 lowercase hex digits`},
		{"short sha256", strings.Repeat("ab", 32), "abc", `sha256 "abc" is not 64`},
		{"upper-case sha256", strings.Repeat("ab", 32), strings.Repeat("AB", 32), `is not 64 lowercase hex digits`},
		{"not hex", strings.Repeat("ab", 32), strings.Repeat("zz", 32), `is not 64 lowercase hex digits`},
		{"missing seed", `"seed": 20061211,`, ``, `figures[0] (kingpin-groups): no seed`},
		{"no name", `"name": "kingpin-groups",`, ``, `figures[0]: no name`},
		{"duplicate name", `"name": "kingpin-timeseries"`, `"name": "kingpin-groups"`, `figures[1] (kingpin-groups): the name is used twice`},
		{"no replicates", `"replicates": 2,`, ``, `replicates 0 is out of range`},
		{"bad mode", `"mode": "stochastic",`, `"mode": "exact",`, `mode "exact": want meanfield or stochastic`},
		{"neither scenario nor overlay", `"scenario": "scenarios/history/2006-kingpin.yaml",`, ``, `needs a scenario, overlay scenarios and a metric, compared scenarios, or an experiment`},
		{"scenario and overlay", `"metric": "labs",`, `"metric": "labs", "scenario": "a.yaml",`, `more than one of a scenario, overlay scenarios, compared scenarios and an experiment`},
		{"overlay and comparison", `"metric": "labs",`, `"metric": "labs", "compare": ["a.yaml", "b.yaml"],`, `more than one of a scenario`},
		{"comparison of one", `"overlay": [`, `"compare": ["a.yaml"], "overlay": [`, `more than one of a scenario`},
		{"horizons without comparison", `"metric": "labs",`, `"metric": "labs", "horizons": ["2030-01-06"],`, `horizons are only for comparisons`},
		{"overlay without metric", `"metric": "labs",`, ``, `an overlay needs a metric`},
		{"unknown metric", `"metric": "labs",`, `"metric": "lab",`, `unknown metric "lab"`},
		{"overlay output", `out/compare/labs.png`, `out/compare/supply.png`, `is written to out/compare/labs.png or .svg`},
		{"output outside out/", `out/kingpin/timeseries.csv`, `kingpin/timeseries.csv`, `output "kingpin/timeseries.csv" is not out/<dir>/<file>`},
		{"output escapes", `out/kingpin/timeseries.csv`, `out/../timeseries.csv`, `is not out/<dir>/<file>`},
		{"same output twice", `out/kingpin/timeseries.csv`, `out/kingpin/plots/groups.png`, `output out/kingpin/plots/groups.png is also kingpin-groups's`},
		{"two runs in one dir", `"replicates": 2,
      "mode": "stochastic",
      "output": "out/kingpin/timeseries.csv"`, `"replicates": 3,
      "mode": "stochastic",
      "output": "out/kingpin/timeseries.csv"`, `kingpin-groups and kingpin-timeseries need different runs in out/kingpin`},
		{"overlay into a run's dir", `out/compare/labs.png`, `out/kingpin/labs.png`, `out/kingpin holds both overlays and kingpin-groups's run`},
		{"no figures", good[strings.Index(good, "\n    {") : strings.LastIndex(good, "}\n  ]")+1], ``, `lists no figures`},
		{"trailing data", "}\n  ]\n}\n", "}\n  ]\n}\n{}", `data after`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(good, c.old) {
				t.Fatalf("%q is not in the manifest", c.old)
			}
			path := filepath.Join(t.TempDir(), "figures.json")
			if err := os.WriteFile(path, []byte(strings.Replace(good, c.old, c.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFigureManifest(path)
			if err == nil || !strings.HasPrefix(err.Error(), "sim: "+path+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want sim: %s: ...%s...", err, path, c.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "figures.json")
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFigureManifest(path); err != nil {
		t.Errorf("the unaltered manifest: %v", err)
	}
}

func TestComparisonEntries(t *testing.T) {
	two := []string{"a.yaml", "b.yaml"}
	for _, c := range []struct {
		e    FigureEntry
		file string
		want string // "" for valid
	}{
		{FigureEntry{Compare: two}, "comparison.csv", ""},
		{FigureEntry{Compare: two, Metric: "homicides"}, "plots/homicides.png", ""},
		{FigureEntry{Compare: two[:1]}, "comparison.csv", "at least two scenarios"},
		{FigureEntry{Compare: []string{"a.yaml", ""}}, "comparison.csv", "none empty"},
		{FigureEntry{Compare: two, Metric: "homicides"}, "comparison.csv", "only for a comparison's plots"},
		{FigureEntry{Compare: two, Metric: "homicides"}, "plots/supply.png", "plots homicides in plots/homicides.png"},
		{FigureEntry{Compare: two}, "plots/supply.png", `metric ""`},
	} {
		err := validateComparisonEntry(c.e, c.file)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v, %s: error %v, want %q", c.e, c.file, err, c.want)
		}
	}
}

// roundTrip loads the manifest at path, wants it to encode back to its bytes, and returns
// it.
func roundTrip(t *testing.T, path string) *FigureManifest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadFigureManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Errorf("%s: encoding the loaded manifest changed it:\n%s", path, buf.Bytes())
	}
	return m
}
