package sim

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// posteriorFile writes a posterior.csv of two generations; the last one's particles are
// rows (weight, recruitment, lieutenant span).
func posteriorFile(t *testing.T, dir string, rows ...string) *Posterior {
	t.Helper()
	text := "generation,particle,weight,distance,parameters.recruitment,fragmentation.lieutenant_span\n" +
		"0,0,1,9,0.002,100\n" // generation 0: never drawn
	for i, r := range rows {
		text += "1," + string(rune('0'+i)) + "," + strings.Replace(r, " ", ",", 1) + "\n"
	}
	text = strings.ReplaceAll(text, ",1,w", ",1,")
	path := filepath.Join(dir, "posterior.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	post, err := ReadPosterior(path)
	if err != nil {
		t.Fatal(err)
	}
	return post
}

// posteriorOutputs runs ExecutePosterior and returns every file it lists and its two own.
func posteriorOutputs(t *testing.T, sc *scenario.Scenario, post *Posterior, perDraw, workers int) (map[string][]byte, *PosteriorRun) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	pr, err := ExecutePosterior(context.Background(), sc, post, perDraw, RunOptions{OutDir: dir, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range append(pr.Manifest.Files, PosteriorDrawsFile, VarianceFile) {
		files[f] = readFile(t, filepath.Join(dir, f))
	}
	return files, pr
}

// A run with a posterior gives the same bytes for any number of workers, and its
// replicates draw different particles.
func TestPosteriorRunSameBytesForAnyWorkers(t *testing.T) {
	dir := t.TempDir()
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": pastScenario, "future.yaml": futureScenario})
	sc, err := scenario.LoadScenario(filepath.Join(dir, "future.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	post := posteriorFile(t, dir, "1,0 0.0022,200", "2,0 0.0030,400", "1,0 0.0026,800")
	one, pr := posteriorOutputs(t, sc, post, 2, 1)
	three, _ := posteriorOutputs(t, sc, post, 2, 3)
	compareOutputs(t, "1 and 3 workers", one, three)
	seen := map[int]bool{}
	for r, k := range pr.Draws {
		seen[k] = true
		if r%2 == 1 && k != pr.Draws[r-1] {
			t.Errorf("replicates %d and %d are one draw but ran particles %d and %d", r-1, r, pr.Draws[r-1], k)
		}
	}
	if len(seen) < 2 {
		t.Errorf("every replicate drew particle %v: the test needs several", pr.Draws)
	}
	// Replicate r is replicate r of the scenario with its particle's values set.
	rows := func(data []byte, r int) string {
		var out []string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "future,"+strconv.Itoa(r)+",") {
				out = append(out, line)
			}
		}
		return strings.Join(out, "\n")
	}
	for k := range seen {
		set, err := scenario.LoadScenarioWith(sc.File, post.Overrides(k))
		if err != nil {
			t.Fatal(err)
		}
		own := runOutputs(t, set, RunOptions{Workers: 2})[ReplicatesFile]
		for r, kr := range pr.Draws {
			if kr == k && (rows(own, r) != rows(one[ReplicatesFile], r) || rows(own, r) == "") {
				t.Errorf("replicate %d (particle %d): its rows of %s are not those of the run with the particle's values set", r, k, ReplicatesFile)
			}
		}
	}
	if len(pr.Variance) == 0 || !strings.Contains(string(one[VarianceFile]), "homicides,12,future,2,") {
		t.Errorf("variance.csv lacks the homicides of week 12 (the end):\n%s", one[VarianceFile])
	}
}

// A posterior whose weight is all on one particle runs the scenario with that particle's
// values set (--set), file for file: a second way to the same run.
func TestPosteriorRunOfOneParticleIsItsSetRun(t *testing.T) {
	dir := t.TempDir()
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": pastScenario, "future.yaml": futureScenario})
	path := filepath.Join(dir, "future.yaml")
	sc, err := scenario.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	post := posteriorFile(t, dir, "0,0 0.0022,200", "3,0 0.0030,400")
	got, pr := posteriorOutputs(t, sc, post, 1, 2)
	for r, k := range pr.Draws {
		if k != 1 {
			t.Fatalf("replicate %d drew particle %d, which has no weight", r, k)
		}
	}
	set, err := scenario.LoadScenarioWith(path, []scenario.Override{{Key: "parameters.recruitment", Value: "0.0030"}, {Key: "fragmentation.lieutenant_span", Value: "400"}})
	if err != nil {
		t.Fatal(err)
	}
	want := runOutputs(t, set, RunOptions{Workers: 1})
	for _, f := range []string{PosteriorDrawsFile, VarianceFile} {
		delete(got, f)
	}
	compareOutputs(t, "the posterior's particle against --set", want, got)
}
