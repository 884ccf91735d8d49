package experiment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/cartelsim/cartelsim/sim"
)

// Two small scenarios: a reference and one with an extra incapacitation campaign.
const (
	refScenario = `name: ref
start: 2012-01-01
weeks: 30
replicates: 2
seed: 7
interventions:
  - {kind: incapacitation, from: 5, intensity: 0.5, actor: joint}
`
	policyScenario = `name: policy
start: 2012-01-01
weeks: 30
replicates: 2
seed: 7
interventions:
  - {kind: incapacitation, from: 5, intensity: 0.5, actor: joint}
  - {kind: incapacitation, from: 10, intensity: 1, actor: joint}
`
	smallDesign = `name: small
scenarios: [ref.yaml, policy.yaml]
factors:
  - key: parameters.recruitment
    range: [0.002, 0.003]
  - key: interventions[1].intensity
    range: [0, 2]
    scenarios: [policy]
design: latin-hypercube
points: 5
replicates: 3
seed: 11
outputs:
  - {metric: members, year: 2012}
  - {name: homicides_w20, metric: homicides, at: 2012-05-20}
`
)

// writeFiles writes the scenarios and the design (with the given text) into a new
// directory and returns the design's path.
func writeFiles(t *testing.T, design string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"ref.yaml": refScenario, "policy.yaml": policyScenario, "design.yaml": design} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "design.yaml")
}

func TestBadDesigns(t *testing.T) {
	tests := []struct {
		name, old, new string
		where, want    string // the error's file:line and a part of its message
	}{
		{"unknown factor", "key: parameters.recruitment", "key: parameters.recruitmnet", "design.yaml:4", "parameters.recruitmnet"},
		{"empty range", "range: [0.002, 0.003]", "range: [0.003, 0.003]", "design.yaml:5", "empty range"},
		{"more points than the grid allows", "design: latin-hypercube\npoints: 5", "design: grid\nlevels: 2\npoints: 5", "design.yaml:11", "more points than the design allows"},
		{"a factor the scenario lacks", "    scenarios: [policy]\n", "", "design.yaml:6", "scenario ref"},
		{"unknown metric", "metric: members", "metric: membres", "design.yaml:14", "unknown metric \"membres\" (did you mean members? "},
		{"unknown design", "design: latin-hypercube", "design: latin-square", "design.yaml:9", "unknown design"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(smallDesign, tt.old, tt.new, 1)
			if text == smallDesign {
				t.Fatal("the replacement did not apply")
			}
			_, err := LoadDesign(writeFiles(t, text))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tt.where+":") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q: want one line naming %s and %q", msg, tt.where, tt.want)
			}
		})
	}
}

