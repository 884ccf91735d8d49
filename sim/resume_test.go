package sim

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// runFiles are the outputs that must be byte-identical however a run was carried out
// (the manifest differs only in its times and worker count).
func runFiles(t *testing.T, dir string) []string {
	t.Helper()
	plots, err := filepath.Glob(filepath.Join(dir, PlotsDir, "*"))
	if err != nil || len(plots) == 0 {
		t.Fatalf("%s has no plots (%v)", dir, err)
	}
	files := []string{TimeseriesFile, CumulativeFile, ReplicatesFile, LineageFile, EventsFile}
	if _, err := os.Stat(filepath.Join(dir, StatesFile)); err == nil {
		files = append(files, StatesFile, DominantFile)
	}
	for _, p := range plots {
		files = append(files, filepath.Join(PlotsDir, filepath.Base(p)))
	}
	return files
}

func sameOutputs(t *testing.T, want, got string) {
	t.Helper()
	for _, name := range runFiles(t, want) {
		a, b := readFile(t, filepath.Join(want, name)), readFile(t, filepath.Join(got, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the uninterrupted run's", filepath.Join(got, name))
		}
	}
	m, err := readManifest(got)
	if err != nil || !m.Complete {
		t.Errorf("%s: manifest %+v (%v), want complete", got, m, err)
	}
	if _, err := os.Stat(filepath.Join(got, CheckpointFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s kept its checkpoint after completing", got)
	}
}

// reference runs sc in one uninterrupted pass.
func reference(t *testing.T, sc *scenario.Scenario) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "reference")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// interruptAt runs sc into dir and cancels it once `at` replicates are folded.
func interruptAt(t *testing.T, sc *scenario.Scenario, opts RunOptions, at int) *InterruptedError {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.Progress = func(done, _ int) {
		if done == at {
			cancel()
		}
	}
	_, err := Execute(ctx, sc, opts)
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("interrupted run returned %v", err)
	}
	return ie
}

// Interrupted twice and resumed, with and without periodic checkpoints, a run gives the
// bytes of an uninterrupted one; beyond ExactQuantileLimit replicates too, where the
// quantiles come from the sketch.
func TestResumeGivesIdenticalOutputs(t *testing.T) {
	for _, c := range []struct {
		name       string
		replicates int
		every      time.Duration
	}{
		{"exact quantiles", 60, -1},
		{"sketch, periodic checkpoints", ensemble.ExactQuantileLimit + 90, 400 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := testScenario(t, c.replicates)
			want := reference(t, sc)
			dir := filepath.Join(t.TempDir(), "out")
			opts := RunOptions{OutDir: dir, Workers: 2, CheckpointEvery: c.every}
			first := interruptAt(t, sc, opts, 10)
			opts.Resume = true
			second := interruptAt(t, sc, opts, c.replicates-first.Done-15)
			if second.Done <= first.Done || second.Done >= c.replicates {
				t.Fatalf("interrupted at %d, then %d of %d", first.Done, second.Done, c.replicates)
			}
			if _, err := Execute(context.Background(), sc, opts); err != nil {
				t.Fatal(err)
			}
			sameOutputs(t, want, dir)
			// Resuming a complete run changes nothing.
			if _, err := Execute(context.Background(), sc, opts); !errors.Is(err, ErrAlreadyComplete) {
				t.Errorf("resuming a complete run: %v, want ErrAlreadyComplete", err)
			}
		})
	}
}

// After a crash (no final checkpoint: the process was killed, or a write failed), the
// partial files hold rows past the last checkpoint; a resumed run cuts them off.
func TestResumeAfterCrashDiscardsRowsPastCheckpoint(t *testing.T) {
	sc := testScenario(t, 120)
	want := reference(t, sc)
	dir := filepath.Join(t.TempDir(), "out")
	crash := errors.New("crash")
	opts := RunOptions{OutDir: dir, Workers: 2, CheckpointEvery: 1 << 62, Folders: []ensemble.Folder{folderFunc(func(rep int, _ []float64) error {
		if rep == 100 {
			return crash
		}
		return nil
	})}}
	if _, err := Execute(context.Background(), sc, opts); !errors.Is(err, crash) {
		t.Fatalf("got %v, want the crash", err)
	}
	st, err := os.Stat(filepath.Join(dir, ReplicatesFile+partialSuffix))
	if err != nil || st.Size() <= int64(len(replicatesHeader)) {
		t.Fatalf("the crashed run's partial file: %v, %v; the test needs rows past the checkpoint", st, err)
	}
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2, Resume: true}); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, dir)
}

