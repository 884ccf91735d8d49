package report_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/report"
)

// Whatever comparison.csv and experiment's effects.csv hold, Render neither panics nor
// gives more than one line of error, and an error is an InputError (the directory's
// fault), naming the file.
func FuzzRenderTables(f *testing.F) {
	f.Add([]byte(comparisonCSV), []byte(experimentEffects))
	f.Add([]byte("metric,week\n"), []byte("point\n1"))
	f.Add([]byte("\"unclosed\n"), []byte(""))
	f.Add([]byte(strings.Replace(comparisonCSV, "50,40,60", "NaN,-Inf,1e308", 1)), []byte(strings.Replace(experimentEffects, "-10,-12,-8", "nan,inf,-inf", 1)))
	f.Fuzz(func(t *testing.T, cmpCSV, effects []byte) {
		for _, c := range []struct {
			manifest, table string
			data            []byte
			extra           map[string]string
		}{
			{"comparison.json", "comparison.csv", cmpCSV, map[string]string{"comparison.json": comparisonJSON}},
			{"experiment.json", "effects.csv", effects, map[string]string{"experiment.json": experimentJSON, "design.csv": "point,k\n0,1\n1,2\n2,3\n"}},
		} {
			dir := t.TempDir()
			for name, text := range c.extra {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, c.table), c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			err := report.Render(&bytes.Buffer{}, dir, report.Options{})
			if err == nil {
				continue
			}
			var ie *report.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("%s: %v is not an InputError", c.table, err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, c.table) {
				t.Fatalf("%s: error %q is not one line naming the file", c.table, msg)
			}
		}
	})
}
