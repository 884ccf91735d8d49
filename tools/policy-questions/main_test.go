package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/experiment"
)

// writeExperiment writes a finished experiment by hand: 40 futures, two factors (the
// first from a posterior, x = (p + 0.5)/40; the second an open assumption that decides
// nothing), the status quo and two policies, and outputs whose effects are planted:
//   - homicides_2029: kingpin lowers them by 10 where collapse_probability > 0.7 (the
//     last 12 points, 30%) and raises them by 20 elsewhere; the status quo's level is
//     1,000 everywhere;
//   - overdose_deaths_2029: kingpin lowers them by 5 everywhere;
//   - every other effect is 0.
func writeExperiment(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const n = 40
	scen := []string{"status-quo", "kingpin", "boat-strikes"}
	outs := []string{"homicides_2026", "homicides_2029", "homicides_2033", "overdose_deaths_2029"}
	m := experiment.Manifest{Points: n, Replicates: 2, Complete: true,
		Design: experiment.ManifestDesign{Name: "t", Kind: experiment.LatinHypercube, Posterior: "post.csv"},
		Factors: []experiment.ManifestFactor{
			{Key: "fragmentation.collapse_probability", Range: []float64{0, 1}, Scale: "posterior"},
			{Key: "economy.rebuild_weeks", Range: []float64{1, 52}, Scale: "uniform"},
		}}
	for _, s := range scen {
		file := filepath.Join(dir, s+".yaml")
		if err := os.WriteFile(file, []byte("name: "+s+"\ndescription: the "+s+" scenario\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		m.Scenarios = append(m.Scenarios, experiment.ManifestScenario{Name: s, File: file})
	}
	for _, o := range outs {
		i := strings.LastIndex(o, "_")
		m.Outputs = append(m.Outputs, experiment.ManifestOutput{Name: o, Metric: o[:i], Window: "mean over " + o[i+1:]})
	}
	data, _ := json.Marshal(m)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(experiment.ManifestFile, string(data))
	design := "point,fragmentation.collapse_probability,economy.rebuild_weeks\n"
	effects := "point,output,scenario,versus,replicates,diff,diff_lo95,diff_hi95\n"
	results := "point,scenario,replicate,output,value\n"
	for p := range n {
		x := (float64(p) + 0.5) / n
		design += fmt.Sprintf("%d,%v,%v\n", p, x, 1+float64((p*17)%n)*51/n)
		for _, o := range outs {
			for r := range 2 {
				results += fmt.Sprintf("%d,status-quo,%d,%s,1000\n", p, r, o)
			}
		}
		for _, o := range outs {
			for _, s := range scen[1:] {
				d := 0.0
				switch {
				case s == "kingpin" && o == "homicides_2029" && x > 0.7:
					d = -10
				case s == "kingpin" && o == "homicides_2029":
					d = 20
				case s == "kingpin" && o == "overdose_deaths_2029":
					d = -5
				}
				effects += fmt.Sprintf("%d,%s,%s,status-quo,2,%v,%v,%v\n", p, o, s, d, d, d)
			}
		}
	}
	write(experiment.DesignFile, design)
	write(experiment.EffectsFile, effects)
	write(experiment.ResultsFile, results)
	return dir
}

func TestAnswersFromPlantedEffects(t *testing.T) {
	dir := writeExperiment(t)
	doc := filepath.Join(t.TempDir(), "results.md")
	before := "# Results\n\nhand-written\n" + beginMarker + "\nold text\n" + endMarker + "\nafter\n"
	if err := os.WriteFile(doc, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, doc, []string{"homicides", "overdose_deaths"}, 0); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(doc)
	got := string(b)
	for _, want := range []string{
		"# Results\n\nhand-written\n" + beginMarker + "\n", // the text outside the markers kept
		endMarker + "\nafter\n",
		"in **40 plausible futures**",
		"the 1 fitted to the recorded history", "the 1 assumptions",
		"#### kingpin\n\n*the kingpin scenario.*",
		"#### boat-strikes", // every policy of the experiment, none listed in the tool
		// 28 effects of +20 and 12 of -10: median +20, +2.0% of 1,000; the 5% quantile
		// (type 7, h = 39 x 0.05 = 1.95) is -10, the 95% +20. The middle year of 2026,
		// 2029 and 2033 is 2029.
		"2029 +20 (+2.0%; 90% of futures -10 to +20)",
		"In 2029 it lowers them in 30% [",
		"and raises them in 70% [",
		// The planted box: collapse probability above 0.7, halfway between the last point
		// cut off (0.6875) and the first kept (0.7125), holding all 12 futures.
		"**Depends on:** it lowers them mainly where collapse probability (chance a group without a lieutenant collapses when its leader is removed; from the calibrated posterior) is above 0.7 (12 of the 12 futures where it lowers them lie there; there it lowers them in 100%).",
		"**Overdose deaths in the US** (a week): 2029 -5 (-0.5%; 90% of futures -5 to -5).",
		"It lowers them in every future where it changes them: no parameter decides it.",
		"| policy | homicides, a week | overdose deaths, a week |",
		"| kingpin | +20 (70%) | -5 (0%) |",
		"| boat-strikes | 0 (0%) | 0 (0%) |",
		"It leaves them unchanged in every future.",
		"2026 0 (90% of futures 0 to 0); 2029 +20",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old text") || strings.Contains(got, "rebuild weeks") {
		t.Errorf("the old text or the factor that decides nothing is left:\n%s", got)
	}
}

func TestErrors(t *testing.T) {
	dir := writeExperiment(t)
	doc := filepath.Join(t.TempDir(), "results.md")
	os.WriteFile(doc, []byte("no markers\n"), 0o644)
	if err := run(dir, doc, []string{"homicides"}, 0); err == nil || !strings.Contains(err.Error(), "want a line "+beginMarker) {
		t.Errorf("no markers: %v", err)
	}
	os.WriteFile(doc, []byte(beginMarker+"\n"+endMarker+"\n"), 0o644)
	if err := run(dir, doc, []string{"supply"}, 0); err == nil || !strings.Contains(err.Error(), "no output is a year's mean of supply") {
		t.Errorf("a metric the experiment lacks: %v", err)
	}
	if err := run(dir, doc, []string{"homicides", "overdose_deaths"}, 2026); err == nil || !strings.Contains(err.Error(), "no output is the mean of overdose_deaths over 2026") {
		t.Errorf("a year a metric lacks: %v", err)
	}
	if err := run(t.TempDir(), doc, []string{"homicides"}, 0); err == nil || !strings.Contains(err.Error(), "not an experiment directory") {
		t.Errorf("not an experiment: %v", err)
	}
}

// A future whose world ran away (experiment.json's runaways, NaN results and effects) is
// left out: the answers are the 40 planted futures' and say that one was set aside.
func TestRunawayFutureSetAside(t *testing.T) {
	dir := writeExperiment(t)
	var m experiment.Manifest
	data, _ := os.ReadFile(filepath.Join(dir, experiment.ManifestFile))
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m.Points++
	m.Runaways = []experiment.Runaway{{Point: 40, Scenario: "kingpin", Week: 300, Quantity: "groups"}}
	data, _ = json.Marshal(m)
	appendTo := func(name, text string) {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		f.WriteString(text)
	}
	os.WriteFile(filepath.Join(dir, experiment.ManifestFile), data, 0o644)
	appendTo(experiment.DesignFile, "40,0.99,3\n")
	for _, o := range m.Outputs {
		for r := range 2 {
			appendTo(experiment.ResultsFile, fmt.Sprintf("40,status-quo,%d,%s,NaN\n", r, o.Name))
		}
		for _, s := range m.Scenarios[1:] {
			appendTo(experiment.EffectsFile, fmt.Sprintf("40,%s,%s,status-quo,0,NaN,NaN,NaN\n", o.Name, s.Name))
		}
	}
	doc := filepath.Join(t.TempDir(), "results.md")
	os.WriteFile(doc, []byte(beginMarker+"\n"+endMarker+"\n"), 0o644)
	if err := run(dir, doc, []string{"homicides", "overdose_deaths"}, 0); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(doc)
	for _, want := range []string{
		"in **40 plausible futures**",
		"2029 +20 (+2.0%; 90% of futures -10 to +20)",
		"grew past its caps): 1. They are left out of every answer",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("missing %q in:\n%s", want, b)
		}
	}
}
