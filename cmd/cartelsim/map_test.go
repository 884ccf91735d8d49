package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cartelsim map` as a user meets it: the files it wrote on stdout, bad input as one line
// on stderr with status 2.
func TestMapCommand(t *testing.T) {
	run := t.TempDir()
	states := "scenario,year,state,name,metric,mean,sd,p05,p50,p95\n" +
		"toy,2030,SIN,Sinaloa,homicide_rate,50,1,49,50,51\n" +
		"toy,2030,CHH,Chihuahua,homicide_rate,20,1,19,20,21\n" +
		"toy,2031,SIN,Sinaloa,homicide_rate,40,1,39,40,41\n"
	if err := os.WriteFile(filepath.Join(run, "states.csv"), []byte(states), 0o644); err != nil {
		t.Fatal(err)
	}
	noGeo := t.TempDir()
	out := filepath.Join(t.TempDir(), "sin.svg")
	for _, c := range []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{[]string{"map", run}, 0, filepath.Join(run, "plots", "map_homicide_rate_2031.png") + "\n" + filepath.Join(run, "plots", "map_homicide_rate_2031.svg") + "\n", ""},
		{[]string{"map", run, "--year", "2030", "--out", out}, 0, out + "\n", ""},
		{[]string{"map", run, "--year", "2040"}, 2, "", "cartelsim map: sim: " + filepath.Join(run, "states.csv") + " has no year 2040: its years are 2030 to 2031\n"},
		{[]string{"map", run, "--metric", "labs"}, 2, "", "cartelsim map: sim: " + filepath.Join(run, "states.csv") + " has no rows of metric labs: its metrics are homicide_rate\n"},
		{[]string{"map", run, "--metric", "homicide"}, 2, "", "cartelsim map: --metric \"homicide\": want one of homicides, homicide_rate, deaths, civilian_casualties, labs, groups_present, members, dominant_group\n"},
		{[]string{"map", run, "--out", "map.pdf"}, 2, "", "cartelsim map: --out \"map.pdf\": want a .png or .svg file\n"},
		{[]string{"map", run, "--year", "-3"}, 2, "", "cartelsim map: --year -3: want a calendar year\n"},
		{[]string{"map"}, 2, "", "cartelsim map: map takes one run directory, got 0 arguments\n"},
		{[]string{"map", noGeo}, 2, "", "cartelsim map: sim: " + filepath.Join(noGeo, "states.csv") + ": no such file: maps need the states.csv of a run whose world has geography\n"},
	} {
		var stdout, stderr bytes.Buffer
		status := cli(c.args, &stdout, &stderr)
		if status != c.status || stdout.String() != c.stdout || stderr.String() != c.stderr {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want %d, %q, %q", strings.Join(c.args, " "), status, stdout.String(), stderr.String(), c.status, c.stdout, c.stderr)
		}
	}
	for _, f := range []string{filepath.Join(run, "plots", "map_homicide_rate_2031.png"), out} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if entries, _ := os.ReadDir(noGeo); len(entries) != 0 {
		t.Errorf("a failed map left %d files in the run directory", len(entries))
	}
}
