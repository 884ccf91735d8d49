package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

func testScenario(t testing.TB, replicates int) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ParseScenario("test.yaml", []byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	sc.Replicates = replicates
	return sc
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Same scenario, seed and replicates give the same bytes whatever the worker count.
func TestOutputsIdenticalAcrossWorkerCounts(t *testing.T) {
	sc := testScenario(t, 24)
	dirs := map[int]string{}
	for _, workers := range []int{1, 4, 3} {
		dirs[workers] = filepath.Join(t.TempDir(), "out")
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dirs[workers], Workers: workers}); err != nil {
			t.Fatal(err)
		}
	}
	files := []string{TimeseriesFile, CumulativeFile, EventsFile, ReplicatesFile, "plots/members.png", "plots/deaths.svg"}
	for _, name := range files {
		one := readFile(t, filepath.Join(dirs[1], name))
		for _, w := range []int{4, 3} {
			if !bytes.Equal(one, readFile(t, filepath.Join(dirs[w], name))) {
				t.Errorf("%s differs between 1 and %d workers", name, w)
			}
		}
	}
	// A different seed gives different results (the seed is used).
	sc.Seed++
	other := filepath.Join(t.TempDir(), "out")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: other, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(readFile(t, filepath.Join(dirs[1], TimeseriesFile)), readFile(t, filepath.Join(other, TimeseriesFile))) {
		t.Error("seeds 42 and 43 gave the same time series")
	}
}

// The tables have the documented layout, and their numbers agree with each other: the
// time series' mean in the last week is the mean of the replicates' final values.
func TestOutputTablesConsistent(t *testing.T) {
	sc := testScenario(t, 10)
	dir := filepath.Join(t.TempDir(), "out")
	m, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, TimeseriesFile)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ts[0], ","); got != "scenario,week,date,metric,mean,sd,p05,p25,p50,p75,p95" {
		t.Fatalf("timeseries header %q", got)
	}
	if len(ts) != 1+104*int(model.NumMetrics) {
		t.Errorf("%d rows, want %d", len(ts)-1, 104*int(model.NumMetrics))
	}
	if ts[1][1] != "1" || ts[1][2] != "2012-01-08" || ts[1][3] != "members" {
		t.Errorf("first row %v, want week 1 ending 2012-01-08, members", ts[1])
	}
	reps, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, ReplicatesFile)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reps[0], ","); got != "scenario,replicate,metric,final,mean,min,max,sum" {
		t.Fatalf("replicates header %q", got)
	}
	sumFinal := 0.0
	for _, row := range reps[1:] {
		if row[2] == "members" {
			v, _ := strconv.ParseFloat(row[3], 64)
			sumFinal += v
		}
	}
	for _, row := range ts {
		if row[1] == "104" && row[3] == "members" {
			mean, _ := strconv.ParseFloat(row[4], 64)
			if d := mean - sumFinal/10; d > 1e-6 || d < -1e-6 {
				t.Errorf("week 104 mean members %v, replicates' final mean %v", mean, sumFinal/10)
			}
			p05, _ := strconv.ParseFloat(row[6], 64)
			p95, _ := strconv.ParseFloat(row[10], 64)
			if !(p05 <= mean && mean <= p95) {
				t.Errorf("mean %v outside p05-p95 [%v, %v]", mean, p05, p95)
			}
		}
	}
	var man Manifest
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, ManifestFile)), &man); err != nil {
		t.Fatal(err)
	}
	if !man.Complete || man.Seed != 42 || man.Replicates != 10 || man.Workers != 2 || man.Scenario.SHA256 != sc.SHA256 ||
		len(man.Metrics) != int(model.NumMetrics) || man.Metrics[0].Name != "members" || len(m.Files) != 5+2*len(PlotMetrics) || m.Files[1] != CumulativeFile || m.Files[2] != EventsFile || m.Files[4] != LineageFile {
		t.Errorf("manifest %+v", man)
	}
	for _, f := range man.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("manifest lists %s: %v", f, err)
		}
	}
}