// Shards run separately, one of them interrupted and resumed, merge into the bytes of one
// run: with exact quantiles, and past ExactQuantileLimit where each shard learns the
// sketch's centres from the first replicates.
func TestShardsMergeIntoIdenticalOutputs(t *testing.T) {
	for _, c := range []struct{ replicates, shards int }{{87, 4}, {ensemble.ExactQuantileLimit + 50, 3}} {
		sc := testScenario(t, c.replicates)
		want := reference(t, sc)
		root := t.TempDir()
		var dirs []string
		for k := range c.shards {
			dir := filepath.Join(root, "shard", string(rune('a'+k)))
			dirs = append(dirs, dir)
			opts := RunOptions{OutDir: dir, Workers: 1, Shard: k, Shards: c.shards}
			if k == 1 {
				interruptAt(t, sc, opts, 5)
				opts.Resume = true
			}
			m, err := Execute(context.Background(), sc, opts)
			if err != nil {
				t.Fatal(err)
			}
			if m.Shard == nil || m.Shard.Index != k || !m.Complete {
				t.Errorf("shard %d's manifest: %+v", k, m)
			}
		}
		out := filepath.Join(root, "merged")
		// The order of the directories does not matter.
		dirs[0], dirs[len(dirs)-1] = dirs[len(dirs)-1], dirs[0]
		m, err := Merge(dirs, MergeOptions{OutDir: out})
		if err != nil {
			t.Fatal(err)
		}
		if m.MergedShards != c.shards || m.Replicates != c.replicates {
			t.Errorf("merged manifest: %+v", m)
		}
		sameOutputs(t, want, out)
	}
}

// Shards from different runs, a missing or repeated shard, an unfinished shard, and a
// damaged checkpoint are refused with errors that say which.
func TestMergeRefusesBadShards(t *testing.T) {
	sc := testScenario(t, 9)
	root := t.TempDir()
	shard := func(name string, k, n int, seed uint64) string {
		dir := filepath.Join(root, name)
		s := *sc
		s.Seed = seed
		if _, err := Execute(context.Background(), &s, RunOptions{OutDir: dir, Shard: k, Shards: n}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a0, a1, a2 := shard("a0", 0, 3, 1), shard("a1", 1, 3, 1), shard("a2", 2, 3, 1)
	b1 := shard("b1", 1, 3, 2)
	c0 := shard("c0", 0, 2, 1)
	unfinished := filepath.Join(root, "u")
	interruptAt(t, testScenario(t, 300), RunOptions{OutDir: unfinished, Shard: 2, Shards: 3, Workers: 1}, 1)
	whole := filepath.Join(root, "whole")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: whole}); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(root, "d")
	os.CopyFS(damaged, os.DirFS(a2))
	ck := filepath.Join(damaged, CheckpointFile)
	data := readFile(t, ck)
	data[len(data)-20] ^= 1
	os.WriteFile(ck, data, 0o644)
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{a0, b1, a2}, "not from the same run"},
		{[]string{a0, a1}, "is shard 0 of 3, but 2 directories"},
		{[]string{a0, a1, a1}, "are both shard 1"},
		{[]string{a0, a1, unfinished}, "not a complete shard"},
		{[]string{a0, a1, c0}, "of 2, but 3 directories"},
		{[]string{a0, a1, damaged}, "checksum mismatch"},
		{[]string{a0, a1, root}, "not a shard directory"},
		{[]string{a0, a1, whole}, "holds a whole run, not a shard"},
	} {
		_, err := Merge(c.dirs, MergeOptions{OutDir: filepath.Join(root, "out"), Force: true})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("merge %v: %v, want an error with %q", c.dirs, err, c.want)
		}
	}
}

// A resumed run must match its checkpoint: another seed, shard layout or scenario is
// refused, and so is a damaged checkpoint.
func TestResumeRefusesAnotherRun(t *testing.T) {
	sc := testScenario(t, 40)
	dir := filepath.Join(t.TempDir(), "out")
	interruptAt(t, sc, RunOptions{OutDir: dir, Workers: 1}, 3)
	other := *sc
	other.Seed++
	_, err := Execute(context.Background(), &other, RunOptions{OutDir: dir, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "it is for seed 42") {
		t.Errorf("resume with another seed: %v", err)
	}
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: dir, Resume: true, Shard: 0, Shards: 2})
	if err == nil || !strings.Contains(err.Error(), "shards") {
		t.Errorf("resume as a shard: %v", err)
	}
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: dir})
	if !errors.Is(err, ErrOutputExists) || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("a new run over an incomplete one: %v, want a hint to resume", err)
	}
	ck := filepath.Join(dir, CheckpointFile)
	data := readFile(t, ck)
	os.WriteFile(ck, data[:len(data)/2], 0o644)
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: dir, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "not a usable cartelsim checkpoint") {
		t.Errorf("resume from a truncated checkpoint: %v", err)
	}
}

