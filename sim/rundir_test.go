package sim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// A second run, forced or not, or a merge into the directory of a run that is going on
// is refused while the first holds it; the first then finishes with the bytes of a run
// that had the directory to itself.
func TestSecondRunIntoBusyDirectoryIsRefused(t *testing.T) {
	sc := testScenario(t, 20)
	want := reference(t, sc)
	var shards []string
	for k := range 2 {
		shards = append(shards, filepath.Join(t.TempDir(), "shard"))
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: shards[k], Shard: k, Shards: 2}); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	var errs []error
	opts := RunOptions{OutDir: dir, Workers: 2, Progress: func(done, _ int) {
		if done != 5 {
			return
		}
		_, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Force: true})
		errs = append(errs, err)
		_, err = Execute(context.Background(), sc, RunOptions{OutDir: dir, Resume: true})
		errs = append(errs, err)
		_, err = Merge(shards, MergeOptions{OutDir: dir, Force: true})
		errs = append(errs, err)
	}}
	if _, err := Execute(context.Background(), sc, opts); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 3 {
		t.Fatalf("the intruders ran %d times", len(errs))
	}
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "in use by another cartelsim run") || !strings.Contains(err.Error(), "(process ") {
			t.Errorf("intruder %d: %v, want a refusal naming the process", i, err)
		}
	}
	sameOutputs(t, want, dir)
}

// The lock dies with its holder: a lock file left behind (by a process killed while it
// held it) blocks nobody, and a run that ends removes its own.
func TestStaleLockFileDoesNotBlock(t *testing.T) {
	sc := testScenario(t, 6)
	dir := filepath.Join(t.TempDir(), "out")
	l, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDir(dir); err == nil {
		t.Fatal("a held lock was taken twice")
	}
	l.unlock()
	os.WriteFile(filepath.Join(dir, LockFile), []byte("2147483646\n"), 0o644)
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir}); err != nil {
		t.Fatalf("with a stale lock file: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, LockFile)); err == nil {
		t.Error("the run left its lock file")
	}
}

// A run killed before its first checkpoint leaves only its new partial files (and maybe
// a temporary checkpoint): it kept no replicate, so --resume, or a new run, starts over
// instead of refusing the directory for ever.
func TestRunKilledBeforeFirstCheckpointStartsOver(t *testing.T) {
	sc := testScenario(t, 8)
	want := reference(t, sc)
	for _, resume := range []bool{true, false} {
		dir := filepath.Join(t.TempDir(), "out")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, ReplicatesFile+partialSuffix), []byte(replicatesHeader+"test,0,mem"), 0o644)
		os.WriteFile(filepath.Join(dir, LineageFile+partialSuffix), []byte(lineageHeader), 0o644)
		os.WriteFile(filepath.Join(dir, ".cartelsim-1234.tmp"), []byte("CARTELSIM-CHECK"), 0o644)
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2, Resume: resume}); err != nil {
			t.Fatalf("resume %v: %v", resume, err)
		}
		sameOutputs(t, want, dir)
	}
}

// Temporary files that killed writes left (checkpoints, tables) go when the directory is
// next used, so that repeated kills cannot fill the disk.
func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	sc := testScenario(t, 40)
	dir := filepath.Join(t.TempDir(), "out")
	interruptAt(t, sc, RunOptions{OutDir: dir, Workers: 2}, 5)
	stale := []string{filepath.Join(dir, ".cartelsim-99.tmp"), filepath.Join(dir, PlotsDir, ".cartelsim-98.tmp")}
	os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755)
	for _, p := range stale {
		os.WriteFile(p, make([]byte, 1<<20), 0o644)
	}
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2, Resume: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
}

// On resume the disk check counts only what the run adds to the files it already holds:
// with free space between the two, it goes on.
func TestResumeDiskCheckCountsHeldFiles(t *testing.T) {
	sc := testScenario(t, 40)
	dir := filepath.Join(t.TempDir(), "out")
	interruptAt(t, sc, RunOptions{OutDir: dir, Workers: 2}, 20)
	held := heldBytes(dir)
	if held < 100<<10 {
		t.Fatalf("the interrupted run holds only %d bytes", held)
	}
	world, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	need := diskNeed(sc.Clock.Weeks, sc.Replicates, false, runShape(world, sc.Clock, 2))
	defer func(f func(string) (int64, error)) { freeSpace = f }(freeSpace)
	freeSpace = func(string) (int64, error) { return need - held + 1, nil }
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2, Resume: true}); err != nil {
		t.Fatalf("%d bytes free, %d needed of which %d held: %v", need-held+1, need, held, err)
	}
	// A new run with less free space than it needs is still refused.
	freeSpace = func(string) (int64, error) { return need - 1, nil }
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: filepath.Join(t.TempDir(), "new")})
	if err == nil || !strings.Contains(err.Error(), "free") {
		t.Errorf("a new run with too little space: %v", err)
	}
}