func TestMeanFieldRunsOneReplicate(t *testing.T) {
	sc := testScenario(t, 50)
	sc.Mode = model.MeanField
	m, err := Execute(context.Background(), sc, RunOptions{OutDir: filepath.Join(t.TempDir(), "o"), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m.Replicates != 1 || m.Mode != "meanfield" {
		t.Errorf("mean-field manifest: %d replicates, mode %s", m.Replicates, m.Mode)
	}
}

// An earlier run is not overwritten without force, and is replaced cleanly with it.
func TestOutputDirectoryProtection(t *testing.T) {
	sc := testScenario(t, 2)
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	_, err := Execute(context.Background(), sc, RunOptions{OutDir: dir})
	if !errors.Is(err, ErrOutputExists) {
		t.Fatalf("second run into the same directory: %v, want ErrOutputExists", err)
	}
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Force: true}); err != nil {
		t.Fatalf("with force: %v", err)
	}
	// An --out that is a file, or under one, fails clearly.
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: filepath.Join(file, "sub")}); err == nil || !strings.Contains(err.Error(), "cannot create output directory") {
		t.Errorf("out under a file: %v", err)
	}
}

// A cancelled run leaves nothing that claims completeness: no final table, and a
// manifest that says it is incomplete, beside the checkpoint that can resume it.
func TestCancelledRunLeavesNothingComplete(t *testing.T) {
	sc := testScenario(t, 400)
	dir := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	opts := RunOptions{OutDir: dir, Workers: 2, Progress: func(done, _ int) {
		if done == 3 {
			cancel()
		}
	}}
	_, err := Execute(ctx, sc, opts)
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || ie.Done < 3 || ie.Total != 400 {
		t.Fatalf("cancelled run returned %v", err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{CheckpointFile, LineageFile + partialSuffix, ManifestFile, ReplicatesFile + partialSuffix}
	if !slices.Equal(names, want) {
		t.Errorf("cancelled run left %v, want %v", names, want)
	}
	m, err := readManifest(dir)
	if err != nil || m.Complete || m.ReplicatesDone != ie.Done || m.Resume == "" || m.Workers != 2 {
		t.Errorf("manifest %+v (%v): want incomplete, %d done, 2 workers, with a resume hint", m, err, ie.Done)
	}
}

// A folder's failure (a full disk, say) stops the run with its error.
func TestRunStopsOnFolderError(t *testing.T) {
	sc := testScenario(t, 50)
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	calls := 0
	f := folderFunc(func(rep int, _ []float64) error {
		if rep != calls {
			t.Errorf("folded replicate %d, want %d (in order)", rep, calls)
		}
		calls++
		if rep == 5 {
			return boom
		}
		return nil
	})
	err = ensemble.Run(context.Background(), ensemble.Job{World: w, Weeks: 20, Replicates: 50, Seed: 1, Workers: 3}, f)
	if !errors.Is(err, boom) || calls != 6 {
		t.Errorf("error %v after %d folds, want disk full after 6", err, calls)
	}
}

type folderFunc func(int, []float64) error

func (f folderFunc) Fold(rep int, s []float64) error { return f(rep, s) }

// A group that ended in the warm-up, even in week -1 (which once meant "alive"), is
// written with its week and cause; a living one with neither.
func TestLineageRowsOfWarmUpDeaths(t *testing.T) {
	w, err := testScenario(t, 1).NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	lw := newLineageWriter(&buf, w, false)
	recs := []model.LineageRecord{
		{Parent: -1, Root: 0, BornWeek: -100, DiedWeek: -1, Cause: model.Extinct, Peak: 5},
		{Parent: -1, Root: 1, BornWeek: -100, DiedWeek: -1, Cause: model.Alive, Peak: 7},
	}
	if err := lw.FoldLineage(0, recs); err != nil || lw.Flush() != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(rows) != 2 || !strings.HasSuffix(rows[0], ",-100,-1,extinct,5,initial") || !strings.HasSuffix(rows[1], ",-100,,,7,initial") {
		t.Errorf("lineage rows %q", rows)
	}
}
