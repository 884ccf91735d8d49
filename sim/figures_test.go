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
		}
	}
	b, err := os.ReadFile("../seeds/figures.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	runs := map[string]string{} // scenario+seed -> output dir
	for _, f := range manifest.Figures {
		key := f.Scenario + "|" + f.Mode
		dir, done := runs[key]
		if !done {
			sc, err := LoadScenario(filepath.Join("..", f.Scenario))
			if err != nil {
				t.Fatal(err)
			}
			sc.Seed, sc.Replicates = f.Seed, f.Replicates
			if sc.Mode, err = model.ParseMode(f.Mode); err != nil {
				t.Fatal(err)
			}
			dir = t.TempDir()
			if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir}); err != nil {
				t.Fatal(err)
			}
			runs[key] = dir
		}
		// Outputs are named as `make run` writes them: out/<name>/<path in the run>.
		parts := strings.SplitN(f.Output, "/", 3)
		if len(parts) != 3 || parts[0] != "out" {
			t.Fatalf("%s: output %q is not out/<run>/<file>", f.Name, f.Output)
		}
		rel := parts[2]
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(got)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %s has sha256 %x, published %s", f.Name, rel, sum, f.SHA256)
		}
	}
}