// --resume on a complete directory is a success only for the same run, and only when
// the directory holds what its manifest lists.
func TestResumeChecksACompleteRun(t *testing.T) {
	sc := testScenario(t, 6)
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Resume: true}); !errors.Is(err, ErrAlreadyComplete) {
		t.Fatalf("the same run: %v, want ErrAlreadyComplete", err)
	}
	otherSeed := *sc
	otherSeed.Seed++
	otherFile, err := scenario.ParseScenario("other.yaml", append([]byte(goodScenario), "\n# another file\n"...))
	if err != nil {
		t.Fatal(err)
	}
	otherFile.Replicates = sc.Replicates
	for _, c := range []struct {
		sc   *scenario.Scenario
		want string
	}{{&otherSeed, "it is for seed 42"}, {otherFile, "another scenario file"}} {
		_, err := Execute(context.Background(), c.sc, RunOptions{OutDir: dir, Resume: true})
		if err == nil || errors.Is(err, ErrAlreadyComplete) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("resume with %s: %v, want %q", c.sc.File, err, c.want)
		}
	}
	os.Remove(filepath.Join(dir, PlotsDir, "deaths.png"))
	_, err = Execute(context.Background(), sc, RunOptions{OutDir: dir, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "plots/deaths.png is missing") {
		t.Errorf("a complete run without a plot it lists: %v", err)
	}
}

// A resumed run notices what changed under it: a flipped bit in the part of a partial
// file that the checkpoint vouches for, a named pipe in place of the checkpoint or of a
// partial file (which would block a reader for ever), and a manifest edited to say
// complete.
func TestResumeNoticesTampering(t *testing.T) {
	sc := testScenario(t, 30)
	for _, c := range []struct {
		name, want string
		tamper     func(dir string)
	}{
		{"bit flip in replicates.csv.partial", "replicates.csv.partial does not hold what the checkpoint recorded", func(dir string) {
			flipByte(t, filepath.Join(dir, ReplicatesFile+partialSuffix), 200)
		}},
		{"bit flip in lineage.csv.partial", "lineage.csv.partial does not hold what the checkpoint recorded", func(dir string) {
			flipByte(t, filepath.Join(dir, LineageFile+partialSuffix), len(lineageHeader)+3)
		}},
		{"named pipe for the checkpoint", "named pipe", func(dir string) { mkfifo(t, filepath.Join(dir, CheckpointFile)) }},
		{"named pipe for a partial file", "named pipe", func(dir string) { mkfifo(t, filepath.Join(dir, ReplicatesFile+partialSuffix)) }},
		{"manifest edited to say complete", "its manifest says complete", func(dir string) {
			path := filepath.Join(dir, ManifestFile)
			data := readFile(t, path)
			os.WriteFile(path, []byte(strings.Replace(string(data), `"complete": false`, `"complete": true`, 1)), 0o644)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			interruptAt(t, sc, RunOptions{OutDir: dir, Workers: 1}, 10)
			c.tamper(dir)
			_, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Resume: true})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v, want an error with %q", err, c.want)
			}
		})
	}
}

func flipByte(t *testing.T, path string, at int) {
	t.Helper()
	data := readFile(t, path)
	data[at] ^= 0x04
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The resume hint in an interrupted run's manifest and error carries every option the
// checkpoint must match (the command line's test runs it).
func TestResumeHintHasTheRunsOptions(t *testing.T) {
	sc := testScenario(t, 30)
	sets := []scenario.Override{{Key: "parameters.recruitment", Value: "0.003"}, {Key: "description", Value: "two words"}}
	replicates := sc.Replicates
	sc, err := scenario.ParseScenarioWith(sc.File, sc.Source, sets)
	if err != nil {
		t.Fatal(err)
	}
	sc.Replicates = replicates
	dir := filepath.Join(t.TempDir(), "my out")
	ie := interruptAt(t, sc, RunOptions{OutDir: dir, Workers: 1, AllLineages: true, AllEvents: true, Shard: 1, Shards: 3}, 2)
	want := "cartelsim run test.yaml --out '" + dir + "' --seed 42 --replicates 30 --mode stochastic --lineage --events --shard 1 --shards 3" +
		" --set parameters.recruitment=0.003 --set 'description=two words' --resume"
	if ie.Resume != want || !strings.HasSuffix(ie.Error(), want) {
		t.Errorf("hint %q in %q, want %q", ie.Resume, ie.Error(), want)
	}
	if m, err := readManifest(dir); err != nil || m.Resume != want {
		t.Errorf("manifest's hint %q (%v), want %q", m.Resume, err, want)
	}
}
