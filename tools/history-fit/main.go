// Command history-fit runs the calibrated history (scenarios/history/mexico-2006.yaml) and
// its counterfactual without kingpin campaigns, reads every target of
// data/targets/mexico-2007-2024.csv from each replicate (those the fit left out included),
// and judges the fit: the INEGI homicides 2007-2021 inside the model's 90% band, the
// correlation of the median series with them, the 2007 level, the group counts and the
// membership against their ranges, and the kingpin-minus-no-kingpin difference in mean
// homicides against each year's record; and its forecast, the homicides of the years
// after -fit-until, apart. It writes DIR/fit.csv and DIR/homicides.png (the years the
// fit left out drawn open).
//
//	go run ./tools/history-fit -replicates 200 -workers 2 -out out/history-fit
//
// docs/results.md ("Calibration") gives its numbers.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

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
	posterior := flag.String("posterior", "", "print the weighted 5%, 50% and 95% quantiles of each parameter in the last generation of this posterior.csv, and stop")
	draws := flag.String("draws", "", "a posterior.csv: run each pair of replicates at a parameter set drawn by weight from its last generation (the posterior-predictive band); without it every replicate runs at the scenario's values")
	rescore := flag.Int("rescore", 0, "with -draws: simulate the N particles of the last generation with the smallest distances, -replicates each (with -set's overrides on top), rank them by the squared-z distance of their replicates' means to the targets the calibration fitted (its calibration.json, beside the posterior) up to -fit-until (no observation error), print each, and stop")
	fitUntil := flag.Int("fit-until", 2021, "the last year of the targets the calibration fitted: the homicide years the fit is judged on (later ones are reported apart, as its forecast, and drawn open), and with -rescore the years of the distance")
	var sets setFlags
	flag.Var(&sets, "set", "KEY=VALUE: run both files with this override (repeatable; with -draws, on top of each draw), to try a value by hand")
	flag.Parse()
	if *rescore > 0 {
		if err := rescoreParticles(*kingpin, *targetsPath, *draws, *rescore, *fitUntil, *replicates, *workers, sets); err != nil {
			fmt.Fprintln(os.Stderr, "history-fit:", err)
			os.Exit(1)
		}
		return
	}
	if *posterior != "" {
		if err := quantiles(*posterior); err != nil {
			fmt.Fprintln(os.Stderr, "history-fit:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*kingpin, *none, *targetsPath, *draws, *out, *replicates, *workers, *fitUntil, sets); err != nil {
		fmt.Fprintln(os.Stderr, "history-fit:", err)
		os.Exit(1)
	}
}

// chunk is the replicates of one simulation: the values depend on it, not on -workers.
// perDraw is the replicates that share a posterior draw with -draws, as run --posterior's
// default.
const chunk, perDraw = 10, 2

// readTargets reads a targets file (data/targets/*.csv).
func readTargets(path string) ([]calibrate.Target, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return calibrate.ParseTargets(path, data)
}

// setFlags are -set's overrides, in the order given.
type setFlags struct {
	keys   []string
	values []float64
}

// over lays the overrides over the parameter sets of keys: it returns the keys to
// simulate (an override of one of keys takes its place, the others follow in the order
// given, a later one winning) and apply, which gives a set of keys' values (nil when keys
// is) the overrides' values.
func (f setFlags) over(keys []string) (all []string, apply func(theta []float64) []float64) {
	all = slices.Clone(keys)
	at := make([]int, len(f.keys))
	for i, k := range f.keys {
		if at[i] = slices.Index(all, k); at[i] < 0 {
			at[i], all = len(all), append(all, k)
		}
	}
	return all, func(theta []float64) []float64 {
		out := append(slices.Clone(theta), make([]float64, len(all)-len(theta))...)
		for i, j := range at {
			out[j] = f.values[i]
		}
		return out
	}
}

func (f *setFlags) String() string { return strings.Join(f.keys, ",") }

func (f *setFlags) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	x, err := strconv.ParseFloat(value, 64)
	if !ok || key == "" || err != nil {
		return fmt.Errorf("want KEY=NUMBER, got %q", s)
	}
	f.keys, f.values = append(f.keys, key), append(f.values, x)
	return nil
}

