package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cartelsim report on a run directory writes the page, naming the assumptions of the
// sections the scenario uses (read from the scenario file the manifest names), and
// refuses bad input with one line and status 2.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // the manifest names the scenario file as given, relative to here
	writeFile(t, dir, "small.yaml", smallScenario)
	var stdout, stderr bytes.Buffer
	if status := cli([]string{"run", "small.yaml", "--out", "run", "-q", "-j", "2"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("run: status %d: %s", status, stderr.String())
	}
	stdout.Reset()
	if status := cli([]string{"report", "run", "--out", "report.html"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("report: status %d: %s", status, stderr.String())
	}
	if got, want := stdout.String(), "wrote report.html: the run in run on one page\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	page, err := os.ReadFile("report.html")
	if err != nil {
		t.Fatal(err)
	}
	// small.yaml has no fragmentation section: its core parameters only.
	if !strings.Contains(string(page), "<code>parameters.intelligence</code>") || strings.Contains(string(page), "<code>fragmentation.") {
		t.Error("the assumptions are not those of the sections small.yaml uses")
	}
	if strings.Contains(string(page), "could not be read") {
		t.Error("the scenario file was not read")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 { // small.yaml, run, report.html: no temporary file left
		t.Errorf("%d entries in the working directory, want 3", len(entries))
	}

	// A changed scenario file is not taken for the one that ran.
	writeFile(t, dir, "small.yaml", smallScenario+"fragmentation: {}\n")
	if status := cli([]string{"report", "run", "--out", "report.html", "--force"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("report --force: status %d: %s", status, stderr.String())
	}
	if page, _ := os.ReadFile("report.html"); !strings.Contains(string(page), "small.yaml could not be read (it has changed since the run)") {
		t.Error("a changed scenario file is not reported")
	}

	// A comparison, for --year.
	writeFile(t, dir, "b.yaml", strings.Replace(smallScenario, "name: small", "name: b", 1))
	if status := cli([]string{"compare", "small.yaml", "b.yaml", "--out", "cmp", "-q", "-j", "2"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("compare: status %d: %s", status, stderr.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "missing", "--out", "x.html"}, "cartelsim report: missing: no such directory"},
		{[]string{"report", ".", "--out", "x.html"}, "cartelsim report: . is not a run, comparison or experiment directory (it has no manifest.json, comparison.json or experiment.json)"},
		{[]string{"report", "small.yaml", "--out", "x.html"}, "cartelsim report: small.yaml is a file, not a run, comparison or experiment directory"},
		{[]string{"report", "run", "--out", "report.html"}, "cartelsim report: --out report.html exists (--force replaces it)"},
		{[]string{"report", "run", "--out", "run"}, "cartelsim report: --out run is a directory: want the HTML file to write"},
		{[]string{"report", "run", "--out", filepath.Join("nowhere", "x.html")}, "cartelsim report: --out nowhere/x.html: no directory nowhere to write it in"},
		{[]string{"report", "run"}, "cartelsim report: report needs --out FILE.html"},
		{[]string{"report", "--out", "x.html"}, "cartelsim report: report takes one directory (a run, comparison or experiment), got 0 arguments"},
		{[]string{"report", "run", "--out", "x.html", "--year", "2030"}, "cartelsim report: year 2030 is outside the run (2012-01-01 to 2012-12-30)"},
		{[]string{"report", "cmp", "--out", "x.html", "--year", "2012"}, "cartelsim report: --year is for a run; cmp holds a comparison"},
	} {
		stderr.Reset()
		if status := cli(c.args, &stdout, &stderr); status != exitUsage || stderr.String() != c.want+"\n" {
			t.Errorf("%q: status %d, stderr %q; want 2 and %q", c.args, status, stderr.String(), c.want)
		}
	}
	if _, err := os.Stat("x.html"); err == nil {
		t.Error("a refused report wrote its file")
	}
}
