package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

// Every output listed in seeds/figures.json regenerates byte for byte from its scenario,
// seed and replicate count (the figures in seeds/figures were checked by eye once). A
// deliberate change to the model changes them: regenerate with `make run` and update
// the checksums and images together.
func TestPublishedFiguresReproduce(t *testing.T) {
	var manifest struct {
		Figures []struct {
			Name, Scenario, Mode, Output, SHA256 string
			Seed                                 uint64
			Replicates                           int
			// Overlay lists the scenarios an overlay plot of Metric compares.
			Overlay []string
			Metric  string
		}
	}
	b, err := os.ReadFile("../seeds/figures.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	runs := map[string]string{} // scenario+mode -> output dir
	run := func(scenario, mode string, seed uint64, replicates int) string {
		key := scenario + "|" + mode
		if dir, done := runs[key]; done {
			return dir
		}
		sc, err := LoadScenario(filepath.Join("..", scenario))
		if err != nil {
			t.Fatal(err)
		}
		sc.Seed, sc.Replicates = seed, replicates
		if sc.Mode, err = model.ParseMode(mode); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir}); err != nil {
			t.Fatal(err)
		}
		runs[key] = dir
		return dir
	}
	for _, f := range manifest.Figures {
		var path string
		if len(f.Overlay) > 0 {
			var dirs []string
			for _, scenario := range f.Overlay {
				dirs = append(dirs, run(scenario, f.Mode, f.Seed, f.Replicates))
			}
			m, ok := model.ParseMetric(f.Metric)
			if !ok {
				t.Fatalf("%s: unknown metric %q", f.Name, f.Metric)
			}
			out := t.TempDir()
			if _, err := OverlayPlots(dirs, []model.Metric{m}, out); err != nil {
				t.Fatal(err)
			}
			path = filepath.Join(out, f.Metric+".png")
		} else {
			dir := run(f.Scenario, f.Mode, f.Seed, f.Replicates)
			// Outputs are named as `make run` writes them: out/<name>/<path in the run>.
			parts := strings.SplitN(f.Output, "/", 3)
			if len(parts) != 3 || parts[0] != "out" {
				t.Fatalf("%s: output %q is not out/<run>/<file>", f.Name, f.Output)
			}
			path = filepath.Join(dir, parts[2])
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(got)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %s has sha256 %x, published %s", f.Name, f.Output, sum, f.SHA256)
		}
	}
}