// A run too big for memory or disk is refused before it starts, with the sizes.
func TestRunsThatWouldNotFitAreRefused(t *testing.T) {
	sc := testScenario(t, 5000)
	dir := filepath.Join(t.TempDir(), "out")
	defer func(m func() memoryLimit, f func(string) (int64, error)) { memoryBudget, freeSpace = m, f }(memoryBudget, freeSpace)
	memoryBudget = func() memoryLimit { return memoryLimit{200 << 20, "half the machine's"} }
	// 24 MiB + 104 weeks x 14 series (the world's 12 metrics and 2 running totals) x 3
	// ensembles (the run's, 2 workers' parts) x (1200 + 20 x 32 + 6000) bytes =
	// 59,410,944 bytes: 56.7 MiB (the constants are the measured peaks of resources.go).
	if err := checkFits(dir, sc.Clock.Weeks, sc.Replicates, false, statShape{series: 14, ensembles: 3}, 0, 0); err != nil {
		t.Fatalf("a run that fits: %v", err)
	}
	memoryBudget = func() memoryLimit { return memoryLimit{50 << 20, "half the machine's"} }
	_, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "needs about 56.7 MiB of memory at its peak") || !strings.Contains(err.Error(), "the 50.0 MiB allowed (half the machine's)") {
		t.Errorf("too big for memory: %v", err)
	}
	memoryBudget = func() memoryLimit { return memoryLimit{1 << 40, ""} }
	freeSpace = func(string) (int64, error) { return 10 << 20, nil }
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: filepath.Join(t.TempDir(), "new", "deeper")})
	if err == nil || !strings.Contains(err.Error(), "MiB free") {
		t.Errorf("too big for the disk: %v", err)
	}
}

// On a real full disk (a 256 KiB tmpfs; root only) and in a read-only directory, the run
// fails with the system's reason and leaves no manifest that claims completeness.
func TestFullOrReadOnlyDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	defer exec.Command("umount", mnt).Run()
	defer func(f func(string) (int64, error)) { freeSpace = f }(freeSpace)
	freeSpace = func(string) (int64, error) { return 1 << 40, nil } // get past the estimate
	sc := testScenario(t, 30)
	dir := filepath.Join(mnt, "out")
	_, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, CheckpointEvery: -1})
	if err == nil || !errors.Is(err, syscall.ENOSPC) && !strings.Contains(err.Error(), "no space left") {
		t.Errorf("full disk: %v, want no space left", err)
	}
	if m, err := readManifest(dir); err == nil && m.Complete {
		t.Error("a run on a full disk left a manifest claiming completeness")
	}
	if _, err := os.Stat(filepath.Join(dir, TimeseriesFile)); err == nil {
		t.Error("a run on a full disk left timeseries.csv")
	}
	if err := exec.Command("mount", "-o", "remount,ro", mnt).Run(); err != nil {
		t.Skipf("cannot remount read-only: %v", err)
	}
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: filepath.Join(mnt, "other")})
	if err == nil || !errors.Is(err, syscall.EROFS) {
		t.Errorf("read-only disk: %v, want read-only file system", err)
	}
}

// FuzzReadCheckpoint: whatever the bytes, reading a checkpoint returns statistics or an
// error, never panics, and never asks for more than the header's shape allows.
func FuzzReadCheckpoint(f *testing.F) {
	// A finished shard keeps its checkpoint: a small one (the fuzzer slows on big inputs).
	sc := testScenario(f, 4)
	sc.Clock.Weeks = 1
	dir := filepath.Join(f.TempDir(), "out")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 1, Shards: 2}); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), CheckpointFile)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		h, ens, err := readCheckpoint(path, false)
		if err != nil {
			if !strings.Contains(err.Error(), "not a usable cartelsim checkpoint") {
				t.Fatalf("error %q does not say the checkpoint is unusable", err)
			}
			return
		}
		if ens == nil || ens.Weeks != h.Weeks || len(ens.Cells) != h.Weeks*ens.Width() || len(ens.IdleNames()) != len(h.Idle) {
			t.Fatalf("read a checkpoint of shape %dx%d with %v", h.Weeks, h.Metrics, ens)
		}
	})
}
