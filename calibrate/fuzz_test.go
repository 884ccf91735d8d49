package calibrate

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseTargets: any targets text is either refused with one line naming the file or
// read into targets each with a finite value, an sd above 0, a source and a line.
func FuzzParseTargets(f *testing.F) {
	f.Add(smallTargets)
	f.Add(strings.Replace(smallTargets, "a source", `"a, quoted ""source"""`, 1))
	f.Add("target,year,observed,sd,metric,aggregation,source\n")
	f.Fuzz(func(t *testing.T, text string) {
		targets, err := ParseTargets("targets.csv", []byte(text))
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "targets.csv") {
				t.Fatalf("want one line naming the file: %q", msg)
			}
			return
		}
		for _, tg := range targets {
			if math.IsNaN(tg.Observed) || math.IsInf(tg.Observed, 0) || !(tg.SD > 0) || math.IsInf(tg.SD, 0) ||
				strings.TrimSpace(tg.Source) == "" || tg.Line < 1 {
				t.Fatalf("accepted %+v", tg)
			}
		}
	})
}

// FuzzParseCalibration: any calibration text is either refused with one line or accepted
// with a configuration the engine takes.
func FuzzParseCalibration(f *testing.F) {
	f.Add(smallCalibration)
	f.Add(smallCalibration + "observation_error: none\ndistance: absolute-z\nalpha: 0.3\n")
	dir := writeFiles(f, map[string]string{"small.yaml": smallScenario, "targets.csv": smallTargets})
	f.Fuzz(func(t *testing.T, text string) {
		file, err := Parse(filepath.Join(dir, "c.yaml"), []byte(text))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a message of more than one line: %q", err)
			}
			return
		}
		if err := file.Config.Validate(); err != nil {
			t.Fatalf("accepted a configuration the engine refuses: %v", err)
		}
		if len(file.Simulator.windows) != len(file.Config.Targets) || len(file.Simulator.Keys) != len(file.Config.Params) {
			t.Fatalf("%d windows for %d targets, %d keys for %d parameters", len(file.Simulator.windows),
				len(file.Config.Targets), len(file.Simulator.Keys), len(file.Config.Params))
		}
	})
}