func run(kingpin, none, targetsPath, drawsPath, out string, replicates, workers, fitUntil int, sets setFlags) error {
	targets, err := readTargets(targetsPath)
	if err != nil {
		return err
	}
	var post *sim.Posterior
	if drawsPath != "" {
		if post, err = sim.ReadPosterior(drawsPath); err != nil {
			return err
		}
	}
	var bands [2][]calibrate.Band
	for k, path := range []string{kingpin, none} {
		s, err := calibrate.NewScenarioSimulator(path, nil, targets)
		if err != nil {
			return err
		}
		seed := s.Seed()
		keys, apply := sets.over(nil)
		fixed := apply(nil)
		size, theta := chunk, func(int) []float64 { return fixed }
		if post != nil {
			// Both files run draw d on the same chunk and stream, so their difference
			// stays paired.
			keys, apply = sets.over(post.Keys)
			size = perDraw
			theta = func(d int) []float64 { return apply(post.Particles[post.Draw(seed, d)]) }
		}
		s.Keys = keys
		values, err := s.SimulateChunksAt(context.Background(), seed, replicates, size, workers, theta)
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
	// The homicides the fit is judged on and its forecast, and in each the largest
	// |kingpin - no kingpin| over the year's record.
	var hom, forecast []calibrate.Band
	var worst [2]float64
	for t, kb := range bands[0] {
		if kb.Target.Name != "homicides" {
			continue
		}
		k := 0
		if kb.Target.Year <= fitUntil {
			hom = append(hom, kb)
		} else {
			k, forecast = 1, append(forecast, kb)
		}
		worst[k] = max(worst[k], abs(kb.Mean-bands[1][t].Mean)/kb.Target.Observed)
	}
	if len(hom) == 0 {
		return fmt.Errorf("%s has no homicide counts up to %d", targetsPath, fitUntil)
	}
	f := calibrate.FitOf(hom, "homicides")
	what, short := "at the scenario's parameters", "at the point estimate"
	if post != nil {
		draws := (replicates + perDraw - 1) / perDraw
		what = fmt.Sprintf("at %d draws from %s (%d replicates each)", draws, drawsPath, perDraw)
		short = fmt.Sprintf("over %d posterior draws", draws)
	}
	fmt.Printf("%d replicates of each scenario, %s\n", replicates, what)
	fmt.Printf("homicides %d-%d: %d of %d inside the 90%% band; r = %.3f; %d median %.0f against %.0f (ratio %.2f)\n",
		hom[0].Target.Year, fitUntil, f.Covered, f.Years, f.Correlation, hom[0].Target.Year, hom[0].P50, hom[0].Target.Observed, f.FirstRatio)
	if len(forecast) > 0 {
		fc := calibrate.FitOf(forecast, "homicides")
		ratios := make([]string, len(forecast))
		for i, b := range forecast {
			ratios[i] = fmt.Sprintf("%d %.2f", b.Target.Year, b.P50/b.Target.Observed)
		}
		fmt.Printf("homicides %d-%d (not fitted): %d of %d inside the 90%% band; median against the record: %s\n",
			forecast[0].Target.Year, forecast[len(forecast)-1].Target.Year, fc.Covered, fc.Years, strings.Join(ratios, ", "))
	}
	for _, kb := range bands[0] {
		tg := kb.Target
		if tg.Name == "homicides" {
			continue
		}
		prec := 0 // counts of groups and members; two decimals for the network's degrees
		if tg.Observed < 10 {
			prec = 2
		}
		fmt.Printf("%s %d: median %.*f (90%% band %.*f-%.*f) against %g +- %g\n", tg.Name, tg.Year, prec, kb.P50, prec, kb.P05, prec, kb.P95, tg.Observed, tg.SD)
	}
	fmt.Printf("kingpin minus no kingpin, mean homicides: largest |difference| %.2f of the year's record %d-%d", worst[0], hom[0].Target.Year, fitUntil)
	if len(forecast) > 0 {
		fmt.Printf(", %.2f %d-%d (not fitted)", worst[1], forecast[0].Target.Year, forecast[len(forecast)-1].Target.Year)
	}
	fmt.Println()
	return calibrate.WriteBandPlot(filepath.Join(out, "homicides.png"), "homicides",
		fmt.Sprintf("homicides: calibrated history, %d replicates %s, and INEGI", replicates, short), append(hom, forecast...), fitUntil)
}

// quantiles prints each parameter's weighted quantiles in the last generation of a
// calibration's posterior.csv, by the calibrator's rule (gonum's empirical quantile).
func quantiles(path string) error {
	g, err := sim.ReadPosterior(path)
	if err != nil {
		return err
	}
	fmt.Printf("generation %d, %d particles: weighted 5%%, 50%% and 95%% quantiles\n", g.Generation, len(g.Particles))
	for k, key := range g.Keys {
		v := make([]float64, len(g.Particles))
		for i, th := range g.Particles {
			v[i] = th[k]
		}
		v, w := calibrate.SortedWeighted(v, g.Weights)
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

// fittedTargets are the labels of the targets the calibration fitted, from the
// calibration.json that cartelsim calibrate writes beside its posterior.csv: the targets
// file may hold others (checks kept out of that fit, or another fit's).
func fittedTargets(postPath string) ([]string, error) {
	path := filepath.Join(filepath.Dir(postPath), calibrate.ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-rescore needs the calibration's calibration.json beside its posterior: %w", err)
	}
	var m calibrate.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(m.Targets) == 0 {
		return nil, fmt.Errorf("%s names no targets", path)
	}
	return m.Targets, nil
}

// rescoreParticles ranks the n particles of the posterior's last generation with the
// smallest distances by the distance of the mean of replicates replicates (chunk k of
// replicates from seed+k, as SimulateChunksAt runs them) to the targets up to year until:
// a single noisy replicate's distance, which the calibration kept, says little of a
// particle in many dimensions. It prints each particle's rescored distance, the
// correlation and 2007 ratio of its mean homicides, and its values as --set flags.
// sets' overrides apply on top of every particle, to try a value by hand at the fit.
func rescoreParticles(path, targetsPath, postPath string, n, until, replicates, workers int, sets setFlags) error {
	if postPath == "" {
		return fmt.Errorf("-rescore needs -draws POSTERIOR")
	}
	all, err := readTargets(targetsPath)
	if err != nil {
		return err
	}
	fitted, err := fittedTargets(postPath)
	if err != nil {
		return err
	}
	var targets []calibrate.Target
	for _, t := range all {
		if t.Year <= until && slices.Contains(fitted, t.Label()) {
			targets = append(targets, t)
		}
	}
	g, err := sim.ReadPosterior(postPath)
	if err != nil {
		return err
	}
	type cand struct {
		d     float64
		theta []float64
	}
	var cands []cand
	for i, th := range g.Particles {
		if !slices.ContainsFunc(cands, func(o cand) bool { return slices.Equal(o.theta, th) }) {
			cands = append(cands, cand{g.Distances[i], th})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(a.d, b.d) })
	cands = cands[:min(n, len(cands))]
	s, err := calibrate.NewScenarioSimulator(path, nil, targets)
	if err != nil {
		return err
	}
	keys, apply := sets.over(g.Keys)
	s.Keys = keys
	for k := range cands {
		cands[k].theta = apply(cands[k].theta)
	}
	values, err := s.SimulateChunksAt(context.Background(), s.Seed(), replicates*len(cands), replicates, workers,
		func(k int) []float64 { return cands[k].theta })
	if err != nil {
		return err
	}
	type scored struct {
		k       int
		d, r, q float64
	}
	var out []scored
	for k := range cands {
		mean := make([]float64, len(targets))
		for _, row := range values[k*replicates : (k+1)*replicates] {
			for t, v := range row {
				mean[t] += v / float64(replicates)
			}
		}
		o := scored{k: k, d: calibrate.ZDistance(targets, values[k*replicates:(k+1)*replicates], calibrate.SquaredZ, nil)}
		var model, obs []float64
		for t, tg := range targets {
			if tg.Name == "homicides" {
				model, obs = append(model, mean[t]), append(obs, tg.Observed)
			}
		}
		o.r = stat.Correlation(model, obs, nil)
		o.q = model[0] / obs[0]
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b scored) int { return cmp.Compare(a.d, b.d) })
	fmt.Printf("the %d particles of generation %d with the smallest distances, %d replicates each, by the distance of their means (targets to %d):\n", len(cands), g.Generation, replicates, until)
	for _, o := range out {
		fmt.Printf("distance %.1f (kept at %.1f): homicides r = %.3f, 2007 ratio %.2f\n", o.d, cands[o.k].d, o.r, o.q)
	}
	best := cands[out[0].k]
	fmt.Print("best:")
	for i, key := range s.Keys {
		fmt.Printf(" --set %s=%.4g", key, best.theta[i])
	}
	fmt.Println()
	return nil
}
