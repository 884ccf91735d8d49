package experiment

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/cartelsim/cartelsim/sim/ensemble"
)

// A point's scenarios branched from their shared past give the bytes of separate runs,
// each from its own warm-up: results, effects and trajectories.
func TestBranchedPointsMatchSeparateRuns(t *testing.T) {
	d, err := LoadDesign(writeFiles(t, smallDesign))
	if err != nil {
		t.Fatal(err)
	}
	// The comparison only means something if the scenarios do share a past to branch
	// from: the policy adds a campaign from: 10, which acts from week 11 (after its
	// from), so they share weeks 1 to 10.
	for p := range d.Points {
		a, err := d.scenario(0, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := d.scenario(1, p)
		if err != nil {
			t.Fatal(err)
		}
		wa, _ := a.NewWorld()
		wb, _ := b.NewWorld()
		if got := ensemble.SharedWeeks(wa, wb, a.Clock.Weeks); got != 10 {
			t.Fatalf("point %d: the scenarios share %d weeks, want 10", p, got)
		}
	}
	run := func(separate bool, workers int) string {
		t.Helper()
		defer func(old bool) { separateRuns = old }(separateRuns)
		separateRuns = separate
		dir := t.TempDir()
		if err := runTo(t, context.Background(), d, Options{OutDir: dir, Workers: workers, Trajectories: true}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	want := run(true, 1)
	for _, workers := range []int{1, 2} {
		got := run(false, workers)
		files := []string{ResultsFile, EffectsFile}
		for p := range d.Points {
			files = append(files, filepath.Join(TrajectoriesDir, trajectoryFile(p)))
		}
		for _, f := range files {
			if !bytes.Equal(read(t, filepath.Join(got, f)), read(t, filepath.Join(want, f))) {
				t.Errorf("%d workers: branched %s differs from separate runs'", workers, f)
			}
		}
	}
}
