package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// run --posterior with a posterior whose column the scenario does not take is refused
// with docs/bad-input.md's message and exit status 2, before anything is written; a good
// posterior writes the run with posterior_draws.csv and variance.csv.
func TestRunPosterior(t *testing.T) {
	doc, err := os.ReadFile("../../docs/bad-input.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("\\| A posterior with a parameter the scenario does not take \\| [^|]+ \\| `([^`]+)`").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/bad-input.md has no row for a posterior the scenario does not take")
	}
	t.Chdir(t.TempDir())
	small := "name: small\nstart: 2012-01-01\nweeks: 60\nreplicates: 4\nseed: 7\n"
	header := "generation,particle,weight,distance,"
	for name, text := range map[string]string{"small.yaml": small,
		"posterior.csv": header + "parameters.recruitmnet\n0,0,1,0,0.0025\n",
		"good.csv":      header + "parameters.recruitment\n0,0,1,0,0.0020\n1,0,1,0,0.0024\n1,1,1,0,0.0028\n"} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	status := cli([]string{"run", "small.yaml", "--posterior", "posterior.csv", "--out", "o", "-q"}, &stdout, &stderr)
	if got := strings.TrimSpace(stderr.String()); status != 2 || got != string(m[1]) {
		t.Errorf("status %d, stderr %q; want 2, %q", status, got, m[1])
	}
	if _, err := os.Stat("o"); !os.IsNotExist(err) {
		t.Errorf("the refused run left its directory (%v)", err)
	}
	stderr.Reset()
	if status := cli([]string{"run", "small.yaml", "--posterior", "good.csv", "--out", "good", "-q", "--workers", "2"}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	draws, err := os.ReadFile(filepath.Join("good", "posterior_draws.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(draws), "\n"); lines != 5 || !strings.HasPrefix(string(draws), "replicate,draw,particle,parameters.recruitment\n0,0,") {
		t.Errorf("posterior_draws.csv: want a header and 4 replicates, got\n%s", draws)
	}
	if _, err := os.Stat(filepath.Join("good", "variance.csv")); err != nil {
		t.Error(err)
	}
}
