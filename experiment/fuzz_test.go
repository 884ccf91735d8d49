package experiment

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseDesign: any design text is either refused with one line or accepted with a
// design whose every point has a value for every factor.
func FuzzParseDesign(f *testing.F) {
	f.Add(smallDesign)
	for _, kind := range []string{"grid\nlevels: 2", "sobol\npoints: 3", "morris\npoints: 2\nlevels: 4", "{csv: points.csv}"} {
		f.Add(strings.Replace(smallDesign, "latin-hypercube\npoints: 5", kind, 1))
	}
	dir := f.TempDir()
	for name, text := range map[string]string{"ref.yaml": refScenario, "policy.yaml": policyScenario,
		"points.csv": "parameters.recruitment,interventions[1].intensity\n0.002,1\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := ParseDesign(filepath.Join(dir, "design.yaml"), []byte(text))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a message of more than one line: %q", err)
			}
			return
		}
		if d.Points != len(d.Matrix) || d.Points < 1 {
			t.Fatalf("%d points, %d rows", d.Points, len(d.Matrix))
		}
		for _, row := range d.Matrix {
			if len(row) != len(d.Factors) {
				t.Fatalf("a row of %d values for %d factors", len(row), len(d.Factors))
			}
		}
	})
}
