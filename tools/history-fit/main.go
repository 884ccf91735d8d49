// Command history-fit runs the calibrated history (scenarios/history/mexico-2006.yaml) and
// its counterfactual without kingpin campaigns, reads every target of
// data/targets/mexico-2007-2024.csv from each replicate (those the fit left out included),
// and judges the fit: the INEGI homicides 2007-2021 inside the model's 90% band, the
// correlation of the median series with them, the 2007 level, the group counts and the
// membership against their ranges, and the kingpin-minus-no-kingpin difference in mean
// homicides against each year's record. It writes DIR/fit.csv and DIR/homicides.png.
//
//	go run ./tools/history-fit -replicates 200 -workers 2 -out out/history-fit
//
// docs/results.md ("Calibration") gives its numbers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cartelsim/cartelsim/calibrate"
	"github.com/cartelsim/cartelsim/sim"
)

func main() {
	kingpin := flag.String("kingpin", "scenarios/history/mexico-2006.yaml", "the history")
	none := flag.String("counterfactual", "scenarios/history/mexico-2006-no-kingpin.yaml", "the history without campaigns")
	targetsPath := flag.String("targets", "data/targets/mexico-2007-2024.csv", "the observed values")
	replicates := flag.Int("replicates", 200, "replicates of each scenario")
	workers := flag.Int("workers", 2, "goroutines")
	out := flag.String("out", "out/history-fit", "output directory")
	flag.Parse()
	if err := run(*kingpin, *none, *targetsPath, *out, *replicates, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "history-fit:", err)
		os.Exit(1)
	}
}

// chunk is the replicates of one simulation: the values depend on it, not on -workers.
const chunk = 10

func run(kingpin, none, targetsPath, out string, replicates, workers int) error {
	data, err := os.ReadFile(targetsPath)
	if err != nil {
		return err
	}
	targets, err := calibrate.ParseTargets(targetsPath, data)
	if err != nil {
		return err
	}
	var bands [2][]calibrate.Band
	for k, path := range []string{kingpin, none} {
		s, err := calibrate.NewScenarioSimulator(path, nil, targets)
		if err != nil {
			return err
		}
		sc, err := sim.LoadScenario(path)
		if err != nil {
			return err
		}
		values, err := s.SimulateChunks(context.Background(), sc.Seed, replicates, chunk, workers)
		if err != nil {
			return err
		}
		bands[k] = calibrate.Bands(targets, values)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("target,year,observed,sd,p05,p50,p95,mean,counterfactual_mean,difference\n")
	for t, kb := range bands[0] {
		tg, nb := kb.Target, bands[1][t]
		fmt.Fprintf(&b, "%s,%d,%g,%g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", tg.Name, tg.Year, tg.Observed, tg.SD,
			kb.P05, kb.P50, kb.P95, kb.Mean, nb.Mean, kb.Mean-nb.Mean)
	}
	if err := os.WriteFile(filepath.Join(out, "fit.csv"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	var hom []calibrate.Band
	for _, kb := range bands[0] {
		if kb.Target.Name == "homicides" && kb.Target.Year <= 2021 {
			hom = append(hom, kb)
		}
	}
	f := calibrate.FitOf(hom, "homicides")
	fmt.Printf("%d replicates of each scenario\n", replicates)
	fmt.Printf("homicides 2007-2021: %d of %d inside the 90%% band; r = %.3f; 2007 median %.0f against %.0f (ratio %.2f)\n",
		f.Covered, f.Years, f.Correlation, hom[0].P50, hom[0].Target.Observed, f.FirstRatio)
	worst := 0.0
	for t, kb := range bands[0] {
		tg := kb.Target
		if tg.Name == "homicides" {
			d := kb.Mean - bands[1][t].Mean
			worst = max(worst, abs(d)/tg.Observed)
			continue
		}
		fmt.Printf("%s %d: median %.0f (90%% band %.0f-%.0f) against %g +- %g\n", tg.Name, tg.Year, kb.P50, kb.P05, kb.P95, tg.Observed, tg.SD)
	}
	fmt.Printf("kingpin minus no kingpin, mean homicides: largest |difference| %.2f of the year's record\n", worst)
	return calibrate.WriteBandPlot(filepath.Join(out, "homicides.png"), "homicides",
		fmt.Sprintf("homicides: calibrated history, %d replicates (90%% band, median) and INEGI", replicates), hom)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
