package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/sim"
)

// TestMain lets the tests run the command line in a child process, to signal it: with
// CARTELSIM_TEST_CLI=1 the test binary is cartelsim.
func TestMain(m *testing.M) {
	switch os.Getenv("CARTELSIM_TEST_CLI") {
	case "1":
		os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
	case "hang":
		hangAfterSignal()
	}
	os.Exit(m.Run())
}

// startCLI starts cartelsim with args in a child process.
func startCLI(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "CARTELSIM_TEST_CLI=1"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// awaitChild polls cond until it holds, or kills the child cmd and fails the test after
// two minutes, saying what it was waiting for and what the child printed.
func awaitChild(t *testing.T, cmd *exec.Cmd, out fmt.Stringer, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("%s: not within 2 minutes: %s", what, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// replicatesDone reads how far a run's manifest says it got.
func replicatesDone(dir string) (done int, complete bool) {
	data, err := os.ReadFile(filepath.Join(dir, sim.ManifestFile))
	if err != nil {
		return 0, false
	}
	var m sim.Manifest
	if json.Unmarshal(data, &m) != nil {
		return 0, false
	}
	return m.ReplicatesDone, m.Complete
}

// interrupt waits until the run in dir has checkpointed at least `after` replicates,
// sends sig, and checks that the run stopped part-way with status 128 + the signal's
// number (130 for SIGINT, 143 for SIGTERM).
func interrupt(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer, dir string, after int, sig os.Signal) {
	t.Helper()
	awaitChild(t, cmd, out, fmt.Sprintf("%s: a checkpoint of %d replicates", dir, after), func() bool {
		done, complete := replicatesDone(dir)
		if complete {
			t.Fatalf("%s finished before it could be interrupted; make the run longer", dir)
		}
		return done >= after
	})
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if want := 128 + int(sig.(syscall.Signal)); !errors.As(err, &ee) || ee.ExitCode() != want {
		t.Fatalf("after %v: %v (want exit status %d): %s", sig, err, want, out)
	}
	if done, complete := replicatesDone(dir); complete || done < after {
		t.Fatalf("after %v the manifest says %d done, complete %v", sig, done, complete)
	}
}

// runCLI runs cartelsim in this process and fails the test on a non-zero status.
func runCLI(t *testing.T, args ...string) {
	t.Helper()
	var stderr bytes.Buffer
	if status := cli(args, io.Discard, &stderr); status != exitOK {
		t.Fatalf("cartelsim %v: status %d: %s", args, status, &stderr)
	}
}

// compareRuns checks that two run directories hold the same tables and plots.
func compareRuns(t *testing.T, want, got string) {
	t.Helper()
	plots, _ := filepath.Glob(filepath.Join(want, sim.PlotsDir, "*"))
	files := []string{sim.TimeseriesFile, sim.CumulativeFile, sim.ReplicatesFile, sim.LineageFile}
	for _, p := range plots {
		files = append(files, filepath.Join(sim.PlotsDir, filepath.Base(p)))
	}
	if len(plots) == 0 {
		t.Fatalf("%s has no plots", want)
	}
	for _, f := range files {
		a, errA := os.ReadFile(filepath.Join(want, f))
		b, errB := os.ReadFile(filepath.Join(got, f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from the uninterrupted run's (%v, %v)", filepath.Join(got, f), errA, errB)
		}
	}
	if _, complete := replicatesDone(got); !complete {
		t.Errorf("%s's manifest does not say complete", got)
	}
}

// A run killed part-way by SIGINT, resumed, gives the bytes of an uninterrupted run; so
// do four shards, each stopped by SIGTERM and resumed (their index from the environment
// of a Slurm array or a Kubernetes Indexed Job), then merged.
//
// Without CARTELSIM_LONG_TESTS=1 (set by `make test-long`, which CI runs) the runs are
// half a year long rather than two, and only the first shard is signalled and resumed:
// the other three run whole, so the merge still checks the interrupted shard against
// the uninterrupted run (the same property, a quarter of the cost).
func TestSignalledRunsResumeToIdenticalOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI in child processes")
	}
	long := os.Getenv("CARTELSIM_LONG_TESTS") == "1"
	weeks := "weeks: 26"
	if long {
		weeks = "weeks: 104"
	}
	// The paper's baseline, shortened: small checkpoints, so frequent ones are cheap.
	root := t.TempDir()
	base, err := os.ReadFile("../../scenarios/prieto-curiel-2023/baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(root, "short.yaml")
	os.WriteFile(scenario, bytes.Replace(base, []byte("weeks: 780"), []byte(weeks), 1), 0o644)
	// 1,200 replicates: past the exact-quantile limit, and long enough (300 a shard) for
	// the signal to arrive well before the end.
	common := []string{scenario, "-n", "1200", "-q", "--workers", "1", "--checkpoint-every", "100ms"}
	ref := filepath.Join(root, "reference")
	runCLI(t, append([]string{"run", "--out", ref}, common...)...)

	dir := filepath.Join(root, "interrupted")
	cmd, out := startCLI(t, nil, append([]string{"run", "--out", dir}, common...)...)
	interrupt(t, cmd, out, dir, 30, os.Interrupt)
	runCLI(t, append([]string{"run", "--out", dir, "--resume"}, common...)...)
	compareRuns(t, ref, dir)

	var shards []string
	for k := range 4 {
		shard := filepath.Join(root, "shard-"+strconv.Itoa(k))
		shards = append(shards, shard)
		env := fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", k)
		if k >= 2 {
			env = fmt.Sprintf("JOB_COMPLETION_INDEX=%d", k)
		}
		args := append([]string{"run", "--out", shard, "--shard", "env", "--shards", "4"}, common...)
		if k > 0 && !long {
			runCLI(t, append([]string{"run", "--out", shard, "--shard", strconv.Itoa(k), "--shards", "4"}, common...)...)
			continue
		}
		cmd, out := startCLI(t, []string{env}, args...)
		interrupt(t, cmd, out, shard, 10, syscall.SIGTERM)
		resumed, out := startCLI(t, []string{env}, append(args, "--resume")...)
		if err := resumed.Wait(); err != nil {
			t.Fatalf("resuming shard %d: %v: %s", k, err, out)
		}
		if done, complete := replicatesDone(shard); !complete || done != 300 {
			t.Fatalf("shard %d: %d replicates done, complete %v; want 300 (r mod 4 == %d of 1200)", k, done, complete, k)
		}
	}
	merged := filepath.Join(root, "merged")
	runCLI(t, append([]string{"merge", "--out", merged, "-q"}, shards...)...)
	compareRuns(t, ref, merged)
}

// --shard: a number below --shards, or env, read from a Slurm array task or else a
// Kubernetes completion index; anything else is a usage error that says what is wrong.
func TestShardIndex(t *testing.T) {
	for _, c := range []struct {
		shard  string
		shards int
		env    map[string]string
		want   int
		err    string
	}{
		{"", 0, nil, 0, ""},
		{"2", 4, nil, 2, ""},
		{"env", 4, map[string]string{"SLURM_ARRAY_TASK_ID": "3", "JOB_COMPLETION_INDEX": "1"}, 3, ""},
		{"env", 4, map[string]string{"JOB_COMPLETION_INDEX": "1"}, 1, ""},
		{"env", 4, nil, 0, "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"},
		{"env", 4, map[string]string{"SLURM_ARRAY_TASK_ID": "4"}, 0, `SLURM_ARRAY_TASK_ID "4": want a shard number from 0 to 3`},
		{"4", 4, nil, 0, `--shard "4": want a shard number from 0 to 3`},
		{"-1", 4, nil, 0, "want a shard number"},
		{"x", 4, nil, 0, "want a shard number"},
		{"1", 0, nil, 0, "go together"},
		{"", 3, nil, 0, "go together"},
	} {
		cmd := &runCmd{shard: c.shard, shards: c.shards}
		got, err := cmd.shardIndex(func(k string) string { return c.env[k] })
		if c.err == "" && (err != nil || got != c.want) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("--shard %q --shards %d %v: %d, %v; want %d, %q", c.shard, c.shards, c.env, got, err, c.want, c.err)
		}
	}
}

// A run stopped by SIGTERM (what Slurm, Kubernetes and systemd send) saves its checkpoint
// and exits with status 143, the shell's 128 + 15, as SIGINT's stop exits 130; either way
// the run resumes to completion.
func TestSignalExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI in child processes")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT or SIGTERM to send on Windows")
	}
	root := t.TempDir()
	scenario := filepath.Join(root, "small.yaml")
	os.WriteFile(scenario, []byte(smallScenario), 0o644)
	for _, c := range []struct {
		sig    syscall.Signal
		status int // 128 + the signal's number (signal(7): SIGINT 2, SIGTERM 15)
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		dir := filepath.Join(root, c.sig.String())
		// A million replicates: still running when the signal comes.
		args := []string{"run", scenario, "--out", dir, "-n", "1000000", "-q", "--workers", "1", "--checkpoint-every", "50ms"}
		cmd, out := startCLI(t, nil, args...)
		interrupt(t, cmd, out, dir, 1, c.sig)
		if cmd.ProcessState.ExitCode() != c.status {
			t.Errorf("%v: exit status %d, want %d", c.sig, cmd.ProcessState.ExitCode(), c.status)
		}
		if !strings.Contains(out.String(), "sim: interrupted after") || !strings.Contains(out.String(), "--resume") {
			t.Errorf("%v: %q does not say how to resume", c.sig, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "checkpoint.bin")); err != nil {
			t.Errorf("%v: no checkpoint kept: %v", c.sig, err)
		}
	}
}
