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
	"cmp"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/cartelsim/cartelsim/calibrate"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

func main() {
	kingpin := flag.String("kingpin", "scenarios/history/mexico-2006.yaml", "the history")
	none := flag.String("counterfactual", "scenarios/history/mexico-2006-no-kingpin.yaml", "the history without campaigns")
	targetsPath := flag.String("targets", "data/targets/mexico-2007-2024.csv", "the observed values")
	replicates := flag.Int("replicates", 200, "replicates of each scenario")
	workers := flag.Int("workers", 2, "goroutines")
	out := flag.String("out", "out/history-fit", "output directory")
	posterior := flag.String("posterior", "", "print the weighted 5%, 50% and 95% quantiles of each parameter in the last generation of this posterior.csv, and stop")
	flag.Parse()
	if *posterior != "" {
		if err := quantiles(*posterior); err != nil {
			fmt.Fprintln(os.Stderr, "history-fit:", err)
			os.Exit(1)
		}
		return
	}
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
		sc, err := scenario.LoadScenario(path)
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

// quantiles prints each parameter's weighted quantiles in the last generation of a
// calibration's posterior.csv (generation,particle,weight,distance, then the parameters),
// by the calibrator's rule (gonum's empirical quantile).
func quantiles(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		return fmt.Errorf("%s: want a posterior.csv (%v)", path, err)
	}
	wcol := slices.Index(rows[0], "weight")
	first := slices.Index(rows[0], "distance") + 1 // the parameters follow the distance
	if wcol < 0 || first == 0 || first >= len(rows[0]) {
		return fmt.Errorf("%s: want the columns weight and distance, then the parameters", path)
	}
	last := rows[len(rows)-1][0]
	var x [][]float64 // per particle: its weight, then the parameters
	for _, r := range rows[1:] {
		if r[0] != last {
			continue
		}
		v := []float64{0}
		if v[0], err = strconv.ParseFloat(r[wcol], 64); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		for _, f := range r[first:] {
			p, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			v = append(v, p)
		}
		x = append(x, v)
	}
	fmt.Printf("generation %s, %d particles: weighted 5%%, 50%% and 95%% quantiles\n", last, len(x))
	for k, key := range rows[0][first:] {
		slices.SortFunc(x, func(a, b []float64) int { return cmp.Compare(a[k+1], b[k+1]) })
		v, w := make([]float64, len(x)), make([]float64, len(x))
		for i, p := range x {
			v[i], w[i] = p[k+1], p[0]
		}
		fmt.Printf("%-45s %-12.4g %-12.4g %-12.4g\n", key, stat.Quantile(0.05, stat.Empirical, v, w),
			stat.Quantile(0.5, stat.Empirical, v, w), stat.Quantile(0.95, stat.Empirical, v, w))
	}
	return nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