func TestCSVDesignErrors(t *testing.T) {
	design := strings.Replace(smallDesign, "design: latin-hypercube\npoints: 5", "design: {csv: points.csv}", 1)
	for _, tt := range []struct{ name, csv, want string }{
		{"unknown column", "parameters.recruitment,interventions[1].intensity,speed\n0.002,1,3\n", "points.csv:1: speed: unknown column"},
		{"out of range", "parameters.recruitment,interventions[1].intensity\n0.002,1\n0.0025,3\n", "points.csv:3: interventions[1].intensity: 3 is outside"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFiles(t, design)
			if err := os.WriteFile(filepath.Join(filepath.Dir(path), "points.csv"), []byte(tt.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadDesign(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	// A good matrix is read as written.
	path := writeFiles(t, design)
	os.WriteFile(filepath.Join(filepath.Dir(path), "points.csv"), []byte("interventions[1].intensity,parameters.recruitment\n1.5,0.0021\n0,0.003\n"), 0o644)
	d, err := LoadDesign(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Points != 2 || d.Matrix[0][0] != 0.0021 || d.Matrix[0][1] != 1.5 || d.Matrix[1][1] != 0 {
		t.Errorf("matrix %v, want [[0.0021 1.5] [0.003 0]]", d.Matrix)
	}
}

func runTo(t *testing.T, ctx context.Context, d *Design, opts Options) error {
	t.Helper()
	_, err := Run(ctx, d, opts)
	return err
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// 1 and 2 workers, 3 shards merged and a run interrupted then resumed all give the same
// results.csv and effects.csv.
func TestResultsIdenticalAcrossWorkersShardsAndResume(t *testing.T) {
	d, err := LoadDesign(writeFiles(t, smallDesign))
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	ctx := context.Background()
	one := filepath.Join(base, "one")
	if err := runTo(t, ctx, d, Options{OutDir: one, Workers: 1, Trajectories: true}); err != nil {
		t.Fatal(err)
	}
	want := read(t, filepath.Join(one, ResultsFile))
	wantEffects := read(t, filepath.Join(one, EffectsFile))
	// An independent check of the layout: points x scenarios x replicates x outputs rows.
	if rows := bytes.Count(want, []byte("\n")) - 1; rows != 5*2*3*2 {
		t.Fatalf("results.csv has %d rows, want 5 x 2 x 3 x 2 = 60", rows)
	}

	two := filepath.Join(base, "two")
	if err := runTo(t, ctx, d, Options{OutDir: two, Workers: 2, Trajectories: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(two, ResultsFile)), want) {
		t.Error("2 workers: results.csv differs from 1 worker's")
	}

	var shards []string
	for k := range 3 {
		dir := filepath.Join(base, "shard"+string(rune('0'+k)))
		if err := runTo(t, ctx, d, Options{OutDir: dir, Workers: 2, Shard: k, Shards: 3, Trajectories: true}); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(base, "merged")
	unlock, err := sim.LockDir(merged)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(shards, MergeOptions{OutDir: merged}); err == nil || !strings.Contains(err.Error(), "in use by another cartelsim") {
		t.Errorf("a merge into a busy directory: %v", err)
	}
	unlock()
	if _, err := Merge([]string{shards[2], shards[0], shards[1]}, MergeOptions{OutDir: merged}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(merged, ResultsFile)), want) {
		t.Error("3 shards merged: results.csv differs from one run's")
	}
	if !bytes.Equal(read(t, filepath.Join(merged, EffectsFile)), wantEffects) {
		t.Error("3 shards merged: effects.csv differs from one run's")
	}

	// Interrupted after 2 points, then resumed.
	resumed := filepath.Join(base, "resumed")
	cctx, cancel := context.WithCancel(ctx)
	err = runTo(t, cctx, d, Options{OutDir: resumed, Workers: 2, Trajectories: true, Progress: func(done, _ int) {
		if done == 2 {
			cancel()
		}
	}})
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Done != 2 {
		t.Fatalf("interrupted run: %v, want an InterruptedError after 2 points", err)
	}
	if _, err := os.Stat(filepath.Join(resumed, ResultsFile)); err == nil {
		t.Fatal("an interrupted experiment left a results.csv that looks complete")
	}
	// A crash after writing rows of a third point but before its checkpoint: the rows
	// are dropped on resume.
	f, _ := os.OpenFile(filepath.Join(resumed, ResultsFile+partialSuffix), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("2,ref,0,members_2012,123\n")
	f.Close()
	if err := runTo(t, ctx, d, Options{OutDir: resumed, Workers: 1, Resume: true, Trajectories: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(resumed, ResultsFile)), want) {
		t.Error("interrupted and resumed: results.csv differs from one run's")
	}
	if !bytes.Equal(read(t, filepath.Join(resumed, EffectsFile)), wantEffects) {
		t.Error("interrupted and resumed: effects.csv differs from one run's")
	}
	for p := range d.Points {
		name := filepath.Join(TrajectoriesDir, trajectoryFile(p))
		want := read(t, filepath.Join(one, name))
		for _, dir := range []string{two, merged, resumed} {
			if !bytes.Equal(read(t, filepath.Join(dir, name)), want) {
				t.Errorf("%s: %s differs from one run's", filepath.Base(dir), name)
			}
		}
	}
}

// The trajectories read back (with the library that wrote them) give the outputs again,
// computed a second way: the value in the week ending 2012-05-20 (week 20 of a run from
// 2012-01-01) and the mean over the weeks ending in 2012 (all 30 of the run).
func TestTrajectoriesReadBack(t *testing.T) {
	d, err := LoadDesign(writeFiles(t, smallDesign))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := runTo(t, context.Background(), d, Options{OutDir: dir, Workers: 2, Trajectories: true}); err != nil {
		t.Fatal(err)
	}
	results := map[string]string{} // "point,scenario,replicate,output" -> value
	for _, l := range strings.Split(strings.TrimSpace(string(read(t, filepath.Join(dir, ResultsFile)))), "\n")[1:] {
		i := strings.LastIndexByte(l, ',')
		results[l[:i]] = l[i+1:]
	}
	for p := range d.Points {
		rows, err := parquet.ReadFile[TrajectoryRow](filepath.Join(dir, TrajectoriesDir, trajectoryFile(p)))
		if err != nil {
			t.Fatal(err)
		}
		// 2 scenarios x 3 replicates x 30 weeks x 2 metrics (members, homicides).
		if len(rows) != 2*3*30*2 {
			t.Fatalf("point %d: %d rows, want 360", p, len(rows))
		}
		sum := map[string]float64{}
		for _, r := range rows {
			key := fmt.Sprintf("%d,%s,%d,", r.Point, r.Scenario, r.Replicate)
			if r.Point != int64(p) {
				t.Fatalf("point %d's file has a row of point %d", p, r.Point)
			}
			switch {
			case r.Metric == "homicides" && r.Week == 20:
				if got := results[key+"homicides_w20"]; got != fmtG(r.Value) {
					t.Errorf("%shomicides_w20: results.csv %s, trajectories %v", key, got, r.Value)
				}
			case r.Metric == "members":
				sum[key] += r.Value
			}
		}
		for key, s := range sum {
			want, _ := strconv.ParseFloat(results[key+"members_2012"], 64)
			if math.Abs(s/30-want) > 1e-9*math.Abs(want) {
				t.Errorf("%smembers_2012: results.csv %v, mean of the trajectory %v", key, want, s/30)
			}
		}
	}
}

// Common random numbers: at a point where the policy's extra campaign has intensity 0,
// the two scenarios are the same world on the same streams, so every effect is exactly 0.
func TestCommonRandomNumbers(t *testing.T) {
	text := strings.Replace(smallDesign, "design: latin-hypercube\npoints: 5", "design: grid\nlevels: 2", 1)
	d, err := LoadDesign(writeFiles(t, text))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := runTo(t, context.Background(), d, Options{OutDir: dir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if m, err := readManifest(dir); err != nil {
		t.Error(err)
	} else if m.Build.GoVersion != runtime.Version() || m.Build.GOOS != runtime.GOOS || m.Build.GOARCH != runtime.GOARCH {
		t.Errorf("experiment.json names the build %+v, this is %s %s/%s", m.Build, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	lines := strings.Split(strings.TrimSpace(string(read(t, filepath.Join(dir, EffectsFile)))), "\n")[1:]
	if len(lines) != 4*2 {
		t.Fatalf("%d effects, want 4 points x 2 outputs", len(lines))
	}
	nonzero := 0
	for _, l := range lines {
		f := strings.Split(l, ",")
		point, diff := f[0], f[5]
		// The grid puts intensity 0 at points 0 and 2 (the last factor fastest).
		if (point == "0" || point == "2") && diff != "0" {
			t.Errorf("point %s: effect %s with the campaign at intensity 0, want exactly 0", point, diff)
		}
		if diff != "0" {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Error("no effect anywhere: the factor did not reach the policy scenario")
	}
}

// An experiment is refused in a directory that another run, merge or experiment holds,
// as a run is (TestResultsIdenticalAcrossWorkersShardsAndResume checks a merge).
func TestBusyDirectoryRefused(t *testing.T) {
	d, err := LoadDesign(writeFiles(t, smallDesign))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unlock, err := sim.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := Run(context.Background(), d, Options{OutDir: dir, Workers: 1}); err == nil || !strings.Contains(err.Error(), "in use by another cartelsim") {
		t.Errorf("an experiment into a busy directory: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the busy directory holds %d entries, want only the lock file", len(entries))
	}
}

// A run stopped after renaming results.csv.partial into place but before its manifest
// (the checkpoint still there) resumes from the renamed file.
func TestResumeAfterResultsRenamed(t *testing.T) {
	d, err := LoadDesign(writeFiles(t, smallDesign))
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	one := filepath.Join(base, "one")
	if err := runTo(t, context.Background(), d, Options{OutDir: one, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "stopped")
	ctx, cancel := context.WithCancel(context.Background())
	err = runTo(t, ctx, d, Options{OutDir: dir, Workers: 2, Progress: func(done, _ int) {
		if done == 3 {
			cancel()
		}
	}})
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("%v, want an InterruptedError", err)
	}
	if err := os.Rename(filepath.Join(dir, ResultsFile+partialSuffix), filepath.Join(dir, ResultsFile)); err != nil {
		t.Fatal(err)
	}
	if err := runTo(t, context.Background(), d, Options{OutDir: dir, Workers: 2, Resume: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, filepath.Join(dir, ResultsFile)), read(t, filepath.Join(one, ResultsFile))) {
		t.Error("resumed: results.csv differs from one run's")
	}
}

// --resume refuses a checkpoint of another design file, or of scenario files changed since.
func TestResumeRefusesChangedInputs(t *testing.T) {
	path := writeFiles(t, smallDesign)
	d, err := LoadDesign(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	err = runTo(t, ctx, d, Options{OutDir: dir, Workers: 1, Progress: func(done, _ int) { cancel() }})
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("%v, want an InterruptedError", err)
	}
	other, err := LoadDesign(writeFiles(t, strings.Replace(smallDesign, "seed: 11", "seed: 12", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := runTo(t, context.Background(), other, Options{OutDir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), "another design file") {
		t.Errorf("another design: %v", err)
	}
	ref := filepath.Join(filepath.Dir(path), "ref.yaml")
	if err := os.WriteFile(ref, []byte(refScenario+"# edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := LoadDesign(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := runTo(t, context.Background(), changed, Options{OutDir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), ref+" has changed since") {
		t.Errorf("a changed scenario: %v", err)
	}
}

// The scenario files are read once, when the design is loaded: an edit made before the
// run (as one made during it would) changes nothing of what it computes, and the
// manifest records the checksums of the bytes it ran.
func TestScenarioFilesReadOnce(t *testing.T) {
	path := writeFiles(t, smallDesign)
	d, err := LoadDesign(path)
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	want := filepath.Join(base, "before")
	if err := runTo(t, context.Background(), d, Options{OutDir: want, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(filepath.Dir(path), "ref.yaml")
	edited := strings.Replace(refScenario, "intensity: 0.5", "intensity: 2", 1)
	if err := os.WriteFile(ref, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	got := filepath.Join(base, "after")
	if err := runTo(t, context.Background(), d, Options{OutDir: got, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ResultsFile, EffectsFile} {
		if !bytes.Equal(read(t, filepath.Join(got, f)), read(t, filepath.Join(want, f))) {
			t.Errorf("%s changed with a scenario file edited after the design was loaded", f)
		}
	}
	m, err := readManifest(got)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	wantFiles := []ManifestSource{
		{File: filepath.ToSlash(ref), SHA256: sum(refScenario)},
		{File: filepath.ToSlash(filepath.Join(filepath.Dir(path), "policy.yaml")), SHA256: sum(policyScenario)},
	}
	if !slices.Equal(m.ScenarioFiles, wantFiles) {
		t.Errorf("manifest's scenario files %+v, want %+v", m.ScenarioFiles, wantFiles)
	}
}

// A point whose world runs away is an outcome, not a failure: recruitment of 3 a week
// (members about quadrupled weekly) passes the guard's cap of a hundred million members
// within weeks (from the default world's 115,000: 4^5 > 1,000), so point 1 of this grid runs away
// and points 0 and 2 (0.002 and 0.0025 a week, the registry's range) do not. Its rows
// are NaN for every scenario, replicate and output, its effects NaN with no replicate,
// its trajectories file empty; the manifest names it, with its factor values; and all
// of it is the same with 1 or 2 workers, 2 shards merged, or interrupted and resumed.
func TestRunawayPointRecorded(t *testing.T) {
	design := `name: runaway
scenarios: [ref.yaml, policy.yaml]
factors:
  - key: parameters.recruitment
    levels: [0.002, 3, 0.0025]
design: grid
replicates: 2
seed: 11
outputs:
  - {metric: members, year: 2012}
  - {name: homicides_w20, metric: homicides, at: 2012-05-20}
`
	d, err := LoadDesign(writeFiles(t, design))
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	ctx := context.Background()
	one := filepath.Join(base, "one")
	m, err := Run(ctx, d, Options{OutDir: one, Workers: 1, Trajectories: true})
	if err != nil {
		t.Fatalf("a design with a runaway point: %v, want it run to the end", err)
	}
	if len(m.Runaways) != 1 {
		t.Fatalf("runaways %+v, want point 1 alone", m.Runaways)
	}
	r := m.Runaways[0]
	if r.Point != 1 || r.Scenario != "ref" || r.Quantity != "members" || r.Week < 1 || r.Week > 30 || r.Factors != "parameters.recruitment=3" {
		t.Errorf("runaway %+v, want point 1, ref (the first scenario, which shares its weeks), members, a week of the run, recruitment=3", r)
	}
	if got, err := readManifest(one); err != nil || !slices.Equal(got.Runaways, m.Runaways) {
		t.Errorf("experiment.json's runaways %+v (%v), want %+v", got.Runaways, err, m.Runaways)
	}
	results := string(read(t, filepath.Join(one, ResultsFile)))
	for _, l := range strings.Split(strings.TrimSpace(results), "\n")[1:] {
		nan := strings.HasSuffix(l, ",NaN")
		if nan != strings.HasPrefix(l, "1,") {
			t.Errorf("results.csv row %q: NaN at point 1 and only there", l)
		}
	}
	if n := strings.Count(results, ",NaN\n"); n != 2*2*2 {
		t.Errorf("%d NaN rows, want 2 scenarios x 2 replicates x 2 outputs", n)
	}
	effects := string(read(t, filepath.Join(one, EffectsFile)))
	for _, l := range strings.Split(strings.TrimSpace(effects), "\n")[1:] {
		if strings.HasPrefix(l, "1,") != strings.HasSuffix(l, ",0,NaN,NaN,NaN") {
			t.Errorf("effects.csv row %q: no replicate and NaN at point 1 and only there", l)
		}
	}
	rows, err := parquet.ReadFile[TrajectoryRow](filepath.Join(one, TrajectoriesDir, trajectoryFile(1)))
	if err != nil || len(rows) != 0 {
		t.Errorf("point 1's trajectories: %d rows (%v), want an empty file", len(rows), err)
	}

	two := filepath.Join(base, "two")
	if err := runTo(t, ctx, d, Options{OutDir: two, Workers: 2, Trajectories: true}); err != nil {
		t.Fatal(err)
	}
	var shards []string
	for k := range 2 {
		dir := filepath.Join(base, "shard"+strconv.Itoa(k))
		if err := runTo(t, ctx, d, Options{OutDir: dir, Workers: 2, Shard: k, Shards: 2, Trajectories: true}); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(base, "merged")
	if _, err := Merge(shards, MergeOptions{OutDir: merged}); err != nil {
		t.Fatal(err)
	}
	resumed := filepath.Join(base, "resumed")
	cctx, cancel := context.WithCancel(ctx)
	err = runTo(t, cctx, d, Options{OutDir: resumed, Workers: 1, Trajectories: true, Progress: func(done, _ int) {
		if done == 2 { // after the runaway point
			cancel()
		}
	}})
	if ie, ok := errors.AsType[*InterruptedError](err); !ok || ie.Done != 2 {
		t.Fatalf("interrupted run: %v, want an InterruptedError after 2 points", err)
	}
	if err := runTo(t, ctx, d, Options{OutDir: resumed, Workers: 2, Resume: true, Trajectories: true}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{two, merged, resumed} {
		for _, f := range []string{ResultsFile, EffectsFile, filepath.Join(TrajectoriesDir, trajectoryFile(1))} {
			if !bytes.Equal(read(t, filepath.Join(dir, f)), read(t, filepath.Join(one, f))) {
				t.Errorf("%s: %s differs from one run's", filepath.Base(dir), f)
			}
		}
		if got, err := readManifest(dir); err != nil || !slices.Equal(got.Runaways, m.Runaways) {
			t.Errorf("%s: runaways %+v (%v), want %+v", filepath.Base(dir), got.Runaways, err, m.Runaways)
		}
	}
}
